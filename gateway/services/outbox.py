"""The outbox: queue documents with the state change, deliver them with retries (checklist §4).

`enqueue` runs inside the business transaction. Delivery (`deliver_due`) takes three short
transactions per document: claim (lease), send (no transaction open), record. A worker that
dies after sending leaves its lease to expire; the next worker sends the same document, with
the same payloadID, once more: the worst case is one duplicate, never a loss.

E-mails (`EMAIL_DOCUMENT`, e.g. the approval notifications of b2b-rules A-9) take the same
path: queued with the change, sent by the worker through the `Mailer`, retried and dead-lettered
by the same rules; their payloadID is the Message-ID. An e-mail carrying a single-use link
(invitation, password reset, a guest's order page) is sealed at rest: the row holds only a
Fernet token (the worker's `mail_key`), and its body is blanked once the mail is sent. A
dead-lettered one keeps its sealed body, so it can be re-sent while the link lives.
"""

from __future__ import annotations

import json
import logging
import random
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    insert,
    literal,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.auth.encryption import decrypt, encrypt
from gateway.cxml import CXMLError, Response
from gateway.db import Database, UTCDateTime, affected_rows, lock_for_writing
from gateway.errors import ConfigurationError, InvalidInput
from gateway.mailer import Mailer
from gateway.models import (
    MessageDirection,
    Order,
    OutboxMessage,
    OutboxStatus,
    PartnerOrderSettings,
)
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.services import message_log
from gateway.transport import DeliveryFailed, Destination, DestinationRefused, Transport

log = logging.getLogger(__name__)

#: stands in for our SharedSecret in stored bodies; replaced when sending
SECRET_MARKER = "@@OUTBOUND-SECRET@@"  # noqa: S105 - a placeholder, not a secret
#: stands in for GATEWAY_BASE_URL in queued e-mails (services know no URL); replaced when sending
BASE_URL_MARKER = "@@BASE-URL@@"
SMTP_PERMANENT = 500
SEALED = "sealed"  # the one field of a sealed e-mail's body: the mail as a Fernet token


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """How the worker retries and leases."""

    worker_id: str
    encryption_key: str | None
    max_attempts: int = 10
    backoff_base: float = 60.0
    backoff_cap: float = 3600.0
    lease_seconds: int = 300
    batch_size: int = 20
    base_url: str = ""
    mail_key: str | None = None  # opens sealed e-mails (GATEWAY_MAIL_KEY)


