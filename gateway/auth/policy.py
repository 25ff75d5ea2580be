"""The one place that decides access: `can` and `require`.

Targets are recognised by their model class (a `Role`, a customer `Organisation`, an `Order`);
any other target is an object of one customer (`OrganisationScoped`). The models never import
this module, so the import graph stays acyclic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from gateway.auth.permissions import Permission, forbidden_while_assisting, is_internal
from gateway.errors import ForbiddenWhileAssisting, NotFound, PermissionDenied
from gateway.models import Order, Organisation, Role
from gateway.models.user import RoleKind

log = logging.getLogger(__name__)


class OrganisationScoped(Protocol):
    """Any object that belongs to one customer."""

    id: int
    organisation_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who acts, for which customer, with which rights (read from the role on every request).

    The role's settings travel along: `requires_approval`, the catalogs whose products need
    approval, and the hard order-value limits. A
    supervisor knows the users whose orders they approve (`supervises`). While a staff member
    shops as a customer (`assisting`), `permissions` are the subject's and the policy refuses
    what b2b-rules I-6 forbids.
    """

    user_id: int
    organisation_id: int
    permissions: frozenset[str]
    role: str = ""
    role_id: int | None = None
    requires_approval: bool = False
    min_order_value: Decimal | None = None
    max_order_value: Decimal | None = None
    # The role's "by catalog" approval rule: orders with products of these catalogs wait.
    approval_catalog_ids: frozenset[int] = field(default_factory=frozenset)
    supervises: frozenset[int] = field(default_factory=frozenset)
    # Staff: the customers a sales agent is assigned; while shopping as a customer, the staff
    # member who really acts (the actor of I-2; `user_id` is then the subject).
    assigned: frozenset[int] = field(default_factory=frozenset)
    acting_staff_id: int | None = None

    @property
    def assisting(self) -> bool:
        """A staff member shops as this customer: `acting_staff_id` really acts (I-2)."""
        return self.acting_staff_id is not None


Target = Role | Organisation | OrganisationScoped
"""What an object rule can be about: a role to hand out, a customer, or a customer's object."""


def can(actor: Actor, permission: Permission, target: Target | None = None) -> bool:
    """True when `actor` holds `permission` and the object rules for `target` allow it.

    While assisting, an internal right or one of `IMPERSONATION_FORBIDDEN` is never allowed,
    whatever the subject's role holds (I-6). Object rules: a staff right on a customer (an
    `Organisation`) reaches every customer with `staff:customer:read_all`, else only the sales
    agent's assigned ones; a customer-side right reaches the active customer only. An
    organisation-scoped target must be of the actor's active customer. For
    `shop:order:approve` the target must be an order that is not the actor's own (no
    self-approval, A-2) and a colleague's order the actor oversees: everyone's with
    `shop:order:read_all` (superusers), else only the supervised users'. For
    `account:user:write` with a role as target, the role must be one of the active customer's,
    customer-side and grant nothing the actor lacks (O-5); for `account:role:write` it must be
    one of the active customer's roles; for `admin:role:write` a built-in template (a
    customer-side role of no customer).
    """
    if actor.assisting and forbidden_while_assisting(permission):
        return False
    if permission not in actor.permissions or target is None:
        return permission in actor.permissions
    if isinstance(target, Role):
        return _may_handle_role(actor, permission, target)
    if not _within_reach(actor, permission, target):
        return False
    if permission == Permission.ORDER_APPROVE:
        return isinstance(target, Order) and _may_approve(actor, target.user_id)
    return True


def reachable_customers(actor: Actor, permission: Permission) -> frozenset[int] | None:
    """The customers an internal right on customers' figures reaches: None for every customer
    (`staff:customer:read_all`), else the sales agent's assigned ones; none without the right."""
    if not can(actor, permission):
        return frozenset()
    if Permission.STAFF_CUSTOMER_READ_ALL in actor.permissions:
        return None
    return actor.assigned


def _may_handle_role(actor: Actor, permission: Permission, role: Role) -> bool:
    if permission == Permission.ACCOUNT_USER_WRITE:
        return assignable(actor, role)
    if permission == Permission.ACCOUNT_ROLE_WRITE:
        return role.organisation_id == actor.organisation_id and customer_side(role)
    if permission == Permission.ADMIN_ROLE_WRITE:
        return role.organisation_id is None and role.kind == RoleKind.CUSTOMER
    return False


def _within_reach(actor: Actor, permission: Permission, target: Target) -> bool:
    if isinstance(target, Role):  # another customer's role is out of reach; shared ones are not
        return target.organisation_id is None or target.organisation_id == actor.organisation_id
    if isinstance(target, Organisation):
        if is_internal(permission):
            return Permission.STAFF_CUSTOMER_READ_ALL in actor.permissions or (
                target.id in actor.assigned
            )
        return target.id == actor.organisation_id
    return target.organisation_id == actor.organisation_id


def _may_approve(actor: Actor, owner: int | None) -> bool:
    if owner is None or owner == actor.user_id:
        return False
    return Permission.ORDER_READ_ALL in actor.permissions or owner in actor.supervises


def require(actor: Actor, permission: Permission, target: Target | None = None) -> None:
    """Raise unless `can`; an object out of the actor's reach (another customer's) is reported
    as not found, never forbidden. A right refused while assisting is ForbiddenWhileAssisting,
    whatever the target (the answer tells nothing about it)."""
    if actor.assisting and forbidden_while_assisting(permission):
        raise ForbiddenWhileAssisting(f"not while shopping as a customer: {permission.value}")
    if target is not None and not _within_reach(actor, permission, target):
        raise foreign(actor, type(target).__name__, target.id)
    if not can(actor, permission, target):
        raise PermissionDenied(f"missing right {permission.value}")


def require_in_person(actor: Actor) -> None:
    """Raise ForbiddenWhileAssisting for what only the user in person does, whatever the role:
    their password, the customers they switch between, the customer's consent to assistance,
    decisions on orders (I-6)."""
    if actor.assisting:
        raise ForbiddenWhileAssisting("only the user in person may do this")


def foreign(actor: Actor, kind: str, object_id: object, message: str = "Not found.") -> NotFound:
    """The NotFound for an object outside the actor's scope, logged as an authorisation failure
    (the answer itself says no more than for an object that does not exist: pass the caller's
    `message` for a missing one)."""
    log.warning(
        "authorisation failure: user %s acting for customer %s asked for %s %s",
        actor.user_id,
        actor.organisation_id,
        kind,
        object_id,
    )
    return NotFound(message)


def assignable(actor: Actor, role: Role) -> bool:
    """A customer's superuser may hand out one of the customer's own customer-side roles whose
    rights they all hold."""
    return (
        role.organisation_id == actor.organisation_id
        and customer_side(role)
        and set(role.permissions) <= actor.permissions
    )


def customer_side(role: Role) -> bool:
    """A role customers' users may hold: of the customer kind, granting no staff right (S-3)."""
    return role.kind == RoleKind.CUSTOMER and not any(is_internal(r) for r in role.permissions)
