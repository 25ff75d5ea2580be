"""The approvals inbox: orders awaiting the signed-in user's decision. Thin adapters."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import Order
from gateway.numbers import NumberError, read_whole
from gateway.services.ordering import quantities
from gateway.services.purchasing import approvals
from gateway.web import context, i18n
from gateway.web.access import in_person, requires
from gateway.web.database import get_session

blueprint = Blueprint("approvals", __name__)
MAX_LINE_DIGITS = 6  # order lines are numbered 1, 2, …; longer is no line of ours


@blueprint.get("/approvals")
@requires(Permission.ORDER_APPROVE)
def inbox(shopper: context.Shopper) -> str:
    """The orders the user may decide, each with approve, reject and take-over forms."""
    orders = approvals.inbox(get_session(), actor=shopper.actor)
    return render_template("shop/approvals.html", orders=orders, error="", error_order=None)


@blueprint.post("/approvals/<int:order_id>/approve")
@in_person  # refused while assisting before the order is looked up (I-6)
def approve(order_id: int) -> Response | tuple[str, int]:
    """Accept an order (optional field `comment`)."""
    shopper = context.require_shopper()
    return _decided(
        shopper,
        order_id,
        lambda: approvals.approve(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            now=utcnow(),
            comment=request.form.get("comment", ""),
        ),
    )


@blueprint.post("/approvals/<int:order_id>/reject")
@in_person
def reject(order_id: int) -> Response | tuple[str, int]:
    """Reject an order; field `comment` (the reason) is required."""
    shopper = context.require_shopper()
    return _decided(
        shopper,
        order_id,
        lambda: approvals.reject(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            now=utcnow(),
            comment=request.form.get("comment", ""),
        ),
    )


@blueprint.post("/approvals/<int:order_id>/take-over")
@in_person
def take_over(order_id: int) -> Response | tuple[str, int]:
    """Change quantities (fields `quantity_<line number>`), then accept (optional `comment`)."""
    shopper = context.require_shopper()

    def run() -> Order:
        return approvals.take_over(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            quantities=_quantities(),
            now=utcnow(),
            comment=request.form.get("comment", ""),
        )

    return _decided(shopper, order_id, run)


def _quantities() -> dict[int, Decimal]:
    """Fields `quantity_<line number>` read by the quantity rule (0 drops a line)."""
    found = {}
    for key, value in request.form.items():
        if not key.startswith("quantity_"):
            continue
        number = key.removeprefix("quantity_")
        try:
            line_number = read_whole(number, digits=MAX_LINE_DIGITS)
        except NumberError:
            raise InvalidInput("No such order line.") from None
        try:
            found[line_number] = quantities.parse(value, allow_zero=True)
        except InvalidInput as exc:
            raise InvalidInput(f"Line {line_number}: {exc}") from None
    return found


def _decided(
    shopper: context.Shopper, order_id: int, decide: Callable[[], Order]
) -> Response | tuple[str, int]:
    """Run a decision; a refusal undoes whatever it began and shows the inbox with the reason."""
    db = get_session()
    try:
        order = decide()
    except InvalidInput as exc:
        db.rollback()
        orders = approvals.inbox(db, actor=shopper.actor)
        return render_template(
            "shop/approvals.html", orders=orders, error=i18n.error_text(exc), error_order=order_id
        ), 400
    return redirect(url_for("approvals.inbox", decided=order.id))
