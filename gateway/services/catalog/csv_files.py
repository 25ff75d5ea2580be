"""Catalog import and export as CSV (UTF-8, comma-separated, header row).

Columns (required marked *): sku*, name*, name_nl, description, description_nl, unit*
(UN/CEFACT code), unspsc* (8 digits), manufacturer_name, manufacturer_part_id, vat_class
(default `standard`), lead_time_days, image_url, list_price* (excl. VAT, at most 4 decimals),
currency (default EUR), active (1/0, true/false, yes/no; default 1), category (a category
code), catalogs (catalog names separated by `;`, replacing the product's catalogs when given),
pack_quantity and content_unit (what one unit holds: e.g. unit PK, pack_quantity 10,
content_unit EA or empty for pieces), image_file (a PNG, JPEG or WebP file next to the CSV, by
its path relative to the CSV's folder: stored by the gateway as the product's picture; see
`images`).

Rows update the product with the same SKU or create it. Every row is checked before anything is
written; the caller decides whether rejected rows stop the whole import (the default).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from gateway.models import Catalog, Category, Product, catalog_product
from gateway.services.catalog import images
from gateway.services.catalog.pricing import DEFAULT_VAT_RATES

COLUMNS = (
    "sku",
    "name",
    "name_nl",
    "description",
    "description_nl",
    "unit",
    "unspsc",
    "manufacturer_name",
    "manufacturer_part_id",
    "vat_class",
    "lead_time_days",
    "image_url",
    "list_price",
    "currency",
    "active",
    "category",
    "catalogs",
    "pack_quantity",  # added after the others, so an export's earlier columns keep their place
    "content_unit",
    "image_file",
)
EXPORTED = COLUMNS[:-1]  # pictures stay in the gateway: an export names no image files
REQUIRED = ("sku", "name", "unit", "unspsc", "list_price")
MAX_PRICE = Decimal(1_000_000_000)
MAX_LEAD_TIME_DAYS = 3650
_LIMITS = {
    "sku": 64,
    "name": 200,
    "name_nl": 200,
    "manufacturer_name": 120,
    "manufacturer_part_id": 64,
    "image_url": 500,
}
_TRUE = {"1", "true", "yes", ""}
_FALSE = {"0", "false", "no"}
BATCH = 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """A CSV line that cannot be imported, and why."""

    line: int
    sku: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProductRow:
    """One checked CSV row, ready to write."""

    line: int
    values: dict[str, object]
    category_id: int | None
    catalog_ids: tuple[int, ...] | None  # None: leave the product's catalogs alone
    image: images.ImageFile | None = None  # None: leave the product's picture alone


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportResult:
    """What an import did (or would have done) and what it rejected."""

    created: int
    updated: int
    rejected: tuple[Rejected, ...]
    written: bool


def check(
    session: Session,
    stream: IO[str],
    *,
    vat_rates: Mapping[str, Decimal] = DEFAULT_VAT_RATES,
    image_folder: Path | None = None,
) -> tuple[list[ProductRow], list[Rejected]]:
    """Read and check every row; nothing is written. `image_file` names are read relative to
    `image_folder` (the CSV file's folder); without one, a row naming an image is rejected."""
    reader = csv.DictReader(stream)
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or ())]
    if missing:
        return [], [Rejected(line=1, sku="", reason="missing columns: " + ", ".join(missing))]
    unknown = [c for c in reader.fieldnames or () if c not in COLUMNS]
    if unknown:
        return [], [Rejected(line=1, sku="", reason="unknown columns: " + ", ".join(unknown))]
    categories = dict(session.execute(select(Category.code, Category.id)).all())
    catalogs = dict(session.execute(select(Catalog.name, Catalog.id)).all())
    rows: list[ProductRow] = []
    rejected: list[Rejected] = []
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        sku = str(record.get("sku") or "").strip()
        try:
            row = _row(
                line,
                record,
                seen=seen,
                categories=categories,
                catalogs=catalogs,
                vat_rates=vat_rates,
                image_folder=image_folder,
            )
        except ValueError as exc:
            rejected.append(Rejected(line=line, sku=sku, reason=str(exc)))
            continue
        seen.add(sku)
        rows.append(row)
    return rows, rejected


