"""Where the gateway sends a browser that named its own destination (`next` after the login, the
page before a language switch): a path on this site, never another site.

Browsers are lenient: they drop tabs and newlines from a Location, read `\\` as `/`, and a
target may arrive percent-encoded more than once. So the target is judged as a browser would
read it after every round of decoding, and anything doubtful gives the safe default page.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

#: decoding rounds judged before a target counts as doubtful (real links are encoded once)
MAX_DECODINGS = 3
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def safe_target(target: str | None, default: str) -> str:
    """`target` when it is a path on this site in every decoding of it, else `default`."""
    candidate = target or ""
    for _ in range(MAX_DECODINGS):
        if not _is_local_path(candidate):
            return default
        decoded = unquote(candidate)
        if decoded == candidate:
            return target or default
        candidate = decoded
    return default


def same_site_path(url: str | None, host_url: str, default: str) -> str:
    """The path of `url` when it is an address on this site (`host_url`, as Flask's
    `request.host_url`), judged like `safe_target`; else `default`."""
    base = host_url.rstrip("/")
    if not url or not url.startswith(base + "/"):
        return default
    return safe_target(url[len(base) :], default)


def _is_local_path(path: str) -> bool:
    """A path of this site: no control characters, no backslash, no scheme or host, and no
    second slash that a browser would read as the start of a host (`//host`, `/\\host`)."""
    if any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in path):
        return False
    if "\\" in path or not path.startswith("/") or path.startswith("//"):
        return False
    parts = urlsplit(path)
    return not parts.scheme and not parts.netloc
