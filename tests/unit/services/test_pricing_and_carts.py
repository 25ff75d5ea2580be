"""Customer prices, tiers, rounding, and cart rules (no Flask request)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import DEFAULT_ROLES
from gateway.auth.policy import Actor
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import Organisation, Product
from gateway.services.catalog import pricing
from gateway.services.ordering import carts


def _org(session: Session, number: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.number == number)).one()


def _product(session: Session, sku: str) -> Product:
    return session.scalars(select(Product).where(Product.sku == sku)).one()


def _actor(organisation: Organisation, role: str = "buyer", user_id: int = 1) -> Actor:
    return Actor(
        user_id=user_id, organisation_id=organisation.id, permissions=frozenset(DEFAULT_ROLES[role])
    )


def test_customers_pay_their_own_prices(db_session: Session) -> None:
    product = _product(db_session, "DEMO-0001")
    assert product.list_price == Decimal("0.85")
    assert pricing.unit_price(db_session, _org(db_session, "1001"), product, Decimal(1)) == Decimal(
        "0.77"
    )
    assert pricing.unit_price(db_session, _org(db_session, "1002"), product, Decimal(1)) == Decimal(
        "0.68"
    )


def test_quantity_tier_applies_from_its_minimum(db_session: Session) -> None:
    product = _product(db_session, "DEMO-0001")
    organisation = _org(db_session, "1001")
    assert pricing.unit_price(db_session, organisation, product, Decimal("9.999")) == Decimal(
        "0.77"
    )
    assert pricing.unit_price(db_session, organisation, product, Decimal(10)) == Decimal("0.69")


def test_products_without_a_contract_price_cost_the_list_price(db_session: Session) -> None:
    product = _product(db_session, "DEMO-0002")
    assert pricing.unit_price(db_session, _org(db_session, "1001"), product, Decimal(1)) == Decimal(
        "0.94"
    )


def test_line_totals_round_half_up_to_cents() -> None:
    assert pricing.line_total(Decimal("0.125"), Decimal(1)) == Decimal("0.13")
    assert pricing.line_total(Decimal("0.77"), Decimal("1.5")) == Decimal("1.16")  # 1.155


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "greater than zero"),
        ("-1", "greater than zero"),
        ("abc", "must be a number"),
        ("", "must be a number"),
        ("NaN", "must be a number"),
        ("Infinity", "must be a number"),
        ("1.2345", "at most 3 decimals"),
        ("1e9", "must be a number"),  # no exponent notation
        ("1000001", "at most 1000000"),
        ("\u0663", "digits 0-9"),
    ],
)
def test_bad_quantities_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        carts.parse_quantity(text)


def test_good_quantities_parse_exactly() -> None:
    assert carts.parse_quantity(" 2.5 ") == Decimal("2.5")
    assert carts.parse_quantity("1000000") == Decimal(1_000_000)


def test_cart_lines_merge_per_product_and_keep_their_aux_id(db_session: Session) -> None:
    organisation = _org(db_session, "1001")
    actor = _actor(organisation)
    cart = carts.open_cart(db_session, actor=actor)
    first = carts.add_item(db_session, actor=actor, cart=cart, sku="DEMO-0001", quantity=Decimal(1))
    again = carts.add_item(db_session, actor=actor, cart=cart, sku="DEMO-0001", quantity=Decimal(2))
    assert again.id == first.id
    assert again.aux_id == first.aux_id
    assert again.quantity == Decimal(3)
    priced = carts.price_cart(db_session, cart=cart, organisation=organisation)
    assert priced.total == Decimal("2.31")
    assert carts.open_cart(db_session, actor=actor).id == cart.id


def test_unknown_and_inactive_products_are_not_found(db_session: Session) -> None:
    organisation = _org(db_session, "1001")
    actor = _actor(organisation)
    cart = carts.open_cart(db_session, actor=actor)
    _product(db_session, "DEMO-0007").active = False
    db_session.flush()
    for sku in ("NOPE", "DEMO-0007"):
        with pytest.raises(NotFound):
            carts.add_item(db_session, actor=actor, cart=cart, sku=sku, quantity=Decimal(1))
    assert cart.lines == []


def test_viewers_cannot_fill_a_cart(db_session: Session) -> None:
    organisation = _org(db_session, "1001")
    cart = carts.open_cart(db_session, actor=_actor(organisation))
    with pytest.raises(PermissionDenied):
        carts.add_item(
            db_session,
            actor=_actor(organisation, role="viewer"),
            cart=cart,
            sku="DEMO-0001",
            quantity=Decimal(1),
        )


def test_another_customers_cart_is_not_found(db_session: Session) -> None:
    cart = carts.open_cart(db_session, actor=_actor(_org(db_session, "1001")))
    intruder = _actor(_org(db_session, "1002"))
    with pytest.raises(NotFound):
        carts.add_item(db_session, actor=intruder, cart=cart, sku="DEMO-0001", quantity=Decimal(1))


def test_line_prices_price_each_quantity_on_its_own_tier(db_session: Session) -> None:
    organisation = _org(db_session, "1001")
    pen, paper = _product(db_session, "DEMO-0001"), _product(db_session, "DEMO-0002")
    items = [(pen, Decimal(1)), (paper, Decimal(3)), (pen, Decimal(10)), (pen, Decimal("9.5"))]
    assert pricing.line_prices(db_session, organisation, items) == [
        pricing.unit_price(db_session, organisation, product, quantity)
        for product, quantity in items
    ]
    assert pricing.line_prices(db_session, organisation, items)[:3] == [
        Decimal("0.77"),
        Decimal("0.94"),
        Decimal("0.69"),
    ]
    assert pricing.line_prices(db_session, None, items) == [
        product.list_price for product, _ in items
    ]
