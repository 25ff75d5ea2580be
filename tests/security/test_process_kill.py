"""Real process kills (SIGKILL) in the middle of a request and of an outbox delivery.

Checklist items 58 and 59 with a process that really dies: no exception handler, rollback or
`finally` runs, the database connection just drops (PostgreSQL aborts the server side, SQLite
leaves a hot WAL and a released file lock). Each test runs on a database of its own on the
suite's engine (`own_database.py`), since the child processes commit for real.

Requests: `kill_driver.py` builds the app once and forks a worker per request, as gunicorn
does; the worker SIGKILLs itself right after the N-th SQL statement, for every N the request
sends, and just before and just after its COMMIT. After each kill the database holds the
complete order or nothing of it, and a retry creates exactly one order.

Outbox: `gateway worker` runs as a child process against a local receiver that records the
document and then holds the connection; the test SIGKILLs the worker there, lets the lease run
out and starts another worker, which sends the same document (same payloadID) once more.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.db import utcnow
from gateway.engines import make_engine
from gateway.models import (
    Budget,
    BudgetCounter,
    BudgetReservation,
    BuyerOrder,
    Cart,
    CartLine,
    MessageLogEntry,
    Order,
    OrderLine,
    OutboxMessage,
    ReceivedDocument,
    User,
)
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import documents
from tests import buyer
from tests.conftest import DIGEST_KEY, ENCRYPTION_KEY, TEST_CONFIG
from tests.factories import deliver_locally
from tests.integration.test_outbox import payload_id_of, reply
from tests.paths import PROJECT_ROOT, dtd_setting
from tests.security.kill_driver import SHOPPER
from tests.security.own_database import own_database

COMMIT_POINTS = ("before-commit", "after-commit")
ORDER_TOTAL = Decimal("4.36")  # the driver's OrderRequest: 2 x 0.77 + 3 x 0.94 (1001's prices)
CHILD_TIMEOUT = 60


class Driver:
    """The kill driver child process: one JSON command in, one JSON answer out."""

    def __init__(self, database_url: str, log: Path) -> None:
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.security.kill_driver"],
            cwd=PROJECT_ROOT,
            env={**os.environ, "GATEWAY_DATABASE_URL": database_url},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def send(self, **command: Any) -> dict[str, Any]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        line = stdout.readline()
        assert line, f"the driver died on {command}: {self._tail()}"
        return json.loads(line)

    def close(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self.process.wait(timeout=CHILD_TIMEOUT)
        self._log.close()

    def _tail(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text()[-3000:]


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with own_database() as url:
        yield url


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    """The test's own view of that database, to check what the killed workers left."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def driver(database_url: str, tmp_path: Path) -> Iterator[Driver]:
    child = Driver(database_url, tmp_path / "driver.log")
    yield child
    child.close()


def kill_points(statements: int) -> list[int | str]:
    """After each statement in turn, then just before and just after the COMMIT."""
    return [*range(1, statements + 1), *COMMIT_POINTS]


# --- OrderRequest ------------------------------------------------------------------------------


def order_request_state(engine: Engine, *, payload_id: str, order_id: str) -> str:
    """`complete` or `none`; anything in between fails the test."""
    with Session(engine) as db:
        orders = db.scalars(select(Order).where(Order.buyer_reference == order_id)).all()
        keys = db.scalars(
            select(ReceivedDocument).where(ReceivedDocument.payload_id == payload_id)
        ).all()
        buyer_orders = db.scalars(
            select(BuyerOrder).where(BuyerOrder.buyer_order_id == order_id)
        ).all()
        logged = db.scalar(
            select(func.count())
            .select_from(MessageLogEntry)
            .where(MessageLogEntry.payload_id == payload_id)
        )
        if not orders and not keys and not buyer_orders and not logged:
            return "none"
        assert len(orders) == len(keys) == len(buyer_orders) == 1, (orders, keys, buyer_orders)
        [order], [key], [buyer_order] = orders, keys, buyer_orders
        amounts = db.scalars(select(OrderLine.net_amount).where(OrderLine.order_id == order.id))
        assert sorted(amounts) == [Decimal("1.54"), Decimal("2.82")]
        assert order.net_total == ORDER_TOTAL
        assert (key.order_id, key.status_code) == (order.id, 200)
        assert (buyer_order.order_id, buyer_order.payload_id) == (order.id, payload_id)
        assert logged, "the inbound document is missing from the message log"
        return "complete"


