"""Staff who shop for no customer see list prices, said to be such, never empty price cells."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from lxml import html
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Product
from tests import shop


def _catalog(app: Flask, email: str) -> html.HtmlElement:
    client = app.test_client()
    shop.login(client, email)
    return html.fromstring(client.get("/catalog?q=DEMO-000").text)


def test_staff_see_list_prices_and_how_to_see_a_customers(app: Flask, db_session: Session) -> None:
    page = _catalog(app, "service@supplier.demo")
    cells = page.xpath("//tr[@data-sku]/td[@data-price]")
    assert cells
    list_prices = dict(db_session.execute(select(Product.sku, Product.list_price)).all())
    for cell in cells:
        sku = cell.getparent().get("data-sku")
        assert Decimal(cell.get("data-price")) == list_prices[sku]
        assert cell.text_content().strip().startswith("€")
    (note,) = page.xpath("//*[@data-list-prices]")
    assert "choose a customer" in note.text_content()
    assert note.xpath(".//a/@href") == ["/staff/customers"]


def test_a_customers_buyer_sees_its_own_prices_without_the_note(app: Flask) -> None:
    page = _catalog(app, "buyer@1001.demo")
    assert all(cell.get("data-price") for cell in page.xpath("//td[@data-price]"))
    assert page.xpath("//*[@data-list-prices]") == []
