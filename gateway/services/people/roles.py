"""Roles per customer (issue 17): the built-in templates, each customer's copies, and the role
editor of a customer's superuser.

A customer-side role belongs to one customer (`Role.organisation_id`); its name is unique
there. The built-in roles without a customer are templates, managed by the supplier's admin
(`admin:role:write`); a new customer starts with copies of them (`copy_templates`), which its
superuser changes (`account:role:write`). Staff roles stay global. Every role is read on every
request, so a change reaches every holder at their next request (b2b-rules O-2); every change of
a customer's role goes to the customer's change history with before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission, is_internal
from gateway.auth.policy import Actor, foreign, require
from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalTier,
    Catalog,
    Invitation,
    InvitationState,
    Membership,
    Role,
    RoleKind,
    organisation_catalog,
)
from gateway.services import audit
from gateway.services.people import staff

MAX_NAME_LENGTH = 64
MAX_ID_DIGITS = 9  # a posted role id; longer digit strings are names (and unknown)
CUSTOMER_RIGHTS = tuple(sorted(p for p in Permission if not is_internal(p)))
"""The rights a customer's role may hold, in the order the editor shows them."""
STAFF_RIGHT_REFUSED = "Staff rights cannot be given to a customer's role: {rights}."
LOCKOUT_REFUSED = (
    "You hold this role yourself: keep the rights to manage users and roles, or ask another "
    "superuser."
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleData:
    """What the role editor writes (allow-listed fields; nothing else of a role is writable)."""

    name: str
    permissions: frozenset[str] = frozenset()
    min_order_value: Decimal | None = None
    max_order_value: Decimal | None = None
    needs_approval: bool = False
    approval_catalog_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleRow:
    """A role in the list, with how many users hold it."""

    role: Role
    holders: int


# Templates and copies ---------------------------------------------------------------------------


def templates(session: Session) -> list[Role]:
    """The built-in customer-side roles new customers copy, by name."""
    return list(
        session.scalars(
            select(Role)
            .where(Role.organisation_id.is_(None), Role.kind == RoleKind.CUSTOMER)
            .order_by(Role.name)
        )
    )


def copy_templates(session: Session, *, organisation_id: int) -> list[Role]:
    """Give a customer its own copies of the templates, once: a customer that has roles already
    keeps them as they are (it may have changed or deleted some)."""
    if session.scalar(select(Role.id).where(Role.organisation_id == organisation_id).limit(1)):
        return []
    copies = [
        Role(
            organisation_id=organisation_id,
            name=template.name,
            permissions=list(template.permissions),
            kind=RoleKind.CUSTOMER,
            min_order_value=template.min_order_value,
            max_order_value=template.max_order_value,
            requires_approval=template.requires_approval,
            approval_catalogs=list(template.approval_catalogs),
        )
        for template in templates(session)
    ]
    session.add_all(copies)
    session.flush()
    return copies


def customer_role(session: Session, *, organisation_id: int, name: str) -> Role:
    """The customer's role of this name; where the customer has none, the template (a punchout
    partner's default role, staff ordering directly for a customer). LookupError when neither
    exists."""
    role = session.scalar(
        select(Role).where(Role.organisation_id == organisation_id, Role.name == name)
    )
    if role is None:
        role = session.scalar(select(Role).where(Role.organisation_id.is_(None), Role.name == name))
    if role is None:
        raise LookupError(f"role {name!r} is not seeded")
    return role


def lookup(session: Session, *, organisation_id: int, value: str) -> Role | None:
    """The role a form names, by id (what the pages post) or by name within the customer; a
    global role (template or staff) by name, so that the policy can refuse it. None: unknown."""
    value = value.strip()[:MAX_NAME_LENGTH]
    if value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS:
        by_id = session.get(Role, int(value))
        if by_id is not None:
            return by_id
    return session.scalar(
        select(Role).where(Role.organisation_id == organisation_id, Role.name == value)
    ) or session.scalar(select(Role).where(Role.organisation_id.is_(None), Role.name == value))


# The customer's role editor ---------------------------------------------------------------------


def customer_roles(session: Session, *, actor: Actor) -> list[RoleRow]:
    """The active customer's roles, by name, with their number of holders."""
    require(actor, Permission.ACCOUNT_ROLE_WRITE)
    holders = dict(
        session.execute(
            select(Membership.role_id, func.count(Membership.id))
            .where(Membership.organisation_id == actor.organisation_id)
            .group_by(Membership.role_id)
        ).all()
    )
    return [
        RoleRow(role=role, holders=holders.get(role.id, 0))
        for role in session.scalars(
            select(Role).where(Role.organisation_id == actor.organisation_id).order_by(Role.name)
        )
    ]


def customer_role_by_id(session: Session, *, actor: Actor, role_id: int) -> Role:
    """One of the active customer's roles; another customer's (or a template) is NotFound."""
    require(actor, Permission.ACCOUNT_ROLE_WRITE)
    role = session.get(Role, role_id)
    if role is None:
        raise NotFound("No such role.")
    if role.organisation_id != actor.organisation_id:
        raise foreign(actor, "role", role_id, "No such role.")
    require(actor, Permission.ACCOUNT_ROLE_WRITE, role)
    return role


def save_role(
    session: Session, *, actor: Actor, role_id: int | None, data: RoleData, now: datetime
) -> Role:
    """Create (`role_id` None) or change one of the active customer's roles; the change is in
    the customer's history with before and after, and reaches every holder at once."""
    require(actor, Permission.ACCOUNT_ROLE_WRITE)
    role = None if role_id is None else customer_role_by_id(session, actor=actor, role_id=role_id)
    name = _valid_name(session, organisation_id=actor.organisation_id, data=data, role=role)
    rights = _valid_rights(actor, data.permissions, role)
    catalogs = _customer_catalogs(session, actor=actor, ids=data.approval_catalog_ids)
    _valid_limits(data)
    before = _described(role) if role is not None else {}
    if role is None:
        role = Role(organisation_id=actor.organisation_id, kind=RoleKind.CUSTOMER)
        session.add(role)
    role.name = name
    role.permissions = rights
    role.min_order_value = data.min_order_value
    role.max_order_value = data.max_order_value
    role.requires_approval = data.needs_approval
    role.approval_catalogs = catalogs
    session.flush()
    after = _described(role)
    changes = {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }
    if changes:
        audit.record_change(
            session,
            actor=actor,
            action="role.edit" if before else "role.create",
            subject=role.name,
            changes=changes,
            now=now,
        )
    return role


def delete_role(session: Session, *, actor: Actor, role_id: int, now: datetime) -> None:
    """Delete one of the active customer's roles that nobody holds, no open invitation offers
    and no approval tier names."""
    role = customer_role_by_id(session, actor=actor, role_id=role_id)
    holders = session.scalar(select(func.count(Membership.id)).where(Membership.role_id == role.id))
    if holders:
        raise InvalidInput(
            f"Role {role.name!r} still has {holders} holder(s); give them another role first."
        )
    offered = session.scalar(
        select(func.count(Invitation.id)).where(
            Invitation.role_id == role.id, Invitation.state == InvitationState.PENDING
        )
    )
    if offered:
        raise InvalidInput(
            "Role “%(role)s” is offered by %(count)s open invitation(s); wait for the answers "
            "first.",
            role=role.name,
            count=offered,
        )
    if session.scalar(
        select(ApprovalGroupMember.id)
        .join(ApprovalGroup, ApprovalGroup.id == ApprovalGroupMember.group_id)
        .join(ApprovalTier, ApprovalTier.id == ApprovalGroup.tier_id)
        .where(ApprovalGroupMember.role_id == role.id)
        .limit(1)
    ):
        raise InvalidInput(
            f"Role {role.name!r} approves in the approval tiers; change the tiers first."
        )
    # Answered invitations keep their history without the role.
    for invitation in session.scalars(select(Invitation).where(Invitation.role_id == role.id)):
        invitation.role_id = None
    audit.record_change(
        session,
        actor=actor,
        action="role.delete",
        subject=role.name,
        changes={key: [value, None] for key, value in _described(role).items()},
        now=now,
    )
    session.delete(role)
    session.flush()


def _valid_name(
    session: Session, *, organisation_id: int | None, data: RoleData, role: Role | None
) -> str:
    name = " ".join(data.name.split())
    if not name:
        raise InvalidInput("Enter the role's name.")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A role's name may be at most {MAX_NAME_LENGTH} characters.")
    taken = select(Role.id).where(
        Role.name == name,
        Role.organisation_id == organisation_id
        if organisation_id is not None
        else Role.organisation_id.is_(None),
    )
    if role is not None:
        taken = taken.where(Role.id != role.id)
    if session.scalar(taken) is not None:
        raise InvalidInput(f"There is a role named {name!r} already.")
    return name


def _valid_rights(actor: Actor, wanted: frozenset[str], role: Role | None) -> list[str]:
    """Customer-side rights only; a right the editor lacks only where the role had it already
    (no escalation, O-5); the editor keeps the rights to manage users and roles on their own
    role (no lock-out)."""
    known = {p.value for p in Permission}
    unknown = sorted(wanted - known)
    if unknown:
        raise InvalidInput(f"Unknown right(s): {', '.join(r[:40] for r in unknown[:5])}.")
    staff_rights = sorted(r for r in wanted if is_internal(r))
    if staff_rights:
        raise InvalidInput(STAFF_RIGHT_REFUSED.format(rights=", ".join(staff_rights)))
    had = set(role.permissions) if role is not None else set()
    beyond = sorted(wanted - actor.permissions - had)
    if beyond:
        raise InvalidInput(
            f"You can only give rights you hold yourself; you lack {', '.join(beyond)}."
        )
    lost = (had - wanted) & {Permission.ACCOUNT_ROLE_WRITE, Permission.ACCOUNT_USER_WRITE}
    if role is not None and role.id == actor.role_id and lost:
        raise InvalidInput(LOCKOUT_REFUSED)
    return sorted(wanted)


def _valid_limits(data: RoleData) -> None:
    low, high = data.min_order_value, data.max_order_value
    for value in (low, high):
        if value is not None and value < 0:
            raise InvalidInput("Order values cannot be negative.")
    if low is not None and high is not None and low > high:
        raise InvalidInput("The minimum order value is above the maximum.")


def _customer_catalogs(session: Session, *, actor: Actor, ids: frozenset[int]) -> list[Catalog]:
    held = set(
        session.scalars(
            select(organisation_catalog.c.catalog_id).where(
                organisation_catalog.c.organisation_id == actor.organisation_id
            )
        )
    )
    if ids - held:
        raise foreign(actor, "catalog", sorted(ids - held), "No such catalog.")
    if not ids:
        return []
    return list(session.scalars(select(Catalog).where(Catalog.id.in_(ids)).order_by(Catalog.name)))


def _described(role: Role) -> dict[str, str | None]:
    """A role's fields as the change history shows them."""
    return {
        "name": role.name,
        "permissions": ", ".join(sorted(role.permissions)),
        "min_order_value": _amount(role.min_order_value),
        "max_order_value": _amount(role.max_order_value),
        "needs_approval": "yes" if role.requires_approval else "no",
        "approval_catalogs": ", ".join(c.name for c in role.approval_catalogs),
    }


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# Templates: the supplier's admin ----------------------------------------------------------------


def role_templates(session: Session, *, actor: Actor) -> list[Role]:
    """The templates, for the supplier's admin."""
    require(actor, Permission.ADMIN_ROLE_WRITE)
    return templates(session)


def template(session: Session, *, actor: Actor, role_id: int) -> Role:
    """One built-in template; anything else is NotFound."""
    require(actor, Permission.ADMIN_ROLE_WRITE)
    role = session.get(Role, role_id)
    if role is None or role.organisation_id is not None or role.kind != RoleKind.CUSTOMER:
        raise NotFound("No such role template.")
    return role


def save_template(
    session: Session, *, actor: Actor, role_id: int, data: RoleData, now: datetime
) -> Role:
    """Change a template: customers created from now on start with it (existing customers keep
    their copies). Staff rights are refused as for a customer's role; templates name no
    catalogs (catalogs are the customers')."""
    role = template(session, actor=actor, role_id=role_id)
    name = _valid_name(session, organisation_id=None, data=data, role=role)
    unknown = sorted(data.permissions - {p.value for p in Permission})
    if unknown:
        raise InvalidInput(f"Unknown right(s): {', '.join(r[:40] for r in unknown[:5])}.")
    staff_rights = sorted(r for r in data.permissions if is_internal(r))
    if staff_rights:
        raise InvalidInput(STAFF_RIGHT_REFUSED.format(rights=", ".join(staff_rights)))
    _valid_limits(data)
    before = _described(role)
    role.name = name
    role.permissions = sorted(data.permissions)
    role.min_order_value = data.min_order_value
    role.max_order_value = data.max_order_value
    role.requires_approval = data.needs_approval
    session.flush()
    after = _described(role)
    changes = {key: [before[key], value] for key, value in after.items() if before[key] != value}
    if changes:
        audit.record(
            session,
            organisation_id=_supplier_id(session),
            actor_id=actor.user_id,
            action="role.template",
            subject=role.name,
            changes=changes,
            now=now,
        )
    return role


def _supplier_id(session: Session) -> int:
    return staff.supplier(session).id
