"""Issue 17, the approval inbox: what each waiting order shows, take-over with added and removed
lines, bulk approval, the requester filter, the recorded history, stand-in approvers and
reminders; every refusal, and another customer's orders and colleagues out of reach."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.cli import main
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    ApprovalAbsence,
    ApprovalChange,
    ApprovalDecision,
    ApprovalReminder,
    AuditEntry,
    BudgetCounter,
    Order,
    OrderLine,
    OrderStatus,
    OutboxMessage,
    Product,
    Role,
)
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.services.catalog import pricing
from gateway.services.demo_catalog import SPECIALS
from gateway.services.purchasing import (
    approval_reasons,
    approval_reminders,
    approval_tiers,
    approvals,
    stand_ins,
)
from gateway.services.purchasing.approval_tiers import GroupSpec, TierSpec
from tests import shop
from tests.buyer import csrf_token
from tests.factories import actor_of, customer, make_budget, make_user, user_named
from tests.integration.test_approvals import _client, _decide, _fill_cart, _pending_order, _place

ZONE = "Europe/Amsterdam"
SUPERUSER = "superuser@1001.demo"
REQUESTER = "requester@1001.demo"
APPROVER_RIGHTS = sorted(DEFAULT_ROLES["buyer"] | {Permission.ORDER_APPROVE})


def _mails(session: Session, subject: str) -> list[str]:
    """The recipients of queued e-mails whose subject contains `subject`."""
    session.expire_all()
    found = []
    for message in session.scalars(
        select(OutboxMessage).where(OutboxMessage.document_type == EMAIL_DOCUMENT)
    ):
        mail = json.loads(message.body)
        if "to" in mail and subject in mail["subject"]:
            found.append(mail["to"])
    return sorted(found)


@pytest.fixture
def deputy(db_session: Session) -> str:
    """A colleague at 1001 who may approve but sees nobody's orders: approves nothing by default."""
    db_session.add(Role(name="deputy", permissions=list(APPROVER_RIGHTS)))
    db_session.flush()
    make_user(db_session, "deputy@1001.test", role="deputy")
    db_session.commit()
    return "deputy@1001.test"


def _away(
    session: Session,
    email: str,
    stand_in: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    now: datetime | None = None,
) -> ApprovalAbsence:
    today = datetime.now(UTC).date()
    absence = stand_ins.set_absence(
        session,
        actor=actor_of(session, user_named(session, email)),
        starts_on=starts_on or today - timedelta(days=1),
        ends_on=ends_on or today + timedelta(days=7),
        stand_in_id=user_named(session, stand_in).id,
        now=now or datetime.now(UTC),
        zone=ZONE,
    )
    session.commit()
    return absence


# What the inbox shows ---------------------------------------------------------------------------


def test_each_waiting_order_shows_who_when_why_in_words_and_the_budget_effect(
    app: Flask, db_session: Session
) -> None:
    buyer = make_user(db_session, "spender@1001.test", role="requester")
    make_budget(db_session, user=buyer, period_amount="1000", name="Team budget")
    make_budget(db_session, user=buyer, max_order_amount="1", name="Small orders")
    db_session.commit()
    order = _pending_order(app, db_session, "spender@1001.test")
    superuser = _client(app, SUPERUSER)

    page = superuser.get("/approvals").text
    assert 'data-requester="spender@1001.test"' in page
    local = order.placed_at.astimezone(ZoneInfo("Europe/Amsterdam"))  # the reader's zone
    assert f"Placed by spender on {local:%b} {local.day}, {local.year}" in page
    assert "The requester&#39;s role needs approval for every order." in page
    assert "Budget “Small orders” allows €1.00 per order; this order exceeds it by" in page
    share = int(order.net_total * 100 / Decimal(1000))
    assert f'data-budget-effect="Team budget" data-share="{share}"' in page
    assert "of the € 1.000,00 that remained" in page or "of the €1,000.00 that remained" in page
    assert 'data-budget-effect="Small orders"' in page

    dutch = superuser.get("/approvals", headers={"Accept-Language": "nl"}).text
    assert "De rol van de aanvrager vereist goedkeuring voor elke bestelling." in dutch
    assert "Budget “Small orders” staat €\xa01,00 per bestelling toe" in dutch
    assert "Effect op het budget" in dutch
    assert "Your role needs approval" not in dutch


