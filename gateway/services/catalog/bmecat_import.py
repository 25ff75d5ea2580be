"""Catalog import from the formats suppliers already have: BMEcat 2005 (T_NEW_CATALOG)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import bmecat
from gateway.models import Product


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSummary:
    """What an import did."""

    catalog_id: str
    created: int
    updated: int


def import_bmecat(session: Session, *, body: bytes) -> ImportSummary:
    """Create or update every product of a BMEcat catalog, keyed by SUPPLIER_PID.

    The whole document is checked first: `bmecat.CatalogError` lists every problem and nothing
    is written. Products the catalog does not name stay as they are.
    """
    catalog = bmecat.read(body)
    skus = [product.sku for product in catalog.products]
    existing = {p.sku: p for p in session.scalars(select(Product).where(Product.sku.in_(skus)))}
    created = 0
    with session.begin_nested():
        for item in catalog.products:
            product = existing.get(item.sku)
            if product is None:
                product = Product(sku=item.sku)
                session.add(product)
                created += 1
            product.name = item.name
            product.description = item.description
            product.unit = item.unit
            product.unspsc = item.unspsc
            product.manufacturer_name = item.manufacturer_name
            product.manufacturer_part_id = item.manufacturer_part_id
            product.list_price = item.price
            product.currency = item.currency
            product.lead_time_days = item.lead_time_days
            product.active = True
        session.flush()
    return ImportSummary(
        catalog_id=catalog.catalog_id, created=created, updated=len(catalog.products) - created
    )
