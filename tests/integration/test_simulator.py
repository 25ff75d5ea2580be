"""The buyer simulator: access, templates, sending, receiving and checking carts, edit requests."""

from __future__ import annotations

import base64
import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order, TradingPartner
from gateway.oci import OCIReturn
from gateway.oci.documents import ReturnedItem
from gateway.services.partners.simulator import check_oci_return
from tests import buyer, staff
from tests.paths import official_dtd_dir


@pytest.fixture
def simulator_app(app: Flask) -> Flask:
    app.config["GATEWAY_SIMULATOR"] = True
    return app


@pytest.fixture
def admin(simulator_app: Flask) -> FlaskClient:
    client = simulator_app.test_client()
    staff.log_in(client)
    return client


def partner_id(session: Session, name: str) -> int:
    return session.scalars(select(TradingPartner.id).where(TradingPartner.name == name)).one()


def simulate(client: FlaskClient, data: dict[str, str]) -> str:
    page = client.get(f"/tools/simulator?partner={data['partner']}")
    answer = client.post(
        "/tools/simulator", data={**data, "csrf_token": buyer.csrf_token(page.text)}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def document_of(html: str) -> str:
    match = re.search(r"<textarea name=\"document\"[^>]*>(.*?)</textarea>", html, re.S)
    assert match
    return unescape(match.group(1))


def test_the_simulator_is_off_unless_enabled(app: Flask) -> None:
    client = app.test_client()
    staff.log_in(client)
    assert client.get("/tools/simulator").status_code == 404


def test_only_admins_use_the_simulator(simulator_app: Flask) -> None:
    client = simulator_app.test_client()
    answer = client.get("/tools/simulator?partner=1")
    assert answer.status_code == 302
    assert answer.location == "/login?next=/tools/simulator?partner%3D1"
    staff.log_in(client, "buyer@1001.demo")
    assert client.get("/tools/simulator").status_code == 403


def test_cxml_round_trip_and_edit_request(
    simulator_app: Flask, admin: FlaskClient, db_session: Session
) -> None:
    demo = str(partner_id(db_session, "demo-cxml"))
    filled = simulate(
        admin,
        {"partner": demo, "operation": "create", "secret": "demo-secret", "action": "template"},
    )
    document = document_of(filled)
    assert 'operation="create"' in document
    assert "<SharedSecret>demo-secret</SharedSecret>" in document
    assert "<URL>http://localhost/tools/simulator/receive</URL>" in document

    sent = simulate(admin, {"partner": demo, "document": document, "action": "send"})
    assert 'data-status="200"' in sent
    assert 'data-problem="' not in sent  # our own template is valid
    start = re.search(r'href="http://localhost(/punchout/start/[^"]+)" data-start-page', sent)
    assert start

    # the integrator shops in this browser: the StartPage replaces the admin login
    assert admin.get(start.group(1)).status_code == 302
    product = admin.get("/products/DEMO-0001")
    admin.post(
        "/cart/items",
        data={"sku": "DEMO-0001", "quantity": "3", "csrf_token": buyer.csrf_token(product.text)},
    )
    cart = admin.get("/cart")
    returned = admin.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    fields = dict(buyer.read_forms(returned.text)[0]["fields"])
    received = admin.post("/tools/simulator/receive", data=fields)
    assert received.status_code == 200
    assert 'data-sku="DEMO-0001"' in received.text
    assert 'data-problems="0"' in received.text
    passed = (
        "the official DTD, our XSD and the cXML rules pass"
        if official_dtd_dir() is not None
        else "our XSD and the cXML rules pass (DTD not checked)"
    )
    assert passed in received.text
    assert "&lt;PunchOutOrderMessage&gt;" in received.text  # the raw document
    edit = re.search(r'href="([^"]+)" data-edit-request', received.text)
    assert edit

    link = unescape(edit.group(1))
    assert admin.get(link).status_code == 302  # log in again
    staff.log_in(admin)
    page = admin.get(link)
    assert page.status_code == 200
    edit_document = document_of(page.text)
    assert 'operation="edit"' in edit_document
    assert re.search(r'<ItemOut quantity="3" lineNumber="1">', edit_document)
    assert "<SupplierPartID>DEMO-0001</SupplierPartID>" in edit_document
    assert "<SupplierPartAuxiliaryID>" in edit_document
    assert "<SharedSecret>SHARED-SECRET</SharedSecret>" in edit_document  # never stored

    resent = simulate(
        admin,
        {
            "partner": demo,
            "document": edit_document.replace("SHARED-SECRET", "demo-secret"),
            "action": "send",
        },
    )
    assert 'data-status="200"' in resent


def test_a_returned_cart_becomes_an_order_request(
    simulator_app: Flask, admin: FlaskClient, db_session: Session
) -> None:
    demo = str(partner_id(db_session, "demo-cxml"))
    template = {"partner": demo, "operation": "create", "secret": "demo-secret"}
    document = document_of(simulate(admin, {**template, "action": "template"}))
    sent = simulate(admin, {"partner": demo, "document": document, "action": "send"})
    start = re.search(r'href="http://localhost(/punchout/start/[^"]+)" data-start-page', sent)
    assert start
    admin.get(start.group(1))
    buyer.add_to_cart(admin, "DEMO-0001", "3")
    cart = admin.get("/cart")
    returned = admin.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    received = admin.post(
        "/tools/simulator/receive", data=dict(buyer.read_forms(returned.text)[0]["fields"])
    )
    order_link = re.search(r'href="([^"]+)" data-order-request', received.text)
    assert order_link
    staff.log_in(admin)
    order_document = document_of(admin.get(unescape(order_link.group(1))).text)
    assert "<OrderRequest>" in order_document
    assert re.search(r'<ItemOut quantity="3" lineNumber="1">', order_document)
    assert "<SupplierPartAuxiliaryID>" in order_document
    secret_filled = order_document.replace("SHARED-SECRET", "demo-secret")
    ordered = simulate(admin, {"partner": demo, "document": secret_filled, "action": "send"})
    assert 'data-status="200"' in ordered
    po_number = re.search(r'orderID="(SIM-[0-9A-F]+)"', order_document)
    assert po_number
    order = db_session.scalars(select(Order).where(Order.buyer_reference == po_number[1])).one()
    assert (order.source, order.status) == ("cxml", "received")
    assert [(line.sku, line.quantity) for line in order.lines] == [("DEMO-0001", 3)]


def test_a_broken_request_shows_its_problems(admin: FlaskClient, db_session: Session) -> None:
    demo = str(partner_id(db_session, "demo-cxml"))
    document = document_of(
        simulate(
            admin,
            {"partner": demo, "operation": "create", "secret": "demo-secret", "action": "template"},
        )
    )
    broken = re.sub(r'timestamp="[^"]+"', 'timestamp="2024-05-01 10:00:00"', document)
    sent = simulate(admin, {"partner": demo, "document": broken, "action": "send"})
    assert 'data-status="406"' in sent
    assert 'data-problem="schema"' in sent
    assert "/cXML/@timestamp" in sent


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"operation": "edit", "items": "|x|1"}, "must look like SKU|SPAID|quantity"),
        ({"operation": "edit", "items": "DEMO-0001||-2"}, "Quantity must be greater than zero"),
        ({"operation": "delete"}, "must be create, edit or inspect"),
    ],
)
def test_bad_template_input(
    admin: FlaskClient, db_session: Session, data: dict[str, str], message: str
) -> None:
    demo = str(partner_id(db_session, "demo-cxml"))
    page = admin.get(f"/tools/simulator?partner={demo}")
    answer = admin.post(
        "/tools/simulator",
        data={
            "partner": demo,
            "action": "template",
            "csrf_token": buyer.csrf_token(page.text),
            **data,
        },
    )
    assert answer.status_code == 400
    assert message in unescape(answer.text)


