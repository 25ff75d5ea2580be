"""Staff decisions on orders, each queuing its cXML documents in the same transaction.

accept → ConfirmationRequest accept; reject → reject; confirm_lines → detail (changed
quantities, prices or dates, backorders); ship → ShipNoticeRequest (the whole rest of the
order, or some lines and quantities); invoice → InvoiceDetailRequest for what was shipped and
not yet invoiced. For partners set to asynchronous acknowledgement, accept and reject also
queue the StatusUpdateRequest the 201 promised. Orders from the shop (no buyer's system)
go through the same steps; only their documents are not sent anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import ConfirmationType, StatusCode
from gateway.errors import InvalidInput
from gateway.models import (
    BuyerOrder,
    Invoice,
    InvoiceLine,
    LineConfirmation,
    Order,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    PartnerOrderSettings,
    Product,
    Shipment,
    ShipmentLine,
    TradingPartner,
    User,
)
from gateway.services import outbox
from gateway.services.catalog import pricing
from gateway.services.partners.deployment import outbound_mode
from gateway.services.punchout.sessions import PunchOutSettings

DECIDABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.PLACED})
SHIPPABLE = frozenset(
    {
        OrderStatus.RECEIVED,
        OrderStatus.PLACED,
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
    }
)
INVOICEABLE = frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.INVOICED})
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True, kw_only=True)
class LineChange:
    """A line confirmed with another quantity (the rest backordered; 0: all of it), another
    unit price and/or a delivery date."""

    line_number: int
    quantity: Decimal
    delivery_date: datetime | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SupplierParty:
    """Who invoices: the supplier's details as configured (`GATEWAY_SUPPLIER_*`)."""

    name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NL"
    vat_number: str = ""
    coc_number: str = ""  # Chamber of Commerce
    iban: str = ""
    email: str = ""


def accept(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    settings: PunchOutSettings,
    now: datetime,
) -> Order:
    """Confirm the whole order as received."""
    order, link = _order(session, order_id, allowed=DECIDABLE, action="accepted")
    _change_status(order, OrderStatus.CONFIRMED, actor=actor, now=now, note="accepted")
    if link is not None:
        confirmation = cxml.ConfirmationRequest(
            type=ConfirmationType.ACCEPT, notice_date=now, order=_reference(link)
        )
        _queue(session, link=link, payload=confirmation, settings=settings, now=now)
        _status_update(session, link=link, accepted=True, note="", settings=settings, now=now)
    return order


def reject(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    reason: str,
    settings: PunchOutSettings,
    now: datetime,
    allowed: frozenset[OrderStatus] = DECIDABLE,
) -> Order:
    """Refuse the whole order; the reason goes to the buyer. `allowed`: the statuses it may
    be rejected in (`holds` rejects orders on hold, after its policy check)."""
    if not reason.strip():
        raise InvalidInput("Give a reason for the rejection.")
    order, link = _order(session, order_id, allowed=allowed, action="rejected")
    _change_status(order, OrderStatus.REJECTED, actor=actor, now=now, note=reason)
    if link is not None:
        confirmation = cxml.ConfirmationRequest(
            type=ConfirmationType.REJECT,
            notice_date=now,
            order=_reference(link),
            comments=reason,
        )
        _queue(session, link=link, payload=confirmation, settings=settings, now=now)
        _status_update(session, link=link, accepted=False, note=reason, settings=settings, now=now)
    return order


