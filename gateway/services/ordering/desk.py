"""The order desk: staff find, inspect and process every order they may see.

Customer service and admins see every customer's orders; a sales agent those of the customers
assigned to them (`staff:order:read` with the reach of `auth.policy`). Confirming, shipping
and invoicing need `staff:order:fulfil`, releasing and rejecting `staff:order:decide`. Each
action goes through the same services as the CLI (`documents`, `holds`), is audited, and is
refused with a message naming the order's state when that state does not allow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, require
from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    ApprovalDecision,
    Invoice,
    LineConfirmation,
    MessageDirection,
    MessageLogEntry,
    Order,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    Organisation,
    OutboxMessage,
    ReceivedDocument,
    Shipment,
    User,
)
from gateway.services import audit
from gateway.services.ordering import documents, holds
from gateway.services.ordering.price_check import Problem, problems_of
from gateway.services.punchout.sessions import PunchOutSettings

PER_PAGE = 50
MAX_EXPORT = 10_000
MAX_QUERY = 100


class Source:
    """Where an order came from, as the desk tells them apart (`DeskFilter.source`)."""

    SHOP = "shop"
    CXML = "cxml"
    OCI = "oci"
    GUEST = "guest"
    STAFF = "staff"  # placed in the shop by staff on the customer's behalf

    ALL = (SHOP, CXML, OCI, GUEST, STAFF)


class Action:
    """What staff may do with an order (`DeskView.actions`); each a form on the order page."""

    CONFIRM = "confirm"
    SHIP = "ship"
    INVOICE = "invoice"
    RELEASE = "release"
    REJECT = "reject"


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskFilter:
    """The list's filters; empty values filter nothing."""

    status: str = ""
    customer: str = ""  # a customer number
    source: str = ""  # a `Source`
    deployment_mode: str = ""
    date_from: date | None = None  # placed on or after (in the configured time zone)
    date_to: date | None = None  # placed on or before
    q: str = ""  # part of our order number or of the buyer's PO number


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskRow:
    """One order in the list, with its customer and source."""

    order: Order
    customer_number: str
    customer_name: str
    source: str

    @property
    def total(self) -> Decimal:
        """Everything the customer pays: net, VAT and shipping."""
        return self.order.net_total + self.order.tax_total + self.order.shipping_total


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskPage:
    """One page of the list."""

    rows: list[DeskRow]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TrailEntry:
    """One document of an order's trail: received from or sent to the buyer's system."""

    direction: str  # a MessageDirection
    document_type: str
    payload_id: str
    status: str  # the Status code answered (inbound) or the outbox state (outbound)
    at: datetime
    message_id: int | None  # its entry in the message log, when there is one
    attempts: int = 0
    last_error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LineState:
    """One order line with what has been confirmed, shipped and invoiced of it."""

    line_number: int
    sku: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    confirmation: LineConfirmation | None
    shipped: Decimal
    invoiced: Decimal

    @property
    def outstanding(self) -> Decimal:
        """Not yet shipped."""
        return self.quantity - self.shipped


@dataclass(frozen=True, slots=True, kw_only=True)
class DeskView:
    """Everything the order page shows."""

    order: Order
    customer: Organisation
    source: str
    lines: list[LineState]
    shipments: list[Shipment]
    invoices: list[Invoice]
    trail: list[TrailEntry]
    decisions: list[ApprovalDecision]
    problems: list[Problem]
    actions: frozenset[str]
    placed_by: User | None
    ordered_for: User | None


def source_of(order: Order) -> str:
    """The desk's `Source` of an order."""
    if order.source != OrderSource.SHOP:
        return str(order.source)
    if order.guest_email is not None:
        return Source.GUEST
    if order.placed_by_id is not None and order.placed_by_id != order.user_id:
        return Source.STAFF
    return Source.SHOP


