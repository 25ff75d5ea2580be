"""Users of several customers (O-1, O-4) and password reset by e-mail link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from gateway.db import utcnow
from gateway.models import (
    Cart,
    Membership,
    PasswordReset,
    PunchOutSession,
    ShopSession,
    ThrottleCounter,
    User,
)
from tests import buyer, shop
from tests.factories import make_user
from tests.integration.test_cxml_punchout import punch_in
from tests.mail import Inbox, deliver_mail, text_of


def _customer(client: FlaskClient) -> str:
    match = re.search(r'data-customer="(\d+)"', client.get("/catalog").text)
    assert match
    return match.group(1)


def test_switching_customer_changes_prices_assortment_and_cart(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "multi@demo.test")
    assert _customer(client) == "1001"
    assert '"price": "0.77"' in client.get("/products/DEMO-0001").text
    assert (
        shop.post(client, "/cart/items", {"sku": "ACME-0001", "quantity": "2"}).status_code == 302
    )

    response = shop.post(client, "/customer", {"customer": "1002"})
    assert response.status_code == 302
    assert _customer(client) == "1002"
    assert '"price": "0.68"' in client.get("/products/DEMO-0001").text
    assert client.get("/products/ACME-0001").status_code == 404
    assert "Your cart is empty" in client.get("/cart").text  # never the other customer's cart

    shop.post(client, "/customer", {"customer": "1001"})
    assert 'data-sku="ACME-0001"' in client.get("/cart").text
    carts = {cart.organisation_id: len(cart.lines) for cart in db_session.scalars(select(Cart))}
    assert list(carts.values()) == [1]  # the line stayed in 1001's; 1002's empty cart is not stored


@pytest.mark.parametrize("number", ["1002", "9999", ""])
def test_switching_to_a_customer_the_user_is_not_linked_to_is_404(
    client: FlaskClient, db_session: Session, number: str
) -> None:
    shop.login(client, "buyer@1001.demo")
    response = shop.post(client, "/customer", {"customer": number})
    assert response.status_code == 404
    assert _customer(client) == "1001"
    organisations = {s.organisation.number for s in db_session.scalars(select(ShopSession))}
    assert organisations == {"1001"}


def test_switching_needs_a_csrf_token(client: FlaskClient) -> None:
    shop.login(client, "multi@demo.test")
    assert client.post("/customer", data={"customer": "1002"}).status_code == 400
    assert _customer(client) == "1001"


def test_a_punchout_session_cannot_switch(client: FlaskClient, db_session: Session) -> None:
    punch_in(client, buyer.setup_request())
    response = shop.post(client, "/customer", {"customer": "1002"}, via="/cart")
    assert response.status_code == 403
    assert _customer(client) == "1001"


def test_the_switcher_lists_only_the_users_customers(client: FlaskClient) -> None:
    shop.login(client, "multi@demo.test")
    page = client.get("/catalog").text
    assert '<option value="1001"' in page
    assert '<option value="1002"' in page
    client.post("/logout", data={"csrf_token": buyer.csrf_token(page)})
    shop.login(client, "buyer@1001.demo")
    assert 'name="customer"' not in client.get("/catalog").text


def _reset_link(client: FlaskClient, inbox: Inbox, email: str) -> str:
    response = shop.post(client, "/password/forgot", {"email": email}, via="/password/forgot")
    assert response.status_code == 200
    assert "we have sent it a link" in response.text
    assert inbox.messages == []  # queued with the reset, sent by the outbox worker
    assert [outcome.status for outcome in deliver_mail(client.application, inbox.port)] == ["sent"]
    assert len(inbox.messages) == 1
    body = text_of(inbox.messages[0])
    match = re.search(r"http://shop.example(/password/reset/\S+)", str(body))
    assert match, body
    return match.group(1)


def test_password_reset_by_mail_link_works_once(
    client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    link = _reset_link(client, inbox, "buyer@1002.demo")
    assert inbox.messages[0]["To"] == "buyer@1002.demo"
    assert inbox.messages[0]["From"] == "shop@localhost"
    assert client.get(link).status_code == 200
    new = "a new secret 42"
    response = shop.post(client, link, {"password": new, "password_confirm": new}, via=link)
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.email == "buyer@1002.demo")).one()
    db_session.refresh(user)
    assert check_password_hash(user.password_hash or "", new)
    shop.login(client, "buyer@1002.demo", new)
    # The link is spent.
    assert client.get(link).status_code == 410
    again = shop.post(client, link, {"password": "x" * 12, "password_confirm": "x" * 12})
    assert again.status_code == 400
    db_session.refresh(user)
    assert check_password_hash(user.password_hash or "", new)


def test_an_expired_reset_link_changes_nothing(
    client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    link = _reset_link(client, inbox, "buyer@1001.demo")
    reset = db_session.scalars(select(PasswordReset)).one()
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.get(link).status_code == 410
    response = shop.post(
        client, link, {"password": "long enough 1", "password_confirm": "long enough 1"}
    )
    assert response.status_code == 400
    assert "invalid, used or expired" in response.text
    shop.login(client, "buyer@1001.demo")  # the old password still works


@pytest.mark.parametrize(
    ("password", "confirmation", "message"),
    [("short", "short", "10 to 200 characters"), ("long enough 1", "long enough 2", "differ")],
)
def test_bad_new_passwords_are_refused(
    client: FlaskClient, inbox: Inbox, password: str, confirmation: str, message: str
) -> None:
    link = _reset_link(client, inbox, "buyer@1001.demo")
    response = shop.post(client, link, {"password": password, "password_confirm": confirmation})
    assert response.status_code == 400
    assert message in response.text
    assert client.get(link).status_code == 200  # still usable
    shop.login(client, "buyer@1001.demo")


def test_unknown_addresses_get_the_same_answer_and_no_mail(
    client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    response = shop.post(
        client, "/password/forgot", {"email": "nobody@example.com"}, via="/password/forgot"
    )
    assert response.status_code == 200
    assert "we have sent it a link" in response.text
    assert deliver_mail(client.application, inbox.port) == []
    assert inbox.messages == []
    assert db_session.scalar(select(func.count()).select_from(PasswordReset)) == 0


def test_punchout_users_without_a_password_get_no_reset_link(
    client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    punch_in(client, buyer.setup_request())  # creates a punchout user for jane.doe@buyer.example
    user = db_session.get_one(User, db_session.scalars(select(PunchOutSession.user_id)).one())
    assert user.password_hash is None
    fresh = client.application.test_client()
    response = shop.post(fresh, "/password/forgot", {"email": user.email}, via="/password/forgot")
    assert response.status_code == 200
    assert deliver_mail(client.application, inbox.port) == []
    assert inbox.messages == []
    assert db_session.scalar(select(func.count()).select_from(PasswordReset)) == 0


def test_a_reset_ends_open_sessions(client: FlaskClient, app: Flask, inbox: Inbox) -> None:
    other = app.test_client()
    shop.login(other, "buyer@1001.demo")
    assert other.get("/cart").status_code == 200
    link = _reset_link(client, inbox, "buyer@1001.demo")
    shop.post(client, link, {"password": "long enough 1", "password_confirm": "long enough 1"})
    assert other.get("/cart").status_code == 302  # back to the login page


def test_login_refusals_keep_their_answers(client: FlaskClient, db_session: Session) -> None:
    wrong = shop.post(client, "/login", {"email": "nobody@example.com", "password": "guess"})
    assert wrong.status_code == 401
    assert "Unknown email address or wrong password." in wrong.text
    assert db_session.scalar(select(func.count()).select_from(ThrottleCounter)) == 2  # kept
    alone = make_user(db_session, "alone@1001.test")
    for link in db_session.scalars(select(Membership).where(Membership.user_id == alone.id)):
        link.active = False
    db_session.commit()
    unlinked = shop.post(client, "/login", {"email": "alone@1001.test", "password": "demo"})
    assert unlinked.status_code == 403
    assert "Your account is not linked to a customer." in unlinked.text
    opened = select(func.count()).select_from(ShopSession).where(ShopSession.user_id == alone.id)
    assert db_session.scalar(opened) == 0
