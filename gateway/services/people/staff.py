"""Staff work on customers: find and inspect them, create and register them, assign agents,
manage staff accounts, read the audit log (b2b-rules S-1 to S-3).

Customer service and admins reach every customer; a sales agent only the customers assigned to
them (another agent's customer is NotFound, as if it did not exist). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.db import utcnow
from gateway.errors import InvalidInput, PermissionDenied
from gateway.models import (
    Address,
    AgentAssignment,
    AuditEntry,
    Budget,
    Invitation,
    Membership,
    Order,
    Organisation,
    Product,
    Role,
    User,
)
from gateway.services.catalog import assortment, pricing
from gateway.services.people.users import role_named

SUPPLIER_NUMBER = "SUPPLIER"
"""The supplier's own organisation: staff accounts are linked to it with an internal role."""

SHOWN_PRODUCTS = 25
MAX_FIELD = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """Where a staff request came from (for the audit log)."""

    address: str = ""
    user_agent: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerData:
    """What a new customer needs: organisation data and its first contact (a superuser)."""

    name: str
    coc_number: str
    vat_number: str
    street: str
    postcode: str
    city: str
    country: str
    contact_name: str
    contact_email: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerView:
    """A customer as staff see it: users, budgets, orders, and its assortment with its prices."""

    organisation: Organisation
    members: list[Membership]
    budgets: list[Budget]
    orders: list[Order]
    products: list[Product]
    prices: dict[int, Decimal]
    agents: list[User]


def record(
    session: Session,
    *,
    organisation_id: int,
    actor_id: int | None,
    action: str,
    now: datetime,
    subject: str = "",
    note: str = "",
    on_behalf_of_id: int | None = None,
    client: Client | None = None,
    changes: dict[str, list[str | None]] | None = None,
) -> AuditEntry:
    """Append one audit row (there is no way to change or remove it in the application)."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        actor_id=actor_id,
        at=now,
        action=action,
        subject=subject[:100],
        note=note,
        changes=changes or {},
        on_behalf_of_id=on_behalf_of_id,
        client_address=(client.address[:45] or None) if client else None,
        user_agent=(client.user_agent[:200] or None) if client else None,
    )
    session.add(entry)
    session.flush()
    return entry


def is_staff(session: Session, *, user_id: int) -> bool:
    """True for a user holding an internal role anywhere (staff are never impersonated, I-1)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    Membership.user_id == user_id,
                    Membership.role_id == Role.id,
                    Role.kind == "internal",
                )
            )
        )
    )


def supplier(session: Session) -> Organisation:
    """The supplier's own organisation, created on first use."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == SUPPLIER_NUMBER)
    )
    if organisation is None:
        organisation = Organisation(number=SUPPLIER_NUMBER, name="Supplier staff (internal)")
        session.add(organisation)
        session.flush()
    return organisation


def find_customers(session: Session, *, actor: Actor, query: str = "") -> list[Organisation]:
    """The customers the actor may reach, matching `query` in name, number or a user's e-mail."""
    require(actor, Permission.STAFF_CUSTOMER_READ)
    statement = select(Organisation).where(Organisation.number != SUPPLIER_NUMBER)
    if Permission.STAFF_CUSTOMER_READ_ALL not in actor.permissions:
        statement = statement.where(Organisation.id.in_(sorted(actor.assigned)))
    text = query.strip()[:MAX_FIELD].lower()
    if text:
        pattern = f"%{text}%"
        by_user = (
            select(Membership.organisation_id)
            .join(User, User.id == Membership.user_id)
            .where(func.lower(User.email).like(pattern))
        )
        statement = statement.where(
            or_(
                func.lower(Organisation.name).like(pattern),
                func.lower(Organisation.number).like(pattern),
                Organisation.id.in_(by_user),
            )
        )
    return list(session.scalars(statement.order_by(Organisation.number).limit(100)))


