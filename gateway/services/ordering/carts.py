"""Carts: adding, changing and removing lines, and the priced view the pages and protocols read."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require
from gateway.errors import InvalidInput, NotFound
from gateway.models import Cart, CartLine, CartStatus, Organisation, Product
from gateway.services.catalog import assortment, pricing
from gateway.services.ordering import quantities


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedLine:
    """A cart line with the price that applies to the customer."""

    line_id: int
    product: Product
    aux_id: str
    quantity: Decimal
    unit_price: Decimal
    total: Decimal
    vat_rate: Decimal = Decimal(0)
    # A line of an accepted quote: its reference (`Q000042`) and line (`1`); its price is quoted.
    quote_reference: str = ""
    quote_item: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedCart:
    """A cart as the customer sees it: priced lines, their total (excluding tax) and the VAT."""

    cart_id: int | None  # None: the customer has no stored cart yet
    lines: tuple[PricedLine, ...]
    total: Decimal
    currency: str
    vat: tuple[pricing.VatLine, ...] = ()

    @property
    def vat_total(self) -> Decimal:
        """The VAT over all rates."""
        return sum((line.vat for line in self.vat), Decimal("0.00"))

    @property
    def total_incl_vat(self) -> Decimal:
        """What a guest pays: net total plus VAT."""
        return self.total + self.vat_total


def parse_quantity(text: str) -> Decimal:
    """Typed text as a quantity (`quantities.parse`), or InvalidInput saying what is wrong."""
    return quantities.parse(text)


def check_unit(product: Product, quantity: Decimal) -> Decimal:
    """The quantity, or InvalidInput when it breaks the quantity rule for the product's unit."""
    return quantities.check(quantity, unit=product.unit, sku=product.sku)


def new_aux_id() -> str:
    """A SupplierPartAuxiliaryID for a new line: opaque, stable, and free of `?{}`."""
    return secrets.token_hex(8)


def find_product(session: Session, *, actor: Actor, sku: str) -> Product:
    """An active product of the actor's assortment by SKU, or NotFound (also outside it)."""
    return assortment.find_product(
        session,
        sku=sku,
        assortment=assortment.for_customer(
            session, organisation_id=actor.organisation_id, user_id=actor.user_id
        ),
    )


def open_cart(
    session: Session,
    *,
    actor: Actor,
    punchout_session_id: int | None = None,
    assisted_session_id: int | None = None,
    create: bool = True,
) -> Cart:
    """The actor's open cart for its customer (the punchout session's own cart in a punchout;
    the fresh cart of a staff member shopping as the customer with `assisted_session_id`).

    Without `create`, a missing cart comes back empty and unsaved, so a page that only shows
    the cart writes nothing (on SQLite a read request must not need the write lock).
    """
    query = select(Cart).where(*_open_cart(actor, punchout_session_id, assisted_session_id))
    cart = session.scalar(query)
    if cart is None:
        cart = Cart(
            organisation_id=actor.organisation_id,
            user_id=actor.user_id,
            punchout_session_id=punchout_session_id,
            assisted_session_id=assisted_session_id,
            lines=[],
        )
        if create:
            session.add(cart)
            session.flush()
    return cart


def line_count(
    session: Session,
    *,
    actor: Actor,
    punchout_session_id: int | None = None,
    assisted_session_id: int | None = None,
) -> int:
    """How many lines the cart `open_cart` would give holds (one query; 0 without a cart)."""
    return (
        session.scalar(
            select(func.count(CartLine.id))
            .join(Cart, Cart.id == CartLine.cart_id)
            .where(*_open_cart(actor, punchout_session_id, assisted_session_id))
        )
        or 0
    )


def _open_cart(
    actor: Actor, punchout_session_id: int | None, assisted_session_id: int | None
) -> tuple[ColumnElement[bool], ...]:
    return (
        Cart.organisation_id == actor.organisation_id,
        Cart.user_id == actor.user_id,
        Cart.status == CartStatus.OPEN,
        Cart.punchout_session_id.is_(None)
        if punchout_session_id is None
        else Cart.punchout_session_id == punchout_session_id,
        Cart.assisted_session_id.is_(None)
        if assisted_session_id is None
        else Cart.assisted_session_id == assisted_session_id,
    )


def add_item(
    session: Session, *, actor: Actor, cart: Cart, sku: str, quantity: Decimal
) -> CartLine:
    """Add `quantity` of a product; a product already in the cart keeps its line (and SPAID)."""
    require(actor, Permission.CART_WRITE, cart)
    product = find_product(session, actor=actor, sku=sku)
    check_unit(product, quantity)
    line = next(
        (
            line
            for line in cart.lines
            if line.product_id == product.id and line.quote_line_id is None
        ),
        None,
    )
    if line is None:
        line = CartLine(product=product, quantity=quantity, aux_id=new_aux_id())
        cart.lines.append(line)
    else:
        line.quantity = check_unit(product, line.quantity + quantity)
    session.flush()
    return line


