"""Outbound fulfilment documents validate against the official DTDs (Fulfill.dtd, cXML.dtd)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway import cxml
from gateway.cxml import ConfirmationType, OutboundDocumentError, StatusCode
from tests.cxml_checks import assert_valid_cxml
from tests.paths import official_dtd_dir
from tests.unit.cxml.samples import SUPPLIER_HEADER

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ORDER = cxml.OrderReference(order_id="PO-1001", payload_id="po-1@buyer.example", order_date=NOW)
SHIPPED = cxml.ShipNoticeItem(
    line_number=1,
    quantity=Decimal(2),
    unit_of_measure="EA",
    item_id=cxml.ItemID(supplier_part_id="DEMO-0001", supplier_part_auxiliary_id="aux-1"),
)
DETAIL = cxml.ConfirmationItem(
    line_number=1,
    quantity=Decimal(5),
    unit_of_measure="EA",
    statuses=(
        cxml.ConfirmationStatus(
            type="accept", quantity=Decimal(3), unit_of_measure="EA", delivery_date=NOW
        ),
        cxml.ConfirmationStatus(
            type="backordered",
            quantity=Decimal(2),
            unit_of_measure="EA",
            unit_price=cxml.Money(amount=Decimal("0.80"), currency="EUR"),
            comments="more next week",
        ),
    ),
)

DOCUMENTS = {
    "accept": cxml.ConfirmationRequest(type=ConfirmationType.ACCEPT, notice_date=NOW, order=ORDER),
    "reject": cxml.ConfirmationRequest(
        type=ConfirmationType.REJECT, notice_date=NOW, order=ORDER, comments="out of stock"
    ),
    "detail": cxml.ConfirmationRequest(
        type=ConfirmationType.DETAIL, notice_date=NOW, order=ORDER, confirm_id="C1", items=(DETAIL,)
    ),
    "ship-notice": cxml.ShipNoticeRequest(
        shipment_id="S-1",
        notice_date=NOW,
        shipment_date=NOW,
        order=ORDER,
        items=(SHIPPED,),
        carrier="DHL",
        tracking_number="JD0001",
    ),
    "status-update": cxml.StatusUpdateRequest(
        document_reference="po-1@buyer.example",
        status=cxml.Status(code=StatusCode.OK, text="OK"),
    ),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_outbound_documents_are_dtd_valid(name: str) -> None:
    document = DOCUMENTS[name]
    body = cxml.build(
        document,
        payload_id="x@gw",
        timestamp=NOW,
        header=SUPPLIER_HEADER,
        dtd_dir=official_dtd_dir(),
    )
    module = "cXML.dtd" if name == "status-update" else "Fulfill.dtd"
    assert f'/{module}">'.encode() in body
    assert_valid_cxml(body, module)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        (
            cxml.ConfirmationRequest(type=ConfirmationType.DETAIL, notice_date=NOW, order=ORDER),
            "at least one ConfirmationItem",
        ),
        (
            cxml.ShipNoticeRequest(shipment_id="S", notice_date=NOW, order=ORDER, items=()),
            "at least one ShipNoticeItem",
        ),
    ],
)
def test_incomplete_documents_are_never_built(document: cxml.Payload, words: str) -> None:
    with pytest.raises(OutboundDocumentError, match=words):
        cxml.build(document, payload_id="x@gw", timestamp=NOW, header=SUPPLIER_HEADER)
