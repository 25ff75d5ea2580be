"""One rule for the e-mail addresses users are created and found by (invitations, staff
accounts, a new customer's first contact)."""

from __future__ import annotations

import pytest

from gateway.errors import InvalidInput
from gateway.services.people.users import MAX_EMAIL_LENGTH, email_address


def test_an_address_is_trimmed_and_lower_cased() -> None:
    assert email_address("  Bea.Buyer@Example.ORG ") == "bea.buyer@example.org"


@pytest.mark.parametrize(
    "raw",
    ["", "no-at-sign", "@example.org", "a@" + "b" * (MAX_EMAIL_LENGTH - 1)],
    ids=["empty", "no @", "no local part", "too long"],
)
def test_what_cannot_be_an_address_is_refused_with_the_callers_words(raw: str) -> None:
    with pytest.raises(InvalidInput, match=r"Enter a valid e-mail address\."):
        email_address(raw)
    with pytest.raises(InvalidInput, match="first contact"):
        email_address(raw, refusal="Enter the first contact's e-mail address.")


def test_the_longest_allowed_address_passes() -> None:
    raw = "a@" + "b" * (MAX_EMAIL_LENGTH - 2)
    assert email_address(raw) == raw
