"""Redaction of secrets from documents and log lines (the message log and the logging filter)."""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

_SECRET_OPEN = re.compile(r"<(?:[\w.-]+:)?(SharedSecret|CredentialMac)\b[^<>]*>", re.IGNORECASE)
# Paths that end in a bearer token: StartPage, invitation, password reset and guest order links.
_PATH_TOKEN = re.compile(
    r"(/(?:punchout/start|invitation|password/reset|guest/orders)/)[A-Za-z0-9_.~%-]+"
)
REDACTED = "***"
# Names whose value is a secret, however the name is spelt or encoded.
_SECRET_NAME = re.compile(r"password|passwd|pwd|secret|token", re.IGNORECASE)
# A query string in a line: it runs to the request line's protocol (an access log line reads
# `"GET /oci?USERNAME=u&PASSWORD=p HTTP/1.1" 401 -`), else to the end of the line, for a logged
# URL is decoded and its values may hold spaces, quotes and anything else.
_QUERY = re.compile(r"\?(?P<query>[^\n]*(?= HTTP/\d)|[^\n]*)")
_OCI_PATH = re.compile(r"/oci/?\Z", re.IGNORECASE)
# The same kind of pair outside a query (a form body, a message): to the next & as well.
_SECRET_PAIR = re.compile(
    r"(?P<name>(?:password|passwd|pwd|secret|token)=)(?:[^&\n]*(?= HTTP/\d)|[^&\n]*)",
    re.IGNORECASE,
)


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


def redact_queries(text: str) -> str:
    """Blank the whole value of every password-like pair (`PASSWORD=`, `token=`, ...) in the
    query strings and form bodies of `text`, and every value of an OCI launch (`/oci?`, whose
    login travels under names the partner chooses).

    A value runs to the next `&` (or the end of the URL), whatever characters or encodings it
    holds; a name counts after percent-decoding.
    """
    return _SECRET_PAIR.sub(rf"\g<name>{REDACTED}", _QUERY.sub(_redact_query, text))


def _redact_query(match: re.Match[str]) -> str:
    path_end = match.string[max(match.start() - 5, 0) : match.start()]
    every_value = _OCI_PATH.search(path_end) is not None
    pairs = []
    for pair in match.group("query").split("&"):
        name, equals, _value = pair.partition("=")
        secret = equals and (every_value or _SECRET_NAME.search(unquote_plus(name)))
        pairs.append(f"{name}={REDACTED}" if secret else pair)
    return "?" + "&".join(pairs)
