"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from gateway.db import utcnow
from gateway.mailer import Mailer
from gateway.models import OutboxMessage
from gateway.services.outbox import Outcome, WorkerSettings, deliver_due
from gateway.transport import Transport

MAIL_WORKER = WorkerSettings(
    worker_id="mail-worker",
    encryption_key=None,
    max_attempts=3,
    backoff_base=60,
    base_url="http://shop.example",
)


@dataclass
class Inbox:
    """Messages received, oldest first."""

    port: int = 0
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def text_of(message: Message) -> str:
    """The plain-text part of a mail (itself when it has no alternatives), decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def html_of(message: Message) -> str:
    """The HTML alternative of a mail, decoded."""
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/html part")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """Run an SMTP server on a free loopback port for the duration of the block."""
    inbox = Inbox(port=_free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def deliver_mail(app: Flask, port: int, *, now: Any = None) -> list[Outcome]:
    """One outbox worker pass, sending queued e-mails to the SMTP server on `port`, from the
    app's sender address and with its mail key (which opens sealed mails)."""
    return deliver_due(
        app.extensions["gateway.db"],
        transport=Transport(),
        settings=replace(MAIL_WORKER, mail_key=app.config["GATEWAY_MAIL_KEY"]),
        now=now or utcnow(),
        mailer=Mailer(host="127.0.0.1", port=port, sender=app.config["GATEWAY_MAIL_FROM"]),
    )


def is_confirmation(message: OutboxMessage) -> bool:
    """Whether a queued message is a shop order's confirmation to its buyer."""
    return b"Thank you for your order" in message.body
