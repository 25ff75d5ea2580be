"""Keys derived for a purpose (`derive_key`): stable per secret, separate per purpose."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from gateway.auth.encryption import decrypt, derive_key, encrypt
from gateway.errors import ConfigurationError


def test_a_derived_key_is_a_stable_fernet_key_of_its_own() -> None:
    key = derive_key("installation secret", purpose="outbox mail")
    assert key == derive_key("installation secret", purpose="outbox mail")  # every host alike
    Fernet(key.encode("ascii"))  # a valid key
    assert key not in (
        derive_key("installation secret", purpose="something else"),
        derive_key("another secret", purpose="outbox mail"),
    )
    assert "installation secret" not in key


def test_what_one_derived_key_sealed_another_cannot_open() -> None:
    key = derive_key("installation secret", purpose="outbox mail")
    sealed = encrypt("a link with a token", key)
    assert decrypt(sealed, key) == "a link with a token"
    with pytest.raises(ConfigurationError):
        decrypt(sealed, derive_key("rotated secret", purpose="outbox mail"))
