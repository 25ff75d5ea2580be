"""Staff decisions on received orders, each queuing its cXML documents in the same transaction.

accept → ConfirmationRequest accept; reject → reject; confirm_lines → detail (changed
quantities or dates); ship → ShipNoticeRequest. For partners set to asynchronous
acknowledgement, accept and reject also queue the StatusUpdateRequest the 201 promised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import ConfirmationType, StatusCode
from gateway.errors import InvalidInput
from gateway.models import (
    BuyerOrder,
    Order,
    OrderStatus,
    OrderStatusChange,
    PartnerOrderSettings,
    TradingPartner,
    User,
)
from gateway.services import outbox
from gateway.services.partners.deployment import outbound_mode
from gateway.services.punchout.sessions import PunchOutSettings

DECIDABLE = frozenset({OrderStatus.RECEIVED})
SHIPPABLE = frozenset({OrderStatus.RECEIVED, OrderStatus.CONFIRMED})


@dataclass(frozen=True, slots=True, kw_only=True)
class LineChange:
    """A line confirmed with another quantity (the rest backordered) and/or delivery date."""

    line_number: int
    quantity: Decimal
    delivery_date: datetime | None = None


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
    confirmation = cxml.ConfirmationRequest(
        type=ConfirmationType.REJECT, notice_date=now, order=_reference(link), comments=reason
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
    """Confirm with changes: per line the accepted quantity and date, the rest backordered."""
    order, link = _order(session, order_id, allowed=DECIDABLE, action="confirmed")
    lines = {line.line_number: line for line in order.lines}
    items = []
    for change in changes:
        line = lines.get(change.line_number)
        if line is None:
            raise InvalidInput(f"Order {order.number} has no line {change.line_number}.")
        if not Decimal(0) < change.quantity <= line.quantity:
            raise InvalidInput(
                f"Line {change.line_number}: quantity must be 0 < q ≤ {line.quantity}."
            )
        statuses = [
            cxml.ConfirmationStatus(
                type="accept",
                quantity=change.quantity,
                unit_of_measure=line.unit,
                delivery_date=change.delivery_date,
            )
        ]
        if change.quantity < line.quantity:
            statuses.append(
                cxml.ConfirmationStatus(
                    type="backordered",
                    quantity=line.quantity - change.quantity,
                    unit_of_measure=line.unit,
                )
            )
        items.append(
            cxml.ConfirmationItem(
                line_number=line.line_number,
                quantity=line.quantity,
                unit_of_measure=line.unit,
                statuses=tuple(statuses),
            )
        )
    if not items:
        raise InvalidInput("Name at least one changed line.")
    _change_status(
        order, OrderStatus.CONFIRMED, actor=actor, now=now, note="confirmed with changes"
    )
    confirmation = cxml.ConfirmationRequest(
        type=ConfirmationType.DETAIL, notice_date=now, order=_reference(link), items=tuple(items)
    )
    _queue(session, link=link, payload=confirmation, settings=settings, now=now)
    _status_update(session, link=link, accepted=True, note="", settings=settings, now=now)
    return order


def ship(
    session: Session,
    *,
    actor: User | None,
    order_id: int,
    shipment_id: str,
    carrier: str | None,
    tracking_number: str | None,
    settings: PunchOutSettings,
    now: datetime,
) -> Order:
    """Record that the whole order left the warehouse; queue the ship notice."""
    if not shipment_id.strip():
        raise InvalidInput("Give a shipment id.")
    order, link = _order(session, order_id, allowed=SHIPPABLE, action="shipped")
    _change_status(order, OrderStatus.SHIPPED, actor=actor, now=now, note=f"shipment {shipment_id}")
    notice = cxml.ShipNoticeRequest(
        shipment_id=shipment_id,
        notice_date=now,
        shipment_date=now,
        order=_reference(link),
        carrier=carrier,
        tracking_number=tracking_number,
        items=tuple(
            cxml.ShipNoticeItem(
                line_number=line.line_number,
                quantity=line.quantity,
                unit_of_measure=line.unit,
                item_id=cxml.ItemID(
                    supplier_part_id=line.sku, supplier_part_auxiliary_id=line.aux_id
                ),
            )
            for line in order.lines
        ),
    )
    _queue(session, link=link, payload=notice, settings=settings, now=now)
    return order


def _order(
    session: Session, order_id: int, *, allowed: frozenset[OrderStatus], action: str
) -> tuple[Order, BuyerOrder]:
    order = session.get(Order, order_id)
    link = session.scalar(select(BuyerOrder).where(BuyerOrder.order_id == order_id))
    if order is None or link is None:
        raise InvalidInput(f"No cXML order with id {order_id}.")
    if order.status not in allowed:
        raise InvalidInput(f"Order {order.number} is {order.status}; it cannot be {action}.")
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
