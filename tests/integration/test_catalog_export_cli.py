"""`gateway catalog export --customer … --format …` on a SQLite file of its own (it commits):
the files buyers load, the round trip through our own BMEcat import, and bad input."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select

from gateway import create_app
from gateway.cli import main
from gateway.models import CatalogExport, Product
from gateway.services.catalog import assortment, exports, pricing
from tests.catalog_checks import assert_valid_index, read_cif
from tests.factories import customer


def _app(path: Path) -> Flask:
    return create_app(
        {"GATEWAY_DATABASE_URL": f"sqlite:///{path}", "GATEWAY_SECRET_KEY": "cli-secret"}
    )


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = _app(tmp_path_factory.mktemp("export") / "demo.sqlite3")
    assert run(app, "seed-demo").exit_code == 0
    return app


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def _customer_price(app: Flask, number: str, sku: str) -> Decimal:
    with app.extensions["gateway.db"].session_scope() as session:
        product = session.scalars(select(Product).where(Product.sku == sku)).one()
        return pricing.unit_price(session, customer(session, number), product, Decimal(1))


def test_a_cif_file_for_customer_1001(demo_app: Flask, tmp_path: Path) -> None:
    output = tmp_path / "1001.cif"
    result = run(
        demo_app,
        "catalog",
        "export",
        "--customer",
        "1001",
        "--format",
        "cif",
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    found = read_cif(output.read_text(encoding="utf-8"))
    rows = {row["Supplier Part ID"]: row for row in found.rows}
    assert int(found.header["ITEMCOUNT"]) == len(found.rows)
    assert Decimal(rows["DEMO-0001"]["Unit Price"]) == _customer_price(
        demo_app, "1001", "DEMO-0001"
    )
    assert {sku for sku in rows if sku.startswith("ACME-")}
    assert f"Exported {len(rows)} products for customer 1001 as cif." in result.output

    other = run(demo_app, "catalog", "export", "--customer", "1002", "--format", "cif")
    assert other.exit_code == 0, other.output
    assert "ACME-" not in other.stdout
    assert other.stdout.startswith("CIF_I_V3.0\n")


def test_the_cxml_export_is_a_valid_index(demo_app: Flask, tmp_path: Path) -> None:
    output = tmp_path / "1001.xml"
    result = run(
        demo_app,
        "catalog",
        "export",
        "--customer",
        "1001",
        "--format",
        "cxml",
        "--punchout-items",
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    root = assert_valid_index(output.read_bytes())
    assert root.find("IndexItem/IndexItemPunchout/PunchoutDetail/URL") is not None


def test_the_bmecat_export_imports_back_into_an_empty_catalog(
    demo_app: Flask, tmp_path: Path
) -> None:
    output = tmp_path / "1001-bmecat.xml"
    result = run(
        demo_app,
        "catalog",
        "export",
        "--customer",
        "1001",
        "--format",
        "bmecat",
        "--output",
        str(output),
    )
    assert result.exit_code == 0, result.output
    empty = _app(tmp_path / "empty.sqlite3")
    assert run(empty, "init").exit_code == 0
    imported = run(empty, "catalog", "import-bmecat", str(output))
    assert imported.exit_code == 0, imported.output
    with empty.extensions["gateway.db"].session_scope() as session:
        back = {
            p.sku: (p.list_price, p.unit, p.unspsc, p.pack_quantity, p.content_unit)
            for p in session.scalars(select(Product))
        }
    with demo_app.extensions["gateway.db"].session_scope() as session:
        organisation = customer(session, "1001")
        products = session.scalars(
            select(Product)
            .where(
                Product.active,
                assortment.for_customer(session, organisation_id=organisation.id).condition(),
            )
            .order_by(Product.sku)
        ).all()
        prices = pricing.unit_prices(session, organisation, products)
        expected = {
            p.sku: (prices[p.id], p.unit, p.unspsc, p.pack_quantity, p.content_unit)
            for p in products
        }
        assert any(p.pack_quantity for p in products)  # the demo sells some in packs
    assert back == expected


def test_every_export_is_recorded(demo_app: Flask, tmp_path: Path) -> None:
    result = run(
        demo_app,
        "catalog",
        "export",
        "--customer",
        "1002",
        "--format",
        "bmecat",
        "--output",
        str(tmp_path / "x.xml"),
    )
    assert result.exit_code == 0, result.output
    with demo_app.extensions["gateway.db"].session_scope() as session:
        latest = session.scalars(select(CatalogExport).order_by(CatalogExport.id.desc())).first()
        assert latest is not None
        assert (latest.format, latest.mode, latest.exported_by) == (
            "bmecat",
            "full",
            "command line",
        )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--customer", "9999", "--format", "cif"], "No customer '9999'"),
        (["--customer", "1001", "--format", "pdf"], "'pdf' is not one of"),
        (["--customer", "1002", "--format", "cif", "--partner", "demo-cxml"], "another customer"),
        (["--customer", "1001", "--format", "cif", "--mode", "incremental"], "needs --since"),
        (["--customer", "1001"], "--customer needs --format"),
        (["--format", "cif"], "--format needs --customer"),
    ],
)
def test_bad_input_fails_and_writes_nothing(
    demo_app: Flask, tmp_path: Path, arguments: list[str], message: str
) -> None:
    output = tmp_path / "catalog.out"
    output.write_text("the previous export", encoding="utf-8")
    result = run(demo_app, "catalog", "export", *arguments, "--output", str(output))
    assert result.exit_code != 0
    assert message in result.output
    assert output.read_text(encoding="utf-8") == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog.out"]


def test_a_failure_halfway_leaves_no_file(
    demo_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_halfway(session: object, plan: object, stream: object, **_: object) -> int:
        stream.write(b"CIF_I_V3.0\n")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(exports, "write", fail_halfway)
    output = tmp_path / "1001.cif"
    result = run(
        demo_app,
        "catalog",
        "export",
        "--customer",
        "1001",
        "--format",
        "cif",
        "--output",
        str(output),
    )
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_without_a_customer_the_export_is_the_product_csv(demo_app: Flask) -> None:
    result = run(demo_app, "catalog", "export")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("sku,")