def test_an_order_request_killed_anywhere_is_all_or_nothing_and_its_retry_makes_one(
    driver: Driver, engine: Engine
) -> None:
    healthy = driver.send(op="order", payload_id="count@kill", order_id="PO-COUNT", kill_at=None)
    assert healthy["cxml"] == [200, "OK"]
    assert healthy["statements"] > 5
    for point in kill_points(healthy["statements"]):
        ids = {"payload_id": f"kill-{point}@buyer.example", "order_id": f"PO-KILL-{point}"}
        assert driver.send(op="order", kill_at=point, **ids)["killed"], point
        expected = "complete" if point == "after-commit" else "none"
        assert order_request_state(engine, **ids) == expected, point
        retry = driver.send(op="order", kill_at=None, **ids)
        assert retry["cxml"] == [200, "OK"], (point, retry)
        assert order_request_state(engine, **ids) == "complete", point


# --- shop checkout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopperState:
    """The shopper's orders, open cart, reservations and budget counters."""

    orders: frozenset[int]
    cart: tuple[tuple[int, Decimal], ...]
    reservations: frozenset[tuple[int, int, Decimal]]
    counters: dict[int, Decimal]


def shopper_state(engine: Engine) -> ShopperState:
    """The state, after checking that each order is whole and the counters add up."""
    with Session(engine) as db:
        user_id = db.scalars(select(User.id).where(User.email == SHOPPER)).one()
        orders = db.scalars(select(Order).where(Order.user_id == user_id)).all()
        reservations = db.scalars(select(BudgetReservation)).all()
        confirmations = db.scalars(
            select(OutboxMessage.order_id).where(OutboxMessage.document_type == EMAIL_DOCUMENT)
        ).all()
        for order in orders:
            assert confirmations.count(order.id) == 1, f"order {order.number}: confirmations"
            lines = db.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
            assert lines, f"order {order.number} without lines"
            assert sum(line.net_amount for line in lines) == order.net_total
            held = [r.amount for r in reservations if r.order_id == order.id]
            assert held == [order.net_total], f"order {order.number} reserved {held}"
        counters = dict(db.execute(select(BudgetCounter.id, BudgetCounter.committed)).all())
        for counter_id, committed in counters.items():
            reserved = sum(
                (
                    r.amount
                    for r in reservations
                    if r.counter_id == counter_id and not r.released_at
                ),
                Decimal(0),
            )
            assert committed == reserved, f"counter {counter_id}: {committed} != {reserved}"
        cart = db.execute(
            select(CartLine.product_id, CartLine.quantity)
            .join(Cart)
            .where(Cart.user_id == user_id, Cart.status == "open")
        ).all()
        return ShopperState(
            orders=frozenset(order.id for order in orders),
            cart=tuple(sorted((row[0], row[1]) for row in cart)),
            reservations=frozenset((r.order_id, r.counter_id, r.amount) for r in reservations),
            counters=counters,
        )


@pytest.fixture
def roomy_budget(engine: Engine) -> None:
    """The shopper's `block` budget, raised so that every kill point's order fits in it."""
    with Session(engine) as db, db.begin():
        user_id = db.scalars(select(User.id).where(User.email == SHOPPER)).one()
        db.execute(
            update(Budget)
            .where(Budget.user_id == user_id, Budget.policy == "block")
            .values(period_amount=Decimal(100_000))
        )


@pytest.mark.usefixtures("roomy_budget")
def test_a_checkout_killed_anywhere_is_all_or_nothing_and_its_retry_makes_one(
    driver: Driver, engine: Engine
) -> None:
    assert driver.send(op="fill-cart")["status"] == 302
    healthy = driver.send(op="checkout", kill_at=None)
    assert healthy["status"] == 302
    assert healthy["statements"] > 5
    for point in kill_points(healthy["statements"]):
        assert driver.send(op="fill-cart")["status"] == 302
        before = shopper_state(engine)
        assert len(before.cart) == 1
        assert driver.send(op="checkout", kill_at=point)["killed"], point
        after = shopper_state(engine)
        if point != "after-commit":  # nothing of the order, the cart as it was; then the retry
            assert after == before, point
            assert driver.send(op="checkout", kill_at=None)["status"] == 302, point
        placed = shopper_state(engine)
        assert len(placed.orders - before.orders) == 1, point
        assert placed.cart == ()
        assert len(placed.reservations - before.reservations) == 1, point


# --- outbox worker -----------------------------------------------------------------------------


