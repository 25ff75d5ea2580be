"""The quantity rule every path shares: shop and guest carts, quick order, approval take-over,
cXML edit/inspect carts and OCI function calls.

A quantity is a number (read by `gateway.numbers`), positive, at most the cart limit, and a
multiple of its unit's step: packaging units (boxes, packs, reams …) are whole, every other unit
takes steps of 0.001 (the three decimals OCI carries and the quantity columns store).
"""

from __future__ import annotations

from decimal import Decimal

from gateway.errors import InvalidInput
from gateway.numbers import NumberError, Problem, read_decimal

MAX_QUANTITY = Decimal(1_000_000)  # the cart limit, per line
DECIMALS = 3
TOO_MANY = f"Quantity may be at most {MAX_QUANTITY}."
_DIGITS = len(str(MAX_QUANTITY))  # enough to read any number up to the limit
# UN/CEFACT packaging units that cannot be split: box, pack, ream, pair, set, carton, pallet, bag.
# EA stays divisible (punchout buyers send 1.5 EA; cXML allows it).
WHOLE_UNITS = frozenset({"BX", "PK", "RM", "PR", "SET", "CT", "PF", "BG"})


def step(unit: str) -> Decimal:
    """The smallest amount of `unit` that can be ordered, and every quantity's divisor."""
    return Decimal(1) if unit.strip().upper() in WHOLE_UNITS else Decimal(1).scaleb(-DECIMALS)


def parse(text: str, *, allow_zero: bool = False) -> Decimal:
    """Typed text as a quantity in range (unit aside), or InvalidInput saying what is wrong."""
    try:
        quantity = read_decimal(text, digits=_DIGITS, decimals=DECIMALS)
    except NumberError as exc:
        if exc.kind == Problem.DIGITS:  # the limit says more than a count of digits
            raise InvalidInput(TOO_MANY) from None
        raise InvalidInput(exc.about("Quantity")) from None
    return in_range(quantity, allow_zero=allow_zero)


def in_range(quantity: Decimal, *, allow_zero: bool = False) -> Decimal:
    """`quantity` when it is finite, positive (or 0 where allowed) and within the cart limit."""
    quantity = Decimal(quantity)  # callers in code may hand over an int
    if not quantity.is_finite():
        raise InvalidInput("Quantity must be a number.")
    if quantity < 0 and allow_zero:
        raise InvalidInput("Quantity cannot be negative.")
    if quantity < 0 or (quantity == 0 and not allow_zero):
        raise InvalidInput("Quantity must be greater than zero.")
    if quantity > MAX_QUANTITY:
        raise InvalidInput(TOO_MANY)
    return quantity


def check(quantity: Decimal, *, unit: str, sku: str, allow_zero: bool = False) -> Decimal:
    """`quantity` of a product sold per `unit`: in range and a multiple of the unit's step."""
    quantity = in_range(quantity, allow_zero=allow_zero)
    unit_step = step(unit)
    if quantity % unit_step:
        if unit_step == 1:
            raise InvalidInput(
                "%(sku)s is sold per %(unit)s: whole numbers only.", sku=sku, unit=unit
            )
        raise InvalidInput(
            "Quantity of %(sku)s may have at most %(decimals)s decimals.",
            sku=sku,
            decimals=DECIMALS,
        )
    return quantity
