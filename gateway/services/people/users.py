"""Users and their links to customers."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import APPROVAL_REQUIRED_ROLES, DEFAULT_ROLES, INTERNAL_ROLE_NAMES
from gateway.errors import InvalidInput
from gateway.models import Membership, Organisation, Role, RoleKind, User

_NOT_LOCAL = re.compile(r"[^a-z0-9._-]+")
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path


def email_address(raw: str, *, refusal: str = "Enter a valid e-mail address.") -> str:
    """The address as users are stored and looked up (trimmed, lower case), or InvalidInput."""
    address = raw.strip().lower()
    if "@" not in address or address.startswith("@") or len(address) > MAX_EMAIL_LENGTH:
        raise InvalidInput(refusal)
    return address


def role_named(session: Session, name: str) -> Role:
    """A role by name (roles are seeded by `gateway init`)."""
    role = session.scalar(select(Role).where(Role.name == name))
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


def punchout_user(
    session: Session,
    *,
    organisation: Organisation,
    partner_name: str,
    email: str | None,
    name: str | None,
    role_name: str,
) -> User:
    """The user a punchout acts for, created (and linked to the customer) on first use.

    Buyers identify users by UserEmail or UniqueName; without either the partner's shared
    punchout user is used. The address is only an identifier: no password is ever set.
    """
    address = (email or "").strip().lower()
    if "@" not in address:
        local = _NOT_LOCAL.sub("-", (name or "punchout").strip().lower()).strip("-") or "punchout"
        domain = _NOT_LOCAL.sub("-", partner_name.lower()).strip("-") or "partner"
        address = f"{local[:64]}@{domain}.punchout.invalid"
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        user = User(email=address, name=(name or "").strip()[:200], password_hash=None)
        session.add(user)
        session.flush()
    if membership(session, user=user, organisation=organisation) is None:
        session.add(
            Membership(user=user, organisation=organisation, role=role_named(session, role_name))
        )
        session.flush()
    return user


def sync_default_roles(session: Session) -> None:
    """Create the built-in roles that are missing; existing roles keep their (edited) rights."""
    existing = set(session.scalars(select(Role.name)))
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
