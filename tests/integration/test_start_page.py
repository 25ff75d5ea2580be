"""The start page after login: each role sees the parts its rights allow, in Dutch and English;
punchout users and visitors keep landing on the catalog."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import MessageDirection, MessageLogEntry, Order, OrderStatus, User
from gateway.services import message_log
from tests import buyer, shop
from tests.integration.test_cxml_orders import orders, send

PARTS = re.compile(r'data-start-part="([a-z-]+)"')

#: login → the parts of their start page, in page order
ROLES = {
    "buyer@1001.demo": ["orders", "budgets"],
    "requester@1001.demo": ["orders", "budgets"],
    "superuser@1001.demo": ["approvals", "orders", "budgets", "users"],
    "service@supplier.demo": ["customer-search", "held-orders", "message-errors"],
    "agent@supplier.demo": ["my-customers", "prospects"],
    "admin@supplier.demo": ["customer-search", "held-orders", "partners", "message-errors"],
}

#: login → (English, Dutch) heading of one part that role must see
HEADINGS = {
    "buyer@1001.demo": ("Recent orders", "Recente bestellingen"),
    "superuser@1001.demo": ("Waiting for your approval", "Wacht op uw goedkeuring"),
    "service@supplier.demo": ("Orders on hold", "Bestellingen in de wacht"),
    "agent@supplier.demo": ("My customers", "Mijn klanten"),
    "admin@supplier.demo": (
        "Message log errors, last 24 hours",
        "Fouten in het berichtenlog, laatste 24 uur",
    ),
}


def _start(client: FlaskClient, email: str, locale: str = "en") -> str:
    answer = shop.login(client, email)
    assert answer.location == "/start"
    page = client.get("/start", headers={"Accept-Language": locale})
    assert page.status_code == 200
    return page.text


@pytest.mark.parametrize(("email", "parts"), ROLES.items())
def test_each_role_lands_on_its_own_start_page(
    client: FlaskClient, email: str, parts: list[str]
) -> None:
    assert PARTS.findall(_start(client, email)) == parts


@pytest.mark.parametrize(("email", "headings"), HEADINGS.items())
@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_start_page_speaks_the_readers_language(
    client: FlaskClient, email: str, headings: tuple[str, str], locale: str
) -> None:
    text = _start(client, email, locale)
    english, dutch = headings
    assert f'<html lang="{locale}">' in text
    assert (dutch if locale == "nl" else english) in text
    if locale == "nl":
        assert english not in text
        assert "Start page" not in text
        assert "Startpagina" in text


def test_the_header_links_the_start_page(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    catalog = client.get("/catalog").text
    assert 'href="/start" data-nav="start"' in catalog


def test_recent_orders_offer_a_reorder(client: FlaskClient, db_session: Session) -> None:
    buyer = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    newest = db_session.scalars(
        select(Order).where(Order.user_id == buyer.id).order_by(Order.placed_at.desc()).limit(1)
    ).first()
    text = _start(client, "buyer@1001.demo")
    if newest is None:
        assert "No orders yet." in text
        return
    assert f'action="/orders/{newest.id}/reorder"' in text
    answer = shop.post(client, f"/orders/{newest.id}/reorder", {}, via="/start")
    assert answer.status_code == 200


def test_the_superuser_sees_the_orders_waiting_for_approval(
    client: FlaskClient, db_session: Session
) -> None:
    waiting = db_session.scalars(
        select(Order).where(Order.status == OrderStatus.PENDING_APPROVAL)
    ).all()
    text = _start(client, "superuser@1001.demo")
    assert re.search(r'data-start-part="approvals" data-count="(\d+)"', text)
    for order in waiting:
        if order.organisation.number == "1001":
            assert order.number in text


def test_customer_service_sees_the_held_orders_and_a_customer_search(
    client: FlaskClient, db_session: Session
) -> None:
    # a purchase order whose price is far below ours waits on hold for staff
    assert send(client, buyer.order_request(items=(("DEMO-0001", None, "2", "0.00"),)))[0] == 200
    [held] = orders(db_session)
    assert held.status == OrderStatus.ON_HOLD
    text = _start(client, "service@supplier.demo")
    assert 'action="/staff/customers"' in text
    assert 'data-start-part="held-orders" data-count="1"' in text
    assert f'href="/staff/orders/{held.number}"' in text


def test_a_sales_agent_sees_only_their_own_customers(client: FlaskClient) -> None:
    text = _start(client, "agent@supplier.demo")
    assert 'data-customer-number="1001"' in text
    assert 'data-customer-number="1002"' not in text


def test_the_admin_sees_partners_and_the_days_message_errors(
    client: FlaskClient, db_session: Session
) -> None:
    fresh = message_log.record(
        db_session,
        direction=MessageDirection.IN,
        document_type="OrderRequest",
        body=b"<cXML/>",
        status_code=400,
        status_text="Bad Request: fresh",
    )
    old = message_log.record(
        db_session,
        direction=MessageDirection.IN,
        document_type="OrderRequest",
        body=b"<cXML/>",
        status_code=500,
        status_text="stale",
    )
    fine = message_log.record(
        db_session,
        direction=MessageDirection.IN,
        document_type="OrderRequest",
        body=b"<cXML/>",
        status_code=200,
    )
    db_session.get(MessageLogEntry, old.id).created_at = utcnow() - timedelta(hours=25)  # type: ignore[union-attr]
    db_session.commit()
    text = _start(client, "admin@supplier.demo")
    assert f'data-message-id="{fresh.id}"' in text
    assert f'data-message-id="{old.id}"' not in text
    assert f'data-message-id="{fine.id}"' not in text
    assert 'data-partner="demo-cxml"' in text
    assert "Purchase order (OrderRequest)" in text  # a label, not the code alone


def test_the_login_still_returns_to_the_page_it_interrupted(client: FlaskClient) -> None:
    page = client.get("/login")
    answer = client.post(
        "/login?next=/orders",
        data={
            "email": "buyer@1001.demo",
            "password": "demo",
            "csrf_token": shop.csrf_token(page.text),
        },
    )
    assert answer.location == "/orders"


def test_visitors_start_at_the_catalog(client: FlaskClient) -> None:
    assert client.get("/").location == "/catalog"
    assert client.get("/start").location == "/catalog"


def test_logged_in_people_start_at_their_start_page(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    assert client.get("/").location == "/start"


def test_a_punchout_user_keeps_landing_on_the_catalog(app: Flask) -> None:
    client = app.test_client()
    answer = client.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    opened = client.get(buyer.start_path(answer.data))
    assert opened.location == "/catalog"  # the StartPage's own landing, unchanged
    assert client.get("/start").location == "/catalog"
    assert client.get("/").location == "/catalog"
    assert 'data-nav="start"' not in client.get("/catalog").text
