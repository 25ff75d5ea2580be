"""A large order's sets in SQL: membership in many values, and many rows inserted at once.

PostgreSQL gets one bound array (`= ANY`) instead of an IN list of a thousand parameters, and
COPY instead of a thousand pipelined INSERTs; elsewhere (SQLite) IN and executemany, which
cost little there. Used by `_order_lines` and `price_check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean


class _OneOf(ColumnElement[bool]):
    """`column IN (...)`, or `column = ANY(array)` on PostgreSQL: both forms are held, each
    with its own parameter, so that one cached statement serves either dialect."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration style
        ("in_list", InternalTraversal.dp_clauseelement),
        ("in_array", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], values: list[Any]) -> None:
        self.in_list = column.in_(values)
        self.in_array = column == any_(bindparam(None, values, type_=ARRAY(column.type)))


@compiles(_OneOf)
def _one_of_elsewhere(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.in_list, **kw)


@compiles(_OneOf, "postgresql")
def _one_of_postgresql(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.in_array, **kw)


def one_of(column: QueryableAttribute[Any], values: Iterable[Any]) -> ColumnElement[bool]:
    """`column` is one of `values`: one bound array on PostgreSQL, an IN list elsewhere."""
    return _OneOf(column.expression, list(values))


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table`: COPY on PostgreSQL, else one
    executemany INSERT. Values go through each column type's bind conversion either way
    (scaled decimals, UTC datetimes, JSON), so both store the same. Pending changes are
    flushed first, as `session.execute` would (the rows may refer to them)."""
    if not rows:
        return
    if session.autoflush:
        session.flush()
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    names = list(rows[0])
    converters = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    driver: Any = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if convert is None or value is None else convert(value)
                    for value, convert in zip(
                        (row[name] for name in names), converters, strict=True
                    )
                ]
            )
