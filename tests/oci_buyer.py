"""A scripted SAP SRM buyer for OCI: launch URLs, and an independent reading of the cart form.

The reader deliberately does not use `gateway.oci`: it parses the HTML with the standard
library, as a buyer's system would, and interprets the `NEW_ITEM-*` names itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode

HOOK_URL = "http://127.0.0.1:5000/tools/simulator/receive"
LOGIN = {"USERNAME": "demo-oci", "PASSWORD": "demo"}
_ITEM = re.compile(r"^NEW_ITEM-([A-Z0-9_]+)\[(\d+)\]$")
_LONGTEXT = re.compile(r"^NEW_ITEM-LONGTEXT_(\d+):132\[\]$")


def launch_url(**parameters: str) -> str:
    """`/oci?…` with the demo login, HOOK_URL last (as SRM sends it)."""
    values = {**LOGIN, **parameters}
    hook = values.pop("HOOK_URL", HOOK_URL)
    return "/oci?" + urlencode({**values, "HOOK_URL": hook})


@dataclass
class ReturnForm:
    """The cart form as the buyer receives it."""

    attrs: dict[str, str]
    fields: list[tuple[str, str]]
    charset: str
    items: dict[int, dict[str, str]] = field(default_factory=dict)
    other: list[tuple[str, str]] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
        self.meta_charset = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and "charset" in values:
            self.meta_charset = values["charset"]
        elif tag == "form":
            self.forms.append((values, []))
        elif tag == "input" and self.forms and values.get("type") == "hidden":
            self.forms[-1][1].append((values["name"], values.get("value", "")))


def read_return(body: bytes, content_type: str) -> ReturnForm:
    """Decode the page in its declared charset and read its one form's items by index."""
    declared = content_type.partition("charset=")[2]
    reader = _Reader()
    reader.feed(body.decode(declared))
    assert reader.meta_charset.lower() == declared.lower()
    assert len(reader.forms) == 1, "exactly one form"
    attrs, fields = reader.forms[0]
    form = ReturnForm(attrs=attrs, fields=fields, charset=declared)
    for name, value in fields:
        if match := _ITEM.match(name):
            form.items.setdefault(int(match.group(2)), {})[match.group(1)] = value
        elif match := _LONGTEXT.match(name):
            form.items.setdefault(int(match.group(1)), {})["LONGTEXT"] = value
        else:
            assert not name.startswith("NEW_ITEM-"), f"unexpected item field {name}"
            form.other.append((name, value))
    assert sorted(form.items) == list(range(1, len(form.items) + 1)), "indices from 1, no gaps"
    return form
