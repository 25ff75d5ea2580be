"""A customer's users, managed by its superuser: invite, (de)activate, their roles, catalogs and
supervisors. A person's name, e-mail address and password are theirs (`PERSONAL_FIELDS`).

Everything is scoped to `actor.organisation_id` (O-4): an id of another customer's user, budget
or catalog is NotFound. Roles are assignable only within the superuser's own rights and never
staff roles (O-5, `can(actor, ACCOUNT_USER_WRITE, role)`). Only the named fields are written:
callers pass keyword arguments, never a form (mass assignment).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.errors import InvalidInput
from gateway.models import (
    Catalog,
    Invitation,
    Membership,
    Organisation,
    Role,
    Supervision,
    User,
    membership_catalog,
    organisation_catalog,
)
from gateway.services import audit
from gateway.services.labels import N_
from gateway.services.people import invitations, roles, staff
from gateway.services.people.users import email_address

MAX_NAME_LENGTH = 200
MAX_INVITATIONS_SHOWN = 100
PERSONAL_FIELDS = ("name", "email", "password")
"""A person's own data, which a customer's superuser never changes."""
PERSONAL_DATA_REFUSED = (
    "A person's name, e-mail address and password are theirs to change; here you change their "
    "role, catalogs, supervisors and access at this customer."
)


def members(session: Session, *, actor: Actor) -> list[Membership]:
    """The active customer's users, by e-mail address."""
    require(actor, Permission.ACCOUNT_USER_WRITE)
    return list(
        session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == actor.organisation_id)
            .order_by(User.email)
        )
    )


def member(session: Session, *, actor: Actor, user_id: int) -> Membership:
    """One user's link to the active customer; a user of another customer is NotFound."""
    require(actor, Permission.ACCOUNT_USER_WRITE)
    link = session.scalar(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organisation_id == actor.organisation_id
        )
    )
    if link is None:
        raise foreign(actor, "user", user_id)
    return link


def assignable_roles(session: Session, *, actor: Actor) -> list[Role]:
    """The roles this superuser may hand out: the customer's own, customer-side, within their
    own rights, by name."""
    return [
        role
        for role in session.scalars(
            select(Role).where(Role.organisation_id == actor.organisation_id).order_by(Role.name)
        )
        if can(actor, Permission.ACCOUNT_USER_WRITE, role)
    ]


def _role(session: Session, *, actor: Actor, name: str) -> Role:
    """The role a form names (its id, or its name within the customer). Another customer's role
    is NotFound; a staff role or one beyond the superuser's rights PermissionDenied."""
    role = roles.lookup(session, organisation_id=actor.organisation_id, value=name)
    if role is None:
        raise InvalidInput("Unknown role %(role)r.", role=name[:64])
    require(actor, Permission.ACCOUNT_USER_WRITE, role)  # PermissionDenied: escalation
    return role


def invite(
    session: Session,
    *,
    actor: Actor,
    email: str,
    name: str,
    role_name: str,
    now: datetime,
    ttl_seconds: int,
    mail_key: str,
    locale: str | None = None,
) -> None:
    """Invite a person to the active customer with a role, and tell them by e-mail (queued in
    this transaction, in their language: their own setting, else the inviter's, else `locale`,
    the page's). They become a member only when they accept.

    A new address gets an account (with `name`) and a single-use link to choose a password, which
    accepts; an existing account is left as it is until its holder accepts or refuses while
    logged in. Both look the same to the superuser (no account enumeration). Staff accounts are
    never invited.
    """
    require(actor, Permission.ACCOUNT_USER_WRITE)
    address = email_address(email)
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("The name may be at most %(limit)s characters.", limit=MAX_NAME_LENGTH)
    role = _role(session, actor=actor, name=role_name)
    user = session.scalar(select(User).where(User.email == address))
    if user is not None:
        _invitable(session, actor=actor, user=user, now=now)
    else:
        user = User(email=address, name=name, password_hash=None)
        session.add(user)
        session.flush()
    inviter = session.get_one(User, actor.user_id)
    customer = session.get_one(Organisation, actor.organisation_id).name
    wording = invitations.Wording(
        subject=N_("You are invited to order for %(customer)s"),
        opening=N_("%(inviter)s invited you to the shop for %(customer)s."),
        values={"customer": customer, "inviter": inviter.name or inviter.email},
        locale=inviter.locale or locale,
    )
    if user.password_hash is None:
        invitations.issue(
            session,
            user=user,
            organisation_id=actor.organisation_id,
            wording=wording,
            now=now,
            ttl_seconds=ttl_seconds,
            mail_key=mail_key,
            role=role,
            invited_by_id=actor.user_id,
        )
    else:
        invitations.offer(
            session,
            user=user,
            organisation_id=actor.organisation_id,
            role=role,
            invited_by_id=actor.user_id,
            wording=wording,
            now=now,
            ttl_seconds=ttl_seconds,
        )
    audit.record_change(
        session,
        actor=actor,
        action="user.invite",
        subject=address,
        changes={"role": [None, role.name]},
        now=now,
    )
    session.flush()


def _invitable(session: Session, *, actor: Actor, user: User, now: datetime) -> None:
    """Refuse staff, members of the customer and people with an open invitation to it."""
    if staff.is_staff(session, user_id=user.id):
        raise InvalidInput(invitations.STAFF_NOT_INVITED)
    if session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == actor.organisation_id
        )
    ):
        raise InvalidInput("%(email)s is already a user of this customer.", email=user.email)
    if any(
        invitation.organisation_id == actor.organisation_id
        for invitation in invitations.pending(session, user_id=user.id, now=now)
    ):
        raise InvalidInput("%(email)s has an open invitation already.", email=user.email)


