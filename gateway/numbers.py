"""Decimal numbers as people type them and buyers' systems send them: one reading for every path.

A number is ASCII digits with at most one decimal point and an optional leading sign: no
exponent, NaN or Infinity, no grouping, no other scripts' digits (`Decimal` reads `٣` as 3 and
`str.isdigit` calls `²` a digit) and no control characters. It has at most `digits` digits
before the point and `decimals` after it (trailing zeros aside), so what passes fits the
scaled columns it is stored in. Pure: protocol code and services both read numbers here, and
decide for themselves what range and step they accept.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from gateway.errors import InvalidInput

MAX_TEXT = 40  # longer text is no number anyone means; refused before it is read
ID_DIGITS = 9  # ids, counts and codes: what a 32-bit integer column holds
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
NOT_A_NUMBER = "must be a number written with the digits 0-9 and a decimal point"


class Problem(StrEnum):
    """Why text is no acceptable number."""

    SYNTAX = "syntax"  # no number at all
    DIGITS = "digits"  # too many digits before the point (or too long altogether)
    DECIMALS = "decimals"  # too many after it


class NumberError(InvalidInput):
    """Text that is no number of the expected form. `reason` completes a sentence that starts
    with what was read ("Quantity", "QUANTITY", an element's path)."""

    def __init__(self, reason: str, *, kind: Problem) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind

    def about(self, what: str) -> str:
        """The whole message for the value named `what`."""
        return f"{what} {self.reason}."


def read_decimal(text: str, *, digits: int, decimals: int, comma: bool = False) -> Decimal:
    """`text` (surrounding blanks ignored) as a finite Decimal, or NumberError.

    `comma` also takes one decimal comma (`12,50`), as Dutch people type amounts.
    """
    text = text.strip()
    if comma and "." not in text:
        text = text.replace(",", ".", 1)
    if len(text) > MAX_TEXT:
        raise NumberError("is too long for a number", kind=Problem.DIGITS)
    if _PLAIN.fullmatch(text) is None:
        raise NumberError(NOT_A_NUMBER, kind=Problem.SYNTAX)
    whole, _, fraction = text.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) > digits:
        raise NumberError(f"may have at most {digits} digits before the point", kind=Problem.DIGITS)
    if len(fraction.rstrip("0")) > decimals:
        raise NumberError(
            f"may have at most {decimals} decimals" if decimals else "must be a whole number",
            kind=Problem.DECIMALS,
        )
    return Decimal(text)


def read_whole(text: str, *, digits: int = ID_DIGITS) -> int:
    """`text` (surrounding blanks ignored) as a whole number of at most `digits` ASCII digits,
    or NumberError; ids default to what an integer column holds."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        raise NumberError("must be a whole number written with the digits 0-9", kind=Problem.SYNTAX)
    if len(text.lstrip("0")) > digits:
        raise NumberError(f"may have at most {digits} digits", kind=Problem.DIGITS)
    return int(text)


def plain(value: Decimal | int | str) -> str:
    """A number for people and for form fields: plain digits and a decimal point, trailing
    zeros dropped, never an exponent (`Decimal("10.000").normalize()` prints as `1E+1`)."""
    text = f"{Decimal(value).normalize():f}"
    return "0" if text in {"-0", "0"} else text
