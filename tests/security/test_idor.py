"""Checklist item 45: IDOR across customers, table-driven over every object with a URL or form id.

A superuser of customer 1001 (the widest customer role) asks, by GET and POST, for real objects
customer 1002's users created through the shop. Each request must answer 404 with no data of the
object, leave the object unchanged and, where the service checks ownership, write an
authorisation-failure log entry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import (
    Address,
    Budget,
    BudgetReservation,
    Cart,
    CartLine,
    Membership,
    MessageLogEntry,
    Order,
    TradingPartner,
    User,
)
from tests import shop
from tests.factories import customer, make_budget, make_user, user_named
from tests.mail import Inbox

ATTACKER = "superuser@1001.demo"
MISSING_ID = 999_999_999


@dataclass(frozen=True)
class Foreign:
    """Customer 1002's objects, made the way its users make them."""

    placed: Order
    pending: Order
    cart_line: CartLine
    address: Address
    user: User
    budget: Budget
    log_entry: MessageLogEntry
    partner: TradingPartner


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _order_of(app: Flask, db: Session, email: str) -> Order:
    client = _client(app, email)
    response = shop.post(client, "/cart/items", {"sku": "DEMO-0081", "quantity": "2"})
    assert response.status_code == 302, response.text
    page = client.get("/checkout")
    response = client.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert response.status_code == 302, response.text
    db.expire_all()
    order = db.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert order.organisation_id == customer(db, "1002").id
    return order


@pytest.fixture
def foreign(app: Flask, db_session: Session, inbox: Inbox) -> Foreign:
    second = customer(db_session, "1002")
    make_user(db_session, "requester@1002.test", role="requester", number="1002")
    placed = _order_of(app, db_session, "superuser@1002.demo")
    pending = _order_of(app, db_session, "requester@1002.test")
    assert pending.status == "pending_approval"
    buyer = _client(app, "buyer@1002.demo")
    assert shop.post(buyer, "/cart/items", {"sku": "DEMO-0081", "quantity": "3"}).status_code == 302
    db_session.expire_all()
    line = db_session.scalars(
        select(CartLine).join(Cart).where(Cart.organisation_id == second.id)
    ).first()
    assert line is not None
    address = db_session.scalars(
        select(Address).where(Address.organisation_id == second.id)
    ).first()
    assert address is not None
    entry = MessageLogEntry(
        direction="in", document_type="OrderRequest", body="<cXML>Globex secret</cXML>"
    )
    db_session.add(entry)
    budget = make_budget(
        db_session, user=None, number="1002", period_amount="700", name="Globex budget"
    )
    partner = db_session.scalars(select(TradingPartner)).first()
    assert partner is not None
    return Foreign(
        placed=placed,
        pending=pending,
        cart_line=line,
        address=address,
        user=user_named(db_session, "buyer@1002.demo"),
        budget=budget,
        log_entry=entry,
        partner=partner,
    )


