"""OrderRequests checked against the customer's prices and assortment (issue 16 §2): held,
refused or accepted per partner, with their problems recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.cxml import OrderRequestType
from gateway.models import (
    Order,
    OrderProblem,
    OutboxMessage,
    PriceList,
    PriceListItem,
    Product,
    price_list_assignment,
)
from gateway.services.ordering.price_check import Problem, problems_of
from gateway.services.partners.order_settings import configure
from tests import buyer
from tests.buyer import add_to_cart
from tests.factories import customer, make_product
from tests.integration.test_cxml_orders import counts, orders, send
from tests.integration.test_cxml_punchout import punch_in, transfer

# Demo customer 1001 pays for DEMO-0001 (list price 0.85) its contract price 0.77, and 0.69
# from 10 pieces; DEMO-0002 (0.94) has no contract price; ACME-0001 (3.60) is on its framework
# contract at 3.20, from 50 at 2.90.


def policy(session: Session, name: str, tolerance: str | None = None) -> None:
    configure(
        session,
        partner_name="demo-cxml",
        order_price_policy=name,
        order_price_tolerance=None if tolerance is None else Decimal(tolerance),
    )
    session.commit()


def problems(session: Session, order: Order) -> list[Problem]:
    return problems_of(session, [order.id]).get(order.id, [])


def test_a_line_at_zero_is_held_with_the_expected_price(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(items=(("DEMO-0001", None, "2", "0.00"),))
    assert send(client, body) == (200, "OK")  # the document was received
    [order] = orders(db_session)
    assert order.status == "on_hold"
    assert [change.status for change in order.history] == ["on_hold"]
    [problem] = problems(db_session, order)
    assert (problem.kind, problem.line_number, problem.sku) == ("price", 1, "DEMO-0001")
    assert (problem.expected, problem.received) == (Decimal("0.77"), Decimal(0))
    assert order.net_total == Decimal(0)  # stored as sent, for staff to judge
    assert db_session.scalars(select(OutboxMessage)).all() == []  # nothing confirmed


def test_a_product_outside_the_assortment_is_held(client: FlaskClient, db_session: Session) -> None:
    outside = make_product(db_session, catalog=None, list_price=Decimal("5.00"))
    db_session.commit()
    body = buyer.order_request(
        items=(("DEMO-0001", None, "2", "0.77"), (outside.sku, None, "1", "5.00"))
    )
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "on_hold"
    [problem] = problems(db_session, order)
    assert (problem.kind, problem.line_number, problem.sku) == (
        "not_in_assortment",
        2,
        outside.sku,
    )
    assert problem.expected == Decimal("5.00")


def test_an_unknown_product_and_a_wrong_total_are_held_as_problems(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(
        items=(("DEMO-0001", None, "2", "0.77"), ("NO-SUCH", None, "1", "1.00")), total="9.99"
    )
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "on_hold"
    assert [(line.sku, line.product_id) for line in order.lines][1] == ("NO-SUCH", None)
    assert [
        (p.kind, p.line_number, p.expected, p.received) for p in problems(db_session, order)
    ] == [
        ("unknown_product", 2, None, Decimal("1.00")),
        ("total", None, Decimal("2.54"), Decimal("9.99")),
    ]
    assert order.net_total == Decimal("2.54")  # the lines' sum, not the buyer's Total


@pytest.mark.parametrize(
    ("sku", "catalog", "words"),
    [
        (
            "DEMO-0001",
            "Standard assortment",
            "ItemOut lineNumber 1: UnitPrice 0.00 for DEMO-0001, expected 0.77",
        ),
        ("OUTSIDE", None, "is not in this customer's assortment (our price 5.00)"),
    ],
)
def test_under_reject_both_are_refused_with_400_naming_line_and_price(
    client: FlaskClient, db_session: Session, sku: str, catalog: str | None, words: str
) -> None:
    if sku == "OUTSIDE":
        sku = make_product(db_session, catalog=catalog, list_price=Decimal("5.00")).sku
        price = "5.00"
    else:
        price = "0.00"
    policy(db_session, "reject")
    before = counts(db_session)
    code, text = send(client, buyer.order_request(items=((sku, None, "2", price),)))
    assert code == 400
    assert words in text
    assert counts(db_session) == before  # nothing stored as an order
    assert db_session.scalars(select(OrderProblem)).all() == []


def test_under_reject_an_unknown_product_and_a_wrong_total_are_refused(
    client: FlaskClient, db_session: Session
) -> None:
    policy(db_session, "reject")
    unknown = buyer.order_request(
        items=(("DEMO-0001", None, "1", "0.77"), ("NO-SUCH", None, "1", "1"))
    )
    assert send(client, unknown)[0] == 400
    assert "ItemOut lineNumber 2: unknown SupplierPartID NO-SUCH" in send(client, unknown)[1]
    code, text = send(client, buyer.order_request(total="99.00"))
    assert (
        code,
        "OrderRequestHeader/Total: does not equal the sum of the lines (1.54)" in text,
    ) == (
        400,
        True,
    )
    assert orders(db_session) == []


def test_under_accept_the_order_is_received_with_its_problems(
    client: FlaskClient, db_session: Session
) -> None:
    policy(db_session, "accept")
    outside = make_product(db_session, catalog=None)
    db_session.commit()
    body = buyer.order_request(
        items=(("DEMO-0001", None, "2", "0.00"), (outside.sku, None, "1", "10.00"))
    )
    assert send(client, body) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "received"
    assert [(p.kind, p.line_number) for p in problems(db_session, order)] == [
        ("price", 1),
        ("not_in_assortment", 2),
    ]


@pytest.mark.parametrize(
    "items",
    [
        (("DEMO-0001", None, "2", "0.77"),),  # the contract price
        (("DEMO-0001", None, "10", "0.69"),),  # the contract's tier from 10
        (("ACME-0001", None, "50", "2.90"), ("DEMO-0002", None, "1", "0.94")),  # framework, list
        (("DEMO-0001", None, "2", "0.7750"),),  # within the tolerance of 0.01
    ],
    ids=["contract", "tier", "framework-and-list", "tolerance"],
)
def test_a_matching_order_stays_received_without_problems(
    client: FlaskClient, db_session: Session, items: tuple
) -> None:
    assert send(client, buyer.order_request(items=items)) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "received"
    assert problems(db_session, order) == []


def test_the_tolerance_is_the_partners(client: FlaskClient, db_session: Session) -> None:
    policy(db_session, "hold", tolerance="0.10")
    assert send(client, buyer.order_request(items=(("DEMO-0001", None, "2", "0.85"),)))[0] == 200
    assert orders(db_session)[0].status == "received"  # 0.08 off, within 0.10
    body = buyer.order_request(order_id="PO-2", items=(("DEMO-0001", None, "2", "0.88"),))
    assert send(client, body)[0] == 200
    assert orders(db_session, "PO-2")[0].status == "on_hold"  # 0.11 off


def test_the_price_is_the_one_valid_on_the_order_date(
    client: FlaskClient, db_session: Session
) -> None:
    pen = db_session.scalars(select(Product).where(Product.sku == "DEMO-0001")).one()
    contract = PriceList(name="2027 contract", currency="EUR", valid_from=date(2027, 1, 1))
    db_session.add(contract)
    db_session.flush()
    db_session.add(
        PriceListItem(
            price_list_id=contract.id,
            product_id=pen.id,
            min_quantity=Decimal(1),
            unit_price=Decimal("0.50"),
        )
    )
    db_session.execute(
        price_list_assignment.insert().values(
            organisation_id=customer(db_session).id, price_list_id=contract.id
        )
    )
    db_session.commit()
    items = (("DEMO-0001", None, "2", "0.50"),)
    before = buyer.order_request(order_id="PO-2026", items=items)  # dated 2026-11-27
    after = buyer.order_request(order_id="PO-2027", items=items).replace(
        b'orderDate="2026-11-27', b'orderDate="2027-01-04'
    )
    assert send(client, before)[0] == send(client, after)[0] == 200
    assert orders(db_session, "PO-2026")[0].status == "on_hold"
    assert orders(db_session, "PO-2027")[0].status == "received"


def test_the_punchout_cart_price_is_accepted_by_its_spaid(
    client: FlaskClient, db_session: Session
) -> None:
    """A cart of 10 pens got the tier price 0.69; the PO orders 5 of them at that price, which
    the customer's price for 5 (0.77) would not allow."""
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0001", "10")
    _, message, _ = transfer(client)
    [item] = message.items
    assert item.detail.unit_price.amount == Decimal("0.69")
    aux = item.item_id.supplier_part_auxiliary_id
    assert send(client, buyer.order_request(items=(("DEMO-0001", aux, "5", "0.69"),)))[0] == 200
    [order] = orders(db_session)
    assert (order.status, problems(db_session, order)) == ("received", [])
    stranger = buyer.order_request(order_id="PO-2", items=(("DEMO-0001", "aux-x", "5", "0.69"),))
    assert send(client, stranger)[0] == 200
    [held] = orders(db_session, "PO-2")
    assert [(p.kind, p.expected) for p in problems(db_session, held)] == [
        ("price", Decimal("0.77"))
    ]


