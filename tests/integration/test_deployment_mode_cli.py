"""Test documents on the command line: `gateway orders list` marks test orders, and `gateway
partner add-cxml/update --deployment-mode` sets which mode a partner accepts (a SQLite file of
its own: the commands commit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import select

from gateway import create_app
from gateway.cli import main
from gateway.models import TradingPartner
from tests import buyer
from tests.conftest import TEST_CONFIG


@pytest.fixture
def cli_app(tmp_path: Path) -> Flask:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}"})
    assert run(app, "seed-demo").exit_code == 0
    return app


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, list(args))


def send(app: Flask, body: bytes) -> tuple[int, str]:
    return buyer.status_of(app.test_client().post("/cxml", data=body, content_type="text/xml").data)


def accepted_mode(app: Flask, name: str) -> str:
    with app.extensions["gateway.db"].session_scope() as session:
        return session.scalars(
            select(TradingPartner.accepted_deployment_mode).where(TradingPartner.name == name)
        ).one()


def test_orders_list_shows_the_deployment_mode_of_each_order(cli_app: Flask) -> None:
    test_order = buyer.order_request(order_id="PO-TEST", deployment_mode="test")
    assert send(cli_app, test_order) == (200, "OK")
    assert send(cli_app, buyer.order_request(order_id="PO-LIVE")) == (200, "OK")

    result = run(cli_app, "orders", "list", "--customer", "1001", "--json")
    assert result.exit_code == 0, result.output
    modes = {row["buyer_po_number"]: row["deployment_mode"] for row in json.loads(result.output)}
    mine = {po: mode for po, mode in modes.items() if not po.startswith("PO-DEMO-")}
    assert mine == {"PO-TEST": "test", "PO-LIVE": "production"}  # beside the demo's orders

    lines = run(cli_app, "orders", "list", "--customer", "1001").output.splitlines()
    [test_line] = [line for line in lines if "PO-TEST" in line]
    [live_line] = [line for line in lines if "PO-LIVE" in line]
    assert test_line.endswith(" [test]")
    assert "[test]" not in live_line


def test_add_cxml_takes_the_accepted_mode_and_defaults_to_both(cli_app: Flask) -> None:
    common = ["--customer", "1002", "--shared-secret", "a-long-secret"]
    common += ["--allow-url", "https://buyer.example/return"]
    result = run(
        cli_app, "partner", "add-cxml", "--name", "live", "--identity", "NetworkID:AN-L",
        "--deployment-mode", "production", *common,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = run(
        cli_app, "partner", "add-cxml", "--name", "plain", "--identity", "NetworkID:AN-P", *common
    )
    assert result.exit_code == 0, result.output
    assert (accepted_mode(cli_app, "live"), accepted_mode(cli_app, "plain")) == (
        "production",
        "both",
    )


def test_update_sets_the_mode_and_the_partner_then_refuses_the_other(cli_app: Flask) -> None:
    result = run(cli_app, "partner", "update", "--name", "demo-cxml", "--deployment-mode", "test")
    assert result.exit_code == 0, result.output
    assert "Partner 'demo-cxml' accepts deploymentMode: test." in result.output
    assert accepted_mode(cli_app, "demo-cxml") == "test"
    code, text = send(cli_app, buyer.order_request(order_id="PO-REAL"))
    assert code == 403
    assert "this partner is set to accept test documents only" in text
    assert send(cli_app, buyer.order_request(order_id="PO-TRY", deployment_mode="test")) == (
        200,
        "OK",
    )


def test_update_names_what_is_wrong_and_changes_nothing(cli_app: Flask) -> None:
    for args, message in (
        (["--name", "demo-cxml", "--deployment-mode", "staging"], "'staging' is not one of"),
        (["--name", "nobody", "--deployment-mode", "test"], "No partner named 'nobody'."),
        (["--name", "demo-oci", "--deployment-mode", "test"], "'demo-oci' is not a cXML partner"),
        (["--name", "demo-cxml"], "Missing option '--deployment-mode'"),
    ):
        result = run(cli_app, "partner", "update", *args)
        assert result.exit_code != 0, args
        assert message in result.output, result.output
    assert accepted_mode(cli_app, "demo-cxml") == "both"
    assert accepted_mode(cli_app, "demo-oci") == "both"
