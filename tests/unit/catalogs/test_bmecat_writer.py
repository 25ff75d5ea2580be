"""BMEcat 2005 out: a T_NEW_CATALOG that our own import reads back, with tiers; incremental
T_UPDATE_PRODUCTS and T_UPDATE_PRICES valid against the subset we write, and not imported."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from gateway import bmecat as bmecat_import
from gateway.bmecat import CatalogError
from gateway.catalogs import CatalogHeader, CatalogItem, bmecat
from gateway.cxml import parse_xml
from tests.unit.catalogs.samples import GONE, HEADER, PAPER, PEN

NS = {"b": bmecat.NS}


def _write(
    transaction: bmecat.Transaction = bmecat.Transaction.NEW_CATALOG,
    items: tuple[CatalogItem, ...] = (PEN, PAPER),
    header: CatalogHeader = HEADER,
) -> bytes:
    stream = io.BytesIO()
    assert bmecat.write(stream, header, items, transaction=transaction) == len(items)
    return stream.getvalue()


def test_a_new_catalog_reads_back_through_our_import() -> None:
    body = _write()
    assert bmecat_import.schema_findings(body) == ()
    catalog = bmecat_import.read(body)
    assert catalog.catalog_id == "1001-cif"
    pen, paper = catalog.products
    assert (pen.sku, pen.name, pen.unit, pen.unspsc) == (
        "PEN-1",
        'Ballpoint pen "Classic"',
        "EA",
        "44121701",
    )
    assert pen.price == Decimal("0.69")
    assert pen.currency == "EUR"
    assert pen.lead_time_days == 2
    assert (pen.manufacturer_name, pen.manufacturer_part_id) == ("Scriptura", "SCR-1")
    assert paper.price == Decimal("4.50")
    assert paper.lead_time_days is None
    # what one unit holds: a pack of 500 sheets, and the pen is itself
    assert (paper.unit, paper.pack_quantity, paper.content_unit) == ("PK", Decimal(500), "SH")
    assert (pen.pack_quantity, pen.content_unit) == (None, None)
    pieces = _write(items=(replace(PAPER, content_unit=None),))
    assert bmecat_import.read(pieces).products[0].pack_quantity == Decimal(500)


def test_a_picture_is_named_by_its_url_in_mime_info() -> None:
    body = _write()
    root = parse_xml(body)
    mime = root.find(".//b:PRODUCT[b:SUPPLIER_PID='PEN-1']/b:MIME_INFO/b:MIME", NS)
    assert mime is not None
    assert mime.findtext("b:MIME_TYPE", namespaces=NS) == "image/png"
    assert mime.findtext("b:MIME_SOURCE", namespaces=NS) == PEN.image_url
    assert mime.findtext("b:MIME_PURPOSE", namespaces=NS) == "normal"
    assert root.find(".//b:PRODUCT[b:SUPPLIER_PID='PAPER-A4']/b:MIME_INFO", NS) is None
    # our import reads the picture's source and never fetches a URL
    assert bmecat_import.read(body).products[0].image_source == PEN.image_url
    update = _write(bmecat.Transaction.UPDATE_PRODUCTS, (PEN,), replace(HEADER, full=False))
    assert bmecat_import.schema_findings(update) == ()
    assert parse_xml(update).find(".//b:MIME_INFO", NS) is not None


def test_tiers_are_prices_with_a_lower_bound_and_vat_as_a_fraction() -> None:
    root = parse_xml(_write())
    prices = root.findall(".//b:PRODUCT[b:SUPPLIER_PID='PEN-1']//b:PRODUCT_PRICE", NS)
    assert [
        (p.findtext("b:PRICE_AMOUNT", namespaces=NS), p.findtext("b:LOWER_BOUND", namespaces=NS))
        for p in prices
    ] == [("0.69", None), ("0.6125", "10")]
    assert {p.get("price_type") for p in prices} == {"net_customer"}
    assert prices[0].findtext("b:TAX", namespaces=NS) == "0.21"


def test_updates_are_valid_and_delete_what_left() -> None:
    body = _write(
        bmecat.Transaction.UPDATE_PRODUCTS,
        (PEN, GONE),
        replace(HEADER, full=False, version=3, previous_version=2),
    )
    assert bmecat_import.schema_findings(body) == ()
    root = parse_xml(body)
    transaction = root.find("b:T_UPDATE_PRODUCTS", NS)
    assert transaction is not None
    assert transaction.get("prev_version") == "2"
    assert [p.get("mode") for p in transaction] == ["update", "delete"]
    assert root.findtext("b:HEADER/b:CATALOG/b:CATALOG_VERSION", namespaces=NS) == "3.0"
    with pytest.raises(CatalogError, match="only a T_NEW_CATALOG can be imported"):
        bmecat_import.read(body)


def test_a_price_update_carries_prices_alone() -> None:
    body = _write(bmecat.Transaction.UPDATE_PRICES, (PEN,), replace(HEADER, full=False))
    assert bmecat_import.schema_findings(body) == ()
    product = parse_xml(body).find("b:T_UPDATE_PRICES/b:PRODUCT", NS)
    assert product is not None
    assert [etree.QName(child).localname for child in product] == [
        "SUPPLIER_PID",
        "PRODUCT_PRICE_DETAILS",
    ]


@pytest.mark.parametrize(
    "transaction", [bmecat.Transaction.NEW_CATALOG, bmecat.Transaction.UPDATE_PRICES]
)
def test_only_a_product_update_can_delete(transaction: bmecat.Transaction) -> None:
    with pytest.raises(ValueError, match="only T_UPDATE_PRODUCTS can delete"):
        _write(transaction, (GONE,))