class AttemptResult(StrEnum):
    """What one delivery attempt did (`Outcome.status`)."""

    SENT = "sent"
    RETRY = "retry"  # failed for now: try again after a backoff
    DEAD = "dead"  # failed for good: dead-letter it


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What one delivery attempt did, and why."""

    status: AttemptResult
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Mail:
    """A queued e-mail, ready to send."""

    to: str
    subject: str
    body: str
    message_id: str
    html: str | None = None


def enqueue(
    session: Session,
    *,
    partner_id: int | None,
    order_id: int | None,
    document_type: str,
    payload_id: str,
    body: bytes,
    now: datetime,
) -> OutboxMessage:
    """Queue a built document; flushed in the caller's transaction."""
    message = OutboxMessage(
        partner_id=partner_id,
        order_id=order_id,
        document_type=document_type,
        payload_id=payload_id,
        body=body,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def enqueue_mail(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    order_id: int | None,
    now: datetime,
    sealed_with: str | None = None,
    html: str | None = None,
) -> OutboxMessage:
    """Queue an e-mail (plain text, and `html` as its alternative) in the caller's
    transaction; `BASE_URL_MARKER` in either becomes the worker's base URL.

    With `sealed_with` (the mail key) the whole mail is stored encrypted: for mails carrying a
    single-use link, whose token must not be readable in the database.
    """
    return enqueue(
        session,
        partner_id=None,
        order_id=order_id,
        document_type=EMAIL_DOCUMENT,
        payload_id=_message_id(),
        body=_mail_body(to=to, subject=subject, body=body, sealed_with=sealed_with, html=html),
        now=now,
    )


def enqueue_mail_where(
    session: Session,
    condition: ColumnElement[bool],
    *,
    to: str,
    subject: str,
    body: str,
    now: datetime,
    sealed_with: str,
    html: str | None = None,
) -> None:
    """Queue a sealed e-mail like `enqueue_mail`, but only where `condition` (e.g. "an active
    account has this address") holds: one INSERT … SELECT, so the statement and the work are
    the same whether it adds the row or not, and timing tells nothing about `condition`."""
    values: dict[str, ColumnElement[Any]] = {
        "partner_id": null(),
        "order_id": null(),
        "document_type": literal(EMAIL_DOCUMENT),
        "payload_id": literal(_message_id()),
        "body": literal(
            _mail_body(to=to, subject=subject, body=body, sealed_with=sealed_with, html=html),
            LargeBinary,
        ),
        "status": literal(OutboxStatus.PENDING.value),
        "attempts": literal(0),
        "last_error": literal(""),
        "next_attempt_at": literal(now, UTCDateTime),
        "created_at": literal(now, UTCDateTime),
    }
    columns = [value.label(name) for name, value in values.items()]
    session.execute(
        insert(OutboxMessage).from_select(list(values), select(*columns).where(condition))
    )


def _message_id() -> str:
    return f"{secrets.token_hex(16)}@outbox.gateway"


def _mail_body(
    *, to: str, subject: str, body: str, sealed_with: str | None, html: str | None = None
) -> bytes:
    fields = {"to": to, "subject": subject, "body": body}
    if html is not None:
        fields["html"] = html
    mail = json.dumps(fields)
    if sealed_with is not None:
        mail = json.dumps({SEALED: encrypt(mail, sealed_with).decode("ascii")})
    return mail.encode("utf-8")


def claim(
    session: Session, *, worker_id: str, now: datetime, lease_seconds: int, limit: int
) -> list[int]:
    """Lease up to `limit` due rows to this worker; only rows whose UPDATE matched are ours.

    PostgreSQL skips rows another worker has locked (`FOR UPDATE SKIP LOCKED`); on both
    engines the conditional UPDATE (checked by rowcount) is what makes a claim exclusive.
    """
    free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now, free
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = []
    for message_id in session.scalars(due).all():
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.PENDING, free
            )
            .values(claimed_by=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
        if affected_rows(result) == 1:
            claimed.append(message_id)
    return claimed


def deliver_due(
    database: Database,
    *,
    transport: Transport,
    settings: WorkerSettings,
    now: datetime,
    mailer: Mailer | None = None,
) -> list[Outcome]:
    """One worker pass: claim due documents and e-mails, send each, record each outcome."""
    with database.session_scope() as session:
        lock_for_writing(session)  # SQLite: read-then-update without a stale snapshot
        claimed = claim(
            session,
            worker_id=settings.worker_id,
            now=now,
            lease_seconds=settings.lease_seconds,
            limit=settings.batch_size,
        )
    outcomes = []
    for message_id in claimed:
        with database.session_scope() as session:
            prepared = _prepare(session, message_id=message_id, settings=settings)
        if isinstance(prepared, Outcome):
            outcome = prepared
        elif isinstance(prepared, Mail):
            outcome = _mail(mailer, prepared)
        else:
            outcome = _send(transport, *prepared)
        with database.session_scope() as session:
            lock_for_writing(session)
            record(session, message_id=message_id, outcome=outcome, settings=settings, now=now)
        outcomes.append(outcome)
    return outcomes


def record(
    session: Session, *, message_id: int, outcome: Outcome, settings: WorkerSettings, now: datetime
) -> None:
    """Store an attempt's outcome, if this worker still holds the row's lease."""
    message = session.get_one(OutboxMessage, message_id)
    if message.claimed_by != settings.worker_id or message.status != OutboxStatus.PENDING:
        log.warning("outbox %s: lease lost before recording; leaving it", message_id)
        return
    message.attempts += 1
    message.claimed_by = None
    message.lease_until = None
    if outcome.status == AttemptResult.SENT:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, ""
        if _is_sealed_mail(message):
            message.body = b""  # the link is in the recipient's mailbox; nothing stays here
    elif outcome.status == AttemptResult.DEAD or message.attempts >= settings.max_attempts:
        message.status = OutboxStatus.DEAD
        message.last_error = (
            outcome.reason
            if outcome.status == AttemptResult.DEAD
            else (f"gave up after {message.attempts} attempts: {outcome.reason}")
        )
        log.error(
            "outbox %s (%s) dead-lettered: %s", message.id, message.payload_id, message.last_error
        )
    else:
        message.last_error = outcome.reason
        message.next_attempt_at = now + timedelta(seconds=backoff(message.attempts, settings))
    if message.document_type == EMAIL_DOCUMENT:  # the message log is for partner documents
        session.flush()
        return
    message_log.record(
        session,
        direction=MessageDirection.OUT,
        document_type=message.document_type,
        body=message.body.replace(SECRET_MARKER.encode(), b"***"),
        payload_id=message.payload_id,
        status_text=f"{outcome.status}: {outcome.reason}".rstrip(": "),
        partner_id=message.partner_id,
    )
    session.flush()


def backoff(attempts: int, settings: WorkerSettings) -> float:
    """Seconds before the next try: exponential, capped, with jitter (half fixed, half random)."""
    delay: float = min(settings.backoff_cap, settings.backoff_base * 2 ** (attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not cryptography


def resend(session: Session, *, message_id: int, now: datetime) -> OutboxMessage:
    """Put a dead-lettered (or sent) document back in the queue, same payloadID, fresh attempts."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise InvalidInput(f"No outbox message {message_id}.")
    if message.status == OutboxStatus.PENDING:
        raise InvalidInput(f"Outbox message {message_id} is still queued.")
    if message.document_type == EMAIL_DOCUMENT and not message.body:
        gone = (
            f"Outbox message {message_id} carried a single-use link and was sent; its body is "
            "gone. Ask for a new link instead."
        )
        raise InvalidInput(gone)
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now
    message.claimed_by = message.lease_until = None
    session.flush()
    return message


def forget_mails(session: Session, *, order_ids: list[int], reason: str) -> int:
    """Blank the e-mails about these orders (their recipient and links go with the body); one
    still waiting is given up. Returns how many rows held a body."""
    if not order_ids:
        return 0
    mails = (OutboxMessage.document_type == EMAIL_DOCUMENT) & OutboxMessage.order_id.in_(order_ids)
    session.execute(
        update(OutboxMessage)
        .where(mails, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.DEAD, last_error=reason[:200])
        .execution_options(synchronize_session=False)
    )
    blanked = session.execute(
        update(OutboxMessage)
        .where(mails, OutboxMessage.body != b"")
        .values(body=b"")
        .execution_options(synchronize_session=False)
    )
    return affected_rows(blanked)


def list_messages(session: Session, *, status: OutboxStatus | None = None) -> list[OutboxMessage]:
    """Outbox rows, newest first, optionally of one status."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def order_numbers(session: Session, messages: list[OutboxMessage]) -> dict[int, str]:
    """The number of each listed document's order, by order id (for `gateway outbox list`)."""
    ids = {message.order_id for message in messages if message.order_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(Order.id, Order.number).where(Order.id.in_(ids)))
    return {row.id: row.number for row in rows}


def _prepare(
    session: Session, *, message_id: int, settings: WorkerSettings
) -> tuple[Destination, bytes] | Mail | Outcome:
    message = session.get_one(OutboxMessage, message_id)
    if message.document_type == EMAIL_DOCUMENT:
        return _open_mail(message, settings)
    options = session.scalar(
        select(PartnerOrderSettings).where(PartnerOrderSettings.partner_id == message.partner_id)
    )
    if options is None or not options.outbound_url:
        return Outcome(
            status=AttemptResult.DEAD, reason="the partner has no outbound URL configured"
        )
    body = message.body
    marker = SECRET_MARKER.encode()
    if marker in body:
        if options.outbound_secret is None:
            return Outcome(
                status=AttemptResult.DEAD, reason="the partner has no outbound secret configured"
            )
        secret = escape(decrypt(options.outbound_secret, settings.encryption_key))
        body = body.replace(marker, secret.encode("utf-8"), 1)
    destination = Destination(
        url=options.outbound_url,
        allowed_prefixes=tuple(options.outbound_url_prefixes),
        allow_private_network=options.allow_private_network,
    )
    return destination, body


def _is_sealed_mail(message: OutboxMessage) -> bool:
    return message.document_type == EMAIL_DOCUMENT and SEALED in json.loads(message.body)


def _open_mail(message: OutboxMessage, settings: WorkerSettings) -> Mail | Outcome:
    """The queued e-mail, unsealed with the worker's mail key where it is sealed."""
    fields = json.loads(message.body)
    if SEALED in fields:
        if settings.mail_key is None:
            return Outcome(status=AttemptResult.RETRY, reason="this worker has no mail key")
        try:
            fields = json.loads(decrypt(fields[SEALED].encode("ascii"), settings.mail_key))
        except ConfigurationError:
            reason = "the sealed mail cannot be opened: GATEWAY_SECRET_KEY changed?"
            return Outcome(status=AttemptResult.DEAD, reason=reason)
    return Mail(
        to=fields["to"],
        subject=fields["subject"],
        body=fields["body"].replace(BASE_URL_MARKER, settings.base_url),
        message_id=message.payload_id,
        html=fields["html"].replace(BASE_URL_MARKER, settings.base_url)
        if "html" in fields
        else None,
    )


def _mail(mailer: Mailer | None, mail: Mail) -> Outcome:
    """Send an e-mail: a permanent (5xx) SMTP refusal is dead, anything else is retried."""
    if mailer is None:
        return Outcome(status=AttemptResult.RETRY, reason="this worker has no mailer")
    try:
        mailer.send(
            to=mail.to,
            subject=mail.subject,
            body=mail.body,
            message_id=mail.message_id,
            html=mail.html,
        )
    except smtplib.SMTPResponseException as exc:
        error = exc.smtp_error
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
        reason = f"SMTP {exc.smtp_code}: {text}"
        return Outcome(
            status=AttemptResult.DEAD if exc.smtp_code >= SMTP_PERMANENT else AttemptResult.RETRY,
            reason=reason,
        )
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(status=AttemptResult.RETRY, reason=f"SMTP: {exc}")
    return Outcome(status=AttemptResult.SENT, reason="mail accepted")


def _send(transport: Transport, destination: Destination, body: bytes) -> Outcome:
    try:
        reply = transport.post(destination, body)
    except DestinationRefused as exc:
        return Outcome(status=AttemptResult.DEAD, reason=f"refused: {exc}")
    except DeliveryFailed as exc:
        return Outcome(status=AttemptResult.RETRY, reason=str(exc))
    return classify(reply.status, reply.body)


def classify(http_status: int, body: bytes) -> Outcome:
    """By the cXML Status, not HTTP: 2xx sent, 4xx dead, 5xx or non-cXML retried.

    HTTP 2xx with an empty body counts as success (protocol-notes A.8).
    """
    if 200 <= http_status < 300 and not body.strip():  # noqa: PLR2004 - the 2xx range
        return Outcome(status=AttemptResult.SENT, reason="empty 2xx reply")
    try:
        document = cxml.parse(body)
    except CXMLError:
        return Outcome(
            status=AttemptResult.RETRY, reason=f"HTTP {http_status} without a cXML reply"
        )
    if not isinstance(document.payload, Response):
        return Outcome(
            status=AttemptResult.RETRY, reason=f"HTTP {http_status} without a cXML Response"
        )
    status = document.payload.status
    if status.code.is_success:
        return Outcome(status=AttemptResult.SENT, reason=f"{int(status.code)} {status.text}")
    reason = f"buyer answered {int(status.code)} {status.text}"
    permanent = 400 <= status.code < 500  # noqa: PLR2004 - the 4xx range
    return Outcome(status=AttemptResult.DEAD if permanent else AttemptResult.RETRY, reason=reason)
