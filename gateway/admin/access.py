"""Who may use the administration pages: a logged-in shop user whose role holds the right."""

from __future__ import annotations

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.shop import context


def staff_actor(permission: Permission) -> Actor:
    """The actor of this request if it holds `permission`; else a login redirect or 403."""
    shopper = context.require_shopper()
    require(shopper.actor, permission)
    return shopper.actor
