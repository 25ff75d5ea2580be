"""Migration 0028 gives PostgreSQL's search a stored column of each product's search words with
a GIN index in place of the index on the expression; on SQLite it changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from gateway.engines import make_engine
from gateway.migrate import alembic_config, upgrade_to


def _index_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(
            connection.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'product'"))
        )


def test_sqlite_keeps_its_fts5_table(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0028")
    assert "search_words" not in {
        column["name"] for column in inspect(engine).get_columns("product")
    }
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM product_search")) == 0
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_stores_the_search_words_of_existing_and_new_products(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only (GATEWAY_TEST_DATABASE_URL)")
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0027")
    assert "ix_product_search" in _index_names(engine)
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), "0028")
    indexes = _index_names(engine)
    assert "ix_product_search_words" in indexes
    assert "ix_product_search" not in indexes
    with engine.connect() as connection:
        definition = connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_product_search_words'")
        )
        assert definition is not None
        assert "gin (search_words)" in definition
        assert "fastupdate=off" in definition.replace(" ", "")
        # existing products were filled; a changed product's words follow its texts
        words = "SELECT sku FROM product WHERE search_words @@ to_tsquery('simple', :query)"
        assert connection.scalar(text(words), {"query": "demo:* & 0001:*"}) == "DEMO-0001"
        connection.execute(text("UPDATE product SET name = 'Zebra pen' WHERE sku = 'DEMO-0001'"))
        assert connection.scalar(text(words), {"query": "zebr:*"}) == "DEMO-0001"
        connection.rollback()  # the shared test database keeps its demo product
