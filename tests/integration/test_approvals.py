"""Checkout with budgets and role limits, and the approval flow, through the test client."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.errors import InvalidInput
from gateway.models import (
    ApprovalDecision,
    BudgetCounter,
    BudgetReservation,
    Membership,
    Order,
    Role,
    Supervision,
)
from gateway.services.purchasing import approvals
from tests import shop, staff
from tests.factories import actor_of, customer, make_budget, make_user, user_named
from tests.mail import Inbox, deliver_mail


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _fill_cart(client: FlaskClient, *items: tuple[str, str]) -> None:
    for sku, quantity in items:
        response = shop.post(client, "/cart/items", {"sku": sku, "quantity": quantity})
        assert response.status_code == 302, response.text


def _place(client: FlaskClient) -> TestResponse:
    page = client.get("/checkout")
    assert page.status_code == 200
    return client.post("/checkout", data=shop.form_values(page.text, "cart_digest"))


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _pending_order(app: Flask, session: Session, email: str = "requester@1001.demo") -> Order:
    client = _client(app, email)
    _fill_cart(client, ("DEMO-0081", "2"))
    response = _place(client)
    assert response.status_code == 302, response.text
    order = session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert order.status == "pending_approval"
    return order


def _decide(client: FlaskClient, order: Order, action: str, **fields: str) -> TestResponse:
    return shop.post(client, f"/approvals/{order.id}/{action}", fields, via="/catalog")


# Budgets at checkout ----------------------------------------------------------------------------


def test_a_block_budget_refuses_the_order_and_reserves_nothing(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "limited@1001.demo")
    _fill_cart(client, ("DEMO-0081", "30"))  # far above the 500.00 EUR monthly budget
    page = client.get("/checkout")
    assert 'data-budget-outcome="block"' in page.text
    assert 'data-remaining="500"' in page.text  # shown before committing
    response = client.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert response.status_code == 400
    assert 'data-problem="budget"' in response.text
    assert "Monthly office budget" in response.text
    assert _count(db_session, Order) == 0
    assert _count(db_session, BudgetReservation) == 0


def test_an_order_within_the_budget_is_placed_and_spends_it(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "limited@1001.demo")
    _fill_cart(client, ("DEMO-0081", "1"))
    response = _place(client)
    assert response.status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert order.status == "placed"
    assert db_session.scalars(select(BudgetCounter.committed)).one() == order.net_total
    page = client.get("/account/budgets").text
    assert f'data-spent="{order.net_total}"' in page
    assert f'data-remaining="{Decimal(500) - order.net_total}"' in page
    assert "period ends" in page


def test_over_a_require_approval_budget_the_order_waits_for_approval(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    buyer = make_user(db_session, "capped@1001.test")
    make_budget(db_session, user=buyer, max_order_amount="10", name="Small orders")
    db_session.commit()
    client = _client(app, "capped@1001.test")
    _fill_cart(client, ("DEMO-0081", "1"))
    page = client.get("/checkout").text
    assert 'data-budget-outcome="require_approval"' in page
    assert "data-needs-approval" in page
    assert _place(client).status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert order.status == "pending_approval"
    assert order.approval_reasons is not None
    assert "Small orders" in order.approval_reasons[0]
    # The customer's superuser is told; nobody of another customer is.
    deliver_mail(app, inbox.port)
    approvers = sorted(
        message["To"] for message in inbox.messages if "awaits" in message["Subject"]
    )
    assert approvers == ["superuser@1001.demo"]


def test_the_roles_order_value_limits_are_hard_and_apply_to_every_holder(
    app: Flask, db_session: Session
) -> None:
    make_user(db_session, "second-buyer@1001.test")
    db_session.execute(update(Role).where(Role.name == "buyer").values(max_order_value=Decimal(20)))
    db_session.commit()
    for email in ("buyer@1001.demo", "second-buyer@1001.test"):  # one change reaches both (O-2)
        client = _client(app, email)
        _fill_cart(client, ("DEMO-0081", "2"))
        response = _place(client)
        assert response.status_code == 400
        assert 'data-problem="limit"' in response.text
        assert "maximum order value is EUR 20.00" in response.text
    db_session.execute(
        update(Role)
        .where(Role.name == "buyer")
        .values(max_order_value=None, min_order_value=Decimal(1000))
    )
    db_session.commit()
    response = _place(_client(app, "buyer@1001.demo"))
    assert response.status_code == 400
    assert "minimum order value is EUR 1000.00" in response.text
    assert _count(db_session, Order) == 0


# Approval flow ----------------------------------------------------------------------------------


def test_a_requesters_order_is_rejected_with_a_reason_the_requester_sees(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    order = _pending_order(app, db_session)
    assert order.approval_reasons == ["Your role needs approval for every order."]
    deliver_mail(app, inbox.port)
    assert [m["To"] for m in inbox.messages if "awaits" in m["Subject"]] == ["superuser@1001.demo"]
    superuser = _client(app, "superuser@1001.demo")
    inbox_page = superuser.get("/approvals").text
    assert f'data-order-id="{order.id}"' in inbox_page
    assert f'action="/approvals/{order.id}/approve"' in inbox_page
    assert f'action="/approvals/{order.id}/reject"' in inbox_page

    refused = _decide(superuser, order, "reject", comment="  ")
    assert refused.status_code == 400
    assert "say why" in refused.text
    assert _count(db_session, ApprovalDecision) == 0
    db_session.refresh(order)
    assert order.status == "pending_approval"

    response = _decide(superuser, order, "reject", comment="Not in this quarter's plan")
    assert response.status_code == 302
    db_session.refresh(order)
    assert order.status == "rejected"
    assert [change.status for change in order.history] == ["pending_approval", "rejected"]
    (decision,) = db_session.scalars(select(ApprovalDecision)).all()
    assert (decision.decision, decision.comment) == ("reject", "Not in this quarter's plan")
    assert decision.approver_id == user_named(db_session, "superuser@1001.demo").id
    requester_page = _client(app, "requester@1001.demo").get(f"/orders/{order.id}").text
    assert 'data-order-status="rejected"' in requester_page
    assert "Not in this quarter&#39;s plan" in requester_page
    deliver_mail(app, inbox.port)
    told = [m for m in inbox.messages if m["To"] == "requester@1001.demo"]
    assert told[-1]["Subject"].endswith(": Rejected")
    # One rejection ends it: approving afterwards is refused and changes nothing.
    again = _decide(superuser, order, "approve")
    assert again.status_code == 400
    assert "no longer awaiting approval" in again.text
    assert _count(db_session, ApprovalDecision) == 1


def test_approving_places_the_order_once(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    superuser = _client(app, "superuser@1001.demo")
    assert _decide(superuser, order, "approve").status_code == 302
    db_session.refresh(order)
    assert order.status == "placed"
    twice = _decide(superuser, order, "approve")
    assert twice.status_code == 400
    assert _count(db_session, ApprovalDecision) == 1


def test_take_over_changes_quantities_then_approves(app: Flask, db_session: Session) -> None:
    buyer = make_user(db_session, "taken@1001.test", role="requester")
    budget = make_budget(db_session, user=buyer, period_amount="1000")
    db_session.commit()
    order = _pending_order(app, db_session, "taken@1001.test")
    unit_price = order.lines[0].unit_price
    superuser = _client(app, "superuser@1001.demo")
    response = _decide(superuser, order, "take-over", quantity_1="1", comment="One is enough")
    assert response.status_code == 302
    db_session.expire_all()
    assert order.status == "placed"
    assert order.lines[0].quantity == 1
    assert order.net_total == unit_price
    assert (
        db_session.scalars(
            select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
        ).one()
        == unit_price
    )
    assert db_session.scalars(select(ApprovalDecision.decision)).all() == ["take_over"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity_1": "-1"}, "cannot be negative"),
        ({"quantity_1": "0"}, "at least one line"),
        ({"quantity_1": "lots"}, "Line 1: Quantity must be a number"),
    ],
)
def test_take_over_refuses_bad_quantities_and_changes_nothing(
    app: Flask, db_session: Session, fields: dict[str, str], message: str
) -> None:
    order = _pending_order(app, db_session)
    total = order.net_total
    response = _decide(_client(app, "superuser@1001.demo"), order, "take-over", **fields)
    assert response.status_code == 400
    assert message in response.text
    db_session.expire_all()
    assert (order.status, order.net_total, order.lines[0].quantity) == (
        "pending_approval",
        total,
        Decimal(2),
    )
    assert _count(db_session, ApprovalDecision) == 0


def test_take_over_of_an_unknown_line_is_not_found(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    response = _decide(_client(app, "superuser@1001.demo"), order, "take-over", quantity_9="1")
    assert response.status_code == 404
    db_session.refresh(order)
    assert order.status == "pending_approval"


def test_nobody_approves_their_own_order(app: Flask, db_session: Session) -> None:
    superuser = user_named(db_session, "superuser@1001.demo")
    make_budget(db_session, user=superuser, max_order_amount="1")
    make_user(db_session, "colleague-superuser@1001.test", role="superuser")  # someone may approve
    db_session.commit()
    order = _pending_order(app, db_session, "superuser@1001.demo")
    client = _client(app, "superuser@1001.demo")
    assert f'data-order-id="{order.id}"' not in client.get("/approvals").text
    for action, fields in (("approve", {}), ("reject", {"comment": "x"}), ("take-over", {})):
        assert _decide(client, order, action, **fields).status_code == 403
    db_session.refresh(order)
    assert order.status == "pending_approval"
    assert _count(db_session, ApprovalDecision) == 0


def test_approvers_of_another_customer_get_not_found(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    other = _client(app, "superuser@1002.demo")
    assert f'data-order-id="{order.id}"' not in other.get("/approvals").text
    for action, fields in (("approve", {}), ("reject", {"comment": "no"}), ("take-over", {})):
        assert _decide(other, order, action, **fields).status_code == 404
    db_session.refresh(order)
    assert order.status == "pending_approval"
    assert _count(db_session, ApprovalDecision) == 0


def test_users_without_the_right_can_neither_approve_nor_reject(
    app: Flask, db_session: Session
) -> None:
    order = _pending_order(app, db_session)
    colleague = _client(app, "buyer@1001.demo")
    assert colleague.get("/approvals").status_code == 403
    assert _decide(colleague, order, "approve").status_code == 403
    assert _decide(colleague, order, "reject", comment="no").status_code == 403
    db_session.refresh(order)
    assert order.status == "pending_approval"


def test_a_supervisor_decides_for_the_assigned_users_only(app: Flask, db_session: Session) -> None:
    supervisor = make_user(db_session, "lead@1001.test", role="superuser")
    role = Role(name="team-lead", kind="customer", permissions=["shop:order:approve"])
    db_session.add(role)
    db_session.flush()
    db_session.execute(
        update(Membership).where(Membership.user_id == supervisor.id).values(role_id=role.id)
    )
    requester = user_named(db_session, "requester@1001.demo")
    db_session.add(
        Supervision(
            organisation_id=customer(db_session).id,
            supervisor_id=supervisor.id,
            user_id=requester.id,
        )
    )
    make_user(db_session, "other-requester@1001.test", role="requester")
    db_session.commit()
    assigned = _pending_order(app, db_session)
    unassigned = _pending_order(app, db_session, "other-requester@1001.test")
    lead = _client(app, "lead@1001.test")
    page = lead.get("/approvals").text
    assert f'data-order-id="{assigned.id}"' in page
    assert f'data-order-id="{unassigned.id}"' not in page
    assert _decide(lead, unassigned, "approve").status_code == 404
    assert _decide(lead, assigned, "approve").status_code == 302
    db_session.expire_all()
    assert (assigned.status, unassigned.status) == ("placed", "pending_approval")


def test_a_withdrawn_order_releases_its_budget_and_cannot_be_approved(
    app: Flask, db_session: Session
) -> None:
    requester = user_named(db_session, "requester@1001.demo")
    budget = make_budget(db_session, user=requester, period_amount="1000")
    db_session.commit()
    order = _pending_order(app, db_session)
    committed = select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
    assert db_session.scalars(committed).one() == order.net_total  # pending orders reserve
    requester_client = _client(app, "requester@1001.demo")
    response = shop.post(requester_client, f"/orders/{order.id}/withdraw", {}, via="/catalog")
    assert response.status_code == 302
    db_session.expire_all()
    assert order.status == "cancelled"
    assert db_session.scalars(committed).one() == 0
    refused = _decide(_client(app, "superuser@1001.demo"), order, "approve")
    assert refused.status_code == 400
    assert _count(db_session, ApprovalDecision) == 0


def test_rejection_releases_the_reservation(app: Flask, db_session: Session) -> None:
    requester = user_named(db_session, "requester@1001.demo")
    budget = make_budget(db_session, user=requester, period_amount="1000")
    db_session.commit()
    order = _pending_order(app, db_session)
    _decide(_client(app, "superuser@1001.demo"), order, "reject", comment="No")
    db_session.expire_all()
    assert (
        db_session.scalars(
            select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
        ).one()
        == 0
    )


def test_two_approvers_at_once_cannot_both_win(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    second = actor_of(db_session, make_user(db_session, "second@1001.test", role="superuser"))
    loaded = approvals.decidable(db_session, actor=second, order_id=order.id)
    assert loaded.status == "pending_approval"  # what the second approver saw
    # The first approver's decision lands in between, behind this session's back.
    db_session.execute(
        update(Order).where(Order.id == order.id).values(status="placed"),
        execution_options={"synchronize_session": False},
    )
    assert loaded.status == "pending_approval"  # still stale in this session
    with pytest.raises(InvalidInput, match="no longer awaiting approval"):
        approvals.reject(
            db_session, actor=second, order_id=order.id, now=order.placed_at, comment="Too late"
        )
    assert approvals.decisions(db_session, order_id=order.id) == []


def test_a_cross_customer_request_is_logged_as_an_authorisation_failure(
    app: Flask, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    order = _pending_order(app, db_session)
    other = _client(app, "superuser@1002.demo")
    with caplog.at_level("WARNING", logger="gateway.auth.policy"):
        response = _decide(other, order, "approve")
    assert response.status_code == 404
    assert order.number not in response.text  # nothing about the order leaks
    (record,) = [r for r in caplog.records if r.name == "gateway.auth.policy"]
    assert record.getMessage().startswith("authorisation failure: user ")
    assert f"order {order.id}" in record.getMessage()


def test_a_requester_cannot_approve_their_own_order_by_a_direct_post(
    app: Flask, db_session: Session
) -> None:
    order = _pending_order(app, db_session)
    requester = _client(app, "requester@1001.demo")
    assert _decide(requester, order, "approve").status_code == 403
    db_session.refresh(order)
    assert order.status == "pending_approval"


def test_a_forged_status_at_checkout_does_not_skip_approval(
    app: Flask, db_session: Session
) -> None:
    client = _client(app, "requester@1001.demo")
    _fill_cart(client, ("DEMO-0081", "1"))
    page = client.get("/checkout")
    fields = {**shop.form_values(page.text, "cart_digest"), "status": "placed", "approved": "1"}
    assert client.post("/checkout", data=fields).status_code == 302
    assert db_session.scalars(select(Order.status)).all() == ["pending_approval"]


def test_an_order_nobody_could_approve_is_refused(app: Flask, db_session: Session) -> None:
    # Customer 1002 has a superuser; take away their right to approve.
    db_session.add(Role(name="no-approvals", kind="customer", permissions=["shop:catalog:read"]))
    db_session.flush()
    db_session.execute(
        update(Membership)
        .where(Membership.user_id == user_named(db_session, "superuser@1002.demo").id)
        .values(
            role_id=db_session.scalars(select(Role.id).where(Role.name == "no-approvals")).one()
        )
    )
    make_user(db_session, "lonely@1002.test", role="requester", number="1002")
    db_session.commit()
    client = _client(app, "lonely@1002.test")
    _fill_cart(client, ("DEMO-0081", "1"))
    response = _place(client)
    assert response.status_code == 400
    assert "nobody who may approve it" in response.text
    assert _count(db_session, Order) == 0


def test_the_inbox_speaks_dutch(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    page = _client(app, "superuser@1001.demo").get("/approvals", headers={"Accept-Language": "nl"})
    assert "Bestellingen die op uw goedkeuring wachten" in page.text
    assert f'data-order-id="{order.id}"' in page.text
    assert "Afwijzen" in page.text


def test_staff_read_the_approval_history_in_their_language(app: Flask, db_session: Session) -> None:
    order = _pending_order(app, db_session)
    assert order.approval_reasons  # stored as English sentences
    response = _decide(_client(app, "superuser@1001.demo"), order, "approve")
    assert response.status_code == 302
    client = app.test_client()
    staff.log_in(client, "service@supplier.demo")
    page = client.get(f"/staff/orders/{order.number}", headers={"Accept-Language": "nl"}).text
    history = page[page.index('class="history"') :]
    for stored in order.approval_reasons:
        assert stored not in history  # worded again, not the stored English
    pending = history[history.index('data-status="pending_approval"') :].split("</li>")[0]
    assert "(" in pending  # the reasons are there, in Dutch
    assert "Goedgekeurd" in page[page.index('class="decisions"') :]
    assert ": approve" not in page
