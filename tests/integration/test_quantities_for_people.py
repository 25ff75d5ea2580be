"""Quantities read as people write them: `10`, never `1E+1` (cart, guest cart, approval form,
order page, confirmation mail)."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order, OutboxMessage
from gateway.models.outbox import EMAIL_DOCUMENT
from tests import shop
from tests.integration.test_approvals import _client, _fill_cart, _place


def _quantity_field(page: str, name: str = "quantity") -> str:
    (value,) = html.fromstring(page).xpath(f'//input[@name="{name}"]/@value')
    return str(value)


def test_the_cart_shows_ten_as_10(app: Flask) -> None:
    buyer = _client(app, "buyer@1001.demo")
    _fill_cart(buyer, ("DEMO-0001", "10"))
    page = buyer.get("/cart").text
    assert _quantity_field(page) == "10"
    assert "1E+" not in page


def test_the_guest_cart_shows_ten_as_10(client: FlaskClient) -> None:
    for quantity in ("2.5", "7.5"):  # adds up to 10.0
        response = shop.post(
            client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": quantity}
        )
        assert response.status_code == 302
    page = client.get("/guest/cart").text
    assert _quantity_field(page) == "10"
    assert "1E+" not in page


def test_the_approval_form_order_page_and_mail_show_ten_as_10(
    app: Flask, db_session: Session
) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0001", "10"))
    assert _place(requester).status_code == 302
    order = db_session.scalars(select(Order)).one()

    approvals = _client(app, "superuser@1001.demo").get("/approvals").text
    assert _quantity_field(approvals, f"quantity_{order.lines[0].line_number}") == "10"
    assert "1E+" not in approvals
    page = requester.get(f"/orders/{order.id}").text
    assert "1E+" not in page
    assert "21\xa0%" in page  # the VAT rate too

    bodies = [
        json.loads(message.body)["body"]
        for message in db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.document_type == EMAIL_DOCUMENT)
        )
    ]
    (confirmation,) = [body for body in bodies if "Thank you for your order" in body]
    assert "10 EA DEMO-0001" in confirmation
    assert "1E+" not in confirmation
