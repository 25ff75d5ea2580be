"""CIF 3.0 (Catalog Interchange Format), the CSV catalog SAP Ariba and Coupa load.

A header of `NAME: value` lines (ITEMCOUNT equal to the data lines that follow), `DATA`, one
CSV line per item (texts quoted, numbers bare), `ENDOFDATA`. Units are UN/CEFACT codes
(`UNUOM: TRUE`), classification UNSPSC. CIF 3.0 has no columns for quantity tiers, so an item
carries its price for one unit. Level-2 punchout items say `PunchOut Enabled` TRUE and
`PunchOut Level` product: the buyer's system then punches out with the item's Supplier Part ID
as the selected item.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TextIO

from gateway.catalogs.items import CatalogHeader, CatalogItem, amount

FIELDNAMES = (
    "Supplier ID",
    "Supplier Part ID",
    "Manufacturer Part ID",
    "Item Description",
    "SPSC Code",
    "Unit Price",
    "Unit of Measure",
    "Lead Time",
    "Manufacturer Name",
    "Supplier URL",
    "Market Price",
    "Currency",
    "Short Name",
    "Language",
    "Image",
)
PUNCHOUT_FIELDNAMES = ("PunchOut Enabled", "PunchOut Level")
DELETE_FIELDNAME = "Delete"
_LANGUAGES = {"en": "en_US", "nl": "nl_NL"}


def fieldnames(header: CatalogHeader) -> tuple[str, ...]:
    """The columns of a catalog with this header."""
    names: tuple[str, ...] = FIELDNAMES
    if header.punchout_url:
        names += PUNCHOUT_FIELDNAMES
    if not header.full:
        names += (DELETE_FIELDNAME,)
    return names


def write(stream: TextIO, header: CatalogHeader, items: Iterable[CatalogItem]) -> int:
    """Write a CIF 3.0 catalog of `header.item_count` items; returns the data lines written.

    Raises ValueError when `items` does not hold exactly `header.item_count` items, since the
    count is written before them.
    """
    stream.write("CIF_I_V3.0\n")
    for name, value in (
        ("CHARSET", "UTF-8"),
        ("LOADMODE", "F" if header.full else "I"),
        ("CODEFORMAT", "UNSPSC"),
        ("CURRENCY", header.currency),
        ("SUPPLIERID_DOMAIN", header.supplier_domain),
        ("ITEMCOUNT", str(header.item_count)),
        ("TIMESTAMP", header.generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("UNUOM", "TRUE"),
        ("COMMENTS", f"{header.catalog_name} ({header.catalog_id}), version {header.version}"),
        ("FIELDNAMES", ",".join(fieldnames(header))),
    ):
        stream.write(f"{name}: {_one_line(value)}\n")
    stream.write("DATA\n")
    written = 0
    for item in items:
        stream.write(",".join(map(_field, _row(header, item))) + "\n")
        written += 1
    if written != header.item_count:
        raise ValueError(f"ITEMCOUNT says {header.item_count} but {written} items were written")
    stream.write("ENDOFDATA\n")
    return written


def _row(header: CatalogHeader, item: CatalogItem) -> list[str | int | Decimal]:
    row: list[str | int | Decimal] = [
        header.supplier_identity,
        item.sku,
        item.manufacturer_part_id or "",
        _one_line(item.description or item.name),
        item.unspsc,
        item.unit_price,
        item.unit,
        item.lead_time_days if item.lead_time_days is not None else "",
        item.manufacturer_name or "",
        item.shop_url,
        item.list_price,
        item.currency,
        _one_line(item.name)[:50],
        _LANGUAGES.get(header.language, header.language),
        item.image_url or "",
    ]
    if header.punchout_url:
        row += ["TRUE", "product"]
    if not header.full:
        row.append("" if item.active else "TRUE")
    return row


def _field(value: str | int | Decimal) -> str:
    """Texts quoted (a quote doubled), numbers bare."""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, Decimal):
        return amount(value)
    return str(value)


def _one_line(text: str) -> str:
    """CIF lines end at a line break, even inside quotes for some loaders: none in values."""
    return " ".join(text.split())
