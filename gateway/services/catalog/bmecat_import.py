"""Catalog import from the formats suppliers already have: BMEcat 2005 (T_NEW_CATALOG)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import bmecat
from gateway.models import Product
from gateway.services.catalog import images


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportSummary:
    """What an import did."""

    catalog_id: str
    created: int
    updated: int
    images: int = 0
    images_not_fetched: tuple[str, ...] = ()  # SKUs whose picture is a URL (never fetched)


def import_bmecat(
    session: Session, *, body: bytes, image_folder: Path | None = None
) -> ImportSummary:
    """Create or update every product of a BMEcat catalog, keyed by SUPPLIER_PID.

    The whole document is checked first: `bmecat.CatalogError` lists every problem and nothing
    is written. Products the catalog does not name stay as they are. A product's picture
    (`MIME_INFO`) is read from a file relative to `image_folder` (the catalog's folder) and
    checked like every imported image; a picture given as a URL is not fetched (the summary
    names those products).
    """
    catalog = bmecat.read(body)
    pictures, not_fetched = _pictures(catalog, image_folder)
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
            product.pack_quantity = item.pack_quantity
            product.content_unit = item.content_unit
            product.active = True
        session.flush()
        for item in catalog.products:
            picture = pictures.get(item.sku)
            if picture is not None:
                product = (
                    existing.get(item.sku)
                    or session.scalars(select(Product).where(Product.sku == item.sku)).one()
                )
                images.store(
                    session,
                    product_id=product.id,
                    content_type=picture.content_type,
                    data=picture.read(),
                )
        session.flush()
    return ImportSummary(
        catalog_id=catalog.catalog_id,
        created=created,
        updated=len(catalog.products) - created,
        images=len(pictures),
        images_not_fetched=not_fetched,
    )


def _pictures(
    catalog: bmecat.Catalog, folder: Path | None
) -> tuple[dict[str, images.ImageFile], tuple[str, ...]]:
    """Each product's checked picture file; CatalogError listing every unusable one."""
    found: dict[str, images.ImageFile] = {}
    remote: list[str] = []
    findings: list[bmecat.Finding] = []
    for item in catalog.products:
        source = item.image_source
        if not source:
            continue
        if re.match(r"[a-z][a-z0-9+.-]*://", source, re.IGNORECASE):
            remote.append(item.sku)
            continue
        if folder is None:
            reason = "needs the catalog's folder: import it from a file"
        else:
            try:
                found[item.sku] = images.check_file(folder, source)
                continue
            except images.ImageError as exc:
                reason = str(exc)
        findings.append(
            bmecat.Finding(line=None, path=f"PRODUCT {item.sku}/MIME_INFO", reason=reason)
        )
    if findings:
        raise bmecat.CatalogError(tuple(findings))
    return found, tuple(remote)
