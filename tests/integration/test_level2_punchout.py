"""Level-2 punchout: a setup request with a SelectedItem (Ariba level 2, Coupa item punchout)
opens the shop on that product, or on a search naming an item the buyer may not have."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gateway.cxml import Operation
from gateway.models import Catalog
from tests import buyer
from tests.factories import make_product
from tests.integration.test_cxml_punchout import post_cxml


def _open(client: FlaskClient, body: bytes) -> str:
    answer = post_cxml(client, body)
    assert buyer.status_of(answer) == (200, "OK")
    response = client.get(buyer.start_path(answer))
    assert response.status_code == 302
    return response.location


def test_a_selected_item_opens_its_product_page(client: FlaskClient) -> None:
    location = _open(client, buyer.setup_request(selected_item="DEMO-0005"))
    assert location == "/products/DEMO-0005"
    page = client.get(location)
    assert page.status_code == 200
    assert "DEMO-0005" in page.text


def test_an_unknown_item_opens_a_search_that_says_so(client: FlaskClient) -> None:
    location = _open(client, buyer.setup_request(selected_item="NO-SUCH-ITEM"))
    assert location == "/catalog?q=NO-SUCH-ITEM&selected=NO-SUCH-ITEM"
    page = client.get(location)
    assert page.status_code == 200
    assert 'data-selected-item="NO-SUCH-ITEM"' in page.text
    assert "is not in your assortment" in page.text


def test_an_item_outside_the_customers_assortment_is_not_opened(
    client: FlaskClient, db_session: Session
) -> None:
    other = Catalog(name="Only for 1002")
    db_session.add(other)
    db_session.flush()
    product = make_product(db_session, catalog="Only for 1002")
    db_session.commit()
    location = _open(client, buyer.setup_request(selected_item=product.sku))
    assert location.startswith("/catalog?q=")
    assert f"selected={product.sku}" in location
    assert client.get(f"/products/{product.sku}").status_code == 404


def test_an_edit_with_a_selected_item_opens_the_cart(client: FlaskClient) -> None:
    body = buyer.setup_request(
        operation=Operation.EDIT, items=(("DEMO-0002", None, "1"),), selected_item="DEMO-0005"
    )
    assert _open(client, body) == "/cart"


def test_a_plain_setup_still_opens_the_catalog(client: FlaskClient) -> None:
    assert _open(client, buyer.setup_request()) == "/catalog"
