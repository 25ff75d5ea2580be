"""Quick order, checkout, order history and reorder through the test client."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from gateway.db import utcnow
from gateway.models import (
    Address,
    Cart,
    CartLine,
    Membership,
    Order,
    Organisation,
    Product,
    User,
)
from gateway.services.catalog.pricing import price_date
from gateway.services.people.users import role_named
from tests import buyer, shop
from tests.integration.test_cxml_punchout import punch_in
from tests.mail import Inbox, deliver_mail, text_of


def _fields(html: str) -> dict[str, str]:
    """The checkout form's values as a browser would post them unchanged."""
    return shop.form_values(html, "cart_digest")


def _fill_cart(client: FlaskClient, *items: tuple[str, str]) -> None:
    for sku, quantity in items:
        response = shop.post(client, "/cart/items", {"sku": sku, "quantity": quantity})
        assert response.status_code == 302, response.text


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _colleague(session: Session, email: str, role: str) -> User:
    user = User(email=email, name=email, password_hash=generate_password_hash("demo"))
    organisation = session.scalars(select(Organisation).where(Organisation.number == "1001")).one()
    session.add(user)
    session.flush()
    session.add(Membership(user=user, organisation=organisation, role=role_named(session, role)))
    session.commit()
    return user


def _place(client: FlaskClient, **changes: str) -> TestResponse:
    page = client.get("/checkout")
    assert page.status_code == 200
    return client.post("/checkout", data={**_fields(page.text), **changes})


def test_posting_the_prefilled_checkout_places_the_order(
    app: Flask, client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "10"), ("ACME-0003", "2"))
    response = _place(client)
    assert response.status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert response.location == f"/orders/{order.id}?placed=1"
    assert order.status == "placed"
    assert order.source == "shop"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("DEMO-0001", Decimal(10), Decimal("0.69")),
        ("ACME-0003", Decimal(2), Decimal("9.95")),
    ]
    assert order.net_total == Decimal("26.80")
    assert order.vat_breakdown == [
        {"rate": "21", "base": "6.90", "vat": "1.45"},
        {"rate": "9", "base": "19.90", "vat": "1.79"},
    ]
    assert order.tax_total == Decimal("3.24")
    assert order.ship_to is not None
    assert order.ship_to["name"].endswith("Head office")  # the default delivery address
    # The default delivery date waits for the slowest line (ACME-0003: 10 days).
    assert order.requested_delivery_date == price_date(utcnow()) + timedelta(days=10)
    assert [change.status for change in order.history] == ["placed"]
    page = client.get(f"/orders/{order.id}?placed=1").text
    assert f'data-order-id="{order.id}" data-order-status="placed"' in page
    assert "your order has been placed" in page
    assert "Your cart is empty" in client.get("/cart").text
    assert inbox.messages == []  # the confirmation is queued with the order, not sent inside
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    assert inbox.messages[0]["To"] == "buyer@1001.demo"
    assert order.number in inbox.messages[0]["Subject"]
    assert f"http://shop.example/orders/{order.id}" in text_of(inbox.messages[0])


def test_checkout_takes_the_buyers_choices(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0002", "1"))
    warehouse = db_session.scalars(
        select(Address)
        .join(Organisation)
        .where(Organisation.number == "1001", Address.street == "Industrieweg 25")
    ).one()
    wanted = (utcnow() + timedelta(days=20)).date().isoformat()
    response = _place(
        client,
        delivery_address=str(warehouse.id),
        buyer_reference="PO-4711",
        requested_delivery_date=wanted,
        comment="Ring twice",
    )
    assert response.status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert (order.buyer_reference, order.comment) == ("PO-4711", "Ring twice")
    assert order.requested_delivery_date.isoformat() == wanted
    assert order.ship_to is not None
    assert order.ship_to["street"] == "Industrieweg 25"


def _address_of(session: Session, number: str) -> Address:
    return session.scalars(
        select(Address)
        .join(Organisation)
        .where(Organisation.number == number, Address.kind == "delivery")
        .limit(1)
    ).one()


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"delivery_address": "other-customer"}, 404, "No such delivery address"),
        ({"delivery_address": "billing"}, 404, "No such delivery address"),
        ({"delivery_address": "abc"}, 404, "No such delivery address"),
        ({"cart_digest": "tampered"}, 400, "changed since you opened checkout"),
        ({"requested_delivery_date": "2020-01-01"}, 400, "after today"),
        ({"requested_delivery_date": "31-12-2099"}, 400, "YYYY-MM-DD"),
        ({"buyer_reference": "x" * 101}, 400, "at most 100 characters"),
        ({"csrf_token": ""}, 400, "did not come from this shop"),
    ],
)
def test_bad_checkout_input_places_nothing(
    client: FlaskClient, db_session: Session, change: dict[str, str], status: int, message: str
) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "2"))
    if change.get("delivery_address") == "other-customer":
        change = {"delivery_address": str(_address_of(db_session, "1002").id)}
    elif change.get("delivery_address") == "billing":
        billing = db_session.scalars(
            select(Address)
            .join(Organisation)
            .where(Organisation.number == "1001", Address.kind == "billing")
        ).one()
        change = {"delivery_address": str(billing.id)}
    response = _place(client, **change)
    assert response.status_code == status
    assert message in response.text
    assert _count(db_session, Order) == 0
    assert [(line.product.sku, line.quantity) for line in db_session.scalars(select(CartLine))] == [
        ("DEMO-0001", Decimal(2))
    ]


