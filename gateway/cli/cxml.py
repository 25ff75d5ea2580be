"""`gateway cxml validate|send|dtds install`: check documents by line, post one and read the
answer, fetch the official DTDs."""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway import cxml_dtds
from gateway.config import CXML_DTD_VERSION, installed_dtd_dir
from gateway.cxml import lint
from gateway.transport import DeliveryFailed, Destination, DestinationRefused, Transport

SEND_TIMEOUT = (10, 60)  # seconds to connect, seconds to wait for the answer
SUCCESS = range(200, 300)


@click.group("cxml")
def cxml_group() -> None:
    """Check and send cXML documents."""


@cxml_group.command("validate")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def validate_command(files: tuple[Path, ...]) -> None:
    """Check FILEs: well-formedness, our XSD, the official DTD when installed, cXML rules."""
    dtd_dir = current_app.config["GATEWAY_CXML_DTD_DIR"]
    if dtd_dir is None:
        click.echo(
            "The official cXML DTDs are not installed: checking against our own schemas only "
            "(`gateway cxml dtds install` fetches them).",
            err=True,
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


@cxml_group.group("dtds")
def dtds_group() -> None:
    """The official cXML DTDs (Ariba's text under the cXML License Agreement)."""


@dtds_group.command("install")
@click.option(
    "--version", default=CXML_DTD_VERSION, show_default=True, help="The cXML version to install."
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put them (default: the per-user data folder GATEWAY_CXML_DTD_DIR falls "
    "back to, ~/.local/share/punchout-gateway/cxml/VERSION).",
)
@click.option(
    "--url",
    default=cxml_dtds.ARCHIVE_URL,
    show_default=True,
    help="The zip archive of the DTDs.",
)
def dtds_install_command(version: str, folder: Path | None, url: str) -> None:
    """Download the official DTD archive, keep its licence beside the DTDs, check every DTD."""
    target = (folder or installed_dtd_dir(version)).resolve()
    try:
        installed = cxml_dtds.install(target, version=version, url=url)
    except cxml_dtds.DTDInstallError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Installed cXML {installed.version}: {len(installed.dtds)} DTDs "
        f"({', '.join(installed.dtds)}) and their licence ({installed.license}) in "
        f"{installed.folder}"
    )
    if folder is None and version == CXML_DTD_VERSION:
        click.echo("GATEWAY_CXML_DTD_DIR now defaults to this folder.")
    else:
        click.echo(f"Set GATEWAY_CXML_DTD_DIR={installed.folder} to check documents against them.")