def set_quantity(
    session: Session, *, actor: Actor, cart: Cart, line_id: int, quantity: Decimal
) -> CartLine:
    """Change one line's quantity."""
    require(actor, Permission.CART_WRITE, cart)
    line = _line(session, actor, cart, line_id)
    if line.quote_line_id is not None and quantity != line.quantity:
        raise InvalidInput(
            "%(sku)s is quoted for %(quantity)s: remove the line to order another quantity "
            "at today's price.",
            sku=line.product.sku,
            quantity=f"{line.quantity.normalize():f}",
        )
    line.quantity = check_unit(line.product, quantity)
    session.flush()
    return line


def remove_line(session: Session, *, actor: Actor, cart: Cart, line_id: int) -> None:
    """Remove one line."""
    require(actor, Permission.CART_WRITE, cart)
    cart.lines.remove(_line(session, actor, cart, line_id))
    session.flush()


def price_cart(
    session: Session,
    *,
    cart: Cart,
    organisation: Organisation,
    on: date | None = None,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> PricedCart:
    """Price every line for the customer, quantity and date; the total excludes tax. A line of
    an accepted quote carries the quoted price and the quote's reference."""
    priced = price_items(
        session,
        items=[(line.id, line.product, line.aux_id, line.quantity) for line in cart.lines],
        organisation=organisation,
        cart_id=cart.id,
        on=on,
        vat_rates=vat_rates,
    )
    quoted = {line.id: line.quote_line for line in cart.lines if line.quote_line is not None}
    if not quoted:
        return priced
    lines = []
    for line in priced.lines:
        quote_line = quoted.get(line.line_id)
        if quote_line is None or quote_line.unit_price is None:
            lines.append(line)
            continue
        lines.append(
            replace(
                line,
                unit_price=quote_line.unit_price,
                total=pricing.line_total(quote_line.unit_price, line.quantity),
                quote_reference=quote_line.quote.reference,
                quote_item=str(quote_line.position),
            )
        )
    return replace(
        priced,
        lines=tuple(lines),
        total=sum((line.total for line in lines), Decimal("0.00")),
        vat=pricing.vat_breakdown((line.vat_rate, line.total) for line in lines),
    )


def price_items(
    session: Session,
    *,
    items: Iterable[tuple[int, Product, str, Decimal]],
    organisation: Organisation | None,
    cart_id: int = 0,
    on: date | None = None,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> PricedCart:
    """Price (line id, product, aux id, quantity) items for a customer (None: a guest)."""
    items = list(items)
    prices = pricing.line_prices(
        session, organisation, [(product, quantity) for _, product, _, quantity in items], on=on
    )
    lines = [
        PricedLine(
            line_id=line_id,
            product=product,
            aux_id=aux_id,
            quantity=quantity,
            unit_price=price,
            total=pricing.line_total(price, quantity),
            vat_rate=pricing.vat_rate(product.vat_class, vat_rates),
        )
        for (line_id, product, aux_id, quantity), price in zip(items, prices, strict=True)
    ]
    return PricedCart(
        cart_id=cart_id,
        lines=tuple(lines),
        total=sum((line.total for line in lines), Decimal("0.00")),
        currency=organisation.currency if organisation is not None else "EUR",
        vat=pricing.vat_breakdown((line.vat_rate, line.total) for line in lines),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectedLine:
    """A quick-order line that was not added, and why."""

    number: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QuickOrder:
    """The outcome of a pasted list: SKUs added and lines rejected."""

    added: tuple[str, ...]
    rejected: tuple[RejectedLine, ...]


MAX_QUICK_ORDER_LINES = 200


def quick_order(session: Session, *, actor: Actor, cart: Cart, text: str) -> QuickOrder:
    """Add pasted `SKU quantity` lines (space, tab, `;` or `,` between); report the rest.

    Valid lines are added even when others are rejected; blank lines are ignored.
    """
    require(actor, Permission.CART_WRITE, cart)
    added: list[str] = []
    rejected: list[RejectedLine] = []
    lines = text.splitlines()
    for number, raw in enumerate(lines[:MAX_QUICK_ORDER_LINES], start=1):
        fields = raw.replace(";", " ").replace(",", " ").split()
        if not fields:
            continue
        if len(fields) != 2:  # noqa: PLR2004 - SKU and quantity
            rejected.append(
                RejectedLine(number=number, text=raw, reason="Expected “SKU quantity”.")
            )
            continue
        try:
            quantity = parse_quantity(fields[1])
            add_item(session, actor=actor, cart=cart, sku=fields[0], quantity=quantity)
        except (InvalidInput, NotFound) as exc:
            rejected.append(RejectedLine(number=number, text=raw, reason=str(exc)))
        else:
            added.append(fields[0])
    for number, raw in enumerate(lines[MAX_QUICK_ORDER_LINES:], start=MAX_QUICK_ORDER_LINES + 1):
        if raw.strip():
            rejected.append(
                RejectedLine(
                    number=number,
                    text=raw,
                    reason=f"At most {MAX_QUICK_ORDER_LINES} lines at a time.",
                )
            )
    return QuickOrder(added=tuple(added), rejected=tuple(rejected))


def _line(session: Session, actor: Actor, cart: Cart, line_id: int) -> CartLine:
    """A line of this cart; a line of anyone else's cart is logged as an authorisation failure."""
    for line in cart.lines:
        if line.id == line_id:
            return line
    if session.get(CartLine, line_id) is not None:
        raise foreign(actor, "cart line", line_id, "No such cart line.")
    raise NotFound("No such cart line.")
