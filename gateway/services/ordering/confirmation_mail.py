"""The buyer's order confirmation: queued in the outbox with the order, sent by the worker.

Queued in the checkout's own transaction, so a confirmation exists exactly when the order does
(a process that dies before the commit leaves neither). A guest's confirmation carries the
private link to the order page (G-3), so it is sealed at rest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Order, User
from gateway.services import outbox
from gateway.services.labels import english
from gateway.services.mail_texts import Letter, locale_for
from gateway.services.outbox import BASE_URL_MARKER


def queue_confirmation(
    session: Session, *, order: Order, to: str, now: datetime, locale: str | None = None
) -> None:
    """Queue the confirmation of `order` to `to`: its lines, totals and link, and the staff
    member who placed it when someone ordered on the buyer's behalf. In the buyer's language
    (their setting, else `locale`, the language they ordered in)."""
    buyer = session.get(User, order.user_id) if order.user_id else None
    letter = Letter(locale_for(buyer, locale))
    _ = letter._
    staff = session.get(User, order.placed_by_id) if order.placed_by_id != order.user_id else None
    letter.paragraph(_("Thank you for your order %(number)s.", number=order.number))
    if staff:
        letter.paragraph(
            _(
                "Placed on your behalf by %(name)s (%(email)s).",
                name=staff.name or staff.email,
                email=staff.email,
            )
        )
    letter.items(
        [
            f"{letter.number(line.quantity)} {line.unit} {line.sku} {line.description}: "
            f"{letter.money(line.net_amount, order.currency)}"
            for line in order.lines
        ]
    )
    letter.paragraph(
        _("Total excl. VAT: %(amount)s", amount=letter.money(order.net_total, order.currency))
    )
    letter.paragraph(_("VAT: %(amount)s", amount=letter.money(order.tax_total, order.currency)))
    letter.link(_("Your order:"), f"{BASE_URL_MARKER}/orders/{order.id}")
    status = _(english(order.status, "order_status"))
    outbox.enqueue_mail(
        session,
        to=to,
        subject=_("Order %(number)s: %(status)s", number=order.number, status=status),
        body=letter.text(),
        html=letter.html(),
        order_id=order.id,
        now=now,
    )


def queue_guest_confirmation(
    session: Session,
    *,
    order: Order,
    to: str,
    token: str,
    now: datetime,
    mail_key: str,
    locale: str | None = None,
) -> None:
    """Queue a guest order's confirmation to `to` with its private link (`token`), sealed with
    `mail_key`: only the token's digest is stored with the order. In `locale`, the language
    the guest ordered in."""
    letter = Letter(locale_for(None, locale))
    _ = letter._
    letter.paragraph(
        _(
            "Thank you for your order %(number)s, %(name)s.",
            number=order.number,
            name=order.guest_name,
        )
    )
    total = letter.money(order.net_total + order.tax_total, order.currency)
    letter.paragraph(_("Total incl. VAT: %(amount)s", amount=total))
    letter.link(
        _("Your order page (keep this link private):"),
        f"{BASE_URL_MARKER}/guest/orders/{token}",
    )
    outbox.enqueue_mail(
        session,
        to=to,
        subject=_("Order %(number)s placed", number=order.number),
        body=letter.text(),
        html=letter.html(),
        order_id=order.id,
        now=now,
        sealed_with=mail_key,
    )
