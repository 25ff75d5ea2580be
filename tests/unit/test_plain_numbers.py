"""`gateway.numbers.plain` and the `number` filter: decimals for people, never an exponent."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask

from gateway.numbers import plain
from gateway.web import i18n


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10.000"), "10"),
        (Decimal("1E+1"), "10"),
        (Decimal("1E+6"), "1000000"),
        (Decimal("2.500"), "2.5"),
        (Decimal("0.001"), "0.001"),
        (Decimal("0.000"), "0"),
        (Decimal("-0"), "0"),
        (3, "3"),
    ],
)
def test_plain_writes_digits_and_a_point(value: Decimal, expected: str) -> None:
    assert plain(value) == expected


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("nl", Decimal("1E+1"), "10"),
        ("nl", Decimal("1250.500"), "1.250,5"),
        ("en", Decimal("1250.500"), "1,250.5"),
        ("en", Decimal("21.00"), "21"),
    ],
)
def test_number_filter_follows_the_locale(
    app: Flask, locale: str, value: Decimal, expected: str
) -> None:
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert app.jinja_env.filters["number"] is i18n.number
        assert app.jinja_env.filters["plain"] is plain
        assert i18n.number(value) == expected
