"""Catalog exports per customer (the service, on SQLite and PostgreSQL with the demo data): the
customer's assortment at its prices and tiers, what changed since a date, and every refusal."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway import bmecat as bmecat_reader
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import Catalog, Organisation, PriceListItem, Product, organisation_catalog
from gateway.services.catalog import exports, pricing
from gateway.services.catalog.exports import ExportFormat, ExportMode, ExportOptions
from tests.catalog_checks import assert_valid_index, read_cif
from tests.factories import customer, make_product

SUPPLIER = exports.Supplier(
    domain="NetworkID",
    identity="AN-SUPPLIER",
    name="Office Supplies BV",
    base_url="https://shop.example",
    vat_rates=pricing.DEFAULT_VAT_RATES,
    picture_key="test-picture-key",
)


def _export(
    session: Session, number: str, options: ExportOptions, *, partner: str | None = None
) -> bytes:
    plan = exports.prepare(
        session,
        organisation=customer(session, number),
        options=options,
        supplier=SUPPLIER,
        now=utcnow(),
        partner_name=partner,
    )
    stream = io.BytesIO()
    assert exports.write(session, plan, stream) == plan.header.item_count
    return stream.getvalue()


def _price(session: Session, number: str, sku: str, quantity: str = "1") -> Decimal:
    product = session.scalars(select(Product).where(Product.sku == sku)).one()
    return pricing.unit_price(session, customer(session, number), product, Decimal(quantity))


def test_a_cif_file_holds_the_customers_assortment_at_its_prices(db_session: Session) -> None:
    found = read_cif(_export(db_session, "1001", ExportOptions(format=ExportFormat.CIF)).decode())
    rows = {row["Supplier Part ID"]: row for row in found.rows}
    assert int(found.header["ITEMCOUNT"]) == len(found.rows) == len(rows)
    assert len(rows) == exports.assortment_size(db_session, customer(db_session, "1001"))
    assert Decimal(rows["DEMO-0001"]["Unit Price"]) == _price(db_session, "1001", "DEMO-0001")
    assert Decimal(rows["DEMO-0001"]["Unit Price"]) < Decimal(rows["DEMO-0001"]["Market Price"])
    assert any(sku.startswith("ACME-") for sku in rows)
    assert rows["DEMO-0001"]["Supplier URL"] == "https://shop.example/products/DEMO-0001"

    other = read_cif(_export(db_session, "1002", ExportOptions(format=ExportFormat.CIF)).decode())
    other_rows = {row["Supplier Part ID"]: row for row in other.rows}
    assert not any(sku.startswith("ACME-") for sku in other_rows)
    assert Decimal(other_rows["DEMO-0001"]["Unit Price"]) == _price(db_session, "1002", "DEMO-0001")


def test_the_cxml_index_is_valid_and_priced(db_session: Session) -> None:
    root = assert_valid_index(_export(db_session, "1001", ExportOptions(format=ExportFormat.CXML)))
    prices = {
        add.findtext("ItemID/SupplierPartID"): add.findtext("ItemDetail/UnitPrice/Money")
        for add in root.iter("IndexItemAdd")
    }
    assert Decimal(prices["DEMO-0001"] or "") == _price(db_session, "1001", "DEMO-0001")
    punchout = assert_valid_index(
        _export(db_session, "1001", ExportOptions(format=ExportFormat.CXML, punchout_items=True))
    )
    urls = {item.findtext("PunchoutDetail/URL") for item in punchout.iter("IndexItemPunchout")}
    assert urls == {"https://shop.example/cxml"}


def test_bmecat_carries_the_tiers_checkout_charges(db_session: Session) -> None:
    body = _export(db_session, "1001", ExportOptions(format=ExportFormat.BMECAT))
    catalog = bmecat_reader.read(body)
    prices = {product.sku: product.price for product in catalog.products}
    assert prices["DEMO-0001"] == _price(db_session, "1001", "DEMO-0001")
    tier = f"<PRICE_AMOUNT>{_price(db_session, '1001', 'DEMO-0001', '10'):.2f}"
    assert tier.encode() in body
    assert b"<LOWER_BOUND>10</LOWER_BOUND>" in body


def test_dutch_catalogs_use_the_dutch_names(db_session: Session) -> None:
    product = make_product(db_session, name="Stapler", name_nl="Nietmachine")
    found = read_cif(
        _export(db_session, "1001", ExportOptions(format=ExportFormat.CIF, language="nl")).decode()
    )
    row = next(row for row in found.rows if row["Supplier Part ID"] == product.sku)
    assert (row["Short Name"], row["Language"]) == ("Nietmachine", "nl_NL")


def test_an_incremental_export_holds_what_changed_since(db_session: Session) -> None:
    since = utcnow() - timedelta(seconds=1)
    db_session.execute(update(Product).values(updated_at=since - timedelta(days=1)))
    db_session.execute(update(PriceListItem).values(updated_at=since - timedelta(days=1)))
    added = make_product(db_session)
    gone = db_session.scalars(select(Product).where(Product.sku == "DEMO-0003")).one()
    gone.active = False
    repriced = db_session.scalars(
        select(PriceListItem)
        .join(Product, Product.id == PriceListItem.product_id)
        .where(Product.sku == "DEMO-0004")
    ).first()
    assert repriced is not None
    repriced.unit_price += Decimal("0.01")
    db_session.flush()

    options = ExportOptions(format=ExportFormat.CIF, mode=ExportMode.INCREMENTAL, since=since)
    found = read_cif(_export(db_session, "1001", options).decode())
    assert found.header["LOADMODE"] == "I"
    assert {row["Supplier Part ID"]: row["Delete"] for row in found.rows} == {
        added.sku: "",
        "DEMO-0003": "TRUE",
        "DEMO-0004": "",
    }
    prices_only = ExportOptions(
        format=ExportFormat.BMECAT, mode=ExportMode.INCREMENTAL, since=since, prices_only=True
    )
    body = _export(db_session, "1001", prices_only)
    assert b"<T_UPDATE_PRICES" in body
    assert b"DEMO-0003" not in body  # a price update cannot delete
    assert bmecat_reader.schema_findings(body) == ()


def test_exports_are_recorded_and_numbered(db_session: Session) -> None:
    organisation = customer(db_session, "1001")
    options = ExportOptions(format=ExportFormat.BMECAT)
    for expected in (1, 2):
        plan = exports.prepare(
            db_session,
            organisation=organisation,
            options=options,
            supplier=SUPPLIER,
            now=utcnow(),
            partner_name="demo-cxml",
        )
        assert (plan.header.version, plan.header.previous_version) == (expected, expected - 1)
        count = exports.write(db_session, plan, io.BytesIO())
        exports.record(db_session, plan, exported_by="tester", item_count=count, now=utcnow())
    latest = exports.recent(db_session, organisation_id=organisation.id)[0]
    assert (latest.format, latest.mode, latest.exported_by) == ("bmecat", "full", "tester")
    assert latest.item_count == count
    assert latest.partner_id == plan.partner.id  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("options", "partner", "reason"),
    [
        (ExportOptions(format=ExportFormat.CIF), "no-such-partner", "No partner"),
        (ExportOptions(format=ExportFormat.CIF), "demo-cxml", "buys for another customer"),
        (
            ExportOptions(format=ExportFormat.CIF, mode=ExportMode.INCREMENTAL),
            None,
            "needs --since",
        ),
        (ExportOptions(format=ExportFormat.CIF, prices_only=True), None, "Prices only"),
        (ExportOptions(format=ExportFormat.CIF, language="de"), None, "en or nl"),
    ],
)
def test_bad_exports_are_refused_with_a_reason(
    db_session: Session, options: ExportOptions, partner: str | None, reason: str
) -> None:
    with pytest.raises(InvalidInput, match=reason):
        _export(db_session, "1002", options, partner=partner)


def test_a_customer_with_an_empty_assortment_is_refused(db_session: Session) -> None:
    empty = Catalog(name="Nothing yet")
    organisation = Organisation(number="7001", name="Empty BV")
    db_session.add_all([empty, organisation])
    db_session.flush()
    db_session.execute(
        organisation_catalog.insert().values(organisation_id=organisation.id, catalog_id=empty.id)
    )
    with pytest.raises(InvalidInput, match="7001 has no products in its assortment"):
        _export(db_session, "7001", ExportOptions(format=ExportFormat.CIF))


def test_an_unknown_customer_is_not_found(db_session: Session) -> None:
    with pytest.raises(LookupError, match="No customer '9999'"):
        exports.customer(db_session, "9999")
