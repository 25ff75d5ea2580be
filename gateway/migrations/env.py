"""Alembic environment: runs on a connection handed in by `gateway.migrate`, or on the URL."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from gateway import models  # noqa: F401 - registers every table on Base.metadata
from gateway.db import Base
from gateway.engines import make_engine


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as their plain SQL type, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _include_object(obj: Any, name: str | None, type_: str, *_args: Any) -> bool:
    """Leave out the search index the migrations maintain by hand (FTS5 table; PostgreSQL's
    stored search words and their GIN index)."""
    return not (name or "").startswith(("product_search", "ix_product_search", "search_words"))


def _run(connection: Connection) -> None:
    """Migrate in one transaction. SQLite rebuilds tables to alter them (batch mode), which
    drops a table other rows still refer to: foreign keys are switched off around the
    migration (outside the transaction, where SQLite honours the switch) and checked after."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        if connection.in_transaction():
            raise RuntimeError("SQLite migrations need a connection outside a transaction")
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        _migrate(connection)
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.commit()
        if broken:
            raise RuntimeError(f"the migration left rows with broken foreign keys: {broken[:5]}")


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


def _database_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from pathlib import Path  # noqa: PLC0415

    from gateway.config import database_url  # noqa: PLC0415

    return database_url(Path("instance").resolve())


connection = context.config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(_database_url())
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()
