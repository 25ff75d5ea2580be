"""Who may use the administration pages: a logged-in shop user whose role holds the right."""

from __future__ import annotations

from flask import abort, redirect, request, url_for

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.web import context


def staff_actor(permission: Permission) -> Actor:
    """The actor of this request if it holds `permission`; else a login redirect or 403.

    The login returns to the same page, query string included, for GET requests.
    """
    shopper = context.current_shopper()
    if shopper is None:
        target = request.full_path.rstrip("?") if request.method == "GET" else request.path
        abort(redirect(url_for("shop.login", next=target)))
    require(shopper.actor, permission)
    return shopper.actor
