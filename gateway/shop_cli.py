"""Shop commands for the `gateway` CLI: `guests purge`, `catalog import`, `catalog export`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.db import Database, utcnow
from gateway.services.catalog import csv_files
from gateway.services.ordering import guests


def _database() -> Database:
    return current_app.extensions["gateway.db"]


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
    with _database().session_scope() as session:
        count = guests.purge(session, now=utcnow(), retention_days=retention)
    click.echo(
        f"Anonymised {count} guest order{'' if count == 1 else 's'} (retention {retention} days)."
    )


@click.group("catalog")
def catalog_group() -> None:
    """The product catalogue as CSV (columns: see gateway.services.catalog_csv / README)."""


@catalog_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--accept-valid",
    is_flag=True,
    help="Import the valid lines even when others are rejected (default: import nothing).",
)
@with_appcontext
def import_command(file: Path, accept_valid: bool) -> None:
    """Create or update products from FILE.csv in one transaction; report rejected lines."""
    with _database().session_scope() as session:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            rows, rejected = csv_files.check(
                session, stream, vat_rates=current_app.config["GATEWAY_VAT_RATES"]
            )
        for line in rejected:
            click.echo(f"line {line.line}: {line.sku or '-'}: {line.reason}", err=True)
        if rejected and not accept_valid:
            click.echo(
                f"{len(rejected)} line(s) rejected: nothing imported "
                "(fix them, or use --accept-valid).",
                err=True,
            )
            raise SystemExit(1)
        with click.progressbar(length=len(rows), label="Importing", file=sys.stderr) as bar:
            created, updated = csv_files.write(session, rows, progress=bar.update)
    click.echo(f"Imported {created} new and {updated} updated products; {len(rejected)} rejected.")


@catalog_group.command("export")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Write to this file instead of standard output.",
)
@with_appcontext
def export_command(output: Path | None) -> None:
    """Write every product as CSV in the import format."""
    with _database().session_scope() as session:
        if output is None:
            count = csv_files.export(session, click.get_text_stream("stdout"))
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = csv_files.export(session, stream)
    click.echo(f"Exported {count} products.", err=True)
