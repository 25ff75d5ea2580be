"""`gateway api token ...`: the bearer tokens of the suppliers' ERP systems (the REST API)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gateway.auth.permissions import ApiScope
from gateway.cli._common import database, usage_errors
from gateway.db import utcnow
from gateway.errors import NotFound
from gateway.services import api_tokens


@click.group("api")
def api_group() -> None:
    """The REST API under /api (see /api/docs)."""


@api_group.group("token")
def token_group() -> None:
    """Bearer tokens: create (shown once), list, revoke."""


@token_group.command("create")
@click.option("--name", required=True, help="Unique name; the audit log shows it as the actor.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice([scope.value for scope in ApiScope]),
    help="What the token may do (repeatable).",
)
@click.option(
    "--customer",
    "customers",
    multiple=True,
    help="Limit the token to this customer number (repeatable; none: every customer).",
)
@click.option("--expires", type=int, help="Days until the token expires (default: never).")
@with_appcontext
def token_create_command(
    name: str, scopes: tuple[str, ...], customers: tuple[str, ...], expires: int | None
) -> None:
    """Create a token and print it once, on the last line (only its digest is stored)."""
    with usage_errors(), database().session_scope() as session:
        token, value = api_tokens.create_token(
            session,
            name=name,
            scopes=scopes,
            customers=customers,
            expires_days=expires,
            digest_key=current_app.config["GATEWAY_DIGEST_KEY"],
            now=utcnow(),
        )
        click.echo(f"Token {token.name} with {', '.join(token.scopes)}; it is shown only once:")
    click.echo(value)


@token_group.command("list")
@with_appcontext
def token_list_command() -> None:
    """List the tokens: name, state, scopes, customers, expiry (never their values)."""
    now = utcnow()
    with database().session_scope() as session:
        tokens = api_tokens.list_tokens(session)
    for token in tokens:
        expiry = token.expires_at.date().isoformat() if token.expires_at else "never"
        click.echo(
            "\t".join(
                (
                    token.name,
                    token.state(now),
                    ",".join(token.scopes),
                    ",".join(token.customers) or "all customers",
                    f"expires {expiry}",
                )
            )
        )


@token_group.command("revoke")
@click.argument("name")
@with_appcontext
def token_revoke_command(name: str) -> None:
    """Revoke the token NAME for good."""
    try:
        with database().session_scope() as session:
            api_tokens.revoke_token(session, name=name, now=utcnow())
    except NotFound:
        raise click.UsageError(f"There is no token named {name}.") from None
    click.echo(f"Token {name} is revoked.")
