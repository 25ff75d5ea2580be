"""`/api/v1/products` and prices: list, get, create/update by SKU and deactivate products with the
catalog import's rules; a customer's contract prices; the bulk upsert of a price list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ApiToken, AuditEntry, Category, PriceList, PriceListItem, Product
from tests.api import bearer, make_token

PEN = {"name": "API pen", "unit": "EA", "unspsc": "44121701", "list_price": "1.25"}


def call(client: FlaskClient, method: str, path: str, token: str, body: object = None) -> Any:
    answer = client.open(path, method=method, headers=bearer(token), json=body)
    return answer.status_code, answer.json


def test_list_and_get_products(client: FlaskClient, db_session: Session) -> None:
    token = make_token(db_session, "catalog:read")
    seen: list[str] = []
    path = "/api/v1/products?limit=7"
    while True:
        status, page = call(client, "GET", path, token)
        assert status == 200, page
        seen += [item["sku"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        path = f"/api/v1/products?limit=7&cursor={page['next_cursor']}"
    everything = db_session.scalars(select(Product.sku)).all()
    assert sorted(seen) == sorted(everything)
    status, product = call(client, "GET", "/api/v1/products/DEMO-0001", token)
    assert (status, product["sku"], product["unit"]) == (200, "DEMO-0001", "EA")
    assert call(client, "GET", "/api/v1/products/NOPE-1", token)[0] == 404
    assert call(client, "GET", "/api/v1/products/%20", token)[0] == 404


def test_create_update_and_deactivate_by_sku_audited(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "catalog:read", "catalog:write")
    status, created = call(client, "PUT", "/api/v1/products/API-1", token, PEN)
    assert status == 201, created
    assert (created["list_price"], created["active"], created["vat_class"]) == (
        "1.25",
        True,
        "standard",
    )
    category = db_session.scalars(select(Category)).first()
    assert category is not None
    product = db_session.scalars(select(Product).where(Product.sku == "API-1")).one()
    product.category_id = category.id
    db_session.commit()
    status, updated = call(
        client,
        "PUT",
        "/api/v1/products/API-1",
        token,
        {**PEN, "list_price": "1.3", "name_nl": "Pen"},
    )
    assert (status, updated["list_price"], updated["name_nl"]) == (200, "1.3", "Pen")
    db_session.expire_all()
    assert product.category_id == category.id  # the import's category stays
    status, gone = call(client, "DELETE", "/api/v1/products/API-1", token)
    assert (status, gone["active"]) == (200, False)
    token_user = db_session.scalars(select(ApiToken.user_id)).one()
    actions = db_session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.actor_id == token_user, AuditEntry.subject == "API-1")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["product.save", "product.save", "product.deactivate"]


def test_product_refusals_name_the_field_or_scope(client: FlaskClient, db_session: Session) -> None:
    reader = make_token(db_session, "catalog:read", name="reader")
    writer = make_token(db_session, "catalog:write", name="writer")
    orders = make_token(db_session, "orders:read", name="orders")
    status, problem = call(client, "PUT", "/api/v1/products/API-2", writer, {**PEN, "unit": "each"})
    assert status == 422
    assert [error["field"] for error in problem["errors"]] == ["unit"]
    status, problem = call(client, "PUT", "/api/v1/products/API-2", writer, {"name": "x"})
    assert status == 422
    assert {error["field"] for error in problem["errors"]} == {"unit", "unspsc", "list_price"}
    assert call(client, "PUT", "/api/v1/products/API-2", reader, PEN)[0] == 403
    assert call(client, "GET", "/api/v1/products", orders)[0] == 403
    assert call(client, "DELETE", "/api/v1/products/NOPE-1", writer)[0] == 404


def test_a_repeated_put_with_its_key_is_answered_once(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "catalog:write")
    headers = bearer(token) | {"Idempotency-Key": "k1"}
    first = client.put("/api/v1/products/API-3", headers=headers, json=PEN)
    again = client.put("/api/v1/products/API-3", headers=headers, json=PEN)
    assert first.status_code == again.status_code == 201  # the kept answer, not a 200 update
    assert first.json == again.json
    other = client.put("/api/v1/products/API-3", headers=headers, json={**PEN, "name": "Other"})
    assert other.status_code == 409


def test_a_customers_contract_prices_and_tiers(client: FlaskClient, db_session: Session) -> None:
    token = make_token(db_session, "catalog:read")
    limited = make_token(db_session, "catalog:read", name="globex", customers=["1002"])
    status, page = call(client, "GET", "/api/v1/customers/1001/prices?limit=1000", token)
    assert status == 200
    tiers = [
        (item["min_quantity"], item["unit_price"])
        for item in page["items"]
        if item["sku"] == "DEMO-0001"
    ]
    assert tiers == [("1", "0.77"), ("10", "0.69")]
    assert call(client, "GET", "/api/v1/customers/1001/prices", limited)[0] == 404
    assert call(client, "GET", "/api/v1/customers/9999/prices", token)[0] == 404


def test_bulk_upsert_of_a_price_list(client: FlaskClient, db_session: Session) -> None:
    token = make_token(db_session, "catalog:write")
    name = db_session.scalars(select(PriceList.name)).first()
    assert name is not None
    items = [
        {"sku": "DEMO-0003", "min_quantity": "1", "unit_price": "0.5"},
        {"sku": "DEMO-0003", "min_quantity": "50", "unit_price": "0.45"},
    ]
    status, result = call(
        client, "PUT", f"/api/v1/price-lists/{name}/items", token, {"items": items}
    )
    assert (status, result) == (200, {"created": 2, "updated": 0})
    items[1]["unit_price"] = "0.4"
    status, result = call(
        client, "PUT", f"/api/v1/price-lists/{name}/items", token, {"items": items}
    )
    assert (status, result) == (200, {"created": 0, "updated": 2})
    prices = db_session.scalars(
        select(PriceListItem.unit_price)
        .join(Product, Product.id == PriceListItem.product_id)
        .where(Product.sku == "DEMO-0003", PriceListItem.min_quantity == Decimal(50))
    ).all()
    assert prices == [Decimal("0.4")]
    unknown = [*items, {"sku": "NOPE-9", "unit_price": "1"}]
    status, problem = call(
        client, "PUT", f"/api/v1/price-lists/{name}/items", token, {"items": unknown}
    )
    assert (status, problem["detail"]) == (404, "No product NOPE-9.")
    assert call(client, "PUT", "/api/v1/price-lists/nope/items", token, {"items": items})[0] == 404
    assert call(client, "PUT", f"/api/v1/price-lists/{name}/items", token, {"items": []})[0] == 422
