"""Checklist item 59: the database becomes unavailable in the middle of a request.

The test connection fails every statement after the first `n` of one request, for every `n`
the request needs: the database "goes away" at each point in turn (its rollback still works, as
a lost server-side transaction is rolled back anyway). Each time the gateway must fail closed:
cXML answers a 500 (so the buyer retries), the shop shows an error page, nothing half-written
remains and no cart is posted to the buyer. Afterwards the same request succeeds exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.models import (
    BudgetCounter,
    BudgetReservation,
    BuyerOrder,
    Cart,
    CartLine,
    Order,
    OutboxMessage,
    PunchOutSession,
    ReceivedDocument,
)
from tests import buyer, shop
from tests.integration.test_cxml_punchout import punch_in

MODELS = (
    Order,
    BuyerOrder,
    ReceivedDocument,
    OutboxMessage,
    BudgetReservation,
    BudgetCounter,
    CartLine,
    Cart,
)


# The test's savepoints stand in for the request's own transaction (whose COMMIT and ROLLBACK
# are no cursor statements), so they are left working.
COOKIE = "gateway_session"
HARNESS = ("ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


class Outage:
    """Counts a request's statements; fails every one after the first `allowed`."""

    def __init__(self) -> None:
        self.allowed: int | None = None
        self.seen = 0

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(HARNESS):
            return
        self.seen += 1
        if self.allowed is not None and self.seen > self.allowed:
            raise OperationalError(statement[:40], None, ConnectionError("database went away"))


@contextmanager
def outage(connection: Connection, allowed: int | None) -> Iterator[Outage]:
    """The database failing after `allowed` statements (None: never, only counting)."""
    fault = Outage()
    fault.allowed = allowed
    event.listen(connection, "before_cursor_execute", fault)
    try:
        yield fault
    finally:
        event.remove(connection, "before_cursor_execute", fault)


def _state(db: Session) -> tuple[Any, ...]:
    db.expire_all()
    counts = tuple(db.scalar(select(func.count()).select_from(model)) for model in MODELS)
    quantities = tuple(db.scalars(select(CartLine.quantity).order_by(CartLine.id)))
    counters = tuple(db.scalars(select(BudgetCounter.committed).order_by(BudgetCounter.id)))
    punchouts = tuple(db.scalars(select(PunchOutSession.id).order_by(PunchOutSession.id)))
    return counts, quantities, counters, punchouts


def _every_failure_point(
    connection: Connection, db: Session, client: FlaskClient, send: Callable[[], TestResponse]
) -> tuple[int, list[TestResponse]]:
    """Send the request once per statement it needs, the database failing after that many.
    Returns the statement count of a healthy run's request and the failed responses."""
    cookie = client.get_cookie(COOKIE)  # None for a cXML client
    with outage(connection, None) as probe:
        # a healthy run to count its statements, undone: its savepoint and the browser's cookie
        nested = connection.begin_nested()
        send()
        nested.rollback()
    if cookie is not None:
        client.set_cookie(COOKIE, cookie.value)
    db.expire_all()
    assert probe.seen > 3
    before = _state(db)
    responses = []
    for allowed in range(probe.seen):
        with outage(connection, allowed):
            responses.append(send())
        assert _state(db) == before, f"half-written data after {allowed} statements"
    return probe.seen, responses


def test_an_order_request_fails_closed_at_every_point(
    client: FlaskClient, connection: Connection, db_session: Session
) -> None:
    body = buyer.order_request(payload_id="fault@buyer.example", order_id="PO-FAULT")

    def send() -> TestResponse:
        return client.post("/cxml", data=body, content_type="text/xml; charset=UTF-8")

    statements, responses = _every_failure_point(connection, db_session, client, send)
    for allowed, response in enumerate(responses):
        if response.status_code == 200:  # a cXML answer: it must say 500, so the buyer retries
            assert buyer.status_of(response.data)[0] == 500, (allowed, response.data)
        else:  # the failure hit the final commit: an HTTP 500, which the buyer retries too
            assert response.status_code == 500, (allowed, response.status_code)
        assert b"database went away" not in response.data
    assert statements == len(responses)
    # The retry, the database back, creates exactly one order.
    assert buyer.status_of(send().data) == (200, "OK")
    assert buyer.status_of(send().data) == (200, "OK")
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).where(Order.buyer_reference == "PO-FAULT")) == 1


def _limited_checkout(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = app.test_client()
    shop.login(client, "limited@1001.demo")  # holds a block budget: checkout reserves it
    response = shop.post(client, "/cart/items", {"sku": "DEMO-0081", "quantity": "1"})
    assert response.status_code == 302
    page = client.get("/checkout")
    return client, shop.form_values(page.text, "cart_digest")


def test_a_shop_checkout_fails_closed_at_every_point(
    app: Flask, connection: Connection, db_session: Session
) -> None:
    client, form = _limited_checkout(app)

    def send() -> TestResponse:
        return client.post("/checkout", data=form)

    _statements, responses = _every_failure_point(connection, db_session, client, send)
    for allowed, response in enumerate(responses):
        assert response.status_code == 500, (allowed, response.status_code)
        assert "Something went wrong on our side" in response.text
        assert "database went away" not in response.text
    assert send().status_code == 302  # back again: the order is placed once
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Order)) == 1


def test_a_cart_transfer_fails_closed_at_every_point(
    client: FlaskClient, connection: Connection, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request())
    buyer.add_to_cart(client, "DEMO-0001", "2")
    token = buyer.csrf_token(client.get("/cart").text)

    def send() -> TestResponse:
        return client.post("/punchout/transfer", data={"csrf_token": token})

    _statements, responses = _every_failure_point(connection, db_session, client, send)
    for allowed, response in enumerate(responses):
        assert response.status_code == 500, (
            allowed,
            response.status_code,
            response.text[response.text.find("<main") :][:600],
        )
        assert buyer.read_forms(response.text) == [] or all(
            form["attrs"].get("action") != buyer.RETURN_URL
            for form in buyer.read_forms(response.text)
        ), "the cart was posted although the transfer failed"
    response = send()
    assert response.status_code == 200
    assert [f["attrs"]["action"] for f in buyer.read_forms(response.text)] == [buyer.RETURN_URL]


@pytest.fixture(autouse=True)
def _quiet_mail(inbox: object) -> None:
    """Confirmation mail goes to the local test server."""
