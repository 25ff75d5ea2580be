"""Users and their links to customers."""

from __future__ import annotations

from zoneinfo import available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import APPROVAL_REQUIRED_ROLES, DEFAULT_ROLES, INTERNAL_ROLE_NAMES
from gateway.errors import InvalidInput
from gateway.models import Membership, Organisation, Role, RoleKind, User

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
MAX_NAME_LENGTH = 200
SETTING_LOCALES = ("nl", "en")


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


def save_settings(user: User, *, name: str, locale: str, time_zone: str) -> None:
    """A person's own settings: display name, language (`nl`, `en`, empty: the browser's) and
    time zone (an IANA name; empty: the shop's). InvalidInput names the first wrong field."""
    cleaned_name = name.strip()
    if len(cleaned_name) > MAX_NAME_LENGTH:
        raise InvalidInput("Your name may have at most 200 characters.")
    if locale not in ("", *SETTING_LOCALES):
        raise InvalidInput("Choose Nederlands or English.")
    zone = time_zone.strip()
    if zone and zone not in available_timezones():
        raise InvalidInput("Choose a time zone from the list, for example Europe/Amsterdam.")
    user.name = cleaned_name
    user.locale = locale or None
    user.time_zone = zone or None
