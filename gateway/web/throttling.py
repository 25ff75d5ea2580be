"""Throttling at the web boundary: which keys a request counts under, and the 429 answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, make_response, render_template, request

from gateway.services.throttle import Key, Limit


def login_keys(account: str, kind: str = "login") -> list[Key]:
    """Count a failed login under the account and under the client's address."""
    return keys_for(account, kind=kind, address=request.remote_addr, config=current_app.config)


def keys_for(
    account: str, *, kind: str, address: str | None, config: Mapping[str, Any]
) -> list[Key]:
    """`login_keys` for a client `address` and settings `config` given, not the request's."""
    window = timedelta(seconds=config["GATEWAY_LOGIN_WINDOW"])
    return [
        Key(f"{kind}-account", account, Limit(config["GATEWAY_LOGIN_ATTEMPTS"], window)),
        Key(
            f"{kind}-address",
            address or "",
            Limit(config["GATEWAY_LOGIN_ADDRESS_ATTEMPTS"], window),
        ),
    ]


def reset_keys(address: str) -> list[Key]:
    """Count a password-reset request under the address asked for and the client's address."""
    config = current_app.config
    window = timedelta(seconds=config["GATEWAY_RESET_WINDOW"])
    return [
        Key("reset-account", address, Limit(config["GATEWAY_RESET_ATTEMPTS"], window)),
        Key(
            "reset-address",
            request.remote_addr or "",
            Limit(config["GATEWAY_RESET_ADDRESS_ATTEMPTS"], window),
        ),
    ]


def cxml_keys(identity: str) -> list[Key]:
    """Count a cXML request that failed authentication under the sender's From identity and
    the client's address (the same limits as a password login)."""
    return login_keys(identity, kind="cxml")


def too_many_attempts(wait_seconds: int) -> Response:
    """429 with Retry-After: the attempt was not even checked."""
    minutes = max((wait_seconds + 59) // 60, 1)
    page = render_template(
        "message.html",
        title=HTTPStatus.TOO_MANY_REQUESTS.phrase,
        message=f"Too many failed attempts. Please try again in {minutes} minute(s).",
    )
    response = make_response(page, HTTPStatus.TOO_MANY_REQUESTS)
    response.headers["Retry-After"] = str(wait_seconds)
    return response
