"""The order desk: staff confirm, ship and invoice orders in the browser's forms; every action is
audited, refused in the wrong state, and a cXML order's buyer gets valid documents."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.cxml.hardened_xml import parse_xml
from gateway.models import (
    AuditEntry,
    Invoice,
    Order,
    OrderLine,
    Organisation,
    OutboxMessage,
    Shipment,
)
from gateway.services import demo_orders
from tests import buyer, staff
from tests.cxml_checks import assert_valid_cxml
from tests.factories import user_named
from tests.integration.test_cxml_orders import orders, send

SERVICE = "service@supplier.demo"


@pytest.fixture
def cxml_order(client: FlaskClient, db_session: Session) -> Order:
    """A received cXML order of customer 1001: line 1 two pieces, line 2 three."""
    items = (("DEMO-0001", None, "2", "0.77"), ("DEMO-0001", None, "3", "0.77"))
    assert send(client, buyer.order_request(order_id="PO-DESK-1", items=items))[0] == 200
    [order] = orders(db_session, "PO-DESK-1")
    assert order.status == "received"
    return order


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
    page = client.get(path.rsplit("/", 1)[0])
    answer = client.post(path, data={**(data or {}), "csrf_token": buyer.csrf_token(page.text)})
    if answer.status_code == 302:
        return 302, client.get(answer.headers["Location"]).text
    return answer.status_code, answer.text


def outbox(session: Session, order: Order) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.order_id == order.id)
            .order_by(OutboxMessage.id)
        )
    )


def test_confirm_ship_and_invoice_a_cxml_order_with_valid_documents(
    client: FlaskClient, db_session: Session, cxml_order: Order
) -> None:
    staff.log_in(client, SERVICE)
    listing = client.get("/staff/orders?source=cxml&q=desk-1")
    assert f'data-order-number="{cxml_order.number}"' in listing.text
    assert 'data-order-status="received"' in listing.text
    base = f"/staff/orders/{cxml_order.number}"
    page = client.get(base)
    assert 'data-action="confirm"' in page.text
    assert 'data-action="invoice"' not in page.text
    assert 'data-document-type="OrderRequest"' in page.text  # the trail: what came in

    code, text = post(client, f"{base}/confirm")
    assert code == 302, text
    assert 'data-order-status="confirmed"' in text
    code, text = post(client, f"{base}/confirm")  # no double confirmation
    assert code == 400
    assert "confirmed; it cannot be confirmed" in text
    code, text = post(client, f"{base}/invoice")  # no invoice before shipment
    assert code == 400
    assert "nothing has been shipped" in text

    code, text = post(client, f"{base}/ship", {"carrier": "PostNL", "tracking_number": "3SABC123"})
    assert code == 302, text
    assert 'data-order-status="shipped"' in text
    assert 'data-tracking-number="3SABC123"' in text
    code, text = post(client, f"{base}/invoice")
    assert code == 302, text
    assert 'data-order-status="invoiced"' in text

    documents = outbox(db_session, cxml_order)
    assert [m.document_type for m in documents] == [
        "ConfirmationRequest",
        "ShipNoticeRequest",
        "InvoiceDetailRequest",
    ]
    confirmation, notice, invoice = documents
    assert_valid_cxml(confirmation.body, "Fulfill.dtd")
    assert_valid_cxml(notice.body, "Fulfill.dtd")
    assert_valid_cxml(invoice.body, "InvoiceDetail.dtd")
    assert b"3SABC123" in notice.body
    assert b"PostNL" in notice.body
    root = parse_xml(invoice.body)
    assert root.findtext(".//InvoiceDetailSummary/SubtotalAmount/Money") == "3.85"
    assert root.findtext(".//InvoiceDetailSummary/NetAmount/Money") == "4.66"  # 21 % VAT
    assert root.find(".//OrderReference").get("orderID") == "PO-DESK-1"
    audit = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == cxml_order.number)
    ).all()
    assert audit == ["order.confirm", "order.ship", "order.invoice"]
    page = client.get(base)
    assert 'data-document-type="InvoiceDetailRequest"' in page.text
    assert "/admin/messages/" not in page.text or 'data-direction="in"' in page.text


def test_confirm_with_changes_and_partial_shipments(
    client: FlaskClient, db_session: Session, cxml_order: Order
) -> None:
    staff.log_in(client, SERVICE)
    base = f"/staff/orders/{cxml_order.number}"
    code, text = post(
        client,
        f"{base}/confirm",
        {"quantity_1": "1", "price_2": "0.70", "delivery_date_2": "2026-12-20"},
    )
    assert code == 302, text
    [detail] = outbox(db_session, cxml_order)
    assert_valid_cxml(detail.body, "Fulfill.dtd")
    assert b'type="detail"' in detail.body
    assert b'type="backordered"' in detail.body
    assert b"0.70" in detail.body

    code, text = post(
        client,
        f"{base}/ship",
        {"carrier": "DHL", "tracking_number": "JD1", "quantity_1": "1", "quantity_2": "3"},
    )
    assert code == 302, text
    assert 'data-order-status="partially_shipped"' in text
    code, text = post(
        client, f"{base}/ship", {"carrier": "DHL", "tracking_number": "JD2", "quantity_1": "5"}
    )
    assert code == 400
    assert "Line 1: ship more than 0 and at most the 1" in text
    code, text = post(client, f"{base}/invoice")  # line 1: 1 at 0.77, line 2: 3 at 0.70
    assert code == 302, text
    db_session.expire_all()
    first = db_session.scalars(select(Invoice).where(Invoice.order_id == cxml_order.id)).one()
    assert first.net_total == Decimal("2.87")
    code, text = post(client, f"{base}/ship", {"carrier": "DHL", "tracking_number": "JD2"})
    assert code == 302, text
    assert 'data-order-status="shipped"' in text
    code, text = post(client, f"{base}/invoice")
    assert code == 302, text
    assert 'data-order-status="invoiced"' in text
    shipments = db_session.scalars(select(Shipment).where(Shipment.order_id == cxml_order.id))
    assert [s.tracking_number for s in shipments] == ["JD1", "JD2"]
    types = [m.document_type for m in outbox(db_session, cxml_order)]
    assert types.count("ShipNoticeRequest") == 2
    assert types.count("InvoiceDetailRequest") == 2
    for message in outbox(db_session, cxml_order):
        if message.document_type == "InvoiceDetailRequest":
            assert_valid_cxml(message.body, "InvoiceDetail.dtd")


def test_held_orders_are_released_or_rejected_from_the_desk(
    client: FlaskClient, db_session: Session
) -> None:
    for po in ("PO-HOLD-1", "PO-HOLD-2"):
        items = (("DEMO-0001", None, "2", "0.01"),)
        assert send(client, buyer.order_request(order_id=po, items=items))[0] == 200
    [first], [second] = orders(db_session, "PO-HOLD-1"), orders(db_session, "PO-HOLD-2")
    staff.log_in(client, SERVICE)
    listing = client.get("/staff/orders?status=on_hold")
    assert f'data-order-number="{first.number}"' in listing.text
    assert 'data-order-status="received"' not in listing.text
    code, text = post(client, f"/staff/orders/{first.number}/release")
    assert code == 302
    assert 'data-order-status="received"' in text
    code, text = post(client, f"/staff/orders/{second.number}/reject", {"reason": " "})
    assert code == 400
    assert "reason" in text
    code, text = post(client, f"/staff/orders/{second.number}/reject", {"reason": "prices"})
    assert code == 302
    assert 'data-order-status="rejected"' in text
    [rejection] = outbox(db_session, second)
    assert b'type="reject"' in rejection.body
    code, text = post(client, f"/staff/orders/{second.number}/release")
    assert code == 400
    assert "only an order on hold" in text


def test_sales_agents_see_their_customers_only_and_cannot_fulfil(
    client: FlaskClient, cxml_order: Order
) -> None:
    staff.log_in(client, "agent2@supplier.demo")  # agent of 1002
    assert cxml_order.number not in client.get("/staff/orders").text
    assert client.get(f"/staff/orders/{cxml_order.number}").status_code == 404
    client.get("/logout")
    staff.log_in(client, "agent@supplier.demo")  # agent of 1001: sees it, cannot act
    page = client.get(f"/staff/orders/{cxml_order.number}")
    assert page.status_code == 200
    assert "data-action=" not in page.text
    answer = client.post(
        f"/staff/orders/{cxml_order.number}/confirm",
        data={"csrf_token": buyer.csrf_token(client.get("/staff/orders").text)},
    )
    assert answer.status_code == 403


def test_customers_cannot_open_the_desk(client: FlaskClient) -> None:
    staff.log_in(client, "buyer@1001.demo")
    assert client.get("/staff/orders").status_code == 403
    assert client.get("/staff/orders.csv").status_code == 403


def test_exports_follow_the_filters(client: FlaskClient, cxml_order: Order) -> None:
    staff.log_in(client, SERVICE)
    answer = client.get("/staff/orders.csv?q=PO-DESK-1")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert [(r["number"], r["buyer_po_number"], r["source"], r["status"]) for r in rows] == [
        (cxml_order.number, "PO-DESK-1", "cxml", "received")
    ]
    assert Decimal(rows[0]["net_total"]) == Decimal("3.85")
    # VAT by our products' classes (the buyer's Tax is not trusted), included in the total
    assert Decimal(rows[0]["tax_total"]) > 0
    assert Decimal(rows[0]["total"]) == Decimal("3.85") + Decimal(rows[0]["tax_total"])
    lines = list(
        csv.DictReader(
            io.StringIO(
                client.get("/staff/orders.csv?q=PO-DESK-1&lines=1").data.decode("utf-8-sig")
            )
        )
    )
    assert [(r["line_number"], r["quantity"]) for r in lines] == [("1", "2"), ("2", "3")]
    book = load_workbook(io.BytesIO(client.get("/staff/orders.xlsx?q=PO-DESK-1").data))
    sheet = book["Orders"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("number", "buyer_po_number")
    assert values[1][:2] == (cxml_order.number, "PO-DESK-1")
    assert len(values) == 2
    none = client.get("/staff/orders.csv?q=no-such-order").data.decode("utf-8-sig")
    assert none.strip().count("\n") == 0  # the header only


def test_bad_filters_are_named_not_failed(client: FlaskClient) -> None:
    staff.log_in(client, SERVICE)
    page = client.get("/staff/orders?status=nonsense&date_from=2026-13-01&source=fax&page=x")
    assert page.status_code == 200
    assert "Unknown status" in page.text
    assert "Unknown source" in page.text
    assert "is not a date" in page.text


def test_orders_from_the_shop_go_through_the_same_steps_without_documents(
    client: FlaskClient, db_session: Session
) -> None:
    customer = db_session.scalars(select(Organisation).where(Organisation.number == "1002")).one()
    order = Order(
        number="S-DESK-1",
        organisation_id=customer.id,
        user_id=user_named(db_session, "buyer@1002.demo").id,
        source="shop",
        status="placed",
        currency="EUR",
        net_total=Decimal("10.00"),
        tax_total=Decimal("0.90"),
        buyer_reference="REF-9",
        lines=[
            OrderLine(
                line_number=1,
                sku="DEMO-0002",
                description="Article",
                unit="EA",
                quantity=Decimal(4),
                unit_price=Decimal("2.50"),
                net_amount=Decimal("10.00"),
                vat_rate=Decimal(9),
            )
        ],
    )
    db_session.add(order)
    db_session.commit()
    staff.log_in(client, SERVICE)
    listing = client.get("/staff/orders?source=shop&customer=1002")
    assert 'data-order-number="S-DESK-1"' in listing.text
    for action, data in (
        ("confirm", {}),
        ("ship", {"carrier": "PostNL", "tracking_number": "T-9"}),
        ("invoice", {}),
    ):
        code, text = post(client, f"/staff/orders/S-DESK-1/{action}", data)
        assert code == 302, text
    assert 'data-order-status="invoiced"' in text
    assert outbox(db_session, order) == []
    invoice = db_session.scalars(select(Invoice).where(Invoice.order_id == order.id)).one()
    assert (invoice.net_total, invoice.tax_total) == (Decimal("10.00"), Decimal("0.90"))
    assert invoice.vat_breakdown == [{"rate": "9", "base": "10.00", "vat": "0.90"}]


def test_demo_orders_fill_the_desk_in_every_state_once(
    client: FlaskClient, db_session: Session
) -> None:
    def states() -> dict[str, str]:
        db_session.expire_all()
        rows = db_session.execute(
            select(Order.buyer_reference, Order.status).where(
                Order.buyer_reference.startswith("PO-DEMO-")
            )
        )
        return {row.buyer_reference: row.status for row in rows}

    assert demo_orders.seed_orders(db_session)
    assert demo_orders.seed_orders(db_session)  # a second run adds nothing
    db_session.commit()
    assert states() == {
        "PO-DEMO-RECEIVED": "received",
        "PO-DEMO-ON-HOLD": "on_hold",
        "PO-DEMO-CONFIRMED": "confirmed",
        "PO-DEMO-SHIPPED": "shipped",
        "PO-DEMO-INVOICED": "invoiced",
    }
    staff.log_in(client, SERVICE)
    listing = client.get("/staff/orders?q=PO-DEMO-")
    for status in ("received", "on_hold", "confirmed", "shipped", "invoiced"):
        assert f'data-order-status="{status}"' in listing.text
    shipped = db_session.scalars(
        select(Order).where(Order.buyer_reference == "PO-DEMO-SHIPPED")
    ).one()
    page = client.get(f"/staff/orders/{shipped.number}")
    assert 'data-carrier="PostNL"' in page.text
    assert 'data-action="invoice"' in page.text


@pytest.mark.parametrize("value", ["1e100", "-1", "abc", "0.00001", "NaN", "Infinity"])
def test_unreadable_quantities_and_prices_are_named(
    client: FlaskClient, cxml_order: Order, value: str
) -> None:
    staff.log_in(client, SERVICE)
    base = f"/staff/orders/{cxml_order.number}"
    for action, field in (
        ("confirm", "price_1"),
        ("confirm", "quantity_2"),
        ("ship", "quantity_1"),
    ):
        data = {field: value, "carrier": "DHL", "tracking_number": "X"}
        code, text = post(client, f"{base}/{action}", data)
        assert code == 400, (action, field, value)
        assert "must be a number from 0" in text
    assert 'data-order-status="received"' in client.get(base).text


def test_a_held_orders_problems_are_shown_in_words(
    client: FlaskClient, db_session: Session
) -> None:
    items = (("DEMO-0001", None, "2", "0.01"),)
    assert send(client, buyer.order_request(order_id="PO-HOLD-3", items=items))[0] == 200
    [order] = orders(db_session, "PO-HOLD-3")
    staff.log_in(client, SERVICE)
    page = client.get(f"/staff/orders/{order.number}").text
    assert 'data-problem="price"' in page
    assert "the price differs from ours" in page
    assert 'data-action="release"' in page
    assert 'data-action="confirm"' not in page  # not before it is released


def test_the_order_page_says_status_source_and_direction_in_words(
    client: FlaskClient, cxml_order: Order
) -> None:
    staff.log_in(client, SERVICE)
    page = client.get(f"/staff/orders/{cxml_order.number}", headers={"Accept-Language": "nl"})
    text = page.text
    assert re.search(r"<dd data-status>\s*Ontvangen\s*</dd>", text), "status in words"
    assert "<dd data-source>Inkoopsysteem (cXML)</dd>" in text
    trail = text[text.index('data-document-type="OrderRequest"') :].split("</tr>")[0]
    assert "<td>Ontvangen</td>" in trail
