"""Assortments (customer and user level) and the search index, called without Flask."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, literal, select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    Catalog,
    Category,
    Membership,
    Organisation,
    Product,
    User,
    organisation_catalog,
)
from gateway.services.catalog import assignment, assortment, search
from gateway.services.demo_catalog import SPECIALS_CATALOG, STANDARD_CATALOG
from tests.factories import make_product


def _org(session: Session, number: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.number == number)).one()


def _link(session: Session, email: str, number: str) -> Membership:
    return session.scalars(
        select(Membership)
        .join(User)
        .join(Organisation)
        .where(User.email == email, Organisation.number == number)
    ).one()


def _catalog(session: Session, name: str) -> Catalog:
    return session.scalars(select(Catalog).where(Catalog.name == name)).one()


def _skus(page: search.SearchPage) -> list[str]:
    return [product.sku for product in page.products]


def test_customer_sees_the_union_of_its_catalogs(db_session: Session) -> None:
    first = assortment.for_customer(db_session, organisation_id=_org(db_session, "1001").id)
    second = assortment.for_customer(db_session, organisation_id=_org(db_session, "1002").id)
    assert assortment.find_product(db_session, sku="ACME-0001", assortment=first).sku == "ACME-0001"
    assert assortment.find_product(db_session, sku="DEMO-0001", assortment=second)
    with pytest.raises(NotFound):
        assortment.find_product(db_session, sku="ACME-0001", assortment=second)
    assert search.search_products(db_session, assortment=first, query="acme").total == 3
    assert search.search_products(db_session, assortment=second, query="acme").total == 0


def test_a_user_with_own_catalogs_sees_only_those(db_session: Session) -> None:
    organisation = _org(db_session, "1001")
    link = _link(db_session, "multi@demo.test", "1001")
    assignment.assign_user_catalog(
        db_session, link=link, catalog=_catalog(db_session, SPECIALS_CATALOG)
    )
    mine = assortment.for_customer(
        db_session, organisation_id=organisation.id, user_id=link.user_id
    )
    assert search.search_products(db_session, assortment=mine).total == 3
    with pytest.raises(NotFound):
        assortment.find_product(db_session, sku="DEMO-0001", assortment=mine)
    colleague = _link(db_session, "buyer@1001.demo", "1001")
    theirs = assortment.for_customer(
        db_session, organisation_id=organisation.id, user_id=colleague.user_id
    )
    assert search.search_products(db_session, assortment=theirs).total == 243


def test_a_user_cannot_get_a_catalog_the_customer_lacks(db_session: Session) -> None:
    link = _link(db_session, "buyer@1002.demo", "1002")
    with pytest.raises(InvalidInput, match="not assigned"):
        assignment.assign_user_catalog(
            db_session, link=link, catalog=_catalog(db_session, SPECIALS_CATALOG)
        )
    mine = assortment.for_customer(
        db_session, organisation_id=link.organisation_id, user_id=link.user_id
    )
    assert mine.catalog_ids == frozenset({_catalog(db_session, STANDARD_CATALOG).id})


def test_guests_see_the_public_catalogs(db_session: Session) -> None:
    guests = assortment.for_guests(db_session)
    assert assortment.find_product(db_session, sku="DEMO-0240", assortment=guests)
    with pytest.raises(NotFound):
        assortment.find_product(db_session, sku="ACME-0001", assortment=guests)


def test_inactive_products_are_not_found(db_session: Session) -> None:
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0007")).one()
    product.active = False
    db_session.flush()
    guests = assortment.for_guests(db_session)
    with pytest.raises(NotFound):
        assortment.find_product(db_session, sku="DEMO-0007", assortment=guests)
    assert "DEMO-0007" not in _skus(search.search_products(db_session, assortment=guests))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DEMO-0021", ["DEMO-0021"]),  # SKU
        ("copy paper large black", ["DEMO-0027"]),  # English name, every word
        ("kopieerpapier", [f"DEMO-{n:04d}" for n in range(21, 41)]),  # Dutch name
        ("PAP-1507-03", ["DEMO-0023"]),  # manufacturer part number
        ("made for customer", ["ACME-0001", "ACME-0002", "ACME-0003"]),  # description
        ("ballp", [f"DEMO-{n:04d}" for n in range(1, 21)]),  # prefix
        ("nothing-like-this", []),
        ('"; DROP TABLE product; --', []),  # only words reach the index
    ],
)
def test_search_matches_sku_names_part_numbers_and_descriptions(
    db_session: Session, query: str, expected: list[str]
) -> None:
    everything = assortment.for_customer(db_session, organisation_id=_org(db_session, "1001").id)
    found = search.search_products(db_session, assortment=everything, query=query, page_size=500)
    assert _skus(found) == expected


def test_search_index_follows_product_changes(db_session: Session) -> None:
    guests = assortment.for_guests(db_session)
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0002")).one()
    product.name = "Zebracorn marker"
    product.description = "A marker."
    db_session.flush()
    assert _skus(search.search_products(db_session, assortment=guests, query="zebracorn")) == [
        "DEMO-0002"
    ]
    assert "DEMO-0002" not in _skus(
        search.search_products(db_session, assortment=guests, query="ballpoint", page_size=100)
    )


def test_category_browsing_includes_subcategories_and_pages(db_session: Session) -> None:
    guests = assortment.for_guests(db_session)
    office = db_session.scalars(select(Category).where(Category.code == "office")).one()
    first = search.search_products(
        db_session, assortment=guests, category_id=office.id, page_size=50
    )
    assert first.total == 80  # pens, paper, two families of filing
    assert first.pages == 2
    second = search.search_products(
        db_session, assortment=guests, category_id=office.id, page=2, page_size=50
    )
    assert len(second.products) == 30
    assert not set(_skus(first)) & set(_skus(second))
    beyond = search.search_products(
        db_session, assortment=guests, category_id=office.id, page=99, page_size=50
    )
    assert beyond.page == 2


@pytest.mark.parametrize(("query", "category"), [("blue", None), ("", "office"), ("", None)])
def test_beyond_the_count_limit_pages_hold_the_same_products_in_sku_order(
    db_session: Session, monkeypatch: pytest.MonkeyPatch, query: str, category: str | None
) -> None:
    everything = assortment.for_customer(db_session, organisation_id=_org(db_session, "1001").id)
    category_id = (
        db_session.scalars(select(Category.id).where(Category.code == category)).one()
        if category
        else None
    )

    def page(number: int) -> search.SearchPage:
        return search.search_products(
            db_session,
            assortment=everything,
            query=query,
            category_id=category_id,
            page=number,
            page_size=10,
        )

    exact = [page(1), page(2)]
    assert not any(found.more for found in exact)
    monkeypatch.setattr(search, "COUNT_LIMIT", 15)
    capped = [page(1), page(2), page(3)]
    assert [_skus(found) for found in capped[:2]] == [_skus(found) for found in exact]
    assert all(found.more and found.total == 15 and found.pages == 2 for found in capped)
    assert capped[2].page == 2  # a page beyond the counted hits shows the last one


@pytest.mark.parametrize(
    ("email", "number", "own", "open_customer"),
    [
        ("buyer@1001.demo", "1001", False, False),
        ("multi@demo.test", "1001", True, False),
        ("buyer@1002.demo", "1002", False, False),
        ("buyer@1002.demo", "1002", False, True),
        ("multi@demo.test", "1001", True, True),
    ],
)
def test_the_sql_rule_of_an_assortment_is_the_same_as_for_customer(
    db_session: Session, email: str, number: str, own: bool, open_customer: bool
) -> None:
    """`visible_to` (the setup's one-read landing check) finds exactly what `for_customer` does:
    the customer's catalogs, a user's own within them, or everything for a customer without."""
    link = _link(db_session, email, number)
    if own:
        assignment.assign_user_catalog(
            db_session, link=link, catalog=_catalog(db_session, SPECIALS_CATALOG)
        )
    if open_customer:
        db_session.execute(
            delete(organisation_catalog).where(
                organisation_catalog.c.organisation_id == link.organisation_id
            )
        )
    expected = assortment.for_customer(
        db_session, organisation_id=link.organisation_id, user_id=link.user_id
    )
    rule = assortment.visible_to(
        organisation_id=literal(link.organisation_id), user_id=literal(link.user_id)
    )
    found = set(db_session.scalars(select(Product.sku).where(rule)))
    assert found == set(db_session.scalars(select(Product.sku).where(expected.condition())))
    assert len(found) == (3 if own else len(found)) > 0  # own catalogs narrow it to the specials


def test_manufacturers_are_those_of_the_assortments_active_products(db_session: Session) -> None:
    """The manufacturer filter lists each manufacturer of an active product the viewer may see,
    once, by name: not those of inactive products or of products outside the assortment."""
    make_product(db_session, manufacturer_name="Zeta Inactive", active=False)
    make_product(db_session, manufacturer_name="Alpha Elsewhere", catalog=SPECIALS_CATALOG)
    make_product(db_session, manufacturer_name="Mid Maker")
    make_product(db_session, manufacturer_name="Mid Maker")
    make_product(db_session, manufacturer_name=None)
    for number in ("1001", "1002"):
        viewer = assortment.for_customer(db_session, organisation_id=_org(db_session, number).id)
        expected = db_session.scalars(
            select(Product.manufacturer_name)
            .where(Product.active, viewer.condition(), Product.manufacturer_name.is_not(None))
            .distinct()
            .order_by(Product.manufacturer_name)
        ).all()
        found = search.manufacturers(db_session, assortment=viewer)
        assert found == expected
        assert "Mid Maker" in found
        assert "Zeta Inactive" not in found
        assert ("Alpha Elsewhere" in found) == (number == "1001")


def test_the_manufacturer_statement_is_built_once_per_assortment() -> None:
    """Building it cost more than running it, on every catalog page."""
    first, second = (assortment.Assortment(catalog_ids=frozenset(ids)) for ids in ({1}, {1, 2}))
    built = search._manufacturer_names(first)
    assert search._manufacturer_names(assortment.Assortment(catalog_ids=frozenset({1}))) is built
    assert search._manufacturer_names(second) is not built
