"""`gateway catalog import` / `export` on a SQLite file of their own (they commit)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from gateway import create_app
from gateway.cli import main
from gateway.models import Catalog, Product, catalog_product

HEADER = "sku,name,name_nl,unit,unspsc,list_price,vat_class,category,catalogs,active\n"


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
        }
    )
    assert run(app, "seed-demo").exit_code == 0
    return app


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def _csv(tmp_path: Path, body: str) -> str:
    path = tmp_path / "products.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return str(path)


def _product(app: Flask, sku: str) -> Product | None:
    with app.extensions["gateway.db"].session_scope() as session:
        product = session.scalar(select(Product).where(Product.sku == sku))
        if product is not None:
            session.expunge(product)
        return product


def _count(app: Flask) -> int:
    with app.extensions["gateway.db"].session_scope() as session:
        return session.scalar(select(func.count()).select_from(Product)) or 0


def test_import_creates_and_updates_products(cli_app: Flask, tmp_path: Path) -> None:
    before = _count(cli_app)
    path = _csv(
        tmp_path,
        "NEW-0001,Stapler,Nietmachine,EA,44121615,12.5,standard,office-filing,1001 specials,1\n"
        'DEMO-0002,"Ballpoint pen, refreshed",,EA,44121701,0.99,reduced,,,0\n',
    )
    result = run(cli_app, "catalog", "import", path)
    assert result.exit_code == 0, result.output
    assert "Imported 1 new and 1 updated products; 0 rejected." in result.output
    assert _count(cli_app) == before + 1
    new = _product(cli_app, "NEW-0001")
    assert new is not None
    assert (new.name_nl, new.list_price, new.active) == ("Nietmachine", Decimal("12.5"), True)
    updated = _product(cli_app, "DEMO-0002")
    assert updated is not None
    assert (updated.name, updated.vat_class, updated.active) == (
        "Ballpoint pen, refreshed",
        "reduced",
        False,
    )
    with cli_app.extensions["gateway.db"].session_scope() as session:
        catalogs = session.scalars(
            select(Catalog.name).join(catalog_product).where(catalog_product.c.product_id == new.id)
        ).all()
    assert catalogs == ["1001 specials"]


def test_rejected_lines_are_reported_and_nothing_is_imported(
    cli_app: Flask, tmp_path: Path
) -> None:
    before = _count(cli_app)
    path = _csv(
        tmp_path,
        "GOOD-0001,Fine,,EA,44121615,1.00,,,,\n"
        "BAD-0001,No price,,EA,44121615,,,,,\n"
        "BAD-0002,Bad unit,,each,44121615,1,,,,\n"
        "BAD-0003,Bad price,,EA,44121615,-1,,,,\n"
        "BAD-0004,Bad VAT,,EA,44121615,1,luxury,,,\n"
        "BAD-0005,Bad category,,EA,44121615,1,,nowhere,,\n"
        "GOOD-0001,Twice,,EA,44121615,1,,,,\n"
        "BAD-0006,Too precise,,EA,44121615,1.00001,,,,\n"
        "BAD-0007,Bad catalog,,EA,44121615,1,,,Nope,\n"
        "BAD-0008,Bad UNSPSC,,EA,4412,1,,,,\n",
    )
    result = run(cli_app, "catalog", "import", path)
    assert result.exit_code == 1
    for line, reason in [
        (3, "BAD-0001: list_price is empty"),
        (4, "BAD-0002: unit 'each' is not a UN/CEFACT code"),
        (5, "BAD-0003: list_price must be from 0"),
        (6, "BAD-0004: unknown vat_class 'luxury'"),
        (7, "BAD-0005: unknown category 'nowhere'"),
        (8, "GOOD-0001: SKU appears twice in the file"),
        (9, "BAD-0006: list_price may have at most 4 decimals"),
        (10, "BAD-0007: unknown catalog 'Nope'"),
        (11, "BAD-0008: unspsc must be 8 digits"),
    ]:
        assert f"line {line}: {reason}" in result.output
    assert "9 line(s) rejected: nothing imported" in result.output
    assert _count(cli_app) == before
    assert _product(cli_app, "GOOD-0001") is None

    accepted = run(cli_app, "catalog", "import", "--accept-valid", path)
    assert accepted.exit_code == 0, accepted.output
    assert "Imported 1 new and 0 updated products; 9 rejected." in accepted.output
    assert _count(cli_app) == before + 1


def test_a_file_without_the_required_columns_is_refused(cli_app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("sku,title\nX-1,Thing\n", encoding="utf-8")
    result = run(cli_app, "catalog", "import", str(path))
    assert result.exit_code == 1
    assert "missing columns: name, unit, unspsc, list_price" in result.output


def test_export_round_trips_through_import(cli_app: Flask, tmp_path: Path) -> None:
    exported = tmp_path / "export.csv"
    result = run(cli_app, "catalog", "export", "--output", str(exported))
    assert result.exit_code == 0, result.output
    text = exported.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("sku,name,name_nl,description,description_nl,unit,unspsc")
    assert len(lines) == 1 + _count(cli_app)
    assert any(
        line.startswith("ACME-0003,") and line.endswith(",office,1001 specials,,") for line in lines
    )
    again = run(cli_app, "catalog", "import", str(exported))
    assert again.exit_code == 0, again.output
    assert f"Imported 0 new and {len(lines) - 1} updated products; 0 rejected." in again.output
    second = tmp_path / "second.csv"
    run(cli_app, "catalog", "export", "--output", str(second))
    assert second.read_text(encoding="utf-8") == text


def test_pack_contents_are_imported_checked_and_exported(cli_app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "packs.csv"
    path.write_text(
        "sku,name,unit,unspsc,list_price,pack_quantity,content_unit\n"
        "PACK-0001,Screws,PK,31161500,3.15,200,\n"
        "PACK-0002,Paper,RM,14111507,4.20,500,ST\n",
        encoding="utf-8",
    )
    result = run(cli_app, "catalog", "import", str(path))
    assert result.exit_code == 0, result.output
    screws, paper = _product(cli_app, "PACK-0001"), _product(cli_app, "PACK-0002")
    assert screws is not None
    assert paper is not None
    assert (screws.pack_quantity, screws.content_unit) == (Decimal(200), None)
    assert (paper.pack_quantity, paper.content_unit) == (Decimal(500), "ST")
    exported = tmp_path / "export.csv"
    run(cli_app, "catalog", "export", "--output", str(exported))
    assert any(
        line.startswith("PACK-0002,") and line.endswith(",500,ST")
        for line in exported.read_text(encoding="utf-8").splitlines()
    )

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,name,unit,unspsc,list_price,pack_quantity,content_unit\n"
        "PACK-0003,Zero,PK,31161500,1,0,\n"
        "PACK-0004,Fine grains,PK,31161500,1,0.0001,\n"
        "PACK-0005,Odd unit,PK,31161500,1,10,pieces\n",
        encoding="utf-8",
    )
    refused = run(cli_app, "catalog", "import", str(bad))
    assert refused.exit_code == 1
    assert "line 2: PACK-0003: pack_quantity must be a positive number" in refused.output
    assert "line 3: PACK-0004: pack_quantity may have at most 3 decimals" in refused.output
    assert "line 4: PACK-0005: content_unit 'pieces' is not a UN/CEFACT code" in refused.output
