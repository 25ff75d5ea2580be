"""Catalog search on 100,000 products: the index against a plain LIKE scan, as a ratio.

.venv/bin/python benchmarks/search.py            # SQLite file in a temporary folder
GATEWAY_BENCH_DATABASE_URL=postgresql://... .venv/bin/python benchmarks/search.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, or_, select, text
from sqlalchemy.orm import Session

from gateway.db import Base
from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.models import Product
from gateway.services.catalog import assortment, search

PRODUCTS = 100_000
WORDS = ("pen", "paper", "file", "mouse", "cable", "glove", "screw", "lamp", "box", "cloth")
QUERIES = ("cable blue", "PRT-0420", "zebra", "mouse 9999")


def _fill(session: Session) -> None:
    rows = [
        {
            "sku": f"BENCH-{n:06d}",
            "name": f"{WORDS[n % 10]} {('blue', 'red', 'black')[n % 3]} {n}",
            "name_nl": "",
            "description": f"A {WORDS[(n * 7) % 10]} for benchmarking, number {n}.",
            "description_nl": "",
            "unit": "EA",
            "unspsc": "44121701",
            "manufacturer_part_id": f"PRT-{n % 10000:04d}",
            "list_price": Decimal(1),
            "currency": "EUR",
            "active": True,
            "vat_class": "standard",
        }
        for n in range(PRODUCTS)
    ]
    for start in range(0, PRODUCTS, 10_000):
        session.execute(insert(Product), rows[start : start + 10_000])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE product"))  # as autovacuum would after a bulk load
        session.commit()


def _like(session: Session, query: str) -> int:
    conditions = [
        or_(
            func.lower(Product.sku).like(f"%{word}%"),
            func.lower(Product.name).like(f"%{word}%"),
            func.lower(Product.manufacturer_part_id).like(f"%{word}%"),
            func.lower(Product.description).like(f"%{word}%"),
        )
        for word in query.lower().split()
    ]
    return session.scalar(select(func.count(Product.id)).where(*conditions)) or 0


def _time(call: object, repeat: int = 5) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        call()  # type: ignore[operator]
    return (time.perf_counter() - started) / repeat


def main() -> None:
    """Print, per query, the indexed search time as a fraction of a LIKE scan."""
    url = os.environ.get("GATEWAY_BENCH_DATABASE_URL")
    folder = tempfile.mkdtemp()
    engine = make_engine(url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    with Session(engine) as session:
        _fill(session)
        everything = assortment.Assortment(catalog_ids=None)
        for query in QUERIES:
            indexed = _time(
                lambda q=query: search.search_products(session, assortment=everything, query=q)
            )
            scan = _time(lambda q=query: _like(session, q))
            sys.stdout.write(
                f"{engine.dialect.name} {query!r}: index/LIKE = {indexed / scan:.2f}\n"
            )
    engine.dispose()


if __name__ == "__main__":
    main()
