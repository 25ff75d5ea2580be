"""A cXML Index: valid against our XSD and the official cXML.dtd, items added, punched out to
(level 2) or deleted."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from gateway.catalogs import CatalogHeader, CatalogItem, cxml_index
from tests.catalog_checks import assert_valid_index
from tests.unit.catalogs.samples import GONE, HEADER, PAPER, PEN


def _write(header: CatalogHeader = HEADER, items: tuple[CatalogItem, ...] = (PEN, PAPER)) -> bytes:
    stream = io.BytesIO()
    count = cxml_index.write(stream, header, items)
    assert count == len(items)
    return stream.getvalue()


def test_a_full_index_adds_every_item_at_the_customers_price() -> None:
    body = _write()
    assert b'<!DOCTYPE Index SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">' in body
    root = assert_valid_index(body)
    assert root.get("loadmode") == "Full"
    assert root.findtext("SupplierID") == "AN-SUPPLIER"
    assert root.find("SupplierID").get("domain") == "NetworkID"  # type: ignore[union-attr]
    adds = root.findall("IndexItem/IndexItemAdd")
    assert [add.findtext("ItemID/SupplierPartID") for add in adds] == ["PEN-1", "PAPER-A4"]
    pen = adds[0]
    assert pen.findtext("ItemDetail/UnitPrice/Money") == "0.69"
    assert pen.findtext("ItemDetail/Classification[@domain='UNSPSC']") == "44121701"
    assert pen.findtext("ItemDetail/UnitOfMeasure") == "EA"
    assert pen.findtext("ItemDetail/Description/ShortName") == 'Ballpoint pen "Classic"'
    assert pen.findtext("ItemDetail/ManufacturerPartID") == "SCR-1"
    assert pen.findtext("IndexItemDetail/LeadTime") == "2"
    # a product without a lead time gets the default: cXML requires one
    assert adds[1].findtext("IndexItemDetail/LeadTime") == "7"


def test_a_picture_is_an_image_extrinsic_of_the_item() -> None:
    root = assert_valid_index(_write())
    pen, paper = root.findall("IndexItem/IndexItemAdd/ItemDetail")
    assert pen.findtext("Extrinsic[@name='Image']") == PEN.image_url
    assert paper.find("Extrinsic") is None  # no picture, no extrinsic
    punchout = assert_valid_index(_write(replace(HEADER, punchout_url="https://shop.example/cxml")))
    detail = punchout.find("IndexItem/IndexItemPunchout/PunchoutDetail")
    assert detail is not None
    assert detail.findtext("Extrinsic[@name='Image']") == PEN.image_url


def test_level_2_punchout_items_point_at_the_punchout_endpoint() -> None:
    root = assert_valid_index(_write(replace(HEADER, punchout_url="https://shop.example/cxml")))
    assert root.find("IndexItem/IndexItemAdd") is None
    items = root.findall("IndexItem/IndexItemPunchout")
    assert len(items) == 2
    detail = items[0].find("PunchoutDetail")
    assert detail is not None
    assert detail.get("punchoutLevel") == "product"
    assert detail.findtext("URL") == "https://shop.example/cxml"
    assert detail.findtext("UnitPrice/Money") == "0.69"


def test_an_incremental_index_deletes_what_left_the_assortment() -> None:
    root = assert_valid_index(_write(replace(HEADER, full=False), (PEN, GONE)))
    assert root.get("loadmode") == "Incremental"
    groups = root.findall("IndexItem")
    assert [child.tag for group in groups for child in group] == [
        "IndexItemAdd",
        "IndexItemDelete",
    ]
    assert groups[1].findtext("IndexItemDelete/ItemID/SupplierPartID") == "OLD-1"
    assert_valid_index(_write(replace(HEADER, full=False), (GONE,)))  # deletions alone


def test_an_index_needs_an_item() -> None:
    with pytest.raises(ValueError, match="at least one item"):
        cxml_index.write(io.BytesIO(), HEADER, ())
