"""The order desk under /staff/orders, and customers' documents (confirmation and invoice PDFs).

Thin adapters over `gateway.services.ordering.desk`: staff find an order, see its lines,
documents and history, and confirm, ship, invoice, release or reject it. A refused action
shows the order page again with the reason (400).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask import redirect as flask_redirect
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can
from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    DeploymentMode,
    Invoice,
    LineConfirmation,
    Order,
    OrderStatus,
    Organisation,
    Shipment,
)
from gateway.punchout.settings import punchout_settings, supplier_party
from gateway.services.ordering import desk, documents, history
from gateway.shop import pdf_documents
from gateway.web import context
from gateway.web.access import requires
from gateway.web.database import get_session
from gateway.web.i18n import LOCALES

blueprint = Blueprint("desk", __name__)

MAX_REASON = 500  # a rejection's reason, told to the buyer
MAX_FIELD = 100
MAX_PAGE_DIGITS = 6
MAX_AMOUNT = 1_000_000_000  # a quantity or unit price posted by staff
QUANTITY_PLACES = 3  # as stored (QUANTITY, PRICE)
PRICE_PLACES = 4
CONFIRMED = frozenset(
    {
        OrderStatus.CONFIRMED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.INVOICED,
    }
)
ORDER_COLUMNS = (
    "number",
    "buyer_po_number",
    "customer",
    "customer_name",
    "source",
    "status",
    "deployment_mode",
    "placed_at",
    "currency",
    "net_total",
    "tax_total",
    "total",
)
LINE_COLUMNS = (
    "number",
    "buyer_po_number",
    "customer",
    "status",
    "placed_at",
    "line_number",
    "sku",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "net_amount",
    "vat_rate",
    "currency",
)


@blueprint.get("/staff/orders", endpoint="orders")
@requires(Permission.STAFF_ORDER_READ)
def orders_page(shopper: context.Shopper) -> str:
    """Every order the staff member may see, newest first, filtered and paginated."""
    where, problem = _filter()
    page = desk.list_orders(
        get_session(),
        actor=shopper.actor,
        where=where,
        zone=current_app.config["GATEWAY_TIMEZONE"],
        page=_int(request.args.get("page", "1")),
    )
    return render_template(
        "staff/orders.html",
        page=page,
        where=where,
        problem=problem,
        statuses=[status.value for status in OrderStatus],
        sources=desk.Source.ALL,
        modes=[mode.value for mode in DeploymentMode],
        query=_query_args(),
    )


@blueprint.get("/staff/orders.csv", endpoint="orders_csv")
@requires(Permission.STAFF_ORDER_READ)
def orders_csv(shopper: context.Shopper) -> Response:
    """The filtered list as CSV: one row per order, or per order line with `lines=1`."""
    columns, rows = _export(shopper.actor)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(columns)
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return _download(text.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8", "csv")


@blueprint.get("/staff/orders.xlsx", endpoint="orders_xlsx")
@requires(Permission.STAFF_ORDER_READ)
def orders_xlsx(shopper: context.Shopper) -> Response:
    """The filtered list as an Excel workbook (same columns as the CSV)."""
    columns, rows = _export(shopper.actor)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Orders")
    sheet.append(list(columns))
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    data = io.BytesIO()
    workbook.save(data)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(data.getvalue(), kind, "xlsx")


def _export(actor: Actor) -> tuple[tuple[str, ...], list[list[object]]]:
    where, _problem = _filter()
    found = desk.export_orders(
        get_session(), actor=actor, where=where, zone=current_app.config["GATEWAY_TIMEZONE"]
    )
    if request.args.get("lines") == "1":
        return LINE_COLUMNS, [
            [
                row.order.number,
                row.order.buyer_reference or "",
                row.customer_number,
                row.order.status,
                row.order.placed_at,
                line.line_number,
                line.sku,
                line.description,
                line.quantity,
                line.unit,
                line.unit_price,
                line.net_amount,
                line.vat_rate,
                row.order.currency,
            ]
            for row in found
            for line in row.order.lines
        ]
    return ORDER_COLUMNS, [
        [
            row.order.number,
            row.order.buyer_reference or "",
            row.customer_number,
            row.customer_name,
            row.source,
            row.order.status,
            row.order.deployment_mode,
            row.order.placed_at,
            row.order.currency,
            row.order.net_total,
            row.order.tax_total,
            row.total,
        ]
        for row in found
    ]


def _csv_cell(value: object) -> str:
    """Text for the CSV; a text starting like a formula is quoted so spreadsheets show it."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _xlsx_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else value


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return False
    return True


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    suffix = "-lines" if request.args.get("lines") == "1" else ""
    name = f"orders{suffix}-{utcnow().date().isoformat()}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _filter() -> tuple[desk.DeskFilter, str]:
    """The list's filters from the query string; a value that cannot be read is dropped and
    named in the message shown above the list."""
    args = request.args
    problems = []
    status = args.get("status", "")
    if status and not desk.is_status(status):
        problems.append(_("Unknown status %(status)s.", status=status[:20]))
        status = ""
    source = args.get("source", "")
    if source and source not in desk.Source.ALL:
        problems.append(_("Unknown source %(source)s.", source=source[:20]))
        source = ""
    mode = args.get("deployment_mode", "")
    if mode and mode not in {m.value for m in DeploymentMode}:
        problems.append(_("Unknown deployment mode %(mode)s.", mode=mode[:20]))
        mode = ""
    dates = []
    for field in ("date_from", "date_to"):
        raw = args.get(field, "").strip()
        try:
            dates.append(date.fromisoformat(raw) if raw else None)
        except ValueError:
            problems.append(_("%(value)s is not a date (YYYY-MM-DD).", value=raw[:20]))
            dates.append(None)
    where = desk.DeskFilter(
        status=status,
        customer=args.get("customer", "")[:32],
        source=source,
        deployment_mode=mode,
        date_from=dates[0],
        date_to=dates[1],
        q=args.get("q", "")[: desk.MAX_QUERY],
    )
    return where, " ".join(problems)


