"""Counting the SQL statements code sends: proof that a page or a document costs a number of
queries that does not grow with its size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event


@contextmanager
def counted(connection: Connection) -> Iterator[list[str]]:
    """The statements sent on `connection` (the test's, which every session uses) meanwhile."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])  # (connection, cursor, statement, parameters, ...)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)
