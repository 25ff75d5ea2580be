"""`budgets.check_order`, the one budget check of checkout and punchout transfer: the budgets
that apply to the actor, the role's "every order needs approval", and how each caller reads it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from gateway.auth.policy import Actor
from gateway.services.purchasing import budgets
from tests.factories import actor_of, make_budget, make_user

NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
ZONE = "Europe/Amsterdam"
ROLE = "Your role needs approval for every order."
PER_ORDER = "Budget 'Per order' allows EUR 100.00 per order; this order exceeds it by EUR 50.00."
CUSTOMER = (
    "Budget 'Customer' allows EUR 120.00 for this period; this order exceeds it by EUR 30.00."
)


def _check(session: Session, actor: Actor, amount: str = "150") -> budgets.BudgetCheck:
    return budgets.check_order(
        session, actor=actor, amount=Decimal(amount), currency="EUR", now=NOW, zone=ZONE
    )


def test_nothing_stands_in_the_way_without_budgets_or_a_strict_role(db_session: Session) -> None:
    actor = actor_of(db_session, make_user(db_session, "free@1001.test"))
    check = _check(db_session, actor)
    assert (check.outcome, check.hits, check.states) == ("ok", (), ())
    assert (check.refusals, check.approval_reasons, check.objections) == ((), (), ())


def test_the_role_alone_needs_approval(db_session: Session) -> None:
    actor = actor_of(db_session, make_user(db_session, "strict@1001.test"))
    check = _check(db_session, replace(actor, requires_approval=True))
    assert check.outcome == "ok"  # the budgets are fine
    assert check.approval_reasons == check.objections == (ROLE,)
    assert check.refusals == ()


def test_role_approval_and_block_budgets_are_read_for_each_caller(db_session: Session) -> None:
    user = make_user(db_session, "both@1001.test")
    make_budget(db_session, user=user, max_order_amount="100", name="Per order")
    make_budget(db_session, user=None, period_amount="120", policy="block", name="Customer")
    check = _check(db_session, replace(actor_of(db_session, user), requires_approval=True))
    assert check.outcome == "block"
    assert [state.budget.name for state in check.states] == ["Per order", "Customer"]
    # Checkout: block budgets are problems, the rest are approval reasons (the role first).
    assert check.refusals == (CUSTOMER,)
    assert check.approval_reasons == (ROLE, PER_ORDER)
    # Punchout transfer (nobody approves there): everything, the role first.
    assert check.objections == (ROLE, CUSTOMER, PER_ORDER)


def test_only_the_actors_own_and_the_customers_budgets_apply(db_session: Session) -> None:
    user = make_user(db_session, "mine@1001.test")
    colleague = make_user(db_session, "colleague@1001.test")
    make_budget(db_session, user=colleague, max_order_amount="1", policy="block", name="Theirs")
    make_budget(db_session, user=None, number="1002", max_order_amount="1", policy="block")
    make_budget(db_session, user=user, max_order_amount="100", name="Per order")
    check = _check(db_session, actor_of(db_session, user))
    assert [state.budget.name for state in check.states] == ["Per order"]
    assert check.approval_reasons == (PER_ORDER,)
    assert check.refusals == ()
