"""A database of its own for tests whose child processes commit for real.

The rolled-back test connection of `tests/conftest.py` cannot be shared with another process,
so these tests get a migrated, demo-seeded database beside it on the suite's engine: a SQLite
file in a temporary folder, or (PostgreSQL) a schema of its own in the test database, selected
through the connection's `search_path` and dropped afterwards.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.services.demo import seed_demo
from gateway.services.people.users import sync_default_roles
from tests.conftest import DIGEST_KEY, _database_url


@contextmanager
def own_database() -> Iterator[str]:
    """The URL of a fresh database on the suite's engine, migrated to head with the demo data."""
    suite_url = make_url(_database_url())
    if suite_url.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="gateway-own-db-") as folder:
            url = f"sqlite:///{Path(folder) / 'gateway.sqlite3'}"
            _prepare(url)
            yield url
        return
    schema = f"own_{uuid.uuid4().hex[:12]}"
    admin = make_engine(suite_url.render_as_string(hide_password=False))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = suite_url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        _prepare(url.render_as_string(hide_password=False))
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _prepare(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session, session.begin():
            sync_default_roles(session)
            seed_demo(session, digest_key=DIGEST_KEY)
    finally:
        engine.dispose()
