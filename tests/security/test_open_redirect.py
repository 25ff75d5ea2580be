"""Open redirect (issue #16): the login's `next` and the language switch's referrer send the
browser to a path of this site only; a doubtful target gives the start page (the login) or
the catalog (the language switch)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from tests import shop


def _log_in(app: Flask, query: str) -> TestResponse:
    """Log the demo buyer in through the form posted to `/login?{query}`."""
    client = app.test_client()
    token = shop.csrf_token(client.get("/login").text)
    form = {"email": "buyer@1001.demo", "password": "demo", "csrf_token": token}
    return client.post(f"/login?{query}", data=form)


@pytest.mark.parametrize(
    "target",
    ["/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/%2F/x"],
)
def test_the_login_never_sends_the_browser_elsewhere(app: Flask, target: str) -> None:
    answer = _log_in(app, f"next={quote(target, safe='')}")
    assert answer.status_code == 302
    assert answer.location == "/start"


def test_the_login_returns_to_the_page_it_interrupted(app: Flask) -> None:
    assert _log_in(app, "next=/orders%3Fpage%3D2").location == "/orders?page=2"


def test_the_language_switch_returns_only_to_a_page_of_this_site(app: Flask) -> None:
    client = app.test_client()
    answer = shop.post(client, "/locale", {"locale": "nl"}, via="/login")  # no referrer at all
    assert answer.location == "/catalog"
    token = shop.csrf_token(client.get("/login").text)
    for referrer, expected in [
        ("http://localhost/%09/evil.example", "/catalog"),
        ("http://localhost/cart", "/cart"),
    ]:
        answer = client.post(
            "/locale",
            data={"locale": "nl", "csrf_token": token},
            headers={"Referer": referrer},
        )
        assert answer.location == expected
