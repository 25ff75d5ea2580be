"""The price that applies to a customer, a product, a quantity and a date; VAT on top.

A customer's price lists are its own list (`Organisation.price_list_id`) and any contract lists
assigned to it (`price_list_assignment`). A list applies on a date inside its validity
(`valid_from`/`valid_to`, inclusive, open when unset). On each applicable list the highest tier
the quantity reaches gives a price; the lowest of those is charged. Without any, the list price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.errors import ConfigurationError
from gateway.models import Organisation, PriceList, PriceListItem, Product, price_list_assignment

CENT = Decimal("0.01")
DEFAULT_VAT_RATES: Mapping[str, Decimal] = {
    "standard": Decimal(21),
    "reduced": Decimal(9),
    "zero": Decimal(0),
}
DEFAULT_TIMEZONE = "Europe/Amsterdam"


def price_date(now: datetime, timezone: str = DEFAULT_TIMEZONE) -> date:
    """The calendar date prices are valid on at `now`, in the shop's time zone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def applicable_price_lists(session: Session, organisation: Organisation, on: date) -> list[int]:
    """Ids of the customer's price lists valid on `on`."""
    assigned = select(price_list_assignment.c.price_list_id).where(
        price_list_assignment.c.organisation_id == organisation.id
    )
    return list(
        session.scalars(
            select(PriceList.id).where(
                or_(PriceList.id == organisation.price_list_id, PriceList.id.in_(assigned)),
                or_(PriceList.valid_from.is_(None), PriceList.valid_from <= on),
                or_(PriceList.valid_to.is_(None), PriceList.valid_to >= on),
            )
        )
    )


def unit_prices(
    session: Session,
    organisation: Organisation | None,
    products: Iterable[Product],
    quantity: Decimal = Decimal(1),
    *,
    on: date | None = None,
) -> dict[int, Decimal]:
    """Unit price (excl. VAT) per product id for a customer (None: a guest), quantity and date.

    One query for all products, so a catalog page costs the same at any size. `on` defaults
    to today in the shop's time zone.
    """
    products = list(products)
    prices = line_prices(
        session, organisation, [(product, quantity) for product in products], on=on
    )
    return {product.id: price for product, price in zip(products, prices, strict=True)}


class Priced(Protocol):
    """What pricing needs of a product (a `Product`, or a row of its columns)."""

    @property
    def id(self) -> int: ...

    @property
    def list_price(self) -> Decimal: ...


def line_prices(
    session: Session,
    organisation: Organisation | None,
    items: Sequence[tuple[Priced, Decimal]],
    *,
    on: date | None = None,
) -> list[Decimal]:
    """The unit price of each (product, quantity) item for a customer (None: a guest).

    One query for the tiers of all items, so a cart or an order of any length costs the same
    number of statements. `on` defaults to today in the shop's time zone.
    """
    if organisation is None or not items:
        return [product.list_price for product, _ in items]
    lists = applicable_price_lists(
        session, organisation, on or price_date(datetime.now(ZoneInfo(DEFAULT_TIMEZONE)))
    )
    return _prices(items, _tiers(session, lists, items))


@dataclass(frozen=True, slots=True, kw_only=True)
class PagePrices:
    """A customer's price for one unit of each product of a page (by product id), and which of
    them it buys at a contract price from one unit on."""

    prices: dict[int, Decimal]
    contract: frozenset[int]


def page_prices(session: Session, lists: Sequence[int], products: Sequence[Priced]) -> PagePrices:
    """One unit's prices and the contract marks of a page's products, on the customer's price
    lists valid today (`applicable_price_lists`, which the page has already read for its
    filters): one query for the whole page."""
    items = [(product, Decimal(1)) for product in products]
    tiers = _tiers(session, lists, items)
    prices = _prices(items, tiers)
    return PagePrices(
        prices={product.id: price for product, price in zip(products, prices, strict=True)},
        contract=frozenset(tiers),
    )


_Tiers = dict[int, list[tuple[Decimal, int, Decimal]]]