def test_edit_template_lists_items(admin: FlaskClient, db_session: Session) -> None:
    demo = str(partner_id(db_session, "demo-cxml"))
    document = document_of(
        simulate(
            admin,
            {
                "partner": demo,
                "operation": "inspect",
                "items": "DEMO-0001|aux-1|2\nDEMO-0002",
                "action": "template",
            },
        )
    )
    assert 'operation="inspect"' in document
    assert "<SupplierPartAuxiliaryID>aux-1</SupplierPartAuxiliaryID>" in document
    assert '<ItemOut quantity="1" lineNumber="2">' in document


def test_oci_partner_gets_a_login_form(admin: FlaskClient, db_session: Session) -> None:
    page = admin.get(f"/tools/simulator?partner={partner_id(db_session, 'demo-oci')}")
    assert 'data-simulator-form="oci"' in page.text
    assert 'name="USERNAME" value="demo-oci"' in page.text
    assert 'name="HOOK_URL" value="http://localhost/tools/simulator/receive?' in page.text


def test_unknown_partner_and_cart(admin: FlaskClient) -> None:
    assert admin.get("/tools/simulator?partner=999999").status_code == 404
    assert admin.get("/tools/simulator?cart=nope").status_code == 404


def test_a_broken_cart_is_shown_with_every_problem(simulator_app: Flask) -> None:
    document = b"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="x@y" timestamp="2024-05-01T10:00:00+02:00">
  <Header/>
  <Message><PunchOutOrderMessage><BuyerCookie>c</BuyerCookie>
    <PunchOutOrderMessageHeader operationAllowed="edit"><Total><Money currency="EUR">5</Money>
    </Total></PunchOutOrderMessageHeader>
    <ItemIn quantity="1"><ItemID><SupplierPartID>A</SupplierPartID></ItemID><ItemDetail>
      <UnitPrice><Money currency="EUR">2</Money></UnitPrice>
      <Description xml:lang="en">a</Description><UnitOfMeasure>EA</UnitOfMeasure>
      <Classification domain="UNSPSC">1</Classification></ItemDetail></ItemIn>
  </PunchOutOrderMessage></Message>
