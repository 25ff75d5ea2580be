"""Engines for SQLite and PostgreSQL, with the transaction options the gateway uses.

`WRITE_LOCK_OPTION` begins a SQLite transaction with the write lock, after waiting in the
writers' queue; `RELAXED_DURABILITY_OPTION` lets a transaction commit without the disk flush
(see `gateway.db.lock_for_writing` and `gateway.db.relax_durability`).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import StaticPool

WRITE_LOCK_OPTION = "gateway_write_lock"
RELAXED_DURABILITY_OPTION = "gateway_relaxed_durability"

# Options for every transaction begun in this context (one web request), merged under the
# connection's own execution options. A request sets them before its first query, so they
# take effect lazily, when the session first touches the database.
context_begin_options: ContextVar[dict[str, bool] | None] = ContextVar(
    "gateway_begin_options", default=None
)


def _begin_options(connection: Any) -> dict[str, Any]:
    return {**(context_begin_options.get() or {}), **connection.get_execution_options()}


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and working SAVEPOINTs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is what we install
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed)
        _ping_when_idle(engine)

        @event.listens_for(engine, "begin")
        def _on_postgresql_begin(connection: Any) -> None:
            if _begin_options(connection).get(RELAXED_DURABILITY_OPTION):
                with pipelined(connection):  # one round trip with the driver's BEGIN
                    connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

        return engine
    in_memory = parsed.database in (None, "", ":memory:")
    engine = create_engine(
        parsed,
        connect_args={"check_same_thread": False, "timeout": 30, "factory": QueuedConnection},
        poolclass=StaticPool if in_memory else None,
    )
    queue = None if in_memory else WriterQueue(f"{parsed.database}-writers")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # pysqlite's own BEGIN handling breaks SAVEPOINT; SQLAlchemy documents this workaround.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if queue is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=FULL")
            dbapi_connection.writer_queue = queue.open()
        cursor.close()

    @event.listens_for(engine, "close")
    def _on_close(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection.writer_queue is not None:
            os.close(dbapi_connection.writer_queue)
            dbapi_connection.writer_queue = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = _begin_options(connection)
        sqlite_connection = connection.connection.dbapi_connection
        level = "NORMAL" if options.get(RELAXED_DURABILITY_OPTION) else "FULL"
        if queue is not None and sqlite_connection.synchronous != level:
            connection.exec_driver_sql(f"PRAGMA synchronous={level}")
            sqlite_connection.synchronous = level
        if not options.get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql("BEGIN")
            return
        WriterQueue.enter(sqlite_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            WriterQueue.leave(sqlite_connection)
            raise

    if queue is not None:
        queue.release_after(engine.dialect)
    return engine


#: A pooled connection unused for longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 2.0


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's `pool_pre_ping`, but only for connections idle for a while.

    A connection back in the pool a moment ago is alive as far as a ping could tell; pinging it
    anyway cost every request one more round trip. One idle longer may have been closed by the
    server (a restart, an idle timeout): it is pinged, and replaced when the ping fails.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the pooled connection failed its ping") from error


@contextmanager
def pipelined(connection: Connection) -> Iterator[None]:
    """Send the statements run in the block together, in one round trip, where the driver can
    (psycopg's pipeline mode); elsewhere they run one by one. Only for statements whose results
    nobody reads within the block: a failure is raised when the block ends."""
    driver: Any = connection.connection.driver_connection
    with driver.pipeline() if hasattr(driver, "pipeline") else nullcontext():
        yield


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection that carries its descriptor of the writers' queue file and its
    current `synchronous` level."""

    writer_queue: int | None = None
    synchronous = "FULL"


class WriterQueue:
    """Queues SQLite writers on an advisory file lock beside the database.

    SQLite's busy handler polls with sleeps that grow to 100 ms, so under load a writer waiting
    for `BEGIN IMMEDIATE` often sleeps long after the lock came free. Writers that take the write
    lock first wait on `flock` instead, which wakes them the moment the holder commits or rolls
    back (the kernel also releases it when a process dies). SQLite's own locking still decides
    correctness; the queue only shortens the wait.
    """

    def __init__(self, path: str) -> None:
        self.path = path

    def open(self) -> int:
        """A descriptor of the lock file for one connection (locks are per open file)."""
        return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)

    @staticmethod
    def enter(connection: QueuedConnection) -> None:
        """Wait for the queue; the caller then begins its write transaction."""
        if connection.writer_queue is not None:
            fcntl.flock(connection.writer_queue, fcntl.LOCK_EX)

    @staticmethod
    def leave(connection: QueuedConnection) -> None:
        """Let the next writer in (harmless when this connection holds nothing)."""
        if connection.writer_queue is not None:
            fcntl.flock(connection.writer_queue, fcntl.LOCK_UN)

    @staticmethod
    def release_after(dialect: Dialect) -> None:
        """Leave the queue once a transaction has ended, not before (Connection events fire
        before the COMMIT runs). Wraps this engine's own dialect instance: every commit and
        rollback, including the pool's reset on return, goes through these two methods, with
        either the pool's proxy or the SQLite connection itself."""

        def ending(end: Callable[[Any], None]) -> Callable[[Any], None]:
            def end_then_leave(connection: Any) -> None:
                try:
                    end(connection)
                finally:
                    WriterQueue.leave(getattr(connection, "dbapi_connection", connection))

            return end_then_leave

        # Patching the instance on purpose (the comment above says why); mypy sees a method.
        dialect.do_commit = ending(dialect.do_commit)  # type: ignore[method-assign,assignment]
        dialect.do_rollback = ending(dialect.do_rollback)  # type: ignore[method-assign,assignment]