def test_a_validation_error_keeps_what_was_typed(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "2"))
    response = _place(
        client, buyer_reference="PO-1", comment="Back door", requested_delivery_date="2020-01-01"
    )
    assert response.status_code == 400
    text = response.text
    assert 'value="PO-1"' in text
    assert "Back door</textarea>" in text
    assert 'value="2020-01-01"' in text


def test_checking_out_an_empty_cart_places_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/checkout")
    assert "Your cart is empty" in page.text
    address = _address_of(db_session, "1001")
    response = shop.post(client, "/checkout", {"delivery_address": str(address.id)})
    assert response.status_code == 400
    assert _count(db_session, Order) == 0


def test_a_product_withdrawn_before_checkout_stops_the_order(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0005", "1"))
    page = client.get("/checkout")
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0005")).one()
    product.active = False
    db_session.commit()
    response = client.post("/checkout", data=_fields(page.text))
    assert response.status_code == 400
    assert "No longer available, please remove: DEMO-0005" in response.text
    assert _count(db_session, Order) == 0


def test_a_punchout_has_no_checkout(client: FlaskClient, db_session: Session) -> None:
    punch_in(client, buyer.setup_request())
    assert client.get("/checkout").status_code == 403
    assert client.get("/cart").status_code == 200
    assert "Check out" not in client.get("/cart").text
    assert _count(db_session, Order) == 0


def test_order_history_shows_own_orders_and_colleagues_with_the_right(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "1"))
    _place(client)
    mine = db_session.scalars(select(Order)).one()

    colleague = app.test_client()
    _colleague(db_session, "second@1001.demo", "buyer")
    shop.login(colleague, "second@1001.demo")
    assert f'data-order-id="{mine.id}"' not in colleague.get("/orders").text
    assert colleague.get(f"/orders/{mine.id}").status_code == 404

    boss = app.test_client()
    _colleague(db_session, "boss@1001.demo", "superuser")
    shop.login(boss, "boss@1001.demo")
    listing = boss.get("/orders").text
    assert f'data-order-id="{mine.id}" data-order-status="placed"' in listing
    assert boss.get(f"/orders/{mine.id}").status_code == 200

    other = app.test_client()
    shop.login(other, "buyer@1002.demo")
    assert other.get(f"/orders/{mine.id}").status_code == 404
    assert f'data-order-id="{mine.id}"' not in other.get("/orders").text


def test_orders_follow_the_active_customer(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "multi@demo.test")
    _fill_cart(client, ("DEMO-0001", "1"))
    _place(client)
    order = db_session.scalars(select(Order)).one()
    assert f'data-order-id="{order.id}"' in client.get("/orders").text
    shop.post(client, "/customer", {"customer": "1002"})
    assert f'data-order-id="{order.id}"' not in client.get("/orders").text
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_quick_order_adds_valid_lines_and_reports_the_rest(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1002.demo")
    pasted = "\n".join(
        [
            "DEMO-0001 5",
            "DEMO-0002;2",
            "",
            "NO-SUCH 1",
            "ACME-0001 1",  # outside 1002's assortment
            "DEMO-0003 0",
            "DEMO-0004 -2",
            "DEMO-0021 1.5",  # copy paper is sold per ream
            "DEMO-0005 99999999",
            "DEMO-0006",
            "DEMO-0007 1 2",
        ]
    )
    response = shop.post(client, "/quick-order", {"lines": pasted}, via="/quick-order")
    assert response.status_code == 200
    text = response.text
    assert 'data-added="2"' in text
    for number, reason in [
        (4, "No product &#39;NO-SUCH&#39;"),
        (5, "No product &#39;ACME-0001&#39;"),
        (6, "greater than zero"),
        (7, "greater than zero"),
        (8, "whole numbers only"),
        (9, "at most 1000000"),
        (10, "Expected"),
        (11, "Expected"),
    ]:
        assert re.search(rf'data-line="{number}">[^<]*{reason}', text), (number, reason)
    assert ">NO-SUCH 1\nACME-0001 1\n" in text  # rejected lines stay in the box to fix
    lines = {line.product.sku: line.quantity for line in db_session.scalars(select(CartLine))}
    assert lines == {"DEMO-0001": Decimal(5), "DEMO-0002": Decimal(2)}


def test_quick_order_with_only_bad_lines_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1002.demo")
    response = shop.post(client, "/quick-order", {"lines": "NOPE 1"}, via="/quick-order")
    assert response.status_code == 400
    assert _count(db_session, CartLine) == 0


def test_reorder_adds_what_is_still_available(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "3"), ("DEMO-0008", "2"))
    _place(client)
    order = db_session.scalars(select(Order)).one()
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0008")).one()
    product.active = False
    db_session.commit()
    response = shop.post(client, f"/orders/{order.id}/reorder", {})
    assert response.status_code == 200
    assert '<li data-sku="DEMO-0008">' in response.text
    open_lines = select(CartLine).join(Cart).where(Cart.status == "open")
    lines = {line.product.sku: line.quantity for line in db_session.scalars(open_lines)}
    assert lines == {"DEMO-0001": Decimal(3)}
