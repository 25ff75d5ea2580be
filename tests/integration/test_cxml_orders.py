"""OrderRequest intake through POST /cxml: new, update, delete, duplicates and bad input."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.cxml import OrderRequestType
from gateway.models import (
    BuyerOrder,
    BuyerOrderVersion,
    Cart,
    Order,
    Organisation,
    PartnerOrderSettings,
    Product,
    ReceivedDocument,
    TradingPartner,
)
from gateway.services.catalog import pricing
from tests import buyer
from tests.buyer import add_to_cart
from tests.integration.test_cxml_punchout import post_cxml, punch_in, transfer
from tests.paths import FIXTURES

VALID = FIXTURES / "cxml" / "valid" / "order_request"
UPDATE = OrderRequestType.UPDATE
DELETE = OrderRequestType.DELETE


def send(client: FlaskClient, body: bytes) -> tuple[int, str]:
    return buyer.status_of(post_cxml(client, body))


def orders(session: Session, po_number: str = "PO-1001") -> list[Order]:
    session.expire_all()
    return list(session.scalars(select(Order).where(Order.buyer_reference == po_number)))


def counts(session: Session) -> tuple[int, int, int, int]:
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Order, ReceivedDocument, BuyerOrder, BuyerOrderVersion)
    )


def test_new_order_is_stored_with_everything_the_buyer_sent(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(
        items=(("DEMO-0001", None, "2", "0.77"), ("DEMO-0002", "aux-7", "1.5", "0.94")),
        payload_id="po-1@buyer.example",
    )
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session)
    assert (order.source, order.status, order.currency) == ("cxml", "received", "EUR")
    assert order.net_total == Decimal("2.95")
    assert order.ship_to is not None
    assert order.ship_to["city"] == "Amsterdam"
    assert order.bill_to is not None
    assert order.bill_to["name"] == "Acme Municipality"
    assert order.comment == "Deliver to the back door"
    assert str(order.requested_delivery_date) == "2026-12-01"
    assert [(line.line_number, line.sku, line.aux_id, line.quantity) for line in order.lines] == [
        (1, "DEMO-0001", None, Decimal(2)),
        (2, "DEMO-0002", "aux-7", Decimal("1.5")),
    ]
    assert [change.status for change in order.history] == ["received"]
    link = db_session.scalars(select(BuyerOrder).where(BuyerOrder.order_id == order.id)).one()
    assert (link.buyer_order_id, link.order_version, link.payload_id) == (
        "PO-1001",
        1,
        "po-1@buyer.example",
    )
    assert link.extrinsics == [{"name": "CostCenter", "value": "4711"}]
    assert [v.request_type for v in link.versions] == ["new"]


def test_asynchronous_partner_gets_201(client: FlaskClient, db_session: Session) -> None:
    partner = db_session.scalars(select(TradingPartner).where(TradingPartner.name == "demo-cxml"))
    db_session.add(PartnerOrderSettings(partner_id=partner.one().id, async_acknowledgement=True))
    db_session.commit()
    body = buyer.order_request()
    assert send(client, body) == (201, "Accepted")
    assert send(client, body) == (201, "Accepted")
    assert len(orders(db_session)) == 1


def test_same_payload_id_and_body_replays_the_status(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(payload_id="po-2@buyer.example")
    first = send(client, body)
    before = counts(db_session)
    assert send(client, body) == first == (200, "OK")
    assert counts(db_session) == before
    assert len(orders(db_session)) == 1


def test_same_payload_id_with_another_body_is_409(client: FlaskClient, db_session: Session) -> None:
    assert send(client, buyer.order_request(payload_id="po-3@buyer.example"))[0] == 200
    before = counts(db_session)
    other = buyer.order_request(payload_id="po-3@buyer.example", order_id="PO-OTHER")
    code, text = send(client, other)
    assert code == 409
    assert text.startswith(  # the rule, its window and our clock, for the buyer's integrator
        "Conflict: /cXML/@payloadID already used for a different document: an OrderRequest may "
        "be re-sent only unchanged, a changed one needs a new payloadID (payloadIDs are "
        "remembered without time limit; our clock read "
    )
    assert re.search(r"our clock read \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00\)$", text)
    assert counts(db_session) == before
    assert orders(db_session, "PO-OTHER") == []


def test_resent_order_under_a_new_payload_id_creates_no_second_order(
    client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request())[0] == 200
    assert send(client, buyer.order_request()) == (200, "OK")
    assert len(orders(db_session)) == 1


def test_known_order_id_with_other_content_is_409(client: FlaskClient, db_session: Session) -> None:
    assert send(client, buyer.order_request())[0] == 200
    code, text = send(client, buyer.order_request(items=(("DEMO-0001", None, "5", "0.77"),)))
    assert code == 409
    assert "orderID" in text
    [order] = orders(db_session)
    assert [line.quantity for line in order.lines] == [Decimal(2)]


def test_update_replaces_the_content_and_keeps_the_versions(
    client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request(payload_id="po-4@buyer.example"))[0] == 200
    update = buyer.order_request(
        items=(("DEMO-0002", None, "3", "0.94"),),
        request_type=UPDATE,
        reference="po-4@buyer.example",
        version=2,
    )
    assert send(client, update) == (200, "OK")
    [order] = orders(db_session)
    assert [(line.sku, line.quantity) for line in order.lines] == [("DEMO-0002", Decimal(3))]
    assert order.net_total == Decimal("2.82")
    link = db_session.scalars(select(BuyerOrder).where(BuyerOrder.order_id == order.id)).one()
    assert link.order_version == 2
    assert [(v.request_type, v.order_version) for v in link.versions] == [
        ("new", 1),
        ("update", 2),
    ]
    assert link.versions[0].content["items"][0]["item_id"]["supplier_part_id"] == "DEMO-0001"
    stale = buyer.order_request(request_type=UPDATE, reference="po-4@buyer.example", version=2)
    assert send(client, stale)[0] == 409


def test_delete_cancels_and_closes_the_order(client: FlaskClient, db_session: Session) -> None:
    assert send(client, buyer.order_request(payload_id="po-5@buyer.example"))[0] == 200
    delete = buyer.order_request(request_type=DELETE, reference="po-5@buyer.example")
    assert send(client, delete) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "cancelled"
    assert [change.status for change in order.history] == ["received", "cancelled"]
    before = counts(db_session)
    code, text = send(
        client, buyer.order_request(request_type=UPDATE, reference="po-5@buyer.example")
    )
    assert code == 409
    assert "cancelled" in text
    assert counts(db_session) == before


@pytest.mark.parametrize(
    "case",
    [
        (None, "PO-1001", 400, "DocumentReference is required"),
        ("nobody@buyer.example", "PO-1001", 417, "DocumentReference/@payloadID"),
        ("po-6@buyer.example", "PO-9999", 400, "orderID"),
    ],
    ids=["no-reference", "unknown-reference", "other-order-id"],
)
@pytest.mark.parametrize("kind", [UPDATE, DELETE])
def test_changes_must_reference_a_known_order(
    client: FlaskClient, db_session: Session, kind: OrderRequestType, case: tuple
) -> None:
    reference, order_id, code, words = case
    assert send(client, buyer.order_request(payload_id="po-6@buyer.example"))[0] == 200
    before = counts(db_session)
    answer = send(
        client, buyer.order_request(request_type=kind, reference=reference, order_id=order_id)
    )
    assert answer[0] == code
    assert words in answer[1]
    assert counts(db_session) == before
    assert orders(db_session)[0].status == "received"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"currency": "USD"}, "OrderRequestHeader/Total/Money/@currency"),
        ({"unit": "BX"}, "ItemOut lineNumber 1: UnitOfMeasure must be EA"),
        ({"items": (("DEMO-0001", None, "1", "0.77001"),)}, "ItemOut lineNumber 1: UnitPrice"),
        ({"items": (("DEMO-0001", None, "1.0001", "1"),)}, "ItemOut lineNumber 1: quantity"),
    ],
)
def test_unacceptable_orders_are_refused_with_400(
    client: FlaskClient, db_session: Session, changes: dict, words: str
) -> None:
    before = counts(db_session)
    code, text = send(client, buyer.order_request(**changes))
    assert code == 400
    assert words in text
    assert counts(db_session) == before


def test_wrong_secret_is_401_and_creates_nothing(client: FlaskClient, db_session: Session) -> None:
    before = counts(db_session)
    assert send(client, buyer.order_request(secret="wrong-secret"))[0] == 401
    assert counts(db_session) == before


def test_refused_order_can_be_corrected_under_the_same_payload_id(
    client: FlaskClient, db_session: Session
) -> None:
    refused = buyer.order_request(payload_id="po-7@buyer.example", currency="USD")
    assert send(client, refused)[0] == 400
    assert send(client, buyer.order_request(payload_id="po-7@buyer.example"))[0] == 200
    assert len(orders(db_session)) == 1


def test_spaid_is_traced_back_to_the_punchout_cart(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0003", "2")
    _, message, _ = transfer(client)
    [item] = message.items
    aux = item.item_id.supplier_part_auxiliary_id
    price = str(item.detail.unit_price.amount)
    body = buyer.order_request(items=(("DEMO-0003", aux, "2", price),))
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session)
    assert order.lines[0].aux_id == aux
    link = db_session.scalars(select(BuyerOrder).where(BuyerOrder.order_id == order.id)).one()
    cart = db_session.scalars(select(Cart).where(Cart.punchout_session_id.is_not(None))).first()
    assert cart is not None
    assert link.punchout_session_id == cart.punchout_session_id
    wrong = buyer.order_request(order_id="PO-2", items=(("DEMO-0004", aux, "1", "3.36"),))
    code, text = send(client, wrong)
    assert (code, "belongs to another part" in text) == (400, True)


def test_lines_without_item_detail_get_the_customer_price(
    client: FlaskClient, db_session: Session
) -> None:
    fixture = (VALID / "zoneless_order_date_no_line_numbers.xml").read_bytes()
    customer = db_session.scalars(select(Organisation).where(Organisation.number == "1001")).one()
    pen = db_session.scalars(select(Product).where(Product.sku == "DEMO-0002")).one()
    price = pricing.unit_price(db_session, customer, pen, Decimal(1))
    total = Decimal("1.54") + pricing.line_total(price, Decimal(1))
    body = fixture.replace(b">2.48<", f">{total}<".encode())
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session, "PO-77")
    assert order.status == "received"
    assert [(line.line_number, line.unit_price) for line in order.lines] == [
        (1, Decimal("0.77")),
        (2, price),
    ]
    assert order.ship_to is not None
    assert order.ship_to["phone"] == "31 10 5550100"


def test_a_line_number_used_twice_is_refused(client: FlaskClient, db_session: Session) -> None:
    fixture = (VALID / "zoneless_order_date_no_line_numbers.xml").read_bytes()
    body = fixture.replace(b'<ItemOut quantity="1">', b'<ItemOut quantity="1" lineNumber="1">')
    before = counts(db_session)
    code, text = send(client, body)
    assert (code, "ItemOut lineNumber 1: lineNumber used twice" in text) == (400, True)
    assert counts(db_session) == before


@pytest.mark.parametrize(
    ("quantity", "price", "answer"),
    [
        ("2.000", "0.7700", (200, "OK")),  # trailing zeros are no decimals
        ("2.0005", "0.77", (400, "ItemOut lineNumber 1: quantity has more than 3 decimals")),
        ("2", "0.77001", (400, "UnitPrice must be positive with at most 4 decimals")),
    ],
)
def test_a_lines_quantity_may_have_3_decimals_and_its_price_4(
    client: FlaskClient, quantity: str, price: str, answer: tuple[int, str]
) -> None:
    body = buyer.order_request(items=(("DEMO-0001", None, quantity, price),), total="1.54")
    code, text = send(client, body)
    assert code == answer[0]
    assert answer[1] in text
