"""Demo data for `gateway seed-demo`: idempotent, and enough to try every feature."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from gateway.models import (
    Address,
    AgentAssignment,
    Budget,
    Catalog,
    Category,
    Membership,
    Organisation,
    PriceList,
    PriceListItem,
    Product,
    TradingPartner,
    User,
    catalog_product,
    price_list_assignment,
)
from gateway.services.catalog.assignment import assign_catalog
from gateway.services.catalog.pricing import CENT
from gateway.services.partners.registry import (
    CXMLPartnerSpec,
    OCIPartnerSpec,
    add_cxml_partner,
    add_oci_partner,
)
from gateway.services.people import staff
from gateway.services.people.users import membership, role_named

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password
DEMO_CXML_PARTNER = CXMLPartnerSpec(
    name="demo-cxml",
    customer_number="1001",
    identities=("NetworkID:AN01000000001",),
    shared_secret="demo-secret",  # noqa: S106 - the documented demo secret
    allowed_urls=("http://127.0.0.1", "http://localhost"),
    encoding="base64",
    replay_protection=False,  # demo only: lets the README's fixture be posted again and again
)

DEMO_OCI_PARTNER = OCIPartnerSpec(
    name="demo-oci",
    customer_number="1001",
    username="demo-oci",
    password="demo",  # noqa: S106 - the documented demo password
    allowed_urls=("http://127.0.0.1", "http://localhost"),
    version="5.0",
    settings={"unit_map": {"EA": "ST"}, "vendor": "100042"},
)

SUPPLIER_NUMBER = "SUPPLIER"  # the internal organisation supplier staff log in to
DEMO_ADMIN = "admin@supplier.demo"

# (name, unit, UNSPSC, manufacturer, base price) of each product family; 20 variants each.
_FAMILIES = (
    ("Ballpoint pen", "EA", "44121701", "Scriptura", Decimal("0.85")),
    ("Copy paper A4 80 g", "RM", "14111507", "Papyra", Decimal("4.20")),
    ("Lever arch file", "EA", "44122011", "Ordo", Decimal("2.95")),
    ("Optical mouse", "EA", "43211708", "Clikk", Decimal("12.50")),
    ("USB keyboard", "EA", "43211706", "Clikk", Decimal("24.90")),
    ("Nitrile gloves, box of 100", "BX", "46181504", "Safeguard", Decimal("7.80")),
    ("Microfibre cloth", "PK", "47131502", "Cleanline", Decimal("5.40")),
    ("Wood screw", "PK", "31161500", "Fixwell", Decimal("3.15")),
    ("Screwdriver", "EA", "27111701", "Fixwell", Decimal("6.75")),
    ("LED tube", "EA", "39101601", "Lumina", Decimal("9.90")),
    ("Network cable Cat6", "MTR", "26121600", "Linkwire", Decimal("0.65")),
    ("Storage box", "EA", "24112406", "Ordo", Decimal("8.30")),
)
_VARIANTS = 20
TIERED_PRODUCTS = 10


@dataclass
class DemoSummary:
    """What the seed created or found, for the CLI to print."""

    products: int = 0
    customers: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)


def seed_demo(session: Session, *, digest_key: str) -> DemoSummary:
    """Create the demo catalogue, customers, users and partner; running it again changes nothing."""
    summary = DemoSummary()
    products = _products(session)
    summary.products = len(products)
    standard = _price_list(session, "1001 contract prices", products, Decimal("0.90"))
    second = _price_list(session, "1002 contract prices", products, Decimal("0.80"))
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
    supplier = _supplier(session)
    _user(session, DEMO_ADMIN, "Ada Admin (supplier)", (supplier,), role="admin")
    summary.users.append(DEMO_ADMIN)
    if session.scalar(select(TradingPartner).where(TradingPartner.name == "demo-cxml")) is None:
        add_cxml_partner(session, spec=DEMO_CXML_PARTNER, digest_key=digest_key)
    summary.partners = ["demo-cxml"]
    if session.scalar(select(TradingPartner).where(TradingPartner.name == "demo-oci")) is None:
        add_oci_partner(session, spec=DEMO_OCI_PARTNER)
    summary.partners.append("demo-oci")
    _shop_data(session, products, first_customer, second_customer)
    summary.users.extend(_roles_data(session, first_customer, second_customer))
    summary.users.extend(_staff_data(session, first_customer, second_customer))
    session.flush()
    return summary


# Shop additions (issue 3): categories, catalogs, customer details and addresses.
_DUTCH_NAMES = (
    "Balpen",
    "Kopieerpapier A4 80 g",
    "Ordner",
    "Optische muis",
    "USB-toetsenbord",
    "Nitril handschoenen, doos van 100",
    "Microvezeldoek",
    "Houtschroef",
    "Schroevendraaier",
    "LED-buis",
    "Netwerkkabel Cat6",
    "Opbergbox",
)
_CATEGORIES = (  # code, parent code, English, Dutch; one leaf per product family
    ("office", None, "Office supplies", "Kantoorartikelen"),
    ("it", None, "IT accessories", "IT-accessoires"),
    ("facility", None, "Facility and tools", "Facilitair en gereedschap"),
    ("office-writing", "office", "Writing", "Schrijfwaren"),
    ("office-paper", "office", "Paper", "Papier"),
    ("office-filing", "office", "Filing", "Archivering"),
    ("it-input", "it", "Input devices", "Invoerapparaten"),
    ("facility-hygiene", "facility", "Hygiene", "Hygiëne"),
    ("facility-tools", "facility", "Tools and fixings", "Gereedschap en bevestiging"),
    ("facility-lighting", "facility", "Lighting", "Verlichting"),
    ("it-cabling", "it", "Cabling", "Bekabeling"),
)
_FAMILY_CATEGORY = (
    "office-writing",
    "office-paper",
    "office-filing",
    "it-input",
    "it-input",
    "facility-hygiene",
    "facility-hygiene",
    "facility-tools",
    "facility-tools",
    "facility-lighting",
    "it-cabling",
    "office-filing",
)
STANDARD_CATALOG = "Standard assortment"
SPECIALS_CATALOG = "1001 specials"
# Products only customer 1001's assortment holds: (SKU, English, Dutch, VAT class, list price).
SPECIALS = (
    ("ACME-0001", "Municipal parking permit holder", "Parkeervergunninghouder", "standard", "3.60"),
    ("ACME-0002", "Council meeting notebook", "Notitieboek raadsvergadering", "standard", "6.40"),
    ("ACME-0003", "Printed town guide", "Gedrukte stadsgids", "reduced", "9.95"),
)


def _shop_data(
    session: Session, products: list[Product], first: Organisation, second: Organisation
) -> None:
    categories = _categories(session)
    for index, product in enumerate(products):
        family = index // _VARIANTS
        if not product.name_nl:
            product.name_nl = f"{_DUTCH_NAMES[family]} {_variant_name(index % _VARIANTS + 1)}"
        if product.category_id is None:
            product.category_id = categories[_FAMILY_CATEGORY[family]].id
    standard = _catalog(session, STANDARD_CATALOG, products, public=True)
    specials = _catalog(session, SPECIALS_CATALOG, _specials(session, categories), public=False)
    for organisation, catalogs, coc, vat, city, terms in (
        (first, (standard, specials), "12345678", "NL001234567B01", "Utrecht", 30),
        (second, (standard,), "87654321", "NL009876543B01", "Rotterdam", 14),
    ):
        if organisation.coc_number is None:
            organisation.coc_number, organisation.vat_number = coc, vat
            organisation.payment_terms_days = terms
        for catalog in catalogs:
            assign_catalog(session, organisation=organisation, catalog=catalog)
        _addresses(session, organisation, city)
    _framework_contract(session, first)
    session.flush()


FRAMEWORK_CONTRACT = "1001 framework contract"


def _framework_contract(session: Session, organisation: Organisation) -> None:
    """A contract list with a start date and tiers: ACME-0001 at 3.20, from 50 at 2.90."""
    if session.scalar(select(PriceList.id).where(PriceList.name == FRAMEWORK_CONTRACT)):
        return
    contract = PriceList(name=FRAMEWORK_CONTRACT, currency="EUR", valid_from=date(2026, 1, 1))
    session.add(contract)
    session.flush()
    product = session.scalars(select(Product).where(Product.sku == "ACME-0001")).one()
    for minimum, price in ((1, "3.20"), (50, "2.90")):
        session.add(
            PriceListItem(
                price_list_id=contract.id,
                product_id=product.id,
                min_quantity=Decimal(minimum),
                unit_price=Decimal(price),
            )
        )
    session.execute(
        price_list_assignment.insert().values(
            organisation_id=organisation.id, price_list_id=contract.id
        )
    )


def _categories(session: Session) -> dict[str, Category]:
    found = {c.code: c for c in session.scalars(select(Category))}
    for code, parent, name, name_nl in _CATEGORIES:
        if code not in found:
            found[code] = Category(
                code=code, name=name, name_nl=name_nl, parent=found[parent] if parent else None
            )
            session.add(found[code])
    session.flush()
    return found


def _specials(session: Session, categories: dict[str, Category]) -> list[Product]:
    existing = {p.sku: p for p in session.scalars(select(Product))}
    products = []
    for sku, name, name_nl, vat_class, price in SPECIALS:
        product = existing.get(sku)
        if product is None:
            product = Product(
                sku=sku,
                name=name,
                name_nl=name_nl,
                description=f"{name}, made for customer 1001 only.",
                description_nl=f"{name_nl}, alleen voor klant 1001.",
                unit="EA",
                unspsc="55121700",
                manufacturer_name="Acme",
                manufacturer_part_id=sku.replace("ACME", "AC"),
                list_price=Decimal(price),
                currency="EUR",
                lead_time_days=10,
                vat_class=vat_class,
                category=categories["office"],
            )
            session.add(product)
        products.append(product)
    session.flush()
    return products


def _catalog(session: Session, name: str, products: list[Product], *, public: bool) -> Catalog:
    catalog = session.scalar(select(Catalog).where(Catalog.name == name))
    if catalog is None:
        catalog = Catalog(name=name, public=public)
        session.add(catalog)
        session.flush()
        session.execute(
            catalog_product.insert(),
            [{"catalog_id": catalog.id, "product_id": product.id} for product in products],
        )
    return catalog


def _addresses(session: Session, organisation: Organisation, city: str) -> None:
    if session.scalar(select(Address.id).where(Address.organisation_id == organisation.id)):
        return
    for kind, name, street, default in (
        ("billing", f"{organisation.name}, Accounts payable", "Postbus 100", True),
        ("delivery", f"{organisation.name}, Head office", "Stationsplein 1", True),
        ("delivery", f"{organisation.name}, Warehouse", "Industrieweg 25", False),
    ):
        session.add(
            Address(
                organisation_id=organisation.id,
                kind=kind,
                name=name,
                street=street,
                postcode="3500 AA",
                city=city,
                country="NL",
                is_default=default,
            )
        )


def _products(session: Session) -> list[Product]:
    existing = {p.sku: p for p in session.scalars(select(Product))}
    products = []
    number = 0
    for name, unit, unspsc, maker, base in _FAMILIES:
        for variant in range(1, _VARIANTS + 1):
            number += 1
            sku = f"DEMO-{number:04d}"
            product = existing.get(sku)
            if product is None:
                product = Product(
                    sku=sku,
                    name=f"{name} {_variant_name(variant)}",
                    description=f"{name}, {_variant_name(variant).lower()} model, by {maker}.",
                    unit=unit,
                    unspsc=unspsc,
                    manufacturer_name=maker,
                    manufacturer_part_id=f"{maker[:3].upper()}-{unspsc[-4:]}-{variant:02d}",
                    list_price=(base * (1 + Decimal(variant - 1) / 10)).quantize(
                        CENT, rounding=ROUND_HALF_UP
                    ),
                    currency="EUR",
                    lead_time_days=1 + variant % 5,
                )
                session.add(product)
            products.append(product)
    session.flush()
    return products


def _variant_name(variant: int) -> str:
    colours = ("Blue", "Black", "Red", "Green", "Grey")
    sizes = ("Standard", "Large", "Compact", "Pro")
    return f"{sizes[(variant - 1) // len(colours)]} {colours[(variant - 1) % len(colours)]}"


def _price_list(session: Session, name: str, products: list[Product], factor: Decimal) -> PriceList:
    """A contract price on every third product, plus a 10+ tier on the first ten products."""
    price_list = session.scalar(select(PriceList).where(PriceList.name == name))
    if price_list is not None:
        return price_list
    price_list = PriceList(name=name, currency="EUR")
    session.add(price_list)
    session.flush()
    for index, product in enumerate(products):
        if index % 3 == 0:
            session.add(
                PriceListItem(
                    price_list_id=price_list.id,
                    product_id=product.id,
                    min_quantity=Decimal(1),
                    unit_price=(product.list_price * factor).quantize(CENT, rounding=ROUND_HALF_UP),
                )
            )
        if index < TIERED_PRODUCTS:
            session.add(
                PriceListItem(
                    price_list_id=price_list.id,
                    product_id=product.id,
                    min_quantity=Decimal(10),
                    unit_price=(product.list_price * factor * Decimal("0.9")).quantize(
                        CENT, rounding=ROUND_HALF_UP
                    ),
                )
            )
    session.flush()
    return price_list


def _customer(session: Session, number: str, name: str, price_list: PriceList) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.number == number))
    if organisation is None:
        organisation = Organisation(number=number, name=name, currency="EUR")
        session.add(organisation)
    organisation.price_list_id = price_list.id
    session.flush()
    return organisation


def _supplier(session: Session) -> Organisation:
    """The supplier's own organisation: staff accounts belong to it, it never buys."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == SUPPLIER_NUMBER)
    )
    if organisation is None:
        organisation = Organisation(number=SUPPLIER_NUMBER, name="Demo Supplier (internal)")
        session.add(organisation)
        session.flush()
    return organisation


def _user(
    session: Session, email: str, name: str, customers: tuple[Organisation, ...], *, role: str
) -> User:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=generate_password_hash(DEMO_PASSWORD))
        session.add(user)
        session.flush()
    for organisation in customers:
        if membership(session, user=user, organisation=organisation) is None:
            session.add(
                Membership(user=user, organisation=organisation, role=role_named(session, role))
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
                period="month",
                policy="block",
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
