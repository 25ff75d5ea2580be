"""The `gateway` command: a Flask CLI group around the app factory.

Commands call services inside one unit of work (commit on success, roll back on error) and
never touch the ORM themselves.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from gateway import create_app
from gateway.db import Database
from gateway.errors import InvalidInput
from gateway.migrate import upgrade
from gateway.services.demo import DEMO_PASSWORD, seed_demo
from gateway.services.partners import CART_ENCODINGS, CXMLPartnerSpec, add_cxml_partner
from gateway.services.users import sync_default_roles
from gateway.shop_cli import catalog_group, guests_group

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
    current_app.run(host=host, port=port, debug=False, use_reloader=False)


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
