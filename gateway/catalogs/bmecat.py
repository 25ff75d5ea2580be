"""BMEcat 2005 catalogs for buyers: a full T_NEW_CATALOG, or incremental T_UPDATE_PRODUCTS /
T_UPDATE_PRICES, with the customer's prices and quantity tiers (PRODUCT_PRICE with
LOWER_BOUND), the UNSPSC class as a reference feature, UN/CEFACT units and the picture's URL
(MIME_INFO).

Written element by element, so a catalog of any size streams. A T_NEW_CATALOG stays inside the
subset `gateway.bmecat` imports, so an export reads back into an empty catalog.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from pathlib import PurePosixPath
from typing import IO
from urllib.parse import urlsplit

from lxml import etree

from gateway.catalogs.items import CatalogHeader, CatalogItem, amount

NS = "http://www.bmecat.org/bmecat/2005"
_LANGUAGES = {"en": "eng", "nl": "nld"}
_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


class Transaction(StrEnum):
    """The BMEcat transaction a document carries."""

    NEW_CATALOG = "T_NEW_CATALOG"  # everything; the buyer replaces what it holds
    UPDATE_PRODUCTS = "T_UPDATE_PRODUCTS"  # products added, changed (with prices) or deleted
    UPDATE_PRICES = "T_UPDATE_PRICES"  # prices of existing products only


def write(
    stream: IO[bytes],
    header: CatalogHeader,
    items: Iterable[CatalogItem],
    *,
    transaction: Transaction = Transaction.NEW_CATALOG,
) -> int:
    """Write a BMEcat document of `items` in `transaction`; returns the products written.

    In T_UPDATE_PRODUCTS an inactive item is a PRODUCT mode="delete"; T_NEW_CATALOG and
    T_UPDATE_PRICES take active items only (ValueError otherwise).
    """
    written = 0
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_q("BMECAT"), nsmap={None: NS}, version="2005"):
            xf.write(_header(header))
            attributes = (
                {}
                if transaction == Transaction.NEW_CATALOG
                else {"prev_version": str(header.previous_version)}
            )
            with xf.element(_q(transaction.value), attributes):
                for item in items:
                    xf.write(_product(header, item, transaction))
                    written += 1
    return written


def _header(header: CatalogHeader) -> etree._Element:
    element = etree.Element(_q("HEADER"), nsmap={None: NS})
    _sub(element, "GENERATOR_INFO", "punchout-gateway")
    catalog = _sub(element, "CATALOG")
    _sub(catalog, "LANGUAGE", _LANGUAGES.get(header.language, header.language))
    _sub(catalog, "CATALOG_ID", header.catalog_id)
    _sub(catalog, "CATALOG_VERSION", f"{header.version}.0")
    _sub(catalog, "CATALOG_NAME", header.catalog_name)
    _sub(catalog, "CURRENCY", header.currency)
    _sub(_sub(element, "SUPPLIER"), "SUPPLIER_NAME", header.supplier_name)
    return element


def _product(header: CatalogHeader, item: CatalogItem, transaction: Transaction) -> etree._Element:
    if not item.active and transaction != Transaction.UPDATE_PRODUCTS:
        raise ValueError(f"{item.sku}: only T_UPDATE_PRODUCTS can delete a product")
    mode = {
        Transaction.NEW_CATALOG: "new",
        Transaction.UPDATE_PRODUCTS: "update" if item.active else "delete",
        Transaction.UPDATE_PRICES: "update",
    }[transaction]
    product = etree.Element(_q("PRODUCT"), {"mode": mode}, nsmap={None: NS})
    _sub(product, "SUPPLIER_PID", item.sku)
    if mode == "delete":
        return product
    if transaction != Transaction.UPDATE_PRICES:
        details = _sub(product, "PRODUCT_DETAILS")
        _sub(details, "DESCRIPTION_SHORT", item.name)
        if item.description:
            _sub(details, "DESCRIPTION_LONG", item.description)
        if item.manufacturer_part_id:
            _sub(details, "MANUFACTURER_PID", item.manufacturer_part_id)
        if item.manufacturer_name:
            _sub(details, "MANUFACTURER_NAME", item.manufacturer_name)
        lead_time = item.lead_time_days
        if lead_time is not None:
            _sub(details, "DELIVERY_TIME", str(lead_time))
        features = _sub(product, "PRODUCT_FEATURES")
        _sub(features, "REFERENCE_FEATURE_SYSTEM_NAME", "UNSPSC")
        _sub(features, "REFERENCE_FEATURE_GROUP_ID", item.unspsc)
        _order_details(_sub(product, "PRODUCT_ORDER_DETAILS"), item)
    prices = _sub(product, "PRODUCT_PRICE_DETAILS")
    _price(prices, item, item.unit_price, lower_bound=None)
    for tier in item.tiers:
        if tier.min_quantity > 1:
            _price(prices, item, tier.unit_price, lower_bound=f"{tier.min_quantity.normalize():f}")
    if item.image_url and transaction != Transaction.UPDATE_PRICES:
        _picture(product, item.image_url)
    return product


def _picture(product: etree._Element, url: str) -> None:
    """The product's picture by URL (BMEcat allows a URL where a file name would stand)."""
    mime = _sub(_sub(product, "MIME_INFO"), "MIME")
    kind = _IMAGE_TYPES.get(PurePosixPath(urlsplit(url).path).suffix.lower())
    if kind:
        _sub(mime, "MIME_TYPE", kind)
    _sub(mime, "MIME_SOURCE", url)
    _sub(mime, "MIME_PURPOSE", "normal")


def _order_details(order: etree._Element, item: CatalogItem) -> None:
    """The order unit and what it holds (NO_CU_PER_OU of CONTENT_UNIT: pieces when a pack
    names none, one of itself when it is no pack), priced and sold from one unit."""
    _sub(order, "ORDER_UNIT", item.unit)
    if item.pack_quantity is None:
        _sub(order, "CONTENT_UNIT", item.unit)
        _sub(order, "NO_CU_PER_OU", "1")
    else:
        if item.content_unit:
            _sub(order, "CONTENT_UNIT", item.content_unit)
        _sub(order, "NO_CU_PER_OU", f"{item.pack_quantity.normalize():f}")
    _sub(order, "PRICE_QUANTITY", "1")
    _sub(order, "QUANTITY_MIN", "1")


def _price(
    parent: etree._Element, item: CatalogItem, value: Decimal, *, lower_bound: str | None
) -> None:
    price = _sub(parent, "PRODUCT_PRICE", attributes={"price_type": "net_customer"})
    _sub(price, "PRICE_AMOUNT", amount(value))
    _sub(price, "PRICE_CURRENCY", item.currency)
    _sub(price, "TAX", f"{item.vat_rate / 100:f}")
    if lower_bound is not None:
        _sub(price, "LOWER_BOUND", lower_bound)


def _sub(
    parent: etree._Element,
    tag: str,
    text: str | None = None,
    *,
    attributes: dict[str, str] | None = None,
) -> etree._Element:
    element: etree._Element = etree.SubElement(parent, _q(tag), attributes or {})
    if text is not None:
        element.text = text
    return element


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"
