"""`safe_target`: only a path of this site survives, however a browser would read the target."""

from __future__ import annotations

import pytest

from gateway.web.redirects import safe_target, same_site_path

DEFAULT = "/catalog"


@pytest.mark.parametrize(
    "target",
    [
        "/cart",
        "/staff/audit?action=impersonation",
        "/catalog?q=a%26b",  # an encoded & stays encoded: the query keeps its meaning
        "/products/DEMO-0001#reviews",
        "/https://evil.example",  # a path segment, not a scheme
        "/.//evil.example",  # resolves to a path on this host
    ],
)
def test_a_path_of_this_site_is_kept(target: str) -> None:
    assert safe_target(target, DEFAULT) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/path\\..\\..",
        "/\t/evil.example",  # what ?next=/%09/evil.example arrives as: a browser drops the tab
        "/\n/evil.example",
        "/\r/evil.example",
        "/\x00/evil.example",
        "/\x7f/evil.example",
        "/\u200b/evil.example",  # a zero-width space (format character)
        "/\u2028/evil.example",  # a line separator
        "/%09/evil.example",  # encoded once more
        "/%2F/evil.example",
        "/%2f%2fevil.example",
        "/%5Cevil.example",
        "/%255Cevil.example",  # encoded twice
        "/%25252F/evil.example",  # encoded three times: too doubtful to follow
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "evil.example",
        " /evil",
        "catalog",
    ],
)
def test_anything_else_gives_the_default(target: str | None) -> None:
    assert safe_target(target, DEFAULT) == DEFAULT


@pytest.mark.parametrize(
    ("referrer", "expected"),
    [
        ("http://localhost/cart?x=1", "/cart?x=1"),
        ("http://localhost/", "/"),
        ("http://localhost//evil.example", DEFAULT),
        ("http://localhost/%09/evil.example", DEFAULT),
        ("http://localhost.evil.example/cart", DEFAULT),
        ("https://evil.example/http://localhost/", DEFAULT),
        ("http://localhost", DEFAULT),
        (None, DEFAULT),
    ],
)
def test_a_referrer_counts_only_as_a_path_of_this_site(referrer: str | None, expected: str) -> None:
    assert same_site_path(referrer, "http://localhost/", DEFAULT) == expected
