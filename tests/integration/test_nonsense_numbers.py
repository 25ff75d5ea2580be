"""Nonsense numbers on every path that reads a quantity or an amount: a clear refusal (a 4xx
page, a form message, cXML Status 400), never a 500, and nothing stored (issue 16, section 3)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from gateway.cxml import Operation
from gateway.models import (
    Address,
    Budget,
    CartLine,
    Order,
    OrderLine,
    PunchOutSession,
    TradingPartner,
)
from tests import buyer, shop
from tests.integration.test_cxml_punchout import post_cxml
from tests.oci_buyer import launch_url

# Each is refused wherever a quantity is read (a take-over also refuses them; 0 drops a line).
NONSENSE = (
    "1e21",
    "0.0001",
    "1e999999",
    "\u00b2",  # superscript two: a digit to str.isdigit, no number to Decimal
    "NaN",
    "-1",
    "0",
    "Infinity",
    "\u0663",  # Arabic-Indic three: Decimal reads it, no buyer's system means it
    "",
    "9" * 400,
    "1e-5",
    "12\x00",
    "1\u202e2",
    "2000000",  # above the cart limit
)


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _quantities(session: Session) -> list[Decimal]:
    session.expire_all()
    return list(session.scalars(select(CartLine.quantity).order_by(CartLine.id)))


# cXML edit: the ItemOut quantity of a PunchOutSetupRequest ------------------------------------


def _edit_request(quantity: str) -> bytes:
    body = buyer.setup_request(operation=Operation.EDIT, items=(("DEMO-0001", None, "7"),))
    assert body.count(b'quantity="7"') == 1
    return body.replace(b'quantity="7"', f'quantity="{escape(quantity)}"'.encode())


@pytest.mark.parametrize("quantity", [q for q in NONSENSE if "\x00" not in q])
def test_a_cxml_edit_with_a_nonsense_quantity_gets_status_400(
    client: FlaskClient, db_session: Session, quantity: str
) -> None:
    before = (_count(db_session, PunchOutSession), _count(db_session, CartLine))
    code, text = buyer.status_of(post_cxml(client, _edit_request(quantity)))
    # 406: not an xs:decimal above zero (the document is invalid); 400: a number we refuse
    assert code == (400 if quantity in ("0.0001", "9" * 400, "2000000") else 406), text
    assert "ItemOut" in text
    assert "quantity" in text
    assert (_count(db_session, PunchOutSession), _count(db_session, CartLine)) == before


def test_a_cxml_edit_of_paper_needs_whole_reams(client: FlaskClient) -> None:
    body = buyer.setup_request(operation=Operation.EDIT, items=(("DEMO-0021", None, "1.5"),))
    code, text = buyer.status_of(post_cxml(client, body))
    assert code == 400
    assert "ItemOut[1]/@quantity: DEMO-0021 is sold per RM" in text
    assert "whole" in text


def test_a_cxml_edit_with_a_sensible_quantity_still_opens(client: FlaskClient) -> None:
    code, _ = buyer.status_of(post_cxml(client, _edit_request("2.5")))
    assert code == 200


# OCI: QUANTITY of a FUNCTION call -------------------------------------------------------------


def quick_oci_login(session: Session) -> None:
    """The demo OCI login checked against a one-round hash (the real one takes half a second
    on a busy machine, and these tests log in many times)."""
    partner = session.scalars(select(TradingPartner).where(TradingPartner.name == "demo-oci")).one()
    partner.password_hash = generate_password_hash("demo", method="pbkdf2:sha256:1")
    session.commit()


@pytest.mark.parametrize("function", ["VALIDATE", "QUANTITYCHECK"])
def test_an_oci_function_with_a_nonsense_quantity_is_refused(
    client: FlaskClient, db_session: Session, function: str
) -> None:
    quick_oci_login(db_session)
    before = _count(db_session, PunchOutSession)
    for quantity in NONSENSE:
        if quantity in ("", "12\x00"):  # absent means 1; control characters are dropped
            continue
        response = client.get(
            launch_url(FUNCTION=function, PRODUCTID="DEMO-0001", QUANTITY=quantity)
        )
        assert response.status_code == 400, quantity
        assert "QUANTITY" in response.text
    paper = client.get(launch_url(FUNCTION=function, PRODUCTID="DEMO-0021", QUANTITY="0.5"))
    assert paper.status_code == 400
    assert "whole numbers only" in paper.text
    assert _count(db_session, PunchOutSession) == before


# The shop: add to cart, change a line, quick order, the guest cart --------------------------


def test_the_cart_refuses_nonsense_quantities_with_a_message(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    buyer.add_to_cart(client, "DEMO-0001", "2")
    line_id = db_session.scalars(select(CartLine.id)).one()
    for quantity in NONSENSE:
        added = shop.post(client, "/cart/items", {"sku": "DEMO-0001", "quantity": quantity})
        changed = shop.post(client, f"/cart/lines/{line_id}", {"quantity": quantity})
        assert (added.status_code, changed.status_code) == (400, 400), quantity
        assert 'class="error"' in added.text
        assert 'class="error"' in changed.text
        assert _quantities(db_session) == [Decimal(2)], quantity


def test_the_cart_takes_whole_packs_and_stays_within_its_limit(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    buyer.add_to_cart(client, "DEMO-0001", "999999")
    beyond = shop.post(client, "/cart/items", {"sku": "DEMO-0001", "quantity": "2"})
    half_ream = shop.post(client, "/cart/items", {"sku": "DEMO-0021", "quantity": "0.5"})
    assert (beyond.status_code, half_ream.status_code) == (400, 400)
    assert "at most 1000000" in beyond.text
    assert "DEMO-0021 is sold per RM: whole numbers only." in half_ream.text
    assert _quantities(db_session) == [Decimal(999999)]


def test_quick_order_reports_nonsense_quantities_and_adds_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    pasted = "\n".join(f"DEMO-0001 {quantity}" for quantity in NONSENSE if quantity.strip())
    response = shop.post(client, "/quick-order", {"lines": pasted}, via="/quick-order")
    assert response.status_code in (200, 400), response.text
    assert response.text.count("Quantity ") >= len(NONSENSE) - 1
    assert _count(db_session, CartLine) == 0


def test_the_guest_cart_refuses_nonsense_quantities(client: FlaskClient) -> None:
    shop.post(client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "2"})
    for quantity in NONSENSE:
        added = shop.post(client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": quantity})
        changed = shop.post(client, "/guest/cart/lines/DEMO-0001", {"quantity": quantity})
        assert (added.status_code, changed.status_code) == (400, 400), quantity
        assert "Quantity" in added.text
        assert 'class="error"' in changed.text
    cart = client.get("/guest/cart")
    assert 'value="2"' in cart.text


def test_the_guest_cart_takes_whole_reams_only(client: FlaskClient) -> None:
    shop.post(client, "/guest/cart/items", {"sku": "DEMO-0021", "quantity": "1"})
    response = shop.post(client, "/guest/cart/lines/DEMO-0021", {"quantity": "1.5"})
    assert response.status_code == 400
    assert "whole numbers only" in response.text
    assert 'value="1"' in client.get("/guest/cart").text


# Approval take-over ---------------------------------------------------------------------------


def pending_order(app: Flask, db_session: Session) -> Order:
    """An order of requester@1001.demo awaiting approval, placed through the shop."""
    requester = app.test_client()
    shop.login(requester, "requester@1001.demo")
    buyer.add_to_cart(requester, "DEMO-0081", "2")
    page = requester.get("/checkout")
    placed = requester.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert placed.status_code == 302, placed.text
    order = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert order.status == "pending_approval"
    return order


def test_a_take_over_with_a_nonsense_quantity_decides_nothing(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    order = pending_order(app, db_session)
    shop.login(client, "superuser@1001.demo")
    fields = [("quantity_1", q) for q in NONSENSE if q != "0"] + [
        ("quantity_\u00b2", "1"),  # a digit to str.isdigit, no number to int()
        ("quantity_\u0663", "1"),
        ("quantity_99999999999999999999", "1"),
        ("quantity_", "1"),
    ]
    for field, quantity in fields:
        response = shop.post(client, f"/approvals/{order.id}/take-over", {field: quantity})
        assert response.status_code in (400, 404), (field, quantity)
        db_session.expire_all()
        assert order.status == "pending_approval"
        assert [line.quantity for line in order.lines] == [Decimal(2)]


def test_a_take_over_of_a_box_needs_whole_boxes(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    order = pending_order(app, db_session)
    line = db_session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).one()
    line.unit = "BX"
    db_session.commit()
    shop.login(client, "superuser@1001.demo")
    response = shop.post(client, f"/approvals/{order.id}/take-over", {"quantity_1": "1.5"})
    assert response.status_code == 400
    assert "whole" in response.text


# Budget amounts -------------------------------------------------------------------------------

AMOUNTS = ("1e21", "1e999999", "NaN", "Infinity", "\u0663", "\u00b2", "9" * 400, "-5", "1.001")


def test_a_budget_with_a_nonsense_amount_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "superuser@1001.demo")
    before = _count(db_session, Budget)
    for field in ("max_order_amount", "period_amount"):
        for amount in AMOUNTS:
            response = shop.post(
                client,
                "/account/budgets",
                {"name": "Fuzzed", "period": "month", "policy": "block", field: amount},
                via="/account/budgets",
            )
            assert response.status_code == 400, (field, amount)
            assert 'class="error"' in response.text
    assert _count(db_session, Budget) == before


# Found by the fuzz test on PostgreSQL (SQLite does not enforce VARCHAR lengths) ---------------


def test_a_billing_city_longer_than_its_column_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "superuser@1001.demo")
    page = client.get("/account/organisation")
    fields = {**shop.form_values(page.text, "city"), "city": "9" * 400}
    response = client.post("/account/organisation", data=fields)
    assert response.status_code == 400
    assert "The city may be at most 100 characters." in response.text
    db_session.expire_all()
    assert all(len(city) <= 100 for city in db_session.scalars(select(Address.city)))
