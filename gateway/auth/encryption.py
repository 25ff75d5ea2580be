"""Secrets we must be able to read back (CredentialMac keys), encrypted with Fernet.

The key is `GATEWAY_ENCRYPTION_KEY` (`Fernet.generate_key()`); a stored value never appears in
clear in the database or in a log line.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

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
