"""On a SQLite file, requests that read and then write at the same moment queue: none fails
with "database is locked" (each POST takes the write lock when it begins)."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask

from gateway import create_app
from gateway.migrate import upgrade
from gateway.services.demo import seed_demo
from gateway.services.users import sync_default_roles
from tests.conftest import DIGEST_KEY, TEST_CONFIG

THREADS = 8


def _file_app(folder: Path) -> Flask:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{folder / 'w.sqlite3'}"})
    database = app.extensions["gateway.db"]
    upgrade(database.engine)
    with database.session_scope() as session:
        sync_default_roles(session)
        seed_demo(session, digest_key=DIGEST_KEY)
    app.config["WTF_CSRF_ENABLED"] = False  # the point here is the database, not the form
    return app


def test_concurrent_read_then_write_requests_all_succeed(tmp_path: Path) -> None:
    app = _file_app(tmp_path)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def failed_login(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        # reads the user and the throttle counters, then writes a counter
        response = client.post(
            "/login", data={"email": f"someone{number}@example.test", "password": "x"}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=failed_login, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.extensions["gateway.db"].engine.dispose()
    assert statuses == [401] * THREADS