def _query_args() -> dict[str, str]:
    """The current filters, for the pages' links and the export links."""
    keys = ("status", "customer", "source", "deployment_mode", "date_from", "date_to", "q")
    return {key: request.args[key] for key in keys if request.args.get(key)}


def _int(text: str) -> int:
    return int(text) if text.isdecimal() and len(text) <= MAX_PAGE_DIGITS else 1


@blueprint.get("/staff/orders/<number>", endpoint="order")
@requires(Permission.STAFF_ORDER_READ)
def order_page(shopper: context.Shopper, number: str) -> str:
    """One order: header, lines, addresses, who placed it, its documents, approvals, actions."""
    return _order_page(shopper, number)


def _order_page(shopper: context.Shopper, number: str, *, error: str = "") -> str:
    db = get_session()
    order = desk.find(db, actor=shopper.actor, number=number)
    return render_template(
        "staff/order.html",
        view=desk.view(db, actor=shopper.actor, order=order),
        error=error,
        may_read_messages=can(shopper.actor, Permission.ADMIN_MESSAGES_READ),
        confirmed=order.status in CONFIRMED,
    )


def _act(
    shopper: context.Shopper, number: str, action: Callable[[], object]
) -> BaseResponse | tuple[str, int]:
    """Run an action: back to the order page, or the page again with the reason (400)."""
    try:
        action()
    except InvalidInput as exc:
        get_session().rollback()
        return _order_page(shopper, number, error=str(exc)), 400
    return flask_redirect(url_for("desk.order", number=number))


@blueprint.post("/staff/orders/<number>/confirm", endpoint="confirm")
@requires(Permission.STAFF_ORDER_FULFIL)
def confirm(shopper: context.Shopper, number: str) -> BaseResponse | tuple[str, int]:
    """Accept the order; per line `quantity_<n>`, `price_<n>`, `delivery_date_<n>` and
    `backordered_<n>` (yes: the line's rest is backordered; with no quantity, all of it)."""
    db = get_session()

    def run() -> object:
        order = desk.find(db, actor=shopper.actor, number=number)
        return desk.confirm(
            db,
            actor=shopper.actor,
            number=number,
            changes=_line_changes(order),
            settings=punchout_settings(current_app.config),
            now=utcnow(),
            client=context.client(),
        )

    return _act(shopper, number, run)


