"""CredentialMac: the spec's test vectors and the validity window (protocol-notes A.3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from gateway.cxml import Credential, CredentialMac, credential_mac

SPEC = Credential(domain="NetworkId", identity="AN9900000100")
CREATED = "2003-01-15T08:42:46-08:00"
EXPIRES = "2003-01-15T11:42:46-08:00"
DURING = datetime.fromisoformat("2003-01-15T10:00:00-08:00")


def mac(value: str, created: str = CREATED, expires: str = EXPIRES) -> CredentialMac:
    return CredentialMac(
        value=value,
        type="FromSenderCredentials",
        algorithm="HMAC-SHA1-96",
        creation_date=created,
        expiration_date=expires,
    )


@pytest.mark.parametrize(
    ("secret", "expected"), [("abracadabra", "cR6Jpz58nriXERDN"), ("password", "5KMM/p4KtK5oAf/B")]
)
def test_spec_vectors(secret: str, expected: str) -> None:
    value = credential_mac.compute(
        secret=secret,
        from_credential=SPEC,
        sender_credential=SPEC,
        creation_date=CREATED,
        expiration_date=EXPIRES,
    )
    assert value == expected
    assert credential_mac.verify(
        mac(expected), secret=secret, from_credential=SPEC, sender_credential=SPEC, now=DURING
    )


def test_dates_are_used_exactly_as_written() -> None:
    value = credential_mac.compute(
        secret="abracadabra",
        from_credential=SPEC,
        sender_credential=SPEC,
        creation_date=CREATED.replace("-08:00", "-0800"),
        expiration_date=EXPIRES,
    )
    assert value != "cR6Jpz58nriXERDN"


@pytest.mark.parametrize(
    ("candidate", "now"),
    [
        (mac("cR6Jpz58nriXERDN"), datetime.fromisoformat("2003-01-15T08:00:00-08:00")),  # future
        (mac("cR6Jpz58nriXERDN"), datetime.fromisoformat("2003-01-15T12:00:00-08:00")),  # expired
        (mac("cR6Jpz58nriXERDA"), DURING),  # wrong value
        (mac("cR6Jpz58nriXERDN", created="yesterday"), DURING),
        (mac("cR6Jpz58nriXERDN", created="2003-01-15T08:42:46"), DURING),  # no zone
        (replace(mac("cR6Jpz58nriXERDN"), algorithm="HMAC-SHA256"), DURING),
        (replace(mac("cR6Jpz58nriXERDN"), type="Other"), DURING),
    ],
    ids=["future", "expired", "wrong-value", "bad-date", "zoneless-date", "algorithm", "type"],
)
def test_refused_macs(candidate: CredentialMac, now: datetime) -> None:
    assert not credential_mac.verify(
        candidate, secret="abracadabra", from_credential=SPEC, sender_credential=SPEC, now=now
    )


def test_wrong_secret_is_refused() -> None:
    assert not credential_mac.verify(
        mac("cR6Jpz58nriXERDN"),
        secret="Abracadabra",
        from_credential=SPEC,
        sender_credential=SPEC,
        now=DURING,
    )
