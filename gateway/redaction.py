"""Redaction of secrets from documents and log lines (the message log and the logging filter)."""

from __future__ import annotations

import re

_SECRET_OPEN = re.compile(r"<(?:[\w.-]+:)?(SharedSecret|CredentialMac)\b[^<>]*>", re.IGNORECASE)
# Paths that end in a bearer token: StartPage, invitation, password reset and guest order links.
_PATH_TOKEN = re.compile(
    r"(/(?:punchout/start|invitation|password/reset|guest/orders)/)[A-Za-z0-9_.~%-]+"
)
REDACTED = "***"


def redact_document(text: str) -> str:
    """Blank SharedSecret and CredentialMac values, and the tokens of StartPage, invitation,
    password-reset and guest-order links, in a document's text.

    Linear in the text: an unclosed secret element hides everything after it.
    """
    pieces: list[str] = []
    position = 0
    while match := _SECRET_OPEN.search(text, position):
        closing = text.find("</", match.end())
        pieces.append(text[position : match.end()] + REDACTED)
        if closing < 0:
            position = len(text)
            break
        position = closing
    pieces.append(text[position:])
    return _PATH_TOKEN.sub(rf"\g<1>{REDACTED}", "".join(pieces))
