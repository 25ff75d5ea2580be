"""Quotes (issue 20): requested from the cart, answered by staff, accepted into the cart at the
quoted prices, carried by the punchout carts (cXML QuoteID, OCI EXT_QUOTE_ID) and accepted by
checkout and the OrderRequest price check; refusals, expiry, the audit log."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.cxml import Operation
from gateway.db import utcnow
from gateway.models import AuditEntry, Order, Quote
from tests import buyer, shop, staff
from tests.integration import test_oci_punchout as oci
from tests.integration.test_approvals import _place
from tests.integration.test_cxml_orders import orders, send
from tests.integration.test_cxml_punchout import punch_in, transfer
from tests.integration.test_order_price_checks import problems
from tests.mail import Inbox, deliver_mail

SERVICE = "service@supplier.demo"


def ask_quote(client: FlaskClient, *items: tuple[str, str], note: str = "Best price?") -> int:
    for sku, quantity in items:
        buyer.add_to_cart(client, sku, quantity)
    response = shop.post(client, "/quotes", {"note": note}, via="/cart")
    assert response.status_code == 302, response.text
    match = re.search(r"/quotes/(\d+)$", response.location)
    assert match is not None
    return int(match[1])


def answer(
    app: Flask, quote_id: int, prices: list[str], *, days: int = 14, note: str = "Deal"
) -> FlaskClient:
    desk = app.test_client()
    staff.log_in(desk, SERVICE)
    page = desk.get(f"/staff/quotes/{quote_id}")
    assert page.status_code == 200
    fields = re.findall(r'name="(price-\d+)"', page.text)
    assert len(fields) == len(prices)
    valid_until = (utcnow() + timedelta(days=days)).date().isoformat()
    response = shop.post(
        desk,
        f"/staff/quotes/{quote_id}/answer",
        {**dict(zip(fields, prices, strict=True)), "valid_until": valid_until, "note": note},
        via=f"/staff/quotes/{quote_id}",
    )
    assert response.status_code == 302, response.text
    return desk


def accept(client: FlaskClient, quote_id: int) -> TestResponse:
    return shop.post(client, f"/quotes/{quote_id}/accept", {}, via=f"/quotes/{quote_id}")


def status_on_list(client: FlaskClient, quote_id: int) -> str:
    match = re.search(
        rf'data-quote-id="{quote_id}" data-quote-status="(\w+)"', client.get("/quotes").text
    )
    assert match is not None
    return match[1]


def test_a_quote_is_requested_answered_accepted_and_ordered_at_its_prices(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    quote_id = ask_quote(client, ("DEMO-0001", "100"), ("DEMO-0002", "50"))
    assert "Your cart is empty." in client.get("/cart").text  # the cart became the request
    assert status_on_list(client, quote_id) == "requested"
    desk = answer(app, quote_id, ["0.55", "0.80"])
    assert (
        f'data-quote-id="{quote_id}" data-quote-status="answered"' in desk.get("/staff/quotes").text
    )
    assert status_on_list(client, quote_id) == "answered"
    deliver_mail(app, inbox.port)
    [mail] = [m for m in inbox.messages if "Quote" in str(m["Subject"])]
    assert mail["To"] == "buyer@1001.demo"
    assert f"/quotes/{quote_id}" in mail.get_payload()
    response = accept(client, quote_id)
    assert response.status_code == 302
    assert status_on_list(client, quote_id) == "accepted"
    cart = client.get("/cart")
    reference = f"Q{quote_id:06d}"
    assert cart.text.count(f'data-quote-reference="{reference}"') == 2
    assert 'data-cart-total="95.00"' in cart.text  # 100 at 0.55 + 50 at 0.80
    changed = shop.post(client, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"}, via="/cart")
    assert changed.status_code == 302  # a product added again is a line of its own at today's price
    assert 'data-cart-total="95.77"' in client.get("/cart").text
    assert _place(client).status_code == 302
    order = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert sorted((line.sku, line.unit_price) for line in order.lines) == [
        ("DEMO-0001", Decimal("0.55")),
        ("DEMO-0001", Decimal("0.77")),
        ("DEMO-0002", Decimal("0.80")),
    ]
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == reference).order_by(AuditEntry.id)
    ).all()
    assert actions == ["quote.request", "quote.answer", "quote.accept"]


def test_a_quoted_line_keeps_its_quantity(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    quote_id = ask_quote(client, ("DEMO-0001", "100"))
    answer(app, quote_id, ["0.55"])
    accept(client, quote_id)
    line_id = re.search(r'data-line-id="(\d+)"', client.get("/cart").text)
    assert line_id is not None
    refused = shop.post(client, f"/cart/lines/{line_id[1]}", {"quantity": "200"}, via="/cart")
    assert refused.status_code == 400
    assert "quoted for 100" in refused.text


def test_an_expired_quote_cannot_be_accepted(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    quote_id = ask_quote(client, ("DEMO-0001", "5"))
    answer(app, quote_id, ["0.50"])
    quote = db_session.get(Quote, quote_id)
    assert quote is not None
    quote.valid_until = (utcnow() - timedelta(days=2)).date()
    db_session.commit()
    assert status_on_list(client, quote_id) == "expired"
    refused = accept(client, quote_id)
    assert refused.status_code == 400
    assert "expired" in refused.text
    assert "data-quote-reference" not in client.get("/cart").text
    declined = shop.post(client, f"/quotes/{quote_id}/decline", {}, via="/quotes")
    assert declined.status_code == 302
    assert status_on_list(client, quote_id) == "declined"
    assert accept(client, quote_id).status_code == 400


def test_staff_answers_are_checked(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    shop.login(client, "buyer@1001.demo")
    quote_id = ask_quote(client, ("DEMO-0001", "5"))
    desk = app.test_client()
    staff.log_in(desk, SERVICE)
    page = desk.get(f"/staff/quotes/{quote_id}")
    [field] = re.findall(r'name="(price-\d+)"', page.text)
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    yesterday = (utcnow() - timedelta(days=1)).date().isoformat()
    for data, reason in [
        ({field: "abc", "valid_until": tomorrow}, "give a price"),
        ({field: "-1", "valid_until": tomorrow}, "0 or more"),
        ({field: "0.12345", "valid_until": tomorrow}, "at most 4 decimals"),
        ({field: "1.00", "valid_until": yesterday}, "in the past"),
        ({field: "1.00", "valid_until": "soon"}, "YYYY-MM-DD"),
        ({"valid_until": tomorrow}, "give a price"),
    ]:
        response = shop.post(desk, f"/staff/quotes/{quote_id}/answer", data, via="/staff/quotes")
        assert response.status_code == 400, data
        assert reason in response.text, data
    quote = db_session.get(Quote, quote_id)
    assert quote is not None
    db_session.refresh(quote)
    assert quote.status == "requested"
    assert accept(client, quote_id).status_code == 400


def test_quotes_are_private_and_staff_only_answer(app: Flask, db_session: Session) -> None:
    owner = app.test_client()
    shop.login(owner, "buyer@1001.demo")
    quote_id = ask_quote(owner, ("DEMO-0001", "5"))
    answer(app, quote_id, ["0.50"])
    for email in ("buyer@1002.demo", "superuser@1001.demo"):
        other = app.test_client()
        shop.login(other, email)
        assert other.get(f"/quotes/{quote_id}").status_code == 404, email
        assert accept(other, quote_id).status_code == 404, email
        assert str(quote_id) not in re.findall(r'data-quote-id="(\d+)"', other.get("/quotes").text)
        assert other.get(f"/staff/quotes/{quote_id}").status_code == 403
        refused = shop.post(
            other,
            f"/staff/quotes/{quote_id}/answer",
            {"valid_until": "2099-01-01"},
            via="/quotes",
        )
        assert refused.status_code == 403
    agent = app.test_client()
    staff.log_in(agent, "agent@supplier.demo")
    assert agent.get("/staff/quotes").status_code == 403


def test_a_quote_in_a_cxml_punchout_returns_with_its_reference_and_the_order_is_accepted(
    app: Flask, db_session: Session
) -> None:
    client = app.test_client()
    punch_in(client, buyer.setup_request(email="jane@buyer.example", buyer_cookie="q-1"))
    quote_id = ask_quote(client, ("DEMO-0001", "100"), ("DEMO-0002", "10"))
    answer(app, quote_id, ["0.51", "0.90"])
    # Jane punches out again to accept it: her punchout user owns the quote
    again = app.test_client()
    punch_in(again, buyer.setup_request(email="jane@buyer.example", buyer_cookie="q-2"))
    assert accept(again, quote_id).status_code == 302
    _, message, document = transfer(again)  # transfer() validates the document (XSD and DTD)
    reference = f"Q{quote_id:06d}"
    assert [
        (
            item.item_id.supplier_part_id,
            item.item_id.supplier_part_auxiliary_id,
            item.detail.unit_price.amount,
            [(e.name, e.value) for e in item.detail.extrinsics],
        )
        for item in message.items
    ] == [
        ("DEMO-0001", f"{reference}-1", Decimal("0.51"), [("QuoteID", reference)]),
        ("DEMO-0002", f"{reference}-2", Decimal("0.90"), [("QuoteID", reference)]),
    ]
    assert message.total.amount == Decimal("60.00")
    assert b'<Extrinsic name="QuoteID">' in document
    body = buyer.order_request(
        items=(
            ("DEMO-0001", f"{reference}-1", "100", "0.51"),
            ("DEMO-0002", f"{reference}-2", "10", "0.90"),
        )
    )
    assert send(client, body) == (200, "OK")
    # the buyer edits the requisition: unchanged quoted lines keep their price, a changed one not
    edit = app.test_client()
    punch_in(
        edit,
        buyer.setup_request(
            operation=Operation.EDIT,
            email="jane@buyer.example",
            buyer_cookie="q-3",
            items=(("DEMO-0001", f"{reference}-1", "100"), ("DEMO-0002", f"{reference}-2", "9")),
        ),
    )
    cart = edit.get("/cart").text
    assert cart.count(f'data-quote-reference="{reference}"') == 1
    assert 'data-cart-total="59.46"' in cart  # 100 at 0.51 + 9 at 0.94 (today's price)
    [order] = orders(db_session)
    assert (order.status, problems(db_session, order)) == ("received", [])
    stranger = buyer.order_request(
        order_id="PO-2", items=(("DEMO-0001", "Q999999-1", "100", "0.51"),)
    )
    assert send(client, stranger)[0] == 200
    [held] = orders(db_session, "PO-2")
    assert held.status == "on_hold"  # a made-up quote reference gets no quoted price


def test_a_quote_in_an_oci_punchout_returns_ext_quote_fields(
    app: Flask, db_session: Session
) -> None:
    client = app.test_client()
    oci.punch_in(client)
    quote_id = ask_quote(client, ("DEMO-0001", "20"), ("DEMO-0002", "3"))
    answer(app, quote_id, ["0.60", "0.85"])
    assert accept(client, quote_id).status_code == 302
    buyer.add_to_cart(client, "DEMO-0003", "1")  # not quoted: no quote fields
    form, _ = oci.transfer(client)
    reference = f"Q{quote_id:06d}"
    quoted = {
        index: (item.get("EXT_QUOTE_ID"), item.get("EXT_QUOTE_ITEM"), item["VENDORMAT"])
        for index, item in form.items.items()
    }
    assert quoted == {
        1: (reference, "1", "DEMO-0001"),
        2: (reference, "2", "DEMO-0002"),
        3: (None, None, "DEMO-0003"),
    }
    assert Decimal(form.items[1]["PRICE"]) / int(form.items[1]["PRICEUNIT"]) == Decimal("0.60")