def _line_changes(order: Order) -> list[documents.LineChange]:
    """The lines whose posted quantity, price or date differs from the order, or backordered."""
    form = request.form
    changes = []
    for line in order.lines:
        n = line.line_number
        quantity = _decimal(
            form.get(f"quantity_{n}", ""), _("Line %(n)s: quantity", n=n), QUANTITY_PLACES
        )
        price = _decimal(form.get(f"price_{n}", ""), _("Line %(n)s: price", n=n), PRICE_PLACES)
        delivery = _date(form.get(f"delivery_date_{n}", ""), n)
        backordered = form.get(f"backordered_{n}") == "yes"
        if backordered and (quantity is None or quantity == line.quantity):
            quantity = Decimal(0)
        quantity = line.quantity if quantity is None else quantity
        if price is not None and price == line.unit_price:
            price = None
        if quantity != line.quantity or price is not None or delivery is not None:
            changes.append(
                documents.LineChange(
                    line_number=n, quantity=quantity, unit_price=price, delivery_date=delivery
                )
            )
    return changes


def _decimal(text: str, label: str, places: int) -> Decimal | None:
    """A quantity (3 decimals) or price (4) from a form field; None when empty."""
    text = text.strip().replace(",", ".")[:MAX_FIELD]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    exponent = value.as_tuple().exponent if value.is_finite() else 0
    if (
        not value.is_finite()
        or value < 0
        or value > MAX_AMOUNT
        or not isinstance(exponent, int)
        or exponent < -places
    ):
        raise InvalidInput(
            _(
                "%(label)s must be a number from 0 to %(max)s with at most %(places)s decimals.",
                label=label,
                max=MAX_AMOUNT,
                places=places,
            )
        )
    return value


def _date(text: str, line_number: int) -> datetime | None:
    text = text.strip()[:MAX_FIELD]
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Line %(n)s: the delivery date must read YYYY-MM-DD.", n=line_number)
        ) from None
    return datetime.combine(day, time(12), tzinfo=UTC)


@blueprint.post("/staff/orders/<number>/ship", endpoint="ship")
@requires(Permission.STAFF_ORDER_FULFIL)
def ship(shopper: context.Shopper, number: str) -> BaseResponse | tuple[str, int]:
    """Ship: `carrier`, `tracking_number`, and optionally `quantity_<n>` per line (a partial
    shipment; no quantities: everything not yet shipped)."""
    db = get_session()

    def run() -> object:
        order = desk.find(db, actor=shopper.actor, number=number)
        quantities: dict[int, Decimal] = {}
        for line in order.lines:
            label = _("Line %(n)s: quantity", n=line.line_number)
            field = request.form.get(f"quantity_{line.line_number}", "")
            value = _decimal(field, label, QUANTITY_PLACES)
            if value is not None:
                quantities[line.line_number] = value
        return desk.ship(
            db,
            actor=shopper.actor,
            number=number,
            carrier=request.form.get("carrier", "")[:MAX_FIELD],
            tracking_number=request.form.get("tracking_number", "")[:MAX_FIELD],
            quantities=quantities or None,
            settings=punchout_settings(current_app.config),
            now=utcnow(),
            client=context.client(),
        )

    return _act(shopper, number, run)


@blueprint.post("/staff/orders/<number>/invoice", endpoint="invoice")
@requires(Permission.STAFF_ORDER_FULFIL)
def invoice(shopper: context.Shopper, number: str) -> BaseResponse | tuple[str, int]:
    """Invoice what was shipped and not yet invoiced."""
    return _act(
        shopper,
        number,
        lambda: desk.invoice(
            get_session(),
            actor=shopper.actor,
            number=number,
            supplier=supplier_party(current_app.config),
            settings=punchout_settings(current_app.config),
            vat_rates=current_app.config["GATEWAY_VAT_RATES"],
            now=utcnow(),
            client=context.client(),
        ),
    )


@blueprint.post("/staff/orders/<number>/release", endpoint="release")
@requires(Permission.STAFF_ORDER_DECIDE)
def release(shopper: context.Shopper, number: str) -> BaseResponse | tuple[str, int]:
    """Release an order on hold: it becomes a received order."""
    return _act(
        shopper,
        number,
        lambda: desk.release(
            get_session(),
            actor=shopper.actor,
            number=number,
            now=utcnow(),
            client=context.client(),
        ),
    )


@blueprint.post("/staff/orders/<number>/reject", endpoint="reject")
@requires(Permission.STAFF_ORDER_DECIDE)
def reject(shopper: context.Shopper, number: str) -> BaseResponse | tuple[str, int]:
    """Reject an order on hold or not yet confirmed (field `reason`: it goes to the buyer)."""
    return _act(
        shopper,
        number,
        lambda: desk.reject(
            get_session(),
            actor=shopper.actor,
            number=number,
            reason=request.form.get("reason", "")[:MAX_REASON],
            settings=punchout_settings(current_app.config),
            now=utcnow(),
            client=context.client(),
        ),
    )


