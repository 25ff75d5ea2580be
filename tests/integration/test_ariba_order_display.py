"""An Ariba purchase order reaches the order page whole: the delivery address with its
DeliverTo, street, postcode and country; VAT at our products' rates; the lines' short names."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order, Product
from tests import buyer, shop
from tests.integration.test_cxml_punchout import post_cxml
from tests.paths import FIXTURES

ARIBA = FIXTURES / "cxml" / "valid" / "order_request" / "ariba_deliver_to_tax_short_names.xml"
ZONELESS = FIXTURES / "cxml" / "valid" / "order_request" / "zoneless_order_date_no_line_numbers.xml"


def _receive(client: FlaskClient, session: Session, body: bytes, po_number: str) -> Order:
    assert buyer.status_of(post_cxml(client, body))[0] == 200
    session.expire_all()
    return session.scalars(select(Order).where(Order.buyer_reference == po_number)).one()


def test_the_ariba_order_keeps_its_address_vat_and_short_names(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    order = _receive(client, db_session, ARIBA.read_bytes(), "PO-ARIBA-4711")

    assert order.ship_to is not None
    assert {key: order.ship_to.get(key) for key in ("street", "postcode", "city", "country")} == {
        "street": "Coolsingel 40",
        "postcode": "3011 AD",
        "city": "Rotterdam",
        "country": "NL",
    }
    assert order.ship_to["deliver_to"] == "dock 2, Attn. Facilities desk"
    assert [line.description for line in order.lines] == ["Ballpoint pen blue", "Pen"]
    assert [line.vat_rate for line in order.lines] == [Decimal(21), Decimal(21)]
    assert order.tax_total == (order.net_total * Decimal("0.21")).quantize(Decimal("0.01"))
    assert order.tax_total > 0

    superuser = app.test_client()
    shop.login(superuser, "superuser@1001.demo")
    page = html.fromstring(superuser.get(f"/orders/{order.id}").text)
    (ship_to,) = page.xpath("//dd[@data-ship-to]")
    assert ship_to.text_content() == (
        "Acme Municipality, dock 2, Attn. Facilities desk, Coolsingel 40, 3011 AD Rotterdam, NL"
    )
    assert [cell.text_content().strip() for cell in page.xpath("//tr[@data-sku]/td[6]")] == [
        "21\xa0%",
        "21\xa0%",
    ]
    (vat_row,) = page.xpath("//tr[@data-vat-rate]")
    assert "€" in vat_row.xpath("./td[1]")[0].text_content()  # the base, with its currency
    assert vat_row.xpath("./td[2]")[0].text_content().startswith("€")


def test_a_line_without_item_detail_is_named_by_our_product_name(
    client: FlaskClient, db_session: Session
) -> None:
    body = ZONELESS.read_bytes().replace(b'orderID="PO-77"', b'orderID="PO-78"')
    order = _receive(client, db_session, body, "PO-78")
    second = order.lines[1]
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0002")).one()
    assert product.description != product.name  # the long text it showed before
    assert second.description == product.name
    assert order.ship_to is not None
    assert (order.ship_to["street"], order.ship_to["postcode"], order.ship_to["country"]) == (
        "Harbour 3",
        "3011 AB",
        "NL",
    )
