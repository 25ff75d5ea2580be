"""Requests to `POST /cxml` refused before parsing (content type, size, not XML): what the
message log keeps of them, and whose they seem to be.

The log keeps the body's head, secrets redacted (`message_log.record` redacts documents; here a
form body is first spelled out as `name=value` lines, its cXML fields decoded and its password
and secret fields blanked, because redaction cannot see inside URL encoding), and names the
partner whose From credential can still be read. Nothing here authenticates anyone.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import CXMLError
from gateway.cxml.salvage import HEAD_BYTES, claimed_from
from gateway.models import TradingPartner
from gateway.redaction import REDACTED
from gateway.services.partners.registry import find_by_credentials
from gateway.services.punchout.oci_punchout import password_field_names

__all__ = ["HEAD_BYTES", "claimed_partner", "readable_body"]


def readable_body(session: Session, body: bytes, *, total: int, form: bool) -> bytes:
    """The head of `body` as the log shows it, its cut marked (`total`: the body's length in
    bytes, of which `body` may be the head; `form`: posted as a URL-encoded form)."""
    head = body[:HEAD_BYTES]
    if form:
        head = _form_lines(session, head)
    if total > HEAD_BYTES:
        head += f"\n[... {total - HEAD_BYTES} more bytes not logged]".encode()
    return head


def _form_lines(session: Session, body: bytes) -> bytes:
    secret_names = password_field_names(session)
    lines = []
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        shown = value
        if name.casefold() in secret_names or "secret" in name.casefold():
            shown = REDACTED
        elif name.casefold() in ("cxml-urlencoded", "cxml-base64"):
            try:
                shown = cxml.decode_cart({name: value}).decode("utf-8", "replace")
            except CXMLError:
                shown = f"[{name} could not be decoded]"
        lines.append(f"{name}={shown}")
    return "\n".join(lines).encode()


def claimed_partner(session: Session, body: bytes) -> TradingPartner | None:
    """The partner the body's From credential names, if it can still be read (unverified)."""
    return find_by_credentials(session, claimed_from(body))