def confirm_lines(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    changes: list[LineChange],
    settings: PunchOutSettings,
    now: datetime,
) -> Order:
    """Confirm with changes: per changed line the accepted quantity (the rest backordered),
    price and date; the other lines are accepted as ordered."""
    order, link = _order(session, order_id, allowed=DECIDABLE, action="confirmed")
    lines = {line.line_number: line for line in order.lines}
    changed: dict[int, LineChange] = {}
    for change in changes:
        line = lines.get(change.line_number)
        if line is None:
            raise InvalidInput(f"Order {order.number} has no line {change.line_number}.")
        if not Decimal(0) <= change.quantity <= line.quantity:
            raise InvalidInput(
                f"Line {change.line_number}: quantity must be 0 ≤ q ≤ {line.quantity}."
            )
        if change.unit_price is not None and change.unit_price < 0:
            raise InvalidInput(f"Line {change.line_number}: the price must not be negative.")
        changed[change.line_number] = change
    if not changed:
        raise InvalidInput("Name at least one changed line.")
    items = []
    for line in order.lines:
        if line.line_number not in changed:
            status = cxml.ConfirmationStatus(
                type="accept", quantity=line.quantity, unit_of_measure=line.unit
            )
            items.append(_confirmation_item(line.line_number, line.quantity, line.unit, status))
            continue
        change = changed[line.line_number]
        price = (
            cxml.Money(amount=change.unit_price, currency=order.currency)
            if change.unit_price is not None
            else None
        )
        statuses = []
        if change.quantity > 0:
            statuses.append(
                cxml.ConfirmationStatus(
                    type="accept",
                    quantity=change.quantity,
                    unit_of_measure=line.unit,
                    delivery_date=change.delivery_date,
                    unit_price=price,
                )
            )
        if change.quantity < line.quantity:
            statuses.append(
                cxml.ConfirmationStatus(
                    type="backordered",
                    quantity=line.quantity - change.quantity,
                    unit_of_measure=line.unit,
                    unit_price=price,
                )
            )
        items.append(_confirmation_item(line.line_number, line.quantity, line.unit, *statuses))
        session.add(
            LineConfirmation(
                order_id=order.id,
                line_number=line.line_number,
                quantity=change.quantity,
                backordered=line.quantity - change.quantity,
                unit_price=change.unit_price,
                delivery_date=change.delivery_date.date() if change.delivery_date else None,
                confirmed_at=now,
            )
        )
    _change_status(
        order, OrderStatus.CONFIRMED, actor=actor, now=now, note="confirmed with changes"
    )
    if link is not None:
        confirmation = cxml.ConfirmationRequest(
            type=ConfirmationType.DETAIL,
            notice_date=now,
            order=_reference(link),
            items=tuple(items),
        )
        _queue(session, link=link, payload=confirmation, settings=settings, now=now)
        _status_update(session, link=link, accepted=True, note="", settings=settings, now=now)
    session.flush()
    return order


def _confirmation_item(
    line_number: int, quantity: Decimal, unit: str, *statuses: cxml.ConfirmationStatus
) -> cxml.ConfirmationItem:
    return cxml.ConfirmationItem(
        line_number=line_number, quantity=quantity, unit_of_measure=unit, statuses=statuses
    )


def ship(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    shipment_id: str | None,
    carrier: str | None,
    tracking_number: str | None,
    settings: PunchOutSettings,
    now: datetime,
    quantities: Mapping[int, Decimal] | None = None,
) -> Order:
    """Record that (part of) the order left the warehouse; queue the ship notice.

    `quantities` (line number → quantity) ships part of the order; None ships everything not
    yet shipped. `shipment_id` None: `<order number>-<n>`.
    """
    if shipment_id is not None and not shipment_id.strip():
        raise InvalidInput("Give a shipment id.")
    order, link = _order(session, order_id, allowed=SHIPPABLE, action="shipped")
    shipped = _shipped(session, order)
    outstanding = {
        line.line_number: line.quantity - shipped.get(line.line_number, Decimal(0))
        for line in order.lines
    }
    if quantities is None:
        wanted = {number: left for number, left in outstanding.items() if left > 0}
    else:
        wanted = {}
        for number, quantity in quantities.items():
            if number not in outstanding:
                raise InvalidInput(f"Order {order.number} has no line {number}.")
            if quantity == 0:
                continue
            if not Decimal(0) < quantity <= outstanding[number]:
                raise InvalidInput(
                    "Line %(number)s: ship more than 0 and at most the %(outstanding)s not yet "
                    "shipped.",
                    number=number,
                    outstanding=outstanding[number],
                )
            wanted[number] = quantity
    if not wanted:
        raise InvalidInput(f"Order {order.number}: nothing left to ship.")
    count = session.scalar(
        select(func.count()).select_from(Shipment).where(Shipment.order_id == order.id)
    )
    shipment_id = shipment_id.strip() if shipment_id else f"{order.number}-{(count or 0) + 1}"
    if session.scalar(
        select(Shipment.id).where(
            Shipment.order_id == order.id, Shipment.shipment_id == shipment_id
        )
    ):
        raise InvalidInput(f"Order {order.number} already has a shipment {shipment_id}.")
    shipment = Shipment(
        order_id=order.id,
        shipment_id=shipment_id,
        carrier=(carrier or "").strip() or None,
        tracking_number=(tracking_number or "").strip() or None,
        shipped_at=now,
        created_by_id=actor.id if actor is not None else None,
        lines=[ShipmentLine(line_number=n, quantity=q) for n, q in sorted(wanted.items())],
    )
    session.add(shipment)
    complete = all(outstanding[n] == wanted.get(n, Decimal(0)) for n in outstanding)
    _change_status(
        order,
        OrderStatus.SHIPPED if complete else OrderStatus.PARTIALLY_SHIPPED,
        actor=actor,
        now=now,
        note=f"shipment {shipment_id}",
    )
    if link is not None:
        lines = {line.line_number: line for line in order.lines}
        notice = cxml.ShipNoticeRequest(
            shipment_id=shipment_id,
            notice_date=now,
            shipment_date=now,
            order=_reference(link),
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            items=tuple(
                cxml.ShipNoticeItem(
                    line_number=number,
                    quantity=quantity,
                    unit_of_measure=lines[number].unit,
                    item_id=cxml.ItemID(
                        supplier_part_id=lines[number].sku,
                        supplier_part_auxiliary_id=lines[number].aux_id,
                    ),
                )
                for number, quantity in sorted(wanted.items())
            ),
        )
        _queue(session, link=link, payload=notice, settings=settings, now=now)
    session.flush()
    return order


