"""Staff work on customers: find and inspect them, create active customers and register
prospects, activate them and assign sales agents (b2b-rules S-1, S-2).

Customer service and admins reach every customer; a sales agent only the customers assigned to
them (another agent's customer is NotFound, as if it did not exist). Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.db import utcnow
from gateway.errors import AlreadyExists, InvalidInput
from gateway.models import (
    Address,
    AddressKind,
    AgentAssignment,
    Budget,
    Membership,
    Order,
    Organisation,
    OrganisationStatus,
    Product,
    Role,
    User,
)
from gateway.services import audit
from gateway.services.catalog import assortment, pricing
from gateway.services.labels import N_
from gateway.services.people import invitations, roles
from gateway.services.people.staff import MAX_FIELD, SUPPLIER_NUMBER
from gateway.services.people.users import email_address

SHOWN_PRODUCTS = 25


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


def find_customers(session: Session, *, actor: Actor, query: str = "") -> list[Organisation]:
    """The customers the actor may reach, matching `query` in name, number or a user's e-mail."""
    require(actor, Permission.STAFF_CUSTOMER_READ)
    statement = select(Organisation).where(Organisation.number != SUPPLIER_NUMBER)
    if not can(actor, Permission.STAFF_CUSTOMER_READ_ALL):
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
        audit.record(  # the caller keeps this row although it answers 404
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
    mail_key: str,
    prospect: bool = False,
) -> Organisation:
    """A new customer with its first superuser.

    An active customer (customer service) invites the superuser at once (the mail sealed with
    `mail_key`); a prospect (a sales agent's registration) is assigned to the agent, cannot
    order and invites nobody until it is activated. The same Chamber of Commerce or VAT number
    as an existing customer is refused.
    """
    require(
        actor,
        Permission.STAFF_CUSTOMER_REGISTER if prospect else Permission.STAFF_CUSTOMER_CREATE,
    )
    cleaned = _clean(data)
    _refuse_duplicates(session, cleaned)
    email = cleaned.contact_email
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AlreadyExists(f"{email} already has an account; use another contact address.")
    organisation = Organisation(
        number=_next_number(session),
        name=cleaned.name,
        coc_number=cleaned.coc_number or None,
        vat_number=cleaned.vat_number or None,
        active=not prospect,
        status=OrganisationStatus.PROSPECT if prospect else OrganisationStatus.ACTIVE,
        allow_impersonation=allow_impersonation,
        created_at=now,
    )
    session.add(organisation)
    session.flush()
    session.add_all(  # the address the customer gave, for invoices and for deliveries
        Address(
            organisation_id=organisation.id,
            kind=kind,
            name=cleaned.name,
            street=cleaned.street,
            postcode=cleaned.postcode,
            city=cleaned.city,
            country=cleaned.country,
            is_default=True,
        )
        for kind in (AddressKind.BILLING, AddressKind.DELIVERY)
    )
    user = User(email=email, name=cleaned.contact_name, password_hash=None)
    session.add(user)
    session.flush()
    roles.copy_templates(session, organisation_id=organisation.id)  # its own roles to change
    session.add(
        Membership(
            user_id=user.id,
            organisation_id=organisation.id,
            role=roles.customer_role(session, organisation_id=organisation.id, name="superuser"),
        )
    )
    if prospect:
        session.add(AgentAssignment(agent_id=actor.user_id, organisation_id=organisation.id))
    if not prospect:
        _invite(
            session,
            user=user,
            organisation=organisation,
            now=now,
            ttl=invitation_ttl,
            key=mail_key,
            locale=_locale_of(session, actor),
        )
    audit.record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.register" if prospect else "customer.create",
        subject=organisation.number,
        now=now,
        changes={"name": [None, organisation.name], "superuser": [None, email]},
    )
    return organisation


def activate(
    session: Session,
    *,
    actor: Actor,
    number: str,
    now: datetime,
    invitation_ttl: int,
    mail_key: str,
) -> Organisation:
    """Activate a signed prospect: it may order, and its first superuser gets the invitation."""
    organisation = customer(
        session, actor=actor, number=number, permission=Permission.STAFF_CUSTOMER_REGISTER
    )
    if organisation.status != OrganisationStatus.PROSPECT:
        raise InvalidInput(f"Customer {organisation.number} is already active.")
    first = session.scalars(
        select(Membership)
        .join(Role, Role.id == Membership.role_id)
        .where(Membership.organisation_id == organisation.id, Role.name == "superuser")
        .order_by(Membership.id)
    ).first()
    if first is None:
        raise InvalidInput("The prospect has no first contact to invite.")
    organisation.status = OrganisationStatus.ACTIVE
    organisation.active = True
    _invite(
        session,
        user=first.user,
        organisation=organisation,
        now=now,
        ttl=invitation_ttl,
        key=mail_key,
        locale=_locale_of(session, actor),
    )
    audit.record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.activate",
        subject=organisation.number,
        now=now,
        changes={"status": [OrganisationStatus.PROSPECT, OrganisationStatus.ACTIVE]},
    )
    return organisation


def _locale_of(session: Session, actor: Actor) -> str | None:
    """The acting staff member's language: a new customer's first mail is written in it."""
    user = session.get(User, actor.acting_staff_id or actor.user_id)
    return user.locale if user else None


def _invite(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    now: datetime,
    ttl: int,
    key: str,
    locale: str | None,
) -> None:
    """Invite a customer's first superuser (in `locale` while they have no setting of their
    own: the staff member's)."""
    invitations.issue(
        session,
        user=user,
        organisation_id=organisation.id,
        wording=invitations.Wording(
            subject=N_("Your shop account for %(customer)s"),
            opening=N_("You can now order for %(customer)s."),
            values={"customer": organisation.name},
            locale=locale,
        ),
        now=now,
        ttl_seconds=ttl,
        mail_key=key,
    )


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
    audit.record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="customer.assign",
        subject=agent.email,
        now=now,
        changes={"agent": [None, agent.email]},
    )


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
        contact_email=data.contact_email.strip().lower(),
    )
    if not cleaned.name:
        raise InvalidInput("Enter the organisation's name.")
    if not (cleaned.coc_number or cleaned.vat_number):
        raise InvalidInput("Enter the Chamber of Commerce number or the VAT number.")
    email_address(cleaned.contact_email, refusal="Enter the first contact's e-mail address.")
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
            raise AlreadyExists(f"Customer {number} already has this {label} number ({value}).")


def _next_number(session: Session) -> str:
    numbers = [int(n) for n in session.scalars(select(Organisation.number)) if n.isdigit()]
    return str(max([1000, *numbers]) + 1)
