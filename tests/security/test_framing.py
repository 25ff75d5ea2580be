"""Framing (issue #16): no page may be framed (`frame-ancestors 'none'`, `X-Frame-Options:
DENY`) except a punchout's pages (start, shop pages, transfer), which exactly the hosts its
partner lists may frame."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.models import TradingPartner
from gateway.services.partners.admin import FRAME_ANCESTORS_KEY
from tests import buyer, shop
from tests.integration.test_cxml_punchout import post_cxml

HOSTS = ["https://buyer.example", "*.ariba.com"]


def _policy(response: TestResponse) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split(maxsplit=1)[1] for part in header.split("; ")}


def _framed_nowhere(response: TestResponse) -> None:
    assert _policy(response)["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def _framed_by_partner_hosts(response: TestResponse) -> None:
    assert _policy(response)["frame-ancestors"] == " ".join(HOSTS)
    assert "X-Frame-Options" not in response.headers


def _list_frame_hosts(session: Session) -> None:
    partner = session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    partner.settings = {**partner.settings, FRAME_ANCESTORS_KEY: HOSTS}
    session.flush()


def _punchout_pages(client: FlaskClient) -> list[TestResponse]:
    """The start redirect, shop pages inside the punchout and the cart-return page."""
    start = client.get(buyer.start_path(post_cxml(client, buyer.setup_request())))
    assert start.status_code == 302
    catalog = client.get("/catalog")
    product = client.get("/products/DEMO-0001")
    buyer.add_to_cart(client, "DEMO-0001", "1")
    cart = client.get("/cart")
    returned = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert returned.status_code == 200
    return [start, catalog, product, cart, returned]


@pytest.mark.parametrize("url", ["/login", "/password/forgot", "/catalog", "/no-such-page"])
def test_a_page_outside_a_punchout_is_framed_nowhere(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    _framed_nowhere(response)
    assert _policy(response)["default-src"] == "'self'"  # the other directives stay


@pytest.mark.parametrize("url", ["/orders", "/account/users", "/staff"])
def test_a_logged_in_page_is_framed_nowhere(app: Flask, url: str) -> None:
    client = app.test_client()
    shop.login(client, "service@supplier.demo" if url == "/staff" else "superuser@1001.demo")
    _framed_nowhere(client.get(url))


def test_punchout_pages_of_a_partner_without_frame_hosts_are_framed_nowhere(
    client: FlaskClient,
) -> None:
    for response in _punchout_pages(client):
        _framed_nowhere(response)


def test_punchout_pages_may_be_framed_by_exactly_the_partners_hosts(
    client: FlaskClient, db_session: Session
) -> None:
    _list_frame_hosts(db_session)
    pages = _punchout_pages(client)
    for response in pages:
        _framed_by_partner_hosts(response)
    returned = pages[-1]
    assert _policy(returned)["form-action"] == "'self' http://127.0.0.1:5000"  # kept
    assert _policy(returned)["default-src"] == "'self'"


def test_after_the_punchout_the_browser_is_framed_nowhere_again(
    client: FlaskClient, db_session: Session
) -> None:
    _list_frame_hosts(db_session)
    _punchout_pages(client)  # ends with the transfer: the punchout is over
    _framed_nowhere(client.get("/catalog"))