def test_the_budget_effect_counts_what_remained_before_this_order(
    app: Flask, db_session: Session
) -> None:
    buyer = make_user(db_session, "effect@1001.test", role="requester")
    make_budget(db_session, user=buyer, period_amount="1000", name="Team budget")
    db_session.commit()
    first = _pending_order(app, db_session, "effect@1001.test")
    second = _pending_order(app, db_session, "effect@1001.test")
    (effect,) = approvals.budget_effects(db_session, order=second)
    assert effect.remaining_before == Decimal(1000) - first.net_total
    assert effect.amount == second.net_total
    assert effect.share == int(second.net_total * 100 / (Decimal(1000) - first.net_total))
    assert not effect.over


def test_an_unknown_stored_reason_is_shown_as_stored() -> None:
    order = Order(approval_reasons=["Contains products of catalog 'Chemicals'."])
    (reason,) = approvals.reasons(order)
    assert reason.kind == approval_reasons.ReasonKind.OTHER
    assert reason.text == "Contains products of catalog 'Chemicals'."


def test_the_inbox_filters_by_requester(app: Flask, db_session: Session) -> None:
    make_user(db_session, "second@1001.test", role="requester")
    db_session.commit()
    rita = _pending_order(app, db_session)
    other = _pending_order(app, db_session, "second@1001.test")
    superuser = _client(app, SUPERUSER)
    page = superuser.get("/approvals").text
    assert "data-requester-filter" in page
    assert f'data-order-id="{rita.id}"' in page
    assert f'data-order-id="{other.id}"' in page
    rita_id = user_named(db_session, REQUESTER).id
    only = superuser.get(f"/approvals?requester={rita_id}").text
    assert f'data-order-id="{rita.id}"' in only
    assert f'data-order-id="{other.id}"' not in only
    # Another customer's user, or nonsense, filters nothing in: no leak, no error.
    foreign = user_named(db_session, "superuser@1002.demo").id
    assert 'data-order-id="' not in superuser.get(f"/approvals?requester={foreign}").text
    assert superuser.get("/approvals?requester=x").status_code == 200


# Take-over: change, remove, add ------------------------------------------------------------------


