"""The buyer's order confirmation: queued in the outbox with the order, sent by the worker.

Queued in the checkout's own transaction, so a confirmation exists exactly when the order does
(a process that dies before the commit leaves neither). A guest's confirmation carries the
private link to the order page (G-3), so it is sealed at rest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Order, User
from gateway.numbers import plain
from gateway.services import outbox
from gateway.services.outbox import BASE_URL_MARKER


def queue_confirmation(session: Session, *, order: Order, to: str, now: datetime) -> None:
    """Queue the confirmation of `order` to `to`: its lines, totals and link, and the staff
    member who placed it when someone ordered on the buyer's behalf."""
    lines = "\n".join(
        f"{plain(line.quantity)} {line.unit} {line.sku} {line.description}: "
        f"{order.currency} {line.net_amount:.2f}"
        for line in order.lines
    )
    staff = session.get(User, order.placed_by_id) if order.placed_by_id != order.user_id else None
    by = (
        f"Placed on your behalf by {staff.name or staff.email} ({staff.email}).\n\n"
        if staff
        else ""
    )
    outbox.enqueue_mail(
        session,
        to=to,
        subject=f"Order {order.number} {order.status.replace('_', ' ')}",
        body=(
            f"Thank you for your order {order.number}.\n\n{by}{lines}\n\n"
            f"Total excl. VAT: {order.currency} {order.net_total:.2f}\n"
            f"VAT: {order.currency} {order.tax_total:.2f}\n\n"
            f"{BASE_URL_MARKER}/orders/{order.id}\n"
        ),
        order_id=order.id,
        now=now,
    )


def queue_guest_confirmation(
    session: Session, *, order: Order, to: str, token: str, now: datetime, mail_key: str
) -> None:
    """Queue a guest order's confirmation to `to` with its private link (`token`), sealed with
    `mail_key`: only the token's digest is stored with the order."""
    outbox.enqueue_mail(
        session,
        to=to,
        subject=f"Order {order.number} placed",
        body=(
            f"Thank you for your order {order.number}, {order.guest_name}.\n\n"
            f"Total incl. VAT: {order.currency} {order.net_total + order.tax_total:.2f}\n\n"
            f"Your order page (keep this link private):\n{BASE_URL_MARKER}/guest/orders/{token}\n"
        ),
        order_id=order.id,
        now=now,
        sealed_with=mail_key,
    )
