"""API tokens: create, list and revoke them, and recognise a presented one as an actor.

A token is shown once; only its keyed digest (HMAC-SHA256 under `GATEWAY_DIGEST_KEY`, as for the
partners' shared secrets) is stored. Each token acts through its own service user, which never
logs in (no password, inactive), so the services and the audit log name the token as the actor.
Its scopes give the actor the rights of `SCOPE_PERMISSIONS`; a token limited to some customers
reaches those only (the policy's `assigned`), an unlimited one every customer.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.credentials import secret_digest
from gateway.auth.permissions import SCOPE_PERMISSIONS, ApiScope, Permission
from gateway.auth.policy import Actor, require
from gateway.errors import GatewayError, InvalidInput, NotFound
from gateway.models import ApiToken, Organisation, User
from gateway.services import audit
from gateway.services.people.staff import SUPPLIER_NUMBER, supplier

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
TOKEN_PREFIX = "gwt_"  # noqa: S105 - a marker that makes a leaked token recognisable, no secret
MAX_EXPIRY_DAYS = 3650
SERVICE_DOMAIN = "api-tokens.invalid"  # service users' addresses: never deliverable


class TokenRefused(GatewayError, PermissionError):
    """A missing, unknown, expired or revoked token (answered 401)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenInfo:
    """A token as lists show it (never its value)."""

    name: str
    scopes: tuple[str, ...]
    customers: tuple[str, ...]  # customer numbers; empty: every customer
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """`active`, `expired` or `revoked`."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """An authenticated token: what the API needs for the rest of the request."""

    token_id: int
    name: str
    actor: Actor


def create_token(
    session: Session,
    *,
    name: str,
    scopes: Sequence[str],
    customers: Sequence[str] = (),
    expires_days: int | None = None,
    digest_key: str,
    now: datetime,
) -> tuple[ApiToken, str]:
    """A new token and its value (shown once). InvalidInput names the first wrong field."""
    name = name.strip().lower()
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidInput(
            "The name must be 1 to 64 lower-case letters, digits, dots, dashes or underscores."
        )
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise InvalidInput("A token named %(name)s exists already.", name=name)
    chosen = _scopes(scopes)
    if expires_days is not None and not 1 <= expires_days <= MAX_EXPIRY_DAYS:
        raise InvalidInput("A token expires after 1 to %(max)s days.", max=MAX_EXPIRY_DAYS)
    organisations = [_customer(session, number) for number in dict.fromkeys(customers)]
    user = User(email=f"{name}@{SERVICE_DOMAIN}", name=f"API token {name}", active=False)
    session.add(user)
    session.flush()
    value = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        digest=secret_digest(value, digest_key),
        scopes=chosen,
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
        customers=organisations,
    )
    session.add(token)
    session.flush()
    return token, value


def _scopes(scopes: Sequence[str]) -> list[str]:
    known = {scope.value for scope in ApiScope}
    unknown = [scope for scope in scopes if scope not in known]
    if unknown or not scopes:
        raise InvalidInput("Give one or more scopes of: %(known)s.", known=", ".join(sorted(known)))
    return sorted(set(scopes))


def _customer(session: Session, number: str) -> Organisation:
    organisation = session.scalar(
        select(Organisation).where(
            Organisation.number == number.strip()[:32], Organisation.number != SUPPLIER_NUMBER
        )
    )
    if organisation is None:
        raise InvalidInput("There is no customer %(number)s.", number=number.strip()[:32])
    return organisation


def list_tokens(session: Session) -> list[TokenInfo]:
    """Every token, by name."""
    return [
        TokenInfo(
            name=token.name,
            scopes=tuple(token.scopes),
            customers=tuple(customer.number for customer in token.customers),
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )
        for token in session.scalars(select(ApiToken).order_by(ApiToken.name))
    ]


def revoke_token(session: Session, *, name: str, now: datetime) -> None:
    """Revoke the token named `name` for good (revoking twice changes nothing)."""
    token = session.scalar(select(ApiToken).where(ApiToken.name == name.strip().lower()[:64]))
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()


def authenticate(session: Session, *, value: str, digest_key: str, now: datetime) -> Client:
    """The client a presented token value stands for; TokenRefused for a missing, unknown,
    expired or revoked token (the answer does not say which)."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 200:  # noqa: PLR2004 - sanity bound
        raise TokenRefused("missing or malformed token")
    token = session.scalar(
        select(ApiToken).where(ApiToken.digest == secret_digest(value, digest_key))
    )
    if token is None or token.revoked_at is not None:
        raise TokenRefused("unknown or revoked token")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused("expired token")
    return Client(token_id=token.id, name=token.name, actor=token_actor(session, token))


def token_actor(session: Session, token: ApiToken) -> Actor:
    """The actor of a token: its scopes' rights, reaching its customers (or all of them)."""
    rights: set[str] = set()
    for scope in token.scopes:
        rights |= SCOPE_PERMISSIONS.get(ApiScope(scope), frozenset())
    if not token.customers:
        rights.add(Permission.STAFF_CUSTOMER_READ_ALL)
    return Actor(
        user_id=token.user_id,
        organisation_id=supplier(session).id,
        permissions=frozenset(rights),
        role=f"api:{token.name}",
        assigned=frozenset(customer.id for customer in token.customers),
    )


def admin_tokens(session: Session, *, actor: Actor) -> list[TokenInfo]:
    """Every token, for an admin in the browser (the right to manage partners' secrets)."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    return list_tokens(session)


def admin_create(
    session: Session,
    *,
    actor: Actor,
    name: str,
    scopes: Sequence[str],
    customers: Sequence[str],
    expires_days: int | None,
    digest_key: str,
    now: datetime,
) -> tuple[ApiToken, str]:
    """`create_token` by an admin in the browser, audited."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    token, value = create_token(
        session,
        name=name,
        scopes=scopes,
        customers=customers,
        expires_days=expires_days,
        digest_key=digest_key,
        now=now,
    )
    audit.record_by(
        session,
        actor=actor,
        action="api_token.create",
        subject=token.name,
        now=now,
        note=", ".join(token.scopes),
    )
    return token, value


def admin_revoke(session: Session, *, actor: Actor, name: str, now: datetime) -> None:
    """`revoke_token` by an admin in the browser, audited."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    revoke_token(session, name=name, now=now)
    audit.record_by(session, actor=actor, action="api_token.revoke", subject=name, now=now)
