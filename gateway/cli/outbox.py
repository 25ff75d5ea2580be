"""`gateway worker` delivers the outbox; `gateway outbox ...` shows and re-queues documents."""

from __future__ import annotations

import json
import os
import socket
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.cli.approvals import remind
from gateway.db import utcnow
from gateway.mailer import Mailer
from gateway.models import OutboxStatus
from gateway.services.outbox import (
    WorkerSettings,
    deliver_due,
    list_messages,
    order_numbers,
    resend,
)
from gateway.transport import Transport

REMINDER_INTERVAL = 60.0  # seconds between approval reminder sweeps


@click.command("worker")
@click.option("--once", is_flag=True, help="One pass over due documents, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between idle polls.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Deliver queued outbound documents and e-mails (several workers may run at once); at
    most once a minute, remind approvers of orders waiting too long."""

    config = current_app.config
    settings = WorkerSettings(
        worker_id=f"{socket.gethostname()}:{os.getpid()}",
        encryption_key=config["GATEWAY_ENCRYPTION_KEY"],
        max_attempts=config["GATEWAY_OUTBOX_MAX_ATTEMPTS"],
        backoff_base=config["GATEWAY_OUTBOX_BACKOFF"],
        base_url=config["GATEWAY_BASE_URL"],
        mail_key=config["GATEWAY_MAIL_KEY"],
    )
    transport = Transport(
        connect_timeout=config["GATEWAY_OUTBOUND_CONNECT_TIMEOUT"],
        read_timeout=config["GATEWAY_OUTBOUND_READ_TIMEOUT"],
        max_response_bytes=config["GATEWAY_OUTBOUND_MAX_RESPONSE"],
    )
    reminded_at: float | None = None
    while True:
        if reminded_at is None or time.monotonic() - reminded_at >= REMINDER_INTERVAL:
            remind(database(), zone=config["GATEWAY_TIMEZONE"])
            reminded_at = time.monotonic()
        outcomes = deliver_due(
            database(),
            transport=transport,
            settings=settings,
            now=utcnow(),
            mailer=Mailer.from_config(config),
        )
        for outcome in outcomes:
            click.echo(f"{outcome.status}: {outcome.reason}")
        if once:
            return
        if not outcomes:
            time.sleep(interval)


@click.group("outbox")
def outbox_group() -> None:
    """Outbound documents: what is queued, sent or dead-lettered."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice([status.value for status in OutboxStatus]))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@with_appcontext
def outbox_list_command(status: str | None, as_json: bool) -> None:
    """List outbound documents with their state and last error."""

    with database().session_scope() as session:
        messages = list_messages(session, status=OutboxStatus(status) if status else None)
        numbers = order_numbers(session, messages)
        if as_json:
            click.echo(
                json.dumps(
                    [
                        {
                            "id": message.id,
                            "document_type": message.document_type,
                            "order_number": numbers.get(message.order_id or 0),
                            "status": message.status,
                            "attempts": message.attempts,
                            "last_error": message.last_error,
                            "payload_id": message.payload_id,
                            "created_at": message.created_at.isoformat(),
                        }
                        for message in messages
                    ],
                    indent=2,
                )
            )
            return
        for message in messages:
            click.echo(
                f"{message.id:>6}  {message.status:<7} {message.document_type:<20} "
                f"attempts={message.attempts} {message.payload_id}  {message.last_error}"
            )


@outbox_group.command("resend")
@click.argument("message_id", type=int)
@with_appcontext
def outbox_resend_command(message_id: int) -> None:
    """Queue a dead-lettered document again (same payloadID)."""

    with usage_errors(), database().session_scope() as session:
        message = resend(session, message_id=message_id, now=utcnow())
        click.echo(f"Outbox message {message.id} queued again ({message.payload_id}).")
