"""`funnel_page_ms` and `funnel_scale_ratio`: the punchout funnel page at 1,000 and 5,000 punchouts.

The demo admin requests `/admin/funnel` (the default: the last 30 days by week) and the same
range by day through the Flask test client. Punchouts of the demo cXML and OCI partners are
spread over those 30 days as real ones end: 85 % open their StartPage, half return a cart of two
lines, and a third of the returned carts get a purchase order, two of three traced to their
session by the intake and one of three matched by a line's SupplierPartAuxiliaryID only. The
ratio of the two medians says how the page's cost grows with the number of punchouts it counts.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from benchmarks.database import BATCH, analyze, app_for, database_url, fresh_database, login
from benchmarks.figures import median_of, report
from gateway.models import (
    BuyerOrder,
    Cart,
    CartLine,
    Order,
    OrderLine,
    Product,
    PunchOutSession,
    TradingPartner,
    User,
)

SMALL, LARGE = 1_000, 5_000
ADMIN = "admin@supplier.demo"
PAGES = ("/admin/funnel", "/admin/funnel?period=day")
DAYS = 30
OPENED_OF_20 = 17  # 85 % of the punchouts open their StartPage


def _rows(n: int, ids: dict[str, Any], now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The rows of punchout number `n`: its session, cart, cart lines and perhaps its order."""
    partner_id, organisation_id = ids["oci"] if n % 5 == 0 else ids["cxml"]
    created = now - timedelta(days=n % DAYS, minutes=n % 600 + 5)
    opened = n % 20 < OPENED_OF_20
    returned = opened and n % 2 == 0
    ordered = returned and n % 3 == 0
    session_id, order_id = ids["session"] + n, ids["order"] + n
    rows: dict[str, list[dict[str, Any]]] = {
        "session": [
            {
                "id": session_id,
                "partner_id": partner_id,
                "organisation_id": organisation_id,
                "user_id": ids["user"],
                "operation": "create",
                "buyer_cookie": f"bench-{n}",
                "return_url": "http://127.0.0.1/tools/simulator/receive",
                "payload_id": f"bench-{n}@buyer.example",
                "buyer_credentials": [],
                "token_digest": f"bench-{n}",
                "token_expires_at": created + timedelta(minutes=5),
                "redeemed_at": created + timedelta(minutes=1) if opened else None,
                "status": "transferred" if returned else ("active" if opened else "pending"),
                "created_at": created,
                "ended_at": created + timedelta(minutes=12) if returned else None,
                "deployment_mode": "production",
                "cart_value": Decimal("24.60") if returned else None,
                "cart_lines": 2 if returned else None,
            }
        ],
        "cart": [
            {
                "id": ids["cart"] + n,
                "organisation_id": organisation_id,
                "user_id": ids["user"],
                "punchout_session_id": session_id,
                "status": "transferred" if returned else "open",
                "created_at": created,
            }
        ],
        "cart_line": [
            {
                "cart_id": ids["cart"] + n,
                "product_id": ids["product"],
                "quantity": Decimal(2),
                "aux_id": f"bench-{n}-{k}",
            }
            for k in range(2 if opened and n % 4 != 1 else 0)
        ],
        "order": [],
        "buyer_order": [],
        "order_line": [],
    }
    if ordered:
        placed = created + timedelta(hours=n % 48 + 1)
        rows["order"].append(
            {
                "id": order_id,
                "number": f"BENCH-{n:07d}",
                "organisation_id": organisation_id,
                "source": "cxml",
                "deployment_mode": "production",
                "status": "received",
                "currency": "EUR",
                "net_total": Decimal("24.60"),
                "tax_total": Decimal(0),
                "shipping_total": Decimal(0),
                "comment": "",
                "placed_at": min(placed, now),
            }
        )
        rows["buyer_order"].append(
            {
                "order_id": order_id,
                "partner_id": partner_id,
                "buyer_order_id": f"PO-BENCH-{n}",
                "order_date": placed,
                "order_version": 1,
                "payload_id": f"po-bench-{n}@buyer.example",
                "content_digest": "0" * 64,
                "punchout_session_id": session_id if n % 9 else None,  # else: by SPAID only
                "extrinsics": [],
                "comments": "",
            }
        )
        rows["order_line"].append(
            {
                "order_id": order_id,
                "line_number": 1,
                "product_id": ids["product"],
                "sku": "DEMO-0001",
                "aux_id": f"bench-{n}-0",
                "description": "Benchmark line",
                "unit": "EA",
                "quantity": Decimal(2),
                "unit_price": Decimal("12.30"),
                "net_amount": Decimal("24.60"),
                "vat_rate": Decimal(0),
            }
        )
    return rows


