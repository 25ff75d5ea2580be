"""Demo data for `gateway seed-demo`: idempotent, and enough to try every feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.credentials import hash_password
from gateway.cxml import CartEncoding
from gateway.models import (
    AgentAssignment,
    Budget,
    BudgetPeriod,
    BudgetPolicy,
    Membership,
    Organisation,
    PriceList,
    TradingPartner,
    User,
)
from gateway.oci import OCIVersion
from gateway.services import demo_catalog, demo_images, demo_lists, demo_orders, demo_roles
from gateway.services.partners.registry import (
    CXMLPartnerSpec,
    OCIPartnerSpec,
    add_cxml_partner,
    add_oci_partner,
)
from gateway.services.people import roles, staff
from gateway.services.people.users import membership

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password
DEMO_CXML_PARTNER = CXMLPartnerSpec(
    name="demo-cxml",
    customer_number="1001",
    identities=("NetworkID:AN01000000001",),
    shared_secret="demo-secret",  # noqa: S106 - the documented demo secret
    allowed_urls=("http://127.0.0.1", "http://localhost"),
    encoding=CartEncoding.BASE64,
    replay_protection=False,  # demo only: lets the README's fixture be posted again and again
)

DEMO_OCI_PARTNER = OCIPartnerSpec(
    name="demo-oci",
    customer_number="1001",
    username="demo-oci",
    password="demo",  # noqa: S106 - the documented demo password
    allowed_urls=("http://127.0.0.1", "http://localhost"),
    version=OCIVersion.V5,
    settings={"unit_map": {"EA": "ST"}, "vendor": "100042"},
)

DEMO_ADMIN = "admin@supplier.demo"


@dataclass
class DemoSummary:
    """What the seed created or found, for the CLI to print."""

    products: int = 0
    customers: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)


def seed_demo(session: Session, *, digest_key: str, with_activity: bool = True) -> DemoSummary:
    """Create the demo catalog, customers, users and partner; running it again changes nothing.

    `with_activity=False` leaves out the order desk's demo orders and customer 1001's approval
    chain (the shared test database, whose tests count the orders they make and define the
    chains they test)."""
    summary = DemoSummary()
    products = demo_catalog.products(session)
    summary.products = len(products)
    standard = demo_catalog.price_list(session, "1001 contract prices", products, Decimal("0.90"))
    second = demo_catalog.price_list(session, "1002 contract prices", products, Decimal("0.80"))
    first_customer = _customer(session, "1001", "Acme Municipality", standard)
    second_customer = _customer(session, "1002", "Globex Industries", second)
    summary.customers = ["1001", "1002"]
    for email, name, customers in (
        ("buyer@1001.demo", "Bea Buyer (1001)", (first_customer,)),
        ("buyer@1002.demo", "Bob Buyer (1002)", (second_customer,)),
        ("multi@demo.test", "Max Multi (1001 and 1002)", (first_customer, second_customer)),
    ):
        _user(session, email, name, customers, role="buyer")
        summary.users.append(email)
    supplier = staff.supplier(session, name="Demo Supplier (internal)")
    _user(session, DEMO_ADMIN, "Ada Admin (supplier)", (supplier,), role="admin")
    summary.users.append(DEMO_ADMIN)
    if session.scalar(select(TradingPartner).where(TradingPartner.name == "demo-cxml")) is None:
        add_cxml_partner(session, spec=DEMO_CXML_PARTNER, digest_key=digest_key)
    summary.partners = ["demo-cxml"]
    if session.scalar(select(TradingPartner).where(TradingPartner.name == "demo-oci")) is None:
        add_oci_partner(session, spec=DEMO_OCI_PARTNER)
    summary.partners.append("demo-oci")
    demo_catalog.shop_data(session, products, first_customer, second_customer)
    demo_images.product_images(session)
    summary.users.extend(_roles_data(session, first_customer, second_customer))
    summary.users.extend(_staff_data(session, first_customer, second_customer))
    summary.users.extend(demo_roles.seed_custom_role(session, first_customer))
    demo_lists.seed_lists(session, first_customer)
    if with_activity:
        demo_orders.seed_orders(session)
        superuser = session.scalars(select(User).where(User.email == "superuser@1001.demo")).one()
        demo_roles.seed_approval_chain(session, first_customer, superuser)
    session.flush()
    return summary


def _customer(session: Session, number: str, name: str, price_list: PriceList) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.number == number))
    if organisation is None:
        organisation = Organisation(number=number, name=name, currency="EUR")
        session.add(organisation)
    organisation.price_list_id = price_list.id
    session.flush()
    roles.copy_templates(session, organisation_id=organisation.id)
    return organisation


def _user(
    session: Session, email: str, name: str, customers: tuple[Organisation, ...], *, role: str
) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(DEMO_PASSWORD))
        session.add(user)
        session.flush()
    for organisation in customers:
        if membership(session, user=user, organisation=organisation) is None:
            session.add(
                Membership(
                    user=user,
                    organisation=organisation,
                    role=roles.customer_role(session, organisation_id=organisation.id, name=role),
                )
            )
    session.flush()
    return user


# Roles, budgets and approvals (issue 4): a superuser, a requester and a user with a budget.
LIMITED_BUDGET = Decimal("500.00")


def _roles_data(session: Session, first: Organisation, second: Organisation) -> list[str]:
    for email, name, customer, role in (
        ("superuser@1001.demo", "Sam Superuser (1001)", first, "superuser"),
        ("requester@1001.demo", "Rita Requester (1001)", first, "requester"),
        ("limited@1001.demo", "Lee Limited (1001)", first, "buyer"),
        ("superuser@1002.demo", "Sue Superuser (1002)", second, "superuser"),
    ):
        _user(session, email, name, (customer,), role=role)
    limited = session.scalar(select(User).where(User.email == "limited@1001.demo"))
    if limited is not None and not session.scalar(
        select(Budget.id).where(Budget.user_id == limited.id)
    ):
        session.add(
            Budget(
                organisation_id=first.id,
                user_id=limited.id,
                name="Monthly office budget",
                currency="EUR",
                period_amount=LIMITED_BUDGET,
                period=BudgetPeriod.MONTH,
                policy=BudgetPolicy.BLOCK,
            )
        )
    session.flush()
    return [
        "superuser@1001.demo",
        "requester@1001.demo",
        "limited@1001.demo",
        "superuser@1002.demo",
    ]


# Staff (issue 5): customer service, two sales agents with their own customer, an admin.
DEMO_STAFF = (
    ("service@supplier.demo", "Cees Service (customer service)", "customer_service", None),
    ("agent@supplier.demo", "Anna Agent (sales, 1001)", "sales_agent", "1001"),
    ("agent2@supplier.demo", "Bram Agent (sales, 1002)", "sales_agent", "1002"),
    ("admin@supplier.demo", "Ada Admin (supplier)", "admin", None),
)


def _staff_data(session: Session, first: Organisation, second: Organisation) -> list[str]:
    """Staff accounts on the supplier's own organisation; an account that already exists (say,
    created by another seed) keeps its name and password and gets the link if it lacks one."""
    home = staff.supplier(session)
    customers = {first.number: first, second.number: second}
    for email, name, role, own in DEMO_STAFF:
        user = _user(session, email, name, (home,), role=role)
        if own is not None and not session.scalar(
            select(AgentAssignment.id).where(
                AgentAssignment.agent_id == user.id,
                AgentAssignment.organisation_id == customers[own].id,
            )
        ):
            session.add(AgentAssignment(agent_id=user.id, organisation_id=customers[own].id))
    session.flush()
    return [email for email, _, _, _ in DEMO_STAFF]
