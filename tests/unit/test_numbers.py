"""The one reading of typed and sent numbers (`gateway.numbers`) and the quantity rule on top."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.errors import InvalidInput
from gateway.numbers import NumberError, Problem, read_decimal
from gateway.services.ordering import quantities


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal(12)),
        (" 1.5 ", Decimal("1.5")),
        ("+3", Decimal(3)),
        ("-0.25", Decimal("-0.25")),
        (".5", Decimal("0.5")),
        ("7.", Decimal(7)),
        ("0001.100", Decimal("1.1")),  # leading and trailing zeros are no digits of the value
    ],
)
def test_plain_decimals_are_read_exactly(text: str, expected: Decimal) -> None:
    assert read_decimal(text, digits=4, decimals=3) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "1e3",
        "1E-5",
        "NaN",
        "sNaN",
        "Infinity",
        "-inf",
        "\u00b2",  # superscript two: str.isdigit() says yes
        "\u0663",  # Arabic-Indic three: Decimal() reads it as 3
        "\uff11",  # fullwidth one
        "1,000",
        "1 000",
        "1_000",
        "1.2.3",
        "--1",
        "1\x00",
        "\x001",
        "1\u202e2",
        "0x10",
    ],
)
def test_anything_but_ascii_digits_and_a_point_is_no_number(text: str) -> None:
    with pytest.raises(NumberError) as refused:
        read_decimal(text, digits=11, decimals=3)
    assert refused.value.kind == Problem.SYNTAX
    assert refused.value.about("Quantity") == (
        "Quantity must be a number written with the digits 0-9 and a decimal point."
    )


def test_digits_and_decimals_are_bounded_before_anything_is_computed() -> None:
    with pytest.raises(NumberError, match="at most 4 digits before the point") as too_big:
        read_decimal("12345", digits=4, decimals=2)
    with pytest.raises(NumberError, match="at most 2 decimals") as too_fine:
        read_decimal("1.001", digits=4, decimals=2)
    with pytest.raises(NumberError, match="whole number"):
        read_decimal("1.5", digits=4, decimals=0)
    with pytest.raises(NumberError, match="too long") as too_long:
        read_decimal("0" * 400 + "1", digits=4, decimals=2)
    assert (too_big.value.kind, too_fine.value.kind) == (Problem.DIGITS, Problem.DECIMALS)
    assert too_long.value.kind == Problem.DIGITS


def test_a_decimal_comma_is_read_where_a_form_allows_it() -> None:
    assert read_decimal("12,50", digits=4, decimals=2, comma=True) == Decimal("12.50")
    with pytest.raises(NumberError):
        read_decimal("12,50", digits=4, decimals=2)
    with pytest.raises(NumberError):
        read_decimal("1,000.50", digits=4, decimals=2, comma=True)


def test_whole_units_step_by_one_and_others_by_a_thousandth() -> None:
    assert quantities.step("BX") == 1
    assert quantities.step(" rm ") == 1
    assert quantities.step("EA") == Decimal("0.001")
    assert quantities.check(Decimal(3), unit="BX", sku="S") == 3
    assert quantities.check(Decimal("2.125"), unit="KGM", sku="S") == Decimal("2.125")
    with pytest.raises(InvalidInput, match="S is sold per BX: whole numbers only"):
        quantities.check(Decimal("1.5"), unit="BX", sku="S")
    with pytest.raises(InvalidInput, match="Quantity of S may have at most 3 decimals"):
        quantities.check(Decimal("0.0001"), unit="EA", sku="S")


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (Decimal("NaN"), "must be a number"),
        (Decimal("Infinity"), "must be a number"),
        (Decimal("1e21"), "at most 1000000"),
        (Decimal(0), "greater than zero"),
        (Decimal(-1), "greater than zero"),
    ],
)
def test_the_rule_refuses_decimals_from_anywhere(quantity: Decimal, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        quantities.check(quantity, unit="EA", sku="S")


def test_zero_drops_a_line_where_allowed_but_nothing_goes_below() -> None:
    assert quantities.parse("0", allow_zero=True) == 0
    assert quantities.check(Decimal(0), unit="BX", sku="S", allow_zero=True) == 0
    with pytest.raises(InvalidInput, match="cannot be negative"):
        quantities.parse("-1", allow_zero=True)
