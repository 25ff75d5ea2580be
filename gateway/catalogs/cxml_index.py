"""A cXML catalog: the `Index` document SAP Ariba's and Coupa's catalog loaders read.

Written element by element (lxml's incremental writer), so a catalog of any size streams.
Items go in one IndexItem of IndexItemAdd elements, or of IndexItemPunchout elements for
level-2 punchout items (their URL is our punchout endpoint; the buyer's system sends the
item's SupplierPartID as the SelectedItem); products to remove (incremental loads) follow in
an IndexItem of IndexItemDelete elements. cXML has no quantity tiers in an Index: an item
carries its price for one unit. A picture is an `Image` extrinsic (the name of CIF's column,
which catalog loaders map alike).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import IO

from lxml import etree

from gateway.catalogs.items import CatalogHeader, CatalogItem, amount

DEFAULT_VERSION = "1.2.071"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def doctype(version: str = DEFAULT_VERSION) -> str:
    """The DOCTYPE naming the official DTD of `version`."""
    return f'<!DOCTYPE Index SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/cXML.dtd">'


def write(
    stream: IO[bytes],
    header: CatalogHeader,
    items: Iterable[CatalogItem],
    *,
    version: str = DEFAULT_VERSION,
) -> int:
    """Write an Index of `items` (active ones added, inactive ones deleted); returns the count.

    A cXML Index needs at least one IndexItem: an empty catalog raises ValueError.
    """
    deleted: list[str] = []
    active = _active(items, deleted)
    first = next(active, None)
    if first is None and not deleted:
        raise ValueError("a cXML Index needs at least one item")
    with etree.xmlfile(stream, encoding="UTF-8") as xf:
        xf.write_declaration()
        xf.write_doctype(doctype(version))
        with xf.element("Index", loadmode="Full" if header.full else "Incremental"):
            xf.write(
                _leaf("SupplierID", header.supplier_identity, {"domain": header.supplier_domain})
            )
            xf.write(_leaf("Comments", f"{header.catalog_name} ({header.catalog_id})"))
            added = 0
            if first is not None:
                with xf.element("IndexItem"):
                    for item in itertools.chain((first,), active):
                        xf.write(
                            _punchout(header, item) if header.punchout_url else _add(header, item)
                        )
                        added += 1
            if deleted:
                with xf.element("IndexItem"):
                    for sku in deleted:
                        delete = etree.Element("IndexItemDelete")
                        _item_id(delete, sku)
                        xf.write(delete)
    return added + len(deleted)


def _add(header: CatalogHeader, item: CatalogItem) -> etree._Element:
    add = etree.Element("IndexItemAdd")
    _item_id(add, item.sku)
    detail = etree.SubElement(add, "ItemDetail")
    _money(etree.SubElement(detail, "UnitPrice"), item)
    _description(detail, header, item)
    etree.SubElement(detail, "UnitOfMeasure").text = item.unit
    etree.SubElement(detail, "Classification", domain="UNSPSC").text = item.unspsc
    _manufacturer(detail, item, part_first=True)
    if item.shop_url:
        etree.SubElement(detail, "URL").text = item.shop_url
    _image(detail, item)
    index_detail = etree.SubElement(add, "IndexItemDetail")
    etree.SubElement(index_detail, "LeadTime").text = str(_lead_time(header, item))
    return add


def _punchout(header: CatalogHeader, item: CatalogItem) -> etree._Element:
    punchout = etree.Element("IndexItemPunchout")
    _item_id(punchout, item.sku)
    detail = etree.SubElement(punchout, "PunchoutDetail", punchoutLevel="product")
    _description(detail, header, item)
    etree.SubElement(detail, "URL").text = header.punchout_url
    etree.SubElement(detail, "Classification", domain="UNSPSC").text = item.unspsc
    _money(etree.SubElement(detail, "UnitPrice"), item)
    etree.SubElement(detail, "UnitOfMeasure").text = item.unit
    _manufacturer(detail, item, part_first=False)
    etree.SubElement(detail, "LeadTime").text = str(_lead_time(header, item))
    _image(detail, item)
    return punchout


def _item_id(parent: etree._Element, sku: str) -> None:
    etree.SubElement(etree.SubElement(parent, "ItemID"), "SupplierPartID").text = sku


def _money(parent: etree._Element, item: CatalogItem) -> None:
    etree.SubElement(parent, "Money", currency=item.currency).text = amount(item.unit_price)


def _description(parent: etree._Element, header: CatalogHeader, item: CatalogItem) -> None:
    description = etree.SubElement(parent, "Description", {XML_LANG: header.language})
    description.text = item.description or item.name
    etree.SubElement(description, "ShortName").text = item.name


def _manufacturer(parent: etree._Element, item: CatalogItem, *, part_first: bool) -> None:
    """ItemDetail names the part before the maker, PunchoutDetail the maker first."""
    part = ("ManufacturerPartID", item.manufacturer_part_id)
    maker = ("ManufacturerName", item.manufacturer_name)
    for name, value in (part, maker) if part_first else (maker, part):
        if value:
            etree.SubElement(parent, name).text = value


def _image(parent: etree._Element, item: CatalogItem) -> None:
    if item.image_url:
        etree.SubElement(parent, "Extrinsic", name="Image").text = item.image_url


def _lead_time(header: CatalogHeader, item: CatalogItem) -> int:
    return item.lead_time_days if item.lead_time_days is not None else header.default_lead_time_days


def _leaf(tag: str, text: str, attributes: dict[str, str] | None = None) -> etree._Element:
    element = etree.Element(tag, attributes or {})
    element.text = text
    return element


def _active(items: Iterable[CatalogItem], deleted: list[str]) -> Iterator[CatalogItem]:
    """The active items; the SKUs of the others are put in `deleted` on the way."""
    for item in items:
        if item.active:
            yield item
        else:
            deleted.append(item.sku)