def test_take_over_changes_removes_and_adds_lines_priced_like_the_cart(
    app: Flask, db_session: Session
) -> None:
    buyer = make_user(db_session, "lines@1001.test", role="requester")
    budget = make_budget(db_session, user=buyer, period_amount="5000")
    db_session.commit()
    client = _client(app, "lines@1001.test")
    _fill_cart(client, ("DEMO-0081", "2"), ("DEMO-0090", "3"))
    assert _place(client).status_code == 302
    order = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert len(order.lines) == 2
    superuser = _client(app, SUPERUSER)

    response = shop.post(
        superuser,
        f"/approvals/{order.id}/take-over",
        {
            "quantity_1": "1",
            "quantity_2": "0",
            "add_sku": "DEMO-0043",
            "add_quantity": "4",
            "comment": "Fewer pens, add paper",
        },
        via="/catalog",
    )
    assert response.status_code == 302, response.text
    db_session.expire_all()
    assert order.status == "placed"
    assert [(line.line_number, line.sku, line.quantity) for line in order.lines] == [
        (1, "DEMO-0081", 1),
        (3, "DEMO-0043", 4),
    ]
    added = order.lines[1]
    product = db_session.scalars(select(Product).where(Product.sku == "DEMO-0043")).one()
    expected = pricing.unit_price(db_session, customer(db_session), product, Decimal(4))
    assert added.unit_price == expected != product.list_price  # the customer's contract price
    assert added.net_amount == pricing.line_total(expected, Decimal(4))
    assert order.net_total == sum(line.net_amount for line in order.lines)
    committed = db_session.scalars(
        select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
    ).one()
    assert committed == order.net_total

    changes = db_session.scalars(select(ApprovalChange).order_by(ApprovalChange.id)).all()
    assert [(c.line_number, c.sku, c.before, c.after) for c in changes] == [
        (1, "DEMO-0081", "2", "1"),
        (2, "DEMO-0090", "3", None),
        (3, "DEMO-0043", None, "4"),
    ]
    # The requester and the approver both see who changed what.
    for email in ("lines@1001.test", SUPERUSER):
        page = _client(app, email).get(f"/orders/{order.id}").text
        assert f'data-decided-by="{SUPERUSER}"' in page
        assert "changed and approved by Sam Superuser (1001)" in page
        assert (
            'data-change-line="1" data-change-sku="DEMO-0081" data-before="2" data-after="1"'
            in (page)
        )
        assert "Line 2 removed:" in page
        assert "Line 3 added:" in page
        assert "Fewer pens, add paper" in page
    dutch = _client(app, "lines@1001.test").get(
        f"/orders/{order.id}", headers={"Accept-Language": "nl"}
    )
    assert "gewijzigd en goedgekeurd door Sam Superuser (1001)" in dutch.text
    assert "Regel 3 toegevoegd" in dutch.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"add_sku": "NO-SUCH-SKU", "add_quantity": "1"}, "no product"),
        ({"add_sku": "DEMO-0081", "add_quantity": "1"}, "already line 1"),
        ({"add_sku": "DEMO-0042", "add_quantity": "-2"}, "New line DEMO-0042: Quantity must be"),
        ({"add_sku": "DEMO-0042", "add_quantity": "0"}, "greater than zero"),
        ({"add_sku": "", "add_quantity": "3"}, "which product"),
        ({"add_sku": "DEMO-0042", "add_quantity": "many"}, "must be a number"),
    ],
)
def test_an_added_line_that_cannot_be_is_refused_and_changes_nothing(
    app: Flask, db_session: Session, fields: dict[str, str], message: str
) -> None:
    order = _pending_order(app, db_session)
    superuser = _client(app, SUPERUSER)
    response = _decide(superuser, order, "take-over", **fields)
    assert response.status_code == 400
    assert message in response.text
    db_session.expire_all()
    assert order.status == "pending_approval"
    assert [line.sku for line in order.lines] == ["DEMO-0081"]
    assert db_session.scalar(select(func.count()).select_from(ApprovalDecision)) == 0
    assert db_session.scalar(select(func.count()).select_from(ApprovalChange)) == 0


def test_an_added_product_must_be_in_the_requesters_assortment(db_session: Session) -> None:
    """Customer 1001's specials cannot be slipped into an order of customer 1002."""
    make_user(db_session, "asker@1002.test", role="requester", number="1002")
    order = _service_order(db_session, "asker@1002.test", number="1002")
    special = SPECIALS[0][0]
    with pytest.raises(InvalidInput, match=f"no product '{special}' in this assortment"):
        approvals.take_over(
            db_session,
            actor=actor_of(db_session, user_named(db_session, "superuser@1002.demo"), "1002"),
            order_id=order.id,
            quantities={},
            additions=[approvals.Addition(sku=special, quantity=Decimal(1))],
            now=datetime.now(UTC),
        )
    assert [line.sku for line in order.lines] == ["DEMO-0081"]


_NUMBERS = itertools.count(1)


def _service_order(session: Session, email: str = REQUESTER, number: str = "1001") -> Order:
    """A pending order of `email` with one line, made directly (no web request)."""
    user = user_named(session, email)
    order = Order(
        number=f"T-{next(_NUMBERS)}",
        organisation_id=customer(session, number).id,
        user_id=user.id,
        status=OrderStatus.PENDING_APPROVAL,
        currency="EUR",
        net_total=Decimal("10.00"),
        placed_at=datetime.now(UTC),
        approval_reasons=["Your role needs approval for every order."],
        lines=[
            OrderLine(
                line_number=1,
                sku="DEMO-0081",
                description="Pens",
                unit="EA",
                quantity=Decimal(1),
                unit_price=Decimal("10.00"),
                net_amount=Decimal("10.00"),
            )
        ],
    )
    session.add(order)
    session.flush()
    return order


