"""`gateway catalog import|export|import-bmecat`: the product catalog as CSV or BMEcat."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.bmecat import CatalogError
from gateway.cli._common import database
from gateway.services.catalog import bmecat_import, csv_files


@click.group("catalog")
def catalog_group() -> None:
    """The product catalog as CSV (columns: see gateway.services.catalog.csv_files / README)."""


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
    with database().session_scope() as session:
        with file.open(encoding="utf-8-sig", newline="") as stream:
            rows, rejected = csv_files.check(
                session,
                stream,
                vat_rates=current_app.config["GATEWAY_VAT_RATES"],
                image_folder=file.parent,
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
    with database().session_scope() as session:
        if output is None:
            count = csv_files.export(session, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = csv_files.export(session, stream)
    click.echo(f"Exported {count} products.", err=True)


@catalog_group.command("import-bmecat")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_bmecat_command(file: Path) -> None:
    """Import a BMEcat 2005 T_NEW_CATALOG: every product, or none if any problem is found."""
    try:
        with database().session_scope() as session:
            summary = bmecat_import.import_bmecat(
                session, body=file.read_bytes(), image_folder=file.parent
            )
    except CatalogError as exc:
        for finding in exc.findings:
            where = f"{file}:{finding.line}" if finding.line else str(file)
            click.echo(f"{where}: {finding.path}: {finding.reason}")
        count = len(exc.findings)
        raise click.ClickException(f"{count} problem(s); nothing was imported.") from None
    click.echo(
        f"Catalog {summary.catalog_id}: {summary.created} products created, "
        f"{summary.updated} updated, {summary.images} pictures stored."
    )
    if summary.images_not_fetched:
        click.echo(
            "Pictures given as URLs are not fetched (put the files next to the catalog): "
            + ", ".join(summary.images_not_fetched),
            err=True,
        )
