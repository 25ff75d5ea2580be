"""BMEcat 2005 import: our fixture imports; broken ones are refused by line, all or nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import bmecat, create_app
from gateway.cli import main
from gateway.models import Product
from gateway.services.catalog.bmecat_import import import_bmecat
from tests.paths import FIXTURES

VALID = FIXTURES / "bmecat/office_supplies_2005.xml"
INVALID = FIXTURES / "bmecat/invalid"


def products(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Product)) or 0


def test_the_fixture_imports_products_prices_units_and_classes(db_session: Session) -> None:
    before = products(db_session)
    summary = import_bmecat(db_session, body=VALID.read_bytes())
    assert (summary.catalog_id, summary.created, summary.updated) == ("OFFICE-2026", 2, 1)
    assert products(db_session) == before + 2
    pen = db_session.scalars(select(Product).where(Product.sku == "BME-1001")).one()
    assert (pen.name, pen.unit, pen.unspsc, pen.list_price, pen.currency) == (
        "Gel pen, black",
        "C62",
        "44121701",
        Decimal("1.25"),
        "EUR",
    )
    assert (pen.manufacturer_name, pen.manufacturer_part_id, pen.lead_time_days) == (
        "Scriptura",
        "GP-05-BK",
        2,
    )
    notes = db_session.scalars(select(Product).where(Product.sku == "BME-1002")).one()
    assert (notes.unit, notes.unspsc, notes.list_price) == ("PK", "14111514", Decimal("6.40"))
    assert notes.name == "Sticky notes 76 \u00d7 76 mm, yellow"
    assert (notes.pack_quantity, notes.content_unit) == (Decimal(12), "C62")  # NO_CU_PER_OU
    assert (pen.pack_quantity, pen.content_unit) == (None, None)  # one C62 holds itself
    updated = db_session.scalars(select(Product).where(Product.sku == "DEMO-0001")).one()
    assert updated.list_price == Decimal("0.89")
    again = import_bmecat(db_session, body=VALID.read_bytes())
    assert (again.created, again.updated) == (0, 3)


@pytest.mark.parametrize(
    ("fixture", "line", "path", "reason"),
    [
        ("unit_too_long.xml", 31, "PRODUCT[1]/PRODUCT_ORDER_DETAILS/ORDER_UNIT", "[A-Z0-9]{1,3}"),
        ("price_with_decimal_comma.xml", 66, "PRODUCT[2]/PRODUCT_PRICE_DETAILS", "xs:decimal"),
        ("duplicate_supplier_pid.xml", 46, "PRODUCT[2]/SUPPLIER_PID", "product on line 17"),
        ("no_unspsc_class.xml", 46, "PRODUCT[2]/PRODUCT_FEATURES", "UNSPSC class of 8"),
        ("missing_description_short.xml", 72, "PRODUCT[3]/PRODUCT_DETAILS", "DESCRIPTION_SHORT"),
        ("price_for_ten_units.xml", 32, "PRODUCT[1]/PRODUCT_ORDER_DETAILS/PRICE_QUANTITY", "1"),
        ("unclosed_element.xml", 11, "/", "not well-formed XML"),
        ("bmecat_1_2_namespace.xml", 2, "/", "must be a BMEcat 2005 document"),
    ],
)
def test_broken_catalogs_are_refused_by_line_and_nothing_is_imported(
    db_session: Session, fixture: str, line: int, path: str, reason: str
) -> None:
    before = products(db_session)
    demo_price = db_session.scalars(select(Product.list_price).where(Product.sku == "DEMO-0001"))
    price = demo_price.one()
    with pytest.raises(bmecat.CatalogError) as caught:
        import_bmecat(db_session, body=(INVALID / fixture).read_bytes())
    findings = caught.value.findings
    assert any(f.line == line and path in f.path and reason in f.reason for f in findings), [
        str(f) for f in findings
    ]
    assert products(db_session) == before
    assert (
        db_session.scalars(select(Product.list_price).where(Product.sku == "DEMO-0001")).one()
        == price
    )  # the valid products of the same file were not written either


def test_hostile_xml_is_refused_before_the_schema(db_session: Session) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE BMECAT [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<BMECAT/>'
    with pytest.raises(bmecat.CatalogError) as caught:
        import_bmecat(db_session, body=body)
    assert "root:" not in str(caught.value)


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
        }
    )


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def test_cli_import(cli_app: Flask) -> None:
    assert run(cli_app, "init").exit_code == 0
    result = run(cli_app, "catalog", "import-bmecat", str(VALID))
    assert result.exit_code == 0, result.output
    assert "Catalog OFFICE-2026: 3 products created, 0 updated, 0 pictures stored." in result.output
    broken = INVALID / "unit_too_long.xml"
    result = run(cli_app, "catalog", "import-bmecat", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:31: /BMECAT/T_NEW_CATALOG/PRODUCT[1]/PRODUCT_ORDER_DETAILS/ORDER_UNIT" in (
        result.output
    )
    assert "1 problem(s); nothing was imported." in result.output