def list_orders(
    session: Session, *, actor: Actor, where: DeskFilter, zone: str, page: int = 1
) -> DeskPage:
    """One page of the orders the actor may see, newest first."""
    require(actor, Permission.STAFF_ORDER_READ)
    statement = _filtered(actor, where, zone)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    rows = session.execute(
        statement.order_by(Order.placed_at.desc(), Order.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return DeskPage(
        rows=[_row(order, number, name) for order, number, name in rows],
        page=page,
        pages=pages,
        total=total,
    )


def export_orders(session: Session, *, actor: Actor, where: DeskFilter, zone: str) -> list[DeskRow]:
    """Every filtered order (at most `MAX_EXPORT`), newest first, for the CSV and XLSX files."""
    require(actor, Permission.STAFF_ORDER_READ)
    rows = session.execute(
        _filtered(actor, where, zone)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(MAX_EXPORT)
    ).all()
    return [_row(order, number, name) for order, number, name in rows]


def changed_orders(
    session: Session,
    *,
    actor: Actor,
    where: DeskFilter,
    zone: str,
    since: datetime | None,
    after_id: int,
    limit: int,
) -> list[tuple[DeskRow, datetime]]:
    """The filtered orders placed or changed at or after `since`, oldest first, after the order
    with id `after_id` (a feed for the API), each with when it last changed."""
    require(actor, Permission.STAFF_ORDER_READ)
    changes = (
        select(
            OrderStatusChange.order_id, func.max(OrderStatusChange.changed_at).label("changed_at")
        )
        .group_by(OrderStatusChange.order_id)
        .subquery()
    )
    statement = (
        _filtered(actor, where, zone)
        .add_columns(changes.c.changed_at)
        .outerjoin(changes, changes.c.order_id == Order.id)
        .where(Order.id > after_id)
    )
    if since is not None:
        statement = statement.where(or_(Order.placed_at >= since, changes.c.changed_at >= since))
    rows = session.execute(statement.order_by(Order.id).limit(limit)).all()
    return [
        (_row(order, number, name), max(order.placed_at, changed or order.placed_at))
        for order, number, name, changed in rows
    ]


def _row(order: Order, number: str, name: str) -> DeskRow:
    return DeskRow(order=order, customer_number=number, customer_name=name, source=source_of(order))


def _filtered(actor: Actor, where: DeskFilter, zone: str) -> Select[Order, str, str]:
    statement = select(Order, Organisation.number, Organisation.name).join(
        Organisation, Organisation.id == Order.organisation_id
    )
    if Permission.STAFF_CUSTOMER_READ_ALL not in actor.permissions:
        statement = statement.where(Order.organisation_id.in_(sorted(actor.assigned)))
    if where.status:
        statement = statement.where(Order.status == where.status)
    if where.customer:
        statement = statement.where(Organisation.number == where.customer.strip()[:32])
    if where.source:
        statement = statement.where(_source_clause(where.source))
    if where.deployment_mode:
        statement = statement.where(Order.deployment_mode == where.deployment_mode)
    tz = ZoneInfo(zone)
    if where.date_from is not None:
        statement = statement.where(
            Order.placed_at >= datetime.combine(where.date_from, time(), tzinfo=tz)
        )
    if where.date_to is not None:
        end = datetime.combine(where.date_to + timedelta(days=1), time(), tzinfo=tz)
        statement = statement.where(Order.placed_at < end)
    query = where.q.strip().lower()[:MAX_QUERY]
    if query:
        statement = statement.where(
            or_(
                func.lower(Order.number).contains(query, autoescape=True),
                func.lower(Order.buyer_reference).contains(query, autoescape=True),
            )
        )
    return statement


def _source_clause(source: str) -> ColumnElement[bool]:
    shop = Order.source == OrderSource.SHOP
    by_staff = and_(Order.placed_by_id.is_not(None), Order.placed_by_id != Order.user_id)
    match source:
        case Source.GUEST:
            return and_(shop, Order.guest_email.is_not(None))
        case Source.STAFF:
            return and_(shop, Order.guest_email.is_(None), by_staff)
        case Source.SHOP:
            return and_(
                shop,
                Order.guest_email.is_(None),
                or_(Order.placed_by_id.is_(None), Order.placed_by_id == Order.user_id),
            )
        case Source.CXML | Source.OCI:
            return Order.source == source
    raise InvalidInput(f"Unknown source {source[:20]!r}: one of {', '.join(Source.ALL)}.")


def find(session: Session, *, actor: Actor, number: str) -> Order:
    """The order numbered `number` among those the actor may see; else NotFound."""
    require(actor, Permission.STAFF_ORDER_READ)
    found = list(session.scalars(select(Order).where(Order.number == number[:32]).limit(2)))
    if len(found) != 1:
        raise NotFound("No such order.")
    order = found[0]
    require(
        actor, Permission.STAFF_ORDER_READ, session.get_one(Organisation, order.organisation_id)
    )
    return order


def view(session: Session, *, actor: Actor, order: Order) -> DeskView:
    """The order page: lines with what was confirmed, shipped and invoiced, the documents, the
    approvals, and the actions the actor may take in the order's state."""
    customer = session.get_one(Organisation, order.organisation_id)
    shipments = list(
        session.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))
    )
    invoices = list(
        session.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id))
    )
    confirmations = {
        confirmation.line_number: confirmation
        for confirmation in session.scalars(
            select(LineConfirmation).where(LineConfirmation.order_id == order.id)
        )
    }
    shipped = _totals((line.line_number, line.quantity) for s in shipments for line in s.lines)
    invoiced = _totals((line.line_number, line.quantity) for i in invoices for line in i.lines)
    lines = [
        LineState(
            line_number=line.line_number,
            sku=line.sku,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_amount=line.net_amount,
            vat_rate=line.vat_rate,
            confirmation=confirmations.get(line.line_number),
            shipped=shipped.get(line.line_number, Decimal(0)),
            invoiced=invoiced.get(line.line_number, Decimal(0)),
        )
        for line in order.lines
    ]
    decisions = list(
        session.scalars(
            select(ApprovalDecision)
            .where(ApprovalDecision.order_id == order.id)
            .order_by(ApprovalDecision.id)
        )
    )
    return DeskView(
        order=order,
        customer=customer,
        source=source_of(order),
        lines=lines,
        shipments=shipments,
        invoices=invoices,
        trail=trail(session, order=order),
        decisions=decisions,
        problems=problems_of(session, (order.id,)).get(order.id, []),
        actions=_actions(actor, order, customer, lines),
        placed_by=session.get(User, order.placed_by_id) if order.placed_by_id else None,
        ordered_for=session.get(User, order.user_id) if order.user_id else None,
    )


