"""The hardened parser (security-checklist.md §1): what it refuses, and why."""

from __future__ import annotations

import pytest
from lxml import etree

from gateway.cxml import InboundDocumentError, ParserLimits, StatusCode
from gateway.cxml import hardened_xml as hardened
from gateway.cxml.hardened_xml import looks_like_xml, parse_xml, text_of
from tests.paths import FIXTURES
from tests.unit.cxml.conftest import Listener

DOCTYPE = b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">'
INVALID = FIXTURES / "cxml" / "invalid" / "punchout_setup_request"


def refused(body: bytes, limits: ParserLimits = hardened.DEFAULT_LIMITS) -> str:
    """Parse `body`, expecting a 406 refusal; return the Status text."""
    with pytest.raises(InboundDocumentError) as caught:
        parse_xml(body, limits=limits)
    assert caught.value.status is StatusCode.NOT_ACCEPTABLE
    return caught.value.text


def test_a_plain_document_parses() -> None:
    root = parse_xml(
        b'<?xml version="1.0" encoding="UTF-8"?>' + DOCTYPE + b"<cXML a='1'><b/></cXML>"
    )
    assert root.tag == "cXML"
    assert root.get("a") == "1"


def test_only_bytes_are_accepted() -> None:
    with pytest.raises(TypeError):
        parse_xml("<cXML/>")  # type: ignore[arg-type]


def test_the_dtd_named_in_the_doctype_is_never_loaded() -> None:
    root = parse_xml(DOCTYPE + b"<cXML/>")
    assert root.getroottree().docinfo.externalDTD is None
    assert root.getroottree().docinfo.system_url.endswith("/1.2.071/cXML.dtd")


# --- limits ---------------------------------------------------------------------------------


def test_a_body_over_max_bytes_is_refused() -> None:
    limits = ParserLimits(max_bytes=100)
    body = b"<cXML>" + b"x" * 87 + b"</cXML>"
    assert len(body) == 100
    assert parse_xml(body, limits=limits).tag == "cXML"
    assert refused(body + b" ", limits) == "Not Acceptable: document larger than 100 bytes"


def test_the_default_size_limit_is_four_mib() -> None:
    body = b"<cXML>" + b" " * (4 * 1024 * 1024) + b"</cXML>"
    assert "larger than 4194304 bytes" in refused(body)


def test_nesting_10000_deep_is_refused_by_the_depth_limit() -> None:
    body = b"<a>" * 10_000 + b"</a>" * 10_000
    assert refused(body) == "Not Acceptable: nesting deeper than 64 levels"


def test_nesting_up_to_the_limit_is_accepted() -> None:
    limits = ParserLimits(max_depth=5)
    assert parse_xml(b"<a>" * 5 + b"</a>" * 5, limits=limits).tag == "a"
    assert "deeper than 5 levels" in refused(b"<a>" * 6 + b"</a>" * 6, limits)


def test_an_element_with_100000_attributes_is_refused() -> None:
    attributes = b" ".join(b'a%d="1"' % n for n in range(100_000))
    assert "more than 32 attributes" in refused(b"<cXML " + attributes + b"/>")


def test_attributes_up_to_the_limit_are_accepted() -> None:
    limits = ParserLimits(max_attributes=3)
    assert len(parse_xml(b'<a x="1" y="2" z="3"/>', limits=limits).attrib) == 3
    assert "more than 3 attributes" in refused(b'<a x="1" y="2" z="3" w="4"/>', limits)


def test_an_11_mb_text_node_under_the_body_limit_is_refused() -> None:
    limits = ParserLimits(max_bytes=16 * 1024 * 1024)
    body = b"<cXML>" + b"x" * (11 * 1000 * 1000) + b"</cXML>"
    assert "a text longer than 1048576 characters" in refused(body, limits)


def test_text_is_counted_across_cdata_and_character_data() -> None:
    limits = ParserLimits(max_text_length=10)
    assert text_of(parse_xml(b"<a>12345<![CDATA[67890]]><b/>1234567890</a>", limits=limits))
    assert "longer than 10 characters" in refused(b"<a>12345<![CDATA[678901]]></a>", limits)


