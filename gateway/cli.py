"""The `gateway` command: a Flask CLI group around the app factory.

Commands call services inside one unit of work (commit on success, roll back on error) and
never touch the ORM themselves.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import time
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.serving import run_simple

from gateway import create_app
from gateway.cli_tools import cxml_group, messages_group, oci_group
from gateway.db import Database, utcnow
from gateway.errors import InvalidInput
from gateway.mailer import Mailer
from gateway.migrate import upgrade
from gateway.punchout.settings import punchout_settings
from gateway.services.demo import DEMO_PASSWORD, seed_demo
from gateway.services.ordering import documents
from gateway.services.ordering.queries import list_orders
from gateway.services.outbox import WorkerSettings, deliver_due, list_messages, resend
from gateway.services.partners.order_settings import configure
from gateway.services.partners.registry import (
    CART_ENCODINGS,
    OCI_VERSIONS,
    CXMLPartnerSpec,
    OCIPartnerSpec,
    add_cxml_partner,
    add_oci_partner,
)
from gateway.services.people.users import sync_default_roles
from gateway.shop_cli import catalog_group, guests_group
from gateway.transport import Transport

DEMO_FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "fixtures/cxml/valid/punchout_setup_request/create_full.xml"
)


def _app() -> Flask:
    return create_app()


def _database() -> Database:
    return current_app.extensions["gateway.db"]


@click.group(cls=FlaskGroup, create_app=_app, add_default_commands=True)
def main() -> None:
    """punchout-gateway: cXML and SAP OCI punchout with a B2B shop."""


main.add_command(guests_group)
main.add_command(catalog_group)


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema and the built-in roles (never drops data)."""
    _init()
    click.echo("Database is up to date.")


@main.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo catalogue, customers, users and partner (idempotent); print the logins."""
    _init()
    _seed()


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def demo_command(host: str, port: int) -> None:
    """init + seed-demo, then serve the shop and print a curl command that starts a punchout."""
    _init()
    _seed()
    current_app.config["GATEWAY_SIMULATOR"] = True  # the fixture returns its cart to it
    base_url = current_app.config["GATEWAY_BASE_URL"]
    fixture = (
        DEMO_FIXTURE.relative_to(Path.cwd())
        if DEMO_FIXTURE.is_relative_to(Path.cwd())
        else DEMO_FIXTURE
    )
    click.echo("\nStart a punchout as the demo buyer (then open the StartPage URL it prints):\n")
    click.echo(
        "  curl -s -H 'Content-Type: text/xml' --data-binary "
        f"@{shlex.quote(str(fixture))} {base_url}/cxml\n"
    )
    run_simple(host, port, current_app._get_current_object(), threaded=True)  # type: ignore[attr-defined]


@main.group("partner")
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
    default="base64",
    show_default=True,
    help="How the cart returns: cxml-base64 or cxml-urlencoded.",
)
@click.option(
    "--enforce-budgets",
    is_flag=True,
    help="Let the users' budgets and approval rules refuse the cart transfer.",
)
@with_appcontext
def add_cxml_command(
    name: str,
    customer: str,
    identities: tuple[str, ...],
    shared_secret: str,
    allowed_urls: tuple[str, ...],
    encoding: str,
    enforce_budgets: bool,
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
    )
    try:
        with _database().session_scope() as session:
            partner = add_cxml_partner(
                session, spec=spec, digest_key=current_app.config["GATEWAY_DIGEST_KEY"]
            )
            click.echo(f"Partner {partner.name!r} registered for customer {customer}.")
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc


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
    default="4.0",
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
@with_appcontext
def add_oci_command(
    name: str,
    customer: str,
    username: str,
    password: str,
    allowed_urls: tuple[str, ...],
    version: str,
    settings_json: str,
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
    )
    try:
        with _database().session_scope() as session:
            partner = add_oci_partner(session, spec=spec)
            click.echo(f"OCI partner {partner.name!r} registered for customer {customer}.")
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc


@main.group("orders")
def orders_group() -> None:
    """Customers' orders (shop, cXML and OCI)."""


@orders_group.command("list")
@click.option("--customer", required=True, help="Customer number.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array for scripts.")
@with_appcontext
def orders_list_command(customer: str, as_json: bool) -> None:
    """List a customer's orders: id, buyer PO number, source, status and total."""

    try:
        with _database().session_scope() as session:
            orders = list_orders(session, customer_number=customer)
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        rows = [
            {
                "id": order.id,
                "number": order.number,
                "buyer_po_number": order.buyer_reference,
                "source": order.source,
                "status": order.status,
                "total": str(order.total),
                "currency": order.currency,
                "placed_at": order.placed_at.isoformat(),
            }
            for order in orders
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for order in orders:
        click.echo(
            f"{order.id:>6}  {order.number:<18} {order.buyer_reference or '-':<20} "
            f"{order.source:<5} {order.status:<16} {order.total} {order.currency}"
        )


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

    try:
        with _database().session_scope() as session:
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
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"Partner {name!r}: OrderRequests answered {acknowledgement}; CredentialMac {mac}.")