def check_record(
    session: Session,
    record: Mapping[str | None, object],
    *,
    vat_rates: Mapping[str, Decimal] = DEFAULT_VAT_RATES,
) -> ProductRow:
    """Check one product given by the import's columns (the REST API's products) with the
    import's rules; ValueError says what is wrong. Nothing is written."""
    return _row(
        0,
        record,
        seen=set(),
        categories=dict(session.execute(select(Category.code, Category.id)).all()),
        catalogs=dict(session.execute(select(Catalog.name, Catalog.id)).all()),
        vat_rates=vat_rates,
    )


def _row(
    line: int,
    record: Mapping[str | None, object],
    *,
    seen: set[str],
    categories: Mapping[str, int],
    catalogs: Mapping[str, int],
    vat_rates: Mapping[str, Decimal],
    image_folder: Path | None = None,
) -> ProductRow:
    if None in record:
        raise ValueError("more fields than columns")
    get = {column: str(record.get(column) or "").strip() for column in COLUMNS}
    if get["sku"] in seen:
        raise ValueError("SKU appears twice in the file")
    _check_texts(get)
    vat_class = get["vat_class"] or "standard"
    if vat_class not in vat_rates:
        raise ValueError(f"unknown vat_class {vat_class!r}")
    if get["category"] and get["category"] not in categories:
        raise ValueError(f"unknown category {get['category']!r}")
    return ProductRow(
        line=line,
        values={
            "sku": get["sku"],
            "name": get["name"],
            "name_nl": get["name_nl"],
            "description": get["description"],
            "description_nl": get["description_nl"],
            "unit": get["unit"],
            "unspsc": get["unspsc"],
            "manufacturer_name": get["manufacturer_name"] or None,
            "manufacturer_part_id": get["manufacturer_part_id"] or None,
            "vat_class": vat_class,
            "lead_time_days": _lead_time(get["lead_time_days"]),
            "image_url": get["image_url"] or None,
            "list_price": _price(get["list_price"]),
            "currency": get["currency"] or "EUR",
            "active": get["active"].lower() in _TRUE,
            "pack_quantity": _pack_quantity(get["pack_quantity"]),
            "content_unit": get["content_unit"] or None,
        },
        category_id=categories[get["category"]] if get["category"] else None,
        catalog_ids=_catalog_ids(get["catalogs"], catalogs),
        image=_image(get["image_file"], image_folder),
    )


def _image(name: str, folder: Path | None) -> images.ImageFile | None:
    if not name:
        return None
    if folder is None:
        raise ValueError("image_file needs the CSV file's folder: import the CSV from a file")
    return images.check_file(folder, name)


def _check_texts(get: Mapping[str, str]) -> None:
    for column in REQUIRED:
        if not get[column]:
            raise ValueError(f"{column} is empty")
    for column, limit in _LIMITS.items():
        if len(get[column]) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    if not re.fullmatch(r"[A-Z0-9]{2,3}", get["unit"]):
        raise ValueError(f"unit {get['unit']!r} is not a UN/CEFACT code")
    if get["content_unit"] and not re.fullmatch(r"[A-Z0-9]{2,3}", get["content_unit"]):
        raise ValueError(f"content_unit {get['content_unit']!r} is not a UN/CEFACT code")
    if not re.fullmatch(r"\d{8}", get["unspsc"]):
        raise ValueError("unspsc must be 8 digits")
    if get["image_url"] and not re.match(r"https?://", get["image_url"]):
        raise ValueError("image_url must start with http:// or https://")
    if get["currency"] and not re.fullmatch(r"[A-Z]{3}", get["currency"]):
        raise ValueError("currency must be a 3-letter code")
    if get["active"].lower() not in _TRUE | _FALSE:
        raise ValueError("active must be 1 or 0")


def _price(text: str) -> Decimal:
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"list_price {text!r} is not a number") from None
    if not price.is_finite() or price < 0 or price >= MAX_PRICE:
        raise ValueError("list_price must be from 0 to 1,000,000,000")
    if price != price.quantize(Decimal("0.0001")):
        raise ValueError("list_price may have at most 4 decimals")
    return price


