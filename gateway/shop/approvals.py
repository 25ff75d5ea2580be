"""The approvals inbox: orders awaiting the signed-in user's decision. Thin adapters."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import require
from gateway.db import get_session, utcnow
from gateway.errors import InvalidInput
from gateway.mailer import Mailer
from gateway.models import Order, User
from gateway.services import approvals
from gateway.shop import context

log = logging.getLogger(__name__)
blueprint = Blueprint("approvals", __name__)


@blueprint.get("/approvals")
def inbox() -> str:
    """The orders the user may decide, each with approve, reject and take-over forms."""
    shopper = context.require_shopper()
    require(shopper.actor, Permission.ORDER_APPROVE)
    orders = approvals.inbox(get_session(), actor=shopper.actor)
    return render_template("shop/approvals.html", orders=orders, error="", error_order=None)


@blueprint.post("/approvals/<int:order_id>/approve")
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
    found = {}
    for key, value in request.form.items():
        if not key.startswith("quantity_"):
            continue
        number = key.removeprefix("quantity_")
        try:
            quantity = Decimal(value.strip())
        except InvalidOperation as exc:
            raise InvalidInput(f"Enter a number for line {number[:5]}.") from exc
        if not number.isdigit() or not quantity.is_finite():
            raise InvalidInput("Enter a number for each line.")
        found[int(number)] = quantity
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
            "shop/approvals.html", orders=orders, error=str(exc), error_order=order_id
        ), 400
    _tell_requester(order)
    return redirect(url_for("approvals.inbox", decided=order.id))


def notify_approvers(order: Order) -> None:
    """Mail the order's approvers that it awaits their decision (A-9); failures are logged."""
    db = get_session()
    link = f"{current_app.config['GATEWAY_BASE_URL']}{url_for('approvals.inbox')}"
    reasons = "\n".join(f"- {reason}" for reason in order.approval_reasons or [])
    requester = db.get(User, order.user_id) if order.user_id else None
    for approver in approvals.approvers(
        db, organisation_id=order.organisation_id, user_id=order.user_id
    ):
        _send(
            to=approver.email,
            subject=f"Order {order.number} awaits your approval",
            body=(
                f"{requester.name or requester.email if requester else 'A colleague'} placed order "
                f"{order.number} over {order.currency} {order.net_total:.2f} (excl. VAT).\n\n"
                f"Why it needs approval:\n{reasons}\n\nDecide here: {link}\n"
            ),
            order=order,
        )


def _tell_requester(order: Order) -> None:
    requester = get_session().get(User, order.user_id) if order.user_id else None
    if requester is None:
        return
    decision = order.history[-1]
    link = (
        f"{current_app.config['GATEWAY_BASE_URL']}{url_for('orders.order_page', order_id=order.id)}"
    )
    _send(
        to=requester.email,
        subject=f"Order {order.number} {order.status.replace('_', ' ')}",
        body=(
            f"Your order {order.number} is now {order.status.replace('_', ' ')}.\n"
            + (f"Comment: {decision.note}\n" if decision.note else "")
            + f"\n{link}\n"
        ),
        order=order,
    )


def _send(*, to: str, subject: str, body: str, order: Order) -> None:
    try:
        Mailer.from_config(current_app.config).send(to=to, subject=subject, body=body)
    except (OSError, smtplib.SMTPException):
        log.warning("order %s: approval mail not sent", order.number, exc_info=True)
