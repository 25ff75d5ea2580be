"""Integrator commands: `gateway cxml validate|send`, `gateway oci url`, `gateway messages purge`,
`gateway catalog import-bmecat`.

`cxml send` posts with `requests` directly (explicit timeouts, no redirects); it moves to the
shared outbound transport (`gateway.transport`) once that exists.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.bmecat import CatalogError
from gateway.cxml import lint
from gateway.db import Database, utcnow
from gateway.errors import InvalidInput
from gateway.services import message_log
from gateway.services.catalog import bmecat_import
from gateway.services.partners import admin
from gateway.shop_cli import catalog_group
from gateway.transport import DeliveryFailed, Destination, DestinationRefused, Transport

SEND_TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for the answer
SUCCESS = range(200, 300)


def _database() -> Database:
    return current_app.extensions["gateway.db"]


@click.group("cxml")
def cxml_group() -> None:
    """Check and send cXML documents."""


@cxml_group.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def validate_command(files: tuple[Path, ...]) -> None:
    """Check FILEs: well-formedness, the official DTD, our XSD and cXML rules, by line."""
    dtd_dir = current_app.config["GATEWAY_CXML_DTD_DIR"]
    if dtd_dir is None:
        raise click.UsageError(
            "GATEWAY_CXML_DTD_DIR is not set: point it at a folder holding one cXML version's "
            "DTDs (e.g. .../schemas-cxml/1.2.071) to validate documents."
        )
    failed = 0
    for path in files:
        problems = lint.check(path.read_bytes(), dtd_dir=dtd_dir)
        if not problems:
            click.echo(f"{path}: valid")
            continue
        failed += 1
        for problem in problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            click.echo(f"{where}: [{problem.check}] {problem.message}")
    if failed:
        raise click.ClickException(f"{failed} of {len(files)} documents have problems.")


@cxml_group.command("send")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="Where to post, e.g. http://127.0.0.1:5000/cxml.")
def send_command(file: Path, url: str) -> None:
    """Post FILE as text/xml to URL and pretty-print the answer; fails on a non-2xx Status."""
    if not url.startswith(("http://", "https://")):
        raise click.UsageError("--url must be an http(s) URL.")
    # The operator names the URL, so loopback and private addresses are fine here.
    destination = Destination(url=url, allowed_prefixes=(url,), allow_private_network=True)
    transport = Transport(connect_timeout=SEND_TIMEOUT[0], read_timeout=SEND_TIMEOUT[1])
    try:
        answer = transport.post(destination, file.read_bytes())
    except (DestinationRefused, DeliveryFailed) as exc:
        raise click.ClickException(f"could not post to {url}: {exc}") from None
    phrase = next((s.phrase for s in HTTPStatus if s.value == answer.status), "")
    click.echo(f"HTTP {answer.status} {phrase}".rstrip())
    try:
        click.echo(lint.pretty(answer.body))
    except ValueError:
        click.echo(answer.body.decode("utf-8", "replace"))
    status = lint.response_status(answer.body)
    if status is None:
        raise click.ClickException("the answer carries no cXML Status.")
    code, text = status
    click.echo(f"cXML Status {code} {text}")
    if code not in SUCCESS or answer.status not in SUCCESS:
        raise click.ClickException(f"the answer is not a success (Status {code}).")


@click.group("oci")
def oci_group() -> None:
    """SAP OCI helpers."""


@oci_group.command("url")
@click.option("--partner", "partner_name", required=True, help="The OCI partner's name.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    help="The partner's OCI password (stored hashed, so it must be given).",
)
@click.option(
    "--hook-url", default=None, help="Where the cart returns (default: the buyer simulator)."
)
@with_appcontext
def oci_url_command(partner_name: str, password: str, hook_url: str | None) -> None:
    """Print a test login URL for an OCI partner (open it in a browser)."""
    base_url = current_app.config["GATEWAY_BASE_URL"]
    try:
        with _database().session_scope() as session:
            url = admin.oci_login_url(
                session,
                name=partner_name,
                base_url=base_url,
                password=password,
                hook_url=hook_url or f"{base_url}/tools/simulator/receive",
            )
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(url)


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
    with _database().session_scope() as session:
        removed = message_log.purge(session, older_than_days=keep, now=utcnow())
    click.echo(f"Deleted {removed} logged documents older than {keep} days.")


@catalog_group.command("import-bmecat")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_bmecat_command(file: Path) -> None:
    """Import a BMEcat 2005 T_NEW_CATALOG: every product, or none if any problem is found."""
    try:
        with _database().session_scope() as session:
            summary = bmecat_import.import_bmecat(session, body=file.read_bytes())
    except CatalogError as exc:
        for finding in exc.findings:
            where = f"{file}:{finding.line}" if finding.line else str(file)
            click.echo(f"{where}: {finding.path}: {finding.reason}")
        count = len(exc.findings)
        raise click.ClickException(f"{count} problem(s); nothing was imported.") from None
    click.echo(
        f"Catalogue {summary.catalog_id}: {summary.created} products created, "
        f"{summary.updated} updated."
    )
