"""The shop's password login without Flask: throttling, outcomes, and one password check for
every attempt, whoever the address belongs to (no timing gap for unknown addresses)."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth import credentials
from gateway.models import Membership, ThrottleCounter, User
from gateway.services.people import password_login
from gateway.services.throttle import Key, Limit
from tests.factories import make_user, user_named

NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
TTL = 3600


def _keys(email: str, attempts: int = 3) -> list[Key]:
    window = timedelta(minutes=5)
    return [
        Key("login-account", email, Limit(attempts, window)),
        Key("login-address", "192.0.2.7", Limit(attempts * 10, window)),
    ]


def _log_in(session: Session, email: str, password: str = "demo") -> password_login.LoginOutcome:
    return password_login.log_in(
        session,
        email=email,
        password=password,
        throttle_keys=_keys(email),
        now=NOW,
        ttl_seconds=TTL,
    )


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every slow password hash check made, by the hash checked against."""
    checks: list[str] = []
    real = credentials.check_password_hash

    def counting(stored: str, password: str) -> bool:
        checks.append(stored)
        return real(stored, password)

    monkeypatch.setattr(credentials, "check_password_hash", counting)
    return checks


def _without_password(session: Session) -> User:
    user = make_user(session, "invited@1001.test")
    user.password_hash = None
    session.flush()
    return user


def _inactive(session: Session) -> User:
    user = make_user(session, "gone@1001.test")
    user.active = False
    session.flush()
    return user


@pytest.mark.parametrize(
    ("email", "prepare"),
    [
        ("buyer@1001.demo", None),  # a wrong password
        ("nobody@example.test", None),  # an unknown address
        ("invited@1001.test", _without_password),  # an account without a password yet
        ("gone@1001.test", _inactive),  # a deactivated account
    ],
)
def test_every_refusal_costs_one_password_check_and_counts(
    db_session: Session,
    password_checks: list[str],
    email: str,
    prepare: Callable[[Session], User] | None,
) -> None:
    if prepare is not None:
        prepare(db_session)
    outcome = _log_in(db_session, email, "wrong password")
    assert outcome == password_login.WrongCredentials()
    assert outcome.message == "Unknown email address or wrong password."
    assert len(password_checks) == 1  # the same slow work as for a known account
    counted = db_session.scalars(select(ThrottleCounter.count)).all()
    assert counted == [1, 1]  # account and client address


def test_an_unknown_address_is_checked_against_a_hash_as_slow_as_a_real_one(
    db_session: Session, password_checks: list[str]
) -> None:
    _log_in(db_session, "nobody@example.test", "guess")
    _log_in(db_session, "buyer@1001.demo", "guess")
    unknown, known = password_checks
    assert unknown.split("$", 1)[0] == credentials.PASSWORD_HASH_METHOD
    assert known.split("$", 1)[0] == credentials.PASSWORD_HASH_METHOD  # the demo's hashes


def test_a_login_opens_a_session_at_the_first_customer_and_forgets_the_account_failures(
    db_session: Session, password_checks: list[str]
) -> None:
    assert isinstance(
        _log_in(db_session, "multi@demo.test", "wrong"), password_login.WrongCredentials
    )
    outcome = _log_in(db_session, "multi@demo.test")
    assert isinstance(outcome, password_login.LoggedIn)
    assert outcome.shop_session.organisation.number == "1001"  # of 1001 and 1002
    assert outcome.shop_session.user == user_named(db_session, "multi@demo.test")
    assert outcome.shop_session.expires_at == NOW + timedelta(seconds=TTL)
    assert outcome.token
    assert outcome.shop_session.token_digest == credentials.token_digest(outcome.token)
    remaining = db_session.scalars(select(ThrottleCounter.key)).all()
    assert [key.split(":")[0] for key in remaining] == ["login-address"]
    assert len(password_checks) == 2


def test_a_throttled_account_is_not_even_checked(
    db_session: Session, password_checks: list[str]
) -> None:
    for _ in range(3):
        _log_in(db_session, "buyer@1001.demo", "wrong")
    outcome = _log_in(db_session, "buyer@1001.demo")  # the right password
    assert isinstance(outcome, password_login.Throttled)
    assert 0 < outcome.retry_after <= 301
    assert len(password_checks) == 3


def test_a_user_of_no_active_customer_is_not_linked(db_session: Session) -> None:
    user = make_user(db_session, "alone@1001.test")
    for link in db_session.scalars(select(Membership).where(Membership.user_id == user.id)):
        link.active = False
    db_session.flush()
    outcome = _log_in(db_session, "alone@1001.test")
    assert outcome == password_login.NotLinked()
    assert outcome.message == "Your account is not linked to a customer."


def test_even_the_first_unknown_address_of_a_fresh_worker_costs_one_hash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No throw-away hash is made on first use (which doubled the first unknown login's cost)."""
    spec = importlib.util.spec_from_file_location("fresh_credentials", credentials.__file__)
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)  # a worker that has checked no password yet
    rounds: list[int] = []
    real = hashlib.pbkdf2_hmac

    def counting(name: str, password: bytes, salt: bytes, iterations: int, *args: Any) -> bytes:
        rounds.append(iterations)
        return real(name, password, salt, iterations, *args)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    assert fresh.password_matches(None, "a guess") is False
    assert rounds == [600_000]  # one check against a hash as slow as a real one
    assert fresh.password_matches(fresh.hash_password("right"), "right") is True