def sent_invitations(session: Session, *, actor: Actor) -> list[Invitation]:
    """The invitations the active customer's superusers sent, newest first, with their state."""
    require(actor, Permission.ACCOUNT_USER_WRITE)
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.organisation_id == actor.organisation_id,
                # sent by a superuser (a deleted role leaves an answered invitation without one)
                or_(Invitation.role_id.is_not(None), Invitation.invited_by_id.is_not(None)),
            )
            .options(selectinload(Invitation.user), selectinload(Invitation.role))
            .order_by(Invitation.id.desc())
            .limit(MAX_INVITATIONS_SHOWN)
        )
    )


def edit_member(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    role_name: str,
    now: datetime,
    personal: Mapping[str, str] | None = None,
) -> Membership:
    """Change a user's role at the active customer (not their other links).

    A person's name, e-mail address and password are their own, shared by every customer they
    belong to: a request to change any of them (`personal`, field name to value) is refused.
    """
    if any(value.strip() for value in (personal or {}).values()):
        raise InvalidInput(PERSONAL_DATA_REFUSED)
    link = member(session, actor=actor, user_id=user_id)
    _not_self(actor, link, "change your own role")
    require(actor, Permission.ACCOUNT_USER_WRITE, link.role)  # never edit a stronger user
    role = _role(session, actor=actor, name=role_name)
    changes: dict[str, list[str | None]] = {}
    if link.role_id != role.id:
        changes["role"] = [link.role.name, role.name]
        link.role = role
    audit.record_change(
        session, actor=actor, action="user.edit", subject=link.user.email, changes=changes, now=now
    )
    session.flush()
    return link


def set_active(
    session: Session, *, actor: Actor, user_id: int, active: bool, now: datetime
) -> Membership:
    """Deactivate or reactivate a user at the active customer only; deactivation ends their
    sessions there at once (the role is read on every request)."""
    link = member(session, actor=actor, user_id=user_id)
    _not_self(actor, link, "deactivate yourself")
    require(actor, Permission.ACCOUNT_USER_WRITE, link.role)
    if link.active != active:
        audit.record_change(
            session,
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            subject=link.user.email,
            changes={"active": [str(link.active), str(active)]},
            now=now,
        )
        link.active = active
    session.flush()
    return link


def set_catalogs(
    session: Session, *, actor: Actor, user_id: int, catalog_ids: set[int], now: datetime
) -> Membership:
    """Narrow a user's assortment to these catalogs of the customer (none: all of them)."""
    require(actor, Permission.ACCOUNT_CATALOG_ASSIGN)
    link = member(session, actor=actor, user_id=user_id)
    held = set(
        session.scalars(
            select(organisation_catalog.c.catalog_id).where(
                organisation_catalog.c.organisation_id == actor.organisation_id
            )
        )
    )
    if catalog_ids - held:
        raise foreign(actor, "catalog", sorted(catalog_ids - held))
    session.execute(delete(membership_catalog).where(membership_catalog.c.membership_id == link.id))
    for catalog_id in sorted(catalog_ids):
        session.execute(
            membership_catalog.insert().values(membership_id=link.id, catalog_id=catalog_id)
        )
    names = session.scalars(select(Catalog.name).where(Catalog.id.in_(catalog_ids))).all()
    audit.record_change(
        session,
        actor=actor,
        action="user.catalogs",
        subject=link.user.email,
        changes={"catalogs": [None, ", ".join(sorted(names))]},
        now=now,
    )
    session.flush()
    return link


def user_catalogs(session: Session, *, link: Membership) -> set[int]:
    """The catalogs a user is narrowed to (empty: all of the customer's)."""
    return set(
        session.scalars(
            select(membership_catalog.c.catalog_id).where(
                membership_catalog.c.membership_id == link.id
            )
        )
    )


def customer_catalogs(session: Session, *, actor: Actor) -> list[Catalog]:
    """The catalogs the active customer holds."""
    return list(
        session.scalars(
            select(Catalog)
            .join(organisation_catalog, organisation_catalog.c.catalog_id == Catalog.id)
            .where(organisation_catalog.c.organisation_id == actor.organisation_id)
            .order_by(Catalog.name)
        )
    )


def set_supervisors(
    session: Session, *, actor: Actor, user_id: int, supervisor_ids: set[int], now: datetime
) -> None:
    """Choose who approves a user's orders besides the superusers (A-2): own customer's users."""
    link = member(session, actor=actor, user_id=user_id)
    for supervisor_id in supervisor_ids:
        member(session, actor=actor, user_id=supervisor_id)  # NotFound outside the customer
    if user_id in supervisor_ids:
        raise InvalidInput("Nobody supervises themselves.")
    session.execute(
        delete(Supervision).where(
            Supervision.organisation_id == actor.organisation_id, Supervision.user_id == user_id
        )
    )
    for supervisor_id in sorted(supervisor_ids):
        session.add(
            Supervision(
                organisation_id=actor.organisation_id, supervisor_id=supervisor_id, user_id=user_id
            )
        )
    audit.record_change(
        session,
        actor=actor,
        action="user.supervisors",
        subject=link.user.email,
        changes={"supervisors": [None, ",".join(map(str, sorted(supervisor_ids)))]},
        now=now,
    )
    session.flush()


def _not_self(actor: Actor, link: Membership, what: str) -> None:
    if link.user_id == actor.user_id:
        raise InvalidInput(f"You cannot {what}; ask another superuser.")


def supervisors_of(session: Session, *, actor: Actor, user_id: int) -> set[int]:
    """The users who approve `user_id`'s orders besides the superusers."""
    member(session, actor=actor, user_id=user_id)
    return set(
        session.scalars(
            select(Supervision.supervisor_id).where(
                Supervision.organisation_id == actor.organisation_id,
                Supervision.user_id == user_id,
            )
        )
    )
