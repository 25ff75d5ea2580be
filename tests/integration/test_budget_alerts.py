"""Budget alerts: at 80 % and 100 % of a period's amount the holder and the customer's superusers
get one e-mail each, once per budget, period and threshold, through the outbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Budget, BudgetAlert, BudgetCounter, OutboxMessage
from gateway.models.outbox import EMAIL_DOCUMENT
from gateway.services.purchasing import budget_alerts
from gateway.services.purchasing.budget_periods import period_of
from tests.factories import make_budget, user_named
from tests.integration.test_approvals import _client, _fill_cart, _place

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
ZONE = "Europe/Amsterdam"


def _alerts(session: Session) -> list[dict[str, str]]:
    """The budget alert mails queued so far, oldest first."""
    session.expire_all()
    mails = [
        json.loads(message.body)
        for message in session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.document_type == EMAIL_DOCUMENT)
            .order_by(OutboxMessage.id)
        )
    ]
    return [mail for mail in mails if mail["subject"].startswith("Budget ")]


def _use(session: Session, budget: Budget, amount: str) -> None:
    """Set what the budget's current period has committed (as reserving orders would)."""
    key = period_of(NOW, period=budget.period, zone=ZONE).key
    counter = session.scalar(
        select(BudgetCounter).where(
            BudgetCounter.budget_id == budget.id, BudgetCounter.period_key == key
        )
    )
    if counter is None:
        counter = BudgetCounter(budget_id=budget.id, period_key=key, committed=Decimal(0))
        session.add(counter)
    counter.committed = Decimal(amount)
    session.flush()


def _check(session: Session, budget: Budget, *, now: datetime = NOW) -> int:
    return budget_alerts.after_reserve(session, budgets=[budget], now=now, zone=ZONE)


def test_80_and_100_percent_each_alert_the_holder_and_the_superusers_once(
    db_session: Session,
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    budget = make_budget(db_session, user=buyer, period_amount="1000.00", name="Office")

    _use(db_session, budget, "799.99")
    assert _check(db_session, budget) == 0
    assert _alerts(db_session) == []

    _use(db_session, budget, "800.00")
    assert _check(db_session, budget) == 2
    first = _alerts(db_session)
    assert sorted(mail["to"] for mail in first) == ["buyer@1001.demo", "superuser@1001.demo"]
    assert {mail["subject"] for mail in first} == {"Budget Office is 80 % used"}
    assert "@@BASE-URL@@/account/budgets" in first[0]["body"]
    assert "1 March 2026 to 31 March 2026" in first[0]["body"]

    _use(db_session, budget, "950.00")  # still past 80 %: nothing new
    assert _check(db_session, budget) == 0
    _use(db_session, budget, "1000.00")
    assert _check(db_session, budget) == 2
    _use(db_session, budget, "1200.00")
    assert _check(db_session, budget) == 0  # 100 % was told already this period
    subjects = [mail["subject"] for mail in _alerts(db_session)]
    assert subjects.count("Budget Office is 80 % used") == 2
    assert subjects.count("Budget Office is used up") == 2
    rows = db_session.scalars(select(BudgetAlert).where(BudgetAlert.budget_id == budget.id)).all()
    assert sorted((row.period_key, row.threshold) for row in rows) == [
        ("2026-03", 80),
        ("2026-03", 100),
    ]


def test_a_new_period_alerts_again(db_session: Session) -> None:
    budget = make_budget(db_session, user=None, period_amount="100.00", name="Team")
    _use(db_session, budget, "85.00")
    assert _check(db_session, budget) == 1  # a customer budget: the superusers only
    april = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
    key = period_of(april, period="month", zone=ZONE).key
    db_session.add(BudgetCounter(budget_id=budget.id, period_key=key, committed=Decimal(90)))
    db_session.flush()
    assert _check(db_session, budget, now=april) == 1
    assert [mail["to"] for mail in _alerts(db_session)] == ["superuser@1001.demo"] * 2


def test_jumping_past_both_thresholds_sends_only_the_100_percent_alert(
    db_session: Session,
) -> None:
    budget = make_budget(db_session, user=None, period_amount="100.00", name="Team")
    _use(db_session, budget, "130.00")
    assert _check(db_session, budget) == 1
    assert [mail["subject"] for mail in _alerts(db_session)] == ["Budget Team is used up"]
    _use(db_session, budget, "131.00")
    assert _check(db_session, budget) == 0  # and no late 80 % alert


def test_a_dutch_holder_reads_the_alert_in_dutch(db_session: Session) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    buyer.locale = "nl"
    budget = make_budget(db_session, user=buyer, period_amount="1000.00", name="Kantoor")
    _use(db_session, budget, "900.00")
    _check(db_session, budget)
    (dutch,) = [mail for mail in _alerts(db_session) if mail["to"] == "buyer@1001.demo"]
    assert dutch["subject"] == "Budget Kantoor is voor 80 % gebruikt"
    assert "1 maart 2026 t/m 31 maart 2026" in dutch["body"]
    assert "€\xa0900,00 van €\xa01.000,00" in dutch["body"]


def test_budgets_without_a_period_amount_never_alert(db_session: Session) -> None:
    budget = make_budget(db_session, user=None, max_order_amount="50.00")
    assert _check(db_session, budget) == 0


def test_checkout_that_reaches_80_percent_queues_the_alerts(
    app: Flask, db_session: Session
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    client = _client(app, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0081", "2"))
    cart_total = Decimal(
        client.get("/checkout").text.split('data-checkout-total="')[1].split('"')[0]
    )
    # The order alone takes 90 % of the period amount.
    make_budget(
        db_session,
        user=buyer,
        period_amount=str((cart_total / Decimal("0.9")).quantize(Decimal("0.01"))),
        name="Desk",
    )
    assert _place(client).status_code == 302
    assert sorted(mail["to"] for mail in _alerts(db_session)) == [
        "buyer@1001.demo",
        "superuser@1001.demo",
    ]
