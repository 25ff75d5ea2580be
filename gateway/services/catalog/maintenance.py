"""The catalog as the supplier's ERP keeps it through the REST API: products by SKU (checked and
written with the CSV import's rules), their deactivation, a customer's contract prices and the
bulk upsert of a price list's items. Every change is audited under the acting token.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.errors import InvalidInput, NotFound
from gateway.models import Organisation, PriceList, PriceListItem, Product
from gateway.services import audit
from gateway.services.catalog import csv_files
from gateway.services.catalog.pricing import DEFAULT_VAT_RATES, applicable_price_lists
from gateway.services.people.staff import SUPPLIER_NUMBER


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceItem:
    """One price of a price list: from `min_quantity` on, `unit_price` (excl. VAT)."""

    sku: str
    min_quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerPrice:
    """A contract price of a customer, with the list it comes from."""

    price_list: str
    sku: str
    min_quantity: Decimal
    unit_price: Decimal
    currency: str
    item_id: int


def products(
    session: Session,
    *,
    actor: Actor,
    active: bool | None,
    updated_since: datetime | None,
    after_id: int,
    limit: int,
) -> list[Product]:
    """Products in id order after `after_id`, filtered by state and last change."""
    require(actor, Permission.API_CATALOG_READ)
    statement = select(Product).where(Product.id > after_id)
    if active is not None:
        statement = statement.where(Product.active == active)
    if updated_since is not None:
        statement = statement.where(Product.updated_at >= updated_since)
    return list(session.scalars(statement.order_by(Product.id).limit(limit)))


def product(session: Session, *, actor: Actor, sku: str) -> Product:
    """The product with this SKU; NotFound."""
    require(actor, Permission.API_CATALOG_READ)
    return _find(session, sku)


def _find(session: Session, sku: str) -> Product:
    found = session.scalar(select(Product).where(Product.sku == sku[:64]))
    if found is None:
        raise NotFound("No product %(sku)s.", sku=sku[:64])
    return found


def save_product(
    session: Session,
    *,
    actor: Actor,
    sku: str,
    fields: Mapping[str, str],
    now: datetime,
    vat_rates: Mapping[str, Decimal] = DEFAULT_VAT_RATES,
) -> tuple[Product, bool]:
    """Create the product `sku` or replace its fields (import columns as text); its category,
    catalogs and picture stay. Returns the product and whether it is new."""
    require(actor, Permission.API_CATALOG_WRITE)
    existing = session.scalar(select(Product).where(Product.sku == sku[:64]))
    try:
        record: dict[str | None, object] = {"sku": sku}
        record.update({key: value for key, value in fields.items() if key != "sku"})
        row = csv_files.check_record(session, record, vat_rates=vat_rates)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if existing is not None:
        row = dataclasses.replace(row, category_id=existing.category_id)
    csv_files.write(session, [row])
    saved = session.scalars(select(Product).where(Product.sku == sku)).one()
    audit.record_by(session, actor=actor, action="product.save", subject=sku, now=now)
    return saved, existing is None


def deactivate(session: Session, *, actor: Actor, sku: str, now: datetime) -> Product:
    """Take the product out of every assortment (it stays for old orders)."""
    require(actor, Permission.API_CATALOG_WRITE)
    found = _find(session, sku)
    found.active = False
    session.flush()
    audit.record_by(session, actor=actor, action="product.deactivate", subject=found.sku, now=now)
    return found


def catalog_customer(session: Session, *, actor: Actor, number: str) -> Organisation:
    """A customer whose catalog the actor may read (a token limited to other customers may
    not), or NotFound."""
    require(actor, Permission.API_CATALOG_READ)
    customer = session.scalar(
        select(Organisation).where(
            Organisation.number == number[:32], Organisation.number != SUPPLIER_NUMBER
        )
    )
    if customer is None:
        raise NotFound("No customer %(number)s.", number=number[:32])
    require(actor, Permission.API_CATALOG_READ, customer)
    return customer


def customer_prices(
    session: Session, *, actor: Actor, number: str, on: date, after_id: int, limit: int
) -> list[CustomerPrice]:
    """The items of the price lists valid for the customer on `on`, in item order: each step
    (`min_quantity`) of a product is a price tier."""
    customer = catalog_customer(session, actor=actor, number=number)
    rows = session.execute(
        select(PriceListItem, PriceList.name, PriceList.currency, Product.sku)
        .join(PriceList, PriceList.id == PriceListItem.price_list_id)
        .join(Product, Product.id == PriceListItem.product_id)
        .where(
            PriceListItem.price_list_id.in_(applicable_price_lists(session, customer, on)),
            PriceListItem.id > after_id,
        )
        .order_by(PriceListItem.id)
        .limit(limit)
    )
    return [
        CustomerPrice(
            price_list=name,
            sku=sku,
            min_quantity=item.min_quantity,
            unit_price=item.unit_price,
            currency=currency,
            item_id=item.id,
        )
        for item, name, currency, sku in rows
    ]


def upsert_prices(
    session: Session, *, actor: Actor, price_list: str, items: Sequence[PriceItem], now: datetime
) -> tuple[int, int]:
    """Set the prices of a price list (by SKU and minimum quantity); returns (created,
    updated). NotFound names an unknown list or SKU; nothing is written then."""
    require(actor, Permission.API_CATALOG_WRITE)
    if not items:
        return 0, 0
    found = session.scalar(select(PriceList).where(PriceList.name == price_list[:120]))
    if found is None:
        raise NotFound("No price list %(name)s.", name=price_list[:120])
    skus = {item.sku for item in items}
    ids = dict(session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all())
    missing = sorted(skus - ids.keys())
    if missing:
        raise NotFound("No product %(sku)s.", sku=missing[0])
    existing = {
        (row.product_id, row.min_quantity): row
        for row in session.scalars(
            select(PriceListItem).where(
                PriceListItem.price_list_id == found.id,
                or_(*(PriceListItem.product_id == ids[sku] for sku in skus)),
            )
        )
    }
    created = updated = 0
    for item in items:
        key = (ids[item.sku], item.min_quantity)
        row = existing.get(key)
        if row is None:
            row = PriceListItem(
                price_list_id=found.id,
                product_id=ids[item.sku],
                min_quantity=item.min_quantity,
                unit_price=item.unit_price,
            )
            session.add(row)
            existing[key] = row
            created += 1
        else:
            row.unit_price = item.unit_price
            updated += 1
    session.flush()
    audit.record_by(
        session,
        actor=actor,
        action="price_list.upsert",
        subject=found.name,
        now=now,
        note=f"{created} new, {updated} changed",
    )
    return created, updated