def _pack_quantity(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"pack_quantity {text!r} is not a number") from None
    if not quantity.is_finite() or quantity <= 0 or quantity >= MAX_PRICE:
        raise ValueError("pack_quantity must be a positive number")
    if quantity != quantity.quantize(Decimal("0.001")):
        raise ValueError("pack_quantity may have at most 3 decimals")
    return quantity


def _lead_time(text: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_LEAD_TIME_DAYS:
        raise ValueError(
            f"lead_time_days must be a whole number of days up to {MAX_LEAD_TIME_DAYS}"
        )
    return int(text)


def _catalog_ids(text: str, catalogs: Mapping[str, int]) -> tuple[int, ...] | None:
    if not text:
        return None
    names = [name.strip() for name in text.split(";") if name.strip()]
    unknown = [name for name in names if name not in catalogs]
    if unknown:
        raise ValueError("unknown catalog " + ", ".join(repr(name) for name in unknown))
    return tuple(sorted({catalogs[name] for name in names}))


def write(
    session: Session,
    rows: Iterable[ProductRow],
    *,
    progress: Callable[[int], None] = lambda _done: None,
) -> tuple[int, int]:
    """Create or update the products of checked rows; returns (created, updated)."""
    existing = {product.sku: product for product in session.scalars(select(Product))}
    created = updated = 0
    for count, row in enumerate(rows, start=1):
        product = existing.get(str(row.values["sku"]))
        if product is None:
            product = Product(**row.values)
            session.add(product)
            created += 1
        else:
            for key, value in row.values.items():
                setattr(product, key, value)
            updated += 1
        product.category_id = row.category_id
        if row.catalog_ids is not None:
            session.flush()
            session.execute(
                delete(catalog_product).where(catalog_product.c.product_id == product.id)
            )
            if row.catalog_ids:
                session.execute(
                    insert(catalog_product),
                    [{"catalog_id": c, "product_id": product.id} for c in row.catalog_ids],
                )
        if row.image is not None:
            session.flush()
            images.store(
                session,
                product_id=product.id,
                content_type=row.image.content_type,
                data=row.image.read(),
            )
        if count % BATCH == 0:
            session.flush()
            progress(BATCH)
    session.flush()
    progress((created + updated) % BATCH)
    return created, updated


def export(session: Session, stream: IO[str]) -> int:
    """Write every product in the import format; returns the number of products."""
    writer = csv.DictWriter(stream, fieldnames=EXPORTED, lineterminator="\n")
    writer.writeheader()
    categories = dict(session.execute(select(Category.id, Category.code)).all())
    catalogs = dict(session.execute(select(Catalog.id, Catalog.name)).all())
    memberships: dict[int, list[str]] = {}
    for catalog_id, product_id in session.execute(
        select(catalog_product.c.catalog_id, catalog_product.c.product_id)
    ):
        memberships.setdefault(product_id, []).append(catalogs[catalog_id])
    count = 0
    for product in _all_products(session):
        writer.writerow(
            {
                **{column: getattr(product, column) for column in COLUMNS[:12]},
                "manufacturer_name": product.manufacturer_name or "",
                "manufacturer_part_id": product.manufacturer_part_id or "",
                "lead_time_days": "" if product.lead_time_days is None else product.lead_time_days,
                "image_url": product.image_url or "",
                "list_price": f"{product.list_price.normalize():f}",
                "currency": product.currency,
                "active": "1" if product.active else "0",
                "category": categories.get(product.category_id, "") if product.category_id else "",
                "catalogs": ";".join(sorted(memberships.get(product.id, []))),
                "pack_quantity": ""
                if product.pack_quantity is None
                else f"{product.pack_quantity.normalize():f}",
                "content_unit": product.content_unit or "",
            }
        )
        count += 1
    return count


def _all_products(session: Session) -> Iterator[Product]:
    yield from session.scalars(
        select(Product).order_by(Product.sku).execution_options(yield_per=BATCH)
    )
