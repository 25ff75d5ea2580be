"""`gateway catalog import|export|import-bmecat`: the product catalog as CSV or BMEcat."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.bmecat import CatalogError
from gateway.cli._common import database, usage_errors
from gateway.db import utcnow
from gateway.errors import NotFound
from gateway.services.catalog import bmecat_import, csv_files, exports


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
    help="Write to this file (complete or not at all) instead of standard output.",
)
@click.option(
    "--customer",
    default=None,
    help="A customer's number: its assortment at its prices, in --format. "
    "Without it: every product as CSV in the import format.",
)
@click.option(
    "--format",
    "export_format",
    type=click.Choice([f.value for f in exports.ExportFormat]),
    default=None,
    help="cif (CIF 3.0), cxml (a cXML Index) or bmecat (BMEcat 2005); needs --customer.",
)
@click.option("--partner", default=None, help="The customer's trading partner the file is for.")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in exports.ExportMode]),
    default=exports.ExportMode.FULL.value,
    show_default=True,
    help="full: the whole assortment; incremental: what changed since --since.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]),
    default=None,
    help="Incremental: changes after this moment (UTC), e.g. the date of the last export.",
)
@click.option(
    "--punchout-items",
    is_flag=True,
    help="Make every item a level-2 punchout item that opens the shop on the product.",
)
@click.option(
    "--prices-only", is_flag=True, help="Incremental BMEcat: T_UPDATE_PRICES (prices only)."
)
@click.option("--language", type=click.Choice(["en", "nl"]), default="en", show_default=True)
@click.option(
    "--default-lead-time",
    type=click.IntRange(0, 999),
    default=exports.DEFAULT_LEAD_TIME_DAYS,
    show_default=True,
    help="Days, for products without a lead time where the format needs one (cXML).",
)
@with_appcontext
def export_command(
    output: Path | None,
    customer: str | None,
    export_format: str | None,
    partner: str | None,
    mode: str,
    since: datetime | None,
    punchout_items: bool,
    prices_only: bool,
    language: str,
    default_lead_time: int,
) -> None:
    """Write every product as CSV, or one customer's catalog for its procurement system."""
    if customer is None:
        if export_format is not None:
            raise click.UsageError("--format needs --customer (whose assortment and prices).")
        _export_csv(output)
        return
    if export_format is None:
        raise click.UsageError("--customer needs --format (cif, cxml or bmecat).")
    options = exports.ExportOptions(
        format=exports.ExportFormat(export_format),
        mode=exports.ExportMode(mode),
        since=since.replace(tzinfo=UTC) if since else None,
        punchout_items=punchout_items,
        prices_only=prices_only,
        language=language,
        default_lead_time_days=default_lead_time,
    )
    now = utcnow()
    with database().session_scope() as session, usage_errors():
        try:
            organisation = exports.customer(session, customer)
        except NotFound as exc:
            raise click.UsageError(str(exc)) from None
        plan = exports.prepare(
            session,
            organisation=organisation,
            options=options,
            supplier=exports.Supplier.from_config(current_app.config),
            now=now,
            partner_name=partner,
        )
        with (
            click.progressbar(
                length=plan.header.item_count, label="Exporting", file=sys.stderr
            ) as bar,
            _destination(output) as stream,
        ):
            count = exports.write(session, plan, stream, progress=bar.update)
        exports.record(session, plan, exported_by="command line", item_count=count, now=now)
    click.echo(f"Exported {count} products for customer {customer} as {export_format}.", err=True)


def _export_csv(output: Path | None) -> None:
    with database().session_scope() as session:
        if output is None:
            count = csv_files.export(session, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as stream:
                count = csv_files.export(session, stream)
    click.echo(f"Exported {count} products.", err=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def _destination(output: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or a temporary file beside `output` renamed to it once complete (so a
    failed export leaves nothing half-written)."""
    if output is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    handle, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        os.chmod(name, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        os.replace(name, output)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


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
