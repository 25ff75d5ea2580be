"""`order_ingest_ms`: one 1,000-line OrderRequest through the whole stack, in process.

The Flask test client posts to `/cxml` of the gateway as production configures it (no TESTING):
parse, authenticate the demo partner, validate every line against the catalog, check its price
and the customer's assortment (the articles are in the standard catalog at their list price, so
the order is an ordinary received one), persist the order, its lines, the dedup key, the
buyer's version and both message-log entries, commit. Each
run sends a fresh orderID and payloadID; every line carries a SupplierPartAuxiliaryID, as a
punchout cart's lines do. The figure is the median of the timed runs after one warm-up.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, literal, select

from benchmarks.database import BATCH, app_for, database_url, fresh_database
from benchmarks.figures import median_of, report
from gateway import cxml
from gateway.models import Catalog, Product, catalog_product
from gateway.services.demo_catalog import STANDARD_CATALOG

LINES = 1_000
UNIT_PRICE = Decimal("1.25")


def _load_products(engine: object) -> list[str]:
    rows = [
        {
            "sku": f"ORD-{n:05d}",
            "name": f"Order benchmark article {n}",
            "description": "",
            "unit": "EA",
            "unspsc": "44121701",
            "list_price": UNIT_PRICE,
            "currency": "EUR",
            "active": True,
        }
        for n in range(LINES)
    ]
    with engine.begin() as connection:  # type: ignore[attr-defined]
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(Product), rows[start : start + BATCH])
        catalog_id = connection.scalar(select(Catalog.id).where(Catalog.name == STANDARD_CATALOG))
        connection.execute(
            insert(catalog_product).from_select(
                ["catalog_id", "product_id"],
                select(literal(catalog_id), Product.id).where(Product.sku.startswith("ORD-")),
            )
        )
    return [row["sku"] for row in rows]


def order_request(skus: list[str], *, order_id: str, payload_id: str) -> bytes:
    """A NEW OrderRequest from the demo partner with one line per SKU."""
    items = tuple(
        cxml.ItemOut(
            quantity=Decimal(number % 5 + 1),
            item_id=cxml.ItemID(supplier_part_id=sku, supplier_part_auxiliary_id=f"line-{number}"),
            line_number=number,
            requested_delivery_date=date(2026, 12, 1),
            detail=cxml.ItemDetail(
                unit_price=cxml.Money(amount=UNIT_PRICE, currency="EUR"),
                description=f"Article {sku}",
                unit_of_measure="EA",
                classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
            ),
        )
        for number, sku in enumerate(skus, start=1)
    )
    address = cxml.Address(
        address_id="HQ",
        name="Acme Municipality",
        streets=("Main Street 1",),
        city="Amsterdam",
        postal_code="1011 AA",
        country_code="NL",
    )
    total = sum((item.quantity * UNIT_PRICE for item in items), Decimal(0))
    request = cxml.OrderRequest(
        order_id=order_id,
        order_date=datetime.now(UTC),
        type=cxml.OrderRequestType.NEW,
        order_version=None,
        total=cxml.Money(amount=total, currency="EUR"),
        ship_to=address,
        bill_to=address,
        comments="benchmark",
        document_reference=None,
        extrinsics=(cxml.Extrinsic(name="CostCenter", value="4711"),),
        items=items,
    )
    identity = cxml.Credential(domain="NetworkID", identity="AN01000000001")
    header = cxml.Header(
        from_credentials=(identity,),
        to_credentials=(cxml.Credential(domain="DUNS", identity="123456789"),),
        sender_credentials=(
            cxml.Credential(
                domain="NetworkID", identity="AN01000000001", shared_secret="demo-secret"
            ),
        ),
        user_agent="punchout-gateway benchmark",
    )
    return cxml.build(request, header=header, payload_id=payload_id, timestamp=datetime.now(UTC))


def bench_order_ingest(quick: bool) -> None:
    """Median time of a 1,000-line OrderRequest posted to `/cxml` (Flask test client)."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(Path(folder))
        engine = fresh_database(url)
        skus = _load_products(engine)
        engine.dispose()
        app = app_for(url)
        client = app.test_client()
        runs = 5 if quick else 15
        bodies = iter(
            [  # built before timing: the buyer's side is not the gateway's work
                order_request(
                    skus, order_id=f"BENCH-PO-{number}", payload_id=f"{number}.bench@buyer.example"
                )
                for number in range(runs + 1)
            ]
        )

        def send() -> None:
            answer = client.post("/cxml", data=next(bodies), content_type="text/xml")
            if b'code="200"' not in answer.data:
                raise SystemExit(f"the gateway refused the OrderRequest: {answer.data[:300]!r}")

        send()  # warm-up: caches, the first connection, the partner's rows
        seconds = median_of(runs, send)
        app.extensions["gateway.db"].engine.dispose()
    report(
        "order_ingest_ms",
        seconds * 1000,
        "ms",
        f"<= 100 (median of {runs}, {LINES} lines, in-process test client)",
    )
