"""Price rules: contract lists with validity dates and tiers, customer vs list price, VAT."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gateway.config import load_settings
from gateway.errors import ConfigurationError
from gateway.models import (
    Organisation,
    PriceList,
    PriceListItem,
    Product,
    price_list_assignment,
)
from gateway.services.catalog import pricing
from tests.statements import counted


def _org(session: Session, number: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.number == number)).one()


def _product(session: Session, sku: str) -> Product:
    return session.scalars(select(Product).where(Product.sku == sku)).one()


def _contract(
    session: Session,
    organisation: Organisation,
    prices: dict[str, tuple[tuple[str, str], ...]],
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> PriceList:
    price_list = PriceList(name="January contract", valid_from=valid_from, valid_to=valid_to)
    session.add(price_list)
    session.flush()
    for sku, tiers in prices.items():
        for min_quantity, price in tiers:
            session.add(
                PriceListItem(
                    price_list_id=price_list.id,
                    product_id=_product(session, sku).id,
                    min_quantity=Decimal(min_quantity),
                    unit_price=Decimal(price),
                )
            )
    session.execute(
        price_list_assignment.insert().values(
            organisation_id=organisation.id, price_list_id=price_list.id
        )
    )
    session.flush()
    return price_list


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 12, 31), "0.94"),  # before: list price
        (date(2026, 1, 1), "0.50"),  # first day counts
        (date(2026, 1, 31), "0.50"),  # last day counts
        (date(2026, 2, 1), "0.94"),  # after: list price again
    ],
)
def test_contract_prices_apply_only_within_their_validity(
    db_session: Session, on: date, expected: str
) -> None:
    first = _org(db_session, "1001")
    _contract(
        db_session,
        first,
        {"DEMO-0002": (("1", "0.50"),)},
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 1, 31),
    )
    product = _product(db_session, "DEMO-0002")
    assert pricing.unit_price(db_session, first, product, Decimal(1), on=on) == Decimal(expected)


def test_a_price_list_of_another_customer_does_not_apply(db_session: Session) -> None:
    _contract(db_session, _org(db_session, "1001"), {"DEMO-0002": (("1", "0.50"),)})
    product = _product(db_session, "DEMO-0002")
    second = _org(db_session, "1002")
    assert pricing.unit_price(db_session, second, product, Decimal(1), on=date(2026, 1, 5)) == (
        Decimal("0.94")
    )


def test_the_lowest_applicable_price_wins_per_tier(db_session: Session) -> None:
    first = _org(db_session, "1001")
    # Own list: 0.77 from 1, 0.69 from 10. Contract: 0.80 from 1, 0.60 from 50.
    _contract(db_session, first, {"DEMO-0001": (("1", "0.80"), ("50", "0.60"))})
    product = _product(db_session, "DEMO-0001")
    on = date(2026, 6, 1)
    assert pricing.unit_price(db_session, first, product, Decimal(1), on=on) == Decimal("0.77")
    assert pricing.unit_price(db_session, first, product, Decimal(10), on=on) == Decimal("0.69")
    assert pricing.unit_price(db_session, first, product, Decimal(50), on=on) == Decimal("0.60")


def test_a_page_reads_its_prices_and_contract_marks_in_one_query(
    db_session: Session, connection: Connection
) -> None:
    first = _org(db_session, "1001")
    # Own list: DEMO-0001 0.77 from 1; DEMO-0002 and -0003 only from 10 on.
    _contract(
        db_session,
        first,
        {"DEMO-0001": (("1", "0.80"), ("50", "0.60")), "DEMO-0002": (("0.5", "0.70"),)},
    )
    on = date(2026, 6, 1)
    lists = pricing.applicable_price_lists(db_session, first, on)
    products = [_product(db_session, f"DEMO-000{n}") for n in (1, 2, 3)]
    with counted(connection) as statements:
        page = pricing.page_prices(db_session, lists, products)
    assert len(statements) == 1
    assert [page.prices[product.id] for product in products] == [
        pricing.unit_price(db_session, first, product, Decimal(1), on=on) for product in products
    ]
    assert page.prices[products[1].id] == Decimal("0.70")
    assert page.contract == {products[0].id, products[1].id}  # a price from one unit on
    assert pricing.page_prices(db_session, [], products).contract == frozenset()


def test_guests_and_customers_without_lists_pay_the_list_price(db_session: Session) -> None:
    product = _product(db_session, "DEMO-0001")
    assert pricing.unit_price(db_session, None, product, Decimal(100)) == Decimal("0.85")
    bare = Organisation(number="9999", name="No lists")
    db_session.add(bare)
    db_session.flush()
    assert pricing.unit_price(db_session, bare, product, Decimal(100)) == Decimal("0.85")


def test_vat_breakdown_rounds_once_per_rate() -> None:
    lines = [
        (Decimal(21), Decimal("0.10")),
        (Decimal(21), Decimal("0.10")),
        (Decimal(9), Decimal("9.95")),
        (Decimal(0), Decimal("1.00")),
    ]
    assert pricing.vat_breakdown(lines) == (
        pricing.VatLine(rate=Decimal(21), base=Decimal("0.20"), vat=Decimal("0.04")),
        pricing.VatLine(rate=Decimal(9), base=Decimal("9.95"), vat=Decimal("0.90")),  # 0.8955
        pricing.VatLine(rate=Decimal(0), base=Decimal("1.00"), vat=Decimal("0.00")),
    )


def test_prices_including_vat_round_half_up() -> None:
    assert pricing.with_vat(Decimal("0.85"), Decimal(21)) == Decimal("1.03")  # 1.0285
    assert pricing.with_vat(Decimal("0.50"), Decimal(9)) == Decimal("0.55")  # 0.545
    assert pricing.with_vat(Decimal("3.00"), Decimal(0)) == Decimal("3.00")


def test_vat_rates_are_configurable(tmp_path: Path) -> None:
    settings = load_settings(
        {"GATEWAY_SECRET_KEY": "x", "GATEWAY_VAT_RATES": "standard=20, reduced=5.5"}, tmp_path
    )
    rates = settings["GATEWAY_VAT_RATES"]
    assert rates == {"standard": Decimal(20), "reduced": Decimal("5.5")}
    assert pricing.vat_rate("reduced", rates) == Decimal("5.5")
    with pytest.raises(ConfigurationError, match="zero"):
        pricing.vat_rate("zero", rates)


@pytest.mark.parametrize("value", ["standard", "standard=abc", "standard=120", "standard=-1"])
def test_bad_vat_rates_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigurationError, match="GATEWAY_VAT_RATES"):
        load_settings({"GATEWAY_SECRET_KEY": "x", "GATEWAY_VAT_RATES": value}, tmp_path)


def test_the_demo_framework_contract_starts_on_its_date(db_session: Session) -> None:
    first = _org(db_session, "1001")
    product = _product(db_session, "ACME-0001")
    before, after = date(2025, 12, 31), date(2026, 1, 1)
    assert pricing.unit_price(db_session, first, product, Decimal(1), on=before) == Decimal("3.60")
    assert pricing.unit_price(db_session, first, product, Decimal(1), on=after) == Decimal("3.20")
    assert pricing.unit_price(db_session, first, product, Decimal(50), on=after) == Decimal("2.90")
