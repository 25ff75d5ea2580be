"""Staff decisions queue cXML documents; the worker delivers them with retries (checklist §4)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import StatusCode
from gateway.db import Database, utcnow
from gateway.errors import InvalidInput
from gateway.models import Order, OrderStatusChange, OutboxMessage
from gateway.punchout.settings import punchout_settings
from gateway.services import outbox
from gateway.services.ordering import documents
from gateway.services.outbox import WorkerSettings, deliver_due
from gateway.services.partners.order_settings import configure
from gateway.transport import Transport
from tests import buyer
from tests.conftest import ENCRYPTION_KEY
from tests.cxml_checks import assert_valid_cxml
from tests.factories import deliver_locally
from tests.integration.test_cxml_punchout import post_cxml

URL = "https://buyer.example/cxml/in"
OUR_SECRET = "our-outbound-secret"
WORKER = WorkerSettings(
    worker_id="test-worker", encryption_key=ENCRYPTION_KEY, max_attempts=3, backoff_base=60
)


def reply(code: int, text: str) -> bytes:
    status = cxml.Status(code=StatusCode(code), text=text)
    return cxml.build(cxml.Response(status=status), payload_id="r@buyer", timestamp=utcnow())


@pytest.fixture
def transport() -> Transport:
    return Transport(resolver=lambda host, _port: ["93.184.216.34"])


@pytest.fixture
def partner_outbound(db_session: Session) -> None:
    configure(
        db_session,
        partner_name="demo-cxml",
        outbound_prefixes=["https://buyer.example/cxml"],
        outbound_url=URL,
        outbound_secret=OUR_SECRET,
        encryption_key=ENCRYPTION_KEY,
    )
    db_session.commit()


@pytest.fixture
def order_id(client: FlaskClient, db_session: Session) -> int:
    answer = post_cxml(client, buyer.order_request(payload_id="po-out@buyer.example"))
    assert buyer.status_of(answer)[0] in (200, 201)
    return db_session.scalars(select(Order.id).where(Order.buyer_reference == "PO-1001")).one()


def payload_id_of(body: bytes) -> str:
    """The root's payloadID (the first one in the document)."""
    match = re.search(rb'payloadID="([^"]+)"', body)
    assert match is not None
    return match.group(1).decode()


def database(app: Flask) -> Database:
    return app.extensions["gateway.db"]