def customer(
    session: Session,
    *,
    actor: Actor,
    number: str,
    permission: Permission = Permission.STAFF_CUSTOMER_READ,
    now: datetime | None = None,
) -> Organisation:
    """One reachable customer; unknown, internal or another agent's customer is NotFound (the
    latter audited as `staff.denied`)."""
    require(actor, permission)
    organisation = session.scalar(
        select(Organisation).where(
            Organisation.number == number[:32], Organisation.number != SUPPLIER_NUMBER
        )
    )
    if organisation is None:
        raise foreign(actor, "customer", number[:32])
    if not can(actor, permission, organisation):
        record(  # the caller keeps this row although it answers 404
            session,
            organisation_id=organisation.id,
            actor_id=actor.user_id,
            action="staff.denied",
            subject=f"{permission.value} {organisation.number}",
            now=now or utcnow(),
        )
        raise foreign(actor, "customer", number[:32])
    return organisation


def customer_view(session: Session, *, organisation: Organisation, on: date) -> CustomerView:
    """What staff see of a customer: the data the customer's own pages show, in one place."""
    members = list(
        session.scalars(
            select(Membership)
            .join(User, User.id == Membership.user_id)
            .where(Membership.organisation_id == organisation.id)
            .order_by(User.email)
        )
    )
    budgets = list(session.scalars(select(Budget).where(Budget.organisation_id == organisation.id)))
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.organisation_id == organisation.id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(50)
        )
    )
    visible = assortment.for_customer(session, organisation_id=organisation.id)
    products = list(
        session.scalars(
            select(Product)
            .where(Product.active, visible.condition())
            .order_by(Product.sku)
            .limit(SHOWN_PRODUCTS)
        )
    )
    agents = list(
        session.scalars(
            select(User)
            .join(AgentAssignment, AgentAssignment.agent_id == User.id)
            .where(AgentAssignment.organisation_id == organisation.id)
            .order_by(User.email)
        )
    )
    return CustomerView(
        organisation=organisation,
        members=members,
        budgets=budgets,
        orders=orders,
        products=products,
        prices=pricing.unit_prices(session, organisation, products, on=on),
        agents=agents,
    )


def create_customer(
    session: Session,
    *,
    actor: Actor,
    data: CustomerData,
    now: datetime,
    allow_impersonation: bool,
    invitation_ttl: int,
    prospect: bool = False,
) -> tuple[Organisation, User, str | None]:
    """A new customer with its first superuser.

    An active customer (customer service) invites the superuser at once; a prospect (a sales
    agent's registration) is assigned to the agent, cannot order and invites nobody until it is
    activated. The same Chamber of Commerce or VAT number as an existing customer is refused.
    """
    require(
        actor,
        Permission.STAFF_CUSTOMER_REGISTER if prospect else Permission.STAFF_CUSTOMER_CREATE,
    )
    cleaned = _clean(data)
    _refuse_duplicates(session, cleaned)
    email = cleaned.contact_email
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise InvalidInput(f"{email} already has an account; use another contact address.")
    organisation = Organisation(
        number=_next_number(session),
        name=cleaned.name,
        coc_number=cleaned.coc_number or None,
        vat_number=cleaned.vat_number or None,
        active=not prospect,
        status="prospect" if prospect else "active",
        allow_impersonation=allow_impersonation,
        created_at=now,
    )
    session.add(organisation)
    session.flush()
    session.add(
        Address(
            organisation_id=organisation.id,
            kind="billing",
            name=cleaned.name,
            street=cleaned.street,
            postcode=cleaned.postcode,
            city=cleaned.city,
            country=cleaned.country,
            is_default=True,
        )
    )
    session.add(
        Address(
            organisation_id=organisation.id,
            kind="delivery",
            name=cleaned.name,
            street=cleaned.street,
            postcode=cleaned.postcode,
            city=cleaned.city,
            country=cleaned.country,
            is_default=True,
        )
    )
    user = User(email=email, name=cleaned.contact_name, password_hash=None)
    session.add(user)
    session.flush()
    session.add(
        Membership(
            user_id=user.id,
            organisation_id=organisation.id,
            role=role_named(session, "superuser"),
        )
    )
    if prospect:
        session.add(AgentAssignment(agent_id=actor.user_id, organisation_id=organisation.id))
    token = None if prospect else _invite(session, user, organisation, now, invitation_ttl)
    record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.register" if prospect else "customer.create",
        subject=organisation.number,
        now=now,
        changes={"name": [None, organisation.name], "superuser": [None, email]},
    )
    return organisation, user, token


