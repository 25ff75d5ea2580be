"""`build`: golden outputs, validity against the official DTD and our XSDs, round trips."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from gateway import cxml
from gateway.cxml import OutboundDocumentError, Status, StatusCode
from gateway.cxml.hardened_xml import parse_xml
from gateway.cxml.schema import SchemaName
from tests.cxml_checks import assert_valid_cxml
from tests.paths import FIXTURES
from tests.unit.cxml import samples

EXPECTED = FIXTURES / "cxml" / "expected"
PROLOG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
)


def build(payload: cxml.Payload, **options: Any) -> bytes:
    return cxml.build(
        payload, payload_id=samples.PAYLOAD_ID, timestamp=samples.TIMESTAMP, **options
    )


#: golden file -> (payload, build options, our XSD or None)
GOLDEN: dict[str, tuple[cxml.Payload, dict[str, Any], SchemaName | None]] = {
    "response_setup_ok.xml": (samples.setup_ok(), {}, SchemaName.CXML),
    "response_bad_request.xml": (
        cxml.Response(
            status=cxml.InboundDocumentError(
                "BrowserFormPost URL not allowed", status=StatusCode.BAD_REQUEST
            ).to_status()
        ),
        {},
        SchemaName.CXML,
    ),
    "punchout_order_message_cart.xml": (
        samples.cart_message(),
        {"header": samples.SUPPLIER_HEADER, "deployment_mode": "test"},
        SchemaName.PUNCHOUT_ORDER_MESSAGE,
    ),
    "punchout_order_message_abandoned_edit.xml": (
        samples.abandoned_edit(),
        {"header": samples.SUPPLIER_HEADER},
        SchemaName.PUNCHOUT_ORDER_MESSAGE,
    ),
    "punchout_setup_request_edit.xml": (
        samples.edit_request(),
        {"header": samples.BUYER_HEADER},
        SchemaName.PUNCHOUT_SETUP_REQUEST,
    ),
    "profile_request.xml": (cxml.ProfileRequest(), {"header": samples.BUYER_HEADER}, None),
}


def canonical(xml: bytes) -> bytes:
    """C14N 2.0 with whitespace-only text removed: indentation does not count."""
    return etree.tostring(parse_xml(xml), method="c14n2", strip_text=True)


def test_every_golden_file_is_checked() -> None:
    assert sorted(path.name for path in EXPECTED.glob("*.xml")) == sorted(GOLDEN)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_output(name: str) -> None:
    payload, options, _ = GOLDEN[name]
    built = build(payload, **options)
    golden = (EXPECTED / name).read_bytes()
    assert built.startswith(PROLOG)
    assert golden.startswith(PROLOG)
    assert canonical(built) == canonical(golden)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_what_we_build_is_valid(name: str) -> None:
    payload, options, schema_name = GOLDEN[name]
    built = build(payload, **options)
    assert_valid_cxml(built)
    if schema_name is not None:
        cxml.schema.validate(built, schema_name)


def test_a_thousand_line_cart_is_valid() -> None:
    built = build(samples.big_cart(1000), header=samples.SUPPLIER_HEADER)
    root = parse_xml(built, limits=cxml.ParserLimits(max_bytes=16 * 1024 * 1024))
    assert len(root.findall("Message/PunchOutOrderMessage/ItemIn")) == 1000
    assert_valid_cxml(root)
    cxml.schema.validate(root, SchemaName.PUNCHOUT_ORDER_MESSAGE)


def test_build_can_check_the_dtd_before_serialising(dtd_dir: Path) -> None:
    built = build(samples.cart_message(), header=samples.SUPPLIER_HEADER, dtd_dir=dtd_dir)
    assert built == build(samples.cart_message(), header=samples.SUPPLIER_HEADER)
    request = replace(samples.edit_request(), contacts=(cxml.Contact(role="end user", name="X"),))
    reason = "fails the cXML DTD: /cXML/Request/PunchOutSetupRequest/Contact: Syntax of value"
    with pytest.raises(OutboundDocumentError, match=reason):
        build(request, header=samples.BUYER_HEADER, dtd_dir=dtd_dir)


# --- round trips ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "header", "mode"),
    [
        (samples.cart_message(), samples.SUPPLIER_HEADER, "test"),
        (samples.abandoned_edit(), samples.SUPPLIER_HEADER, None),
        (samples.edit_request(), samples.BUYER_HEADER, None),
        (cxml.ProfileRequest(), samples.BUYER_HEADER, "test"),
        (samples.setup_ok(), None, None),
    ],
)
def test_build_then_parse_gives_the_same_document(
    payload: cxml.Payload, header: cxml.Header | None, mode: str | None
) -> None:
    built = build(payload, header=header, deployment_mode=mode)
    assert cxml.parse(built) == cxml.CXMLDocument(
        payload_id=samples.PAYLOAD_ID,
        timestamp=samples.TIMESTAMP,
        header=header,
        payload=payload,
        version="1.2.071",
        deployment_mode=mode or "production",
        lang="en-US",
    )


def test_round_trip_keeps_non_ascii_and_markup_characters() -> None:
    detail = samples.pen_detail('Stift "><script>&amp; \u00e9\u00df\u6771\u4eac')
    message = replace(
        samples.cart_message(), items=(replace(samples.cart_message().items[0], detail=detail),)
    )
    for encoding in ("UTF-8", "US-ASCII"):
        parsed = cxml.parse(build(message, header=samples.SUPPLIER_HEADER, encoding=encoding))
        assert parsed.payload == message


# --- serialisation details ----------------------------------------------------------------------


def test_us_ascii_output_uses_character_references() -> None:
    message = replace(samples.cart_message(), buyer_cookie="caf\u00e9 \u6771")
    built = build(message, header=samples.SUPPLIER_HEADER, encoding="us-ascii")
    assert built.isascii()
    assert built.startswith(b'<?xml version="1.0" encoding="US-ASCII"?>\n')
    assert b"<BuyerCookie>caf&#233; &#26481;</BuyerCookie>" in built


def test_utf8_output_carries_the_characters_themselves() -> None:
    message = replace(samples.cart_message(), buyer_cookie="caf\u00e9")
    assert "<BuyerCookie>caf\u00e9</BuyerCookie>".encode() in build(
        message, header=samples.SUPPLIER_HEADER
    )


def test_the_timestamp_always_has_a_numeric_offset() -> None:
    built = cxml.build(
        samples.setup_ok(),
        payload_id="p@x",
        timestamp=datetime(2024, 5, 1, 8, 0, 0, 999, tzinfo=UTC),
    )
    assert b'timestamp="2024-05-01T08:00:00+00:00"' in built
    assert not re.search(rb'timestamp="[^"]*Z"', built)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 5, 1, 8, 0, tzinfo=UTC), "2024-05-01T08:00:00+00:00"),
        (datetime(2024, 5, 1, 8, 0, 5, 123456, tzinfo=UTC), "2024-05-01T08:00:05+00:00"),
        (
            datetime(2024, 5, 1, 8, tzinfo=timezone(-timedelta(hours=8))),
            "2024-05-01T08:00:00-08:00",
        ),
        (
            datetime(2024, 5, 1, 8, tzinfo=timezone(timedelta(hours=5.5))),
            "2024-05-01T08:00:00+05:30",
        ),
    ],
)
def test_format_timestamp(moment: datetime, text: str) -> None:
    assert cxml.format_timestamp(moment) == text


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(OutboundDocumentError, match="timezone-aware"):
        cxml.build(samples.setup_ok(), payload_id="p@x", timestamp=datetime(2024, 5, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("0.8925", "0.8925"),
        ("-3", "-3.00"),
        ("1E+3", "1000.00"),
        ("0.000001", "0.000001"),
        ("123456789012.34", "123456789012.34"),
    ],
)
def test_money_has_two_decimals_unless_more_are_given(amount: str, text: str) -> None:
    message = replace(
        samples.abandoned_edit(), total=cxml.Money(amount=Decimal(amount), currency="EUR")
    )
    built = build(message, header=samples.SUPPLIER_HEADER)
    assert f'<Money currency="EUR">{text}</Money>'.encode() in built


@pytest.mark.parametrize(("quantity", "text"), [("3", "3"), ("2.50", "2.50"), ("1E+1", "10")])
def test_quantities_have_no_exponent(quantity: str, text: str) -> None:
    item = replace(samples.cart_message().items[0], quantity=Decimal(quantity))
    built = build(replace(samples.cart_message(), items=(item,)), header=samples.SUPPLIER_HEADER)
    assert f'<ItemIn quantity="{text}">'.encode() in built


def test_deployment_mode_and_version_are_written() -> None:
    built = build(
        samples.cart_message(),
        header=samples.SUPPLIER_HEADER,
        deployment_mode="test",
        version="1.2.014",
    )
    assert b'<Message deploymentMode="test">' in built
    assert b"http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd" in built
    assert b"deploymentMode" not in build(samples.cart_message(), header=samples.SUPPLIER_HEADER)


def test_a_status_detail_becomes_the_element_content() -> None:
    response = cxml.Response(
        status=Status(code=StatusCode.CONFLICT, text="Conflict: payloadID seen", detail="see log")
    )
    assert b'<Status code="409" text="Conflict: payloadID seen">see log</Status>' in build(response)


def test_a_shared_secret_is_written_on_a_request() -> None:
    built = build(samples.edit_request(), header=samples.BUYER_HEADER)
    assert b"<SharedSecret>demo-secret</SharedSecret>" in built


def test_payload_ids_are_unique_and_well_shaped() -> None:
    ids = {cxml.make_payload_id("gateway.example") for _ in range(1000)}
    assert len(ids) == 1000
    for payload_id in ids:
        assert re.fullmatch(r"\d{8}T\d{6}\.\d+\.[0-9a-f]{16}@gateway\.example", payload_id)


# --- refusals: we never emit an invalid document ------------------------------------------------

NO_UA = replace(samples.SUPPLIER_HEADER, user_agent=None)
SECRET = replace(
    samples.SUPPLIER_HEADER, sender_credentials=samples.BUYER_HEADER.sender_credentials
)
NO_FROM = replace(samples.SUPPLIER_HEADER, from_credentials=())
CART = samples.cart_message()
FIRST = CART.items[0]
OURS = {"header": samples.SUPPLIER_HEADER}
THEIRS = {"header": samples.BUYER_HEADER}
REFUSED_STATUS = Status(code=StatusCode.BAD_REQUEST, text="Bad Request: x")


def line(**changes: Any) -> cxml.PunchOutOrderMessage:
    """The sample cart with its first line changed."""
    return replace(CART, items=(replace(FIRST, **changes),))


def detail(**changes: Any) -> cxml.PunchOutOrderMessage:
    """The sample cart with the ItemDetail of its first line changed."""
    return line(detail=replace(FIRST.detail, **changes))


def total(amount: str) -> cxml.PunchOutOrderMessage:
    return replace(CART, total=cxml.Money(amount=Decimal(amount), currency="EUR"))


def request(**changes: Any) -> cxml.PunchOutSetupRequest:
    return replace(samples.edit_request(), **changes)


@pytest.mark.parametrize(
    ("payload", "options", "reason"),
    [
        (CART, {"header": SECRET}, "a Message must not carry a SharedSecret"),
        (CART, {"header": NO_UA}, "Header/Sender needs a UserAgent"),
        (CART, {"header": NO_FROM}, "Header/From needs at least one Credential"),
        (CART, {}, "a PunchOutOrderMessage needs a Header"),
        (samples.edit_request(), {}, "a PunchOutSetupRequest needs a Header"),
        (samples.setup_ok(), THEIRS, "a Response has no Header"),
        (samples.setup_ok(), {"deployment_mode": "test"}, "a Response has no Header and no dep"),
        (CART, {**OURS, "deployment_mode": "staging"}, "deploymentMode must be"),
        (CART, {**OURS, "encoding": "ISO-8859-1"}, "encoding must be UTF-8 or US-ASCII"),
        (CART, {**OURS, "version": "1.2.071/../x"}, "version must be a cXML version"),
        (CART, {**OURS, "payload_id": " "}, "payloadID must not be empty"),
        (
            cxml.Response(status=REFUSED_STATUS, body=samples.setup_ok().body),
            {},
            "only a 2xx Status may come with a response body",
        ),
        (replace(CART, buyer_cookie="a\x00b"), OURS, "text not allowed in XML"),
        (total("NaN"), OURS, "a Money amount must be a finite number"),
        (total("-Infinity"), OURS, "a Money amount must be a finite number"),
        (line(quantity=Decimal(0)), OURS, "a quantity must be a number greater than zero"),
        (line(quantity=Decimal(-1)), OURS, "a quantity must be a number greater than zero"),
        (detail(classifications=()), OURS, "an ItemDetail needs at least one Classification"),
        (
            detail(classifications=(cxml.Classification(domain="unspsc", code="4412170"),)),
            OURS,
            "a UNSPSC Classification needs an eight-digit code",
        ),
        (detail(lead_time=-1), OURS, "LeadTime must not be negative"),
        (request(contacts=(cxml.Contact(email="x@y"),)), THEIRS, "a Contact needs a Name"),
        (request(ship_to=cxml.Address(city="Utrecht")), THEIRS, "an Address needs a Name"),
    ],
)
def test_invalid_documents_are_never_built(
    payload: cxml.Payload, options: dict[str, Any], reason: str
) -> None:
    arguments = {"payload_id": samples.PAYLOAD_ID, "timestamp": samples.TIMESTAMP, **options}
    with pytest.raises(OutboundDocumentError) as caught:
        cxml.build(payload, **arguments)
    assert caught.value.status is StatusCode.INTERNAL_SERVER_ERROR
    assert reason in caught.value.reason


def test_other_classification_domains_take_any_code() -> None:
    detail = replace(
        FIRST.detail, classifications=(cxml.Classification(domain="eCl@ss", code="24-35-01-01"),)
    )
    built = build(
        replace(CART, items=(replace(FIRST, detail=detail),)), header=samples.SUPPLIER_HEADER
    )
    assert b'<Classification domain="eCl@ss">24-35-01-01</Classification>' in built


def test_an_address_without_a_full_postal_address_keeps_name_and_email() -> None:
    request = replace(
        samples.edit_request(), ship_to=cxml.Address(name="Dock 4", city="Utrecht", email="d@x")
    )
    built = build(request, header=samples.BUYER_HEADER)
    assert_valid_cxml(built)
    parsed = cxml.parse(built).payload
    assert isinstance(parsed, cxml.PunchOutSetupRequest)
    assert parsed.ship_to == cxml.Address(name="Dock 4", email="d@x")
