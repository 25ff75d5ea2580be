"""Asking for a reset link tells nothing about the address (issue #16, "Account enumeration"):
the same statements, hashing and sealing for an account, an unknown address, a punchout user
without a password and a deactivated account; throttled per address asked for and per client;
and a new link ends every older one."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import OutboxMessage, PasswordReset, User
from gateway.services import outbox
from gateway.services.people import password_resets, shop_sessions
from gateway.services.throttle import Key, Limit
from tests.factories import customer, make_user, user_named
from tests.statements import counted

NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
MAIL_KEY = "jlS81uW9oC4ArBjUZXagHeXpx-GMKmjGDC1nejABz1Y="
WINDOW = timedelta(hours=1)


def _keys(
    email: str, *, client: str = "192.0.2.7", per_address: int = 3, per_client: int = 20
) -> list[Key]:
    return [
        Key("reset-account", email, Limit(per_address, WINDOW)),
        Key("reset-address", client, Limit(per_client, WINDOW)),
    ]


def _ask(
    session: Session, email: str, *, now: datetime = NOW, client: str = "192.0.2.7", **limits: int
) -> int | None:
    return password_resets.request_reset(
        session,
        email=email,
        now=now,
        ttl_seconds=3600,
        mail_key=MAIL_KEY,
        throttle_keys=_keys(email, client=client, **limits),
    )


def _without_password(session: Session) -> None:
    make_user(session, "punchout@1001.test").password_hash = None
    session.flush()


def _deactivated(session: Session) -> None:
    make_user(session, "gone@1001.test").active = False
    session.flush()


@pytest.fixture
def sealed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every mail sealed (Fernet-encrypted) by the outbox, by its clear text."""
    texts: list[str] = []
    real = outbox.encrypt

    def counting(text: str, key: str | None) -> bytes:
        texts.append(text)
        return real(text, key)

    monkeypatch.setattr(outbox, "encrypt", counting)
    return texts


def _work(session: Session, connection: Connection, email: str) -> list[str]:
    """The statements of a first request for `email` from a client of its own."""
    session.execute(select(1))  # the session's own transaction is open before counting
    with counted(connection) as statements:
        assert _ask(session, email, client=email) is None
    return [re.sub(r"savepoint_\d+", "savepoint_N", statement) for statement in statements]


@pytest.mark.parametrize(
    ("email", "prepare"),
    [
        ("nobody@example.test", None),
        ("punchout@1001.test", _without_password),
        ("gone@1001.test", _deactivated),
    ],
)
def test_any_other_address_costs_what_an_account_costs(
    db_session: Session,
    connection: Connection,
    sealed: list[str],
    email: str,
    prepare: Callable[[Session], None] | None,
) -> None:
    if prepare is not None:
        prepare(db_session)
    account = _work(db_session, connection, "buyer@1001.demo")
    other = _work(db_session, connection, email)
    assert other == account  # statement for statement
    assert len(sealed) == 2  # a mail sealed for both, queued only for the account
    mails = db_session.scalars(select(OutboxMessage)).all()
    assert [mail.payload_id.endswith("@outbox.gateway") for mail in mails] == [True]
    resets = db_session.scalars(select(PasswordReset)).all()
    assert [reset.user_id for reset in resets] == [user_named(db_session, "buyer@1001.demo").id]
    assert "/password/reset/" in sealed[0]
    assert resets[0].expires_at == NOW + timedelta(hours=1)


def test_requests_are_throttled_per_address_asked_for(db_session: Session) -> None:
    for email in ("buyer@1001.demo", "nobody@example.test"):
        assert [_ask(db_session, email) for _ in range(3)] == [None, None, None]
        wait = _ask(db_session, email)
        assert wait is not None
        assert 0 < wait <= 3601
    assert db_session.scalar(select(func.count()).select_from(PasswordReset)) == 3
    later = NOW + WINDOW + timedelta(seconds=1)
    assert _ask(db_session, "buyer@1001.demo", now=later) is None  # no lasting lock-out


def test_requests_are_throttled_per_client(db_session: Session) -> None:
    answers = [_ask(db_session, f"u{n}@example.test", per_client=5) for n in range(6)]
    assert answers[:5] == [None] * 5
    assert answers[5] is not None


def test_a_throttled_request_stores_and_queues_nothing(db_session: Session) -> None:
    for _ in range(3):
        _ask(db_session, "buyer@1001.demo")
    before = db_session.scalar(select(func.count()).select_from(OutboxMessage))
    assert _ask(db_session, "buyer@1001.demo") is not None
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == before


def test_a_new_link_ends_every_older_one(db_session: Session, sealed: list[str]) -> None:
    _ask(db_session, "buyer@1001.demo")
    _ask(db_session, "buyer@1001.demo", now=NOW + timedelta(minutes=5))
    first, second = (text.split("/password/reset/")[1].split("\\n")[0] for text in sealed)
    later = NOW + timedelta(minutes=6)
    with pytest.raises(InvalidInput, match="invalid, used or expired"):
        password_resets.check_token(db_session, token=first, now=later)
    assert password_resets.check_token(db_session, token=second, now=later).used_at is None


def test_a_new_password_ends_every_other_link_and_every_session(
    db_session: Session, sealed: list[str]
) -> None:
    user = user_named(db_session, "buyer@1001.demo")
    old_hash = user.password_hash
    browser, _token = shop_sessions.open_session(
        db_session, user=user, organisation=customer(db_session), now=NOW, ttl_seconds=3600
    )
    for minutes in (0, 1):
        _ask(db_session, "buyer@1001.demo", now=NOW + timedelta(minutes=minutes))
    tokens = [text.split("/password/reset/")[1].split("\\n")[0] for text in sealed]
    later = NOW + timedelta(minutes=2)
    new = "a new password 1"
    password_resets.reset_password(
        db_session, token=tokens[1], password=new, confirmation=new, now=later
    )
    with pytest.raises(InvalidInput):
        password_resets.check_token(db_session, token=tokens[0], now=later)
    db_session.refresh(browser)
    assert browser.ended_at == later
    assert db_session.get_one(User, user.id).password_hash != old_hash
