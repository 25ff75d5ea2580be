"""`gateway partner ...`: register trading partners and set their order options."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.cli._common import database, usage_errors
from gateway.cxml import CartEncoding
from gateway.models import OrderPricePolicy
from gateway.oci import OCIVersion
from gateway.services.partners.deployment import ACCEPTED_DEPLOYMENT_MODES, set_accepted_mode
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

_DEPLOYMENT_MODE_HELP = (
    "Which cXML deploymentMode the partner may send; setup requests and OrderRequests in "
    "another mode are refused with Status 403."
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


def _price_options(command: Any) -> Any:
    """`--order-price-policy` and `--order-price-tolerance`, for add-cxml and order-settings."""
    command = click.option(
        "--order-price-tolerance",
        help="How far a line's unit price may differ from ours, per unit (default 0.01).",
    )(command)
    return click.option(
        "--order-price-policy",
        type=click.Choice([policy.value for policy in OrderPricePolicy]),
        help="An OrderRequest whose prices, assortment or Total are wrong: hold it for staff "
        "(default), reject it with Status 400, or accept it; its problems are recorded.",
    )(command)


def _tolerance(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise click.BadParameter(
            f"{text!r} is not an amount.", param_hint="--order-price-tolerance"
        ) from None


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
@click.option(
    "--deployment-mode",
    type=click.Choice(ACCEPTED_DEPLOYMENT_MODES),
    default="both",
    show_default=True,
    help=_DEPLOYMENT_MODE_HELP,
)
@_price_options
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
    deployment_mode: str,
    order_price_policy: str | None,
    order_price_tolerance: str | None,
    default_role: str,
) -> None:
    """Register a cXML trading partner."""
    tolerance = _tolerance(order_price_tolerance)
    spec = CXMLPartnerSpec(
        name=name,
        customer_number=customer,
        identities=identities,
        shared_secret=shared_secret,
        allowed_urls=allowed_urls,
        encoding=encoding,
        enforce_budgets=enforce_budgets,
        accepted_deployment_mode=deployment_mode,
        default_role=default_role,
    )
    with usage_errors(), database().session_scope() as session:
        partner = add_cxml_partner(
            session, spec=spec, digest_key=current_app.config["GATEWAY_DIGEST_KEY"]
        )
        if order_price_policy is not None or tolerance is not None:
            configure(
                session,
                partner_name=partner.name,
                order_price_policy=order_price_policy,
                order_price_tolerance=tolerance,
            )
        click.echo(f"Partner {partner.name!r} registered for customer {customer}.")


@partner_group.command("update")
@click.option("--name", required=True, help="The partner's name.")
@click.option(
    "--deployment-mode",
    type=click.Choice(ACCEPTED_DEPLOYMENT_MODES),
    required=True,
    help=_DEPLOYMENT_MODE_HELP,
)
@with_appcontext
def update_command(name: str, deployment_mode: str) -> None:
    """Change a cXML partner's settings."""
    with usage_errors(), database().session_scope() as session:
        partner = set_accepted_mode(session, partner_name=name, mode=deployment_mode)
        accepted = partner.accepted_deployment_mode
    click.echo(f"Partner {name!r} accepts deploymentMode: {accepted}.")


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
@_price_options
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
    order_price_policy: str | None,
    order_price_tolerance: str | None,
) -> None:
    """Set a partner's purchase-order options."""
    tolerance = _tolerance(order_price_tolerance)

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
            order_price_policy=order_price_policy,
            order_price_tolerance=tolerance,
        )
        prices = f"{row.order_price_policy} (tolerance {row.order_price_tolerance.normalize():f})"
        acknowledgement = "201 Accepted" if row.async_acknowledgement else "200 OK"
        mac = "on" if row.credential_mac_secret is not None else "off"
    click.echo(f"Partner {name!r}: OrderRequests answered {acknowledgement}; CredentialMac {mac}.")
    click.echo(f"Partner {name!r}: orders with wrong prices: {prices}.")
