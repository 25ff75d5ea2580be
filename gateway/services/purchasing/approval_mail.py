"""Approval notifications (b2b-rules A-9): queued in the outbox with the state change.

Approvers hear of an order awaiting them when it is submitted; the requester hears of each
decision. Links start with the outbox's base-URL marker; the worker fills in the shop's address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Order, User
from gateway.services import outbox
from gateway.services.outbox import BASE_URL_MARKER


def tell_approvers(session: Session, *, order: Order, approvers: list[User], now: datetime) -> None:
    """Queue one mail per approver: the order awaits their decision, and why."""
    requester = session.get(User, order.user_id) if order.user_id else None
    who = (requester.name or requester.email) if requester else "A colleague"
    reasons = "\n".join(f"- {reason}" for reason in order.approval_reasons or [])
    for approver in approvers:
        outbox.enqueue_mail(
            session,
            to=approver.email,
            subject=f"Order {order.number} awaits your approval",
            body=(
                f"{who} placed order {order.number} over {order.currency} "
                f"{order.net_total:.2f} (excl. VAT).\n\nWhy it needs approval:\n{reasons}\n\n"
                f"Decide here: {BASE_URL_MARKER}/approvals\n"
            ),
            order_id=order.id,
            now=now,
        )


def tell_requester(session: Session, *, order: Order, now: datetime) -> None:
    """Queue the mail telling the requester the order's new status and the approver's comment."""
    requester = session.get(User, order.user_id) if order.user_id else None
    if requester is None:
        return
    status = order.status.replace("_", " ")
    note = order.history[-1].note if order.history else ""
    outbox.enqueue_mail(
        session,
        to=requester.email,
        subject=f"Order {order.number} {status}",
        body=(
            f"Your order {order.number} is now {status}.\n"
            + (f"Comment: {note}\n" if note else "")
            + f"\n{BASE_URL_MARKER}/orders/{order.id}\n"
        ),
        order_id=order.id,
        now=now,
    )


def remind_approvers(
    session: Session, *, order: Order, approvers: list[User], waiting_days: int, now: datetime
) -> None:
    """Queue one reminder per approver: the order has waited longer than the customer allows."""
    requester = session.get(User, order.user_id) if order.user_id else None
    who = (requester.name or requester.email) if requester else "A colleague"
    for approver in approvers:
        outbox.enqueue_mail(
            session,
            to=approver.email,
            subject=f"Reminder: order {order.number} still awaits your approval",
            body=(
                f"{who} placed order {order.number} over {order.currency} "
                f"{order.net_total:.2f} (excl. VAT) on {order.placed_at:%Y-%m-%d %H:%M} UTC; "
                f"it has waited more than {waiting_days} working days.\n\n"
                f"Decide here: {BASE_URL_MARKER}/approvals\n"
            ),
            order_id=order.id,
            now=now,
        )