# --- DOCTYPE allow-list -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "doctype",
    [
        b"",
        b"<!DOCTYPE cXML>",
        DOCTYPE,
        b'<!DOCTYPE cXML SYSTEM "https://xml.cxml.org/schemas/cXML/1.1.010/cXML.dtd">',
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/Fulfill.dtd">',
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/Custom.dtd">',
        # Ariba's own examples and most libraries capitalise the host; hosts ignore case.
        b'<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.014/cXML.dtd">',
        b'<!DOCTYPE cXML SYSTEM "HTTPS://XML.CXML.ORG/schemas/cXML/1.2.035/InvoiceDetail.dtd">',
        b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.0/cXML.dtd">',
        b'<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.1.007/Fulfill.dtd">',
    ],
)
def test_the_official_doctype_shapes_are_accepted(doctype: bytes) -> None:
    assert parse_xml(doctype + b"<cXML/>").tag == "cXML"


@pytest.mark.parametrize(
    ("doctype", "reason"),
    [
        (b'<!DOCTYPE Response SYSTEM "x">', "document type must be cXML"),
        (b"<!DOCTYPE cxml>", "document type must be cXML"),
        (b'<!DOCTYPE cXML PUBLIC "-//x//y" "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">',
         "public identifiers are not allowed"),
        (b'<!DOCTYPE cXML SYSTEM "cXML.dtd">', "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "file:///etc/passwd">', "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://127.0.0.1/schemas/cXML/1.2.071/cXML.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org.evil.example/schemas/cXML/1.2.071/cXML.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/../../x.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/2.0.000/cXML.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.3.001/cXML.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "ftp://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.014/cXML.xsd">',
         "must name a cXML DTD"),
        (b'<!DOCTYPE cXML SYSTEM "http://xml.cXML.org/schemas/cXML/1.2.014/cXML.dtd" [ ]>',
         "an internal DTD subset is not allowed"),
    ],
)  # fmt: skip
def test_other_doctypes_are_refused(doctype: bytes, reason: str) -> None:
    assert reason in refused(doctype + b"<cXML/>")


