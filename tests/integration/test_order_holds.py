"""Orders on hold for their problems: released or rejected by staff with the right, and by
nobody else; until then never confirmed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.policy import Actor
from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import AuditEntry, Order, OutboxMessage
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import holds
from gateway.services.people.staff import staff_actor
from tests import buyer, staff
from tests.factories import actor_of, user_named
from tests.integration.test_cxml_orders import orders, send
from tests.integration.test_outbox import accept


@pytest.fixture
def held(client: FlaskClient, db_session: Session) -> Order:
    assert send(client, buyer.order_request(items=(("DEMO-0001", None, "2", "0.00"),)))[0] == 200
    [order] = orders(db_session)
    assert order.status == "on_hold"
    return order


def outbox(session: Session) -> list[str]:
    return [m.document_type for m in session.scalars(select(OutboxMessage))]


def test_release_makes_it_a_received_order_staff_can_accept(
    app: Flask, db_session: Session, held: Order
) -> None:
    actor = staff_actor(db_session, email="service@supplier.demo")
    with pytest.raises(InvalidInput, match="cannot be accepted"):  # not while on hold
        accept(app, db_session, held.id)
    assert outbox(db_session) == []
    order = holds.release(db_session, actor=actor, reference=held.number, now=utcnow())
    assert order.status == "received"
    assert (order.history[-1].status, order.history[-1].changed_by_id) == (
        "received",
        actor.user_id,
    )
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "order.release"))
    assert [(entry.actor_id, entry.subject) for entry in audit] == [(actor.user_id, held.number)]
    accept(app, db_session, held.id)
    assert outbox(db_session) == ["ConfirmationRequest"]
    with pytest.raises(InvalidInput, match="only an order on hold"):
        holds.release(db_session, actor=actor, reference=str(held.id), now=utcnow())


def test_reject_refuses_it_and_tells_the_buyer(
    app: Flask, db_session: Session, held: Order
) -> None:
    actor = staff_actor(db_session, email="admin@supplier.demo")
    settings = punchout_settings(app.config)
    with pytest.raises(InvalidInput, match="reason"):
        holds.reject(
            db_session,
            actor=actor,
            reference=held.number,
            reason=" ",
            settings=settings,
            now=utcnow(),
        )
    order = holds.reject(
        db_session,
        actor=actor,
        reference=held.number,
        reason="price 0.00 is not ours",
        settings=settings,
        now=utcnow(),
    )
    assert order.status == "rejected"
    [message] = db_session.scalars(select(OutboxMessage))
    assert message.document_type == "ConfirmationRequest"
    assert b'type="reject"' in message.body
    assert b"price 0.00 is not ours" in message.body
    assert order.history[-1].changed_by_id == actor.user_id


def _customer_superuser(session: Session) -> Actor:
    return actor_of(session, user_named(session, "superuser@1001.demo"))


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("agent@supplier.demo", PermissionDenied),  # a sales agent of 1001: not their decision
        ("agent2@supplier.demo", NotFound),  # another customer's agent: out of reach
        ("superuser@1001.demo", NotFound),  # the customer's own superuser: a staff right
    ],
)
def test_the_wrong_actor_is_refused_and_nothing_changes(
    app: Flask, db_session: Session, held: Order, who: str, refusal: type[Exception]
) -> None:
    actor = (
        _customer_superuser(db_session)
        if who.endswith("1001.demo")
        else staff_actor(db_session, email=who)
    )
    with pytest.raises(refusal):
        holds.release(db_session, actor=actor, reference=held.number, now=utcnow())
    with pytest.raises(refusal):
        holds.reject(
            db_session,
            actor=actor,
            reference=held.number,
            reason="no",
            settings=punchout_settings(app.config),
            now=utcnow(),
        )
    db_session.expire_all()
    assert db_session.get_one(Order, held.id).status == "on_hold"
    assert outbox(db_session) == []


@pytest.mark.parametrize("email", ["buyer@1001.demo", "nobody@supplier.demo"])
def test_only_an_active_staff_account_acts_from_the_command_line(
    db_session: Session, email: str
) -> None:
    with pytest.raises(InvalidInput, match="not an active staff account"):
        staff_actor(db_session, email=email)
    staff = user_named(db_session, "service@supplier.demo")
    staff.active = False
    db_session.flush()
    with pytest.raises(InvalidInput, match="not an active staff account"):
        staff_actor(db_session, email="service@supplier.demo")


def _staff_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    staff.log_in(client, email)
    return client


def test_staff_see_the_problems_on_the_customer_page_and_release_there(
    app: Flask, db_session: Session, held: Order
) -> None:
    service = _staff_client(app, "service@supplier.demo")
    page = service.get("/staff/customers/1001").text
    row = page[page.index(f'data-order-number="{held.number}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-order-status="on_hold"' in row
    assert 'data-problem-kind="price" data-problem-line="1"' in row
    assert "<span data-expected>0.77</span>" in row
    assert "<span data-received>0.00</span>" in row
    assert "data-release" in row
    token = buyer.csrf_token(page)
    path = f"/staff/customers/1001/orders/{held.id}"
    refused = service.post(f"{path}/reject", data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 400
    assert "Give a reason for the rejection." in refused.text
    released = service.post(f"{path}/release", data={"csrf_token": token})
    assert released.status_code == 302
    db_session.expire_all()
    assert db_session.get_one(Order, held.id).status == "received"
    again = service.post(f"{path}/release", data={"csrf_token": token})
    assert again.status_code == 400
    assert "only an order on hold can be released" in again.text


def test_staff_reject_on_the_customer_page_in_dutch(
    app: Flask, db_session: Session, held: Order
) -> None:
    service = _staff_client(app, "service@supplier.demo")
    page = service.get("/staff/customers/1001", headers={"Accept-Language": "nl"}).text
    assert "Problemen" in page
    assert "de prijs wijkt af van de onze" in page
    assert "Vrijgeven (problemen accepteren)" in page
    answer = service.post(
        f"/staff/customers/1001/orders/{held.id}/reject",
        data={"csrf_token": buyer.csrf_token(page), "reason": "Prijs 0,00 klopt niet"},
    )
    assert answer.status_code == 302
    db_session.expire_all()
    assert db_session.get_one(Order, held.id).status == "rejected"
    assert outbox(db_session) == ["ConfirmationRequest"]


def test_a_sales_agent_sees_the_problems_but_cannot_decide(
    app: Flask, db_session: Session, held: Order
) -> None:
    agent = _staff_client(app, "agent@supplier.demo")
    page = agent.get("/staff/customers/1001").text
    assert 'data-problem-kind="price"' in page
    assert "data-release" not in page
    answer = agent.post(
        f"/staff/customers/1001/orders/{held.id}/release",
        data={"csrf_token": buyer.csrf_token(page)},
    )
    assert answer.status_code == 403
    db_session.expire_all()
    assert db_session.get_one(Order, held.id).status == "on_hold"
