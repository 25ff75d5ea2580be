"""Reset links and account enumeration through the shop (issue #16): a newer link or a new
password ends every older link, a new password ends every session of the user, and asking for
links is throttled per address asked for and per client, with one answer for every address."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests import shop
from tests.mail import Inbox, deliver_mail, text_of

NEW = "a brand new password 7"


def _ask(client: FlaskClient, email: str) -> int:
    answer = shop.post(client, "/password/forgot", {"email": email}, via="/password/forgot")
    return answer.status_code


def _links(app: Flask, inbox: Inbox) -> list[str]:
    deliver_mail(app, inbox.port)
    bodies = [str(text_of(message)) for message in inbox.messages]
    return [re.findall(r"http://shop.example(/password/reset/\S+)", body)[0] for body in bodies]


def _choose(client: FlaskClient, link: str) -> int:
    data = {"password": NEW, "password_confirm": NEW}
    return shop.post(client, link, data, via=link).status_code


def test_a_used_link_ends_the_older_ones(app: Flask, client: FlaskClient, inbox: Inbox) -> None:
    assert _ask(client, "buyer@1001.demo") == 200
    assert _ask(client, "buyer@1001.demo") == 200
    older, newer = _links(app, inbox)
    assert client.get(older).status_code == 410  # the newer link replaced it at once
    assert _choose(client, newer) == 302
    assert client.get(older).status_code == 410
    assert _choose(client, older) == 400
    shop.login(client, "buyer@1001.demo", NEW)


def test_a_new_password_ends_every_session_of_the_user(
    app: Flask, client: FlaskClient, inbox: Inbox
) -> None:
    elsewhere = app.test_client()
    shop.login(elsewhere, "buyer@1001.demo")
    assert elsewhere.get("/orders").status_code == 200
    _ask(client, "buyer@1001.demo")
    (link,) = _links(app, inbox)
    assert _choose(client, link) == 302
    assert elsewhere.get("/orders").status_code == 302  # logged out: back to the login


def test_reset_requests_are_throttled_per_address_whether_it_has_an_account_or_not(
    app: Flask, inbox: Inbox
) -> None:
    app.config.update(GATEWAY_RESET_ATTEMPTS=2, GATEWAY_RESET_ADDRESS_ATTEMPTS=100)
    for email in ("buyer@1001.demo", "nobody@example.test"):
        client = app.test_client()
        assert [_ask(client, email) for _ in range(3)] == [200, 200, 429]
    assert len(_links(app, inbox)) == 2  # two mails for the account, none for the other


def test_reset_requests_are_throttled_per_client(app: Flask) -> None:
    app.config.update(GATEWAY_RESET_ATTEMPTS=100, GATEWAY_RESET_ADDRESS_ATTEMPTS=3)
    client = app.test_client()
    answers = [_ask(client, f"someone{n}@example.test") for n in range(4)]
    assert answers == [200, 200, 200, 429]