@orders_group.command("accept")
@click.argument("order_id", type=int)
@with_appcontext
def orders_accept_command(order_id: int) -> None:
    """Accept a received cXML order; queues the confirmation."""

    _staff_action(documents.accept, order_id=order_id)


@orders_group.command("reject")
@click.argument("order_id", type=int)
@click.option("--reason", required=True, help="Told to the buyer.")
@with_appcontext
def orders_reject_command(order_id: int, reason: str) -> None:
    """Reject a received cXML order; queues the confirmation."""

    _staff_action(documents.reject, order_id=order_id, reason=reason)


@orders_group.command("ship")
@click.argument("order_id", type=int)
@click.option("--shipment-id", required=True)
@click.option("--carrier", help="Carrier name.")
@click.option("--tracking", help="Tracking number.")
@with_appcontext
def orders_ship_command(
    order_id: int, shipment_id: str, carrier: str | None, tracking: str | None
) -> None:
    """Record the shipment of a cXML order; queues the ship notice."""

    _staff_action(
        documents.ship,
        order_id=order_id,
        shipment_id=shipment_id,
        carrier=carrier,
        tracking_number=tracking,
    )


def _staff_action(action: Any, **arguments: Any) -> None:

    try:
        with _database().session_scope() as session:
            order = action(
                session,
                actor=None,
                settings=punchout_settings(current_app.config),
                now=utcnow(),
                **arguments,
            )
            click.echo(f"Order {order.number} is now {order.status}; documents queued.")
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc


@main.command("worker")
@click.option("--once", is_flag=True, help="One pass over due documents, then exit.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between idle polls.")
@with_appcontext
def worker_command(once: bool, interval: float) -> None:
    """Deliver queued outbound documents and e-mails (several workers may run at once)."""

    config = current_app.config
    settings = WorkerSettings(
        worker_id=f"{socket.gethostname()}:{os.getpid()}",
        encryption_key=config["GATEWAY_ENCRYPTION_KEY"],
        max_attempts=config["GATEWAY_OUTBOX_MAX_ATTEMPTS"],
        backoff_base=config["GATEWAY_OUTBOX_BACKOFF"],
        base_url=config["GATEWAY_BASE_URL"],
    )
    transport = Transport(
        connect_timeout=config["GATEWAY_OUTBOUND_CONNECT_TIMEOUT"],
        read_timeout=config["GATEWAY_OUTBOUND_READ_TIMEOUT"],
        max_response_bytes=config["GATEWAY_OUTBOUND_MAX_RESPONSE"],
    )
    while True:
        outcomes = deliver_due(
            _database(),
            transport=transport,
            settings=settings,
            now=utcnow(),
            mailer=Mailer.from_config(config),
        )
        for outcome in outcomes:
            click.echo(f"{outcome.status}: {outcome.reason}")
        if once:
            return
        if not outcomes:
            time.sleep(interval)


@main.group("outbox")
def outbox_group() -> None:
    """Outbound documents: what is queued, sent or dead-lettered."""


@outbox_group.command("list")
@click.option("--status", type=click.Choice(["pending", "sent", "dead"]))
@with_appcontext
def outbox_list_command(status: str | None) -> None:
    """List outbound documents with their state and last error."""

    with _database().session_scope() as session:
        for message in list_messages(session, status=status):
            click.echo(
                f"{message.id:>6}  {message.status:<7} {message.document_type:<20} "
                f"attempts={message.attempts} {message.payload_id}  {message.last_error}"
            )


@outbox_group.command("resend")
@click.argument("message_id", type=int)
@with_appcontext
def outbox_resend_command(message_id: int) -> None:
    """Queue a dead-lettered document again (same payloadID)."""

    try:
        with _database().session_scope() as session:
            message = resend(session, message_id=message_id, now=utcnow())
            click.echo(f"Outbox message {message.id} queued again ({message.payload_id}).")
    except InvalidInput as exc:
        raise click.UsageError(str(exc)) from exc


main.add_command(cxml_group)
main.add_command(oci_group)
main.add_command(messages_group)


def _init() -> None:
    database = _database()
    upgrade(database.engine)
    with database.session_scope() as session:
        sync_default_roles(session)


def _seed() -> None:
    with _database().session_scope() as session:
        summary = seed_demo(session, digest_key=current_app.config["GATEWAY_DIGEST_KEY"])
    click.echo(f"Demo data: {summary.products} products, customers {', '.join(summary.customers)}.")
    click.echo(f"Shop logins (password {DEMO_PASSWORD!r}):")
    for email in summary.users:
        click.echo(f"  {email}")
    click.echo(
        "cXML partner demo-cxml: identity NetworkID:AN01000000001, shared secret 'demo-secret', "
        "return URLs under http://127.0.0.1 and http://localhost"
    )
    click.echo(
        "OCI partner demo-oci: USERNAME 'demo-oci', PASSWORD 'demo', "
        "HOOK_URLs under http://127.0.0.1 and http://localhost; see fixtures/oci/"
    )
    click.echo(
        "Administration: log in as admin@supplier.demo for /admin/partners, /admin/messages "
        "and the buyer simulator at /tools/simulator (when GATEWAY_SIMULATOR is on)"
    )
