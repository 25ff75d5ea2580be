"""Words, not codes, on pages: `{{ order.status|label('order_status') }}` shows a code's label
(`gateway.services.labels`) in the request's language; pages keep the code itself in their
`data-*` attributes."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from gateway.models import User
from gateway.services.labels import LABELS, english

__all__ = ["LABELS", "display_name", "init_app", "label"]


def label(code: object, kind: str) -> str:
    """The label of `code` among the codes of `kind` in the request's language; the code
    itself when it has none. Unknown kinds are a programming error (KeyError)."""
    text = "" if code is None else str(code)
    message = english(text, kind)
    return str(gettext(message)) if text in LABELS[kind] else text


def display_name(user: User) -> str:
    """How the shop names a person: the name they go by; without one, their e-mail address, but
    never an address the gateway made up for a punchout user (`….punchout.invalid`)."""
    if user.name.strip():
        return user.name.strip()
    if user.email.endswith(".punchout.invalid"):
        return str(gettext("Punchout user"))
    return user.email


def init_app(app: Flask) -> None:
    """The `label` and `display_name` filters."""
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["display_name"] = display_name
