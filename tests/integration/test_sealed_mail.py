"""Mails carrying a single-use link (invitations, password resets, a guest's order page) are
queued in the transaction of what they announce, sealed at rest, and blanked once sent.

Only the tokens' digests are stored with invitations, resets and guest orders; the outbox row
must not keep the token readable either. A dead-lettered mail keeps its sealed body, so it can
be re-sent while its link lives.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.auth.encryption import derive_key
from gateway.cli import main
from gateway.config import MAIL_KEY
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import OutboxMessage
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.services import outbox
from gateway.services.people import password_resets
from gateway.transport import Transport
from tests import shop
from tests.integration.test_shop_guests import DETAILS
from tests.listener import Listener
from tests.mail import MAIL_WORKER, Inbox, _free_port, deliver_mail, smtp_server, text_of


def _reset(app: Flask) -> None:
    client = app.test_client()
    shop.post(client, "/password/forgot", {"email": "buyer@1001.demo"}, via="/password/forgot")


def _invitation(app: Flask) -> None:
    superuser = app.test_client()
    shop.login(superuser, "superuser@1001.demo")
    shop.post(superuser, "/account/users", {"email": "new@1001.test", "role": "buyer"})


def _new_customer(app: Flask) -> None:
    service = app.test_client()
    shop.login(service, "service@supplier.demo")
    customer = {
        "name": "Initech",
        "coc_number": "55554444",
        "street": "Main Street 1",
        "postcode": "1000 AA",
        "city": "Amsterdam",
        "contact_name": "Peter",
        "contact_email": "peter@initech.test",
    }
    assert shop.post(service, "/staff/customers", customer).status_code == 302


def _new_staff(app: Flask) -> None:
    admin = app.test_client()
    shop.login(admin, "admin@supplier.demo")
    staff = {"email": "new.agent@supplier.test", "name": "N", "role": "sales_agent"}
    assert shop.post(admin, "/staff/accounts", staff).status_code == 302


def _guest_order(app: Flask) -> None:
    guest = app.test_client()
    shop.post(guest, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "1"}, via="/catalog")
    assert shop.post(guest, "/guest/checkout", DETAILS, via="/guest/checkout").status_code == 302


MAILS = {
    "reset": (_reset, "buyer@1001.demo", "/password/reset"),
    "invitation": (_invitation, "new@1001.test", "/invitation"),
    "new customer": (_new_customer, "peter@initech.test", "/invitation"),
    "new staff": (_new_staff, "new.agent@supplier.test", "/invitation"),
    "guest order": (_guest_order, "gina@example.org", "/guest/orders"),
}


def _mails(session: Session) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.document_type == EMAIL_DOCUMENT)
            .order_by(OutboxMessage.id)
        )
    )


def _link(inbox: Inbox, path: str) -> str:
    body = str(text_of(inbox.messages[-1]))
    match = re.search(rf"http://shop.example({path}/[\w-]+)", body)
    assert match is not None, body
    return match[1]


@pytest.mark.parametrize(("trigger", "recipient", "path"), MAILS.values(), ids=MAILS.keys())
def test_a_link_mail_is_sealed_until_sent_then_blanked(
    app: Flask,
    db_session: Session,
    inbox: Inbox,
    trigger: Callable[[Flask], None],
    recipient: str,
    path: str,
) -> None:
    trigger(app)
    (queued,) = _mails(db_session)
    sealed = queued.body
    assert list(json.loads(sealed)) == ["sealed"]
    assert recipient.encode() not in sealed
    assert inbox.messages == []

    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    assert inbox.messages[-1]["To"] == recipient
    link = _link(inbox, path)
    assert link.rsplit("/", 1)[1].encode() not in sealed
    (sent,) = _mails(db_session)
    assert (sent.status, sent.body) == ("sent", b"")  # nothing readable stays
    assert app.test_client().get(link).status_code == 200  # the link works


def test_a_dead_lettered_link_mail_keeps_its_sealed_body_and_is_resent(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    _reset(app)
    (queued,) = _mails(db_session)
    now = utcnow()
    for hours in (0, 2, 4):  # no mail server: retried, then dead-lettered
        deliver_mail(app, _free_port(), now=now + timedelta(hours=hours))
    (dead,) = _mails(db_session)
    assert (dead.status, dead.body) == ("dead", queued.body)

    outbox.resend(db_session, message_id=dead.id, now=utcnow())
    db_session.commit()
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    assert app.test_client().get(_link(inbox, "/password/reset")).status_code == 200
    db_session.expire_all()
    with pytest.raises(InvalidInput, match="single-use link and was sent"):
        outbox.resend(db_session, message_id=dead.id, now=utcnow())


def test_a_worker_without_the_mail_key_leaves_sealed_mail_queued(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    _reset(app)
    outcomes = outbox.deliver_due(
        app.extensions["gateway.db"],
        transport=Transport(),
        settings=MAIL_WORKER,  # no mail_key
        now=utcnow(),
    )
    assert [(o.status, o.reason) for o in outcomes] == [("retry", "this worker has no mail key")]
    assert _mails(db_session)[0].status == "pending"
    later = utcnow() + timedelta(hours=1)  # after the backoff
    assert [outcome.status for outcome in deliver_mail(app, inbox.port, now=later)] == ["sent"]


def test_a_changed_secret_key_dead_letters_sealed_mail_with_the_reason(
    app: Flask, db_session: Session
) -> None:
    _reset(app)
    (queued,) = _mails(db_session)
    other = replace(MAIL_WORKER, mail_key=derive_key("another secret", purpose=MAIL_KEY))
    outcomes = outbox.deliver_due(
        app.extensions["gateway.db"], transport=Transport(), settings=other, now=utcnow()
    )
    assert [outcome.status for outcome in outcomes] == ["dead"]
    (dead,) = _mails(db_session)
    assert "GATEWAY_SECRET_KEY changed?" in dead.last_error
    assert dead.body == queued.body


def test_forgot_password_sends_nothing_inside_the_request(app: Flask, db_session: Session) -> None:
    """Known and unknown addresses get the same page without a mail server being contacted:
    the answer no longer waits on SMTP for known addresses only."""
    listener = Listener()
    app.config.update(GATEWAY_SMTP_HOST="127.0.0.1", GATEWAY_SMTP_PORT=listener.port)
    pages = []
    try:
        for email in ("buyer@1001.demo", "nobody@example.com"):
            client = app.test_client()
            response = shop.post(
                client, "/password/forgot", {"email": email}, via="/password/forgot"
            )
            assert response.status_code == 200
            page = re.sub(r'name="csrf_token"\s+value="[^"]*"', "", response.text)
            pages.append(page.replace(email, "EMAIL"))
        assert listener.connections() == 0
    finally:
        listener.close()
    assert pages[0] == pages[1]
    assert [mail.status for mail in _mails(db_session)] == ["pending"]  # for the known one


def test_the_worker_command_opens_sealed_mail(tmp_path: Path) -> None:
    with smtp_server() as inbox:
        cli_app = create_app(
            {
                "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'mail.sqlite3'}",
                "GATEWAY_SECRET_KEY": "cli-secret",
                "GATEWAY_BASE_URL": "https://shop.test",
                "GATEWAY_SMTP_HOST": "127.0.0.1",
                "GATEWAY_SMTP_PORT": inbox.port,
            }
        )
        runner = cli_app.test_cli_runner()
        assert runner.invoke(main, ["seed-demo"]).exit_code == 0
        with cli_app.extensions["gateway.db"].session_scope() as session:
            password_resets.request_reset(
                session,
                email="buyer@1001.demo",
                now=utcnow(),
                ttl_seconds=3600,
                mail_key=cli_app.config["GATEWAY_MAIL_KEY"],
                throttle_keys=(),
            )
        result = runner.invoke(main, ["worker", "--once"])
        assert result.output == "sent: mail accepted\n", result.output
        body = str(text_of(inbox.messages[-1]))
        assert re.search(r"https://shop\.test/password/reset/[\w-]{43}\s", body), body
        assert "within 60 minutes" in body
        listing = runner.invoke(main, ["outbox", "list", "--status", "sent"]).output
        message_id = listing.split()[0]
        again = runner.invoke(main, ["outbox", "resend", message_id])
        assert again.exit_code != 0
        assert "Ask for a new link instead." in again.output
