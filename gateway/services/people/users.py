"""Users and their links to customers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import APPROVAL_REQUIRED_ROLES, DEFAULT_ROLES, INTERNAL_ROLE_NAMES
from gateway.errors import InvalidInput
from gateway.models import Membership, Organisation, Role, RoleKind, User

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path


def email_address(raw: str, *, refusal: str = "Enter a valid e-mail address.") -> str:
    """The address as users are stored and looked up (trimmed, lower case), or InvalidInput."""
    address = raw.strip().lower()
    if "@" not in address or address.startswith("@") or len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput(refusal)
    return address


def role_named(session: Session, name: str) -> Role:
    """A built-in role (a template or a staff role) by name (seeded by `gateway init`); a
    customer's own roles are in `roles.customer_role`."""
    role = session.scalar(select(Role).where(Role.organisation_id.is_(None), Role.name == name))
    if role is None:
        raise LookupError(f"role {name!r} is not seeded")
    return role


def membership(session: Session, *, user: User, organisation: Organisation) -> Membership | None:
    """The user's link to one customer, if any."""
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )


def sync_default_roles(session: Session) -> None:
    """Create the built-in roles that are missing; existing roles keep their (edited) rights."""
    existing = set(session.scalars(select(Role.name).where(Role.organisation_id.is_(None))))
    for name, permissions in DEFAULT_ROLES.items():
        if name not in existing:
            session.add(
                Role(
                    name=name,
                    permissions=sorted(permissions),
                    kind=RoleKind.INTERNAL if name in INTERNAL_ROLE_NAMES else RoleKind.CUSTOMER,
                    requires_approval=name in APPROVAL_REQUIRED_ROLES,
                )
            )
    session.flush()
