"""What every catalog format is written from: a header and one item per product."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

CENT = Decimal("0.01")


def amount(value: Decimal) -> str:
    """A price as catalogs write it: a point, at least two decimals, no trailing zeros past
    them (0.77, 3.20, 0.6875)."""
    if value == value.quantize(CENT):
        return f"{value.quantize(CENT):f}"
    return f"{value.normalize():f}"


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTier:
    """The customer's unit price from `min_quantity` on."""

    min_quantity: Decimal
    unit_price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogItem:
    """One product as one customer buys it: its price, tiers and how to find it in the shop.

    `active` False marks a product to delete from the buyer's catalog (incremental exports).
    """

    sku: str
    name: str
    description: str
    unit: str  # UN/CEFACT Recommendation 20 code
    unspsc: str
    unit_price: Decimal  # the customer's price for one unit, excl. VAT
    list_price: Decimal
    currency: str
    vat_rate: Decimal  # percent
    lead_time_days: int | None = None
    manufacturer_name: str | None = None
    manufacturer_part_id: str | None = None
    tiers: tuple[PriceTier, ...] = ()
    # what one unit holds: `pack_quantity` of `content_unit` (None: pieces); None: itself
    pack_quantity: Decimal | None = None
    content_unit: str | None = None
    shop_url: str = ""
    image_url: str | None = None
    active: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogHeader:
    """What a catalog says about itself.

    `full` is a full load (the buyer replaces what it holds); otherwise an incremental one.
    `punchout_url` makes every item a level-2 punchout item that opens the shop on it.
    `version` and `previous_version` number the exports of one customer and format.
    """

    supplier_domain: str
    supplier_identity: str
    supplier_name: str
    catalog_id: str
    catalog_name: str
    currency: str
    language: str  # "en" or "nl"
    generated_at: datetime
    item_count: int
    full: bool = True
    version: int = 1
    previous_version: int = 0
    punchout_url: str | None = None
    default_lead_time_days: int = 0
