"""Our XSDs and the schema trio: datatype rules, lenient structure inbound, strict outbound."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files

import pytest
from lxml import etree

from gateway import cxml
from gateway.cxml import DocumentValidationError, InboundDocumentError
from gateway.cxml import schema as schemas
from gateway.cxml.hardened_xml import parse_xml
from gateway.cxml.schema import SchemaName
from tests.paths import FIXTURES, PROJECT_ROOT
from tests.unit.cxml import samples
from tests.unit.cxml.conftest import Listener

SETUP = SchemaName.PUNCHOUT_SETUP_REQUEST
VALID_SETUP = FIXTURES / "cxml" / "valid" / "punchout_setup_request"
EDIT = (VALID_SETUP / "edit_with_items.xml").read_bytes()
XS = "{http://www.w3.org/2001/XMLSchema}"


def findings_of(xml: bytes | etree._Element, name: str) -> list[str]:
    return [str(finding) for finding in schemas.iter_errors(xml, name)]


def built_cart() -> bytes:
    return cxml.build(
        samples.cart_message(),
        payload_id=samples.PAYLOAD_ID,
        timestamp=samples.TIMESTAMP,
        header=samples.SUPPLIER_HEADER,
    )


def test_schemas_are_package_data_of_gateway_schemas() -> None:
    folder = files("gateway.schemas").joinpath("cxml")
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".xsd"))
    assert names == sorted(
        [
            *(f"{name}.xsd" for name in SchemaName),
            "common.xsd",
            "invoice_detail_parts.xsd",
            "order_message_parts.xsd",
        ]
    )
    assert sorted(p.name for p in (PROJECT_ROOT / "schemas" / "cxml").glob("*.xsd")) == names


def test_every_constrained_type_explains_itself() -> None:
    common = etree.parse(str(PROJECT_ROOT / "schemas" / "cxml" / "common.xsd"))
    for simple_type in common.iterfind(f"{XS}simpleType"):
        documentation = simple_type.findtext(f"{XS}annotation/{XS}documentation")
        assert documentation, simple_type.get("name")


@pytest.mark.parametrize("path", sorted(VALID_SETUP.glob("*.xml")), ids=lambda p: p.name)
def test_every_valid_setup_fixture_passes_the_lenient_schema(path: object) -> None:
    body = path.read_bytes()  # type: ignore[attr-defined]
    assert findings_of(body, SETUP) == []


def test_the_trio_agrees() -> None:
    assert schemas.is_valid(EDIT, "punchout_setup_request")
    schemas.validate(parse_xml(EDIT), SETUP)
    broken = EDIT.replace(b'quantity="3"', b'quantity="-3"')
    assert not schemas.is_valid(broken, SETUP)
    findings = findings_of(broken, SETUP)
    with pytest.raises(DocumentValidationError) as caught:
        schemas.validate(broken, SETUP)
    assert caught.value.errors == tuple(findings)
    assert len(findings) == 1
    assert isinstance(caught.value, InboundDocumentError)


POSITIVE = "must be a decimal number greater than zero"
NON_EMPTY = "must be a non-empty text"
LINE = "/cXML/Request/PunchOutSetupRequest/ItemOut[1]"


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        (b'quantity="3"', b'quantity="0.0"', f"{LINE}/@quantity: {POSITIVE}"),
        (b'quantity="3"', b'quantity="3e0"', f"{LINE}/@quantity: {POSITIVE}"),
        (b'lineNumber="1"', b'lineNumber="0"', f"{LINE}/@lineNumber: must be a whole number"),
        (b">0.77<", b">NaN<", f"{LINE}/ItemDetail/UnitPrice/Money: must be a decimal number"),
        (b'currency="EUR"', b'currency="euro"', "Money/@currency: must be a three-letter ISO"),
        (b"<LeadTime>2<", b"<LeadTime>two days<", "LeadTime: must be a whole number of days"),
        (b'operation="edit"', b'operation="delete"', "/@operation: must be one of create"),
        (b'"production"', b'"staging"', "/cXML/Request/@deploymentMode: must be production or"),
        (b'domain="DUNS"', b'domain=""', f"/cXML/Header/To/Credential/@domain: {NON_EMPTY}"),
        (b'payloadID="20240501T100000.4242.edit@buyer.example"', b'payloadID=" "', NON_EMPTY),
        (b' quantity="3"', b"", f"{LINE}/@quantity: is required"),
    ],
)
def test_findings_name_the_path_and_the_rule_never_the_value(
    old: bytes, new: bytes, finding: str
) -> None:
    assert old in EDIT
    findings = findings_of(EDIT.replace(old, new, 1), SETUP)
    assert len(findings) == 1
    assert finding in findings[0]
    value = re.search(rb'"([^"]*)"|>([^<]*)<', new)
    sent = (value[1] or value[2] or b"").decode().strip() if value else ""
    if sent:
        assert sent not in findings[0].partition(": ")[2]


@pytest.mark.parametrize(
    ("value", "valid"),
    [("x", True), (" x", True), ("x\t", True), ("\n a b \n", True), (" \t\n", False)],
)
def test_a_non_empty_text_is_any_text_with_a_character_that_is_not_a_space(
    value: str, valid: bool
) -> None:
    old = b'domain="DUNS"'
    assert old in EDIT
    changed = EDIT.replace(old, f'domain="{value}"'.encode(), 1)
    assert schemas.is_valid(changed, SETUP) is valid


def test_the_inbound_schema_is_lenient_on_structure() -> None:
    start = EDIT.index(b"      <BrowserFormPost>")
    end = EDIT.index(b"</BrowserFormPost>\n") + len(b"</BrowserFormPost>\n")
    reordered = EDIT[:start] + EDIT[end:].replace(
        b"</PunchOutSetupRequest>",
        EDIT[start:end]
        + b"<Extra a='1'><Money currency='EUR'>1</Money></Extra></PunchOutSetupRequest>",
    )
    assert schemas.is_valid(reordered, SETUP)
    # ...but datatypes hold wherever a known element appears, even inside unknown ones.
    hidden = reordered.replace(
        b"<Money currency='EUR'>1</Money>", b"<Money currency='EUR'>1,5</Money>"
    )
    assert findings_of(hidden, SETUP) == [
        "/cXML/Request/PunchOutSetupRequest/Extra/Money: must be a decimal number such as 12.50 "
        "(no exponent, no thousands separator)"
    ]


def test_open_content_is_not_looked_into() -> None:
    body = EDIT.replace(
        b"<BuyerCookie>cookie-edit</BuyerCookie>",
        b"<BuyerCookie><Money currency='x'>not money</Money></BuyerCookie>",
    )
    assert schemas.is_valid(body, SETUP)


def test_the_outbound_schemas_are_strict() -> None:
    cart = built_cart()
    schemas.validate(cart, SchemaName.PUNCHOUT_ORDER_MESSAGE)
    unit = b"<UnitOfMeasure>EA</UnitOfMeasure>"
    classification = b'<Classification domain="UNSPSC">44121701</Classification>'
    reordered = cart.replace(unit, b"", 1).replace(classification, classification + unit, 1)
    assert cxml.parse(reordered).payload == cxml.parse(cart).payload  # we would read it...
    findings = findings_of(reordered, SchemaName.PUNCHOUT_ORDER_MESSAGE)
    assert findings == [  # ...but never emit it
        "/cXML/Message/PunchOutOrderMessage/ItemIn[1]/ItemDetail/Classification: This element is "
        "not expected. Expected is ( UnitOfMeasure )."
    ]
    zulu = cart.replace(b"+02:00", b"Z")
    assert findings_of(zulu, SchemaName.PUNCHOUT_ORDER_MESSAGE) == [
        "/cXML/@timestamp: must be an ISO 8601 date and time with a numeric offset such as +01:00"
    ]
    each = b"<UnitOfMeasure>EACH</UnitOfMeasure>"
    [finding] = schemas.iter_errors(
        cart.replace(b"<UnitOfMeasure>EA</UnitOfMeasure>", each, 1),
        SchemaName.PUNCHOUT_ORDER_MESSAGE,
    )
    assert finding == schemas.Finding(
        path="/cXML/Message/PunchOutOrderMessage/ItemIn[1]/ItemDetail/UnitOfMeasure",
        reason="must be a UN/CEFACT Recommendation 20 unit code "
        "(1 to 3 capital letters or digits, such as EA)",
    )


def test_the_order_message_schema_refuses_a_shared_secret() -> None:
    cart = built_cart()
    with_secret = cart.replace(
        b"<Identity>123456789</Identity>",
        b"<Identity>123456789</Identity><SharedSecret>s</SharedSecret>",
        1,
    )
    findings = findings_of(with_secret, SchemaName.PUNCHOUT_ORDER_MESSAGE)
    assert findings == ["/cXML/Header/From/Credential/SharedSecret: This element is not expected."]


def test_the_response_schema_keeps_a_body_to_success() -> None:
    ok = cxml.build(samples.setup_ok(), payload_id="p@x", timestamp=samples.TIMESTAMP)
    schemas.validate(ok, SchemaName.CXML)
    assert not schemas.is_valid(ok.replace(b'code="200"', b'code="2000"'), SchemaName.CXML)


def test_an_unknown_schema_name_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="not a valid SchemaName"):
        schemas.is_valid(EDIT, "order_request")


def test_bytes_go_through_the_hardened_parser() -> None:
    hostile = FIXTURES / "cxml" / "invalid" / "punchout_setup_request" / "billion_laughs.xml"
    with pytest.raises(InboundDocumentError, match="entity declarations are not allowed"):
        schemas.is_valid(hostile.read_bytes(), SETUP)


def test_schema_hints_in_a_tree_are_never_followed(listener: Listener) -> None:
    """Even a tree built in code (the parser refuses xsi attributes) fetches nothing."""
    root = parse_xml(EDIT)
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    url = f"http://127.0.0.1:{listener.port}/cXML.xsd"
    root.set(f"{{{xsi}}}schemaLocation", f"urn:x {url}")
    root.set(f"{{{xsi}}}noNamespaceSchemaLocation", url)
    assert schemas.is_valid(root, SETUP)
    assert listener.connections() == 0


@dataclass
class FakeEntry:
    message: str
    path: str = "/cXML/X"
    line: int = 0


@pytest.mark.parametrize(
    ("message", "finding"),
    [
        ("Element 'X', attribute 'a': 'secret' is not a valid value of the atomic type 'xs:int'.",
         "/cXML/X/@a: has an invalid value"),
        ("Element 'X': [facet 'pattern'] The value 'secret' is not accepted by the pattern 'x'.",
         "/cXML/X: has an invalid value"),
        ("Element 'X': This element is not expected. Expected is ( Total ).",
         "/cXML/X: This element is not expected. Expected is ( Total )."),
        ("Something libxml2 may say one day about 'secret'", "/cXML/X: is not valid"),
    ],
)  # fmt: skip
def test_undocumented_findings_never_repeat_values(message: str, finding: str) -> None:
    assert str(schemas._describe(FakeEntry(message), {})) == finding  # type: ignore[arg-type]
