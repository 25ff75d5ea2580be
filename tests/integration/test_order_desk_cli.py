"""`gateway orders invoice` and `gateway outbox list --json`, on a SQLite file of their own."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from gateway import create_app
from gateway.cli import main
from gateway.db import Database
from gateway.models import OutboxMessage
from tests import buyer
from tests.conftest import TEST_CONFIG
from tests.cxml_checks import assert_valid_cxml


def test_invoice_from_the_command_line_and_list_the_outbox_as_json(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'i.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    body = buyer.order_request(order_id="PO-CLI-INV", items=(("DEMO-0001", None, "3", "0.77"),))
    answer = app.test_client().post("/cxml", data=body, content_type="text/xml")
    assert buyer.status_of(answer.data)[0] == 200
    listed = runner.invoke(main, ["orders", "list", "--customer", "1001", "--json"])
    rows = json.loads(listed.output)
    [row] = [row for row in rows if row["buyer_po_number"] == "PO-CLI-INV"]
    order_id = str(row["id"])

    refused = runner.invoke(main, ["orders", "invoice", order_id])
    assert refused.exit_code != 0
    assert "nothing has been shipped" in refused.output
    assert runner.invoke(main, ["orders", "accept", order_id]).exit_code == 0
    ship = ["orders", "ship", order_id, "--shipment-id", "S-1", "--carrier", "DHL"]
    shipped = runner.invoke(main, [*ship, "--tracking", "JD9"])
    assert "is now shipped" in shipped.output, shipped.output
    result = runner.invoke(main, ["orders", "invoice", order_id])
    assert result.exit_code == 0, result.output
    assert "Invoice INV-" in result.output
    assert "2.80 EUR" in result.output  # 2.31 plus 21 % VAT (0.4851 rounds up)
    again = runner.invoke(main, ["orders", "invoice", order_id])
    assert again.exit_code != 0
    assert "everything shipped has been invoiced" in again.output

    listing = runner.invoke(main, ["outbox", "list", "--json"])
    assert listing.exit_code == 0, listing.output
    documents = json.loads(listing.output)
    mine = [d for d in documents if d["order_number"] == row["number"]]
    assert sorted(d["document_type"] for d in mine) == [
        "ConfirmationRequest",
        "InvoiceDetailRequest",
        "ShipNoticeRequest",
    ]
    for document in mine:
        fields = ("document_type", "order_number", "status", "attempts", "last_error")
        assert set(document) >= set(fields)
        assert (document["status"], document["attempts"], document["last_error"]) == (
            "pending",
            0,
            "",
        )
    database: Database = app.extensions["gateway.db"]
    with database.session_scope() as session:
        invoice = session.scalar(
            select(OutboxMessage.body).where(OutboxMessage.document_type == "InvoiceDetailRequest")
        )
    assert invoice is not None
    assert_valid_cxml(invoice, "InvoiceDetail.dtd")
