"""The cart-return field: `cxml-base64` or `cxml-urlencoded`, and back."""

from __future__ import annotations

import base64
from dataclasses import replace

import pytest

from gateway import cxml
from gateway.cxml import CartEncoding, InboundDocumentError, OutboundDocumentError
from tests.unit.cxml import samples

HOSTILE = 'Stift "><script>alert(1)</script>& \u00e9\u00df \u6771\u4eac'


def hostile_cart(encoding: str) -> bytes:
    line = samples.cart_message().items[0]
    message = replace(
        samples.cart_message(),
        items=(replace(line, detail=samples.pen_detail(HOSTILE)),),
    )
    return cxml.build(
        message,
        payload_id=samples.PAYLOAD_ID,
        timestamp=samples.TIMESTAMP,
        header=samples.SUPPLIER_HEADER,
        encoding=encoding,
    )


def description_of(xml: bytes) -> str:
    message = cxml.parse(xml).payload
    assert isinstance(message, cxml.PunchOutOrderMessage)
    return message.items[0].detail.description


def test_base64_carries_the_utf8_document() -> None:
    xml = hostile_cart("UTF-8")
    name, value = cxml.encode_cart(xml, CartEncoding.BASE64)
    assert name == "cxml-base64"
    assert value.isascii()
    assert base64.b64decode(value) == xml
    assert cxml.decode_cart({name: value}) == xml
    assert description_of(cxml.decode_cart({name: value})) == HOSTILE


def test_urlencoded_carries_the_ascii_document_itself() -> None:
    xml = hostile_cart("US-ASCII")
    name, value = cxml.encode_cart(xml, CartEncoding.URLENCODED)
    assert name == "cxml-urlencoded"
    assert value == xml.decode("ascii")
    assert "&#233;" in value
    assert 'Stift "&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp; &#233;&#223;' in value
    assert description_of(cxml.decode_cart({name: value})) == HOSTILE


def test_urlencoded_refuses_a_document_that_is_not_ascii() -> None:
    with pytest.raises(OutboundDocumentError, match="must be built with US-ASCII"):
        cxml.encode_cart(hostile_cart("UTF-8"), CartEncoding.URLENCODED)


def test_base64_refuses_a_document_that_is_not_utf8() -> None:
    with pytest.raises(OutboundDocumentError, match="not UTF-8"):
        cxml.encode_cart(b"<cXML>\xe9</cXML>", CartEncoding.BASE64)


@pytest.mark.parametrize(
    ("base64_name", "urlencoded_name"),
    [
        ("cXML-base64", "cXML-urlencoded"),
        ("CXML-BASE64", "CXML-URLENCODED"),
        ("cxml-base64", "cxml-urlencoded"),
    ],
)
def test_field_names_match_case_insensitively(base64_name: str, urlencoded_name: str) -> None:
    value = base64.b64encode(b"<cXML/>").decode()
    assert cxml.decode_cart({base64_name: value, "other": "x"}) == b"<cXML/>"
    assert cxml.decode_cart({urlencoded_name: "<cXML/>"}) == b"<cXML/>"


def test_line_breaks_in_base64_are_tolerated() -> None:
    value = base64.encodebytes(b"<cXML>" + b"x" * 200 + b"</cXML>").decode()
    assert "\n" in value
    assert cxml.decode_cart({"cxml-base64": value}).startswith(b"<cXML>x")


def test_a_decoded_urlencoded_value_with_non_ascii_stays_parseable() -> None:
    # A receiver that decoded references already: the characters return as references.
    value = '<?xml version="1.0" encoding="US-ASCII"?><cXML>caf\u00e9</cXML>'
    assert cxml.decode_cart({"cxml-urlencoded": value}).endswith(b"<cXML>caf&#233;</cXML>")


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"cxml": "x"},
        {"cxml-base64": "PGNYTUwvPg==", "cxml-urlencoded": "<cXML/>"},
        {"cxml-base64": "PGNYTUwvPg==", "CXML-BASE64": "PGNYTUwvPg=="},
    ],
)
def test_exactly_one_cart_field_is_required(fields: dict[str, str]) -> None:
    with pytest.raises(InboundDocumentError, match="exactly one cxml-base64 or cxml-urlencoded"):
        cxml.decode_cart(fields)


@pytest.mark.parametrize("value", ["not base64!", "PGNYTUwvPg=", "\u00e9"])
def test_broken_base64_is_refused(value: str) -> None:
    with pytest.raises(InboundDocumentError, match="cxml-base64 is not valid base64"):
        cxml.decode_cart({"cxml-base64": value})
