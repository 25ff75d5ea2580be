"""Items and headers for the catalog writers' tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from gateway.catalogs import CatalogHeader, CatalogItem, PriceTier

PEN = CatalogItem(
    sku="PEN-1",
    name='Ballpoint pen "Classic"',
    description="Ballpoint pen, blue,\nrefillable",
    unit="EA",
    unspsc="44121701",
    unit_price=Decimal("0.6900"),
    list_price=Decimal("0.85"),
    currency="EUR",
    vat_rate=Decimal(21),
    lead_time_days=2,
    manufacturer_name="Scriptura",
    manufacturer_part_id="SCR-1",
    tiers=(PriceTier(min_quantity=Decimal(10), unit_price=Decimal("0.6125")),),
    shop_url="https://shop.example/products/PEN-1",
    image_url="https://shop.example/catalog-pictures/1001/PEN-1/0123abcd.png",
)
PAPER = CatalogItem(
    sku="PAPER-A4",
    name="Copy paper A4",
    description="",
    unit="PK",
    unspsc="14111507",
    unit_price=Decimal("4.5"),
    list_price=Decimal("4.5"),
    currency="EUR",
    vat_rate=Decimal(9),
    pack_quantity=Decimal(500),
    content_unit="SH",  # a pack of 500 sheets
)
GONE = replace(PAPER, sku="OLD-1", active=False)

HEADER = CatalogHeader(
    supplier_domain="NetworkID",
    supplier_identity="AN-SUPPLIER",
    supplier_name="Office Supplies BV",
    catalog_id="1001-cif",
    catalog_name="Office Supplies BV for Acme",
    currency="EUR",
    language="en",
    generated_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    item_count=2,
    default_lead_time_days=7,
)
