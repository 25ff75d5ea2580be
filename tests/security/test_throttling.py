"""Checklist §6 item 44: failed logins are throttled per account and per address, with no
permanent lock-out (shop login and OCI login)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ThrottleCounter
from tests import buyer


def login(client: FlaskClient, email: str, password: str) -> int:
    page = client.get("/login")
    data = {"email": email, "password": password, "csrf_token": buyer.csrf_token(page.text)}
    return client.post("/login", data=data).status_code


def test_an_account_is_throttled_then_frees_itself(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    app.config["GATEWAY_LOGIN_ATTEMPTS"] = 5
    for _ in range(5):
        assert login(client, "buyer@1001.demo", "wrong") == 401
    page = client.get("/login")
    blocked = client.post(
        "/login",
        data={
            "email": "buyer@1001.demo",
            "password": "demo",
            "csrf_token": buyer.csrf_token(page.text),
        },
    )
    assert blocked.status_code == 429  # even the right password is not tried now
    assert int(blocked.headers["Retry-After"]) > 0
    assert login(client, "buyer@1002.demo", "demo") == 302  # other accounts are unaffected
    stored = db_session.scalars(select(ThrottleCounter.key)).all()
    assert stored
    assert not any("buyer@" in key for key in stored)  # digests, not addresses
    app.config["GATEWAY_LOGIN_WINDOW"] = 0  # the window has passed: no permanent lock-out
    assert login(client, "buyer@1001.demo", "demo") == 302


def test_an_address_trying_many_accounts_is_throttled(app: Flask, client: FlaskClient) -> None:
    app.config["GATEWAY_LOGIN_ADDRESS_ATTEMPTS"] = 8
    for number in range(8):
        assert login(client, f"nobody{number}@example.test", "guess") == 401
    assert login(client, "buyer@1001.demo", "demo") == 429


def test_failed_oci_logins_are_throttled(app: Flask, client: FlaskClient) -> None:
    app.config["GATEWAY_LOGIN_ATTEMPTS"] = 3
    hook = "http://127.0.0.1:5000/tools/simulator/receive"
    wrong = {"USERNAME": "demo-oci", "PASSWORD": "wrong", "HOOK_URL": hook}
    for _ in range(3):
        assert client.post("/oci", data=wrong).status_code == 401
    right = {**wrong, "PASSWORD": "demo"}
    assert client.post("/oci", data=right).status_code == 429
    app.config["GATEWAY_LOGIN_WINDOW"] = 0
    assert client.post("/oci", data=right).status_code == 302
