"""The hot paths cost a fixed number of SQL statements, whatever the size of what they handle:
an OrderRequest's lines, a catalog page's products, a cart's lines (no query per line)."""

from __future__ import annotations

import dataclasses
import json

from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.models import BuyerOrder, BuyerOrderVersion
from tests import buyer, shop
from tests.factories import make_product
from tests.integration.test_cxml_punchout import post_cxml
from tests.statements import counted


def _order(skus: list[str], order_id: str) -> bytes:
    return buyer.order_request(
        order_id=order_id,
        payload_id=f"{order_id}@buyer.example",
        items=tuple(
            (sku, f"spaid-{n}" if n % 2 else None, str(n % 4 + 1), "1.10")
            for n, sku in enumerate(skus)
        ),
    )


def test_an_order_request_costs_the_same_statements_at_20_and_200_lines(
    client: FlaskClient, connection: Connection, db_session: Session
) -> None:
    skus = [make_product(db_session).sku for _ in range(200)]
    db_session.commit()
    post_cxml(client, _order(skus[:3], "PO-WARM"))  # first-use lookups (partner settings) aside
    sizes = {}
    for lines in (20, 200):
        with counted(connection) as statements:
            answer = post_cxml(client, _order(skus[:lines], f"PO-{lines}"))
        assert buyer.status_of(answer) == (200, "OK")
        sizes[lines] = len(statements)
    assert sizes[20] == sizes[200] <= 28  # SQLite; on PostgreSQL 26 (COPY is not counted)


def test_stored_order_content_is_what_it_always_was(
    client: FlaskClient, db_session: Session
) -> None:
    """The content digest decides whether a re-sent orderID is the same order: its input must
    not change between versions (it is the dataclasses' JSON, as `asdict` gave it)."""
    body = _order([f"DEMO-{n:04d}" for n in range(1, 6)], "PO-CONTENT")
    post_cxml(client, body)
    version = db_session.scalars(
        select(BuyerOrderVersion).join(BuyerOrder).where(BuyerOrder.buyer_order_id == "PO-CONTENT")
    ).one()
    data = dataclasses.asdict(cxml.parse(body).payload)
    del data["type"], data["document_reference"]
    assert version.content == json.loads(json.dumps(data, default=str, sort_keys=True))


def test_a_catalog_page_costs_the_same_statements_for_1_and_48_products(
    client: FlaskClient, connection: Connection
) -> None:
    shop.login(client, "buyer@1001.demo")
    client.get("/catalog")
    sizes = {}
    for url, shown in (("/catalog?q=PAP-1507-03", 1), ("/catalog", 48)):
        with counted(connection) as statements:
            page = client.get(url)
        assert page.text.count("<tr data-sku=") == shown
        sizes[shown] = len(statements)
    assert sizes[1] == sizes[48]


def test_a_cart_page_costs_the_same_statements_for_1_and_12_lines(
    client: FlaskClient, connection: Connection
) -> None:
    shop.login(client, "buyer@1001.demo")
    sizes = {}
    for number in range(1, 13):
        shop.post(client, "/cart/items", {"sku": f"DEMO-{number:04d}", "quantity": "10"})
        if number in (1, 12):
            with counted(connection) as statements:
                page = client.get("/cart")
            assert page.text.count("data-sku=") >= number
            sizes[number] = len(statements)
    assert sizes[1] == sizes[12]
