"""The demo catalog: 240 products in twelve families with Dutch names and categories, the
standard and 1001-only catalogs, contract price lists with tiers, the 1001 framework contract,
and the customers' shop details and addresses. Idempotent, like the rest of `demo`.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import (
    Address,
    AddressKind,
    Catalog,
    Category,
    Organisation,
    PriceList,
    PriceListItem,
    Product,
    catalog_product,
    price_list_assignment,
)
from gateway.services.catalog.assignment import assign_catalog
from gateway.services.catalog.pricing import CENT

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

#: What one unit of a family holds (family name → pack quantity, content unit): the demo's packs
_PACKS = {
    "Copy paper A4 80 g": (Decimal(500), "ST"),
    "Nitrile gloves, box of 100": (Decimal(100), None),
    "Microfibre cloth": (Decimal(5), None),
    "Wood screw": (Decimal(200), None),
}


TIERED_PRODUCTS = 10


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


def products(session: Session) -> list[Product]:
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
            if name in _PACKS and product.pack_quantity is None:  # also on older demo data
                product.pack_quantity, product.content_unit = _PACKS[name]
            products.append(product)
    session.flush()
    return products


def _variant_name(variant: int) -> str:
    colours = ("Blue", "Black", "Red", "Green", "Grey")
    sizes = ("Standard", "Large", "Compact", "Pro")
    return f"{sizes[(variant - 1) // len(colours)]} {colours[(variant - 1) % len(colours)]}"


def _dutch_variant_name(variant: int) -> str:
    """The variant in Dutch: "Standaard zwart" for "Standard Black"."""
    colours = ("blauw", "zwart", "rood", "groen", "grijs")
    sizes = ("Standaard", "Groot", "Compact", "Pro")
    return f"{sizes[(variant - 1) // len(colours)]} {colours[(variant - 1) % len(colours)]}"


def price_list(session: Session, name: str, products: list[Product], factor: Decimal) -> PriceList:
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


def shop_data(
    session: Session, products: list[Product], first: Organisation, second: Organisation
) -> None:
    categories = _categories(session)
    for index, product in enumerate(products):
        family = index // _VARIANTS
        variant = index % _VARIANTS + 1
        half_dutch = f"{_DUTCH_NAMES[family]} {_variant_name(variant)}"  # seeded before
        if not product.name_nl or product.name_nl == half_dutch:
            product.name_nl = f"{_DUTCH_NAMES[family]} {_dutch_variant_name(variant)}"
        if not product.description_nl:
            product.description_nl = (
                f"{_DUTCH_NAMES[family]}, model {_dutch_variant_name(variant).lower()}, "
                f"van {product.manufacturer_name}."
            )
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


def _addresses(session: Session, organisation: Organisation, city: str) -> None:
    if session.scalar(select(Address.id).where(Address.organisation_id == organisation.id)):
        return
    for kind, name, street, default in (
        (AddressKind.BILLING, f"{organisation.name}, Accounts payable", "Postbus 100", True),
        (AddressKind.DELIVERY, f"{organisation.name}, Head office", "Stationsplein 1", True),
        (AddressKind.DELIVERY, f"{organisation.name}, Warehouse", "Industrieweg 25", False),
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
