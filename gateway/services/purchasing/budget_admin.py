"""Budgets as the customer's superuser sets them: create and change, each change audited with
its before and after (the rules that apply them are in `budgets`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.models import Budget, Organisation
from gateway.services import audit
from gateway.services.people.members import member
from gateway.services.purchasing import budgets


def save_budget(
    session: Session,
    *,
    actor: Actor,
    budget_id: int | None,
    user_id: int | None,
    name: str,
    max_order_amount: Decimal | None,
    period_amount: Decimal | None,
    period: str,
    policy: str,
    fiscal_start_month: int,
    now: datetime,
) -> Budget:
    """Create (`budget_id` None) or change a budget of the active customer or one of its users."""
    require(actor, Permission.ACCOUNT_BUDGET_WRITE)
    budgets.validate(
        max_order_amount=max_order_amount,
        period_amount=period_amount,
        period=period,
        policy=policy,
        fiscal_start_month=fiscal_start_month,
    )
    if user_id is not None:
        member(session, actor=actor, user_id=user_id)
    if budget_id is None:
        organisation = session.get_one(Organisation, actor.organisation_id)
        budget = Budget(organisation_id=actor.organisation_id, currency=organisation.currency)
        session.add(budget)
    else:
        budget = scope.load(session, Budget, budget_id, actor=actor)
    before = _budget_fields(budget)
    budget.user_id = user_id
    budget.name = name.strip()[:100]
    budget.max_order_amount = max_order_amount or None
    budget.period_amount = period_amount or None
    budget.period = period
    budget.policy = policy
    budget.fiscal_start_month = fiscal_start_month
    session.flush()
    after = _budget_fields(budget)
    audit.record_change(
        session,
        actor=actor,
        action="budget.create" if budget_id is None else "budget.edit",
        subject=f"budget {budget.id}",
        changes={key: [before[key], after[key]] for key in after if before[key] != after[key]},
        now=now,
    )
    session.flush()
    return budget


def _budget_fields(budget: Budget) -> dict[str, str | None]:
    return {
        field: None if getattr(budget, field) is None else str(getattr(budget, field))
        for field in (
            "user_id",
            "name",
            "max_order_amount",
            "period_amount",
            "period",
            "policy",
            "fiscal_start_month",
        )
    }
