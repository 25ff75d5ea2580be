"""A-10: in a punchout the buyer's system approves; budgets block only when the partner says so."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.models import BudgetCounter, PunchOutSession, TradingPartner
from tests import buyer
from tests.factories import make_budget
from tests.integration.test_cli import cli_app, run
from tests.integration.test_cxml_punchout import add_to_cart, punch_in, transfer

__all__ = ["cli_app"]  # the fixture, shared with the CLI tests


def _tiny_customer_budget(session: Session) -> None:
    make_budget(session, user=None, period_amount="1", policy="block", name="Tiny")
    session.commit()


def test_budgets_do_not_block_the_cart_transfer_by_default(
    client: FlaskClient, db_session: Session
) -> None:
    _tiny_customer_budget(db_session)
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0081", "5")
    _, message, _ = transfer(client)
    assert [item.item_id.supplier_part_id for item in message.items] == ["DEMO-0081"]
    assert db_session.scalars(select(BudgetCounter)).all() == []  # a transfer reserves nothing


def test_a_partner_that_enforces_budgets_gets_no_cart_over_budget(
    client: FlaskClient, db_session: Session
) -> None:
    _tiny_customer_budget(db_session)
    db_session.execute(
        update(TradingPartner)
        .where(TradingPartner.name == "demo-cxml")
        .values(enforce_budgets=True)
    )
    db_session.commit()
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0081", "5")
    cart = client.get("/cart")
    response = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert response.status_code == 403
    assert "Tiny" in response.text
    db_session.expire_all()
    assert db_session.scalars(select(PunchOutSession.status)).all() == ["active"]
    assert client.get("/cart").status_code == 200  # still in the punchout, the cart kept


def test_the_cli_registers_a_partner_that_enforces_budgets(cli_app: Flask) -> None:
    assert run(cli_app, "init").exit_code == 0
    run(cli_app, "seed-demo")
    result = run(
        cli_app,
        "partner", "add-cxml",
        "--name", "strict",
        "--customer", "1001",
        "--identity", "NetworkID:AN777",
        "--shared-secret", "a-long-secret",
        "--allow-url", "https://buyer.example/return",
        "--enforce-budgets",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with cli_app.extensions["gateway.db"].session_scope() as session:
        rows = session.execute(select(TradingPartner.name, TradingPartner.enforce_budgets))
        flags = {row.name: row.enforce_budgets for row in rows}
    assert flags["strict"] is True
    assert flags["demo-cxml"] is False  # the default
