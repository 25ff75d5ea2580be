"""OrderRequest: parse refusals name the field; build round-trips and validates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from gateway import cxml
from gateway.cxml import InboundDocumentError, StatusCode
from tests import buyer
from tests.cxml_checks import assert_valid_cxml


def test_built_order_request_is_dtd_valid_and_parses_back() -> None:
    body = buyer.order_request(
        request_type=cxml.OrderRequestType.UPDATE, reference="po-1@buyer.example", version=2
    )
    assert_valid_cxml(body)
    order = cxml.parse(body).payload
    assert isinstance(order, cxml.OrderRequest)
    assert (order.type, order.document_reference, order.order_version) == (
        "update",
        "po-1@buyer.example",
        2,
    )


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            b'type="new"',
            b'type="replace"',
            "OrderRequestHeader/@type: must be new, update or delete",
        ),
        (b'orderDate="2026-11-27T09:30:00+00:00"', b'orderDate="27.11.2026"', "@orderDate"),
        (b'orderID="PO-1001"', b'orderID=" "', "@orderID is missing"),
        (b'lineNumber="1"', b'lineNumber="0"', "ItemOut/@lineNumber: must be a whole number"),
        (b'quantity="2"', b'quantity="-2"', "@quantity: must be a decimal number greater"),
        (b'requestedDeliveryDate="2026-12-01"', b'requestedDeliveryDate="soon"', "Date"),
        (b'<Money currency="EUR">1.54</Money>', b'<Money currency="EUR">1,54</Money>', "Money"),
    ],
)
def test_unusable_order_requests_are_refused_with_406(old: bytes, new: bytes, words: str) -> None:
    body = buyer.order_request()
    assert old in body
    with pytest.raises(InboundDocumentError) as caught:
        cxml.parse(body.replace(old, new, 1))
    assert caught.value.status is StatusCode.NOT_ACCEPTABLE
    assert words in caught.value.text


def test_order_request_without_lines_is_refused() -> None:
    body = buyer.order_request()
    start, end = body.index(b"<ItemOut"), body.index(b"</OrderRequest>")
    with pytest.raises(InboundDocumentError, match="has no ItemOut"):
        cxml.parse(body[:start] + body[end:])


def test_credential_mac_sender_is_dtd_valid_and_parses_back() -> None:
    now = datetime.now(UTC)
    sender = buyer.mac_sender("abracadabra", created=now, expires=now + timedelta(hours=1))
    body = buyer.order_request(sender=sender)
    assert_valid_cxml(body)
    header = cxml.parse(body).header
    assert header is not None
    assert header.sender_credentials == (sender,)
    assert b"<SharedSecret>" not in body


def order_date_of(raw: str) -> datetime:
    body = buyer.order_request().replace(
        b'orderDate="2026-11-27T09:30:00+00:00"', f'orderDate="{raw}"'.encode(), 1
    )
    order = cxml.parse(body).payload
    assert isinstance(order, cxml.OrderRequest)
    return order.order_date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2016-04-20T04:34:19", datetime(2016, 4, 20, 4, 34, 19, tzinfo=UTC)),  # no zone: UTC
        ("2016-04-20T04:34:19Z", datetime(2016, 4, 20, 4, 34, 19, tzinfo=UTC)),
        ("2016-04-20T06:34:19+02:00", datetime(2016, 4, 20, 4, 34, 19, tzinfo=UTC)),
        ("2000-10-12", datetime(2000, 10, 12, tzinfo=UTC)),  # a date alone: midnight UTC
        ("2000-2-3", datetime(2000, 2, 3, tzinfo=UTC)),  # unpadded month and day: unambiguous
        ("2024-02-29", datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_order_dates_are_read_leniently(raw: str, expected: datetime) -> None:
    assert order_date_of(raw) == expected


@pytest.mark.parametrize("raw", ["2000-2-30", "2023-02-29", "2024-13-01", "2024-04-31T10:00:00"])
def test_an_order_date_that_does_not_exist_is_refused_as_such(raw: str) -> None:
    with pytest.raises(InboundDocumentError) as caught:
        order_date_of(raw)
    assert caught.value.text == (
        "Not Acceptable: /cXML/Request/OrderRequest/OrderRequestHeader/@orderDate: "
        "is not a date that exists (months run from 1 to 12, days to the end of their month)"
    )


@pytest.mark.parametrize(
    "raw", ["27.11.2026", "2026-11-27T25:00:00", "20261127", "2026-11-27 09:30"]
)
def test_an_order_date_in_another_form_is_refused_with_an_example(raw: str) -> None:
    with pytest.raises(InboundDocumentError) as caught:
        order_date_of(raw)
    assert caught.value.text.endswith(
        "/@orderDate: must be an ISO 8601 date, optionally with a time, "
        "such as 2024-05-01T10:00:00+02:00"
    )


def test_a_lines_parts_are_read_in_any_order_the_first_of_a_repeated_one_counting() -> None:
    body = buyer.order_request().replace(
        b'<ItemDetail><UnitPrice><Money currency="EUR">0.77</Money></UnitPrice>'
        b'<Description xml:lang="en-US">Article DEMO-0001</Description>'
        b"<UnitOfMeasure>EA</UnitOfMeasure>",
        b'<ItemDetail><Extrinsic name="Colour">blue</Extrinsic><UnitOfMeasure>EA</UnitOfMeasure>'
        b"<UnitOfMeasure>BX</UnitOfMeasure><ManufacturerName>Acme</ManufacturerName>"
        b'<Description xml:lang="de-DE">Artikel<ShortName>Kurz</ShortName></Description>'
        b'<UnitPrice><Money currency="EUR">0.77</Money></UnitPrice>',
    )
    body = body.replace(b"</ItemDetail>", b"</ItemDetail><Comments>first</Comments>")
    body = body.replace(b"<ItemID>", b"<Comments>second</Comments><ItemID>")
    order = cxml.parse(body).payload
    assert isinstance(order, cxml.OrderRequest)
    (item,) = order.items
    assert item.detail is not None
    assert (item.item_id.supplier_part_id, item.item_id.supplier_part_auxiliary_id) == (
        "DEMO-0001",
        None,
    )
    assert (item.detail.unit_of_measure, item.detail.unit_price.amount) == ("EA", Decimal("0.77"))
    assert (item.detail.description, item.detail.short_name, item.detail.lang) == (
        "Artikel",
        "Kurz",
        "de-DE",
    )
    assert item.detail.manufacturer_name == "Acme"
    assert item.detail.extrinsics == (cxml.Extrinsic(name="Colour", value="blue"),)
    assert item.detail.classifications == (cxml.Classification(domain="UNSPSC", code="44121701"),)
    assert item.comments == "second\nfirst"