@pytest.mark.parametrize(
    ("subset", "reason"),
    [
        (b'<!ENTITY x "y">', "entity declarations are not allowed"),
        (b'<!ENTITY x SYSTEM "file:///etc/passwd">', "entity declarations are not allowed"),
        (b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;', "entity declarations"),
        (b'<!NOTATION n SYSTEM "x"><!ENTITY u SYSTEM "x" NDATA n>', "notation declarations"),
        (b"<!ATTLIST cXML a CDATA #IMPLIED>", "attribute list declarations are not allowed"),
        (b"<!ELEMENT cXML ANY>", "element declarations are not allowed"),
        (b"<!-- only a comment -->", "an internal DTD subset is not allowed"),
        (b"", "an internal DTD subset is not allowed"),
    ],
)
def test_every_internal_subset_is_refused(subset: bytes, reason: str) -> None:
    assert reason in refused(DOCTYPE[:-1] + b" [" + subset + b"]><cXML/>")


def test_an_entity_reference_left_by_an_external_doctype_is_refused() -> None:
    # With an external DTD declared, an undeclared entity is not an error to expat: it is skipped.
    assert "entity references are not allowed" in refused(DOCTYPE + b"<cXML>&price;</cXML>")


def test_an_undeclared_entity_without_doctype_is_not_well_formed() -> None:
    assert "not well-formed XML (undefined entity" in refused(b"<cXML>&price;</cXML>")


def test_predefined_entities_and_character_references_are_plain_text() -> None:
    assert text_of(parse_xml(b"<cXML>&amp;&lt;&#233;&#x4E1C;</cXML>")) == "&<\u00e9\u4e1c"


def test_lxml_alone_would_still_refuse_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: without the expat pass, lxml resolves nothing and the check refuses."""
    monkeypatch.setattr(hardened, "_expat_pass", lambda body, limits: None)
    body = (INVALID / "xxe_file.xml").read_bytes()
    text = refused(body)
    assert text == "Not Acceptable: entity references are not allowed"
    assert "root:" not in text
    assert "entity references" in refused(DOCTYPE + b"<cXML>&price;</cXML>")


# --- encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-8"?><cXML>caf\xc3\xa9</cXML>',
        b'<?xml version="1.0" encoding="utf-8"?><cXML>caf\xc3\xa9</cXML>',
        b'<?xml version="1.0" encoding="US-ASCII"?><cXML>caf&#233;</cXML>',
        b"\xef\xbb\xbf<cXML>caf\xc3\xa9</cXML>",
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><cXML>caf\xc3\xa9</cXML>',
    ],
)
def test_utf8_and_ascii_documents_are_accepted(body: bytes) -> None:
    assert text_of(parse_xml(body)) == "caf\u00e9"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-16"?><cXML/>'.decode().encode("utf-16"),
        b'<?xml version="1.0" encoding="UTF-16"?><cXML/>'.decode().encode("utf-16-be"),
        b'<?xml version="1.0" encoding="UTF-16"?><cXML/>'.decode().encode("utf-16-le"),
        b"<cXML/>".decode().encode("utf-32"),
        b'<?xml version="1.0"?><cXML/>'.decode().encode("utf-16-le"),
        b'<?xml version="1.0"?><cXML/>'.decode().encode("utf-16-be"),
        b"<cXML/>".decode().encode("utf-16-le"),
        b"<cXML/>".decode().encode("utf-32-le"),
        b'<?xml version="1.0" encoding="UTF-7"?><cXML/>',
        b'<?xml version="1.0" encoding="ISO-8859-1"?><cXML>caf\xe9</cXML>',
        b'<?xml version="1.0" encoding="utf8"?><cXML/>',
        b'\xef\xbb\xbf<?xml version="1.0" encoding="ISO-8859-1"?><cXML/>',
        b'\xef\xbb\xbf<?xml version="1.0" encoding="US-ASCII"?><cXML/>',
    ],
)
def test_other_encodings_are_refused(body: bytes) -> None:
    assert refused(body) == "Not Acceptable: only UTF-8 encoded documents are accepted"


def test_invalid_utf8_is_refused() -> None:
    assert "not well-formed XML" in refused(b"<cXML>\xff\xfe</cXML>")
    assert "not well-formed XML" in refused(b"<cXML>\xc3</cXML>")


def test_non_ascii_bytes_under_an_ascii_declaration_are_refused() -> None:
    assert refused(b'<?xml version="1.0" encoding="US-ASCII"?><cXML>\xc3\xa9</cXML>') == (
        "Not Acceptable: not well-formed XML"
    )


def test_xml_1_1_is_refused() -> None:
    assert "only XML version 1.0" in refused(b'<?xml version="1.1"?><cXML/>')


# --- processing instructions, XInclude, schema hints, comments --------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:9/x.xsl"?><cXML/>',
        b"<cXML><?php echo 1; ?></cXML>",
        b"<cXML/><?after the root?>",
    ],
)
def test_processing_instructions_are_refused(body: bytes) -> None:
    assert "processing instructions are not allowed" in refused(body)


@pytest.mark.parametrize(
    "namespace", [b"http://www.w3.org/2001/XInclude", b"http://www.w3.org/2003/XInclude"]
)
def test_xinclude_is_refused(namespace: bytes) -> None:
    body = b'<cXML xmlns:xi="%s"><xi:include href="/etc/passwd" parse="text"/></cXML>' % namespace
    assert "XInclude is not allowed" in refused(body)


@pytest.mark.parametrize(
    "attribute",
    [
        b'xsi:schemaLocation="urn:x http://127.0.0.1:9/x.xsd"',
        b'xsi:noNamespaceSchemaLocation="http://127.0.0.1:9/x.xsd"',
        b'xsi:type="xs:string"',
    ],
)
def test_schema_instance_attributes_are_refused(attribute: bytes) -> None:
    body = b'<cXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a %s/></cXML>' % attribute
    assert "XML Schema instance attributes" in refused(body)


def test_a_declared_but_unused_schema_instance_namespace_is_harmless() -> None:
    # .NET serialisers declare it on every root element.
    body = b'<cXML xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><a b="1"/></cXML>'
    assert parse_xml(body).tag == "cXML"


def test_comments_are_removed_and_cannot_truncate_a_value() -> None:
    root = parse_xml(b"<Identity>buyer@a.com<!---->.evil.com</Identity>")
    assert next(root.iter(etree.Comment), None) is None
    assert text_of(root) == "buyer@a.com.evil.com"


def test_text_of_joins_nested_text_and_strips() -> None:
    assert text_of(parse_xml(b"<a>\n  x<b>y</b>z <![CDATA[<&>]]>\n</a>")) == "xyz <&>"


def test_an_unclosed_tag_gets_a_generic_answer() -> None:
    text = refused(b"<cXML><Request>secret-value</cXML>")
    assert text == "Not Acceptable: not well-formed XML (mismatched tag at line 1, column 30)"


def test_an_empty_body_is_not_well_formed() -> None:
    assert "not well-formed XML (no element found" in refused(b"")


# --- nothing is fetched -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "xxe_http.xml",
        "parameter_entity.xml",
        "doctype_ssrf.xml",
        "stylesheet_pi.xml",
        "schema_location.xml",
    ],
)
def test_hostile_urls_are_never_contacted(name: str, listener: Listener) -> None:
    body = listener.point_at((INVALID / name).read_bytes())
    assert str(listener.port).encode() in body
    refused(body)
    assert listener.connections() == 0


def test_the_listener_counts_connections(listener: Listener) -> None:
    import socket  # noqa: PLC0415 - only this sanity check opens a connection

    socket.create_connection(("127.0.0.1", listener.port)).close()
    assert listener.connections() == 1


@pytest.mark.parametrize("prefix", [b"\r\n", b"  \n\t", b"\xef\xbb\xbf\n "])
def test_whitespace_before_the_xml_declaration_is_tolerated(prefix: bytes) -> None:
    """Buyer tools send a newline first; XML allows none before the declaration."""
    body = prefix + b'<?xml version="1.0" encoding="UTF-8"?>\n' + DOCTYPE + b"<cXML/>"
    assert parse_xml(body).tag == "cXML"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"<cXML/>", True),
        (b"\xef\xbb\xbf \r\n\t<?xml version='1.0'?><cXML/>", True),
        ("\ufeff\n<cXML/>".encode("utf-16-le"), True),  # refused later for its encoding
        ("\ufeff<cXML/>".encode("utf-16-be"), True),
        (b"", False),
        (b"   ", False),
        (b"cxml-urlencoded=%3CcXML%2F%3E", False),
        (b'{"cXML": 1}', False),
        (b"\xef\xbb\xbfhello", False),
    ],
)
def test_looks_like_xml_goes_by_the_body_alone(body: bytes, expected: bool) -> None:
    assert looks_like_xml(body) is expected


def test_leading_whitespace_without_a_declaration_keeps_its_line_numbers() -> None:
    with pytest.raises(InboundDocumentError) as caught:
        parse_xml(b"\n\n<cXML><a></cXML>")
    assert "at line 3" in caught.value.reason


@pytest.mark.parametrize(
    ("xml", "text"),
    [
        (b"<a>  v  </a>", "v"),
        (b"<a/>", ""),
        (b"<a><![CDATA[ c ]]></a>", "c"),
        (b"<a> x <b>y</b> z</a>", "x y z"),
        (b"<a><b> y </b></a>", "y"),
    ],
)
def test_text_of_reads_all_text_inside_an_element_leaf_or_not(xml: bytes, text: str) -> None:
    assert text_of(parse_xml(xml)) == text