# Bulk approval ----------------------------------------------------------------------------------


def test_bulk_approval_approves_every_ticked_order(app: Flask, db_session: Session) -> None:
    first, second, third = (_pending_order(app, db_session) for _ in range(3))
    superuser = _client(app, SUPERUSER)
    page = superuser.get("/approvals").text
    assert 'id="bulk-approve"' in page
    assert f'name="order_id" value="{first.id}" form="bulk-approve"' in page
    response = shop.post(
        superuser,
        "/approvals/bulk-approve",
        {"order_id": [str(first.id), str(third.id)]},
        via="/approvals",
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert (first.status, second.status, third.status) == ("placed", "pending_approval", "placed")
    assert db_session.scalar(select(func.count()).select_from(ApprovalDecision)) == 2


def test_bulk_approval_reports_what_it_could_not_approve_and_approves_the_rest(
    app: Flask, db_session: Session
) -> None:
    make_user(db_session, "asker@1002.test", role="requester", number="1002")
    db_session.commit()
    mine = _pending_order(app, db_session)
    foreign = _pending_order(app, db_session, "asker@1002.test")  # customer 1002's
    superuser = _client(app, SUPERUSER)
    decided = _pending_order(app, db_session)
    assert _decide(superuser, decided, "approve").status_code == 302
    response = shop.post(
        superuser,
        "/approvals/bulk-approve",
        {"order_id": [str(mine.id), str(foreign.id), str(decided.id)]},
        via="/approvals",
    )
    assert response.status_code == 200
    assert f'data-refused-order="{foreign.id}"' in response.text
    assert "No such order." in response.text
    assert f'data-refused-order="{decided.id}"' in response.text
    assert "no longer awaiting approval" in response.text
    db_session.expire_all()
    assert (mine.status, foreign.status) == ("placed", "pending_approval")


def test_bulk_approval_without_a_tick_or_by_someone_without_the_right_is_refused(
    app: Flask, db_session: Session
) -> None:
    order = _pending_order(app, db_session)
    superuser = _client(app, SUPERUSER)
    empty = shop.post(superuser, "/approvals/bulk-approve", {}, via="/approvals")
    assert empty.status_code == 400
    assert "Tick at least one order" in empty.text
    buyer = _client(app, "buyer@1001.demo")
    refused = shop.post(
        buyer, "/approvals/bulk-approve", {"order_id": str(order.id)}, via="/catalog"
    )
    assert refused.status_code == 403
    own = shop.post(
        _client(app, REQUESTER),
        "/approvals/bulk-approve",
        {"order_id": str(order.id)},
        via="/catalog",
    )
    assert own.status_code == 403
    db_session.expire_all()
    assert order.status == "pending_approval"


# Stand-ins ---------------------------------------------------------------------------------------


def test_a_stand_in_receives_and_decides_during_the_absence_on_behalf_of_the_approver(
    app: Flask, db_session: Session, deputy: str
) -> None:
    deputy_client = _client(app, deputy)
    before = _pending_order(app, db_session)
    assert f'data-order-id="{before.id}"' not in deputy_client.get("/approvals").text
    assert _decide(deputy_client, before, "approve").status_code == 404

    superuser = _client(app, SUPERUSER)
    form = superuser.get("/approvals/absence")
    assert form.status_code == 200
    assert f'value="{user_named(db_session, deputy).id}"' in form.text  # a candidate
    today = datetime.now(UTC).date()
    saved = shop.post(
        superuser,
        "/approvals/absence",
        {
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "ends_on": (today + timedelta(days=3)).isoformat(),
            "stand_in": str(user_named(db_session, deputy).id),
        },
        via="/approvals/absence",
    )
    assert saved.status_code == 302, saved.text
    audit = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "approval.absence")
    ).one()
    assert audit.changes["stand_in"] == [None, deputy]

    order = _pending_order(app, db_session)
    assert _mails(db_session, f"Order {order.number} awaits") == sorted([SUPERUSER, deputy])
    page = deputy_client.get("/approvals").text
    assert f'data-order-id="{before.id}"' in page  # what waited already reaches the stand-in
    assert f'data-on-behalf-of="{SUPERUSER}"' in page
    assert _decide(deputy_client, order, "approve").status_code == 302
    decision = db_session.scalars(
        select(ApprovalDecision).where(ApprovalDecision.order_id == order.id)
    ).one()
    assert decision.approver_id == user_named(db_session, deputy).id
    assert decision.on_behalf_of_id == user_named(db_session, SUPERUSER).id
    shown = _client(app, REQUESTER).get(f"/orders/{order.id}").text
    assert f'data-on-behalf-of="{SUPERUSER}"' in shown
    assert "on behalf of Sam Superuser (1001)" in shown
    # The approver still decides in their own right meanwhile.
    assert _decide(superuser, before, "approve").status_code == 302
    own = db_session.scalars(
        select(ApprovalDecision).where(ApprovalDecision.order_id == before.id)
    ).one()
    assert own.on_behalf_of_id is None


