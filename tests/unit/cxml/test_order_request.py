"""OrderRequest: parse refusals name the field; build round-trips and validates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway import cxml
from gateway.cxml import InboundDocumentError, StatusCode
from tests import buyer
from tests.paths import cxml_dtd_dir


def test_built_order_request_is_dtd_valid_and_parses_back() -> None:
    body = buyer.order_request(
        request_type=cxml.OrderRequestType.UPDATE, reference="po-1@buyer.example", version=2
    )
    cxml.dtd.validate(body, cxml_dtd_dir())
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
    cxml.dtd.validate(body, cxml_dtd_dir())
    header = cxml.parse(body).header
    assert header is not None
    assert header.sender_credentials == (sender,)
    assert b"<SharedSecret>" not in body