def _totals(pairs: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    totals: dict[int, Decimal] = {}
    for number, quantity in pairs:
        totals[number] = totals.get(number, Decimal(0)) + quantity
    return totals


def _actions(
    actor: Actor, order: Order, customer: Organisation, lines: list[LineState]
) -> frozenset[str]:
    actions = set()
    if can(actor, Permission.STAFF_ORDER_FULFIL, customer):
        if order.status in documents.DECIDABLE:
            actions.add(Action.CONFIRM)
        if order.status in documents.SHIPPABLE and any(line.outstanding > 0 for line in lines):
            actions.add(Action.SHIP)
        if order.status in documents.INVOICEABLE and any(
            line.shipped > line.invoiced for line in lines
        ):
            actions.add(Action.INVOICE)
    if can(actor, Permission.STAFF_ORDER_DECIDE, customer):
        if order.status in holds.HELD:
            actions.add(Action.RELEASE)
        if order.status in holds.HELD | documents.DECIDABLE:
            actions.add(Action.REJECT)
    return frozenset(actions)


def trail(session: Session, *, order: Order) -> list[TrailEntry]:
    """Every document received for the order and every one queued for it, oldest first."""
    entries: list[TrailEntry] = []
    for received in session.scalars(
        select(ReceivedDocument).where(ReceivedDocument.order_id == order.id)
    ):
        entries.append(
            TrailEntry(
                direction=MessageDirection.IN,
                document_type=received.document_type,
                payload_id=received.payload_id,
                status=str(received.status_code or ""),
                at=received.received_at,
                message_id=_logged(
                    session, MessageDirection.IN, received.partner_id, received.payload_id
                ),
            )
        )
    for message in session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.order_id == order.id, OutboxMessage.partner_id.is_not(None))
        .order_by(OutboxMessage.id)
    ):
        entries.append(
            TrailEntry(
                direction=MessageDirection.OUT,
                document_type=message.document_type,
                payload_id=message.payload_id,
                status=message.status,
                at=message.created_at,
                message_id=_logged(
                    session, MessageDirection.OUT, message.partner_id, message.payload_id
                ),
                attempts=message.attempts,
                last_error=message.last_error,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _logged(
    session: Session, direction: str, partner_id: int | None, payload_id: str
) -> int | None:
    return session.scalar(
        select(MessageLogEntry.id)
        .where(
            MessageLogEntry.direction == direction,
            MessageLogEntry.partner_id == partner_id,
            MessageLogEntry.payload_id == payload_id,
        )
        .order_by(MessageLogEntry.id.desc())
        .limit(1)
    )


def confirm(
    session: Session,
    *,
    actor: Actor,
    number: str,
    changes: list[documents.LineChange],
    settings: PunchOutSettings,
    now: datetime,
    client: audit.Client | None = None,
) -> Order:
    """Accept the order as it is (no changes), or with changed lines (a detail confirmation)."""
    order = _for(session, actor, number, Permission.STAFF_ORDER_FULFIL)
    if order.status not in documents.DECIDABLE:
        raise InvalidInput(f"Order {order.number} is {order.status}; it cannot be confirmed.")
    user = session.get_one(User, actor.user_id)
    if changes:
        documents.confirm_lines(
            session, actor=user, order_id=order.id, changes=changes, settings=settings, now=now
        )
    else:
        documents.accept(session, actor=user, order_id=order.id, settings=settings, now=now)
    note = "; ".join(_describe(change) for change in changes)
    audit.record_order_action(
        session, actor=actor, order=order, action="order.confirm", now=now, client=client, note=note
    )
    return order


def _describe(change: documents.LineChange) -> str:
    parts = [f"line {change.line_number}: quantity {change.quantity}"]
    if change.unit_price is not None:
        parts.append(f"price {change.unit_price}")
    if change.delivery_date is not None:
        parts.append(f"delivery {change.delivery_date.date().isoformat()}")
    return ", ".join(parts)


def ship(
    session: Session,
    *,
    actor: Actor,
    number: str,
    carrier: str,
    tracking_number: str,
    quantities: Mapping[int, Decimal] | None,
    settings: PunchOutSettings,
    now: datetime,
    client: audit.Client | None = None,
) -> Order:
    """Ship the rest of the order, or the given quantities per line (a partial shipment)."""
    order = _for(session, actor, number, Permission.STAFF_ORDER_FULFIL)
    if not carrier.strip() or not tracking_number.strip():
        raise InvalidInput("Give the carrier and the tracking number.")
    documents.ship(
        session,
        actor=session.get_one(User, actor.user_id),
        order_id=order.id,
        shipment_id=None,
        carrier=carrier[:100],
        tracking_number=tracking_number[:100],
        quantities=quantities,
        settings=settings,
        now=now,
    )
    note = f"{carrier.strip()} {tracking_number.strip()}"
    audit.record_order_action(
        session, actor=actor, order=order, action="order.ship", now=now, client=client, note=note
    )
    return order


def invoice(
    session: Session,
    *,
    actor: Actor,
    number: str,
    supplier: documents.SupplierParty,
    settings: PunchOutSettings,
    vat_rates: Mapping[str, Decimal],
    now: datetime,
    client: audit.Client | None = None,
) -> Invoice:
    """Invoice what was shipped and not yet invoiced."""
    order = _for(session, actor, number, Permission.STAFF_ORDER_FULFIL)
    record = documents.invoice(
        session,
        actor=session.get_one(User, actor.user_id),
        order_id=order.id,
        supplier=supplier,
        settings=settings,
        now=now,
        vat_rates=vat_rates,
    )
    audit.record_order_action(
        session,
        actor=actor,
        order=order,
        action="order.invoice",
        now=now,
        client=client,
        note=record.number,
    )
    return record


def release(
    session: Session, *, actor: Actor, number: str, now: datetime, client: audit.Client | None
) -> Order:
    """Release an order on hold (it becomes a received order)."""
    order = _for(session, actor, number, Permission.STAFF_ORDER_DECIDE)
    return holds.release(session, actor=actor, reference=str(order.id), now=now, client=client)


def reject(
    session: Session,
    *,
    actor: Actor,
    number: str,
    reason: str,
    settings: PunchOutSettings,
    now: datetime,
    client: audit.Client | None = None,
) -> Order:
    """Reject an order on hold, or one not yet confirmed; the reason goes to the buyer."""
    order = _for(session, actor, number, Permission.STAFF_ORDER_DECIDE)
    if order.status in holds.HELD:
        return holds.reject(
            session,
            actor=actor,
            reference=str(order.id),
            reason=reason,
            settings=settings,
            now=now,
            client=client,
        )
    if order.status not in documents.DECIDABLE:
        raise InvalidInput(f"Order {order.number} is {order.status}; it cannot be rejected.")
    documents.reject(
        session,
        actor=session.get_one(User, actor.user_id),
        order_id=order.id,
        reason=reason,
        settings=settings,
        now=now,
    )
    audit.record_order_action(
        session,
        actor=actor,
        order=order,
        action="order.reject",
        now=now,
        client=client,
        note=reason,
    )
    return order


def _for(session: Session, actor: Actor, number: str, permission: Permission) -> Order:
    order = find(session, actor=actor, number=number)
    require(actor, permission, session.get_one(Organisation, order.organisation_id))
    return order


def is_status(value: str) -> bool:
    """True for one of the order statuses (the list's status filter)."""
    return value in {status.value for status in OrderStatus}
