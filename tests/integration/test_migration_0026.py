"""Migration 0026 adds the index the manufacturer filter walks, and changes no data."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to


def test_the_manufacturer_index_is_added_and_products_stay(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0025")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, "
                "currency, active, manufacturer_name) VALUES (1, 'OLD-1', 'Old', '', 'EA', "
                "'44121701', 1.00, 'EUR', 1, 'Maker')"
            )
        )
    upgrade_to(engine, "0026")
    indexes = {
        index["name"]: index["column_names"] for index in inspect(engine).get_indexes("product")
    }
    assert indexes["ix_product_manufacturer_name"] == ["manufacturer_name"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT sku, manufacturer_name FROM product")).all() == [
            ("OLD-1", "Maker")
        ]
    engine.dispose()