def activate(
    session: Session, *, actor: Actor, number: str, now: datetime, invitation_ttl: int
) -> tuple[Organisation, User, str]:
    """Activate a signed prospect: it may order, and its first superuser gets the invitation."""
    organisation = customer(
        session, actor=actor, number=number, permission=Permission.STAFF_CUSTOMER_REGISTER
    )
    if organisation.status != "prospect":
        raise InvalidInput(f"Customer {organisation.number} is already active.")
    first = session.scalars(
        select(Membership)
        .join(Role, Role.id == Membership.role_id)
        .where(Membership.organisation_id == organisation.id, Role.name == "superuser")
        .order_by(Membership.id)
    ).first()
    if first is None:
        raise InvalidInput("The prospect has no first contact to invite.")
    organisation.status = "active"
    organisation.active = True
    token = _invite(session, first.user, organisation, now, invitation_ttl)
    record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.activate",
        subject=organisation.number,
        now=now,
        changes={"status": ["prospect", "active"]},
    )
    return organisation, first.user, token


def assign(session: Session, *, actor: Actor, agent_email: str, number: str, now: datetime) -> None:
    """Make a customer one of a sales agent's own customers (admins)."""
    require(actor, Permission.ADMIN_ASSIGNMENT_WRITE)
    organisation = customer(session, actor=actor, number=number)
    agent = session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(Role, Role.id == Membership.role_id)
        .where(User.email == agent_email.strip().lower()[:254], Role.name == "sales_agent")
    )
    if agent is None:
        raise InvalidInput("No sales agent with that e-mail address.")
    if session.scalar(
        select(AgentAssignment.id).where(
            AgentAssignment.agent_id == agent.id,
            AgentAssignment.organisation_id == organisation.id,
        )
    ):
        return
    session.add(AgentAssignment(agent_id=agent.id, organisation_id=organisation.id))
    record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.assign",
        subject=agent.email,
        now=now,
        changes={"agent": [None, agent.email]},
    )


def staff_members(session: Session, *, actor: Actor) -> list[Membership]:
    """Every staff account with its internal role."""
    require(actor, Permission.ADMIN_STAFF_WRITE)
    return list(
        session.scalars(
            select(Membership)
            .join(Role, Role.id == Membership.role_id)
            .join(User, User.id == Membership.user_id)
            .where(Role.kind == "internal")
            .order_by(User.email)
        )
    )


def internal_roles(session: Session) -> list[Role]:
    """The staff roles."""
    return list(session.scalars(select(Role).where(Role.kind == "internal").order_by(Role.name)))


def save_staff(
    session: Session,
    *,
    actor: Actor,
    email: str,
    name: str,
    role_name: str,
    now: datetime,
    invitation_ttl: int,
) -> tuple[User, str | None]:
    """Create a staff account with a role, or change an existing staff member's role (admins).

    Customer users cannot be made staff here (they would become un-impersonable customers'
    users with staff rights); an admin cannot change their own role.
    """
    require(actor, Permission.ADMIN_STAFF_WRITE)
    role = session.scalar(select(Role).where(Role.name == role_name, Role.kind == "internal"))
    if role is None:
        raise InvalidInput("Choose a staff role.")
    address = email.strip().lower()
    if "@" not in address or len(address) > 254 or address.startswith("@"):  # noqa: PLR2004
        raise InvalidInput("Enter a valid e-mail address.")
    home = supplier(session)
    user = session.scalar(select(User).where(User.email == address))
    if user is not None and user.id == actor.user_id:
        raise PermissionDenied("You cannot change your own role.")
    token = None
    if user is None:
        user = User(email=address, name=name.strip()[:MAX_FIELD], password_hash=None)
        session.add(user)
        session.flush()
        token = _invite(session, user, home, now, invitation_ttl)
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
    record(
        session,
        organisation_id=home.id,
        actor_id=actor.user_id,
        action="staff.role",
        subject=address,
        now=now,
        changes={"role": [before, role.name]},
    )
    return user, token


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """What the admin filters the audit log by (empty: any)."""

    action: str = ""
    customer: str = ""
    actor_email: str = ""


