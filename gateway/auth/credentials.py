"""Secrets we only compare (keyed digests) and one-time tokens (stored as digests)."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def secret_digest(secret: str, key: str) -> str:
    """The keyed digest (HMAC-SHA256) stored in place of a shared secret."""
    return hmac.new(key.encode(), secret.encode("utf-8"), hashlib.sha256).hexdigest()


def secret_matches(secret: str, digest: str, key: str) -> bool:
    """Compare a presented secret with a stored digest in constant time."""
    return hmac.compare_digest(secret_digest(secret, key), digest)


def new_token() -> tuple[str, str]:
    """A fresh 256-bit URL-safe token and the digest to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    """The digest a token is stored and looked up by."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
