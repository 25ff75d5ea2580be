"""Return-URL allow-lists (cXML BrowserFormPost, later OCI HOOK_URL)."""

from __future__ import annotations

import pytest

from gateway.urls import url_allowed

BUYER = ["https://buyer.example/punchout"]
LOOPBACK = ["http://127.0.0.1", "http://localhost"]


@pytest.mark.parametrize(
    ("url", "prefixes", "allowed"),
    [
        ("https://buyer.example/punchout", BUYER, True),
        ("https://buyer.example/punchout/return?x=1", BUYER, True),
        ("https://BUYER.example:443/punchout/return", BUYER, True),
        ("https://buyer.example/punchout-evil", BUYER, False),
        ("https://buyer.example/other", BUYER, False),
        ("https://buyer.example.attacker.example/punchout", BUYER, False),
        ("https://attacker.example/", BUYER, False),
        ("https://buyer.example:8443/punchout", BUYER, False),
        ("http://buyer.example/punchout", BUYER, False),  # no plain http unless the prefix says so
        ("javascript:alert(1)//buyer.example/punchout", BUYER, False),
        ("data:text/html,<form>", BUYER, False),
        ("https://user:pw@buyer.example/punchout", BUYER, False),
        ("https://buyer.example/punchout\n", BUYER, False),
        ("not a url", BUYER, False),
        ("http://127.0.0.1:5000/tools/simulator/receive", LOOPBACK, True),
        ("http://localhost:8000/cart", LOOPBACK, True),
        ("http://127.0.0.1/cart", LOOPBACK, True),
        ("https://127.0.0.1/cart", LOOPBACK, False),
        ("http://127.0.0.1.attacker.example/cart", LOOPBACK, False),
        ("http://localhost:8000/cart", ["http://localhost:9000"], False),
        ("https://buyer.example/a", ["https://buyer.example/"], True),
        ("https://buyer.example/", ["https://buyer.example"], True),
    ],
)
def test_url_allowed(url: str, prefixes: list[str], allowed: bool) -> None:
    assert url_allowed(url, prefixes) is allowed