@blueprint.get("/staff/orders/<number>/confirmation.pdf", endpoint="confirmation_pdf")
@requires(Permission.STAFF_ORDER_READ)
def staff_confirmation_pdf(shopper: context.Shopper, number: str) -> Response:
    """The customer's order confirmation, as the customer gets it."""
    order = desk.find(get_session(), actor=shopper.actor, number=number)
    return _confirmation_pdf(order)


@blueprint.get("/staff/orders/<number>/invoice.pdf", endpoint="invoice_pdf")
@requires(Permission.STAFF_ORDER_READ)
def staff_invoice_pdf(shopper: context.Shopper, number: str) -> Response:
    """The customer's invoice (the newest; `?invoice=<number>` for another)."""
    order = desk.find(get_session(), actor=shopper.actor, number=number)
    return _invoice_pdf(order)


@blueprint.get("/orders/<number>/confirmation.pdf", endpoint="customer_confirmation_pdf")
def customer_confirmation_pdf(number: str) -> Response:
    """The order confirmation, for the customer's users who may see the order."""
    return _confirmation_pdf(_customer_order(number))


@blueprint.get("/orders/<number>/invoice.pdf", endpoint="customer_invoice_pdf")
def customer_invoice_pdf(number: str) -> Response:
    """The invoice, once there is one, for the customer's users who may see the order."""
    return _invoice_pdf(_customer_order(number))


def _customer_order(number: str) -> Order:
    """The active customer's order numbered `number` that the user may see; else NotFound."""
    shopper = context.require_shopper()
    db = get_session()
    order_id = db.scalar(
        select(Order.id).where(
            Order.organisation_id == shopper.actor.organisation_id,
            Order.number == number[:32],
        )
    )
    if order_id is None:
        raise NotFound("No such order.")
    return history.get_order(db, actor=shopper.actor, order_id=order_id)


def _confirmation_pdf(order: Order) -> Response:
    if order.status not in CONFIRMED:
        raise NotFound(_("This order has not been confirmed yet."))
    db = get_session()
    prices = {
        confirmation.line_number: confirmation.unit_price
        for confirmation in db.scalars(
            select(LineConfirmation).where(LineConfirmation.order_id == order.id)
        )
        if confirmation.unit_price is not None
    }
    with force_locale(_language(order)):
        body = pdf_documents.confirmation_pdf(
            order=order,
            customer=db.get_one(Organisation, order.organisation_id),
            supplier=supplier_party(current_app.config),
            confirmed_prices=prices,
            vat_rates=documents.line_vat_rates(db, order, current_app.config["GATEWAY_VAT_RATES"]),
        )
    return _pdf(body, f"confirmation-{order.number}.pdf")


def _invoice_pdf(order: Order) -> Response:
    db = get_session()
    statement = select(Invoice).where(Invoice.order_id == order.id)
    wanted = request.args.get("invoice", "")[:32]
    if wanted:
        statement = statement.where(Invoice.number == wanted)
    record = db.scalar(statement.order_by(Invoice.id.desc()).limit(1))
    if record is None:
        raise NotFound(_("This order has not been invoiced yet."))
    with force_locale(_language(order)):
        body = pdf_documents.invoice_pdf(
            order=order,
            invoice=record,
            customer=db.get_one(Organisation, order.organisation_id),
            supplier=supplier_party(current_app.config),
        )
    return _pdf(body, f"invoice-{record.number}.pdf")


def _language(order: Order) -> str:
    """The customer's language: the ordering user's setting, else this request's."""
    if order.user is not None and order.user.locale in LOCALES:
        return order.user.locale
    return str(get_locale())


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Fulfilment:
    """What the customer's order page shows of shipments and documents."""

    shipments: list[Shipment]
    invoices: list[Invoice]
    confirmed: bool


def _fulfilment(order: Order) -> Fulfilment:
    db = get_session()
    return Fulfilment(
        shipments=list(
            db.scalars(select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id))
        ),
        invoices=list(
            db.scalars(select(Invoice).where(Invoice.order_id == order.id).order_by(Invoice.id))
        ),
        confirmed=order.status in CONFIRMED,
    )


@blueprint.app_context_processor
def _order_fulfilment() -> dict[str, Any]:
    """`order_fulfilment(order)` for the customer's order page (shipments and documents)."""
    return {"order_fulfilment": _fulfilment}
