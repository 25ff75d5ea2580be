"""Dutch and English: the translations are complete and compiled, amounts follow the locale."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from flask import Flask

import gateway
from gateway.models import OrderStatus
from gateway.web import i18n

PACKAGE = Path(gateway.__file__).resolve().parent
TRANSLATIONS = PACKAGE / "translations"


def _template_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(PACKAGE / "templates"), method_map=[("**.html", "jinja2")]
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_compiled_catalogs_match_their_sources(locale: str) -> None:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    assert _pairs(source) == _pairs(compiled)


def _pairs(catalog: Catalog) -> dict[object, object]:
    def key(value: object) -> object:
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_every_template_text_and_status_has_a_dutch_translation() -> None:
    with (TRANSLATIONS / "nl/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {
        (m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id and m.string
    }
    assert _template_messages() - translated == set()
    assert set(OrderStatus) - translated == set()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "€\xa01.234,56"), ("en", "€1,234.56"), ("de", "€1,234.56")],  # \xa0: no break
)
def test_amounts_follow_the_locale(app: Flask, language: str, expected: str) -> None:
    with app.test_request_context(headers={"Accept-Language": language}):
        assert i18n.money(Decimal("1234.555")) == expected  # half-up to cents first


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP", "JPY", "KWD", "CHF"])
def test_amounts_read_as_babel_writes_them(app: Flask, language: str, currency: str) -> None:
    """`money` reads the pattern and symbol once per locale and currency; what it writes stays
    exactly what `format_currency` writes (decimals of the currency, signs, grouping)."""
    with app.test_request_context(headers={"Accept-Language": language}):
        for amount in ("0", "7", "-1234.5", "1234567.89", "-0.01", "999.99"):
            value = Decimal(amount)
            assert i18n.money(value, currency) == format_currency(value, currency, locale=language)
