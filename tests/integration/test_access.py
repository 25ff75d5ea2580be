"""The one view decorator (`gateway.web.access.requires`) on real pages of every blueprint:
the login for anonymous visitors, 403 for a missing right, the account pages not in a punchout."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.models import Address, TradingPartner
from tests import buyer, shop
from tests.integration.test_cxml_punchout import punch_in

ADDRESS = {"name": "Dock", "street": "Kade", "postcode": "1000 AA", "city": "Ede", "country": "NL"}
GUARDED_GETS = [
    "/account/users",
    "/account/organisation",
    "/account/approval-tiers",
    "/approvals",
    "/staff/customers",
    "/staff/accounts",
    "/staff/audit",
    "/admin/messages",
    "/admin/partners",
]


@pytest.mark.parametrize("url", GUARDED_GETS)
def test_an_anonymous_get_goes_to_the_login_and_comes_back(client: FlaskClient, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 302
    assert answer.location == f"/login?next={url}"


def test_the_way_back_keeps_the_query_string_after_a_get(client: FlaskClient) -> None:
    answer = client.get("/staff/audit?action=impersonation")
    assert answer.location == "/login?next=/staff/audit?action%3Dimpersonation"


@pytest.mark.parametrize(
    "url", ["/account/users", "/account/addresses", "/staff/customers", "/admin/partners/new"]
)
def test_an_anonymous_post_goes_to_the_login_without_the_form(app: Flask, url: str) -> None:
    app.config["WTF_CSRF_ENABLED"] = False  # no form to take the token from
    answer = app.test_client().post(f"{url}?q=x", data={"email": "x@1001.test"})
    assert answer.status_code == 302
    assert answer.location == f"/login?next={url}"


@pytest.mark.parametrize(
    ("email", "url", "status"),
    [
        ("buyer@1001.demo", "/account/users", 403),
        ("buyer@1001.demo", "/account/organisation", 403),
        ("buyer@1001.demo", "/approvals", 403),
        ("buyer@1001.demo", "/staff/customers", 403),
        ("buyer@1001.demo", "/admin/messages", 403),
        ("superuser@1001.demo", "/account/users", 200),
        ("superuser@1001.demo", "/approvals", 200),
        ("superuser@1001.demo", "/staff/audit", 403),
        ("service@supplier.demo", "/staff/customers", 200),
        ("service@supplier.demo", "/admin/messages", 200),
        ("service@supplier.demo", "/admin/partners", 403),
        ("service@supplier.demo", "/account/users", 403),
    ],
)
def test_a_missing_right_is_forbidden(app: Flask, email: str, url: str, status: int) -> None:
    client = app.test_client()
    shop.login(client, email)
    assert client.get(url).status_code == status


def test_a_missing_right_on_a_post_changes_nothing(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    addresses = _addresses(db_session)
    answer = shop.post(client, "/account/addresses", ADDRESS, via="/catalog")
    assert answer.status_code == 403
    assert _addresses(db_session) == addresses


def test_account_pages_are_not_available_in_a_punchout(
    client: FlaskClient, db_session: Session
) -> None:
    db_session.execute(  # a partner whose punchout users act with every account right
        update(TradingPartner)
        .where(TradingPartner.name == "demo-cxml")
        .values(default_role="superuser")
    )
    db_session.commit()
    punch_in(client, buyer.setup_request())
    for url in (
        "/account/users",
        "/account/organisation",
        "/account/approval-tiers",
        "/account/punchout",
    ):
        assert client.get(url).status_code == 403, url
    addresses = _addresses(db_session)
    page = client.get("/cart")
    answer = client.post(
        "/account/addresses", data={"csrf_token": buyer.csrf_token(page.text), **ADDRESS}
    )
    assert answer.status_code == 403
    assert _addresses(db_session) == addresses


def _addresses(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Address)) or 0
