"""`_sets`: a large order's membership tests and bulk inserts give what IN and INSERT give, on
either engine (PostgreSQL: one bound array and COPY)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.orm import Session

from gateway.db import UTCDateTime
from gateway.models import Catalog, ProblemKind, Product, catalog_product
from gateway.models.catalog import PRICE
from gateway.services.ordering._sets import insert_rows, one_of
from tests.factories import make_product


def test_one_of_finds_exactly_the_values_also_when_its_statement_is_reused(
    db_session: Session,
) -> None:
    skus = [make_product(db_session).sku for _ in range(3)]
    db_session.flush()

    def found(values: list[str]) -> set[str]:  # the same statement, from the cache after once
        return set(db_session.scalars(select(Product.sku).where(one_of(Product.sku, values))))

    assert found([*skus[:2], "NO-SUCH-SKU"]) == set(skus[:2])
    assert found(skus[2:]) == {skus[2]}
    assert found([]) == set()


def test_insert_rows_stores_what_an_insert_stores(db_session: Session) -> None:
    table = Table(
        "sets_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("batch", Integer),
        Column("amount", PRICE),
        Column("kind", String(20)),
        Column("at", UTCDateTime),
        Column("data", JSON),
        Column("note", Text, nullable=True),
    )
    table.create(db_session.connection())
    rows = [
        {
            "amount": Decimal("1234.5678"),
            "kind": ProblemKind.NOT_IN_ASSORTMENT,
            "at": datetime(2026, 12, 4, 13, 0, 1, 250_000, tzinfo=UTC),
            "data": {"name": 'Tab\there, "quoted" and \\ back', "lines": [1, "2.50", None]},
            "note": "line\nbreak",
        },
        {
            "amount": Decimal(0),
            "kind": ProblemKind.TOTAL,
            "at": datetime(2026, 1, 1, tzinfo=UTC),
            "data": [],
            "note": None,
        },
    ]
    insert_rows(db_session, table, [{"batch": 1, **row} for row in rows])
    db_session.execute(insert(table), [{"batch": 2, **row} for row in rows])
    stored = {
        batch: [row[2:] for row in db_session.execute(select(table).where(table.c.batch == batch))]
        for batch in (1, 2)
    }
    assert stored[1] == stored[2]
    assert stored[1][0][0] == Decimal("1234.5678")
    assert stored[1][0][1] == "not_in_assortment"


def test_insert_rows_first_flushes_pending_changes_as_execute_does(db_session: Session) -> None:
    catalog_id = make_product(db_session).id and db_session.scalar(select(Catalog.id))
    pending = Product(
        id=987_654, sku="SETS-PENDING", name="Pending", unit="EA", unspsc="", list_price=1
    )
    db_session.add(pending)  # not flushed: the row below refers to it by its key
    insert_rows(db_session, catalog_product, [{"catalog_id": catalog_id, "product_id": pending.id}])
    assert (
        db_session.scalar(
            select(catalog_product.c.catalog_id).where(catalog_product.c.product_id == pending.id)
        )
        == catalog_id
    )