def _tiers(
    session: Session, lists: Sequence[int], items: Sequence[tuple[Priced, Decimal]]
) -> _Tiers:
    """The tiers of the items' products on `lists` that the largest quantity reaches, per
    product id: (minimum quantity, list id, unit price), ascending."""
    if not lists or not items:
        return {}
    tiers: _Tiers = {}
    for list_id, product_id, min_quantity, unit_price in session.execute(
        select(
            PriceListItem.price_list_id,
            PriceListItem.product_id,
            PriceListItem.min_quantity,
            PriceListItem.unit_price,
        )
        .where(
            PriceListItem.price_list_id.in_(lists),
            PriceListItem.product_id.in_({product.id for product, _ in items}),
            PriceListItem.min_quantity <= max(quantity for _, quantity in items),
        )
        .order_by(PriceListItem.min_quantity)
    ):
        tiers.setdefault(product_id, []).append((min_quantity, list_id, unit_price))
    return tiers


def _prices(items: Sequence[tuple[Priced, Decimal]], tiers: _Tiers) -> list[Decimal]:
    """Each item's unit price: on each list the highest tier its quantity reaches, the lowest
    of those over the lists; the list price without any."""
    prices = [product.list_price for product, _ in items]
    for index, (product, quantity) in enumerate(items):
        reached: dict[int, Decimal] = {}
        for min_quantity, list_id, unit_price in tiers.get(product.id, ()):
            if min_quantity <= quantity:
                reached[list_id] = unit_price  # tiers ascend: the highest one reached wins
        if reached:
            prices[index] = min(reached.values())  # the lowest price over the lists
    return prices


def unit_price(
    session: Session,
    organisation: Organisation | None,
    product: Product,
    quantity: Decimal,
    *,
    on: date | None = None,
) -> Decimal:
    """The unit price one customer pays for `quantity` of one product."""
    return line_prices(session, organisation, [(product, quantity)], on=on)[0]


def line_total(price: Decimal, quantity: Decimal) -> Decimal:
    """A line amount, rounded half-up to cents."""
    return (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_rate(vat_class: str, rates: Mapping[str, Decimal] = DEFAULT_VAT_RATES) -> Decimal:
    """The VAT percentage of a VAT class; an unknown class is a configuration error."""
    try:
        return rates[vat_class]
    except KeyError:
        raise ConfigurationError(f"no VAT rate for VAT class {vat_class!r}") from None


def with_vat(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount including VAT at `rate` percent, rounded half-up to cents."""
    return (amount * (1 + rate / 100)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, kw_only=True)
class VatLine:
    """VAT at one rate: the sum of the net line amounts and the VAT on it."""

    rate: Decimal
    base: Decimal
    vat: Decimal


def vat_breakdown(lines: Iterable[tuple[Decimal, Decimal]]) -> tuple[VatLine, ...]:
    """VAT per rate from (rate, net line amount) pairs; VAT is rounded once per rate."""
    bases: dict[Decimal, Decimal] = {}
    for rate, amount in lines:
        bases[rate] = bases.get(rate, Decimal("0.00")) + amount
    return tuple(
        VatLine(
            rate=rate,
            base=base,
            vat=(base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP),
        )
        for rate, base in sorted(bases.items(), reverse=True)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    """From `min_quantity` units on, a customer pays `unit_price` per unit; `contract` when the
    price comes from one of its price lists rather than the list price."""

    min_quantity: Decimal
    unit_price: Decimal
    contract: bool


def tiers(
    session: Session, organisation: Organisation | None, product: Product, *, on: date
) -> tuple[Tier, ...]:
    """The quantity steps at which a customer's unit price for a product changes, from 1 unit
    on (a guest, or a customer without lists: the list price alone)."""
    lists = applicable_price_lists(session, organisation, on) if organisation else []
    minimums: dict[Decimal, bool] = {Decimal(1): False}
    if lists:
        for minimum in session.scalars(
            select(PriceListItem.min_quantity).where(
                PriceListItem.price_list_id.in_(lists), PriceListItem.product_id == product.id
            )
        ):
            minimums[max(minimum, Decimal(1))] = True
    steps = sorted(minimums)
    contract_from = min((m for m, listed in minimums.items() if listed), default=None)
    prices = line_prices(session, organisation, [(product, step) for step in steps], on=on)
    found: list[Tier] = []
    for step, price in zip(steps, prices, strict=True):
        if found and found[-1].unit_price == price:
            continue  # the same price as the step before: not a step of its own
        contract = contract_from is not None and step >= contract_from
        found.append(Tier(min_quantity=step, unit_price=price, contract=contract))
    return tuple(found)
