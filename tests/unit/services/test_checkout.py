"""Checkout rules without Flask: gather → evaluate → place; and who sees which orders."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.auth.policy import Actor, can
from gateway.db import utcnow
from gateway.errors import NotFound, PermissionDenied
from gateway.models import Address, Cart, Membership, Order, Organisation, User
from gateway.services.ordering import carts, checkout, history

TODAY = date(2026, 3, 2)


def _actor(session: Session, email: str, number: str, role: str = "buyer") -> Actor:
    user = session.scalars(select(User).where(User.email == email)).one()
    organisation = session.scalars(select(Organisation).where(Organisation.number == number)).one()
    assert session.scalar(
        select(Membership.id).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    return Actor(
        user_id=user.id, organisation_id=organisation.id, permissions=frozenset(DEFAULT_ROLES[role])
    )


def _ready(session: Session, actor: Actor) -> tuple[Cart, checkout.CheckoutForm]:
    cart = carts.open_cart(session, actor=actor)
    carts.add_item(session, actor=actor, cart=cart, sku="DEMO-0001", quantity=Decimal(3))
    priced = carts.price_cart(
        session,
        cart=cart,
        organisation=session.get_one(Organisation, actor.organisation_id),
        on=TODAY,
    )
    return cart, checkout.defaults(session, actor=actor, priced=priced, today=TODAY)


def test_the_defaults_place_the_order(db_session: Session) -> None:
    actor = _actor(db_session, "buyer@1001.demo", "1001")
    cart, form = _ready(db_session, actor)
    assert form.requested_delivery_date == TODAY + timedelta(days=2)  # DEMO-0001: 2 days
    result = checkout.place_order(
        db_session, actor=actor, cart=cart, form=form, now=utcnow(), today=TODAY
    )
    assert result.problems == ()
    assert result.order is not None
    assert result.order.net_total == Decimal("2.31")
    assert cart.status == "ordered"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_delivery_date": TODAY}, "requested_delivery_date"),
        ({"requested_delivery_date": TODAY + timedelta(days=400)}, "requested_delivery_date"),
        ({"buyer_reference": "x" * 101}, "buyer_reference"),
        ({"comment": "x" * 2001}, "comment"),
        ({"cart_digest": ""}, "cart"),
    ],
)
def test_problems_stop_the_order(
    db_session: Session, change: dict[str, object], field: str
) -> None:
    actor = _actor(db_session, "buyer@1001.demo", "1001")
    cart, form = _ready(db_session, actor)
    values = {
        "delivery_address_id": form.delivery_address_id,
        "requested_delivery_date": form.requested_delivery_date,
        "cart_digest": form.cart_digest,
        **change,
    }
    result = checkout.place_order(
        db_session,
        actor=actor,
        cart=cart,
        form=checkout.CheckoutForm(**values),  # type: ignore[arg-type]
        now=utcnow(),
        today=TODAY,
    )
    assert result.order is None
    assert [problem.field for problem in result.problems] == [field]
    assert db_session.scalars(select(Order)).all() == []
    assert cart.status == "open"


def test_another_customers_address_is_not_found(db_session: Session) -> None:
    actor = _actor(db_session, "buyer@1001.demo", "1001")
    cart, form = _ready(db_session, actor)
    foreign = db_session.scalars(
        select(Address).join(Organisation).where(Organisation.number == "1002")
    ).first()
    assert foreign is not None
    with pytest.raises(NotFound):
        checkout.gather(
            db_session,
            actor=actor,
            cart=cart,
            form=checkout.CheckoutForm(
                delivery_address_id=foreign.id, cart_digest=form.cart_digest
            ),
            today=TODAY,
        )


def test_a_viewer_cannot_check_out(db_session: Session) -> None:
    buyer = _actor(db_session, "buyer@1001.demo", "1001")
    cart, form = _ready(db_session, buyer)
    viewer = Actor(
        user_id=buyer.user_id,
        organisation_id=buyer.organisation_id,
        permissions=frozenset(DEFAULT_ROLES["viewer"]),
    )
    with pytest.raises(PermissionDenied):
        checkout.gather(db_session, actor=viewer, cart=cart, form=form, today=TODAY)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", True),
        ("buyer", False),
        ("requester", False),
        ("punchout", False),
        ("viewer", False),
    ],
)
def test_who_may_see_colleagues_orders(role: str, expected: bool) -> None:
    actor = Actor(user_id=1, organisation_id=1, permissions=frozenset(DEFAULT_ROLES[role]))
    assert can(actor, Permission.ORDER_READ_ALL) is expected


def test_order_history_is_scoped_to_the_active_customer(db_session: Session) -> None:
    first = _actor(db_session, "multi@demo.test", "1001")
    cart, form = _ready(db_session, first)
    order = checkout.place_order(
        db_session, actor=first, cart=cart, form=form, now=utcnow(), today=TODAY
    ).order
    assert order is not None
    assert history.list_orders(db_session, actor=first) == [order]
    second = _actor(db_session, "multi@demo.test", "1002", role="superuser")
    assert history.list_orders(db_session, actor=second) == []
    with pytest.raises(NotFound):
        history.get_order(db_session, actor=second, order_id=order.id)