def test_the_delegation_holds_only_during_the_absence(db_session: Session, deputy: str) -> None:
    order = _service_order(db_session)
    stand_in = actor_of(db_session, user_named(db_session, deputy))
    monday = date(2030, 6, 3)
    _away(
        db_session,
        SUPERUSER,
        deputy,
        starts_on=monday,
        ends_on=monday + timedelta(days=4),
        now=datetime(2030, 6, 1, tzinfo=UTC),
    )
    # Amsterdam is UTC+2 in June: the absence runs from Sunday 22:00 UTC to Friday 22:00 UTC.
    for moment, inside in (
        (datetime(2030, 6, 2, 21, 59, tzinfo=UTC), False),
        (datetime(2030, 6, 2, 22, 0, tzinfo=UTC), True),
        (datetime(2030, 6, 7, 21, 59, tzinfo=UTC), True),
        (datetime(2030, 6, 7, 22, 0, tzinfo=UTC), False),
    ):
        found = approvals.inbox(db_session, actor=stand_in, now=moment)
        assert (order in found) is inside, moment
        assert (
            approvals.authority(db_session, actor=stand_in, order=order, now=moment) is not None
        ) is inside


def test_an_ended_absence_ends_the_delegation(app: Flask, db_session: Session, deputy: str) -> None:
    absence = _away(db_session, SUPERUSER, deputy)
    order = _pending_order(app, db_session)
    deputy_client = _client(app, deputy)
    assert f'data-order-id="{order.id}"' in deputy_client.get("/approvals").text
    superuser = _client(app, SUPERUSER)
    ended = shop.post(
        superuser, f"/approvals/absence/{absence.id}/end", {}, via="/approvals/absence"
    )
    assert ended.status_code == 302
    assert f'data-order-id="{order.id}"' not in deputy_client.get("/approvals").text
    assert _decide(deputy_client, order, "approve").status_code == 404
    db_session.expire_all()
    assert absence.ended_at is not None  # kept on record


