"""A budget's last periods, for the chart on the budget pages: what each period spent and
reserved against its amount.

Read from the per-period counters (b2b-rules B-5) and the unreleased reservations of orders still
awaiting approval, in two queries for all periods, so the chart costs the same after any number of
orders. Periods without a counter had no orders: they show as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import Budget, BudgetCounter, BudgetReservation, Order, OrderStatus
from gateway.services.purchasing.budget_periods import Period, period_of

CHART_PERIODS = 12


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodUse:
    """One period of one budget: its key, bounds, and what its orders spent and reserved."""

    period: Period
    limit: Decimal | None  # None: no period amount (the chart then scales to the largest use)
    spent: Decimal
    reserved: Decimal

    @property
    def used(self) -> Decimal:
        """Spent and reserved together: what the budget's counter holds for the period."""
        return self.spent + self.reserved

    @property
    def over(self) -> bool:
        """Whether the period used more than its amount (a `require_approval` budget may)."""
        return self.limit is not None and self.used > self.limit


@dataclass(frozen=True, slots=True, kw_only=True)
class History:
    """A budget's last periods, oldest first, and the scale the chart draws them against."""

    budget: Budget
    periods: tuple[PeriodUse, ...]

    @property
    def scale(self) -> Decimal:
        """The largest amount on the chart: the period amount or the largest use, at least 1."""
        tops = [use.used for use in self.periods] + [
            use.limit for use in self.periods if use.limit is not None
        ]
        return max([*tops, Decimal(1)])

    def height(self, amount: Decimal | None, *, full: int) -> int:
        """`amount` as a whole number of units of a chart `full` units high (0 for None)."""
        if not amount:
            return 0
        return max(round(amount * full / self.scale), 1)


def last_periods(
    budget: Budget, *, now: datetime, zone: str, count: int = CHART_PERIODS
) -> list[Period]:
    """The budget's `count` periods up to the one containing `now`, oldest first (a one-off
    budget has just its one period)."""
    found = [_period(budget, now, zone)]
    while len(found) < count and found[0].start is not None:
        found.insert(0, _period(budget, found[0].start - timedelta(microseconds=1), zone))
    return found


def history(
    session: Session, *, budget: Budget, now: datetime, zone: str, count: int = CHART_PERIODS
) -> History:
    """What the budget used in each of its last `count` periods."""
    periods = last_periods(budget, now=now, zone=zone, count=count)
    counters = {
        key: (counter_id, committed)
        for counter_id, key, committed in session.execute(
            select(BudgetCounter.id, BudgetCounter.period_key, BudgetCounter.committed).where(
                BudgetCounter.budget_id == budget.id,
                BudgetCounter.period_key.in_([period.key for period in periods]),
            )
        )
    }
    pending = select(Order.id).where(
        Order.organisation_id == budget.organisation_id,
        Order.status == OrderStatus.PENDING_APPROVAL,
    )
    reserved: dict[int, Decimal] = {
        counter_id: Decimal(amount)
        for counter_id, amount in session.execute(
            select(BudgetReservation.counter_id, func.sum(BudgetReservation.amount))
            .where(
                BudgetReservation.counter_id.in_([ids[0] for ids in counters.values()]),
                BudgetReservation.order_id.in_(pending),
                BudgetReservation.released_at.is_(None),
            )
            .group_by(BudgetReservation.counter_id)
        )
    }
    uses = []
    for period in periods:
        counter_id, committed = counters.get(period.key, (0, Decimal(0)))
        held = reserved.get(counter_id, Decimal(0))
        uses.append(
            PeriodUse(
                period=period,
                limit=budget.period_amount or None,
                spent=Decimal(committed - held),
                reserved=held,
            )
        )
    return History(budget=budget, periods=tuple(uses))


def _period(budget: Budget, instant: datetime, zone: str) -> Period:
    return period_of(
        instant, period=budget.period, zone=zone, fiscal_start_month=budget.fiscal_start_month
    )
