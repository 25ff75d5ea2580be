"""Demo purchase orders for the order desk: cXML orders of customer 1001 in every state.

Each is received through the real intake (`receive_order`: the buyer's PO, its lines, the
price check that holds one of them), then moved on as staff would have: confirmed, shipped
with a carrier and tracking number, invoiced. No documents are queued for them (the demo
partner has nowhere to send them to). Idempotent: an order already there is left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.models import (
    BuyerOrder,
    Invoice,
    InvoiceLine,
    Order,
    OrderStatus,
    OrderStatusChange,
    Shipment,
    ShipmentLine,
    TradingPartner,
)
from gateway.services.catalog.pricing import DEFAULT_VAT_RATES
from gateway.services.ordering import documents, intake

PARTNER = "demo-cxml"
#: (the buyer's PO number, the state it ends in, unit price sent: 0.01 is held for its price)
DEMO_ORDERS = (
    ("PO-DEMO-RECEIVED", OrderStatus.RECEIVED, "0.77"),
    ("PO-DEMO-ON-HOLD", OrderStatus.ON_HOLD, "0.01"),
    ("PO-DEMO-CONFIRMED", OrderStatus.CONFIRMED, "0.77"),
    ("PO-DEMO-SHIPPED", OrderStatus.SHIPPED, "0.77"),
    ("PO-DEMO-INVOICED", OrderStatus.INVOICED, "0.77"),
)
_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def seed_orders(session: Session) -> list[str]:
    """Create the demo orders that are missing; return the buyers' PO numbers."""
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == PARTNER))
    if partner is None:
        return []
    for index, (po_number, state, price) in enumerate(DEMO_ORDERS):
        exists = session.scalar(
            select(BuyerOrder.id).where(
                BuyerOrder.partner_id == partner.id, BuyerOrder.buyer_order_id == po_number
            )
        )
        if exists is None:
            placed = _START + timedelta(days=index)
            order = _receive(session, partner, po_number, price, placed)
            _advance(session, order, state, placed + timedelta(hours=2))
    session.flush()
    return [po_number for po_number, _state, _price in DEMO_ORDERS]


def _receive(
    session: Session, partner: TradingPartner, po_number: str, price: str, now: datetime
) -> Order:
    identity = partner.identities[0]
    credential = cxml.Credential(domain=identity.domain, identity=identity.identity)
    address = cxml.Address(
        address_id="HQ",
        name="Acme Municipality",
        streets=("Main Street 1",),
        city="Amsterdam",
        postal_code="1011 AA",
        country_code="NL",
    )
    items = tuple(
        cxml.ItemOut(
            quantity=Decimal(quantity),
            line_number=number,
            item_id=cxml.ItemID(supplier_part_id="DEMO-0001"),
            detail=cxml.ItemDetail(
                unit_price=cxml.Money(amount=Decimal(price), currency="EUR"),
                description="Article DEMO-0001",
                unit_of_measure="EA",
                classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
            ),
        )
        for number, quantity in ((1, "4"), (2, "6"))
    )
    request = cxml.OrderRequest(
        order_id=po_number,
        order_date=now,
        type=cxml.OrderRequestType.NEW,
        total=cxml.Money(amount=Decimal(price) * 10, currency="EUR"),
        items=items,
        ship_to=address,
        bill_to=address,
        comments="Demo order for the order desk",
    )
    payload_id = f"{po_number.lower()}@demo.buyer"
    header = cxml.Header(
        from_credentials=(credential,),
        to_credentials=(credential,),
        sender_credentials=(credential,),
        user_agent="demo buyer",
    )
    body = cxml.build(request, payload_id=payload_id, timestamp=now, header=header)
    document = cxml.CXMLDocument(
        payload_id=payload_id, timestamp=now, header=header, payload=request
    )
    result = intake.receive_order(session, document=document, body=body, partner=partner, now=now)
    return session.get_one(Order, result.order_id)


def _advance(session: Session, order: Order, state: OrderStatus, now: datetime) -> None:
    steps = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.INVOICED)
    if state not in steps:
        return
    _step(order, OrderStatus.CONFIRMED, now, "accepted")
    if state == OrderStatus.CONFIRMED:
        return
    shipment = Shipment(
        order_id=order.id,
        shipment_id=f"{order.number}-1",
        carrier="PostNL",
        tracking_number=f"3SDEMO{order.id:06d}",
        shipped_at=now + timedelta(days=1),
        lines=[
            ShipmentLine(line_number=line.line_number, quantity=line.quantity)
            for line in order.lines
        ],
    )
    session.add(shipment)
    _step(order, OrderStatus.SHIPPED, shipment.shipped_at, f"shipment {shipment.shipment_id}")
    if state == OrderStatus.SHIPPED:
        return
    rates = documents.line_vat_rates(session, order, DEFAULT_VAT_RATES)
    lines = [
        InvoiceLine(
            line_number=line.line_number,
            sku=line.sku,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_amount=line.net_amount,
            vat_rate=rates[line.line_number],
        )
        for line in order.lines
    ]
    vat = documents.vat_per_rate((line.vat_rate, line.net_amount) for line in lines)
    invoiced_at = now + timedelta(days=2)
    invoice = Invoice(
        order_id=order.id,
        number=f"INV-DEMO-{order.id:05d}",
        invoiced_at=invoiced_at,
        currency=order.currency,
        net_total=sum((line.net_amount for line in lines), Decimal(0)),
        tax_total=sum((Decimal(rate["vat"]) for rate in vat), Decimal(0)),
        vat_breakdown=vat,
        lines=lines,
    )
    session.add(invoice)
    _step(order, OrderStatus.INVOICED, invoiced_at, invoice.number)


def _step(order: Order, status: OrderStatus, at: datetime, note: str) -> None:
    order.status = status
    order.history.append(OrderStatusChange(status=status, changed_at=at, note=note))
