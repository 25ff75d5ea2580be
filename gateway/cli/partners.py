"""`gateway partner ...`: register trading partners and set their order options."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.cxml import CartEncoding
from gateway.oci import OCIVersion
from gateway.services.partners.order_settings import configure
from gateway.services.partners.registry import (
    CART_ENCODINGS,
    DEFAULT_PUNCHOUT_ROLE,
    OCI_VERSIONS,
    CXMLPartnerSpec,
    OCIPartnerSpec,
    add_cxml_partner,
    add_oci_partner,
)

default_role_option = click.option(
    "--default-role",
    default=DEFAULT_PUNCHOUT_ROLE,
    show_default=True,
    help="The customer role the partner's punchout users get (never a staff role).",
)


@click.group("partner")
def partner_group() -> None:
    """Trading partners (the buyers' procurement systems)."""


@partner_group.command("add-cxml")
@click.option("--name", required=True, help="Unique partner name.")
@click.option("--customer", required=True, help="Number of the customer the partner buys for.")
@click.option(
    "--identity",
    "identities",
    multiple=True,
    required=True,
    help="DOMAIN:IDENTITY matched against From or Sender credentials (repeatable).",
)
@click.option("--shared-secret", required=True, help="The Sender SharedSecret (stored hashed).")
@click.option(
    "--allow-url",
    "allowed_urls",
    multiple=True,
    required=True,
    help="Allowed BrowserFormPost URL prefix (repeatable).",
)
@click.option(
    "--encoding",
    type=click.Choice(CART_ENCODINGS),
    default=CartEncoding.BASE64.value,
    show_default=True,
    help="How the cart returns: cxml-base64 or cxml-urlencoded.",
)
@click.option(
    "--enforce-budgets",
    is_flag=True,
    help="Let the users' budgets and approval rules refuse the cart transfer.",
)
@default_role_option
@with_appcontext
def add_cxml_command(
    name: str,
    customer: str,
    identities: tuple[str, ...],
    shared_secret: str,
    allowed_urls: tuple[str, ...],
    encoding: str,
    enforce_budgets: bool,
    default_role: str,
) -> None:
    """Register a cXML trading partner."""
    spec = CXMLPartnerSpec(
        name=name,
        customer_number=customer,
        identities=identities,
        shared_secret=shared_secret,
        allowed_urls=allowed_urls,
        encoding=encoding,
        enforce_budgets=enforce_budgets,
        default_role=default_role,
    )
    with usage_errors(), database().session_scope() as session:
        partner = add_cxml_partner(
            session, spec=spec, digest_key=current_app.config["GATEWAY_DIGEST_KEY"]
        )
        click.echo(f"Partner {partner.name!r} registered for customer {customer}.")


@partner_group.command("add-oci")
@click.option("--name", required=True, help="Unique partner name.")
@click.option("--customer", required=True, help="Number of the customer the partner buys for.")
@click.option("--username", required=True, help="The USERNAME the buyer's SRM sends.")
@click.option("--password", required=True, help="The PASSWORD it sends (stored as a slow hash).")
@click.option(
    "--allow-url",
    "allowed_urls",
    multiple=True,
    required=True,
    help="Allowed HOOK_URL prefix (repeatable).",
)
@click.option(
    "--version",
    "version",
    type=click.Choice(OCI_VERSIONS),
    default=OCIVersion.V4.value,
    show_default=True,
    help="OCI release the buyer speaks.",
)
@click.option(
    "--settings",
    "settings_json",
    default="{}",
    help="JSON object: login/HOOK_URL parameter names, charset, unit_map, matgroup, vendor, "
    "cust_fields, extra_fields … (README: Configure an SAP (OCI) buyer).",
)
@default_role_option
@with_appcontext
def add_oci_command(
    name: str,
    customer: str,
    username: str,
    password: str,
    allowed_urls: tuple[str, ...],
    version: str,
    settings_json: str,
    default_role: str,
) -> None:
    """Register an SAP OCI trading partner."""
    try:
        settings = json.loads(settings_json)
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise click.UsageError("--settings must be a JSON object.")
    spec = OCIPartnerSpec(
        name=name,
        customer_number=customer,
        username=username,
        password=password,
        allowed_urls=allowed_urls,
        version=version,
        settings=settings,
        default_role=default_role,
    )
    with usage_errors(), database().session_scope() as session:
        partner = add_oci_partner(session, spec=spec)
        click.echo(f"OCI partner {partner.name!r} registered for customer {customer}.")


@partner_group.command("order-settings")
@click.option("--name", required=True, help="The partner's name.")
@click.option(
    "--async-ack/--sync-ack",
    "async_ack",
    default=None,
    help="Answer OrderRequests 201 Accepted (a StatusUpdateRequest follows) or 200.",
)
@click.option(
    "--credential-mac-secret",
    help="Accept CredentialMac keyed with this secret (stored encrypted).",
)
@click.option("--no-credential-mac", is_flag=True, help="Stop accepting CredentialMac.")
@click.option("--outbound-url", help="Where confirmations and ship notices are posted.")
@click.option(
    "--allow-outbound",
    "outbound_prefixes",
    multiple=True,
    help="Allowed outbound URL prefix (repeatable; replaces the list).",
)
@click.option(
    "--allow-private-network/--public-network-only",
    "allow_private",
    default=None,
    help="Tests and demos only: allow http and loopback/private outbound addresses.",
)
@click.option("--outbound-secret", help="The SharedSecret we send (stored encrypted).")
@click.option(
    "--signature-certificate",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM file of the certificate the partner signs with (pinned).",
)
@click.option(
    "--require-signature/--no-require-signature",
    default=None,
    help="Refuse inbound documents not signed with the pinned certificate (475/476/477).",
)
@with_appcontext
def partner_order_settings_command(
    name: str,
    async_ack: bool | None,
    credential_mac_secret: str | None,
    no_credential_mac: bool,
    outbound_url: str | None,
    outbound_prefixes: tuple[str, ...],
    allow_private: bool | None,
    outbound_secret: str | None,
    signature_certificate: Path | None,
    require_signature: bool | None,
) -> None:
    """Set a partner's purchase-order options."""

    with usage_errors(), database().session_scope() as session:
        row = configure(
            session,
            partner_name=name,
            async_acknowledgement=async_ack,
            credential_mac_secret=credential_mac_secret,
            disable_credential_mac=no_credential_mac,
            outbound_url=outbound_url,
            outbound_prefixes=outbound_prefixes or None,
            allow_private_network=allow_private,
            outbound_secret=outbound_secret,
            signature_certificate=signature_certificate.read_text()
            if signature_certificate
            else None,
            require_signature=require_signature,
            encryption_key=current_app.config["GATEWAY_ENCRYPTION_KEY"],
        )
        acknowledgement = "201 Accepted" if row.async_acknowledgement else "200 OK"
        mac = "on" if row.credential_mac_secret is not None else "off"
    click.echo(f"Partner {name!r}: OrderRequests answered {acknowledgement}; CredentialMac {mac}.")
