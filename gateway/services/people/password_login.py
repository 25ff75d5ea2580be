"""Password login of direct shop users: throttled, and as slow for an unknown address as for a
wrong password (checklist §3 "Rate limiting", ASVS 6.3.1).

The caller computes the throttle keys from the request (account first, then client address) and
renders the outcome: expected outcomes are values, not exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.credentials import password_matches
from gateway.models import ShopSession, User
from gateway.services import throttle
from gateway.services.people import shop_sessions
from gateway.services.throttle import Key


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedIn:
    """A new shop session at the user's first active customer; `token` goes to the browser."""

    shop_session: ShopSession
    token: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Throttled:
    """Too many failures: the password was not even checked; try again in `retry_after` s."""

    retry_after: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WrongCredentials:
    """Unknown address, no password, inactive account or wrong password: one answer for all.
    The failure is counted, so the caller keeps it although it answers with an error."""

    message: str = "Unknown email address or wrong password."


@dataclass(frozen=True, slots=True, kw_only=True)
class NotLinked:
    """The password was right, but the user belongs to no active customer."""

    message: str = "Your account is not linked to a customer."


LoginOutcome = LoggedIn | Throttled | WrongCredentials | NotLinked


def log_in(
    session: Session,
    *,
    email: str,
    password: str,
    throttle_keys: Sequence[Key],
    now: datetime,
    ttl_seconds: int,
) -> LoginOutcome:
    """Check a password login and open a shop session.

    `throttle_keys` count failures (the first is the account's: a success forgets it, while the
    client address keeps its count). Every attempt that is not throttled costs one password
    check, whether or not the address belongs to an active account with a password.
    """
    wait = throttle.retry_after(session, keys=throttle_keys, now=now)
    if wait is not None:
        return Throttled(retry_after=wait)
    user = session.scalar(select(User).where(User.email == email.strip().lower(), User.active))
    if not password_matches(user.password_hash if user else None, password) or user is None:
        throttle.record_failure(session, keys=throttle_keys, now=now)
        return WrongCredentials()
    throttle.forget(session, keys=throttle_keys[:1])
    customers = shop_sessions.customers_of(session, user_id=user.id)
    if not customers:
        return NotLinked()
    shop_session, token = shop_sessions.open_session(
        session, user=user, organisation=customers[0], now=now, ttl_seconds=ttl_seconds
    )
    return LoggedIn(shop_session=shop_session, token=token)