def _ids(session: Session) -> dict[str, Any]:
    def partner(name: str) -> tuple[int, int]:
        found = session.execute(
            select(TradingPartner.id, TradingPartner.organisation_id).where(
                TradingPartner.name == name
            )
        ).one()
        return found[0], found[1]

    return {
        "cxml": partner("demo-cxml"),
        "oci": partner("demo-oci"),
        "user": session.scalars(select(User.id).where(User.email == "buyer@1001.demo")).one(),
        "product": session.scalars(select(Product.id).where(Product.sku == "DEMO-0001")).one(),
        "session": (session.scalar(select(func.max(PunchOutSession.id))) or 0) + 1_000_000,
        "cart": (session.scalar(select(func.max(Cart.id))) or 0) + 1_000_000,
        "order": (session.scalar(select(func.max(Order.id))) or 0) + 1_000_000,
    }


def _load(engine: Engine, ids: dict[str, Any], *, first: int, up_to: int, now: datetime) -> None:
    """Add punchouts `first` … `up_to` - 1 with their carts and orders."""
    tables = {
        "session": PunchOutSession,
        "cart": Cart,
        "cart_line": CartLine,
        "order": Order,
        "buyer_order": BuyerOrder,
        "order_line": OrderLine,
    }
    with Session(engine) as session, session.begin():
        collected: dict[str, list[dict[str, Any]]] = {name: [] for name in tables}
        for n in range(first, up_to):
            for name, rows in _rows(n, ids, now).items():
                collected[name] += rows
        for name, model in tables.items():
            rows = collected[name]
            for start in range(0, len(rows), BATCH):
                session.execute(insert(model), rows[start : start + BATCH])
    analyze(engine)


def _median_ms(client: FlaskClient, runs: int) -> float:
    def request_pages() -> None:
        for path in PAGES:
            answer = client.get(path)
            if answer.status_code != 200 or "data-funnel-chart" not in answer.text:  # noqa: PLR2004
                raise SystemExit(f"{path} answered {answer.status_code}")

    request_pages()  # warm: templates compiled, statements cached
    return median_of(runs, request_pages) * 1000 / len(PAGES)


def bench_funnel(quick: bool) -> None:
    """The funnel page's median at 5,000 punchouts, and its ratio to the median at 1,000."""
    runs = 10 if quick else 30
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(Path(folder))
        engine = fresh_database(url)
        app = app_for(url)
        client = app.test_client()
        login(client, ADMIN)
        with Session(engine) as session:
            ids = _ids(session)
        _load(engine, ids, first=0, up_to=SMALL, now=now)
        small = _median_ms(client, runs)
        _load(engine, ids, first=SMALL, up_to=LARGE, now=now)
        app.extensions["gateway.db"].engine.dispose()  # fresh connections read the new statistics
        large = _median_ms(client, runs)
        app.extensions["gateway.db"].engine.dispose()
        engine.dispose()
    report("funnel_page_1k_ms", small, "ms", "informational")
    report("funnel_page_ms", large, "ms", "<= 500 (5,000 punchouts in 30 days, one page)")
    report("funnel_scale_ratio", large / small, "ratio", "<= 2 (median 5,000 / 1,000 punchouts)")
