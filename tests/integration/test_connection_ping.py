"""PostgreSQL connections are pinged only after being idle a while: a busy pool sends no extra
round trip a request, and a connection the server closed while idle is replaced unseen."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from gateway import engines
from gateway.engines import make_engine

URL = os.environ.get("GATEWAY_TEST_DATABASE_URL", "")


@pytest.fixture
def pooled() -> Iterator[Engine]:
    if not URL.startswith("postgresql"):
        pytest.skip("only a database server closes connections; SQLite files never do")
    engine = make_engine(URL)
    yield engine
    engine.dispose()


def _backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")))


def test_a_connection_used_a_moment_ago_is_not_pinged(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings: list[object] = []
    ping = pooled.dialect.do_ping
    monkeypatch.setattr(pooled.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    first = _backend(pooled)

    assert [_backend(pooled) for _ in range(3)] == [first] * 3
    assert pings == []


def test_an_idle_connection_the_server_closed_is_replaced(
    pooled: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = _backend(pooled)
    other = make_engine(URL)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": closed})
    other.dispose()
    monkeypatch.setattr(engines, "PING_AFTER_IDLE_SECONDS", 0.0)  # it has been idle long enough

    assert _backend(pooled) != closed
