"""The setup lane (`gateway.punchout.setup_lane`) answers a known buyer's setup below Flask, as
the view would: the same answer, headers, metrics, throttling and client address; everything
else reaches the view with its body intact."""

from __future__ import annotations

import functools
import gzip
import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from gateway.cxml import Operation
from gateway.models import MessageLogEntry, PunchOutSession
from gateway.services.punchout import inbox
from tests import buyer
from tests.integration.test_metrics import app_with, scrape, value

VIEW = "punchout.cxml_endpoint"


@pytest.fixture
def view_calls(app: Flask) -> list[int]:
    """One entry each time Flask's `/cxml` view runs (the lane answered the rest)."""
    return _count_view_calls(app)


def _count_view_calls(app: Flask) -> list[int]:
    calls: list[int] = []
    view: Callable[..., Any] = app.view_functions[VIEW]

    @functools.wraps(view)  # keeps its name, which exempts it from the CSRF check
    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return view(*args, **kwargs)

    app.view_functions[VIEW] = counting
    return calls


def _post(client: FlaskClient, body: bytes, **headers: str) -> TestResponse:
    return client.post("/cxml", data=body, content_type="text/xml", headers=headers)


def _headers(response: TestResponse) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name != "Content-Length"}


def test_a_known_buyers_setup_is_answered_below_flask_as_the_view_answers_it(
    client: FlaskClient, view_calls: list[int], db_session: Session
) -> None:
    first = _post(client, buyer.setup_request(buyer_cookie="first"))  # a new punchout identity
    assert view_calls == [1]
    second = _post(client, buyer.setup_request(buyer_cookie="second"))
    assert view_calls == [1]  # the lane answered
    assert (second.status_code, buyer.status_of(second.data)) == (200, (200, "OK"))
    assert _headers(second) == _headers(first)
    assert int(second.headers["Content-Length"]) == len(second.data)
    assert client.get(buyer.start_path(second.data)).status_code == 302
    opened = db_session.scalars(select(PunchOutSession.buyer_cookie)).all()
    assert sorted(opened) == ["first", "second"]


def test_over_tls_the_lane_sends_hsts_as_the_view_does(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    app = app_with(engine, sessions, GATEWAY_BASE_URL="https://shop.example")
    calls = _count_view_calls(app)
    client = app.test_client()
    first, second = (_post(client, buyer.setup_request()) for _ in range(2))
    assert len(calls) == 1
    assert second.headers["Strict-Transport-Security"].startswith("max-age=")
    # With secure cookies, Flask's session interface reads the (empty) session to choose the
    # cookie's SameSite, and so adds `Vary: Cookie`; a cXML answer depends on no cookie.
    assert first.headers["Vary"] == "Cookie"
    assert _headers(second) == {k: v for k, v in _headers(first).items() if k != "Vary"}
    assert buyer.start_path(second.data).startswith("/punchout/start/")


def test_what_the_lane_does_not_answer_reaches_the_view_whole(
    client: FlaskClient, view_calls: list[int], db_session: Session
) -> None:
    _post(client, buyer.setup_request())
    view_calls.clear()
    edit = buyer.setup_request(operation=Operation.EDIT)
    assert buyer.status_of(_post(client, edit).data) == (200, "OK")
    wrong = _post(client, buyer.setup_request(secret="guess"))
    assert buyer.status_of(wrong.data)[0] == 401
    broken = _post(client, b"<cXML><Header>")
    assert buyer.status_of(broken.data)[0] == 406
    assert "not well-formed" in buyer.status_of(broken.data)[1]
    packed = _post(client, gzip.compress(buyer.setup_request()), **{"Content-Encoding": "gzip"})
    assert "Content-Encoding" in buyer.status_of(packed.data)[1]
    assert view_calls == [1, 1, 1, 1]
    logged = db_session.scalar(select(func.count()).select_from(MessageLogEntry))
    assert logged == 2 + 2 * 3 + 1  # the first setup, three answered, the refused compressed one


def test_an_oversized_or_unsized_body_is_left_to_the_view(
    app: Flask, client: FlaskClient, view_calls: list[int]
) -> None:
    _post(client, buyer.setup_request())
    view_calls.clear()
    body = buyer.setup_request()
    app.config["MAX_CONTENT_LENGTH"] = len(body) - 1
    assert _post(client, body).status_code == 413
    app.config["MAX_CONTENT_LENGTH"] = 10 * len(body)
    chunked = EnvironBuilder(
        "/cxml", method="POST", input_stream=io.BytesIO(body), content_type="text/xml"
    ).get_environ()
    del chunked["CONTENT_LENGTH"]  # as gunicorn passes a chunked body
    chunked["wsgi.input_terminated"] = True
    answer, status, _ = run_wsgi_app(app, chunked, buffered=True)
    assert (status, buyer.status_of(b"".join(answer))) == ("200 OK", (200, "OK"))
    assert view_calls == [1, 1]


def test_a_fault_in_the_lane_leaves_the_request_to_the_view(
    client: FlaskClient, view_calls: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _post(client, buyer.setup_request())

    def failing(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(inbox, "answer_setup", failing)
    assert buyer.status_of(_post(client, buyer.setup_request()).data) == (200, "OK")
    assert view_calls == [1, 1]


def test_the_lane_counts_its_answers_under_the_views_endpoint(
    client: FlaskClient, view_calls: list[int]
) -> None:
    labels = {"endpoint": VIEW, "method": "POST", "status": "200"}
    before = value(scrape(client), "gateway_http_requests_total", **labels)
    for _ in range(3):
        _post(client, buyer.setup_request())
    assert view_calls == [1]
    assert value(scrape(client), "gateway_http_requests_total", **labels) == before + 3


def test_the_lane_throttles_by_the_client_address_behind_a_proxy(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    app = app_with(engine, sessions, GATEWAY_PROXY_HOPS=1, GATEWAY_LOGIN_ADDRESS_ATTEMPTS=2)
    client = app.test_client()
    guesser, other = {"X-Forwarded-For": "203.0.113.9"}, {"X-Forwarded-For": "198.51.100.4"}
    assert buyer.status_of(_post(client, buyer.setup_request(), **other).data) == (200, "OK")
    for number in range(2):
        wrong = buyer.setup_request(identity=("NetworkID", f"AN-GUESS-{number}"), secret="x")
        assert buyer.status_of(_post(client, wrong, **guesser).data)[0] == 401
    assert _post(client, buyer.setup_request(), **guesser).status_code == 429
    assert buyer.status_of(_post(client, buyer.setup_request(), **other).data) == (200, "OK")
