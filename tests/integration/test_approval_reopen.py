"""A-8: after a rejection the order's lines go into a new cart at current prices."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.models import ApprovalDecision, Cart, CartLine, Order, PriceListItem, Product
from tests import shop
from tests.factories import make_user
from tests.integration.test_approvals import _client, _decide, _fill_cart, _place


def _rejected_order(app: Flask, session: Session, email: str = "requester@1001.demo") -> Order:
    client = _client(app, email)
    _fill_cart(client, ("DEMO-0081", "2"), ("DEMO-0082", "3"))
    assert _place(client).status_code == 302
    order = session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert order.status == "pending_approval"
    superuser = _client(app, "superuser@1001.demo")
    assert _decide(superuser, order, "reject", comment="Too many").status_code == 302
    session.refresh(order)
    assert order.status == "rejected"
    return order


def _reopen(client: FlaskClient, order: Order) -> TestResponse:
    return shop.post(client, f"/orders/{order.id}/reopen", {}, via=f"/orders/{order.id}")


def _snapshot(session: Session) -> tuple[int, int, int, int]:
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Cart, CartLine, Order, ApprovalDecision)
    )


def _set_price(session: Session, sku: str, price: str) -> None:
    product = session.scalars(select(Product).where(Product.sku == sku)).one()
    product.list_price = Decimal(price)
    session.execute(
        update(PriceListItem)
        .where(PriceListItem.product_id == product.id)
        .values(unit_price=Decimal(price))
    )
    session.commit()


def test_a_rejected_order_reopens_as_a_cart_at_current_prices_and_goes_to_approval_again(
    app: Flask, db_session: Session
) -> None:
    order = _rejected_order(app, db_session)
    requester = _client(app, "requester@1001.demo")
    page = requester.get(f"/orders/{order.id}").text
    assert f'action="/orders/{order.id}/reopen"' in page
    _set_price(db_session, "DEMO-0081", "7.25")
    retired = db_session.scalars(select(Product).where(Product.sku == "DEMO-0082")).one()
    retired.active = False
    db_session.commit()

    response = _reopen(requester, order)
    assert response.status_code == 200, response.text
    assert '<li data-sku="DEMO-0082">' in response.text  # left out, and said so
    assert "reopened as a cart" in response.text
    cart = db_session.scalars(
        select(Cart).where(Cart.status == "open", Cart.user_id == order.user_id)
    ).one()
    assert [(line.product.sku, line.quantity) for line in cart.lines] == [("DEMO-0081", Decimal(2))]

    assert _place(requester).status_code == 302
    new = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert new is not None
    assert new.id != order.id
    assert new.status == "pending_approval"
    assert [(line.sku, line.unit_price) for line in new.lines] == [("DEMO-0081", Decimal("7.25"))]
    superuser = _client(app, "superuser@1001.demo")
    assert f'data-order-id="{new.id}"' in superuser.get("/approvals").text
    db_session.refresh(order)
    assert order.status == "rejected"  # the old order stays as it was


def test_only_rejected_orders_reopen(app: Flask, db_session: Session) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0081", "1"))
    assert _place(requester).status_code == 302
    pending = db_session.scalars(select(Order)).one()
    before = _snapshot(db_session)
    response = _reopen(requester, pending)
    assert response.status_code == 400
    assert "Only a rejected order can be reopened" in response.text
    assert _snapshot(db_session) == before
    page = requester.get(f"/orders/{pending.id}").text
    assert f'action="/orders/{pending.id}/reopen"' not in page


def test_a_cart_with_lines_is_not_overwritten(app: Flask, db_session: Session) -> None:
    order = _rejected_order(app, db_session)
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0083", "1"))
    before = _snapshot(db_session)
    response = _reopen(requester, order)
    assert response.status_code == 400
    assert "Your cart is not empty" in response.text
    assert _snapshot(db_session) == before


def test_another_customers_order_is_not_found(app: Flask, db_session: Session) -> None:
    order = _rejected_order(app, db_session)
    before = _snapshot(db_session)
    stranger = _client(app, "superuser@1002.demo")
    assert _reopen(stranger, order).status_code == 404
    assert _snapshot(db_session) == before


def test_a_colleague_without_the_right_to_see_it_gets_not_found(
    app: Flask, db_session: Session
) -> None:
    order = _rejected_order(app, db_session)
    make_user(db_session, "colleague@1001.test", role="buyer")
    db_session.commit()
    before = _snapshot(db_session)
    assert _reopen(_client(app, "colleague@1001.test"), order).status_code == 404
    assert _snapshot(db_session) == before


def test_a_colleague_who_sees_it_reopens_it_into_their_own_cart(
    app: Flask, db_session: Session
) -> None:
    order = _rejected_order(app, db_session)
    superuser = _client(app, "superuser@1001.demo")
    assert _reopen(superuser, order).status_code == 200
    cart = db_session.scalars(select(Cart).where(Cart.status == "open")).one()
    assert cart.user_id != order.user_id
    assert sorted(line.product.sku for line in cart.lines) == ["DEMO-0081", "DEMO-0082"]


def test_reopening_needs_the_csrf_token(app: Flask, db_session: Session) -> None:
    order = _rejected_order(app, db_session)
    requester = _client(app, "requester@1001.demo")
    before = _snapshot(db_session)
    assert requester.post(f"/orders/{order.id}/reopen").status_code in (400, 403)
    assert _snapshot(db_session) == before
