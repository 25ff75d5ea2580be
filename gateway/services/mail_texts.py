"""E-mails in the recipient's language, as plain text with an HTML alternative.

Services know no Flask, so a mail is written with Babel directly: the texts come from the same
catalogues as the pages (gateway/translations), amounts and dates are formatted for the
recipient's locale. The language is the recipient's own setting, else the one the caller
names (the language of the page that caused the mail), else English.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

from gateway.models import User

LOCALES = ("nl", "en")
DEFAULT_LOCALE = "en"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
CENT = Decimal("0.01")


def locale_for(recipient: User | None, fallback: str | None = None) -> str:
    """The recipient's language: their setting, else `fallback`, else English."""
    for choice in (recipient.locale if recipient else None, fallback):
        if choice in LOCALES:
            return str(choice)
    return DEFAULT_LOCALE


@functools.cache
def _translations(locale: str) -> NullTranslations:
    return Translations.load(str(TRANSLATIONS), [locale])


@dataclass
class Letter:
    """One mail being written: paragraphs, links and line lists, in one language."""

    locale: str
    _blocks: list[tuple[str, str, str]] = field(default_factory=list)  # kind, text, link

    def _(self, message: str, **values: object) -> str:
        """`message` in the letter's language, with `values` filled in."""
        text = _translations(self.locale).gettext(message)
        return text % values if values else text

    def money(self, amount: Decimal, currency: str) -> str:
        cents = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
        return str(format_currency(cents, currency, locale=self.locale))

    def number(self, value: Decimal) -> str:
        return str(format_decimal(Decimal(value).normalize(), locale=self.locale))

    def paragraph(self, text: str) -> Letter:
        self._blocks.append(("p", text, ""))
        return self

    def link(self, text: str, url: str) -> Letter:
        """A paragraph `text` followed by the address (a link in HTML)."""
        self._blocks.append(("a", text, url))
        return self

    def items(self, lines: list[str]) -> Letter:
        self._blocks.extend(("li", line, "") for line in lines)
        return self

    def text(self) -> str:
        parts: list[str] = []
        for kind, text, url in self._blocks:
            if kind == "li":
                parts.append(f"- {text}\n")
            elif kind == "a":
                parts.append(f"\n{text}\n{url}\n")
            else:
                parts.append(f"\n{text}\n")
        return "".join(parts).lstrip("\n")

    def html(self) -> str:
        body: list[str] = []
        in_list = False
        for kind, text, url in self._blocks:
            if kind == "li" and not in_list:
                body.append("<ul>")
            elif kind != "li" and in_list:
                body.append("</ul>")
            in_list = kind == "li"
            if kind == "li":
                body.append(f"<li>{escape(text)}</li>")
            elif kind == "a":
                body.append(f'<p>{escape(text)}<br><a href="{escape(url)}">{escape(url)}</a></p>')
            else:
                body.append(f"<p>{escape(text)}</p>")
        if in_list:
            body.append("</ul>")
        return (
            f'<!doctype html><html lang="{self.locale}"><head><meta charset="utf-8"></head>'
            f'<body style="font-family: sans-serif">{"".join(body)}</body></html>'
        )