</cXML>"""
    answer = simulator_app.test_client().post(
        "/tools/simulator/receive", data={"cxml-base64": base64.b64encode(document).decode()}
    )
    assert "Total is 5 but the ItemIn lines add up to 2" in answer.text
    assert 'data-problem="schema"' in answer.text  # the empty Header, by our XSD
    assert ('data-problem="dtd"' in answer.text) == (official_dtd_dir() is not None)
    assert "data-raw-document" in answer.text


def test_oci_field_checks() -> None:
    good = ReturnedItem(
        index=1,
        fields={
            "DESCRIPTION": "Pen",
            "QUANTITY": "2",
            "UNIT": "ST",
            "PRICE": "0.85",
            "CURRENCY": "EUR",
            "PRICEUNIT": "1",
        },
    )
    assert check_oci_return(OCIReturn(items=(good,))) == []
    bad = ReturnedItem(
        index=2,
        fields={
            "DESCRIPTION": "x" * 41,
            "QUANTITY": "1,000.5",
            "PRICE": "1.2345",
            "PRICEUNIT": "1.5",
        },
    )
    assert check_oci_return(OCIReturn(items=(bad,))) == [
        "item 2: DESCRIPTION is 41 characters (at most 40)",
        "item 2: UNIT is required without MATNR",
        "item 2: QUANTITY must be 11.3 digits with a point, no grouping",
        "item 2: PRICE must be 11.3 digits with a point, no grouping",
        "item 2: PRICEUNIT must be a whole number",
        "item 2: CURRENCY (ISO 4217) is required with PRICE",
    ]


def test_an_oci_cart_is_checked_field_by_field(simulator_app: Flask) -> None:
    client = simulator_app.test_client()
    hook = "http://localhost/tools/simulator/receive?~OkCode=ADDI"
    launch = client.get(
        "/oci", query_string={"USERNAME": "demo-oci", "PASSWORD": "demo", "HOOK_URL": hook}
    )
    assert launch.status_code == 302
    client.get(launch.location)
    product = client.get("/products/DEMO-0001")
    client.post(
        "/cart/items",
        data={"sku": "DEMO-0001", "quantity": "2", "csrf_token": buyer.csrf_token(product.text)},
    )
    cart = client.get("/cart")
    returned = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    fields = buyer.read_forms(returned.text)[0]["fields"]
    received = client.post("/tools/simulator/receive", data=dict(fields))
    assert received.status_code == 200
    assert 'data-sku="DEMO-0001"' in received.text
    assert 'data-problems="0"' in received.text
    broken = {**dict(fields), "NEW_ITEM-UNIT[1]": "PIECE"}
    checked = client.post("/tools/simulator/receive", data=broken)
    assert "item 1: UNIT is 5 characters (at most 3)" in checked.text
