"""`gateway messages purge`: the integrator's message log, kept for its retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database
from gateway.db import utcnow
from gateway.services import message_log


@click.group("messages")
def messages_group() -> None:
    """The integrator's message log."""


@messages_group.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Keep this many days (default: GATEWAY_MESSAGE_RETENTION_DAYS).",
)
@with_appcontext
def purge_command(days: int | None) -> None:
    """Delete logged documents older than the retention period."""
    keep = days or current_app.config["GATEWAY_MESSAGE_RETENTION_DAYS"]
    with database().session_scope() as session:
        removed = message_log.purge(session, older_than_days=keep, now=utcnow())
    click.echo(f"Deleted {removed} logged documents older than {keep} days.")
