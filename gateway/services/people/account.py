"""Superuser self-service for the active customer: users, roles, catalogs, budgets, organisation.

Everything is scoped to `actor.organisation_id` (O-4): an id of another customer's user, budget
or catalog is NotFound. Roles are assignable only within the superuser's own rights and never
staff roles (O-5, `can(actor, ACCOUNT_USER_WRITE, role)`). Only the named fields are written:
callers pass keyword arguments, never a form (mass assignment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token, token_digest
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.errors import InvalidInput
from gateway.models import (
    Address,
    AuditEntry,
    Budget,
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
from gateway.services.people import password_resets
from gateway.services.purchasing import budgets

INVALID_INVITATION = "This invitation link is invalid, used or expired. Ask for a new one."
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganisationData:
    """The organisation fields a superuser may change, with the billing address."""

    name: str
    vat_number: str
    street: str
    postcode: str
    city: str
    country: str


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
    """The roles this superuser may hand out: customer-side, within their own rights."""
    return [
        role
        for role in session.scalars(select(Role).order_by(Role.name))
        if can(actor, Permission.ACCOUNT_USER_WRITE, role)
    ]


def _role(session: Session, *, actor: Actor, name: str) -> Role:
    role = session.scalar(select(Role).where(Role.name == name))
    if role is None:
        raise InvalidInput(f"Unknown role {name[:64]!r}.")
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
) -> tuple[User, str | None]:
    """Link a user (new, or known from another customer) to the active customer with a role.

    A new user gets an invitation token (single use) to choose a password; a known user keeps
    their password and their other customers' links.
    """
    require(actor, Permission.ACCOUNT_USER_WRITE)
    address = email.strip().lower()
    if "@" not in address or len(address) > 254 or address.startswith("@"):  # noqa: PLR2004
        raise InvalidInput("Enter a valid e-mail address.")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name may be at most {MAX_NAME_LENGTH} characters.")
    role = _role(session, actor=actor, name=role_name)
    user = session.scalar(select(User).where(User.email == address))
    if user is not None and session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == actor.organisation_id
        )
    ):
        raise InvalidInput(f"{address} is already a user of this customer.")
    token = None
    if user is None:
        user = User(email=address, name=name, password_hash=None)
        session.add(user)
        session.flush()
    if user.password_hash is None:
        token, digest = new_token()
        session.add(
            Invitation(
                user_id=user.id,
                organisation_id=actor.organisation_id,
                token_digest=digest,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl_seconds),
            )
        )
    session.add(Membership(user_id=user.id, organisation_id=actor.organisation_id, role=role))
    _audit(
        session,
        actor=actor,
        action="user.invite",
        subject=address,
        changes={"role": [None, role.name]},
        now=now,
    )
    session.flush()
    return user, token


def edit_member(
    session: Session, *, actor: Actor, user_id: int, name: str, role_name: str, now: datetime
) -> Membership:
    """Change a user's name and their role at the active customer (not their other links)."""
    link = member(session, actor=actor, user_id=user_id)
    _not_self(actor, link, "change your own role")
    require(actor, Permission.ACCOUNT_USER_WRITE, link.role)  # never edit a stronger user
    role = _role(session, actor=actor, name=role_name)
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name may be at most {MAX_NAME_LENGTH} characters.")
    changes = {}
    if link.role_id != role.id:
        changes["role"] = [link.role.name, role.name]
        link.role = role
    if name and name != link.user.name:
        changes["name"] = [link.user.name, name]
        link.user.name = name
    _audit(
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
        _audit(
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
    _audit(
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
    _audit(
        session,
        actor=actor,
        action="user.supervisors",
        subject=link.user.email,
        changes={"supervisors": [None, ",".join(map(str, sorted(supervisor_ids)))]},
        now=now,
    )
    session.flush()


def save_budget(
    session: Session,
    *,
    actor: Actor,
    budget_id: int | None,
    user_id: int | None,
    name: str,
    max_order_amount: Decimal | None,
    period_amount: Decimal | None,
    period: str,
    policy: str,
    fiscal_start_month: int,
    now: datetime,
) -> Budget:
    """Create (`budget_id` None) or change a budget of the active customer or one of its users."""
    require(actor, Permission.ACCOUNT_BUDGET_WRITE)
    budgets.validate(
        max_order_amount=max_order_amount,
        period_amount=period_amount,
        period=period,
        policy=policy,
        fiscal_start_month=fiscal_start_month,
    )
    if user_id is not None:
        member(session, actor=actor, user_id=user_id)
    if budget_id is None:
        organisation = session.get_one(Organisation, actor.organisation_id)
        budget = Budget(organisation_id=actor.organisation_id, currency=organisation.currency)
        session.add(budget)
    else:
        budget = session.get(Budget, budget_id)
        if budget is None or budget.organisation_id != actor.organisation_id:
            raise foreign(actor, "budget", budget_id)
    before = _budget_fields(budget)
    budget.user_id = user_id
    budget.name = name.strip()[:100]
    budget.max_order_amount = max_order_amount or None
    budget.period_amount = period_amount or None
    budget.period = period
    budget.policy = policy
    budget.fiscal_start_month = fiscal_start_month
    session.flush()
    after = _budget_fields(budget)
    _audit(
        session,
        actor=actor,
        action="budget.create" if budget_id is None else "budget.edit",
        subject=f"budget {budget.id}",
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        now=now,
    )
    session.flush()
    return budget


def edit_organisation(
    session: Session, *, actor: Actor, data: OrganisationData, now: datetime
) -> Organisation:
    """Change the organisation's name, VAT number and billing address, with an audit row."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    if not data.name.strip():
        raise InvalidInput("The organisation needs a name.")
    if len(data.name) > MAX_NAME_LENGTH or len(data.vat_number) > 20:  # noqa: PLR2004
        raise InvalidInput("Name or VAT number too long.")
    organisation = session.get_one(Organisation, actor.organisation_id)
    billing = session.scalar(
        select(Address).where(Address.organisation_id == organisation.id, Address.kind == "billing")
    )
    if billing is None:
        billing = Address(
            organisation_id=organisation.id,
            kind="billing",
            name=data.name,
            street="",
            postcode="",
            city="",
            is_default=True,
        )
        session.add(billing)
    changes: dict[str, list[str | None]] = {}
    for target, field, value in (
        (organisation, "name", data.name.strip()),
        (organisation, "vat_number", data.vat_number.strip() or None),
        (billing, "street", data.street.strip()),
        (billing, "postcode", data.postcode.strip()),
        (billing, "city", data.city.strip()),
        (billing, "country", data.country.strip().upper()[:2] or "NL"),
    ):
        if getattr(target, field) != value:
            changes[field] = [getattr(target, field), value]
            setattr(target, field, value)
    _audit(
        session,
        actor=actor,
        action="organisation.edit",
        subject=organisation.number,
        changes=changes,
        now=now,
    )
    session.flush()
    return organisation


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressData:
    """A delivery address as the superuser enters it."""

    name: str
    street: str
    postcode: str
    city: str
    country: str


def delivery_addresses(session: Session, *, actor: Actor) -> list[Address]:
    """The active customer's delivery addresses, the default first."""
    return list(
        session.scalars(
            select(Address)
            .where(Address.organisation_id == actor.organisation_id, Address.kind == "delivery")
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def save_delivery_address(
    session: Session, *, actor: Actor, address_id: int | None, data: AddressData, now: datetime
) -> Address:
    """Add (`address_id` None) or change a delivery address of the active customer, audited.
    Orders keep the copy they were placed with."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    values = {
        "name": data.name.strip(),
        "street": data.street.strip(),
        "postcode": data.postcode.strip(),
        "city": data.city.strip(),
        "country": data.country.strip().upper(),
    }
    if not all(values.values()):
        raise InvalidInput("Fill in name, street, postcode, city and country.")
    if len(values["country"]) != 2 or not values["country"].isalpha():  # noqa: PLR2004
        raise InvalidInput("The country is a two-letter code such as NL.")
    for field, limit in (("name", 200), ("street", 200), ("postcode", 16), ("city", 100)):
        if len(values[field]) > limit:
            raise InvalidInput(f"The {field} may be at most {limit} characters.")
    if address_id is None:
        address = Address(organisation_id=actor.organisation_id, kind="delivery", is_default=False)
        session.add(address)
        before: dict[str, str | None] = dict.fromkeys(values)
    else:
        address = session.get(Address, address_id)
        if (
            address is None
            or address.organisation_id != actor.organisation_id
            or address.kind != "delivery"
        ):
            raise foreign(actor, "address", address_id)
        before = {field: getattr(address, field) for field in values}
    for field, value in values.items():
        setattr(address, field, value)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="address.create" if address_id is None else "address.edit",
        subject=f"address {address.id}",
        changes={f: [before[f], values[f]] for f in values if before[f] != values[f]},
        now=now,
    )
    session.flush()
    return address


def audit_trail(session: Session, *, actor: Actor, limit: int = 50) -> list[AuditEntry]:
    """The newest account changes of the active customer."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.organisation_id == actor.organisation_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def check_invitation(session: Session, *, token: str, now: datetime) -> Invitation:
    """The live invitation for a token, or InvalidInput."""
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_digest == token_digest(token))
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= now:
        raise InvalidInput(INVALID_INVITATION)
    return invitation


def accept_invitation(
    session: Session, *, token: str, password: str, confirmation: str, now: datetime
) -> User:
    """Choose a password through an invitation link; the link works once."""
    invitation = check_invitation(session, token=token, now=now)
    password_resets.check_new_password(password, confirmation)
    spent = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        raise InvalidInput(INVALID_INVITATION)
    return password_resets.set_password(
        session, user_id=invitation.user_id, password=password, now=now
    )


def _not_self(actor: Actor, link: Membership, what: str) -> None:
    if link.user_id == actor.user_id:
        raise InvalidInput(f"You cannot {what}; ask another superuser.")


def _budget_fields(budget: Budget) -> dict[str, str | None]:
    return {
        field: None if getattr(budget, field) is None else str(getattr(budget, field))
        for field in (
            "user_id",
            "name",
            "max_order_amount",
            "period_amount",
            "period",
            "policy",
            "fiscal_start_month",
        )
    }


def _audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: str,
    changes: dict[str, list[str | None]],
    now: datetime,
) -> None:
    session.add(
        AuditEntry(
            organisation_id=actor.organisation_id,
            # Staff shopping as the customer did it, on behalf of the user (b2b-rules I-5).
            actor_id=actor.acting_staff_id or actor.user_id,
            on_behalf_of_id=actor.user_id if actor.acting_staff_id else None,
            at=now,
            action=action,
            subject=subject[:100],
            changes=changes,
        )
    )


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


def billing_address(session: Session, *, actor: Actor) -> Address | None:
    """The active customer's billing address."""
    return session.scalar(
        select(Address).where(
            Address.organisation_id == actor.organisation_id, Address.kind == "billing"
        )
    )
