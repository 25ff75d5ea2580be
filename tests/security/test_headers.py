"""Security headers (security-checklist.md §3 "Cookies, framing"): a Content-Security-Policy on
every page, the cart-return page allowed to post to its stored return URL only, HSTS over TLS,
and no-store on pages with prices."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from gateway.web.headers import form_action
from tests import buyer, shop
from tests.integration.test_cxml_punchout import punch_in


def _policy(response: object) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    return {part.split()[0]: part.split(maxsplit=1)[1] for part in header.split("; ")}


@pytest.mark.parametrize("url", ["/login", "/catalog", "/cart", "/orders", "/account/users"])
def test_every_page_loads_and_posts_to_the_gateway_only(app: Flask, url: str) -> None:
    client = app.test_client()
    shop.login(client, "superuser@1001.demo")
    policy = _policy(client.get(url))
    assert policy["default-src"] == "'self'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "script-src" not in policy  # no inline scripts: default-src 'self' rules them


def test_the_cart_return_page_may_post_to_the_stored_return_url(client: FlaskClient) -> None:
    punch_in(client, buyer.setup_request())
    buyer.add_to_cart(client, "DEMO-0001", "1")
    cart = client.get("/cart")
    response = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert response.status_code == 200
    assert [form["attrs"]["action"] for form in buyer.read_forms(response.text)] == [
        buyer.RETURN_URL
    ]
    policy = _policy(response)
    assert policy["form-action"] == "'self' http://127.0.0.1:5000"  # RETURN_URL's origin
    assert policy["default-src"] == "'self'"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://buyer.example/punchout/return?x=1", "form-action 'self' https://buyer.example"),
        ("https://buyer.example:8443/r", "form-action 'self' https://buyer.example:8443"),
        ("SAPEVENT:POST", "form-action 'self' sapevent:"),
    ],
)
def test_form_action_names_the_origin_only(url: str, expected: str) -> None:
    assert form_action(url) == expected


def test_hsts_only_when_served_over_tls(app: Flask) -> None:
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    app.config["GATEWAY_BASE_URL"] = "https://gateway.example"
    for response in (app.test_client().get("/login"), app.test_client().post("/cxml")):
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize("url", ["/catalog", "/products/DEMO-0001", "/cart", "/checkout"])
def test_pages_with_prices_are_not_stored(app: Flask, url: str) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    shop.post(client, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"})
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_only_a_punchout_cookie_over_tls_may_cross_sites(app: Flask) -> None:
    """The buyer's frame gets `SameSite=None; Secure` for the punchout; everything else is Lax."""
    app.config["SESSION_COOKIE_SECURE"] = True
    punchout = app.test_client()
    answer = punchout.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    started = punchout.get(buyer.start_path(answer.data))
    cookie = started.headers["Set-Cookie"]
    assert "SameSite=None" in cookie
    assert "Secure" in cookie
    shopper = app.test_client()
    page = shopper.get("/login")
    assert "SameSite=Lax" in page.headers["Set-Cookie"]
    logged_in = shopper.post(
        "/login",
        data={
            "email": "buyer@1001.demo",
            "password": "demo",
            "csrf_token": buyer.csrf_token(page.text),
        },
    )
    assert "SameSite=Lax" in logged_in.headers["Set-Cookie"]
    app.config["SESSION_COOKIE_SECURE"] = False  # plain http: never None (browsers refuse it)
    plain = app.test_client()
    answer = plain.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    assert "SameSite=Lax" in plain.get(buyer.start_path(answer.data)).headers["Set-Cookie"]
