"""Staff accounts: the supplier's own organisation, who is staff, and the admins' management of
staff accounts and their internal roles (b2b-rules S-3). Staff work on customers is in
`customers`; the audit log in `gateway.services.audit`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.errors import InvalidInput, PermissionDenied
from gateway.models import AgentAssignment, Membership, Organisation, Role, RoleKind, User
from gateway.services import audit
from gateway.services.labels import N_
from gateway.services.people import invitations
from gateway.services.people.users import email_address

SUPPLIER_NUMBER = "SUPPLIER"
"""The supplier's own organisation: staff accounts are linked to it with an internal role."""

MAX_FIELD = 200


def is_staff(session: Session, *, user_id: int) -> bool:
    """True for a user holding an internal role anywhere (staff are never impersonated, I-1)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Membership.user_id == user_id,
                    Membership.role_id == Role.id,
                    Role.kind == RoleKind.INTERNAL,
                )
            )
        )
    )


def staff_actor(session: Session, *, email: str) -> Actor:
    """A staff member acting from the command line: the rights of their staff role (a sales
    agent's reach is their assigned customers). InvalidInput for anyone but an active staff
    account, so a command never acts as a customer's user or as nobody."""
    address = email_address(email)
    link = session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .join(Role, Role.id == Membership.role_id)
        .where(
            User.email == address, User.active, Membership.active, Role.kind == RoleKind.INTERNAL
        )
    )
    if link is None:
        raise InvalidInput(f"{address} is not an active staff account.")
    return Actor(
        user_id=link.user_id,
        organisation_id=link.organisation_id,
        permissions=frozenset(link.role.permissions),
        role=link.role.name,
        assigned=frozenset(
            session.scalars(
                select(AgentAssignment.organisation_id).where(
                    AgentAssignment.agent_id == link.user_id
                )
            )
        ),
    )


def supplier(session: Session, *, name: str = "Supplier staff (internal)") -> Organisation:
    """The supplier's own organisation (staff accounts belong to it; it never buys), created
    with `name` on first use."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == SUPPLIER_NUMBER)
    )
    if organisation is None:
        organisation = Organisation(number=SUPPLIER_NUMBER, name=name)
        session.add(organisation)
        session.flush()
    return organisation


def staff_members(session: Session, *, actor: Actor) -> list[Membership]:
    """Every staff account with its internal role."""
    require(actor, Permission.ADMIN_STAFF_WRITE)
    return list(
        session.scalars(
            select(Membership)
            .join(Role, Role.id == Membership.role_id)
            .join(User, User.id == Membership.user_id)
            .where(Role.kind == RoleKind.INTERNAL)
            .order_by(User.email)
        )
    )


def internal_roles(session: Session) -> list[Role]:
    """The staff roles."""
    return list(
        session.scalars(select(Role).where(Role.kind == RoleKind.INTERNAL).order_by(Role.name))
    )


def save_staff(
    session: Session,
    *,
    actor: Actor,
    email: str,
    name: str,
    role_name: str,
    now: datetime,
    invitation_ttl: int,
    mail_key: str,
) -> User:
    """Create a staff account with a role, or change an existing staff member's role (admins).

    A new account is invited by e-mail (the mail sealed with `mail_key`). Customer users cannot
    be made staff here (they would become un-impersonable customers' users with staff rights);
    an admin cannot change their own role.
    """
    require(actor, Permission.ADMIN_STAFF_WRITE)
    role = session.scalar(
        select(Role).where(Role.name == role_name, Role.kind == RoleKind.INTERNAL)
    )
    if role is None:
        raise InvalidInput("Choose a staff role.")
    address = email_address(email)
    home = supplier(session)
    user = session.scalar(select(User).where(User.email == address))
    if user is not None and user.id == actor.user_id:
        raise PermissionDenied("You cannot change your own role.")
    if user is None:
        user = User(email=address, name=name.strip()[:MAX_FIELD], password_hash=None)
        session.add(user)
        session.flush()
        invitations.issue(
            session,
            user=user,
            organisation_id=home.id,
            wording=invitations.Wording(
                subject=N_("Your staff account for the shop"),
                opening=N_("You can now use the supplier's staff pages of the shop."),
                locale=session.get_one(User, actor.user_id).locale,
            ),
            now=now,
            ttl_seconds=invitation_ttl,
            mail_key=mail_key,
        )
    elif session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id != home.id
        )
    ):
        raise InvalidInput(f"{address} is a customer's user; staff need their own account.")
    link = session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == home.id
        )
    )
    before = link.role.name if link else None
    if link is None:
        session.add(Membership(user_id=user.id, organisation_id=home.id, role=role))
    else:
        link.role = role
    audit.record(
        session,
        organisation_id=home.id,
        actor_id=actor.user_id,
        action="staff.role",
        subject=address,
        now=now,
        changes={"role": [before, role.name]},
    )
    return user
