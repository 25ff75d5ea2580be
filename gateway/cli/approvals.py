"""`gateway approvals remind`: one pass of the approval reminder sweep (the worker runs it too)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database
from gateway.db import Database, lock_for_writing, utcnow
from gateway.services.purchasing import approval_reminders


@click.group("approvals")
def approvals_group() -> None:
    """Orders awaiting approval."""


@approvals_group.command("remind")
@with_appcontext
def remind_command() -> None:
    """Remind the approvers of orders waiting longer than their customer allows (once each)."""
    count = remind(database(), zone=current_app.config["GATEWAY_TIMEZONE"])
    click.echo(f"Reminded the approvers of {count} order{'' if count == 1 else 's'}.")


def remind(db: Database, *, zone: str) -> int:
    """One reminder sweep in its own unit of work; how many orders it reminded about."""
    with db.session_scope() as session:
        lock_for_writing(session)  # SQLite: read-then-insert without a stale snapshot
        return len(approval_reminders.sweep(session, now=utcnow(), zone=zone))
