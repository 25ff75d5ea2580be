"""`gateway orders list`, on a SQLite file of its own (the commands commit)."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from gateway import create_app
from gateway.cli import main
from tests import buyer
from tests.conftest import TEST_CONFIG


def test_orders_list_prints_received_orders_as_json(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    body = buyer.order_request(order_id="PO-CLI-1", items=(("DEMO-0001", None, "3", "0.85"),))
    answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
    assert buyer.status_of(answer.data) == (200, "OK")

    result = runner.invoke(main, ["orders", "list", "--customer", "1001", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.output)
    assert {key: row[key] for key in ("buyer_po_number", "source", "status", "total")} == {
        "buyer_po_number": "PO-CLI-1",
        "source": "cxml",
        "status": "received",
        "total": "2.55",
    }
    assert isinstance(row["id"], int)
    assert (
        json.loads(runner.invoke(main, ["orders", "list", "--customer", "1002", "--json"]).output)
        == []
    )
    text = runner.invoke(main, ["orders", "list", "--customer", "1001"])
    assert "PO-CLI-1" in text.output


def test_orders_list_names_an_unknown_customer(tmp_path: Path) -> None:
    app: Flask = create_app(
        {**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["orders", "list", "--customer", "9999", "--json"])
    assert result.exit_code != 0
    assert "No customer numbered '9999'" in result.output