def test_an_update_rechecks_a_held_order_and_a_delete_cancels_it(
    client: FlaskClient, db_session: Session
) -> None:
    first = buyer.order_request(
        payload_id="po-h1@buyer.example", items=(("DEMO-0001", None, "2", "0.01"),)
    )
    assert send(client, first)[0] == 200
    [order] = orders(db_session)
    assert order.status == "on_hold"
    update = buyer.order_request(
        request_type=OrderRequestType.UPDATE, reference="po-h1@buyer.example", version=2
    )
    assert send(client, update) == (200, "OK")
    [order] = orders(db_session)
    assert (order.status, problems(db_session, order)) == ("received", [])
    worse = buyer.order_request(
        request_type=OrderRequestType.UPDATE,
        reference="po-h1@buyer.example",
        version=3,
        items=(("DEMO-0002", None, "1", "0.10"),),
    )
    assert send(client, worse) == (200, "OK")
    [order] = orders(db_session)
    assert order.status == "on_hold"
    assert [(p.sku, p.expected) for p in problems(db_session, order)] == [
        ("DEMO-0002", Decimal("0.94"))
    ]
    delete = buyer.order_request(
        request_type=OrderRequestType.DELETE, reference="po-h1@buyer.example"
    )
    assert send(client, delete) == (200, "OK")
    assert send(client, delete) == (200, "OK")  # the stored Status, replayed
    [order] = orders(db_session)
    assert [change.status for change in order.history] == [
        "on_hold",
        "received",
        "on_hold",
        "cancelled",
    ]


def test_a_held_order_resent_under_a_new_payload_id_is_the_same_order(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(items=(("DEMO-0001", None, "2", "0.00"),))
    assert send(client, body)[0] == send(client, body)[0] == 200
    [order] = orders(db_session)
    assert order.status == "on_hold"
    assert len(problems(db_session, order)) == 1


def test_under_reject_an_update_with_problems_changes_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request(payload_id="po-r1@buyer.example"))[0] == 200
    policy(db_session, "reject")
    update = buyer.order_request(
        request_type=OrderRequestType.UPDATE,
        reference="po-r1@buyer.example",
        version=2,
        items=(("DEMO-0001", None, "3", "0.00"),),
    )
    before = counts(db_session)
    assert send(client, update)[0] == 400
    assert counts(db_session) == before
    [order] = orders(db_session)
    assert (order.status, [line.quantity for line in order.lines]) == ("received", [Decimal(2)])


def test_a_total_too_large_to_record_is_refused(client: FlaskClient, db_session: Session) -> None:
    before = counts(db_session)
    code, text = send(client, buyer.order_request(total="123456789012345678.00"))
    assert code == 400
    assert "OrderRequestHeader/Total/Money: may have at most 14 digits before the point" in text
    assert counts(db_session) == before
