"""Secrets we only compare: passwords (slow hashes), shared secrets (keyed digests) and one-time
tokens (stored as digests). Every password of the gateway is hashed and checked here."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_HASH_METHOD = "pbkdf2:sha256:600000"  # noqa: S105 - OWASP work factor for PBKDF2-SHA256
# The hash an unknown account's password is checked against: of a random password nobody kept,
# made with PASSWORD_HASH_METHOD, and fixed, so even a fresh worker's first check costs one hash.
DUMMY_HASH = (
    "pbkdf2:sha256:600000$3zCmnQZ0m93Y75XS$"  # matches no password
    "7aca2cbdf095eac3156247f1ca624c8c7ac137af37c425fe872e5f601f1adb15"
)


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


def hash_password(password: str) -> str:
    """The slow hash stored for a password (a shop user's, an OCI buyer's)."""
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Check `password` against a stored hash; with no hash (an unknown account, or one without
    a password) the same work is done against a throw-away hash, so timing tells nothing."""
    return check_password_hash(stored_hash or DUMMY_HASH, password) and bool(stored_hash)
