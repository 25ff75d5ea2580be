"""CredentialMac (HMAC-SHA1-96 over the From/Sender credentials and dates), protocol-notes A.3.

Pure functions: the caller supplies the receiver's shared secret and the clock.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
from datetime import datetime

from gateway.cxml.documents import Credential, CredentialMac

ALGORITHM = "HMAC-SHA1-96"
TYPE = "FromSenderCredentials"
_MAC_BYTES = 12


def compute(
    *,
    secret: str,
    from_credential: Credential,
    sender_credential: Credential,
    creation_date: str,
    expiration_date: str,
) -> str:
    """The MAC value: base64 of the first 12 bytes of HMAC-SHA1 keyed with the secret.

    Data: From domain, From identity, Sender domain, Sender identity (trimmed, lower-cased),
    then both dates exactly as written, each followed by a NUL byte.
    """
    fields = (
        from_credential.domain.strip().lower(),
        from_credential.identity.strip().lower(),
        sender_credential.domain.strip().lower(),
        sender_credential.identity.strip().lower(),
        creation_date,
        expiration_date,
    )
    data = b"".join(field.encode("utf-8") + b"\0" for field in fields)
    digest = hmac.new(secret.encode("utf-8"), data, hashlib.sha1).digest()
    return base64.b64encode(digest[:_MAC_BYTES]).decode("ascii")


def verify(
    mac: CredentialMac,
    *,
    secret: str,
    from_credential: Credential,
    sender_credential: Credential,
    now: datetime,
) -> bool:
    """True if the MAC is ours, of the supported type and algorithm, and valid at `now`."""
    if mac.type != TYPE or mac.algorithm != ALGORITHM:
        return False
    created, expires = _instant(mac.creation_date), _instant(mac.expiration_date)
    if created is None or expires is None or not created <= now <= expires:
        return False
    expected = compute(
        secret=secret,
        from_credential=from_credential,
        sender_credential=sender_credential,
        creation_date=mac.creation_date,
        expiration_date=mac.expiration_date,
    )
    return hmac.compare_digest(expected.encode(), mac.value.strip().encode("utf-8", "replace"))


def _instant(raw: str) -> datetime | None:
    with contextlib.suppress(ValueError):
        moment = datetime.fromisoformat(raw.strip())
        if moment.tzinfo is not None:
            return moment
    return None