def test_nobody_approves_their_own_order_through_a_stand_in(
    app: Flask, db_session: Session, deputy: str
) -> None:
    """The approver a tier names is away and the requester is the stand-in: the requester still
    cannot approve their own order, and nobody else may stand in meanwhile."""
    approver = make_user(db_session, "tier@1001.test", role="superuser")
    requester = make_user(db_session, "asker@1001.test", role="deputy")
    requester.name = "Asker"
    db_session.commit()
    approval_tiers.define(
        db_session,
        actor=actor_of(db_session, user_named(db_session, SUPERUSER)),
        tiers=[TierSpec(groups=(GroupSpec(users=(approver.email,)),))],
    )
    db_session.commit()
    _away(db_session, approver.email, requester.email)
    client = _client(app, requester.email)
    make_budget(db_session, user=requester, max_order_amount="1", name="Tiny")
    db_session.commit()
    _fill_cart(client, ("DEMO-0081", "1"))
    assert _place(client).status_code == 302
    order = db_session.scalars(select(Order).order_by(Order.id.desc())).first()
    assert order is not None
    assert order.status == "pending_approval"
    assert f'data-order-id="{order.id}"' not in client.get("/approvals").text
    assert _decide(client, order, "approve").status_code == 403
    assert _mails(db_session, f"Order {order.number} awaits") == [approver.email]
    with pytest.raises(PermissionDenied):
        approvals.decidable(db_session, actor=actor_of(db_session, requester), order_id=order.id)
    # The superuser is not in the tier: not a stand-in either.
    assert _decide(_client(app, SUPERUSER), order, "approve").status_code == 404
    db_session.expire_all()
    assert order.status == "pending_approval"


def test_a_tier_approver_away_is_stood_in_for_within_the_tier(
    app: Flask, db_session: Session, deputy: str
) -> None:
    approver = make_user(db_session, "tier2@1001.test", role="superuser")
    db_session.commit()
    approval_tiers.define(
        db_session,
        actor=actor_of(db_session, user_named(db_session, SUPERUSER)),
        tiers=[TierSpec(groups=(GroupSpec(users=(approver.email,)),))],
    )
    db_session.commit()
    _away(db_session, approver.email, deputy)
    order = _pending_order(app, db_session)
    assert _mails(db_session, f"Order {order.number} awaits") == sorted([approver.email, deputy])
    assert _decide(_client(app, deputy), order, "approve").status_code == 302
    decision = db_session.scalars(
        select(ApprovalDecision).where(ApprovalDecision.order_id == order.id)
    ).one()
    assert decision.on_behalf_of_id == approver.id
    assert decision.group_id is not None
    db_session.expire_all()
    assert order.status == "placed"


@pytest.mark.parametrize(
    ("stand_in", "days", "message"),
    [
        ("superuser@1002.demo", (0, 3), "must be an active colleague of your organisation"),
        ("buyer@1001.demo", (0, 3), "may not approve orders"),
        (SUPERUSER, (0, 3), "cannot stand in for yourself"),
        ("deputy@1001.test", (3, 1), "cannot end before it starts"),
        ("deputy@1001.test", (-5, -2), "already over"),
        ("deputy@1001.test", (0, 400), "at most 366 days"),
    ],
)
def test_an_absence_that_cannot_be_is_refused_with_a_clear_message(
    app: Flask,
    db_session: Session,
    deputy: str,
    stand_in: str,
    days: tuple[int, int],
    message: str,
) -> None:
    today = datetime.now(UTC).date()
    response = shop.post(
        _client(app, SUPERUSER),
        "/approvals/absence",
        {
            "starts_on": (today + timedelta(days=days[0])).isoformat(),
            "ends_on": (today + timedelta(days=days[1])).isoformat(),
            "stand_in": str(user_named(db_session, stand_in).id),
        },
        via="/approvals/absence",
    )
    assert response.status_code == 400
    assert 'data-problem="absence"' in response.text
    assert message in response.text
    assert db_session.scalar(select(func.count()).select_from(ApprovalAbsence)) == 0


def test_absence_refusals_speak_dutch_and_bad_dates_are_a_message(
    app: Flask, db_session: Session, deputy: str
) -> None:
    superuser = _client(app, SUPERUSER)
    refused = superuser.post(
        "/approvals/absence",
        data={
            "csrf_token": csrf_token(superuser.get("/approvals/absence").text),
            "starts_on": "2030-06-05",
            "ends_on": "2030-06-01",
            "stand_in": str(user_named(db_session, deputy).id),
        },
        headers={"Accept-Language": "nl"},
    )
    assert refused.status_code == 400
    assert "De afwezigheid kan niet eindigen voordat ze begint." in refused.text
    nonsense = shop.post(
        superuser,
        "/approvals/absence",
        {"starts_on": "soon", "ends_on": "", "stand_in": "x"},
        via="/approvals/absence",
    )
    assert nonsense.status_code == 400
    assert "first and the last day of the absence" in nonsense.text


