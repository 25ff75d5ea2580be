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
