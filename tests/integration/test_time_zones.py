"""Times in the reader's time zone and language: the shop's zone by default, or their own
setting on /account/settings (field `time_zone`, an IANA name)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order, User
from gateway.web import i18n
from tests import shop
from tests.integration.test_shop_checkout import _fill_cart, _place

WINTER = datetime(2026, 12, 3, 21, 8, 30, tzinfo=UTC)  # 22:08 in Amsterdam (CET)
SUMMER = datetime(2026, 7, 1, 21, 8, tzinfo=UTC)  # 23:08 in Amsterdam (CEST)


@pytest.mark.parametrize(
    ("language", "value", "style", "expected"),
    [
        ("nl", WINTER, "datetime", "3 dec 2026 22:08"),
        ("nl", SUMMER, "datetime", "1 jul 2026 23:08"),
        ("nl", WINTER, "date", "3 dec 2026"),
        ("nl", WINTER, "seconds", "3 dec 2026 22:08:30"),
        ("en", WINTER, "datetime", "Dec 3, 2026 10:08\u202fPM"),
        ("nl", date(2026, 12, 31), "datetime", "31 dec 2026"),  # a day has no zone
    ],
)
def test_times_are_shown_in_the_shops_zone_by_default(
    app: Flask, language: str, value: datetime | date, style: str, expected: str
) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        assert i18n.when(value, style) == expected


def test_a_time_crosses_midnight_into_the_local_day(app: Flask) -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert i18n.when(late, "date") == "1 jan 2027"
        assert i18n.when(None) == ""


def test_the_users_own_zone_is_used(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/account/settings", headers={"Accept-Language": "nl"})
    assert page.status_code == 200
    assert 'name="time_zone"' in page.text
    assert "Uw instellingen" in page.text
    response = shop.post(
        client,
        "/account/settings",
        {"name": "Bea Buyer", "locale": "nl", "time_zone": "America/New_York"},
        via="/account/settings",
    )
    assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    db_session.refresh(user)
    assert (user.name, user.locale, user.time_zone) == ("Bea Buyer", "nl", "America/New_York")
    _fill_cart(client, ("DEMO-0001", "1"))
    assert _place(client).status_code == 302
    order = db_session.scalars(select(Order)).one()
    placed = order.placed_at.astimezone(UTC)
    new_york = ZoneInfo("America/New_York")
    local = placed.astimezone(new_york).strftime("%H:%M")
    page = client.get(f"/orders/{order.id}").text
    assert local in page
    assert " UTC" not in page
    assert "Bea Buyer" in page  # the header's display name


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"time_zone": "Mars/Olympus"}, "Kies een tijdzone uit de lijst"),
        ({"time_zone": "../../etc/passwd"}, "Kies een tijdzone uit de lijst"),
        ({"locale": "de"}, "Kies Nederlands of English."),
        ({"name": "x" * 201}, "Uw naam mag hoogstens 200 tekens hebben."),
    ],
)
def test_a_wrong_setting_is_refused_and_nothing_changes(
    client: FlaskClient, db_session: Session, fields: dict[str, str], problem: str
) -> None:
    shop.login(client, "buyer@1001.demo")
    shop.post(client, "/locale", {"locale": "nl"})
    response = shop.post(
        client,
        "/account/settings",
        {"name": "", "locale": "nl", "time_zone": "", **fields},
        via="/account/settings",
    )
    assert response.status_code == 400
    assert problem in response.text
    user = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    db_session.refresh(user)
    assert user.time_zone is None


def test_an_empty_zone_goes_back_to_the_shops(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    for zone in ("Asia/Tokyo", ""):
        response = shop.post(
            client,
            "/account/settings",
            {"name": "", "locale": "", "time_zone": zone},
            via="/account/settings",
        )
        assert response.status_code == 302
    user = db_session.scalars(select(User).where(User.email == "buyer@1001.demo")).one()
    db_session.refresh(user)
    assert (user.time_zone, user.locale) == (None, None)


def test_the_settings_need_a_login(client: FlaskClient) -> None:
    response = client.get("/account/settings")
    assert response.status_code == 302
    assert "/login" in response.location