def test_overlapping_absences_are_refused(db_session: Session, deputy: str) -> None:
    _away(db_session, SUPERUSER, deputy)
    with pytest.raises(InvalidInput, match="overlaps another of yours"):
        _away(db_session, SUPERUSER, deputy)


def test_another_users_absence_cannot_be_ended(
    app: Flask, db_session: Session, deputy: str
) -> None:
    absence = _away(db_session, SUPERUSER, deputy)
    for email in (deputy, "superuser@1002.demo"):
        response = shop.post(
            _client(app, email), f"/approvals/absence/{absence.id}/end", {}, via="/catalog"
        )
        assert response.status_code == 404
    with pytest.raises(NotFound):
        stand_ins.end_absence(
            db_session,
            actor=actor_of(db_session, user_named(db_session, "superuser@1002.demo"), "1002"),
            absence_id=absence.id,
            now=datetime.now(UTC),
        )
    db_session.expire_all()
    assert absence.ended_at is None


def test_a_stand_in_who_lost_the_approval_right_stands_in_no_more(
    app: Flask, db_session: Session, deputy: str
) -> None:
    _away(db_session, SUPERUSER, deputy)
    order = _pending_order(app, db_session)
    role = db_session.scalars(select(Role).where(Role.name == "deputy")).one()
    role.permissions = sorted(DEFAULT_ROLES["buyer"])
    db_session.commit()
    assert _decide(_client(app, deputy), order, "approve").status_code == 403
    stand = stand_ins.standing_in(
        db_session,
        organisation_id=customer(db_session).id,
        approver_ids={user_named(db_session, SUPERUSER).id},
        now=datetime.now(UTC),
    )
    assert stand == {}


def test_the_absence_page_needs_the_approval_right(app: Flask, db_session: Session) -> None:
    assert _client(app, "buyer@1001.demo").get("/approvals/absence").status_code == 403


# Reminders --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("placed", "due"),
    [
        # Amsterdam local times (UTC+1 in winter); weekends do not count.
        ((2026, 12, 1, 9, 0), (2026, 12, 3, 9, 0)),  # Tue -> Thu
        ((2026, 12, 4, 15, 0), (2026, 12, 8, 15, 0)),  # Fri -> Tue
        ((2026, 12, 5, 10, 0), (2026, 12, 8, 10, 0)),  # Sat -> Tue
        ((2026, 12, 6, 23, 30), (2026, 12, 8, 23, 30)),  # Sun -> Tue
    ],
)
def test_reminders_count_working_days(
    placed: tuple[int, int, int, int, int], due: tuple[int, int, int, int, int]
) -> None:
    local = ZoneInfo(ZONE)
    assert approval_reminders.due_at(
        datetime(*placed, tzinfo=local).astimezone(UTC), working_days=2, zone=ZONE
    ) == datetime(*due, tzinfo=local)


def test_an_order_waiting_too_long_reminds_its_approvers_once(
    db_session: Session, deputy: str
) -> None:
    order = _service_order(db_session)
    order.placed_at = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)  # Friday 15:00 in Amsterdam
    db_session.flush()
    _away(
        db_session,
        SUPERUSER,
        deputy,
        now=datetime(2026, 12, 4, 14, 0, tzinfo=UTC),
        starts_on=date(2026, 12, 4),
        ends_on=date(2026, 12, 31),
    )
    monday = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
    assert approval_reminders.sweep(db_session, now=monday, zone=ZONE) == []
    tuesday = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)
    assert approval_reminders.sweep(db_session, now=tuesday, zone=ZONE) == [order]
    subject = f"Reminder: order {order.number}"
    assert _mails(db_session, subject) == sorted([SUPERUSER, deputy])
    # Idempotent: later sweeps (another worker, the next minute) send nothing more.
    assert approval_reminders.sweep(db_session, now=tuesday + timedelta(days=3), zone=ZONE) == []
    assert _mails(db_session, subject) == sorted([SUPERUSER, deputy])
    assert db_session.scalar(select(func.count()).select_from(ApprovalReminder)) == 1