def invoice(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    supplier: SupplierParty,
    settings: PunchOutSettings,
    now: datetime,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> Invoice:
    """Invoice what was shipped and not yet invoiced, at the confirmed prices, VAT per rate
    (`line_vat_rates`); a cXML order's buyer gets the InvoiceDetailRequest."""
    order = session.get(Order, order_id)
    if order is not None and order.status not in INVOICEABLE:
        if order.status in SHIPPABLE:
            raise InvalidInput(
                "Order %(number)s is %(status)s: nothing has been shipped, so there is nothing "
                "to invoice yet.",
                number=order.number,
                status=order.status,
            )
        raise InvalidInput(
            "Order %(number)s is %(status)s; it cannot be invoiced.",
            number=order.number,
            status=order.status,
        )
    order, link = _order(session, order_id, allowed=INVOICEABLE, action="invoiced")
    shipped = _shipped(session, order)
    invoiced = _invoiced(session, order)
    prices = {
        confirmation.line_number: confirmation.unit_price
        for confirmation in session.scalars(
            select(LineConfirmation).where(LineConfirmation.order_id == order.id)
        )
    }
    rates = line_vat_rates(session, order, vat_rates)
    lines = []
    for line in order.lines:
        quantity = shipped.get(line.line_number, Decimal(0)) - invoiced.get(
            line.line_number, Decimal(0)
        )
        if quantity <= 0:
            continue
        price = prices.get(line.line_number) or line.unit_price
        lines.append(
            InvoiceLine(
                line_number=line.line_number,
                sku=line.sku,
                description=line.description,
                unit=line.unit,
                quantity=quantity,
                unit_price=price,
                net_amount=(quantity * price).quantize(_CENT, ROUND_HALF_UP),
                vat_rate=rates[line.line_number],
            )
        )
    if not lines:
        raise InvalidInput(f"Order {order.number}: everything shipped has been invoiced.")
    vat = vat_per_rate((line.vat_rate, line.net_amount) for line in lines)
    net_total = sum((line.net_amount for line in lines), Decimal(0))
    tax_total = sum((Decimal(rate["vat"]) for rate in vat), Decimal(0))
    year_start = datetime(now.year, 1, 1, tzinfo=now.tzinfo)
    count = session.scalar(
        select(func.count()).select_from(Invoice).where(Invoice.invoiced_at >= year_start)
    )
    record = Invoice(
        order_id=order.id,
        number=f"INV-{now.year}-{(count or 0) + 1:05d}",
        invoiced_at=now,
        currency=order.currency,
        net_total=net_total,
        tax_total=tax_total,
        vat_breakdown=vat,
        created_by_id=actor.id if actor is not None else None,
        lines=lines,
    )
    session.add(record)
    fully = all(
        shipped.get(line.line_number, Decimal(0)) == line.quantity
        and invoiced.get(line.line_number, Decimal(0)) + _sum_for(lines, line.line_number)
        == line.quantity
        for line in order.lines
    )
    if fully:
        _change_status(order, OrderStatus.INVOICED, actor=actor, now=now, note=record.number)
    else:
        order.history.append(
            OrderStatusChange(
                status=order.status,
                changed_at=now,
                changed_by_id=actor.id if actor is not None else None,
                note=f"invoice {record.number}",
            )
        )
    if link is not None:
        _queue(
            session,
            link=link,
            payload=_invoice_document(order, link, record, supplier, now),
            settings=settings,
            now=now,
        )
    session.flush()
    return record


def line_vat_rates(
    session: Session, order: Order, vat_rates: Mapping[str, Decimal]
) -> dict[int, Decimal]:
    """Per line number, the VAT rate to charge: the rate the shop priced the line with, or for
    an order from a buyer's system (which carries no rates per line) its product's VAT class."""
    if order.source == OrderSource.SHOP:
        return {line.line_number: line.vat_rate for line in order.lines}
    rows = session.execute(
        select(Product.id, Product.vat_class).where(
            Product.id.in_([line.product_id for line in order.lines if line.product_id])
        )
    )
    classes = {row.id: row.vat_class for row in rows}
    return {
        line.line_number: pricing.vat_rate(classes[line.product_id], vat_rates)
        if line.product_id in classes
        else line.vat_rate
        for line in order.lines
    }


def vat_per_rate(amounts: Iterable[tuple[Decimal, Decimal]]) -> list[dict[str, str]]:
    """[(rate, net amount)] → one entry per rate: `rate`, `base`, `vat` (cents, half up)."""
    bases: dict[Decimal, Decimal] = {}
    for rate, amount in amounts:
        bases[rate] = bases.get(rate, Decimal(0)) + amount
    return [
        {
            "rate": str(rate.normalize()),
            "base": str(base.quantize(_CENT)),
            "vat": str((base * rate / 100).quantize(_CENT, ROUND_HALF_UP)),
        }
        for rate, base in sorted(bases.items())
    ]


def _sum_for(lines: list[InvoiceLine], line_number: int) -> Decimal:
    return sum((line.quantity for line in lines if line.line_number == line_number), Decimal(0))


def _shipped(session: Session, order: Order) -> dict[int, Decimal]:
    """Per order line number, the quantity shipped so far."""
    shipped: dict[int, Decimal] = {}
    for shipment_line in session.scalars(
        select(ShipmentLine)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(Shipment.order_id == order.id)
    ):
        number = shipment_line.line_number
        shipped[number] = shipped.get(number, Decimal(0)) + shipment_line.quantity
    return shipped


def _invoiced(session: Session, order: Order) -> dict[int, Decimal]:
    """Per order line number, the quantity invoiced so far."""
    invoiced: dict[int, Decimal] = {}
    for invoice_line in session.scalars(
        select(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.order_id == order.id)
    ):
        number = invoice_line.line_number
        invoiced[number] = invoiced.get(number, Decimal(0)) + invoice_line.quantity
    return invoiced


def _invoice_document(
    order: Order, link: BuyerOrder, record: Invoice, supplier: SupplierParty, now: datetime
) -> cxml.InvoiceDetailRequest:
    def money(amount: Decimal) -> cxml.Money:
        return cxml.Money(amount=amount, currency=record.currency)

    supplier_address = cxml.Address(
        streets=(supplier.street,) if supplier.street else (),
        city=supplier.city or None,
        postal_code=supplier.postcode or None,
        country_code=supplier.country or None,
    )
    parties = [cxml.InvoiceParty(role="from", name=supplier.name, address=supplier_address)]
    bill_to = order.bill_to or {}
    if bill_to.get("name"):
        parties.append(
            cxml.InvoiceParty(
                role="billTo",
                name=bill_to["name"],
                address=cxml.Address(
                    streets=(bill_to["street"],) if bill_to.get("street") else (),
                    city=bill_to.get("city") or None,
                    postal_code=bill_to.get("postcode") or None,
                    country_code=bill_to.get("country") or None,
                ),
            )
        )
    return cxml.InvoiceDetailRequest(
        invoice_id=record.number,
        invoice_date=now,
        order=_reference(link),
        parties=tuple(parties),
        lines=tuple(
            cxml.InvoiceLine(
                invoice_line_number=index,
                line_number=line.line_number,
                quantity=line.quantity,
                unit_of_measure=line.unit,
                unit_price=money(line.unit_price),
                subtotal=money(line.net_amount),
                item_id=cxml.ItemID(supplier_part_id=line.sku),
                description=line.description,
            )
            for index, line in enumerate(record.lines, start=1)
        ),
        subtotal=money(record.net_total),
        tax=money(record.tax_total),
        tax_lines=tuple(
            cxml.TaxLine(
                rate=Decimal(rate["rate"]),
                taxable=money(Decimal(rate["base"])),
                tax=money(Decimal(rate["vat"])),
            )
            for rate in record.vat_breakdown
        ),
        net=money(record.net_total + record.tax_total),
    )


def _order(
    session: Session, order_id: int, *, allowed: frozenset[OrderStatus], action: str
) -> tuple[Order, BuyerOrder | None]:
    """The order and, for one from a buyer's system, its cXML side (None: a shop order)."""
    order = session.get(Order, order_id)
    if order is None:
        raise InvalidInput(f"No order with id {order_id}.")
    if order.status not in allowed:
        raise InvalidInput(f"Order {order.number} is {order.status}; it cannot be {action}.")
    link = session.scalar(select(BuyerOrder).where(BuyerOrder.order_id == order_id))
    return order, link


def _change_status(
    order: Order, status: OrderStatus, *, actor: User | None, now: datetime, note: str
) -> None:
    order.status = status
    order.history.append(
        OrderStatusChange(
            status=status,
            changed_at=now,
            changed_by_id=actor.id if actor is not None else None,
            note=note,
        )
    )


def _reference(link: BuyerOrder) -> cxml.OrderReference:
    return cxml.OrderReference(
        order_id=link.buyer_order_id, payload_id=link.payload_id, order_date=link.order_date
    )


def _status_update(
    session: Session,
    *,
    link: BuyerOrder,
    accepted: bool,
    note: str,
    settings: PunchOutSettings,
    now: datetime,
) -> None:
    asynchronous = session.scalar(
        select(PartnerOrderSettings.async_acknowledgement).where(
            PartnerOrderSettings.partner_id == link.partner_id
        )
    )
    if not asynchronous:
        return
    code = StatusCode.OK if accepted else StatusCode.BAD_REQUEST
    text = code.phrase if accepted else f"{code.phrase}: order rejected: {note}"
    update = cxml.StatusUpdateRequest(
        document_reference=link.payload_id, status=cxml.Status(code=code, text=text)
    )
    _queue(session, link=link, payload=update, settings=settings, now=now)


def _queue(
    session: Session,
    *,
    link: BuyerOrder,
    payload: cxml.Payload,
    settings: PunchOutSettings,
    now: datetime,
) -> None:
    partner = session.get_one(TradingPartner, link.partner_id)
    ours = cxml.Credential(domain=settings.supplier_domain, identity=settings.supplier_identity)
    theirs = tuple(
        cxml.Credential(domain=identity.domain, identity=identity.identity)
        for identity in partner.identities
    )
    header = cxml.Header(
        from_credentials=(ours,),
        to_credentials=theirs or (ours,),
        sender_credentials=(
            cxml.Credential(
                domain=settings.supplier_domain,
                identity=settings.supplier_identity,
                shared_secret=outbox.SECRET_MARKER,
            ),
        ),
        user_agent=settings.user_agent,
    )
    payload_id = cxml.make_payload_id(settings.hostname)
    body = cxml.build(
        payload,
        payload_id=payload_id,
        timestamp=now,
        header=header,
        dtd_dir=settings.dtd_dir,
        deployment_mode=outbound_mode(link.order.deployment_mode),  # a test order's, in test
    )
    if settings.signing_key and settings.signing_certificate:  # the Header stays unsigned
        body = cxml.signing.sign(
            body, key_pem=settings.signing_key, certificate_pem=settings.signing_certificate
        )
    outbox.enqueue(
        session,
        partner_id=partner.id,
        order_id=link.order_id,
        document_type=type(payload).__name__,
        payload_id=payload_id,
        body=body,
        now=now,
    )
