"""The one place that decides access: `can` and `require`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gateway.auth.permissions import Permission
from gateway.errors import NotFound, PermissionDenied


class OrganisationScoped(Protocol):
    """Any object that belongs to one customer."""

    organisation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who acts, for which customer, with which rights (read from the role on every request)."""

    user_id: int
    organisation_id: int
    permissions: frozenset[str]


def can(actor: Actor, permission: Permission, target: OrganisationScoped | None = None) -> bool:
    """True when `actor` holds `permission` and `target` (if any) is of the actor's customer."""
    if permission not in actor.permissions:
        return False
    return target is None or target.organisation_id == actor.organisation_id


def require(actor: Actor, permission: Permission, target: OrganisationScoped | None = None) -> None:
    """Raise unless `can`; another customer's object is reported as not found, never forbidden."""
    if target is not None and target.organisation_id != actor.organisation_id:
        raise NotFound("not found")
    if not can(actor, permission, target):
        raise PermissionDenied(f"missing right {permission.value}")
