"""A-9: approval notifications go through the outbox and are delivered by the worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import Order, Organisation, OutboxMessage
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.services import outbox
from gateway.services.ordering import carts, checkout
from tests.factories import actor_of, user_named
from tests.integration.test_approvals import _client, _decide, _fill_cart, _place
from tests.mail import Inbox, _free_port, deliver_mail, is_confirmation, text_of


def _mails(session: Session) -> list[OutboxMessage]:
    """The approval notifications queued (not the requester's order confirmation)."""
    session.expire_all()
    return [
        message
        for message in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.document_type == EMAIL_DOCUMENT)
            .order_by(OutboxMessage.id)
        )
        if not is_confirmation(message)
    ]


class _Refusing:
    """An SMTP server that refuses every message with the given reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.attempts = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.attempts += 1
        return self.reply


@pytest.fixture
def refusing() -> Iterator[tuple[_Refusing, int]]:
    handler = _Refusing("451 4.3.0 try again later")
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_submission_queues_the_approvers_mail_and_the_worker_delivers_it(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0081", "2"))
    assert _place(requester).status_code == 302
    order = db_session.scalars(select(Order)).one()
    awaiting = [m for m in inbox.messages if "awaits" in str(m["Subject"])]
    assert awaiting == []  # nothing is sent inside the request
    (queued,) = _mails(db_session)
    assert (queued.status, queued.order_id, queued.partner_id) == ("pending", order.id, None)

    outcomes = deliver_mail(app, inbox.port)
    assert [outcome.status for outcome in outcomes] == ["sent", "sent"]  # with the receipt
    (mail,) = [m for m in inbox.messages if "awaits" in str(m["Subject"])]
    assert mail["To"] == "superuser@1001.demo"
    assert mail["Subject"] == f"Order {order.number} awaits your approval"
    assert mail["Message-ID"] == f"<{queued.payload_id}>"
    assert "http://shop.example/approvals" in text_of(mail)
    assert "The requester's role needs approval for every order." in text_of(mail)
    (sent,) = _mails(db_session)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert deliver_mail(app, inbox.port) == []  # sent once, not again


def test_a_decision_queues_the_requesters_mail(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0081", "2"))
    assert _place(requester).status_code == 302
    order = db_session.scalars(select(Order)).one()
    superuser = _client(app, "superuser@1001.demo")
    assert _decide(superuser, order, "reject", comment="Not now").status_code == 302
    assert len(_mails(db_session)) == 2
    deliver_mail(app, inbox.port)
    told = [m for m in inbox.messages if "Awaiting approval" not in str(m["Subject"])]  # receipt
    assert [(m["To"], m["Subject"]) for m in told] == [
        ("superuser@1001.demo", f"Order {order.number} awaits your approval"),
        ("requester@1001.demo", f"Order {order.number}: Rejected"),
    ]
    told = told[1:]
    assert "Comment: Not now" in text_of(told[0])
    assert f"http://shop.example/orders/{order.id}" in text_of(told[0])


def test_a_refused_decision_queues_nothing(app: Flask, db_session: Session) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0081", "2"))
    assert _place(requester).status_code == 302
    order = db_session.scalars(select(Order)).one()
    superuser = _client(app, "superuser@1001.demo")
    assert _decide(superuser, order, "reject", comment=" ").status_code == 400
    assert len(_mails(db_session)) == 1  # only the approvers' mail of the submission


def test_the_mail_is_queued_in_the_checkouts_transaction(db_session: Session) -> None:
    requester = user_named(db_session, "requester@1001.demo")
    actor = actor_of(db_session, requester)
    cart = carts.open_cart(db_session, actor=actor)
    carts.add_item(db_session, actor=actor, cart=cart, sku="DEMO-0081", quantity=2)
    db_session.commit()
    today = utcnow().date()
    priced = carts.price_cart(
        db_session, cart=cart, organisation=db_session.get_one(Organisation, actor.organisation_id)
    )
    form = checkout.defaults(db_session, actor=actor, priced=priced, today=today)
    transaction = db_session.begin_nested()
    result = checkout.place_order(
        db_session, actor=actor, cart=cart, form=form, now=utcnow(), today=today
    )
    assert result.order is not None
    assert result.order.status == "pending_approval"
    assert len(_mails(db_session)) == 1  # queued with the order...
    transaction.rollback()
    assert _mails(db_session) == []  # ...and gone with it
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0


def test_a_failing_smtp_server_means_retries_then_the_dead_letter(
    app: Flask, db_session: Session, refusing: tuple[_Refusing, int]
) -> None:
    handler, port = refusing
    now = utcnow()
    outbox.enqueue_mail(
        db_session, to="someone@1001.demo", subject="Hello", body="Hi", order_id=None, now=now
    )
    db_session.commit()
    assert [o.status for o in deliver_mail(app, port, now=now)] == ["retry"]
    (mail,) = _mails(db_session)
    assert (mail.status, mail.attempts) == ("pending", 1)
    assert "SMTP 451" in mail.last_error
    assert mail.next_attempt_at > now
    assert deliver_mail(app, port, now=now) == []  # not due yet
    later = now + timedelta(hours=2)
    assert [o.status for o in deliver_mail(app, port, now=later)] == ["retry"]
    assert [o.status for o in deliver_mail(app, port, now=later + timedelta(hours=2))] == ["retry"]
    (mail,) = _mails(db_session)
    assert (mail.status, mail.attempts) == ("dead", 3)
    assert mail.last_error.startswith("gave up after 3 attempts: SMTP 451")
    assert handler.attempts == 3
    # resend puts it back, same Message-ID
    outbox.resend(db_session, message_id=mail.id, now=later)
    db_session.commit()
    assert _mails(db_session)[0].status == "pending"


def test_a_permanent_refusal_is_dead_at_once(app: Flask, db_session: Session) -> None:
    handler = _Refusing("550 5.1.1 no such mailbox")
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        outbox.enqueue_mail(
            db_session, to="gone@1001.demo", subject="Hello", body="Hi", order_id=None, now=utcnow()
        )
        db_session.commit()
        assert [o.status for o in deliver_mail(app, port)] == ["dead"]
    finally:
        controller.stop()
    (mail,) = _mails(db_session)
    assert mail.status == "dead"
    assert "SMTP 550" in mail.last_error


def test_no_smtp_server_is_retried(app: Flask, db_session: Session) -> None:
    outbox.enqueue_mail(
        db_session, to="a@1001.demo", subject="Hello", body="Hi", order_id=None, now=utcnow()
    )
    db_session.commit()
    assert [o.status for o in deliver_mail(app, _free_port())] == ["retry"]
    (mail,) = _mails(db_session)
    assert (mail.status, mail.attempts) == ("pending", 1)
