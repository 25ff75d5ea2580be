"""The price that applies to a customer, a product and a quantity."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Organisation, PriceListItem, Product

CENT = Decimal("0.01")


def unit_prices(
    session: Session,
    organisation: Organisation,
    products: Iterable[Product],
    quantity: Decimal = Decimal(1),
) -> dict[int, Decimal]:
    """Unit price per product id: the customer's price-list tier for `quantity`, else list price.

    One query for all products, so a catalogue page costs the same at any size.
    """
    products = list(products)
    prices = {product.id: product.list_price for product in products}
    if organisation.price_list_id is None or not products:
        return prices
    tiers = session.execute(
        select(PriceListItem.product_id, PriceListItem.unit_price)
        .where(
            PriceListItem.price_list_id == organisation.price_list_id,
            PriceListItem.product_id.in_(prices),
            PriceListItem.min_quantity <= quantity,
        )
        .order_by(PriceListItem.min_quantity)
    )
    for product_id, unit_price in tiers:
        prices[product_id] = unit_price  # the highest tier reached wins
    return prices


def unit_price(
    session: Session, organisation: Organisation, product: Product, quantity: Decimal
) -> Decimal:
    """The unit price one customer pays for `quantity` of one product."""
    return unit_prices(session, organisation, [product], quantity)[product.id]


def line_total(price: Decimal, quantity: Decimal) -> Decimal:
    """A line amount, rounded half-up to cents."""
    return (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