def test_of_two_sweeps_claiming_the_same_order_only_one_reminds(db_session: Session) -> None:
    """What makes two workers' sweeps send one reminder: the claim is insert-or-nothing."""
    order = _service_order(db_session)
    now = datetime.now(UTC)
    assert approval_reminders._claim(db_session, order_id=order.id, now=now) is True
    assert approval_reminders._claim(db_session, order_id=order.id, now=now) is False
    assert db_session.scalar(select(func.count()).select_from(ApprovalReminder)) == 1


def test_decided_orders_and_customers_without_reminders_are_not_reminded(
    db_session: Session,
) -> None:
    decided = _service_order(db_session)
    decided.status = "placed"
    waiting = _service_order(db_session)
    for order in (decided, waiting):
        order.placed_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    customer(db_session).approval_reminder_days = 0
    db_session.flush()
    later = datetime(2026, 12, 1, tzinfo=UTC)
    assert approval_reminders.sweep(db_session, now=later, zone=ZONE) == []
    customer(db_session).approval_reminder_days = 10
    db_session.flush()
    assert approval_reminders.sweep(db_session, now=later, zone=ZONE) == [waiting]


def test_the_superuser_sets_the_reminder_delay_on_the_organisation_page(
    app: Flask, db_session: Session
) -> None:
    superuser = _client(app, SUPERUSER)
    page = superuser.get("/account/organisation").text
    assert 'name="approval_reminder_days" value="2"' in page
    saved = shop.post(
        superuser,
        "/account/organisation/approval-reminders",
        {"approval_reminder_days": "5"},
        via="/account/organisation",
    )
    assert saved.status_code == 302
    db_session.expire_all()
    assert customer(db_session).approval_reminder_days == 5
    assert db_session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "organisation.approval_reminders")
    ).one() == {"approval_reminder_days": ["2", "5"]}
    for bad in ("31", "-1", "two", ""):
        refused = shop.post(
            superuser,
            "/account/organisation/approval-reminders",
            {"approval_reminder_days": bad},
            via="/account/organisation",
        )
        assert refused.status_code == 400, bad
        assert "Remind after 0 to 30 working days" in refused.text
    db_session.expire_all()
    assert customer(db_session).approval_reminder_days == 5
    buyer = shop.post(
        _client(app, "buyer@1001.demo"),
        "/account/organisation/approval-reminders",
        {"approval_reminder_days": "1"},
        via="/catalog",
    )
    assert buyer.status_code == 403


def test_the_worker_and_the_command_sweep_for_reminders(tmp_path: Path) -> None:
    cli_app = create_app(
        {
            "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
            "GATEWAY_SECRET_KEY": "cli-secret",
        }
    )
    runner = cli_app.test_cli_runner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    database = cli_app.extensions["gateway.db"]
    with database.session_scope() as session:
        first, second = _service_order(session), _service_order(session)
        for order in (first, second):
            order.placed_at = datetime.now(UTC) - timedelta(days=10)
        first_id, second_id = first.id, second.id
        second.status = OrderStatus.PLACED  # decided: never reminded
    result = runner.invoke(main, ["approvals", "remind"])
    assert result.output == "Reminded the approvers of 1 order.\n", result.output
    assert runner.invoke(main, ["approvals", "remind"]).output.startswith(
        "Reminded the approvers of 0"
    )
    with database.session_scope() as session:
        session.get_one(Order, second_id).status = OrderStatus.PENDING_APPROVAL
    assert runner.invoke(main, ["worker", "--once"]).exit_code == 0
    with database.session_scope() as session:
        reminded = set(session.scalars(select(ApprovalReminder.order_id)))
        assert reminded == {first_id, second_id}
        assert _mails(session, "Reminder: order") == [SUPERUSER, SUPERUSER]
