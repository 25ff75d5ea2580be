"""Prices on the shop pages: the customer's excl. VAT, guests' incl. VAT, never from the form."""

from __future__ import annotations

from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import CartLine, PriceListItem
from tests import shop


def test_guests_see_list_prices_including_vat(client: FlaskClient) -> None:
    page = client.get("/catalog?q=ACME-0003")  # not public: nothing
    assert 'data-total="0"' in page.text
    page = client.get("/catalog?q=DEMO-0002")
    assert 'data-price="1.14"' in page.text  # 0.94 + 21 %
    assert "Prices include VAT" in page.text


def test_business_customers_see_their_price_excluding_vat(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    page = client.get("/products/DEMO-0001")
    assert '"price": "0.77"' in page.text
    assert "excl. VAT" in page.text
    reduced = client.get("/products/ACME-0003")
    assert '"price": "9.95"' in reduced.text


def test_cart_shows_the_vat_breakdown(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    assert (
        shop.post(client, "/cart/items", {"sku": "DEMO-0001", "quantity": "10"}).status_code == 302
    )
    assert (
        shop.post(client, "/cart/items", {"sku": "ACME-0003", "quantity": "1"}).status_code == 302
    )
    cart = client.get("/cart").text
    assert 'data-cart-total="16.85"' in cart  # 10 x 0.69 (tier) + 9.95
    assert 'data-vat-rate="21"' in cart
    assert 'data-vat="1.45"' in cart  # 21 % of 6.90 = 1.449
    assert 'data-vat="0.90"' in cart  # 9 % of 9.95 = 0.8955
    assert 'data-cart-total-incl-vat="19.20"' in cart


def test_a_price_in_the_form_is_ignored(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    before = db_session.scalars(select(PriceListItem.unit_price)).all()
    response = shop.post(
        client,
        "/cart/items",
        {"sku": "DEMO-0001", "quantity": "1", "price": "0.01", "price_list": "1"},
    )
    assert response.status_code == 302
    assert 'data-cart-total="0.77"' in client.get("/cart").text
    assert db_session.scalars(select(PriceListItem.unit_price)).all() == before
    assert [line.quantity for line in db_session.scalars(select(CartLine))] == [Decimal(1)]
