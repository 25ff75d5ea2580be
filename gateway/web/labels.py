"""Words, not codes, on pages: `{{ order.status|label('order_status') }}` shows a code's label
(`gateway.services.labels`) in the request's language; pages keep the code itself in their
`data-*` attributes."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Flask
from flask_babel import gettext

from gateway.models import OrderStatus, User
from gateway.services.labels import LABELS, english
from gateway.services.purchasing import approval_reasons
from gateway.web.i18n import money

__all__ = ["LABELS", "approval_reason", "display_name", "init_app", "label", "status_note"]


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


def approval_reason(reason: str | approval_reasons.Reason, *, requester: bool = True) -> str:
    """Why an order waits for approval, as stored (or read back), in the request's language:
    for the requester ("your role"), or with `requester=False` for an approver."""
    read = approval_reasons.read(reason) if isinstance(reason, str) else reason
    return approval_reasons.words(read, _=gettext, money=money, requester=requester)


def status_note(note: str, *, status: str, reasons: Sequence[str], requester: bool = True) -> str:
    """A status change's note in the request's language: the stored approval reasons of a
    change to pending approval (its note is them, joined) are worded again; any other note is
    the words a person wrote."""
    if status == OrderStatus.PENDING_APPROVAL and reasons and note == " ".join(reasons):
        return " ".join(approval_reason(reason, requester=requester) for reason in reasons)
    return note


def init_app(app: Flask) -> None:
    """The `label`, `display_name`, `approval_reason` and `status_note` filters."""
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["approval_reason"] = approval_reason
    app.jinja_env.filters["status_note"] = status_note
    app.jinja_env.filters["display_name"] = display_name
