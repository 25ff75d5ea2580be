"""The benchmarks' database and in-process app: SQLite in a temporary folder, or PostgreSQL.

`GATEWAY_BENCH_DATABASE_URL` selects PostgreSQL for every figure of a run; the database it names
is emptied and migrated again by each benchmark that needs one.
"""

from __future__ import annotations

import gc
import os
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.db import Base
from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.services.demo import DEMO_PASSWORD, seed_demo
from gateway.services.people.users import sync_default_roles

ROOT = Path(__file__).resolve().parent.parent
DTD_DIR = Path(
    os.environ.get("GATEWAY_CXML_DTD_DIR") or ROOT.parent / "shared" / "schemas-cxml" / "1.2.071"
)
SECRET_KEY = "benchmark"  # noqa: S105 - a throwaway key; also the digest key of the demo partner's shared secret
BATCH = 10_000  # rows per INSERT when bulk-loading


def database_url(folder: Path) -> str:
    """PostgreSQL when `GATEWAY_BENCH_DATABASE_URL` is set, else a SQLite file in `folder`."""
    return os.environ.get("GATEWAY_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"


def engine_name(url: str) -> str:
    """`sqlite` or `postgresql` with the server's version, for the report's header."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = connection.scalar(text("SHOW server_version"))
            else:
                version = connection.scalar(text("SELECT sqlite_version()"))
    finally:
        engine.dispose()
    return f"{engine.dialect.name} {version}"


def fresh_database(url: str, *, demo: bool = True) -> Engine:
    """Empty the database, migrate it to head, add the built-in roles and the demo data."""
    engine = make_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    with Session(engine) as session, session.begin():
        sync_default_roles(session)
        if demo:
            seed_demo(session, digest_key=SECRET_KEY)
    return engine


def analyze(engine: Engine) -> None:
    """Refresh the planner's statistics, as autovacuum (or `gateway` maintenance) would."""
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def app_for(url: str) -> Flask:
    """The gateway as production runs it (no TESTING, frozen out of the garbage collector's
    reach as `wsgi.py` does), on the benchmark's database."""
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": url,
            "GATEWAY_SECRET_KEY": SECRET_KEY,
            "GATEWAY_BASE_URL": "http://127.0.0.1:5000",
            "GATEWAY_CXML_DTD_DIR": str(DTD_DIR),
        }
    )
    gc.freeze()
    return app


def gateway_env(folder: Path) -> dict[str, str]:
    """The environment of a `gateway` or gunicorn process on the benchmark's database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env.update(
        GATEWAY_DATABASE_URL=database_url(folder),
        GATEWAY_SECRET_KEY=SECRET_KEY,
        GATEWAY_BASE_URL="http://127.0.0.1:5000",
        GATEWAY_CXML_DTD_DIR=str(DTD_DIR),
    )
    return env


def login(client: FlaskClient, email: str) -> None:
    """Log a demo user in through the shop's form."""
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("the login page has no CSRF token")
    answer = client.post(
        "/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)}
    )
    if answer.status_code != 302:  # noqa: PLR2004 - the redirect after a login
        raise RuntimeError(f"login as {email} failed with {answer.status_code}")
