"""`gateway oci url`: a test login URL for an SAP OCI partner."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.services.partners import admin


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
    with usage_errors(), database().session_scope() as session:
        url = admin.oci_login_url(
            session,
            name=partner_name,
            base_url=base_url,
            password=password,
            hook_url=hook_url or f"{base_url}/tools/simulator/receive",
        )
    click.echo(url)
