"""Approval notifications (b2b-rules A-9): queued in the outbox with the state change.

Approvers hear of an order awaiting them when it is submitted; the requester hears of each
decision. Links start with the outbox's base-URL marker; the worker fills in the shop's address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Order, User
from gateway.services import outbox
from gateway.services.labels import english
from gateway.services.mail_texts import Letter, locale_for
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.purchasing import approval_reasons


def tell_approvers(session: Session, *, order: Order, approvers: list[User], now: datetime) -> None:
    """Queue one mail per approver, in their language: the order awaits their decision, and
    why."""
    requester = session.get(User, order.user_id) if order.user_id else None
    for approver in approvers:
        letter = Letter(locale_for(approver, requester.locale if requester else None))
        _ = letter._
        who = (requester.name or requester.email) if requester else _("A colleague")
        total = letter.money(order.net_total, order.currency)
        letter.paragraph(
            _(
                "%(who)s placed order %(number)s over %(amount)s (excl. VAT).",
                who=who,
                number=order.number,
                amount=total,
            )
        )
        letter.paragraph(_("Why it needs approval:"))
        letter.items(
            [
                approval_reasons.words(
                    approval_reasons.read(text), _=_, money=letter.money, requester=False
                )
                for text in order.approval_reasons or []
            ]
        )
        letter.link(_("Decide here:"), f"{BASE_URL_MARKER}/approvals")
        outbox.enqueue_mail(
            session,
            to=approver.email,
            subject=_("Order %(number)s awaits your approval", number=order.number),
            body=letter.text(),
            html=letter.html(),
            order_id=order.id,
            now=now,
        )


def tell_requester(session: Session, *, order: Order, now: datetime) -> None:
    """Queue the mail telling the requester the order's new status and the approver's comment."""
    requester = session.get(User, order.user_id) if order.user_id else None
    if requester is None:
        return
    letter = Letter(locale_for(requester))
    _ = letter._
    status = _(english(order.status, "order_status"))
    note = order.history[-1].note if order.history else ""
    letter.paragraph(
        _("Your order %(number)s is now: %(status)s.", number=order.number, status=status)
    )
    if note:
        letter.paragraph(_("Comment: %(comment)s", comment=note))
    letter.link(_("Your order:"), f"{BASE_URL_MARKER}/orders/{order.id}")
    outbox.enqueue_mail(
        session,
        to=requester.email,
        subject=_("Order %(number)s: %(status)s", number=order.number, status=status),
        body=letter.text(),
        html=letter.html(),
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