class _HoldingReceiver(BaseHTTPRequestHandler):
    """Records each document; holds the first request open until released, answers the rest."""

    bodies: list[bytes] = []  # noqa: RUF012 - collected by the test
    holding = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        if len(self.bodies) == 1:
            self.holding.set()
            self.release.wait(CHILD_TIMEOUT)
        answer = reply(200, "OK")
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except OSError:
            return  # the worker that asked is dead

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture
def holding_receiver() -> Iterator[str]:
    _HoldingReceiver.bodies = []
    _HoldingReceiver.holding.clear()
    _HoldingReceiver.release.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HoldingReceiver)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cxml"
    _HoldingReceiver.release.set()
    server.shutdown()
    server.server_close()


def _queue_a_confirmation(database_url: str, receiver: str) -> int:
    """An order through /cxml, the partner pointed at the receiver, the order accepted."""
    app = create_app(
        {
            **TEST_CONFIG,
            "GATEWAY_DATABASE_URL": database_url,
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
        }
    )
    database = app.extensions["gateway.db"]
    try:
        answer = app.test_client().post(
            "/cxml", data=buyer.order_request(), content_type="text/xml; charset=UTF-8"
        )
        assert buyer.status_of(answer.data) == (200, "OK")
        with database.session_scope() as db:
            deliver_locally(db, receiver, secret="kill-test-outbound-secret")
            order_id = db.scalars(select(Order.id).where(Order.buyer_reference == "PO-1001")).one()
            documents.accept(
                db,
                actor=None,
                order_id=order_id,
                settings=punchout_settings(app.config),
                now=utcnow(),
            )
        with database.session_scope() as db:
            return db.scalars(
                select(OutboxMessage.id).where(OutboxMessage.status == "pending")
            ).one()
    finally:
        database.engine.dispose()


def _worker(database_url: str, log: IO[str], *arguments: str) -> subprocess.Popen[str]:
    """`gateway worker …` as its own process."""
    env = {
        **os.environ,
        "GATEWAY_DATABASE_URL": database_url,
        "GATEWAY_SECRET_KEY": "kill-test-secret-key",
        "GATEWAY_DIGEST_KEY": DIGEST_KEY,
        "GATEWAY_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "GATEWAY_BASE_URL": "http://localhost",
        "GATEWAY_CXML_DTD_DIR": dtd_setting(),
    }
    command = [sys.executable, "-c", "from gateway.cli import main; main()", "worker", *arguments]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True
    )


def _message(engine: Engine, message_id: int) -> OutboxMessage:
    with Session(engine, expire_on_commit=False) as db:
        return db.get_one(OutboxMessage, message_id)


def test_a_worker_killed_between_sending_and_recording_sends_once_more_later(
    holding_receiver: str, tmp_path: Path
) -> None:
    with own_database() as database_url:
        engine = make_engine(database_url)
        log = (tmp_path / "worker.log").open("w")
        try:
            message_id = _queue_a_confirmation(database_url, holding_receiver)
            payload_id = _message(engine, message_id).payload_id

            first = _worker(database_url, log, "--interval", "0.2")
            try:
                assert _HoldingReceiver.holding.wait(CHILD_TIMEOUT), "the worker never sent"
                held = _message(engine, message_id)
                assert (held.status, held.attempts) == ("pending", 0)
                assert held.claimed_by is not None
                os.kill(first.pid, signal.SIGKILL)  # the document is out, its outcome unrecorded
            finally:
                first.kill()
                first.wait(timeout=CHILD_TIMEOUT)
            assert first.returncode == -signal.SIGKILL
            _HoldingReceiver.release.set()

            # While the dead worker's lease holds, nobody sends the document again.
            assert _worker(database_url, log, "--once").wait(timeout=CHILD_TIMEOUT) == 0
            assert len(_HoldingReceiver.bodies) == 1
            assert _message(engine, message_id).claimed_by == held.claimed_by

            with Session(engine) as db, db.begin():  # the lease's 300 seconds pass
                db.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id)
                    .values(lease_until=utcnow() - timedelta(seconds=1))
                )
            assert _worker(database_url, log, "--once").wait(timeout=CHILD_TIMEOUT) == 0
            sent = _message(engine, message_id)
        finally:
            log.close()
            engine.dispose()
        assert (sent.status, sent.attempts, sent.claimed_by) == ("sent", 1, None)
        first_body, second_body = _HoldingReceiver.bodies
        assert payload_id_of(first_body) == payload_id_of(second_body) == payload_id
        assert first_body == second_body
