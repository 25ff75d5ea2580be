"""The shop in Dutch and English: browser language, the user's setting, the switcher."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import User
from tests import shop


def test_the_browser_language_chooses_dutch(client: FlaskClient) -> None:
    page = client.get("/catalog?q=DEMO-0002", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    assert '<html lang="nl">' in page.text
    assert "Prijzen zijn inclusief btw." in page.text
    assert "€\xa01,14" in page.text  # 0.94 + 21 % VAT, Dutch format
    assert "Balpen Standaard zwart" in page.text  # the Dutch product name, wholly Dutch
    assert "Standard" not in page.text
    english = client.get("/catalog?q=DEMO-0002", headers={"Accept-Language": "en"})
    assert "Prices include VAT." in english.text
    assert "€1.14" in english.text


def test_the_users_setting_beats_the_browser(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    response = shop.post(client, "/locale", {"locale": "nl"})
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    db_session.refresh(user)
    assert user.locale == "nl"
    page = client.get("/products/DEMO-0001", headers={"Accept-Language": "en"})
    assert "excl. btw" in page.text
    assert "€\xa00,77" in page.text


def test_an_unknown_locale_changes_nothing(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    response = shop.post(client, "/locale", {"locale": "xx"})
    assert response.status_code == 400
    user = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    db_session.refresh(user)
    assert user.locale is None


def test_the_language_switch_returns_to_the_page_it_was_on(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/products/DEMO-0001?quantity=3")
    assert 'name="next" value="/products/DEMO-0001?quantity=3"' in page.text
    response = shop.post(client, "/locale", {"locale": "nl", "next": "/orders?page=2"})
    assert response.status_code == 302
    assert response.location == "/orders?page=2"
    assert 'name="next" value="/catalog"' in client.get("/catalog").text  # no stray "?"


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/%2F%2Fevil.example", ""],
)
def test_the_language_switch_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    response = shop.post(client, "/locale", {"locale": "nl", "next": target})
    assert response.status_code == 302
    assert response.location == "/catalog"


def test_the_choice_is_remembered_for_the_user(app: Flask, client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    shop.post(client, "/locale", {"locale": "nl", "next": "/orders"})
    elsewhere = app.test_client()  # another browser, which asks for English
    shop.login(elsewhere, "buyer@1001.demo")
    page = elsewhere.get("/orders", headers={"Accept-Language": "en"})
    assert '<html lang="nl">' in page.text
    assert "Bestellingen" in page.text
    anonymous = app.test_client()  # without a login the choice stays in that browser
    shop.post(anonymous, "/locale", {"locale": "nl", "next": "/catalog"})
    assert '<html lang="nl">' in anonymous.get("/catalog", headers={"Accept-Language": "en"}).text
    assert '<html lang="en">' in app.test_client().get("/catalog").text
