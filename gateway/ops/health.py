"""`/healthz`: the process answers. `/readyz`: the database answers and has the code's schema."""

from __future__ import annotations

import functools
from http import HTTPStatus

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, Response
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.migrate import alembic_config
from gateway.web.database import get_session


def plain(body: str, status: int = HTTPStatus.OK) -> Response:
    """A short text answer that no cache may keep."""
    response = Response(body + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@functools.cache
def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


@functools.cache
def code_heads() -> frozenset[str]:
    """The newest migration revision(s) this code ships (read once: it cannot change)."""
    return frozenset(_script().get_heads())


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every migration revision this code ships."""
    return frozenset(revision.revision for revision in _script().walk_revisions())


def init_app(_app: Flask) -> None:
    """Read the migrations at start-up rather than in the first probe."""
    code_heads()
    known_revisions()


def healthz() -> Response:
    """Liveness: the process serves requests. Touches nothing else."""
    return plain("ok")


def readyz() -> Response:
    """Readiness: `SELECT 1` works and the database is at the code's migration head (else 503).

    A revision this code does not know is one a newer release migrated to during a rolling
    upgrade: the migrations only add (docs/deploy.md), so this code still works and stays ready.
    """
    session = get_session()
    try:
        session.execute(text("SELECT 1"))
        current = frozenset(MigrationContext.configure(session.connection()).get_current_heads())
    except SQLAlchemyError:
        return plain("database unreachable", HTTPStatus.SERVICE_UNAVAILABLE)
    if current == code_heads():
        return plain("ready")
    found, head = ", ".join(sorted(current)) or "none", ", ".join(sorted(code_heads()))
    if current and not current <= known_revisions():
        return plain(f"ready (database revision {found} is newer than this code's head {head})")
    return plain(f"database revision {found} ≠ head {head}", HTTPStatus.SERVICE_UNAVAILABLE)
