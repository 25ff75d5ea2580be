"""Shared fixtures: one schema per run (built by the migrations), a rolled-back transaction a test.

SQLite in memory by default; PostgreSQL when GATEWAY_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from gateway import create_app
from gateway.db import Base, Database
from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.services.demo import seed_demo
from gateway.services.people.users import sync_default_roles
from tests import session_log
from tests.mail import Inbox, smtp_server
from tests.paths import (
    INTEROP_CORPUS_DIR,
    INTEROP_CORPUS_ENV,
    INTEROP_WITHOUT_CORPUS,
    dtd_setting,
    official_dtd_dir,
)
from tests.tiny_dtd import write_tiny_dtds

DIGEST_KEY = "test-digest-key"
ENCRYPTION_KEY = "jlS81uW9oC4ArBjUZXagHeXpx-GMKmjGDC1nejABz1Y="  # a Fernet key for tests only
TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "GATEWAY_SECRET_KEY": "test-secret-key",
    "GATEWAY_DIGEST_KEY": DIGEST_KEY,
    "GATEWAY_BASE_URL": "http://localhost",
    "GATEWAY_DATABASE_URL": "sqlite://",
    "GATEWAY_ENCRYPTION_KEY": ENCRYPTION_KEY,
    "GATEWAY_CXML_DTD_DIR": dtd_setting(),  # never the user's installed DTDs: one answer a run
}


def pytest_configure(config: pytest.Config) -> None:
    """Write the whole run's log to a file (see `tests/session_log.py`)."""
    session_log.start(config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when a known secret reached a log line."""
    session_log.finish(session)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once what the run could not compare against on this machine."""
    _report_missing_dtds(terminalreporter)
    interop_corpus_summary(terminalreporter)


def _report_missing_dtds(reporter: pytest.TerminalReporter) -> None:
    if official_dtd_dir() is None:
        reporter.write_line(
            "cXML: the DTD comparison ran without the official DTDs (our XSDs only); set "
            "GATEWAY_CXML_DTD_DIR or run `gateway cxml dtds install` to compare against them."
        )


def interop_corpus_summary(reporter: pytest.TerminalReporter) -> None:
    """One line when the interop-corpus replay was skipped for want of the corpus."""
    skipped = [
        report
        for report in reporter.stats.get("skipped", [])
        if INTEROP_WITHOUT_CORPUS in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        reporter.write_sep("-", "interop corpus")
        reporter.write_line(
            f"{INTEROP_WITHOUT_CORPUS}: {len(skipped)} replay test(s) skipped; set "
            f"{INTEROP_CORPUS_ENV} or place it at {INTEROP_CORPUS_DIR}"
        )


def _database_url() -> str:
    return os.environ.get("GATEWAY_TEST_DATABASE_URL") or "sqlite://"


@pytest.fixture(scope="session")
def dtd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """For tests of the DTD machinery: the official DTDs where present, else a small DTD
    written for the tests that fails in the same ways (tests/tiny_dtd.py)."""
    return official_dtd_dir() or write_tiny_dtds(tmp_path_factory.mktemp("tiny-dtd"))


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database, emptied and migrated to head once per run, with the demo data."""
    engine = make_engine(_database_url())
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        sync_default_roles(session)
        seed_demo(session, digest_key=DIGEST_KEY, with_activity=False)  # tests count orders
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def sessions(connection: Connection) -> sessionmaker[Session]:
    """Sessions bound to the test's connection: their commits become savepoint releases."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db_session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for services called directly (no Flask request)."""
    with sessions() as session:
        yield session


@pytest.fixture
def app(engine: Engine, sessions: sessionmaker[Session]) -> Flask:
    """The application, its database swapped for the test's rolled-back connection."""
    app = create_app(TEST_CONFIG)
    app.extensions["gateway.db"].engine.dispose()
    app.extensions["gateway.db"] = Database(engine=engine, sessions=sessions)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client with cookies."""
    return app.test_client()


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """A real local SMTP server the app sends its mail to."""
    with smtp_server() as received:
        app.config.update(GATEWAY_SMTP_HOST="127.0.0.1", GATEWAY_SMTP_PORT=received.port)
        yield received
