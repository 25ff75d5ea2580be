"""Secrets we must be able to read back (CredentialMac keys, e-mails carrying a single-use
link), encrypted with Fernet.

The key is `GATEWAY_ENCRYPTION_KEY` (`Fernet.generate_key()`), or one derived for a purpose from
another secret (`derive_key`); a stored value never appears in clear in the database or in a log
line.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.errors import ConfigurationError


def encrypt(secret: str, key: str | None) -> bytes:
    """The Fernet token of `secret`."""
    return _fernet(key).encrypt(secret.encode("utf-8"))


def decrypt(token: bytes, key: str | None) -> str:
    """The secret inside a token made by `encrypt` with the same key."""
    try:
        return _fernet(key).decrypt(token).decode("utf-8")
    except InvalidToken as exc:
        raise ConfigurationError(
            "a stored secret cannot be decrypted: GATEWAY_ENCRYPTION_KEY changed?"
        ) from exc


def derive_key(secret: str, *, purpose: str) -> str:
    """A Fernet key of its own for `purpose`, derived from `secret` (HKDF-SHA256): the same
    secret gives the same key on every host, and one purpose's key reveals nothing of another."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(key).decode("ascii")


def _fernet(key: str | None) -> Fernet:
    if not key:
        raise ConfigurationError(
            "GATEWAY_ENCRYPTION_KEY is not set (generate one with python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
        )
    try:
        return Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise ConfigurationError("GATEWAY_ENCRYPTION_KEY is not a Fernet key") from exc