def queued(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def accept(app: Flask, session: Session, order_id: int) -> None:
    settings = punchout_settings(app.config)
    documents.accept(session, actor=None, order_id=order_id, settings=settings, now=utcnow())
    session.commit()


def test_accept_queues_a_valid_confirmation_without_the_secret(
    app: Flask, db_session: Session, order_id: int
) -> None:
    accept(app, db_session, order_id)
    [message] = queued(db_session)
    assert (message.document_type, message.status, message.attempts) == (
        "ConfirmationRequest",
        "pending",
        0,
    )
    assert OUR_SECRET.encode() not in message.body
    assert_valid_cxml(message.body, "Fulfill.dtd")
    assert b'type="accept"' in message.body
    assert b'<DocumentReference payloadID="po-out@buyer.example"/>' in message.body
    order = db_session.get_one(Order, order_id)
    assert order.status == "confirmed"
    with pytest.raises(InvalidInput, match="cannot be accepted"):
        accept(app, db_session, order_id)


def test_asynchronous_partner_also_gets_a_status_update(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    configure(db_session, partner_name="demo-cxml", async_acknowledgement=True)
    db_session.commit()
    assert buyer.status_of(post_cxml(client, buyer.order_request()))[0] == 201
    order_id = db_session.scalars(select(Order.id)).one()
    settings = punchout_settings(app.config)
    documents.reject(
        db_session,
        actor=None,
        order_id=order_id,
        reason="discontinued",
        settings=settings,
        now=utcnow(),
    )
    db_session.commit()
    confirmation, update = queued(db_session)
    assert b'type="reject"' in confirmation.body
    assert update.document_type == "StatusUpdateRequest"
    assert_valid_cxml(update.body)
    assert b'code="400"' in update.body
    assert b"discontinued" in update.body


def test_detail_confirmation_and_ship_notice(
    app: Flask, db_session: Session, order_id: int
) -> None:
    settings = punchout_settings(app.config)
    with pytest.raises(InvalidInput, match="no line 9"):
        documents.confirm_lines(
            db_session,
            actor=None,
            order_id=order_id,
            changes=[documents.LineChange(line_number=9, quantity=Decimal(1))],
            settings=settings,
            now=utcnow(),
        )
    change = documents.LineChange(line_number=1, quantity=Decimal(1), delivery_date=utcnow())
    documents.confirm_lines(
        db_session, actor=None, order_id=order_id, changes=[change], settings=settings, now=utcnow()
    )
    documents.ship(
        db_session,
        actor=None,
        order_id=order_id,
        shipment_id="S-1",
        carrier="DHL",
        tracking_number="JD1",
        settings=settings,
        now=utcnow(),
    )
    db_session.commit()
    detail, notice = queued(db_session)
    assert_valid_cxml(detail.body, "Fulfill.dtd")
    assert_valid_cxml(notice.body, "Fulfill.dtd")
    assert b'type="backordered"' in detail.body
    assert b'shipmentID="S-1"' in notice.body
    statuses = db_session.scalars(
        select(OrderStatusChange.status).where(OrderStatusChange.order_id == order_id)
    ).all()
    assert statuses == ["received", "confirmed", "shipped"]


def test_a_failed_state_change_queues_nothing(
    app: Flask, db_session: Session, order_id: int
) -> None:
    settings = punchout_settings(app.config)
    with pytest.raises(InvalidInput):
        documents.ship(
            db_session,
            actor=None,
            order_id=order_id,
            shipment_id=" ",
            carrier=None,
            tracking_number=None,
            settings=settings,
            now=utcnow(),
        )
    assert queued(db_session) == []


@pytest.mark.usefixtures("partner_outbound")
def test_worker_delivers_with_our_secret_and_marks_sent(
    app: Flask, db_session: Session, order_id: int, transport: Transport
) -> None:
    accept(app, db_session, order_id)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(URL, body=reply(200, "OK"))
        outcomes = deliver_due(database(app), transport=transport, settings=WORKER, now=utcnow())
        sent_body = mock.calls[0].request.body
    assert [o.status for o in outcomes] == ["sent"]
    assert f"<SharedSecret>{OUR_SECRET}</SharedSecret>".encode() in sent_body
    [message] = queued(db_session)
    assert (message.status, message.attempts, message.claimed_by) == ("sent", 1, None)
    assert message.sent_at is not None
    assert OUR_SECRET.encode() not in message.body


@pytest.mark.usefixtures("partner_outbound")
@pytest.mark.parametrize(
    "case",
    [
        (200, b"", "sent"),
        (200, reply(500, "Internal Server Error"), "retry"),
        (500, b"<html>oops</html>", "retry"),
        (302, b"", "retry"),
        (200, reply(400, "Bad Request: unknown order"), "dead"),
        (200, b"<html>not cxml</html>", "retry"),
    ],
    ids=["empty-200", "cxml-500", "http-500", "redirect", "cxml-400", "not-cxml"],
)
def test_outcomes_follow_the_cxml_status(
    app: Flask,
    db_session: Session,
    order_id: int,
    transport: Transport,
    case: tuple[int, bytes, str],
) -> None:
    status, body, outcome = case
    accept(app, db_session, order_id)
    now = utcnow()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(URL, body=body, status=status, headers={"Location": "http://10.0.0.1/"})
        [result] = deliver_due(database(app), transport=transport, settings=WORKER, now=now)
        assert len(mock.calls) == 1
    assert result.status == outcome
    [message] = queued(db_session)
    expected_status = {"sent": "sent", "retry": "pending", "dead": "dead"}[outcome]
    assert message.status == expected_status
    if outcome == "retry":
        assert now + timedelta(seconds=30) <= message.next_attempt_at <= now + timedelta(seconds=60)
        assert message.last_error
    if outcome == "dead":
        assert "400" in message.last_error


@pytest.mark.usefixtures("partner_outbound")
def test_retries_keep_the_payload_id_then_dead_letter_and_resend(
    app: Flask, db_session: Session, order_id: int, transport: Transport
) -> None:
    accept(app, db_session, order_id)
    [message] = queued(db_session)
    payload_id = message.payload_id
    now = utcnow()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(URL, body=reply(500, "Internal Server Error: busy"))
        for _ in range(WORKER.max_attempts):
            deliver_due(database(app), transport=transport, settings=WORKER, now=now)
            now += timedelta(hours=2)
        seen = {payload_id_of(call.request.body) for call in mock.calls}
        assert len(mock.calls) == WORKER.max_attempts
    assert seen == {payload_id}
    [message] = queued(db_session)
    assert message.status == "dead"
    assert "gave up after 3 attempts" in message.last_error
    outbox.resend(db_session, message_id=message.id, now=now)
    db_session.commit()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(URL, body=reply(200, "OK"))
        deliver_due(database(app), transport=transport, settings=WORKER, now=now)
        assert payload_id_of(mock.calls[0].request.body) == payload_id
    assert queued(db_session)[0].status == "sent"


@pytest.mark.usefixtures("partner_outbound")
def test_worker_killed_between_send_and_record_sends_once_more(
    app: Flask, db_session: Session, order_id: int, transport: Transport
) -> None:
    accept(app, db_session, order_id)
    now = utcnow()
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(URL, body=reply(200, "OK"))
        # the first worker claims and sends, then dies before recording
        with database(app).session_scope() as session:
            [claimed] = outbox.claim(
                session, worker_id="dead-worker", now=now, lease_seconds=300, limit=5
            )
        with database(app).session_scope() as session:
            destination, body = outbox._prepare(session, message_id=claimed, settings=WORKER)
        transport.post(destination, body)
        # while the lease holds, nobody else sends it
        assert deliver_due(database(app), transport=transport, settings=WORKER, now=now) == []
        later = now + timedelta(seconds=301)
        [result] = deliver_due(database(app), transport=transport, settings=WORKER, now=later)
        assert deliver_due(database(app), transport=transport, settings=WORKER, now=later) == []
        ids = [payload_id_of(call.request.body) for call in mock.calls]
    assert result.status == "sent"
    assert len(ids) == 2
    assert len(set(ids)) == 1


@pytest.mark.usefixtures("partner_outbound")
def test_a_partner_without_outbound_url_is_dead_lettered_with_the_reason(
    app: Flask, db_session: Session, order_id: int, transport: Transport
) -> None:
    configure(db_session, partner_name="demo-cxml", outbound_prefixes=["https://other.example"])
    db_session.commit()
    accept(app, db_session, order_id)
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        [result] = deliver_due(database(app), transport=transport, settings=WORKER, now=utcnow())
        assert len(mock.calls) == 0
    assert result.status == "dead"
    assert "allow-list" in queued(db_session)[0].last_error


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []  # noqa: RUF012 - collected by the test

    def do_POST(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        answer = reply(200, "OK")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture
def local_receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cxml"
    server.shutdown()
    server.server_close()


def test_delivery_to_a_real_local_http_server(
    app: Flask, db_session: Session, order_id: int, local_receiver: str
) -> None:
    deliver_locally(db_session, local_receiver, secret=OUR_SECRET)
    db_session.commit()
    accept(app, db_session, order_id)
    real = Transport(connect_timeout=2, read_timeout=5)
    [result] = deliver_due(database(app), transport=real, settings=WORKER, now=utcnow())
    assert result.status == "sent"
    [body] = _Receiver.bodies
    assert payload_id_of(body) == queued(db_session)[0].payload_id


def test_private_receiver_is_refused_unless_the_partner_allows_it(
    app: Flask, db_session: Session, order_id: int, local_receiver: str
) -> None:
    configure(
        db_session,
        partner_name="demo-cxml",
        outbound_prefixes=["http://127.0.0.1"],
        outbound_url=local_receiver,
        outbound_secret=OUR_SECRET,
        encryption_key=ENCRYPTION_KEY,
    )
    db_session.commit()
    accept(app, db_session, order_id)
    [result] = deliver_due(database(app), transport=Transport(), settings=WORKER, now=utcnow())
    assert result.status == "dead"
    assert _Receiver.bodies == []


class _Hanging(BaseHTTPRequestHandler):
    release = threading.Event()

    def do_POST(self) -> None:
        self.release.wait(10)  # never answers in time

    def log_message(self, *_args: object) -> None:
        """Quiet."""


def test_a_hanging_endpoint_times_out_and_is_retried_later(
    app: Flask, db_session: Session, order_id: int
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hanging)
    server.daemon_threads = True
    _Hanging.release.clear()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/cxml"
        deliver_locally(db_session, url, secret=OUR_SECRET)
        db_session.commit()
        accept(app, db_session, order_id)
        now = utcnow()
        impatient = Transport(connect_timeout=1, read_timeout=0.2)
        [result] = deliver_due(database(app), transport=impatient, settings=WORKER, now=now)
    finally:
        _Hanging.release.set()
        server.shutdown()
        server.server_close()
    assert result.status == "retry"
    assert "ReadTimeout" in result.reason
    [message] = queued(db_session)
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.next_attempt_at > now
