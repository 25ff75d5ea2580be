"""Punchout setups commit without waiting for the disk; every other document waits.

A lost setup only fails its start link (the buyer asks again), while an order or a logged
refusal must survive a power loss. Checked on the statements each request sends to a database
that really commits (a SQLite file, or the PostgreSQL test database).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

from flask import Flask
from sqlalchemy import delete, event, select

from gateway.models import (
    Cart,
    Membership,
    MessageLogEntry,
    PunchOutIdentity,
    PunchOutSession,
    User,
)
from tests import buyer
from tests.integration.test_order_concurrency import committing_app  # noqa: F401 - fixture

SQLITE_RELAXED = "PRAGMA synchronous=NORMAL"
SQLITE_FULL = "PRAGMA synchronous=FULL"
POSTGRESQL_RELAXED = "SET LOCAL synchronous_commit TO OFF"


@contextmanager
def statements_of(app: Flask) -> Iterator[list[str]]:
    """The SQL the app sends while the block runs."""
    engine = app.extensions["gateway.db"].engine
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _post(app: Flask, body: bytes) -> tuple[int, str]:
    response = app.test_client().post("/cxml", data=body, content_type="text/xml")
    return buyer.status_of(response.data)


def _forget_setup(app: Flask, email: str) -> None:
    """The shared PostgreSQL test database keeps no trace of the committed punchout."""
    with app.extensions["gateway.db"].session_scope() as session:
        user_id = session.scalar(
            select(PunchOutIdentity.user_id).where(PunchOutIdentity.key == f"email:{email}")
        )
        started = select(PunchOutSession.id).where(PunchOutSession.user_id == user_id)
        session.execute(delete(Cart).where(Cart.punchout_session_id.in_(started)))
        session.execute(
            delete(MessageLogEntry).where(MessageLogEntry.punchout_session_id.in_(started))
        )
        session.execute(delete(PunchOutSession).where(PunchOutSession.user_id == user_id))
        session.execute(delete(PunchOutIdentity).where(PunchOutIdentity.user_id == user_id))
        session.execute(delete(Membership).where(Membership.user_id == user_id))
        session.execute(delete(User).where(User.id == user_id))


def test_a_setup_commits_relaxed_and_the_next_document_fully(committing_app: Flask) -> None:  # noqa: F811
    app = committing_app
    on_sqlite = app.extensions["gateway.db"].engine.dialect.name == "sqlite"
    email = f"durability-{uuid4().hex[:8]}@buyer.example"
    try:
        with statements_of(app) as setup:
            assert _post(app, buyer.setup_request(email=email))[0] == 200
        with statements_of(app) as profile:
            assert _post(app, buyer.profile_request())[0] == 200
    finally:
        _forget_setup(app, email)
    if on_sqlite:
        # the level is set before the transaction begins (SQLite refuses it inside one)
        assert setup.index(SQLITE_RELAXED) < setup.index("BEGIN IMMEDIATE")
        assert profile.index(SQLITE_FULL) < profile.index("BEGIN IMMEDIATE")
        assert SQLITE_RELAXED not in profile
    else:
        assert POSTGRESQL_RELAXED in setup
        assert not [statement for statement in profile if "synchronous_commit" in statement]
