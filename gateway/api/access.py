"""Who calls the API: the Bearer token of each request, its rate limit, and its rights.

The token is checked and its call counted in a unit of work of its own, committed before the
view runs, so a call counts even when its answer is an error (whose work is rolled back) and
every host sharing the database counts against the same limit (`gateway.services.throttle`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, request

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.db import Database, utcnow
from gateway.errors import GatewayError, NotFound, PermissionDenied
from gateway.services import throttle
from gateway.services.api_tokens import Client, TokenRefused, authenticate

PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})


class RateLimited(GatewayError):
    """The token made too many calls in the current window (answered 429 with Retry-After)."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__("Too many calls with this token.")
        self.wait_seconds = wait_seconds


def refuse_nul_in_path() -> None:
    """A path naming something with a NUL character names nothing we store (404)."""
    if any("\0" in str(value) for value in (request.view_args or {}).values()):
        raise NotFound("Not found.")


def check_token() -> None:
    """Before every API view but the public ones: the Bearer token, then its rate limit."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TokenRefused("Send an API token as `Authorization: Bearer <token>`.")
    database: Database = current_app.extensions["gateway.db"]
    now = utcnow()
    with database.session_scope() as session:
        client = authenticate(
            session,
            value=value.strip(),
            digest_key=current_app.config["GATEWAY_DIGEST_KEY"],
            now=now,
        )
        key = throttle.Key(
            "api-token",
            str(client.token_id),
            throttle.Limit(
                current_app.config["GATEWAY_API_RATE_LIMIT"],
                timedelta(seconds=current_app.config["GATEWAY_API_RATE_WINDOW"]),
            ),
        )
        wait = throttle.retry_after(session, keys=[key], now=now)
        if wait is None:
            throttle.record_failure(session, keys=[key], now=now)  # here: one call, not a failure
    if wait is not None:
        raise RateLimited(wait)
    g.api_client = client


def client() -> Client:
    """The authenticated token of this request."""
    found: Client = g.api_client
    return found


def actor_with(permission: Permission) -> Actor:
    """The token's actor, after the policy agreed it holds `permission` (its scope's right)."""
    actor = client().actor
    try:
        require(actor, permission)
    except PermissionDenied:
        scope = permission.value.removeprefix("api:")
        raise PermissionDenied(f"This token lacks the scope {scope}.") from None
    return actor
