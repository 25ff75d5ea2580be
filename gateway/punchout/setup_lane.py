"""The everyday punchout setup answered below Flask: most of `POST /cxml`'s traffic, at about
half the CPU.

A known buyer opening a `create` punchout for a person it has punched out before needs one read
and three writes (`gateway.services.punchout.quick_setup`). Flask's routing, request and
response objects and hooks cost about as much again, so this WSGI layer answers such a request
itself, in its own transaction, with the headers and metrics Flask would give it. Every other
request (another path or method, a compressed or oversized body, anything the quick path does
not answer, a fault) goes on to Flask untouched, its body re-readable: the view then decides,
words and logs every refusal, so the two lanes cannot disagree on one.
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from time import perf_counter
from typing import TYPE_CHECKING, Any

from flask import Flask

from gateway.db import Database, utcnow
from gateway.engines import WRITE_LOCK_OPTION, context_begin_options
from gateway.ops import metrics
from gateway.punchout.settings import punchout_settings
from gateway.services.punchout import inbox
from gateway.web.headers import EVERY_ANSWER, hsts
from gateway.web.throttling import keys_for

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

PATH = "/cxml"
ENDPOINT = "punchout.cxml_endpoint"  # the view's name in the request metrics


class SetupLane:
    """WSGI middleware: answer the everyday setup to `PATH`, hand everything else to `app`."""

    def __init__(self, flask_app: Flask, app: WSGIApplication) -> None:
        self.flask_app = flask_app
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        started = perf_counter()
        body = self._body(environ)
        answer = None if body is None else self._answer(body, environ)
        if answer is None:
            return self.app(environ, start_response)
        start_response(f"{HTTPStatus.OK.value} {HTTPStatus.OK.phrase}", self._headers(answer))
        metrics.observe(ENDPOINT, "POST", HTTPStatus.OK, perf_counter() - started)
        return [answer]

    def _body(self, environ: WSGIEnvironment) -> bytes | None:
        """The body, read and put back for Flask; None (unread) when the view must judge it:
        compressed, of unknown length, or longer than MAX_CONTENT_LENGTH."""
        encoding = environ.get("HTTP_CONTENT_ENCODING", "identity").strip().lower()
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if encoding not in ("", "identity") or not 0 < length <= self._config("MAX_CONTENT_LENGTH"):
            return None
        body: bytes = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        return body

    def _answer(self, body: bytes, environ: WSGIEnvironment) -> bytes | None:
        """The committed answer of the quick path, or None with nothing written."""
        config = self.flask_app.config
        database: Database = self.flask_app.extensions["gateway.db"]
        options = context_begin_options.set({WRITE_LOCK_OPTION: True})  # as the view's
        try:
            with database.sessions() as session:  # closing it rolls back what is left
                answer = inbox.answer_setup(
                    session,
                    body=body,
                    settings=punchout_settings(config),
                    now=utcnow(),
                    throttle_keys=functools.partial(
                        keys_for, kind="cxml", address=environ.get("REMOTE_ADDR"), config=config
                    ),
                )
                if answer is not None:
                    session.commit()
        except Exception:  # the view runs it again, and answers and logs what it finds
            log.warning("the setup lane failed; Flask answers the request", exc_info=True)
            return None
        else:
            return answer
        finally:
            context_begin_options.reset(options)

    def _headers(self, answer: bytes) -> list[tuple[str, str]]:
        """What Flask sends with the view's cXML answer (`gateway.web.app`'s header hooks)."""
        headers = [
            ("Content-Type", "text/xml; charset=UTF-8"),
            ("Content-Length", str(len(answer))),
            *EVERY_ANSWER,
        ]
        transport_security = hsts(self._config("GATEWAY_BASE_URL"))
        if transport_security is not None:
            headers.append(("Strict-Transport-Security", transport_security))
        return headers

    def _config(self, name: str) -> Any:
        return self.flask_app.config[name]


def install(app: Flask) -> None:
    """Put the lane in front of `app`'s WSGI application (inside any proxy fix applied later)."""
    wrapped: Callable[..., Iterable[bytes]] = app.wsgi_app
    app.wsgi_app = SetupLane(app, wrapped)  # type: ignore[method-assign]
