"""On a SQLite file, requests that read and then write at the same moment queue: none fails
with "database is locked" (each POST takes the write lock with its first query, after waiting
on the writers' queue file)."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.db import lock_for_writing
from gateway.migrate import upgrade
from gateway.models import Cart
from gateway.services.demo import seed_demo
from gateway.services.people.users import sync_default_roles
from tests import oci_buyer
from tests.buyer import csrf_token
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


def test_concurrent_oci_launches_by_get_all_succeed(tmp_path: Path) -> None:
    """An OCI launch by GET reads the partner, then writes its session and the message log."""
    app = _file_app(tmp_path)
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []

    def launch() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.get(oci_buyer.launch_url()).status_code)

    threads = [threading.Thread(target=launch) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.extensions["gateway.db"].engine.dispose()
    assert statuses == [302] * THREADS


def test_showing_a_cart_writes_nothing(client: FlaskClient, db_session: Session) -> None:
    """GET pages need no write lock: an empty cart is shown without being stored."""
    carts_before = db_session.scalar(select(func.count()).select_from(Cart))
    page = client.get("/login")
    data = {"email": "buyer@1002.demo", "password": "demo", "csrf_token": csrf_token(page.text)}
    assert client.post("/login", data=data).status_code == 302
    assert client.get("/cart").status_code == 200
    assert db_session.scalar(select(func.count()).select_from(Cart)) == carts_before


def _queue_is_free(queue_file: Path) -> bool:
    handle = os.open(queue_file, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)  # closing drops the lock if it was taken
    return True


def test_writers_wait_on_the_queue_before_taking_sqlite_s_write_lock(tmp_path: Path) -> None:
    """A writer that finds the queue taken waits there, holding no SQLite lock meanwhile, and
    goes on the moment the queue is free again."""
    app = _file_app(tmp_path)
    queue_file = tmp_path / "w.sqlite3-writers"
    statuses: list[int] = []
    holder = os.open(queue_file, os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)

    def failed_login() -> None:
        client = app.test_client()
        statuses.append(client.post("/login", data={"email": "a@b", "password": "x"}).status_code)

    writer = threading.Thread(target=failed_login)
    writer.start()
    writer.join(timeout=1)
    assert writer.is_alive()  # queued behind the holder
    other = sqlite3.connect(tmp_path / "w.sqlite3", timeout=0)
    other.execute("BEGIN IMMEDIATE")  # SQLite's write lock is free while the writer queues
    other.rollback()
    other.close()
    os.close(holder)
    writer.join(timeout=30)
    assert statuses == [401]
    assert _queue_is_free(queue_file)
    app.extensions["gateway.db"].engine.dispose()


def test_the_queue_is_left_after_commit_and_after_rollback(tmp_path: Path) -> None:
    app = _file_app(tmp_path)
    database = app.extensions["gateway.db"]
    queue_file = tmp_path / "w.sqlite3-writers"
    for end in (Session.commit, Session.rollback):
        session = database.sessions()
        lock_for_writing(session)
        session.execute(select(func.count()).select_from(Cart))
        assert not _queue_is_free(queue_file)
        end(session)
        assert _queue_is_free(queue_file)
        session.close()
    with database.sessions() as session:
        lock_for_writing(session)
        session.execute(select(func.count()).select_from(Cart))
    assert _queue_is_free(queue_file)  # closed without ending: the pool's reset rolls back
    database.engine.dispose()
