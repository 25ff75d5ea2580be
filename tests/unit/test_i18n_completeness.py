"""Complete Dutch: every message the gateway shows has a Dutch translation, and no template
shows a text that is not wrapped for translation.

Messages are extracted with Babel as `pybabel extract` would, from the templates and from all
Python code: `_()`/`gettext`/`ngettext`, the lazy forms, and the constant messages of the
errors services raise to be shown to people (`InvalidInput`, `NotFound`, `BudgetExceeded`).
A template text is literal when it has letters and sits outside `{% trans %}` and `_()`: in
the markup between tags, in an attribute people read (`title`, `placeholder`, `aria-label`,
`alt`), or as a quoted phrase printed by an expression (`{{ 'active' if … }}`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import gateway

PACKAGE = Path(gateway.__file__).resolve().parent
TEMPLATES = PACKAGE / "templates"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "InvalidInput": None,
    "NotFound": None,
    "BudgetExceeded": None,
}
#: texts that are the same in every language: names, protocol fields, codes, symbols
NOT_TRANSLATED = frozenset(
    {
        "punchout-gateway shop",  # the brand
        "punchout-gateway",
        "Nederlands",  # each language's own name, in the language switch
        "English",
        "UNSPSC",
        "payloadID",
        "BuyerCookie",
        "operationAllowed",
        "StartPage",
        "cXML",
        "SAP OCI",
        "USERNAME",
        "OCI_VERSION",
        "SupplierPartID",
        "AuxiliaryID",
        "UnitOfMeasure",
        "UnitPrice",
        "Classification",
        "Extrinsics",
        "Description",  # in the cXML preview: the element's name
        "EXT_PRODUCT_ID",
        "DESCRIPTION",
        "QUANTITY",
        "UNIT",
        "PRICE",
        "SKU|SupplierPartAuxiliaryID|",
        "gateway cxml dtds install",  # a command to type
        "DEMO-0001 5",  # an example line to type
        "cxml-",
        "Response",  # the cXML document's name
        "DTD",
        "ok, error, 401",  # the status filter's values
        "impersonation.",  # an audit action's prefix
        "CIF 3.0",  # catalog formats and file types, by their names
        "cXML Index",
        "BMEcat 2005",
        "CSV",
        "Excel",
    }
)
VISIBLE_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt"})
HOLE = " "  # where a `{{ … }}` or `{% … %}` stood in the markup
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
PHRASE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]{2,}", re.UNICODE)


def _extracted() -> dict[str, str]:
    """msgid → where it was found."""
    found: dict[str, str] = {}
    for method, pattern in (("python", "**.py"), ("jinja2", "**.html")):
        for file, line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            key = message[0] if isinstance(message, tuple) else message
            if key:
                found.setdefault(key, f"{file}:{line}")
    return found


def _dutch() -> set[str]:
    with (PACKAGE / "translations/nl/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = set()
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and all(strings):
            translated.add(message.id[0] if isinstance(message.id, tuple) else message.id)
    return translated


def test_every_message_has_a_dutch_translation() -> None:
    found = _extracted()
    missing = {f"{where}: {key!r}" for key, where in found.items() if key not in _dutch()}
    assert sorted(missing) == []


def test_the_extraction_sees_python_and_templates() -> None:
    """The test above reads what it should: service errors, views, labels and templates."""
    found = _extracted()
    assert "Quantity must be greater than zero." in found  # an InvalidInput in a service
    assert "Awaiting approval" in found  # a lazy label
    assert "Withdraw this order" in found  # a template
    assert "A guest cart holds at most 100 lines." in found  # a view's gettext


class _Texts(HTMLParser):
    """The readable texts of markup whose Jinja parts are HOLEs: text nodes and the
    attributes people read, minus scripts and preformatted documents."""

    SKIPPED = frozenset({"script", "style", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skipping.append(tag)
        for name, value in attrs:
            if name in VISIBLE_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.texts.append(data)


def _literal_texts(source: str) -> Iterator[str]:
    """Texts with letters in a template outside `{% trans %}` and `_()`."""
    environment = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    markup: list[str] = []
    in_trans = False
    calls: list[str] = []  # the function each open parenthesis belongs to
    previous = ""
    expect_tag = False
    for _line, kind, value in environment.lex(source):
        if kind == "block_begin":
            expect_tag = True
        elif kind == "name" and expect_tag:
            expect_tag = False
            in_trans = value == "trans" or (in_trans and value != "endtrans")
        if kind == "data":
            markup.append(HOLE if in_trans else value)
            continue
        if kind in ("variable_begin", "block_begin"):
            markup.append(HOLE)
        if kind == "operator" and value == "(":
            calls.append(previous)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string" and not (calls and calls[-1] in TRANSLATING):
            text = ast.literal_eval(value)
            if PHRASE.search(text):
                yield text
        previous = value
    parser = _Texts()
    parser.feed("".join(markup))
    parser.close()
    for text in parser.texts:
        stripped = " ".join(text.split())
        if LETTERS.search(stripped):
            yield stripped


TRANSLATING = frozenset({"_", "gettext", "ngettext"})


def _untranslated(text: str, allowed: frozenset[str]) -> bool:
    """Whether letters are left once the allowed names and codes are taken out."""
    for name in sorted(allowed, key=len, reverse=True):
        text = re.sub(rf"(?<![^\W\d_]){re.escape(name)}(?![^\W\d_])", " ", text)
    return bool(LETTERS.search(text))


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize(
    "template", _templates(), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_no_template_shows_text_that_is_not_translated(template: Path) -> None:
    literal = sorted(
        {
            text
            for text in _literal_texts(template.read_text())
            if _untranslated(text, NOT_TRANSLATED)
        }
    )
    assert literal == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Withdraw this order</p>", ["Withdraw this order"]),
        ("<p>{{ _('Withdraw this order') }}</p>", []),
        ("<p>{% trans %}Withdraw this order{% endtrans %}</p>", []),
        ('<input placeholder="e.g. 5">', ["e.g. 5"]),
        ('<input name="quantity" value="{{ q }}">', []),  # names and values are not read
        ("<td>Order {{ order.number }} again</td>", ["Order again"]),
        ("<td>{{ 'active' if x else 'switched off' }}</td>", ["switched off"]),
        ("<td>{{ _('active') if x else _('switched off') }}</td>", []),
        ("<td>{{ order.status|label('order_status') }}</td>", []),
        ("<pre>{{ document }}</pre><script>let a = 'b c';</script>", []),
        ("<td>{{ total }} · {{ count }}</td>", []),
        ("<td>{{ ngettext('%(num)d line', '%(num)d lines', n) }}</td>", []),
        ("<option{% if x %} selected{% endif %}>{{ zone }}</option>", []),
    ],
)
def test_literal_texts_are_found(source: str, expected: list[str]) -> None:
    """The template check finds what people would read untranslated, and only that."""
    assert list(_literal_texts(source)) == expected


def test_allowed_names_excuse_only_themselves() -> None:
    allowed = frozenset({"BuyerCookie", "DTD"})
    assert not _untranslated("#: , BuyerCookie ,", allowed)
    assert _untranslated("BuyerCookie started", allowed)
    assert _untranslated("DTDs", allowed)  # a name inside a longer word is no excuse
