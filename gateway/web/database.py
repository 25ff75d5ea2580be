"""The request-scoped database session: one per request, committed or rolled back at its end.

A request commits when its answer is a success or a redirect (status below 400) and rolls back
otherwise, unless a view asked to keep its changes (a logged refusal). Views and web hooks call
`get_session()`; services receive the session as an argument.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from sqlalchemy.orm import Session, sessionmaker

from gateway.db import Database
from gateway.engines import WRITE_LOCK_OPTION, context_begin_options, make_engine

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])


def init_app(app: Flask) -> Database:
    """Create the engine for the app's database and bind a request-scoped session.

    A request commits when its answer is a success or a redirect (status below 400) and rolls
    back otherwise, so an error page never leaves half-written data behind. Requests that may
    write (every method but GET, HEAD, OPTIONS, and views marked `writes_on_get`) take SQLite's
    write lock with their first query, so two that read and then write at once queue instead of
    one failing with "database is locked"; what a view does before touching the database (parsing
    a document) runs unlocked.
    """
    engine = make_engine(app.config["GATEWAY_DATABASE_URL"])
    database = Database(engine=engine, sessions=sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions["gateway.db"] = database

    @app.before_request
    def _writers_queue() -> None:
        view = app.view_functions.get(request.endpoint or "")
        writing = request.method not in ("GET", "HEAD", "OPTIONS") or getattr(
            view, WRITES_ON_GET, False
        )
        g.db_begin_options = context_begin_options.set({WRITE_LOCK_OPTION: writing})

    @app.after_request
    def _commit(response: Any) -> Any:
        session = g.pop("db_session", None)
        keep = g.pop("db_keep", False)
        if session is not None:
            try:
                if response.status_code < HTTPStatus.BAD_REQUEST or keep:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _discard(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        if "db_begin_options" in g:
            context_begin_options.reset(g.pop("db_begin_options"))

    return database


WRITES_ON_GET = "gateway_writes_on_get"


def writes_on_get(view: ViewFunction) -> ViewFunction:
    """Mark a view that writes on GET too (a launch link, a StartPage): it queues for SQLite's
    write lock like a POST, instead of failing on a stale read snapshot under load."""
    setattr(view, WRITES_ON_GET, True)
    return view


def keep_changes() -> None:
    """Commit this request's work although its answer is an error (e.g. a logged refusal)."""
    g.db_keep = True


def get_session() -> Session:
    """The current request's session (created on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["gateway.db"].sessions()
    session: Session = g.db_session
    return session
