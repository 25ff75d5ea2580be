"""Customers' documents: the confirmation and invoice PDFs for the customer's users who may see
the order, in their language, with the supplier's details and VAT per rate; nobody else."""

from __future__ import annotations

import re
import zlib

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import Order
from gateway.punchout.settings import punchout_settings, supplier_party
from gateway.services.ordering import desk
from gateway.services.people.staff import staff_actor
from tests import buyer, staff
from tests.integration.test_cxml_orders import orders, send


@pytest.fixture
def invoiced(app: Flask, client: FlaskClient, db_session: Session) -> Order:
    """A cXML order of customer 1001 (PO-DOCS-1), confirmed, shipped and invoiced by staff."""
    items = (("DEMO-0001", None, "2", "0.77"),)
    assert send(client, buyer.order_request(order_id="PO-DOCS-1", items=items))[0] == 200
    [order] = orders(db_session, "PO-DOCS-1")
    actor = staff_actor(db_session, email="service@supplier.demo")
    settings = punchout_settings(app.config)
    desk.confirm(
        db_session, actor=actor, number=order.number, changes=[], settings=settings, now=utcnow()
    )
    desk.ship(
        db_session,
        actor=actor,
        number=order.number,
        carrier="PostNL",
        tracking_number="3SDOCS1",
        quantities=None,
        settings=settings,
        now=utcnow(),
    )
    desk.invoice(
        db_session,
        actor=actor,
        number=order.number,
        supplier=supplier_party(app.config),
        settings=settings,
        vat_rates=app.config["GATEWAY_VAT_RATES"],
        now=utcnow(),
    )
    db_session.commit()
    return order


def pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages (its content streams, inflated)."""
    assert data.startswith(b"%PDF-")
    texts = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        try:
            texts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            texts.append(stream.decode("latin-1"))
    return "\n".join(texts)


def test_the_customer_downloads_both_pdfs_in_their_language(
    client: FlaskClient, invoiced: Order
) -> None:
    staff.log_in(client, "superuser@1001.demo")
    page = client.get(f"/orders/{invoiced.id}")
    assert 'data-tracking-number="3SDOCS1"' in page.text
    assert 'data-carrier="PostNL"' in page.text
    assert f"/orders/{invoiced.number}/confirmation.pdf" in page.text
    assert f"/orders/{invoiced.number}/invoice.pdf" in page.text

    confirmation = client.get(f"/orders/{invoiced.number}/confirmation.pdf")
    assert confirmation.status_code == 200
    assert confirmation.mimetype == "application/pdf"
    text = pdf_text(confirmation.data)
    assert "PO-DOCS-1" in text
    assert invoiced.number in text
    assert "Demo Supplies B.V." in text  # GATEWAY_SUPPLIER_NAME's demo default
    assert "Order confirmation" in text

    invoice = client.get(f"/orders/{invoiced.number}/invoice.pdf")
    assert invoice.status_code == 200
    text = pdf_text(invoice.data)
    assert "PO-DOCS-1" in text
    assert "INV-" in text
    assert "NL000099998B57" in text  # the supplier's VAT number
    assert "VAT 21% over" in text
    assert "1.86" in text  # 1.54 plus 21 % VAT

    dutch = client.get(f"/orders/{invoiced.number}/invoice.pdf", headers={"Accept-Language": "nl"})
    text = pdf_text(dutch.data)
    assert "Factuur" in text
    assert "Uw inkoopordernummer" in text


def test_another_customer_and_colleagues_without_the_right_get_404(
    client: FlaskClient, invoiced: Order
) -> None:
    staff.log_in(client, "buyer@1002.demo")
    for document in ("confirmation.pdf", "invoice.pdf"):
        assert client.get(f"/orders/{invoiced.number}/{document}").status_code == 404
    client.get("/logout")
    staff.log_in(client, "buyer@1001.demo")  # same customer, not their order, no read_all
    assert client.get(f"/orders/{invoiced.number}/invoice.pdf").status_code == 404


def test_no_invoice_pdf_before_the_invoice(client: FlaskClient, db_session: Session) -> None:
    assert send(client, buyer.order_request(order_id="PO-DOCS-2"))[0] == 200
    [order] = orders(db_session, "PO-DOCS-2")
    staff.log_in(client, "superuser@1001.demo")
    assert client.get(f"/orders/{order.number}/confirmation.pdf").status_code == 404
    assert client.get(f"/orders/{order.number}/invoice.pdf").status_code == 404
    assert "data-fulfilment" not in client.get(f"/orders/{order.id}").text


def test_staff_open_the_same_documents(client: FlaskClient, invoiced: Order) -> None:
    staff.log_in(client, "service@supplier.demo")
    page = client.get(f"/staff/orders/{invoiced.number}")
    assert 'data-document="invoice"' in page.text
    answer = client.get(f"/staff/orders/{invoiced.number}/invoice.pdf")
    assert answer.status_code == 200
    assert "PO-DOCS-1" in pdf_text(answer.data)
    client.get("/logout")
    staff.log_in(client, "agent2@supplier.demo")  # sales agent of 1002 only
    assert client.get(f"/staff/orders/{invoiced.number}/invoice.pdf").status_code == 404
