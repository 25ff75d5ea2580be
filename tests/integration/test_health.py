"""`/healthz` and `/readyz`: what a load balancer sees when the process or the database is off."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, text
from werkzeug.test import TestResponse

from gateway import create_app
from gateway.engines import make_engine
from gateway.migrate import upgrade_to
from gateway.ops.health import code_heads
from tests.conftest import TEST_CONFIG

UNREACHABLE = (
    "sqlite:////nonexistent-folder/gateway.sqlite3",  # the file cannot be opened
    "postgresql://gateway@127.0.0.1:1/gateway",  # nothing listens on port 1
)


def app_on(url: str) -> Flask:
    return create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": url})


def assert_probe_answer(answer: TestResponse) -> None:
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in answer.headers
    assert answer.mimetype == "text/plain"


def test_healthz_answers_ok(client: FlaskClient) -> None:
    answer = client.get("/healthz")
    assert (answer.status_code, answer.text) == (200, "ok\n")
    assert_probe_answer(answer)


@pytest.mark.parametrize("url", UNREACHABLE)
def test_healthz_does_not_touch_the_database(url: str) -> None:
    assert app_on(url).test_client().get("/healthz").status_code == 200


def test_readyz_answers_ready_on_a_current_database(client: FlaskClient) -> None:
    answer = client.get("/readyz")
    assert (answer.status_code, answer.text) == (200, "ready\n")
    assert_probe_answer(answer)


@pytest.mark.parametrize("url", UNREACHABLE)
def test_readyz_refuses_when_the_database_is_unreachable(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        answer = app_on(url).test_client().get("/readyz")
    assert (answer.status_code, answer.text) == (503, "database unreachable\n")
    assert_probe_answer(answer)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_readyz_names_both_revisions_when_the_schema_is_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade_to(engine, "0009")
    engine.dispose()
    answer = app_on(url).test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.text == f"database revision 0009 ≠ head {''.join(code_heads())}\n"


def test_readyz_refuses_a_database_that_was_never_initialised(tmp_path: Path) -> None:
    answer = app_on(f"sqlite:///{tmp_path / 'empty.sqlite3'}").test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.text.startswith("database revision none ≠ head ")


def test_readyz_compares_with_the_revision_the_database_records(
    client: FlaskClient, connection: Connection
) -> None:
    connection.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.text.startswith("database revision 0008 ≠ head ")


def test_readyz_stays_ready_when_a_newer_release_migrated_the_database(
    client: FlaskClient, connection: Connection
) -> None:
    # a rolling upgrade: the new release ran its (additive) migrations, this host is not new yet
    connection.execute(text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.text.startswith("ready (database revision 0099_from_the_future is newer than")


def test_the_code_has_one_migration_head() -> None:
    assert len(code_heads()) == 1
