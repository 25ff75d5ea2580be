"""`/api/v1/orders`: the feed with filters and cursors, one order in full, and the status actions
through the order desk's services, audited under the token's name; each refusal as a problem."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.models import ApiToken, AuditEntry, Order, Organisation, OutboxMessage
from gateway.services import demo_orders
from tests.api import bearer, make_token

PROBLEM = "application/problem+json"


@pytest.fixture
def numbers(db_session: Session) -> dict[str, str]:
    """The demo desk orders of customer 1001 by state, one moved to customer 1002 (`other`)."""
    demo_orders.seed_orders(db_session)
    found = {
        order.buyer_reference: order.number
        for order in db_session.scalars(select(Order).where(Order.source == "cxml"))
    }
    by_state = {
        "received": found["PO-DEMO-RECEIVED"],
        "on_hold": found["PO-DEMO-ON-HOLD"],
        "confirmed": found["PO-DEMO-CONFIRMED"],
        "shipped": found["PO-DEMO-SHIPPED"],
        "other": found["PO-DEMO-INVOICED"],
    }
    globex = db_session.scalars(select(Organisation).where(Organisation.number == "1002")).one()
    db_session.execute(
        update(Order).where(Order.number == by_state["other"]).values(organisation_id=globex.id)
    )
    db_session.commit()
    return by_state


def get(client: FlaskClient, path: str, token: str, **query: str) -> Any:
    answer = client.get(path, headers=bearer(token), query_string=query)
    return answer.status_code, answer.json


def post(client: FlaskClient, path: str, token: str, body: object, key: str = "") -> Any:
    headers = bearer(token) | ({"Idempotency-Key": key} if key else {})
    answer = client.post(path, headers=headers, json=body)
    return answer.status_code, answer.json


def test_an_orders_read_token_lists_customer_1001_and_others_are_refused(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    reader = make_token(db_session, "orders:read", name="reader")
    catalog = make_token(db_session, "catalog:read", name="catalog")
    status, page = get(client, "/api/v1/orders", reader, customer="1001")
    assert status == 200
    assert {item["customer"] for item in page["items"]} == {"1001"}
    assert numbers["received"] in {item["number"] for item in page["items"]}
    assert numbers["other"] not in {item["number"] for item in page["items"]}

    assert client.get("/api/v1/orders?customer=1001").status_code == 401
    assert client.get("/api/v1/orders", headers=bearer(reader + "x")).status_code == 401
    forbidden = client.get("/api/v1/orders", headers=bearer(catalog))
    assert forbidden.status_code == 403
    assert forbidden.mimetype == PROBLEM
    assert forbidden.json is not None
    assert forbidden.json["detail"] == "This token lacks the scope orders:read."


def test_filters_and_cursor_pages(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:read")
    reader = make_token(db_session, "catalog:read", name="catalog-reader")
    seen: list[str] = []
    cursor = ""
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page = get(client, "/api/v1/orders", token, **query)
        assert status == 200
        assert len(page["items"]) <= 2
        seen += [item["number"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen))
    assert set(numbers.values()) <= set(seen)

    _, held = get(client, "/api/v1/orders", token, status="on_hold")
    assert [item["number"] for item in held["items"]] == [numbers["on_hold"]]
    _, shop = get(client, "/api/v1/orders", token, source="shop", customer="1001")
    assert not {item["number"] for item in shop["items"]} & set(numbers.values())
    _, later = get(client, "/api/v1/orders", token, updated_since="2026-11-05T00:00:00+00:00")
    assert numbers["received"] not in {item["number"] for item in later["items"]}
    assert numbers["shipped"] in {item["number"] for item in later["items"]}

    # a cursor past every id is an empty last page, on PostgreSQL's integer keys too
    for path in ("/api/v1/orders", "/api/v1/products", "/api/v1/customers/1001/prices"):
        status, page = get(client, path, token if "orders" in path else reader, cursor="9" * 18)
        assert (status, page["items"], page["next_cursor"]) == (200, [], None), path


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-11-05T00:00:00"}, "updated_since"),  # no offset
        ({"cursor": "bm9wZQ=="}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_wrong_filter_is_a_422_naming_the_field(
    client: FlaskClient, db_session: Session, query: dict[str, str], field: str
) -> None:
    token = make_token(db_session, "orders:read")
    answer = client.get("/api/v1/orders", headers=bearer(token), query_string=query)
    assert answer.status_code == 422
    assert answer.mimetype == PROBLEM
    assert answer.json is not None
    assert field in answer.json["detail"]
    assert [error["field"] for error in answer.json["errors"]] == [field]


def test_one_order_with_lines_addresses_and_trail(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:read")
    status, order = get(client, f"/api/v1/orders/{numbers['shipped']}", token)
    assert status == 200
    assert order["customer"] == "1001"
    assert [line["line_number"] for line in order["lines"]] == [1, 2]
    assert all(line["shipped"] == line["quantity"] for line in order["lines"])
    assert order["ship_to"]["city"]
    assert order["trail"][0]["document_type"] == "OrderRequest"
    assert [change["status"] for change in order["history"]][-1] == "shipped"
    assert order["actions"] == []  # a reading token may take no action
    missing = client.get("/api/v1/orders/2026-999999", headers=bearer(token))
    assert missing.status_code == 404
    assert missing.mimetype == PROBLEM


def test_a_token_limited_to_a_customer_sees_no_other(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:read", "orders:write", customers=["1001"])
    _, page = get(client, "/api/v1/orders", token)
    assert {item["customer"] for item in page["items"]} == {"1001"}
    assert get(client, f"/api/v1/orders/{numbers['other']}", token)[0] == 404
    assert post(client, f"/api/v1/orders/{numbers['other']}/invoice", token, {})[0] == 404
    assert get(client, "/api/v1/orders", token, customer="1002")[1]["items"] == []


def audit_rows(session: Session, number: str) -> list[tuple[str, str]]:
    session.expire_all()
    token_user = session.scalars(select(ApiToken.user_id).where(ApiToken.name == "erp")).one()
    return [
        (entry.action, entry.note)
        for entry in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.subject == number, AuditEntry.actor_id == token_user)
            .order_by(AuditEntry.id)
        )
    ]


def test_confirm_ship_and_invoice_through_the_desk_audited_under_the_token(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:write")
    number = numbers["received"]
    status, order = post(
        client,
        f"/api/v1/orders/{number}/confirm",
        token,
        {"changes": [{"line_number": 2, "quantity": "5", "delivery_date": "2026-12-01"}]},
    )
    assert status == 200, order
    assert order["status"] == "confirmed"
    assert order["lines"][1]["confirmed_quantity"] == "5"
    status, order = post(
        client,
        f"/api/v1/orders/{number}/ship",
        token,
        {
            "carrier": "DHL",
            "tracking_number": "JD1",
            "lines": [{"line_number": 1, "quantity": "4"}],
        },
    )
    assert status == 200, order
    assert order["status"] == "partially_shipped"
    assert [line["shipped"] for line in order["lines"]] == ["4", "0"]
    status, order = post(client, f"/api/v1/orders/{number}/invoice", token, {})
    assert status == 200, order
    assert order["lines"][0]["invoiced"] == "4"
    assert [action for action, _note in audit_rows(db_session, number)] == [
        "order.confirm",
        "order.ship",
        "order.invoice",
    ]
    order_id = db_session.scalars(select(Order.id).where(Order.number == number)).one()
    documents = db_session.scalars(
        select(OutboxMessage.document_type).where(OutboxMessage.order_id == order_id)
    ).all()
    assert {"ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"} <= set(documents)


def test_release_and_reject(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:write")
    status, order = post(client, f"/api/v1/orders/{numbers['on_hold']}/release", token, {})
    assert (status, order["status"]) == (200, "received")
    status, order = post(
        client, f"/api/v1/orders/{numbers['on_hold']}/reject", token, {"reason": "Out of stock"}
    )
    assert (status, order["status"]) == (200, "rejected")
    assert ("order.reject", "Out of stock") in audit_rows(db_session, numbers["on_hold"])


def test_refusals_of_actions(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    reader = make_token(db_session, "orders:read", name="reader")
    writer = make_token(db_session, "orders:write")
    number = numbers["shipped"]
    assert post(client, f"/api/v1/orders/{number}/confirm", reader, {})[0] == 403
    status, problem = post(client, f"/api/v1/orders/{number}/confirm", writer, {})
    assert status == 422
    assert problem["detail"] == f"Order {number} is shipped; it cannot be confirmed."
    status, problem = post(client, f"/api/v1/orders/{number}/ship", writer, {"carrier": "DHL"})
    assert status == 422
    assert [error["field"] for error in problem["errors"]] == ["tracking_number"]
    assert post(client, f"/api/v1/orders/{number}/reject", writer, {"reason": ""})[0] == 422
    assert post(client, f"/api/v1/orders/{number}/release", writer, {"why": 1})[0] == 422


def test_the_same_idempotency_key_replays_and_another_body_conflicts(
    client: FlaskClient, db_session: Session, numbers: dict[str, str]
) -> None:
    token = make_token(db_session, "orders:write")
    number = numbers["confirmed"]
    body = {"carrier": "DHL", "tracking_number": "JD7"}
    first = post(client, f"/api/v1/orders/{number}/ship", token, body, key="ship-1")
    again = post(client, f"/api/v1/orders/{number}/ship", token, body, key="ship-1")
    assert first[0] == again[0] == 200
    assert first[1] == again[1]
    assert [action for action, _ in audit_rows(db_session, number)] == ["order.ship"]
    other = {"carrier": "DHL", "tracking_number": "JD8"}
    status, problem = post(client, f"/api/v1/orders/{number}/ship", token, other, key="ship-1")
    assert status == 409
    assert problem["detail"] == "This Idempotency-Key was used for another request."
    # without a key the write runs again (and is refused: nothing is left to ship)
    assert post(client, f"/api/v1/orders/{number}/ship", token, body)[0] == 422


def test_calls_beyond_the_rate_limit_get_429_with_retry_after(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    app.config.update(GATEWAY_API_RATE_LIMIT=2, GATEWAY_API_RATE_WINDOW=60)
    token = make_token(db_session, "orders:read")
    other = make_token(db_session, "orders:read", name="other")
    assert client.get("/api/v1/orders", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/orders/nope", headers=bearer(token)).status_code == 404  # counts
    limited = client.get("/api/v1/orders", headers=bearer(token))
    assert limited.status_code == 429
    assert limited.mimetype == PROBLEM
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    assert client.get("/api/v1/orders", headers=bearer(other)).status_code == 200


def test_unknown_api_urls_and_methods_are_problems(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "orders:read")
    missing = client.get("/api/v1/nothing", headers=bearer(token))
    assert (missing.status_code, missing.mimetype) == (404, PROBLEM)
    wrong = client.delete("/api/v1/orders", headers=bearer(token))
    assert (wrong.status_code, wrong.mimetype) == (405, PROBLEM)
    assert "GET" in wrong.headers["Allow"]
