"""Core statements compiled once per dialect and sent as the driver's own SQL.

`Connection.execute` of a Core statement builds the statement's cache key on every call, and a
large SELECT's key costs more than the query (a punchout setup's read: about 290 µs of
SQLAlchemy against 18 µs of SQLite). A `CompiledStatement` renders the SQL once per dialect,
keeps the bind and result processors of its column types, and sends each execution through
`Connection.exec_driver_sql`: the same SQL text every time (PostgreSQL then prepares it), the
same transaction, and the same events (statement counts in tests still see it).

For hot paths only; everything else uses Core or the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.compiler import SQLCompiler

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class CompiledStatement:
    """One statement rendered for one dialect, with its parameters' and columns' processors."""

    sql: str
    names: tuple[str, ...]  # the bind names in their SQL order (positional drivers)
    positional: bool
    defaults: Mapping[str, Any]  # bound literals of the statement (`role.kind = 'internal'`)
    bind_processors: Mapping[str, _Processor]
    result_processors: tuple[_Processor, ...]

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> CompiledStatement:
        """Render `statement` for `dialect` (every bind parameter named, none expanding)."""
        compiled = statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError("only SQL statements can be compiled once")
        binds = compiled.binds
        columns = statement.selected_columns if isinstance(statement, Select) else ()
        return cls(
            sql=compiled.string,
            names=tuple(compiled.positiontup or ()),
            positional=dialect.positional,
            defaults={name: bind.value for name, bind in binds.items() if bind.value is not None},
            bind_processors={
                name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                for name, bind in binds.items()
            },
            result_processors=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ),
        )

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters for `values` (the statement's literals filled in; a value
        the statement has no parameter for is ignored, a missing one raises KeyError)."""
        merged = {**self.defaults, **values}
        processed = {
            name: merged[name] if process is None else process(merged[name])
            for name, process in self.bind_processors.items()
        }
        if self.positional:
            return tuple(processed[name] for name in self.names)
        return processed

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> None:
        """Run the statement once (a write: nothing is read back)."""
        connection.exec_driver_sql(self.sql, self.parameters(values))

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once a row (the driver's executemany)."""
        connection.exec_driver_sql(self.sql, [self.parameters(row) for row in rows])

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of a SELECT, each value converted as the column's type converts it."""
        fetched = connection.exec_driver_sql(self.sql, self.parameters(values)).all()
        processors = self.result_processors
        return [
            tuple(
                value if process is None else process(value)
                for value, process in zip(row, processors, strict=True)
            )
            for row in fetched
        ]
