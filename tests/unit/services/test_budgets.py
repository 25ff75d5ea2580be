"""Budget rules without Flask: what applies, the strictest outcome, reserving and releasing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import BudgetExceeded, InvalidInput
from gateway.models import Budget, BudgetCounter, Order, User
from gateway.services.purchasing import budgets
from tests.factories import customer, make_budget, make_user

NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
ZONE = "Europe/Amsterdam"


def _check(session: Session, user: User, amount: str, currency: str = "EUR") -> budgets.BudgetCheck:
    applicable = budgets.applicable(session, organisation_id=customer(session).id, user_id=user.id)
    return budgets.check(
        session, budgets=applicable, amount=Decimal(amount), currency=currency, now=NOW, zone=ZONE
    )


def _reserve(session: Session, user: User, amount: str) -> list[budgets.Reservation]:
    applicable = budgets.applicable(session, organisation_id=customer(session).id, user_id=user.id)
    with session.begin_nested():
        return budgets.reserve(
            session, budgets=applicable, amount=Decimal(amount), now=NOW, zone=ZONE
        )


def _order(session: Session, user: User, amount: str, status: str) -> Order:
    order = Order(
        number=f"T{amount}{status[:3]}",
        organisation_id=customer(session).id,
        user_id=user.id,
        status=status,
        currency="EUR",
        net_total=Decimal(amount),
        placed_at=NOW,
    )
    session.add(order)
    session.flush()
    return order


def _committed(session: Session, budget: Budget) -> Decimal:
    session.expire_all()
    return session.scalars(
        select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
    ).one()


def test_no_budget_means_unlimited(db_session: Session) -> None:
    user = make_user(db_session, "free@1001.test")
    check = _check(db_session, user, "1000000")
    assert check.outcome == "ok"
    assert check.hits == ()
    assert _reserve(db_session, user, "1000000") == []


def test_zero_or_empty_amounts_switch_a_limit_off(db_session: Session) -> None:
    user = make_user(db_session, "zero@1001.test")
    make_budget(db_session, user=user, period_amount="0", max_order_amount=None, policy="block")
    make_budget(db_session, user=user, period_amount=None, max_order_amount="0", policy="block")
    assert _check(db_session, user, "999.99").outcome == "ok"
    assert _reserve(db_session, user, "999.99") == []


def test_per_order_limit_requires_approval_and_names_the_shortfall(db_session: Session) -> None:
    user = make_user(db_session, "order@1001.test")
    make_budget(db_session, user=user, max_order_amount="100", name="Per order")
    check = _check(db_session, user, "120.50")
    assert check.outcome == "require_approval"
    (hit,) = check.hits
    assert (hit.limit, hit.shortfall) == ("order", Decimal("20.50"))
    assert check.messages("require_approval") == (
        "Budget 'Per order' allows EUR 100.00 per order; this order exceeds it by EUR 20.50.",
    )
    assert _check(db_session, user, "100").outcome == "ok"  # exactly the limit fits


def test_the_strictest_outcome_wins_over_every_applicable_budget(db_session: Session) -> None:
    user = make_user(db_session, "strict@1001.test")
    make_budget(db_session, user=user, max_order_amount="50", policy="require_approval")
    make_budget(db_session, user=None, period_amount="80", policy="block", name="Customer")
    assert _check(db_session, user, "60").outcome == "require_approval"
    check = _check(db_session, user, "90")
    assert check.outcome == "block"
    assert {hit.policy for hit in check.hits} == {"block", "require_approval"}


def test_customer_budgets_apply_to_members_and_never_across_customers(db_session: Session) -> None:
    member = make_user(db_session, "member@1001.test")
    outsider = make_user(db_session, "outsider@1002.test", number="1002")
    make_budget(db_session, user=None, period_amount="10", policy="block")
    make_budget(db_session, user=outsider, number="1002", period_amount="1", policy="block")
    assert _check(db_session, member, "11").outcome == "block"
    other = budgets.applicable(
        db_session, organisation_id=customer(db_session, "1002").id, user_id=outsider.id
    )
    assert [budget.organisation_id for budget in other] == [customer(db_session, "1002").id]


def test_a_budget_in_another_currency_is_never_compared(db_session: Session) -> None:
    user = make_user(db_session, "usd@1001.test")
    make_budget(db_session, user=user, period_amount="1000", currency="USD")
    check = _check(db_session, user, "5")
    assert check.outcome == "block"
    assert "another currency" in check.messages("block")[0]


def test_reserving_a_block_budget_stops_at_the_limit(db_session: Session) -> None:
    user = make_user(db_session, "block@1001.test")
    budget = make_budget(db_session, user=user, period_amount="500", policy="block")
    assert _reserve(db_session, user, "300")[0].over is None
    with pytest.raises(BudgetExceeded, match=r"exceeds it by EUR 100\.00"):
        _reserve(db_session, user, "300")
    assert _committed(db_session, budget) == Decimal(300)  # nothing of the refused order stays
    assert _reserve(db_session, user, "200")[0].over is None  # exactly the rest fits
    assert _committed(db_session, budget) == Decimal(500)


def test_a_refused_block_budget_undoes_the_other_reservations(db_session: Session) -> None:
    user = make_user(db_session, "both@1001.test")
    approval = make_budget(db_session, user=user, period_amount="1000")
    blocking = make_budget(db_session, user=None, period_amount="100", policy="block")
    with pytest.raises(BudgetExceeded):
        _reserve(db_session, user, "150")
    db_session.expire_all()
    assert db_session.scalars(
        select(BudgetCounter.committed).where(BudgetCounter.budget_id == approval.id)
    ).all() in ([], [Decimal(0)])
    assert blocking.id  # the blocking budget took nothing either
    assert db_session.scalars(
        select(BudgetCounter.committed).where(BudgetCounter.budget_id == blocking.id)
    ).all() in ([], [Decimal(0)])


def test_a_require_approval_budget_reserves_over_the_limit_and_reports_it(
    db_session: Session,
) -> None:
    user = make_user(db_session, "over@1001.test")
    budget = make_budget(db_session, user=user, period_amount="500")
    _reserve(db_session, user, "400")
    (taken,) = _reserve(db_session, user, "200")
    assert taken.over is not None
    assert taken.over.shortfall == Decimal(100)
    assert _committed(db_session, budget) == Decimal(600)


def test_pending_orders_reserve_placed_spend_and_rejection_releases(db_session: Session) -> None:
    user = make_user(db_session, "state@1001.test")
    budget = make_budget(db_session, user=user, period_amount="500")
    placed = _order(db_session, user, "120", "placed")
    budgets.record(db_session, order=placed, reservations=_reserve(db_session, user, "120"))
    pending = _order(db_session, user, "80", "pending_approval")
    budgets.record(db_session, order=pending, reservations=_reserve(db_session, user, "80"))
    state = budgets.state(db_session, budget=budget, now=NOW, zone=ZONE)
    assert (state.spent, state.reserved, state.remaining) == (
        Decimal(120),
        Decimal(80),
        Decimal(300),
    )
    assert state.period.key == "2026-05"
    assert state.period.last_day is not None
    assert state.period.last_day.isoformat() == "2026-05-31"
    assert _check(db_session, user, "301").outcome == "require_approval"

    pending.status = "rejected"
    assert budgets.release(db_session, order_id=pending.id, now=NOW) == Decimal(80)
    assert budgets.release(db_session, order_id=pending.id, now=NOW) == Decimal(0)  # once only
    assert _committed(db_session, budget) == Decimal(120)
    state = budgets.state(db_session, budget=budget, now=NOW, zone=ZONE)
    assert (state.spent, state.reserved) == (Decimal(120), Decimal(0))


def test_a_new_period_starts_from_zero(db_session: Session) -> None:
    user = make_user(db_session, "period@1001.test")
    budget = make_budget(db_session, user=user, period_amount="100", policy="block")
    _reserve(db_session, user, "100")
    june = datetime(2026, 5, 31, 22, 0, tzinfo=UTC)  # 1 June 00:00 in Amsterdam
    applicable = budgets.applicable(
        db_session, organisation_id=budget.organisation_id, user_id=user.id
    )
    with db_session.begin_nested():
        (taken,) = budgets.reserve(
            db_session, budgets=applicable, amount=Decimal(100), now=june, zone=ZONE
        )
    assert taken.over is None
    keys = db_session.scalars(
        select(BudgetCounter.period_key).where(BudgetCounter.budget_id == budget.id)
    ).all()
    assert sorted(keys) == ["2026-05", "2026-06"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period_amount": Decimal("-1")}, "cannot be negative"),
        ({"max_order_amount": Decimal("-0.01")}, "cannot be negative"),
        ({"period_amount": Decimal("1.001")}, "two decimals"),
        ({"period": "fortnight"}, "Unknown budget period"),
        ({"policy": "warn"}, "Unknown budget policy"),
        ({"fiscal_start_month": 13}, "month 1 to 12"),
    ],
)
def test_invalid_budget_definitions_are_refused(changes: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "max_order_amount": None,
        "period_amount": Decimal(100),
        "period": "month",
        "policy": "block",
        "fiscal_start_month": 1,
        **changes,
    }
    with pytest.raises(InvalidInput, match=message):
        budgets.validate(**values)  # type: ignore[arg-type]
