"""Requisition lists (issue 20): pages, forms, refusals, CSV import, lists in a punchout."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.models import AuditEntry, Cart, CartStatus, Product, RequisitionList
from gateway.services.demo_lists import DEMO_LIST
from tests import buyer, shop
from tests.factories import make_user, user_named
from tests.integration import test_oci_punchout as oci
from tests.integration.test_cxml_punchout import punch_in


def new_list(client: FlaskClient, name: str = "Office weekly") -> int:
    response = shop.post(client, "/lists", {"name": name}, via="/lists")
    assert response.status_code == 302, response.text
    match = re.search(r"/lists/(\d+)$", response.location)
    assert match is not None
    return int(match[1])


def add(client: FlaskClient, list_id: int, sku: str, quantity: str) -> None:
    response = shop.post(
        client, f"/lists/{list_id}/items", {"sku": sku, "quantity": quantity}, via="/lists"
    )
    assert response.status_code == 302, response.text


def open_cart_lines(db_session: Session, email: str) -> dict[str, Decimal]:
    user = user_named(db_session, email)
    cart = db_session.scalars(
        select(Cart).where(Cart.user_id == user.id, Cart.status == CartStatus.OPEN)
    ).one()
    db_session.refresh(cart)
    return {line.product.sku: line.quantity for line in cart.lines}


def test_a_buyer_keeps_a_list_and_puts_it_in_the_cart(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    list_id = new_list(client)
    add(client, list_id, "DEMO-0001", "10")
    add(client, list_id, "DEMO-0002", "3")
    add(client, list_id, "DEMO-0002", "2")  # more of the same line
    page = client.get(f"/lists/{list_id}")
    assert page.status_code == 200
    assert 'data-sku="DEMO-0001"' in page.text
    assert 'data-price="0.6900"' in page.text or 'data-price="0.69"' in page.text  # tier price
    listed = client.get("/lists")
    assert f'data-list-id="{list_id}"' in listed.text
    response = shop.post(client, f"/lists/{list_id}/cart", {}, via=f"/lists/{list_id}")
    assert response.status_code == 302
    assert response.location.endswith("/cart")
    assert open_cart_lines(db_session, "buyer@1001.demo") == {
        "DEMO-0001": Decimal(10),
        "DEMO-0002": Decimal(5),
    }
    cart = client.get("/cart")
    assert 'data-cart-total="11.60"' in cart.text  # 10 at 0.69 + 5 at 0.94, today's prices


def test_lines_change_and_go_and_the_chosen_list_form_adds(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    list_id = new_list(client)
    response = shop.post(
        client,
        "/lists/items",
        {"list": str(list_id), "sku": "DEMO-0003", "quantity": "4"},
        via="/catalog",
    )
    assert response.status_code == 302
    found = db_session.get(RequisitionList, list_id)
    assert found is not None
    [line] = found.lines
    assert (line.product.sku, line.quantity) == ("DEMO-0003", Decimal(4))
    changed = shop.post(
        client, f"/lists/{list_id}/lines/{line.id}", {"quantity": "7"}, via="/lists"
    )
    assert changed.status_code == 302
    db_session.refresh(line)
    assert line.quantity == Decimal(7)
    bad = shop.post(client, f"/lists/{list_id}/lines/{line.id}", {"quantity": "-1"}, via="/lists")
    assert bad.status_code == 400
    removed = shop.post(client, f"/lists/{list_id}/lines/{line.id}/delete", {}, via="/lists")
    assert removed.status_code == 302
    db_session.refresh(found)
    assert found.lines == []


def test_the_product_page_and_catalogue_carry_the_list_forms(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    list_id = new_list(client, "Standing order")
    product = client.get("/products/DEMO-0001")
    assert f'action="/lists/{list_id}/items"' in product.text
    catalogue = client.get("/catalog")
    assert 'action="/lists/items"' in catalogue.text
    assert f'<option value="{list_id}">Standing order</option>' in catalogue.text


def test_a_product_no_longer_sold_is_named_and_skipped(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    list_id = new_list(client)
    add(client, list_id, "DEMO-0001", "2")
    add(client, list_id, "DEMO-0004", "1")
    db_session.execute(update(Product).where(Product.sku == "DEMO-0004").values(active=False))
    db_session.commit()
    page = client.get(f"/lists/{list_id}")
    assert 'data-sku="DEMO-0004" data-line-id' in page.text
    assert 'data-available="no"' in page.text
    response = shop.post(client, f"/lists/{list_id}/cart", {}, via=f"/lists/{list_id}")
    assert response.status_code == 200
    assert 'data-skipped="1"' in response.text
    assert "DEMO-0004" in response.text
    assert "No longer in your assortment." in response.text
    assert open_cart_lines(db_session, "buyer@1001.demo") == {"DEMO-0001": Decimal(2)}


def test_shared_lists_are_seen_by_colleagues_and_changed_only_by_the_owner(
    app: Flask, db_session: Session
) -> None:
    make_user(db_session, "colleague@1001.demo")
    db_session.commit()
    owner, colleague = app.test_client(), app.test_client()
    shop.login(owner, "buyer@1001.demo")
    shop.login(colleague, "colleague@1001.demo")
    list_id = new_list(owner, "Team list")
    add(owner, list_id, "DEMO-0001", "2")
    assert colleague.get(f"/lists/{list_id}").status_code == 404  # not shared yet
    assert f'data-list-id="{list_id}"' not in colleague.get("/lists").text
    shared = shop.post(owner, f"/lists/{list_id}/share", {"shared": "1"}, via="/lists")
    assert shared.status_code == 302
    assert f'data-list-id="{list_id}"' in colleague.get("/lists").text
    page = colleague.get(f"/lists/{list_id}")
    assert page.status_code == 200
    assert f"/lists/{list_id}/items" not in page.text  # read-only for the colleague
    refused = shop.post(
        colleague, f"/lists/{list_id}/items", {"sku": "DEMO-0002", "quantity": "1"}, via="/lists"
    )
    assert refused.status_code == 403
    into = shop.post(colleague, f"/lists/{list_id}/cart", {}, via="/lists")
    assert into.status_code == 302
    assert open_cart_lines(db_session, "colleague@1001.demo") == {"DEMO-0001": Decimal(2)}
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == "Team list")
    ).all()
    assert actions == ["list.create", "list.share"]


def test_another_customers_list_is_not_found(app: Flask) -> None:
    owner, stranger = app.test_client(), app.test_client()
    shop.login(owner, "buyer@1001.demo")
    shop.login(stranger, "buyer@1002.demo")
    list_id = new_list(owner, "Secret")
    add(owner, list_id, "DEMO-0001", "2")
    shop.post(owner, f"/lists/{list_id}/share", {"shared": "1"}, via="/lists")
    assert stranger.get(f"/lists/{list_id}").status_code == 404
    for url, data in [
        (f"/lists/{list_id}/items", {"sku": "DEMO-0001", "quantity": "1"}),
        ("/lists/items", {"list": str(list_id), "sku": "DEMO-0001", "quantity": "1"}),
        (f"/lists/{list_id}/cart", {}),
        (f"/lists/{list_id}/share", {"shared": "0"}),
    ]:
        assert shop.post(stranger, url, data, via="/lists").status_code == 404, url
    assert "Secret" not in stranger.get("/lists").text


def test_a_viewer_sees_lists_but_may_not_create_one(app: Flask, db_session: Session) -> None:
    make_user(db_session, "viewer@1001.demo", role="viewer")
    db_session.commit()
    client = app.test_client()
    shop.login(client, "viewer@1001.demo")
    page = client.get("/lists")
    assert page.status_code == 200
    assert 'action="/lists"' not in page.text
    assert shop.post(client, "/lists", {"name": "Mine"}, via="/lists").status_code == 403
    assert db_session.scalars(select(RequisitionList.name)).all() == [DEMO_LIST]
    assert 'data-shared="yes"' in page.text  # the demo's shared list is there to read


def test_a_list_name_is_required(client: FlaskClient) -> None:
    shop.login(client, "buyer@1001.demo")
    response = shop.post(client, "/lists", {"name": "  "}, via="/lists")
    assert response.status_code == 400
    assert "Give the list a name." in response.text


def import_file(client: FlaskClient, name: str, content: bytes) -> TestResponse:
    page = client.get("/lists")
    return client.post(
        "/lists/import",
        data={
            "name": name,
            "file": (io.BytesIO(content), "list.csv"),
            "csrf_token": buyer.csrf_token(page.text),
        },
        content_type="multipart/form-data",
    )


def test_a_csv_file_becomes_a_list(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    response = import_file(
        client, "Imported", b"\xef\xbb\xbfSKU;Quantity\r\nDEMO-0001;12\r\n\r\nDEMO-0002;1\r\n"
    )
    assert response.status_code == 302, response.text
    found = db_session.scalars(select(RequisitionList).where(RequisitionList.name == "Imported"))
    [created] = found.all()
    assert {line.product.sku: line.quantity for line in created.lines} == {
        "DEMO-0001": Decimal(12),
        "DEMO-0002": Decimal(1),
    }


def test_a_csv_file_with_bad_lines_names_them_and_imports_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "buyer@1001.demo")
    content = b"DEMO-0001,2\nNOPE-1,1\nDEMO-0002,many\nDEMO-0003\nDEMO-0004,1\n"
    response = import_file(client, "Broken", content)
    assert response.status_code == 400
    text = response.text
    assert 'data-import-rejected="3"' in text
    for number in (2, 3, 4):
        assert f'data-line="{number}"' in text
    assert "NOPE-1" in text
    assert db_session.scalars(select(RequisitionList.name)).all() == [DEMO_LIST]
    not_text = import_file(client, "Binary", b"\xff\xfe\x00bad")
    assert not_text.status_code == 400
    assert "not UTF-8" in not_text.text


def test_the_cart_is_saved_as_a_list(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    buyer.add_to_cart(client, "DEMO-0001", "3")
    buyer.add_to_cart(client, "DEMO-0005", "2")
    cart = client.get("/cart")
    assert 'action="/lists/from-cart"' not in cart.text
    assert 'action="/cart/list"' in cart.text
    response = shop.post(client, "/cart/list", {"name": "From my cart"}, via="/cart")
    assert response.status_code == 302
    created = db_session.scalars(
        select(RequisitionList).where(RequisitionList.name == "From my cart")
    ).one()
    assert {line.product.sku: line.quantity for line in created.lines} == {
        "DEMO-0001": Decimal(3),
        "DEMO-0005": Decimal(2),
    }


def test_lists_belong_to_the_punchout_identity_in_a_cxml_punchout(
    app: Flask, db_session: Session
) -> None:
    jane = app.test_client()
    punch_in(jane, buyer.setup_request(email="jane@buyer.example", buyer_cookie="j-1"))
    list_id = new_list(jane, "Jane's standard order")
    add(jane, list_id, "DEMO-0001", "4")
    created = db_session.get(RequisitionList, list_id)
    assert created is not None
    assert created.punchout_identity_id is not None
    # Jane punches out again later: her list is there and fills this punchout's cart
    again = app.test_client()
    punch_in(again, buyer.setup_request(email="jane@buyer.example", buyer_cookie="j-2"))
    assert f'data-list-id="{list_id}"' in again.get("/lists").text
    into = shop.post(again, f"/lists/{list_id}/cart", {}, via="/lists")
    assert into.status_code == 302
    cart = again.get("/cart")
    assert 'data-sku="DEMO-0001"' in cart.text
    # another person of the same buyer does not see it, nor does the shop account of 1001
    john = app.test_client()
    punch_in(john, buyer.setup_request(email="john@buyer.example", buyer_cookie="x-1"))
    assert f'data-list-id="{list_id}"' not in john.get("/lists").text
    assert john.get(f"/lists/{list_id}").status_code == 404
    shopper = app.test_client()
    shop.login(shopper, "buyer@1001.demo")
    assert shopper.get(f"/lists/{list_id}").status_code == 404


def test_lists_work_in_an_oci_punchout(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    oci.punch_in(client)
    list_id = new_list(client, "SAP standard order")
    add(client, list_id, "DEMO-0002", "6")
    assert shop.post(client, f"/lists/{list_id}/cart", {}, via="/lists").status_code == 302
    form, _ = oci.transfer(client)
    assert list(form.items) == [1]
    assert form.items[1]["VENDORMAT"] == "DEMO-0002"
    assert Decimal(form.items[1]["QUANTITY"]) == Decimal(6)
