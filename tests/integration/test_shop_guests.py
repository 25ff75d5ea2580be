"""Guest checkout (G-1 … G-3): browser-held cart, minimal data, private link, purge."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.cli import main
from gateway.db import utcnow
from gateway.models import Order, Organisation, OutboxMessage, OutboxStatus, User
from gateway.services.ordering import guests
from tests import shop
from tests.conftest import TEST_CONFIG
from tests.mail import Inbox, deliver_mail, text_of

DETAILS = {
    "name": "Gina Guest",
    "email": "gina@example.org",
    "street": "Kerkstraat 1",
    "postcode": "1234 AB",
    "city": "Haarlem",
    "country": "NL",
    "phone": "",
}


def _add(client: FlaskClient, sku: str, quantity: str) -> None:
    response = shop.post(client, "/guest/cart/items", {"sku": sku, "quantity": quantity})
    assert response.status_code == 302, response.text


def _orders(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Order)) or 0


def test_a_guest_buys_without_an_account(
    client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    users = db_session.scalar(select(func.count()).select_from(User))
    _add(client, "DEMO-0001", "2")
    _add(client, "DEMO-0001", "1")
    cart = client.get("/guest/cart").text
    assert 'data-cart-total-incl-vat="3.09"' in cart  # 3 x 0.85 = 2.55 + 21 % VAT 0.54
    response = shop.post(client, "/guest/checkout", DETAILS, via="/guest/checkout")
    assert response.status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert (order.guest_name, order.guest_email, order.guest_phone) == (
        "Gina Guest",
        "gina@example.org",
        None,
    )
    assert order.user_id is None
    assert order.net_total == Decimal("2.55")
    assert order.tax_total == Decimal("0.54")
    assert db_session.get(Organisation, order.organisation_id).number == "guest"  # type: ignore[union-attr]
    assert db_session.scalar(select(func.count()).select_from(User)) == users  # no account
    page = client.get(response.location)
    assert f'data-order-id="{order.id}" data-order-status="placed"' in page.text
    assert inbox.messages == []  # queued with the order, sent by the outbox worker
    assert [outcome.status for outcome in deliver_mail(client.application, inbox.port)] == ["sent"]
    link = re.search(r"http://shop.example(/guest/orders/[\w-]+)", str(text_of(inbox.messages[0])))
    assert link
    assert inbox.messages[0]["To"] == "gina@example.org"
    assert inbox.messages[0]["Subject"] == f"Order {order.number} placed"
    assert "Total incl. VAT: €3.09" in str(text_of(inbox.messages[0]))
    assert client.get(link.group(1)).status_code == 200
    assert len(link.group(1).rsplit("/", 1)[1]) >= 43  # 256-bit token
    assert "Your cart is empty" in client.get("/guest/cart").text


def test_guest_order_pages_need_the_exact_link(client: FlaskClient) -> None:
    _add(client, "DEMO-0001", "1")
    response = shop.post(client, "/guest/checkout", DETAILS, via="/guest/checkout")
    token = response.location.split("/guest/orders/")[1].split("?")[0]
    assert client.get(f"/guest/orders/{token}x").status_code == 404
    assert client.get(f"/guest/orders/{token[:-1]}").status_code == 404
    assert client.get("/orders").status_code == 302  # the B2B history needs a login


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Please fill this in"),
        ({"email": "not-an-address"}, "email", "like name@example.com"),
        ({"street": ""}, "street", "Please fill this in"),
        ({"country": "XX"}, "country", "Choose a country"),
        ({"phone": "call me maybe"}, "phone", "digits"),
        ({"postcode": "1" * 17}, "postcode", "At most 16"),
    ],
)
def test_bad_guest_details_place_nothing_and_keep_the_input(
    client: FlaskClient, db_session: Session, change: dict[str, str], field: str, message: str
) -> None:
    _add(client, "DEMO-0001", "1")
    response = shop.post(client, "/guest/checkout", {**DETAILS, **change}, via="/guest/checkout")
    assert response.status_code == 400
    assert re.search(rf'data-problem="{field}">[^<]*{message}', response.text)
    assert 'value="Kerkstraat 1"' in response.text or field == "street"
    assert _orders(db_session) == 0
    assert "DEMO-0001" in client.get("/guest/cart").text


@pytest.mark.parametrize(
    ("sku", "quantity", "status"),
    [
        ("ACME-0001", "1", 404),  # not in the public assortment
        ("NO-SUCH", "1", 404),
        ("DEMO-0001", "0", 400),
        ("DEMO-0001", "-1", 400),
        ("DEMO-0021", "1.5", 400),  # ream
        ("DEMO-0001", "10000000", 400),
    ],
)
def test_bad_guest_cart_input_changes_nothing(
    client: FlaskClient, sku: str, quantity: str, status: int
) -> None:
    response = shop.post(client, "/guest/cart/items", {"sku": sku, "quantity": quantity})
    assert response.status_code == status
    assert "Your cart is empty" in client.get("/guest/cart").text


def test_an_empty_guest_cart_cannot_be_checked_out(
    client: FlaskClient, db_session: Session
) -> None:
    response = shop.post(client, "/guest/checkout", DETAILS, via="/guest/checkout")
    assert response.status_code == 400
    assert "Your cart is empty" in response.text
    assert _orders(db_session) == 0


def test_a_login_only_shop_has_no_guests(app: Flask, db_session: Session) -> None:
    app.config["GATEWAY_SHOP_LOGIN_REQUIRED"] = True
    client = app.test_client()
    assert client.get("/catalog").status_code == 302
    assert client.get("/products/DEMO-0001").status_code == 302
    assert client.get("/guest/cart").status_code == 404
    response = shop.post(client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "1"})
    assert response.status_code == 404
    shop.login(client, "buyer@1001.demo")
    assert client.get("/catalog").status_code == 200
    assert _orders(db_session) == 0


def _guest_order(client: FlaskClient, session: Session) -> Order:
    _add(client, "DEMO-0001", "4")
    shop.post(
        client, "/guest/checkout", {**DETAILS, "phone": "+31 6 1234 5678"}, via="/guest/checkout"
    )
    return session.scalars(select(Order)).one()


def test_purge_anonymises_after_the_retention_and_keeps_the_amounts(
    client: FlaskClient, db_session: Session
) -> None:
    order = _guest_order(client, db_session)
    now = utcnow()
    order.delivered_at = now - timedelta(days=89)
    db_session.commit()
    assert guests.purge(db_session, now=now, retention_days=90) == 0
    assert order.guest_email == "gina@example.org"

    order.delivered_at = now - timedelta(days=91)
    assert guests.purge(db_session, now=now, retention_days=90) == 1
    assert (order.guest_name, order.guest_email, order.guest_phone) == (None, None, None)
    assert order.ship_to == {"country": "NL"}
    assert order.access_token_digest is None
    assert order.personal_data_purged_at == now
    assert [(line.sku, line.quantity) for line in order.lines] == [("DEMO-0001", Decimal(4))]
    assert (order.net_total, order.tax_total) == (Decimal("3.40"), Decimal("0.71"))
    assert guests.purge(db_session, now=now, retention_days=90) == 0  # once


def test_purge_blanks_the_guests_mails_that_were_never_sent(
    client: FlaskClient, db_session: Session
) -> None:
    order = _guest_order(client, db_session)
    (mail,) = db_session.scalars(select(OutboxMessage).where(OutboxMessage.order_id == order.id))
    assert mail.status == OutboxStatus.PENDING
    assert b"gina@example.org" not in mail.body  # sealed
    assert mail.body  # the sealed recipient and link: what the purge must not leave behind
    now = utcnow()
    order.delivered_at = now - timedelta(days=91)
    assert guests.purge(db_session, now=now, retention_days=90) == 1
    db_session.refresh(mail)
    assert mail.body == b""
    assert mail.status == OutboxStatus.DEAD
    assert mail.last_error == "the guest's data was purged"


def test_undelivered_orders_are_kept(client: FlaskClient, db_session: Session) -> None:
    order = _guest_order(client, db_session)
    assert guests.purge(db_session, now=utcnow() + timedelta(days=400), retention_days=90) == 0
    assert order.guest_email == "gina@example.org"


def test_purge_command(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["guests", "purge"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 0 guest orders (retention 90 days)" in result.output
    result = runner.invoke(main, ["guests", "purge", "--days", "-1"])
    assert result.exit_code == 2