def _page_text(html: str) -> str:
    """A page without its per-request CSRF tokens."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


def _row(db: Session, obj: Any) -> dict[str, Any]:
    """Every column of one row as stored now."""
    db.expire_all()
    fresh = db.get(type(obj), obj.id)
    assert fresh is not None, "the foreign object was deleted"
    return {column.key: getattr(fresh, column.key) for column in fresh.__table__.columns}


def _memberships(db: Session, user: User) -> list[tuple[Any, ...]]:
    db.expire_all()
    return [
        (m.organisation_id, m.role_id, m.active)
        for m in db.scalars(select(Membership).where(Membership.user_id == user.id))
    ]


@dataclass(frozen=True)
class Case:
    """One request for a foreign object: the URL, the form posted (None for GET), what to
    compare before and after, the texts that must not leak, and whether a log entry is due."""

    name: str
    url: Callable[[Foreign], str]
    form: dict[str, str] | None
    target: Callable[[Foreign], Any]
    leaks: Callable[[Foreign], tuple[str, ...]]
    status: int = 404
    logged: bool = True


_ORDER = (lambda f: f.placed, lambda f: (f.placed.number,))
_PENDING = (lambda f: f.pending, lambda f: (f.pending.number,))
_LINE = (lambda f: f.cart_line, lambda f: ())
_ADDRESS = (lambda f: f.address, lambda f: (f.address.street,))
_USER = (lambda f: f.user, lambda f: ("buyer@1002.demo", "Bob Buyer"))
_BUDGET = (lambda f: f.budget, lambda f: ("Globex budget",))
_ENTRY = (lambda f: f.log_entry, lambda f: ("Globex secret",))
_PARTNER = (lambda f: f.partner, lambda f: (f.partner.name,))
# The staff pages are no customer's objects: a customer user is refused them all (403, as
# tests/integration/test_message_log_pages.py and test_partner_admin.py require), whatever the id.
_STAFF_ONLY = {"status": 403, "logged": False}

CASES = [
    Case("order page", lambda f: f"/orders/{f.placed.id}", None, *_ORDER),
    Case("reorder", lambda f: f"/orders/{f.placed.id}/reorder", {}, *_ORDER),
    Case("withdraw", lambda f: f"/orders/{f.pending.id}/withdraw", {}, *_PENDING),
    Case("approve", lambda f: f"/approvals/{f.pending.id}/approve", {}, *_PENDING),
    Case("reject", lambda f: f"/approvals/{f.pending.id}/reject", {"reason": "x"}, *_PENDING),
    Case("take over", lambda f: f"/approvals/{f.pending.id}/take-over", {}, *_PENDING),
    Case("cart line", lambda f: f"/cart/lines/{f.cart_line.id}", {"quantity": "9"}, *_LINE),
    Case("cart line delete", lambda f: f"/cart/lines/{f.cart_line.id}/delete", {}, *_LINE),
    Case(
        "address edit",
        lambda f: f"/account/addresses/{f.address.id}",
        {"kind": "delivery", "name": "Hijack", "street": "Evil 1", "postcode": "1000 AA"}
        | {"city": "Evil", "country": "NL"},
        *_ADDRESS,
    ),
    Case("user page", lambda f: f"/account/users/{f.user.id}", None, *_USER),
    Case("user edit", lambda f: f"/account/users/{f.user.id}", {"role": "superuser"}, *_USER),
    Case("user catalogs", lambda f: f"/account/users/{f.user.id}/catalogs", {}, *_USER),
    Case("user supervisors", lambda f: f"/account/users/{f.user.id}/supervisors", {}, *_USER),
    Case("user deactivate", lambda f: f"/account/users/{f.user.id}/deactivate", {}, *_USER),
    Case("user reactivate", lambda f: f"/account/users/{f.user.id}/reactivate", {}, *_USER),
    Case(
        "budget edit",
        lambda f: f"/account/budgets/{f.budget.id}",
        {"name": "Mine now", "period": "month", "policy": "block", "period_amount": "1"},
        *_BUDGET,
    ),
    Case(
        "message log entry",
        lambda f: f"/admin/messages/{f.log_entry.id}",
        None,
        *_ENTRY,
        **_STAFF_ONLY,
    ),
    Case(
        "message download",
        lambda f: f"/admin/messages/{f.log_entry.id}/download",
        None,
        *_ENTRY,
        **_STAFF_ONLY,
    ),
    Case(
        "partner page", lambda f: f"/admin/partners/{f.partner.id}", None, *_PARTNER, **_STAFF_ONLY
    ),
    Case(
        "partner edit",
        lambda f: f"/admin/partners/{f.partner.id}",
        {"name": "x"},
        *_PARTNER,
        **_STAFF_ONLY,
    ),
    Case(
        "partner rotate",
        lambda f: f"/admin/partners/{f.partner.id}/rotate",
        {},
        *_PARTNER,
        **_STAFF_ONLY,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_another_customers_object_is_not_found(
    case: Case,
    app: Flask,
    db_session: Session,
    foreign: Foreign,
    caplog: pytest.LogCaptureFixture,
) -> None:
    target = case.target(foreign)
    before = _row(db_session, target)
    memberships = _memberships(db_session, foreign.user)
    attacker = _client(app, ATTACKER)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        if case.form is None:
            response = attacker.get(case.url(foreign))
        else:
            response = shop.post(attacker, case.url(foreign), case.form, via="/catalog")
    assert response.status_code == case.status, response.text
    for secret in case.leaks(foreign):
        assert secret not in response.text
    assert _row(db_session, target) == before
    assert _memberships(db_session, foreign.user) == memberships
    if case.logged:
        assert any("authorisation failure" in r.getMessage() for r in caplog.records)
    # No oracle: the answer for a foreign id is the answer for an id that does not exist.
    missing = case.url(foreign).replace(f"/{target.id}", f"/{MISSING_ID}", 1)
    if case.form is None:
        other = attacker.get(missing)
    else:
        other = shop.post(attacker, missing, case.form, via="/catalog")
    assert other.status_code == response.status_code
    assert _page_text(other.text) == _page_text(response.text)


def test_checkout_to_another_customers_address_is_not_found(
    app: Flask, db_session: Session, foreign: Foreign, caplog: pytest.LogCaptureFixture
) -> None:
    attacker = _client(app, ATTACKER)
    assert (
        shop.post(attacker, "/cart/items", {"sku": "DEMO-0081", "quantity": "1"}).status_code == 302
    )
    page = attacker.get("/checkout")
    form = shop.form_values(page.text, "cart_digest") | {
        "delivery_address": str(foreign.address.id)
    }
    orders = _orders(db_session)
    reservations = _reservations(db_session)
    with caplog.at_level(logging.WARNING):
        response = attacker.post("/checkout", data=form)
    assert response.status_code == 404
    assert "No such delivery address" in response.text
    assert foreign.address.street not in response.text
    assert any("authorisation failure" in r.getMessage() for r in caplog.records)
    assert _orders(db_session) == orders
    assert _reservations(db_session) == reservations


def test_switching_to_a_customer_one_is_not_linked_to_is_not_found(
    app: Flask, db_session: Session
) -> None:
    attacker = _client(app, ATTACKER)
    response = shop.post(attacker, "/customer", {"customer": "1002"}, via="/catalog")
    assert response.status_code == 404
    assert "Globex" not in response.text
    assert "Acme Municipality" in attacker.get("/catalog").text  # still acting for 1001


@pytest.mark.parametrize("url", ["/orders", "/approvals", "/account/users", "/account/budgets"])
def test_lists_show_nothing_of_another_customer(url: str, app: Flask, foreign: Foreign) -> None:
    page = _client(app, ATTACKER).get(url)
    assert page.status_code == 200
    for secret in (
        foreign.placed.number,
        foreign.pending.number,
        "buyer@1002.demo",
        "requester@1002.test",
        "Globex budget",
    ):
        assert secret not in page.text


def test_the_cart_shows_nothing_of_another_customers_cart(app: Flask, foreign: Foreign) -> None:
    page = _client(app, ATTACKER).get("/cart")
    assert f'/cart/lines/{foreign.cart_line.id}"' not in page.text


@pytest.mark.parametrize("token", ["made-up-token", "1"])
def test_a_guest_order_link_needs_its_own_token(token: str, app: Flask, foreign: Foreign) -> None:
    for candidate in (token, foreign.placed.number, str(foreign.placed.id)):
        response = _client(app, ATTACKER).get(f"/guest/orders/{candidate}")
        assert response.status_code == 404
        assert foreign.placed.number not in response.text


def test_an_unknown_start_token_neither_logs_in_nor_logs_out(app: Flask) -> None:
    attacker = _client(app, ATTACKER)
    response = attacker.get("/punchout/start/" + "A" * 43)
    assert response.status_code == 410  # refused like a used or expired token (item 37)
    assert "Acme Municipality" in attacker.get("/catalog").text  # the session is unchanged


def _orders(db: Session) -> int:
    db.expire_all()
    return len(db.scalars(select(Order.id)).all())


def _reservations(db: Session) -> int:
    db.expire_all()
    return len(db.scalars(select(BudgetReservation.id)).all())
