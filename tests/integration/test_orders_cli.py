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
    body = buyer.order_request(order_id="PO-CLI-1", items=(("DEMO-0001", None, "3", "0.77"),))
    answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
    assert buyer.status_of(answer.data) == (200, "OK")

    result = runner.invoke(main, ["orders", "list", "--customer", "1001", "--json"])
    assert result.exit_code == 0, result.output
    [row] = [row for row in json.loads(result.output) if row["buyer_po_number"] == "PO-CLI-1"]
    assert {key: row[key] for key in ("buyer_po_number", "source", "status", "total")} == {
        "buyer_po_number": "PO-CLI-1",
        "source": "cxml",
        "status": "received",
        "total": "2.31",
    }
    assert row["problems"] == []
    # `total` excludes VAT as the shop's order pages do; 21 % VAT on 2.31 is 0.49
    assert row["total_incl_vat"] == "2.80"
    assert isinstance(row["id"], int)
    assert (
        json.loads(runner.invoke(main, ["orders", "list", "--customer", "1002", "--json"]).output)
        == []
    )
    text = runner.invoke(main, ["orders", "list", "--customer", "1001"])
    assert "PO-CLI-1" in text.output
    assert "2.31 EUR excl. VAT" in text.output


def test_orders_list_names_an_unknown_customer(tmp_path: Path) -> None:
    app: Flask = create_app(
        {**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    result = runner.invoke(main, ["orders", "list", "--customer", "9999", "--json"])
    assert result.exit_code != 0
    assert "No customer numbered '9999'" in result.output


def test_staff_commands_queue_documents_and_the_worker_sends_them(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    for number in ("PO-A", "PO-B"):
        body = buyer.order_request(order_id=number)
        answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
        assert buyer.status_of(answer.data)[0] == 200
    rows = json.loads(
        runner.invoke(main, ["orders", "list", "--customer", "1001", "--json"]).output
    )
    ids = {row["buyer_po_number"]: row["id"] for row in rows}

    result = runner.invoke(main, ["orders", "accept", str(ids["PO-A"])])
    assert "is now confirmed" in result.output, result.output
    result = runner.invoke(main, ["orders", "ship", str(ids["PO-A"]), "--shipment-id", "S-9"])
    assert "is now shipped" in result.output, result.output
    result = runner.invoke(main, ["orders", "reject", str(ids["PO-B"]), "--reason", "no stock"])
    assert "is now rejected" in result.output, result.output
    result = runner.invoke(main, ["orders", "accept", str(ids["PO-B"])])
    assert result.exit_code != 0
    assert "cannot be accepted" in result.output

    # no outbound URL configured: the worker dead-letters with a visible reason
    result = runner.invoke(main, ["worker", "--once"])
    assert result.output.count("dead: the partner has no outbound URL configured") == 3
    listing = runner.invoke(main, ["outbox", "list", "--status", "dead"]).output
    assert listing.count("no outbound URL") == 3
    assert "ShipNoticeRequest" in listing

    args = ["partner", "order-settings", "--name", "demo-cxml"]
    result = runner.invoke(
        main,
        [
            *args,
            "--allow-outbound",
            "https://buyer.example/",
            "--outbound-url",
            "https://buyer.example/in",
        ],
    )
    assert result.exit_code == 0, result.output
    message_id = listing.split()[0]
    result = runner.invoke(main, ["outbox", "resend", message_id])
    assert f"Outbox message {message_id} queued again" in result.output
    assert "pending" in runner.invoke(main, ["outbox", "list", "--status", "pending"]).output
    result = runner.invoke(main, ["outbox", "resend", message_id])
    assert result.exit_code != 0
    assert "still queued" in result.output
    result = runner.invoke(main, [*args, "--outbound-url", "https://elsewhere.example/in"])
    assert result.exit_code != 0
    assert "not under an allowed outbound prefix" in result.output


def test_held_orders_are_listed_with_problems_and_released_or_rejected_by_staff(
    tmp_path: Path,
) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    for number in ("PO-H1", "PO-H2"):
        body = buyer.order_request(order_id=number, items=(("DEMO-0001", None, "2", "0.00"),))
        answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
        assert buyer.status_of(answer.data) == (200, "OK")
    rows = [  # the demo's own orders (PO-DEMO-…) aside
        row
        for row in json.loads(
            runner.invoke(main, ["orders", "list", "--customer", "1001", "--json"]).output
        )
        if row["buyer_po_number"] in ("PO-H1", "PO-H2")
    ]
    assert {row["status"] for row in rows} == {"on_hold"}
    assert rows[0]["problems"] == [
        {
            "kind": "price",
            "line_number": 1,
            "sku": "DEMO-0001",
            "expected": "0.77",
            "received": "0.00",
            "reason": "ItemOut lineNumber 1: UnitPrice 0.00 for DEMO-0001, expected 0.77",
        }
    ]
    numbers = {row["buyer_po_number"]: row["number"] for row in rows}
    assert "1 problem(s)" in runner.invoke(main, ["orders", "list", "--customer", "1001"]).output

    shown = runner.invoke(main, ["orders", "show", numbers["PO-H1"]])
    assert "on_hold" in shown.output
    assert "problem: ItemOut lineNumber 1: UnitPrice 0.00 for DEMO-0001, expected 0.77" in (
        shown.output
    )
    details = json.loads(runner.invoke(main, ["orders", "show", numbers["PO-H1"], "--json"]).output)
    assert (details["status"], details["customer"], len(details["problems"])) == (
        "on_hold",
        "1001",
        1,
    )

    release = ["orders", "release", numbers["PO-H1"], "--staff"]
    refused = runner.invoke(main, [*release, "agent@supplier.demo"])
    assert refused.exit_code != 0
    assert "Refused: missing right staff:order:decide" in refused.output
    refused = runner.invoke(main, [*release, "buyer@1001.demo"])
    assert "buyer@1001.demo is not an active staff account" in refused.output
    result = runner.invoke(main, [*release, "service@supplier.demo"])
    assert "is now received" in result.output, result.output
    result = runner.invoke(main, ["orders", "accept", str(details["id"])])
    assert "is now confirmed" in result.output, result.output

    reject = ["orders", "reject", numbers["PO-H2"], "--reason", "wrong price"]
    result = runner.invoke(main, reject)
    assert result.exit_code != 0
    assert "on_hold; it cannot be rejected" in result.output
    result = runner.invoke(main, [*reject, "--staff", "admin@supplier.demo"])
    assert "is now rejected; documents queued" in result.output, result.output
    assert runner.invoke(main, ["orders", "show", "CX-NOTHING"]).exit_code != 0


def test_the_partner_price_policy_is_set_from_the_command_line(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    args = ["partner", "order-settings", "--name", "demo-cxml"]
    result = runner.invoke(main, args)
    assert "orders with wrong prices: hold (tolerance 0.01)" in result.output  # the defaults
    result = runner.invoke(
        main, [*args, "--order-price-policy", "reject", "--order-price-tolerance", "0.05"]
    )
    assert "orders with wrong prices: reject (tolerance 0.05)" in result.output, result.output
    body = buyer.order_request(items=(("DEMO-0001", None, "2", "0.70"),))
    answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
    assert buyer.status_of(answer.data) == (
        400,
        "Bad Request: ItemOut lineNumber 1: UnitPrice 0.70 for DEMO-0001, expected 0.77",
    )
    for bad in ("-1", "0.00001", "lots", "NaN"):
        result = runner.invoke(main, [*args, "--order-price-tolerance", bad])
        assert result.exit_code != 0, bad
        assert "tolerance" in result.output, bad
    result = runner.invoke(
        main,
        [
            "partner",
            "add-cxml",
            "--name",
            "lenient",
            "--customer",
            "1002",
            "--identity",
            "NetworkID:AN-LENIENT",
            "--shared-secret",
            "lenient-secret-1234",
            "--allow-url",
            "https://buyer.example/",
            "--order-price-policy",
            "accept",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["partner", "order-settings", "--name", "lenient"])
    assert "orders with wrong prices: accept (tolerance 0.01)" in result.output
