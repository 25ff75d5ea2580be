"""Return-URL allow-lists, shared by cXML BrowserFormPost and OCI HOOK_URL checks."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_allowed(url: str, prefixes: list[str] | tuple[str, ...]) -> bool:
    """True when `url` falls under one of `prefixes`.

    Compared after parsing: scheme, host and port exactly, then the path as a prefix, so
    `https://buyer.example` never admits `https://buyer.example.evil.com`. Only http and https
    URLs qualify, and plain http only under a prefix that itself says `http://`. A prefix on a
    loopback host that names no port admits every port of it (local test receivers run on
    whatever port is free; a loopback address never leaves the user's machine).
    """
    target = _split(url)
    if target is None:
        return False
    return any(_under(target, allowed) for prefix in prefixes if (allowed := _split(prefix)))


@lru_cache(maxsize=1024)  # a buyer's return URL and its partner's prefixes come back often
def _split(url: str) -> tuple[str, str, int | None, str] | None:
    if any(char <= " " for char in url):  # control characters and spaces
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    host = parts.hostname.lower()
    if port is None and not _is_loopback(host):
        port = _DEFAULT_PORTS[scheme]
    return scheme, host, port, parts.path or "/"


def _under(
    target: tuple[str, str, int | None, str], allowed: tuple[str, str, int | None, str]
) -> bool:
    scheme, host, port, _ = target
    if (scheme, host) != allowed[:2]:
        return False
    if allowed[2] is not None and (port or _DEFAULT_PORTS[scheme]) != allowed[2]:
        return False
    path, prefix = target[3], allowed[3]
    return path.startswith(prefix) and (
        prefix.endswith("/") or len(path) == len(prefix) or path[len(prefix)] in "/?#"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
