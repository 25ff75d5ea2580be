"""Guest (B2C) checkout: the cart lives in the browser, the order stores only what delivery needs.

G-1: name, e-mail, delivery address and an optional phone; no account. G-2: list prices, VAT
included on the pages. G-3: the order page is reached only through a 256-bit link. After the
retention period `purge` anonymises the personal data and keeps the lines and amounts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token, token_digest
from gateway.errors import GatewayError, InvalidInput, NotFound
from gateway.models import Order, OrderStatus, Organisation
from gateway.services import outbox
from gateway.services.catalog import assortment, pricing
from gateway.services.labels import N_
from gateway.services.ordering import carts, checkout, confirmation_mail

GUEST_CUSTOMER_NUMBER = "guest"
COUNTRIES = {"NL": "Netherlands", "BE": "Belgium", "DE": "Germany", "LU": "Luxembourg"}
MAX_GUEST_LINES = 100
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LIMITS = {"name": 200, "email": 254, "street": 200, "postcode": 16, "city": 100, "phone": 40}


@dataclass(frozen=True, slots=True, kw_only=True)
class GuestDetails:
    """What a guest types at checkout (we deliver to the `COUNTRIES`)."""

    name: str
    email: str
    street: str
    postcode: str
    city: str
    country: str = "NL"
    phone: str = ""


def validate(details: GuestDetails) -> dict[str, str]:
    """Field → message for everything wrong with the details (empty: all fine)."""
    problems = {}
    for field in ("name", "email", "street", "postcode", "city"):
        if not getattr(details, field).strip():
            problems[field] = N_("Please fill this in.")
    for field, limit in _LIMITS.items():
        if len(getattr(details, field)) > limit:
            problems[field] = f"At most {limit} characters."
    if "email" not in problems and not _EMAIL.match(details.email):
        problems["email"] = N_("Enter an e-mail address like name@example.com.")
    if details.country not in COUNTRIES:
        problems["country"] = N_("Choose a country.")
    if details.phone and not re.fullmatch(r"[0-9 +()\-]{6,40}", details.phone):
        problems["phone"] = N_("Enter a phone number with digits, spaces and + only.")
    return problems


def price_guest_cart(
    session: Session,
    *,
    items: Mapping[str, str],
    on: date,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> tuple[carts.PricedCart, tuple[str, ...]]:
    """Price a browser-held cart (SKU → quantity) at list prices; SKUs no longer available or
    with an unreadable quantity are returned separately."""
    visible = assortment.for_guests(session)
    lines, unavailable = [], []
    for number, (sku, text) in enumerate(list(items.items())[:MAX_GUEST_LINES], start=1):
        try:
            product = assortment.find_product(session, sku=sku, assortment=visible)
            quantity = carts.check_unit(product, carts.parse_quantity(text))
        except GatewayError:
            unavailable.append(sku)
            continue
        lines.append((number, product, "", quantity))
    priced = carts.price_items(session, items=lines, organisation=None, on=on, vat_rates=vat_rates)
    return priced, tuple(unavailable)


def guest_customer(session: Session) -> Organisation:
    """The pseudo-customer guest orders belong to (created on first use)."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == GUEST_CUSTOMER_NUMBER)
    )
    if organisation is None:
        organisation = Organisation(number=GUEST_CUSTOMER_NUMBER, name="Guests (B2C)")
        session.add(organisation)
        session.flush()
    return organisation


def place_guest_order(
    session: Session,
    *,
    priced: carts.PricedCart,
    details: GuestDetails,
    now: datetime,
    mail_key: str,
    locale: str | None = None,
) -> tuple[Order, str]:
    """Place a guest order and queue its confirmation (sealed with `mail_key`); returns the
    order and the token of its private link (shown once)."""
    problems = validate(details)
    if problems:
        listed = "; ".join(f"{field}: {text}" for field, text in problems.items())
        raise InvalidInput(listed)
    if not priced.lines:
        raise InvalidInput("Your cart is empty.")
    order = checkout.order_from_lines(
        session,
        organisation_id=guest_customer(session).id,
        priced=priced,
        status=OrderStatus.PLACED,
        now=now,
    )
    token, digest = new_token()
    order.access_token_digest = digest
    order.guest_name = details.name.strip()
    order.guest_email = email = details.email.strip()
    order.guest_phone = details.phone.strip() or None
    order.ship_to = {
        "name": details.name.strip(),
        "street": details.street.strip(),
        "postcode": details.postcode.strip(),
        "city": details.city.strip(),
        "country": details.country,
    }
    session.flush()
    confirmation_mail.queue_guest_confirmation(
        session, order=order, to=email, token=token, now=now, mail_key=mail_key, locale=locale
    )
    return order, token


def order_by_token(session: Session, *, token: str) -> Order:
    """The guest order behind a private link, or NotFound."""
    order = session.scalar(select(Order).where(Order.access_token_digest == token_digest(token)))
    if order is None:
        raise NotFound("No such order.")
    return order


def purge(session: Session, *, now: datetime, retention_days: int) -> int:
    """Anonymise guest orders delivered (or cancelled/rejected) more than `retention_days` ago.

    Name, e-mail, phone and street address go; lines, amounts and the country (for VAT)
    stay, and the private link stops working. The order's queued mails (a dead-lettered one
    keeps its sealed recipient and link) are blanked too. Returns how many orders were
    anonymised.
    """
    cutoff = now - timedelta(days=retention_days)
    orders = session.scalars(
        select(Order).where(
            Order.guest_email.is_not(None),
            Order.personal_data_purged_at.is_(None),
            or_(
                Order.delivered_at <= cutoff,
                Order.status.in_((OrderStatus.CANCELLED, OrderStatus.REJECTED))
                & (Order.placed_at <= cutoff),
            ),
        )
    ).all()
    for order in orders:
        country = (order.ship_to or {}).get("country", "")
        order.guest_name = None
        order.guest_email = None
        order.guest_phone = None
        order.ship_to = {"country": country}
        order.access_token_digest = None
        order.personal_data_purged_at = now
    outbox.forget_mails(
        session, order_ids=[order.id for order in orders], reason="the guest's data was purged"
    )
    session.flush()
    return len(orders)