def audit_log(
    session: Session, *, actor: Actor, where: AuditFilter, limit: int = 200
) -> list[tuple[AuditEntry, str, str, str]]:
    """The newest audit rows with the customer number, actor and subject e-mail addresses."""
    require(actor, Permission.ADMIN_AUDIT_READ)
    actor_user = User.__table__.alias("actor_user")
    subject_user = User.__table__.alias("subject_user")
    statement = (
        select(AuditEntry, Organisation.number, actor_user.c.email, subject_user.c.email)
        .join(Organisation, Organisation.id == AuditEntry.organisation_id)
        .outerjoin(actor_user, actor_user.c.id == AuditEntry.actor_id)
        .outerjoin(subject_user, subject_user.c.id == AuditEntry.on_behalf_of_id)
    )
    if where.action:
        statement = statement.where(AuditEntry.action.startswith(where.action[:64]))
    if where.customer:
        statement = statement.where(Organisation.number == where.customer[:32])
    if where.actor_email:
        statement = statement.where(actor_user.c.email == where.actor_email.strip().lower())
    rows = session.execute(statement.order_by(AuditEntry.id.desc()).limit(limit))
    return [(entry, number, by or "", subject or "") for entry, number, by, subject in rows]


def _invite(
    session: Session, user: User, organisation: Organisation, now: datetime, ttl: int
) -> str:
    token, digest = new_token()
    session.add(
        Invitation(
            user_id=user.id,
            organisation_id=organisation.id,
            token_digest=digest,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    session.flush()
    return token


def _clean(data: CustomerData) -> CustomerData:
    def text(value: str) -> str:
        return " ".join(value.split())[:MAX_FIELD]

    def code(value: str) -> str:
        return "".join(value.split()).upper()[:20]

    cleaned = CustomerData(
        name=text(data.name),
        coc_number=code(data.coc_number),
        vat_number=code(data.vat_number),
        street=text(data.street),
        postcode=text(data.postcode)[:16],
        city=text(data.city)[:100],
        country=code(data.country)[:2] or "NL",
        contact_name=text(data.contact_name),
        contact_email=data.contact_email.strip().lower()[:254],
    )
    if not cleaned.name:
        raise InvalidInput("Enter the organisation's name.")
    if not (cleaned.coc_number or cleaned.vat_number):
        raise InvalidInput("Enter the Chamber of Commerce number or the VAT number.")
    if "@" not in cleaned.contact_email or cleaned.contact_email.startswith("@"):
        raise InvalidInput("Enter the first contact's e-mail address.")
    return cleaned


def _refuse_duplicates(session: Session, data: CustomerData) -> None:
    for column, value, label in (
        (Organisation.coc_number, data.coc_number, "Chamber of Commerce"),
        (Organisation.vat_number, data.vat_number, "VAT"),
    ):
        if not value:
            continue
        number = session.scalar(select(Organisation.number).where(column == value))
        if number is not None:
            raise InvalidInput(f"Customer {number} already has this {label} number ({value}).")


def _next_number(session: Session) -> str:
    numbers = [int(n) for n in session.scalars(select(Organisation.number)) if n.isdigit()]
    return str(max([1000, *numbers]) + 1)
