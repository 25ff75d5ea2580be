"""Migration 0027: products made before it keep everything and have no pack contents; the
search index's triggers survive (the columns are added in place)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to


def test_products_keep_their_data_and_get_empty_pack_contents(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0026")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, "
                "currency, active, name_nl, description_nl, vat_class) VALUES (1, 'OLD-1', "
                "'Wood screw', '', 'PK', '31161500', 31500, 'EUR', 1, 'Houtschroef', '', "
                "'standard')"
            )
        )
    upgrade_to(engine, "0027")
    with engine.begin() as connection:
        row = connection.execute(
            text("SELECT sku, unit, list_price, pack_quantity, content_unit FROM product")
        ).one()
        connection.execute(
            text(
                "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, "
                "currency, active, name_nl, description_nl, vat_class, pack_quantity) VALUES "
                "(2, 'NEW-1', 'Optical mouse', '', 'EA', '43211708', 100000, 'EUR', 1, '', '', "
                "'standard', 1000)"
            )
        )
        found = connection.execute(
            text("SELECT rowid FROM product_search WHERE product_search MATCH 'mouse'")
        ).all()
    engine.dispose()
    assert tuple(row) == ("OLD-1", "PK", 31500, None, None)
    assert found == [(2,)]
