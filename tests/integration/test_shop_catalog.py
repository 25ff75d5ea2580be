"""The catalog pages through the test client: assortments, search, categories, 404s."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.cxml import Operation
from gateway.models import CartLine, Catalog, Product, PunchOutSession
from tests import buyer, shop
from tests.integration.test_cxml_punchout import post_cxml, punch_in


@pytest.fixture
def foreign_product(db_session: Session) -> Product:
    """A product only in a catalog that no demo customer holds."""
    product = Product(
        sku="OTHER-0001",
        name="Somebody else's widget",
        unit="EA",
        unspsc="31160000",
        list_price=Decimal("5.00"),
    )
    catalog = Catalog(name="Another customer's range")
    db_session.add_all([product, catalog])
    db_session.flush()
    db_session.execute(
        Catalog.metadata.tables["catalog_product"]
        .insert()
        .values(catalog_id=catalog.id, product_id=product.id)
    )
    db_session.commit()
    return product


def test_only_1001_sees_its_specials(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    assert client.get("/products/ACME-0001").status_code == 200
    assert 'data-sku="ACME-0001"' in client.get("/catalog?q=acme").text
    client.post("/logout", data={"csrf_token": buyer.csrf_token(client.get("/catalog").text)})
    shop.login(client, "buyer@1002.demo")
    assert client.get("/products/ACME-0001").status_code == 404
    page = client.get("/catalog?q=acme")
    assert 'data-total="0"' in page.text
    assert "ACME-0001" not in page.text


def test_adding_a_product_outside_the_assortment_is_404_and_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1002.demo")
    response = shop.post(client, "/cart/items", {"sku": "ACME-0001", "quantity": "1"})
    assert response.status_code == 404
    assert db_session.scalar(select(func.count()).select_from(CartLine)) == 0


def test_guests_browse_the_public_catalog(client: FlaskClient) -> None:
    page = client.get("/catalog?q=ballpoint")
    assert 'data-total="20"' in page.text
    assert client.get("/products/DEMO-0001").status_code == 200
    assert client.get("/products/ACME-0001").status_code == 404


def test_catalog_browses_by_category_and_pages(client: FlaskClient) -> None:
    page = client.get("/catalog?category=office-paper")
    assert 'data-total="20"' in page.text
    assert 'data-sku="DEMO-0021"' in page.text
    assert 'data-sku="DEMO-0001"' not in page.text
    second = client.get("/catalog?page=2")
    assert 'data-sku="DEMO-0049"' in second.text
    assert "Page 2 of 5" in second.text
    assert client.get("/catalog?category=no-such").status_code == 404


def test_punchout_hides_products_outside_the_assortment(
    client: FlaskClient, foreign_product: Product
) -> None:
    punch_in(client, buyer.setup_request())
    assert client.get(f"/products/{foreign_product.sku}").status_code == 404
    assert foreign_product.sku not in client.get("/catalog?q=widget").text


def test_punchout_edit_with_a_product_outside_the_assortment_answers_412(
    client: FlaskClient, db_session: Session, foreign_product: Product
) -> None:
    body = buyer.setup_request(
        operation=Operation.EDIT, items=((foreign_product.sku, "x", "1"), ("DEMO-0001", "y", "1"))
    )
    code, text = buyer.status_of(post_cxml(client, body))
    assert code == 412
    assert foreign_product.sku in text
    assert db_session.scalar(select(func.count()).select_from(PunchOutSession)) == 0
