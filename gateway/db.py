"""SQLAlchemy 2.0 plumbing: the declarative base, column types and the request-scoped session.

Services only `flush()`; the request boundary (and the CLI's `session_scope`) commits on success
and rolls back on any exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import BigInteger, Engine, MetaData
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from gateway.engines import (
    RELAXED_DURABILITY_OPTION,
    WRITE_LOCK_OPTION,
    context_begin_options,
    make_engine,
)

if TYPE_CHECKING:
    from flask import Flask

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names on SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ScaledDecimal(TypeDecorator[Decimal]):
    """An exact decimal stored as a scaled integer (SQLite has no exact decimal type)."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value).scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        """The stored value without trailing zeros (3, 0.77) and never in exponent form."""
        if value is None:
            return None
        number = Decimal(value).scaleb(-self.scale).normalize()
        return number.quantize(Decimal(1)) if number.as_tuple().exponent > 0 else number


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)


def lock_for_writing(session: Session) -> None:
    """Begin the session's transaction with SQLite's write lock (`BEGIN IMMEDIATE`).

    Concurrent writers then queue instead of failing later on a stale read snapshot. Call
    before the session's first query; PostgreSQL ignores the option.
    """
    session.connection(execution_options={WRITE_LOCK_OPTION: True})


def relax_durability(session: Session) -> None:
    """Let this transaction's commit skip the disk flush, if it has not begun yet.

    For work whose loss the sender recovers from by asking again (a punchout setup: its start
    link would simply fail). A crash of the process loses nothing; a power loss or an operating
    system crash may lose the last such commits, never consistency (SQLite WAL with
    synchronous=NORMAL; PostgreSQL's synchronous_commit=off). Every other transaction keeps the
    full flush. A session that has begun already keeps its durability.
    """
    if session.in_transaction():
        return
    request_options = context_begin_options.get()
    if request_options is None:
        session.connection(execution_options={RELAXED_DURABILITY_OPTION: True})
    else:
        request_options[RELAXED_DURABILITY_OPTION] = True


@dataclass
class Database:
    """The engine and session factory of one application."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A unit of work: commit on success, roll back on any exception."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def init_app(app: Flask) -> Database:
    """Create the engine for the app's database and bind a request-scoped session.

    A request commits when its answer is a success or a redirect (status below 400) and rolls
    back otherwise, so an error page never leaves half-written data behind. Requests that may
    write (every method but GET, HEAD, OPTIONS, and views marked `writes_on_get`) take SQLite's
    write lock with their first query, so two that read and then write at once queue instead of
    one failing with "database is locked"; what a view does before touching the database (parsing
    a document) runs unlocked.
    """
    from flask import g, request  # noqa: PLC0415 - models stay importable without Flask

    engine = make_engine(app.config["GATEWAY_DATABASE_URL"])
    database = Database(engine=engine, sessions=sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions["gateway.db"] = database

    @app.before_request
    def _writers_queue() -> None:
        view = app.view_functions.get(request.endpoint or "")
        writing = request.method not in ("GET", "HEAD", "OPTIONS") or getattr(
            view, WRITES_ON_GET, False
        )
        g.db_begin_options = context_begin_options.set({WRITE_LOCK_OPTION: writing})

    @app.after_request
    def _commit(response: Any) -> Any:
        session = g.pop("db_session", None)
        keep = g.pop("db_keep", False)
        if session is not None:
            try:
                if response.status_code < HTTPStatus.BAD_REQUEST or keep:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _discard(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        if "db_begin_options" in g:
            context_begin_options.reset(g.pop("db_begin_options"))

    return database


WRITES_ON_GET = "gateway_writes_on_get"


def writes_on_get(view: ViewFunction) -> ViewFunction:
    """Mark a view that writes on GET too (a launch link, a StartPage): it queues for SQLite's
    write lock like a POST, instead of failing on a stale read snapshot under load."""
    setattr(view, WRITES_ON_GET, True)
    return view


def keep_changes() -> None:
    """Commit this request's work although its answer is an error (e.g. a logged refusal)."""
    from flask import g  # noqa: PLC0415

    g.db_keep = True


def get_session() -> Session:
    """The current request's session (created on first use)."""
    from flask import current_app, g  # noqa: PLC0415

    if "db_session" not in g:
        g.db_session = current_app.extensions["gateway.db"].sessions()
    return g.db_session
