"""Checklist §6 item 44: failed logins are throttled per account and per address, with no
permanent lock-out (shop login, OCI login, and cXML requests per sender identity)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import PunchOutSession, ThrottleCounter
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


def _post_cxml(client: FlaskClient, body: bytes) -> tuple[int, tuple[int, str]]:
    answer = client.post("/cxml", data=body, content_type="text/xml")
    return answer.status_code, buyer.status_of(answer.data)


def test_failed_cxml_authentications_are_throttled_per_sender(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    app.config["GATEWAY_LOGIN_ATTEMPTS"] = 3
    for _ in range(3):
        assert _post_cxml(client, buyer.setup_request(secret="guess"))[1][0] == 401
    blocked = client.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    assert blocked.status_code == 429  # even the right secret is not checked now
    assert int(blocked.headers["Retry-After"]) > 0
    code, text = buyer.status_of(blocked.data)
    assert code == 401
    assert "too many failed attempts" in text
    assert db_session.scalar(select(PunchOutSession.id)) is None  # no punchout was opened
    other = buyer.setup_request(identity=("NetworkID", "AN-SOMEONE-ELSE"), secret="guess")
    status, (code, text) = _post_cxml(client, other)
    assert (status, code) == (200, 401)
    assert "too many" not in text  # another sender is counted on its own
    app.config["GATEWAY_LOGIN_WINDOW"] = 0  # the window has passed: no permanent lock-out
    assert _post_cxml(client, buyer.setup_request()) == (200, (200, "OK"))


def test_an_address_trying_many_cxml_senders_is_throttled(app: Flask, client: FlaskClient) -> None:
    app.config["GATEWAY_LOGIN_ADDRESS_ATTEMPTS"] = 4
    for number in range(4):
        wrong = buyer.setup_request(identity=("NetworkID", f"AN-GUESS-{number}"), secret="x")
        assert _post_cxml(client, wrong)[1][0] == 401
    assert _post_cxml(client, buyer.setup_request())[0] == 429
