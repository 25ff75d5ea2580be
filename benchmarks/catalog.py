"""`catalog_search_p95_ms` and `catalog_scale_ratio`: the shop's catalog page at two sizes.

A demo buyer of customer 1001 (own price list, a framework contract, two catalogs as its
assortment) requests `/catalog` through the Flask test client: browsing pages, a category, and
searches for common words, word pairs, part numbers, a unique number and a word nothing matches.
The same mix runs with 1,000 and with 100,000 products in the database, all in the customer's
assortment and every third with a contract price; the ratio of the two p95s says whether the
page's cost grows with the catalog.
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from benchmarks.database import (
    BATCH,
    analyze,
    app_for,
    database_url,
    fresh_database,
    login,
)
from benchmarks.figures import percentile, report
from gateway.models import Catalog, Category, PriceList, PriceListItem, Product, catalog_product
from gateway.services.demo_catalog import STANDARD_CATALOG

SMALL, LARGE = 1_000, 100_000
BUYER = "buyer@1001.demo"
PRICE_LIST = "1001 contract prices"
FAMILIES = (
    "cable",
    "paper",
    "marker",
    "stapler",
    "toner",
    "folder",
    "glove",
    "lamp",
    "tape",
    "box",
)
COLOURS = ("blue", "red", "black", "white", "green")
SIZES = ("small", "medium", "large", "jumbo")


def _queries(products: int) -> list[str]:
    middle = products // 2
    return [
        "/catalog",
        "/catalog?page=3",
        "/catalog?category=it-cabling",
        "/catalog?q=cable",
        "/catalog?q=blue",
        "/catalog?q=toner+black+large",
        "/catalog?q=MPN-0042",
        f"/catalog?q={middle}",
        "/catalog?q=zebra",
        "/catalog?q=screwdriver&page=2",
    ]


def load_products(engine: Engine, *, up_to: int) -> None:
    """Add products until the database holds `up_to`: in the standard catalog, every third with
    a contract price on customer 1001's list."""
    with Session(engine) as session, session.begin():
        first = session.scalar(select(func.count(Product.id))) or 0
        catalog_id = session.scalar(select(Catalog.id).where(Catalog.name == STANDARD_CATALOG))
        price_list_id = session.scalar(select(PriceList.id).where(PriceList.name == PRICE_LIST))
        categories = list(
            session.scalars(select(Category.id).where(Category.parent_id.is_not(None)))
        )
        newest = session.scalar(select(func.max(Product.id))) or 0
        for start in range(first, up_to, BATCH):
            numbers = range(start, min(start + BATCH, up_to))
            session.execute(insert(Product), [_product(n, categories) for n in numbers])
        added = session.execute(
            select(Product.id, Product.list_price).where(Product.id > newest).order_by(Product.id)
        ).all()
        for start in range(0, len(added), BATCH):
            batch = added[start : start + BATCH]
            session.execute(
                insert(catalog_product),
                [{"catalog_id": catalog_id, "product_id": pid} for pid, _ in batch],
            )
            prices = [
                {
                    "price_list_id": price_list_id,
                    "product_id": pid,
                    "min_quantity": Decimal(1),
                    "unit_price": (price * Decimal("0.9")).quantize(Decimal("0.01")),
                }
                for pid, price in batch
                if pid % 3 == 0
            ]
            if prices:
                session.execute(insert(PriceListItem), prices)
    analyze(engine)


def _product(n: int, categories: list[int]) -> dict[str, object]:
    family, colour, size = FAMILIES[n % 10], COLOURS[n % 5], SIZES[(n // 5) % 4]
    return {
        "sku": f"CAT-{n:06d}",
        "name": f"{family.title()} {colour} {size} {n}",
        "name_nl": "",
        "description": f"A {size} {colour} {family} for the benchmark catalog.",
        "description_nl": "",
        "unit": "EA",
        "unspsc": "44121701",
        "manufacturer_name": "Benchmark",
        "manufacturer_part_id": f"MPN-{n % 10_000:04d}",
        "list_price": Decimal(n % 997 + 100) / 100,
        "currency": "EUR",
        "active": True,
        "vat_class": "standard",
        "category_id": categories[n % len(categories)],
    }


def _p95(client: FlaskClient, queries: list[str], rounds: int) -> float:
    for url in queries:  # warm-up: templates, statement caches
        client.get(url)
    latencies = []
    for _ in range(rounds):
        for url in queries:
            started = time.perf_counter()
            answer = client.get(url)
            latencies.append(time.perf_counter() - started)
            if answer.status_code != 200:  # noqa: PLR2004 - the page must render
                raise SystemExit(f"{url} answered {answer.status_code}")
    return percentile(latencies, 0.95) * 1000


def bench_catalog(quick: bool) -> None:
    """p95 of the catalog page at 100,000 products, and its ratio to the p95 at 1,000."""
    rounds = 10 if quick else 30
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(Path(folder))
        engine = fresh_database(url)
        app = app_for(url)
        client = app.test_client()
        login(client, BUYER)
        load_products(engine, up_to=SMALL)
        small = _p95(client, _queries(SMALL), rounds)
        load_products(engine, up_to=LARGE)
        app.extensions["gateway.db"].engine.dispose()  # fresh connections read the new statistics
        large = _p95(client, _queries(LARGE), rounds)
        app.extensions["gateway.db"].engine.dispose()
        engine.dispose()
    report("catalog_search_p95_1k_ms", small, "ms", "informational")
    report("catalog_search_p95_ms", large, "ms", "<= 30 (100,000 products, shop page)")
    report("catalog_scale_ratio", large / small, "ratio", "<= 1.5 (p95 100,000 / 1,000)")
