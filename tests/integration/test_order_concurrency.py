"""Ten identical OrderRequests at once create one order, on a real database with real threads.

Outside the rolled-back fixture (the requests must commit): a SQLite file of its own, or the
PostgreSQL test database when GATEWAY_TEST_DATABASE_URL is set, cleaned up afterwards.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from flask import Flask
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.db import utcnow
from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.models import (
    BuyerOrder,
    BuyerOrderVersion,
    MessageLogEntry,
    Order,
    OrderLine,
    OrderStatusChange,
    OutboxMessage,
    PartnerOrderSettings,
    ReceivedDocument,
    TradingPartner,
)
from gateway.services import outbox
from gateway.services.demo import seed_demo
from gateway.services.partners.order_settings import configure
from gateway.services.people.users import sync_default_roles
from gateway.transport import Destination, Reply, Transport
from tests import buyer
from tests.conftest import DIGEST_KEY, TEST_CONFIG
from tests.paths import dtd_setting

COPIES = 10


@pytest.fixture
def committing_app(tmp_path: Path, engine: Engine) -> Iterator[Flask]:
    """An app on a database its requests really commit to."""
    url = os.environ.get("GATEWAY_TEST_DATABASE_URL")
    if not url:  # a SQLite file: in-memory SQLite has one connection, so no concurrency
        url = f"sqlite:///{tmp_path / 'concurrency.sqlite3'}"
        file_engine = make_engine(url)
        upgrade(file_engine)
        with Session(file_engine) as session, session.begin():
            sync_default_roles(session)
            seed_demo(session, digest_key=DIGEST_KEY)
        file_engine.dispose()
    app = create_app(
        {**TEST_CONFIG, "GATEWAY_DATABASE_URL": url, "GATEWAY_CXML_DTD_DIR": dtd_setting()}
    )
    database = app.extensions["gateway.db"]
    with database.session_scope() as session:
        last_logged = session.scalar(select(func.max(MessageLogEntry.id))) or 0
    yield app
    with database.session_scope() as session:  # on PostgreSQL the suite's other tests share it
        session.execute(delete(MessageLogEntry).where(MessageLogEntry.id > last_logged))
    database.engine.dispose()


def _post_at_once(app: Flask, bodies: list[bytes]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(bodies))
    answers: list[tuple[int, str] | None] = [None] * len(bodies)

    def post(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/cxml", data=bodies[index], content_type="text/xml")
        answers[index] = buyer.status_of(response.data)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def _cleanup(session: Session, po_numbers: list[str], payload_ids: list[str]) -> None:
    order_ids = list(session.scalars(select(Order.id).where(Order.buyer_reference.in_(po_numbers))))
    link_ids = select(BuyerOrder.id).where(BuyerOrder.order_id.in_(order_ids))
    session.execute(delete(BuyerOrderVersion).where(BuyerOrderVersion.buyer_order_id.in_(link_ids)))
    session.execute(delete(BuyerOrder).where(BuyerOrder.order_id.in_(order_ids)))
    session.execute(delete(ReceivedDocument).where(ReceivedDocument.payload_id.in_(payload_ids)))
    session.execute(delete(OrderLine).where(OrderLine.order_id.in_(order_ids)))
    session.execute(delete(OrderStatusChange).where(OrderStatusChange.order_id.in_(order_ids)))
    session.execute(delete(Order).where(Order.id.in_(order_ids)))
    session.execute(delete(MessageLogEntry).where(MessageLogEntry.payload_id.in_(payload_ids)))


@pytest.mark.parametrize("same_payload_id", [True, False], ids=["same-payload", "resent"])
def test_ten_identical_orders_at_once_create_one(
    committing_app: Flask, same_payload_id: bool
) -> None:
    po_number = f"PO-{uuid4().hex[:12]}"
    payload_ids = [f"{uuid4()}@buyer.example" for _ in range(COPIES)]
    if same_payload_id:
        payload_ids = [payload_ids[0]] * COPIES
    bodies = [buyer.order_request(order_id=po_number, payload_id=pid) for pid in payload_ids]
    database = committing_app.extensions["gateway.db"]
    try:
        answers = _post_at_once(committing_app, bodies)
        assert answers == [(200, "OK")] * COPIES
        with database.session_scope() as session:
            count = select(func.count()).select_from(Order)
            assert session.scalar(count.where(Order.buyer_reference == po_number)) == 1
            keys = select(func.count()).select_from(ReceivedDocument)
            stored = session.scalar(keys.where(ReceivedDocument.payload_id.in_(payload_ids)))
            assert stored == len(set(payload_ids))
    finally:
        with database.session_scope() as session:
            _cleanup(session, [po_number], payload_ids)


class CountingTransport(Transport):
    """Records each payloadID it is asked to post; always answers an empty 200."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def post(self, destination: Destination, body: bytes) -> Reply:
        payload_id = body.split(b'payloadID="', 1)[1].split(b'"', 1)[0].decode()
        with self._lock:
            self.sent.append(payload_id)
        return Reply(status=200, body=b"")


def test_several_workers_send_each_document_once(committing_app: Flask) -> None:
    database = committing_app.extensions["gateway.db"]
    marker = uuid4().hex[:8]
    payload_ids = [f"{marker}-{n}@gw.test" for n in range(30)]
    transport = CountingTransport()
    try:
        with database.session_scope() as session:
            partner = session.scalars(
                select(TradingPartner).where(TradingPartner.name == "demo-cxml")
            ).one()
            configure(
                session,
                partner_name="demo-cxml",
                outbound_prefixes=["https://buyer.example/cxml"],
                outbound_url="https://buyer.example/cxml",
            )
            for payload_id in payload_ids:
                outbox.enqueue(
                    session,
                    partner_id=partner.id,
                    order_id=None,
                    document_type="StatusUpdateRequest",
                    payload_id=payload_id,
                    body=f'<cXML payloadID="{payload_id}"/>'.encode(),
                    now=utcnow(),
                )
        barrier = threading.Barrier(4)

        def work(number: int) -> None:
            settings = outbox.WorkerSettings(
                worker_id=f"worker-{number}", encryption_key=None, batch_size=5
            )
            barrier.wait()
            while outbox.deliver_due(
                database, transport=transport, settings=settings, now=utcnow()
            ):
                pass

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(transport.sent) == sorted(payload_ids)
        with database.session_scope() as session:
            statuses = session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.payload_id.in_(payload_ids))
            ).all()
            assert statuses == ["sent"] * len(payload_ids)
    finally:
        with database.session_scope() as session:
            session.execute(delete(OutboxMessage).where(OutboxMessage.payload_id.in_(payload_ids)))
            session.execute(delete(PartnerOrderSettings))
            session.execute(
                delete(MessageLogEntry).where(MessageLogEntry.payload_id.in_(payload_ids))
            )
