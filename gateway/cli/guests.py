"""`gateway guests purge`: guests' personal data kept only as long as delivery needs it."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database
from gateway.db import utcnow
from gateway.services.ordering import guests


@click.group("guests")
def guests_group() -> None:
    """Guest (B2C) orders."""


@guests_group.command("purge")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Retention after delivery in days [default: GATEWAY_GUEST_RETENTION_DAYS, 90].",
)
@with_appcontext
def purge_command(days: int | None) -> None:
    """Anonymise guests' personal data once the retention period after delivery has passed."""
    retention = current_app.config["GATEWAY_GUEST_RETENTION_DAYS"] if days is None else days
    with database().session_scope() as session:
        count = guests.purge(session, now=utcnow(), retention_days=retention)
    click.echo(
        f"Anonymised {count} guest order{'' if count == 1 else 's'} (retention {retention} days)."
    )
