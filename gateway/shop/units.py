"""Quantities with their unit in words ("10 pieces", "10 stuks"), for people, not codes.

The shop stores UN/CEFACT unit codes (EA, BX, PK …); pages show the word for the common ones
and the code for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gateway.web.i18n import number


def _piece(count: int, text: str) -> str:
    return str(ngettext("%(amount)s piece", "%(amount)s pieces", count, amount=text))


def _box(count: int, text: str) -> str:
    return str(ngettext("%(amount)s box", "%(amount)s boxes", count, amount=text))


def _pack(count: int, text: str) -> str:
    return str(ngettext("%(amount)s pack", "%(amount)s packs", count, amount=text))


def _ream(count: int, text: str) -> str:
    return str(ngettext("%(amount)s ream", "%(amount)s reams", count, amount=text))


def _metre(count: int, text: str) -> str:
    return str(ngettext("%(amount)s metre", "%(amount)s metres", count, amount=text))


def _pair(count: int, text: str) -> str:
    return str(ngettext("%(amount)s pair", "%(amount)s pairs", count, amount=text))


def _sheet(count: int, text: str) -> str:
    return str(ngettext("%(amount)s sheet", "%(amount)s sheets", count, amount=text))


_AMOUNTS: dict[str, Callable[[int, str], str]] = {
    "EA": _piece,
    "PCE": _piece,
    "C62": _piece,
    "BX": _box,
    "PK": _pack,
    "RM": _ream,
    "MTR": _metre,
    "PR": _pair,
    "ST": _sheet,
}


def amount(quantity: Decimal, unit: str) -> str:
    """`quantity` of `unit` in words: "10 pieces", "1 box", "2.5 metres" ("2,5 meter")."""
    text = number(Decimal(quantity))
    count = int(quantity) if quantity == quantity.to_integral_value() else 2
    word = _AMOUNTS.get(unit.strip().upper())
    return word(count, text) if word else f"{text} {unit}"


_NAMES = {
    "EA": _l("piece"),
    "PCE": _l("piece"),
    "C62": _l("piece"),
    "BX": _l("box"),
    "PK": _l("pack"),
    "RM": _l("ream"),
    "MTR": _l("metre"),
    "PR": _l("pair"),
    "ST": _l("sheet"),
}


def name(unit: str) -> str:
    """The name of one `unit` ("piece", "box"), or the code when it has none (translates the
    one name asked for: a catalogue page asks once per row)."""
    found = _NAMES.get(unit.strip().upper())
    return unit if found is None else str(found)


def contents(unit: str, pack_quantity: Decimal | None, content_unit: str | None) -> str:
    """What one `unit` holds, in words ("pack of 10 pieces", "pak van 10 stuks"); empty when
    the product names nothing."""
    if pack_quantity is None:
        return ""
    return str(
        _(
            "%(unit)s of %(amount)s",
            unit=name(unit),
            amount=amount(pack_quantity, content_unit or "EA"),
        )
    )
