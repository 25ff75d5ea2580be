"""`/api/v1/orders`: the order feed, one order with its lines, addresses and documents, and the
order desk's status actions (confirm, ship, invoice, release, reject)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal

from flask import current_app, request

from gateway.api.access import actor_with
from gateway.api.blueprint import blueprint
from gateway.api.idempotency import idempotent
from gateway.api.schemas import (
    ConfirmIn,
    Empty,
    OrderDetail,
    OrderLineOut,
    OrderPage,
    OrderQuery,
    OrderSummary,
    Problem,
    RejectIn,
    ShipIn,
    StatusChange,
    TrailDocument,
    after_id,
)
from gateway.api.spec import answers, spec
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor
from gateway.db import utcnow
from gateway.models import Order
from gateway.punchout.settings import punchout_settings, supplier_party
from gateway.services import audit
from gateway.services.ordering import desk, documents
from gateway.web.database import get_session

TAGS = ("orders",)


@blueprint.get("/v1/orders", endpoint="orders")
@spec.validate(resp=answers(HTTP_200=OrderPage), tags=TAGS)
def list_orders(query: OrderQuery) -> tuple[OrderPage, int]:
    """List orders

    Orders placed or changed since `updated_since`, oldest first, filtered by customer, status
    and source; follow `next_cursor` for the next page. Needs `orders:read`.
    """
    actor = actor_with(Permission.API_ORDERS_READ)
    rows = desk.changed_orders(
        get_session(),
        actor=actor,
        where=desk.DeskFilter(
            customer=query.customer or "",
            status=query.status.value if query.status else "",
            source=query.source or "",
        ),
        zone=current_app.config["GATEWAY_TIMEZONE"],
        since=query.updated_since,
        after_id=after_id(query.cursor),
        limit=query.limit + 1,
    )
    page = rows[: query.limit]
    more = len(rows) > query.limit
    return OrderPage(
        items=[_summary(row, changed) for row, changed in page],
        next_cursor=str(page[-1][0].order.id) if more else None,
    ), 200


def _summary(row: desk.DeskRow, changed: datetime) -> OrderSummary:
    order = row.order
    return OrderSummary(
        number=order.number,
        customer=row.customer_number,
        status=order.status,
        source=row.source,
        buyer_po_number=order.buyer_reference,
        currency=order.currency,
        net_total=str(order.net_total),
        tax_total=str(order.tax_total),
        total=str(row.total),
        placed_at=order.placed_at,
        updated_at=changed,
    )


@blueprint.get("/v1/orders/<number>", endpoint="order")
@spec.validate(resp=answers(HTTP_200=OrderDetail, HTTP_404=Problem), tags=TAGS)
def get_order(number: str) -> tuple[OrderDetail, int]:
    """Get an order

    One order by its number, with its lines, addresses, documents and status history. Needs
    `orders:read`.
    """
    actor = actor_with(Permission.API_ORDERS_READ)
    return _detail(actor, desk.find(get_session(), actor=actor, number=number)), 200


def _detail(actor: Actor, order: Order) -> OrderDetail:
    session = get_session()
    session.refresh(order)
    view = desk.view(session, actor=actor, order=order)
    changed = max([order.placed_at, *(change.changed_at for change in order.history)])
    return OrderDetail(
        **_summary(
            desk.DeskRow(
                order=order,
                customer_number=view.customer.number,
                customer_name=view.customer.name,
                source=view.source,
            ),
            changed,
        ).model_dump(),
        shipping_total=str(order.shipping_total),
        requested_delivery_date=order.requested_delivery_date,
        comment=order.comment,
        ship_to=order.ship_to,
        bill_to=order.bill_to,
        lines=[
            OrderLineOut(
                line_number=line.line_number,
                sku=line.sku,
                description=line.description,
                unit=line.unit,
                quantity=str(line.quantity),
                unit_price=str(line.unit_price),
                net_amount=str(line.net_amount),
                vat_rate=str(line.vat_rate),
                confirmed_quantity=(
                    str(line.confirmation.quantity) if line.confirmation is not None else None
                ),
                shipped=str(line.shipped),
                invoiced=str(line.invoiced),
            )
            for line in view.lines
        ],
        trail=[
            TrailDocument(
                direction=entry.direction,
                document_type=entry.document_type,
                payload_id=entry.payload_id,
                status=entry.status,
                at=entry.at,
            )
            for entry in view.trail
        ],
        history=[
            StatusChange(status=change.status, at=change.changed_at, note=change.note)
            for change in order.history
        ],
        actions=sorted(view.actions),
    )


ACTION_ANSWERS = {"HTTP_200": OrderDetail, "HTTP_404": Problem, "HTTP_409": Problem}


def _client() -> audit.Client:
    return audit.Client(
        address=request.remote_addr or "", user_agent=request.headers.get("User-Agent", "")
    )


@blueprint.post("/v1/orders/<number>/confirm", endpoint="confirm")
@idempotent
@spec.validate(resp=answers(**ACTION_ANSWERS), tags=TAGS)
def confirm(number: str, json: ConfirmIn) -> tuple[OrderDetail, int]:
    """Confirm an order

    Accept the order as ordered (no `changes`), or with changed lines: another quantity (the
    rest is backordered; 0: all of it), unit price or delivery date. Needs `orders:write`.
    """
    actor = actor_with(Permission.API_ORDERS_WRITE)
    order = desk.confirm(
        get_session(),
        actor=actor,
        number=number,
        changes=[
            documents.LineChange(
                line_number=change.line_number,
                quantity=Decimal(change.quantity),
                unit_price=Decimal(change.unit_price) if change.unit_price else None,
                delivery_date=(
                    datetime.combine(change.delivery_date, time(12), tzinfo=UTC)
                    if change.delivery_date
                    else None
                ),
            )
            for change in json.changes
        ],
        settings=punchout_settings(current_app.config),
        now=utcnow(),
        client=_client(),
    )
    return _detail(actor, order), 200


@blueprint.post("/v1/orders/<number>/ship", endpoint="ship")
@idempotent
@spec.validate(resp=answers(**ACTION_ANSWERS), tags=TAGS)
def ship(number: str, json: ShipIn) -> tuple[OrderDetail, int]:
    """Ship an order

    A shipment with carrier and tracking number: of the given quantities per line, or without
    `lines` of everything not yet shipped. Needs `orders:write`.
    """
    actor = actor_with(Permission.API_ORDERS_WRITE)
    order = desk.ship(
        get_session(),
        actor=actor,
        number=number,
        carrier=json.carrier,
        tracking_number=json.tracking_number,
        quantities=(
            {line.line_number: Decimal(line.quantity) for line in json.lines}
            if json.lines
            else None
        ),
        settings=punchout_settings(current_app.config),
        now=utcnow(),
        client=_client(),
    )
    return _detail(actor, order), 200


@blueprint.post("/v1/orders/<number>/invoice", endpoint="invoice")
@idempotent
@spec.validate(resp=answers(**ACTION_ANSWERS), tags=TAGS)
def invoice(number: str, json: Empty) -> tuple[OrderDetail, int]:
    """Invoice an order

    Invoice what was shipped and not yet invoiced. Needs `orders:write`.
    """
    del json  # no fields; checked all the same, so a stray field is refused
    actor = actor_with(Permission.API_ORDERS_WRITE)
    session = get_session()
    desk.invoice(
        session,
        actor=actor,
        number=number,
        supplier=supplier_party(current_app.config),
        settings=punchout_settings(current_app.config),
        vat_rates=current_app.config["GATEWAY_VAT_RATES"],
        now=utcnow(),
        client=_client(),
    )
    return _detail(actor, desk.find(session, actor=actor, number=number)), 200


@blueprint.post("/v1/orders/<number>/release", endpoint="release")
@idempotent
@spec.validate(resp=answers(**ACTION_ANSWERS), tags=TAGS)
def release(number: str, json: Empty) -> tuple[OrderDetail, int]:
    """Release an order on hold

    An order held for its problems (prices, assortment) becomes a received order. Needs
    `orders:write`.
    """
    del json
    actor = actor_with(Permission.API_ORDERS_WRITE)
    order = desk.release(get_session(), actor=actor, number=number, now=utcnow(), client=_client())
    return _detail(actor, order), 200


@blueprint.post("/v1/orders/<number>/reject", endpoint="reject")
@idempotent
@spec.validate(resp=answers(**ACTION_ANSWERS), tags=TAGS)
def reject(number: str, json: RejectIn) -> tuple[OrderDetail, int]:
    """Reject an order

    Reject an order on hold or not yet confirmed; the reason goes to the buyer. Needs
    `orders:write`.
    """
    actor = actor_with(Permission.API_ORDERS_WRITE)
    order = desk.reject(
        get_session(),
        actor=actor,
        number=number,
        reason=json.reason,
        settings=punchout_settings(current_app.config),
        now=utcnow(),
        client=_client(),
    )
    return _detail(actor, order), 200
