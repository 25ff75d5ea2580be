"""API tokens in tests: made through the service with the tests' digest key."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from gateway.auth.permissions import ApiScope
from gateway.db import utcnow
from gateway.services.api_tokens import create_token
from tests.conftest import DIGEST_KEY

ALL_SCOPES = tuple(scope.value for scope in ApiScope)


def make_token(
    session: Session,
    *scopes: str,
    name: str = "erp",
    customers: Sequence[str] = (),
    expires_days: int | None = None,
) -> str:
    """A new token's value (committed into the test's transaction)."""
    _token, value = create_token(
        session,
        name=name,
        scopes=scopes,
        customers=customers,
        expires_days=expires_days,
        digest_key=DIGEST_KEY,
        now=utcnow(),
    )
    session.commit()
    return value


def bearer(value: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {value}"}
