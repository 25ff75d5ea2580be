"""SQLAlchemy 2.0 plumbing: the declarative base, column types, transaction options and the
`Database` (engine and session factory) of one application.

Services only `flush()`; the request boundary (`gateway.web.database`) and the CLI's
`session_scope` commit on success and roll back on any exception. No Flask here: models and
services import this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BigInteger, CursorResult, Engine, MetaData, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator

from gateway.engines import RELAXED_DURABILITY_OPTION, WRITE_LOCK_OPTION, context_begin_options

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
        exponent = number.as_tuple().exponent  # an int: stored values are finite
        return number.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else number


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


def affected_rows(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE matched (`session.execute` types its result as the
    general `Result`; for these statements it is a `CursorResult`)."""
    return cast("CursorResult[Any]", result).rowcount


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
