"""Budgets: which apply, what they allow, reserving and releasing amounts (b2b-rules §3).

The amount of an order is its net total (goods plus shipping, without tax). Orders pending
approval reserve, placed orders spend; a rejected or cancelled order releases its reservations.
Reserving is one conditional UPDATE per (budget, period) counter, checked by rowcount, so two
concurrent checkouts can never both fit into the same remainder (B-5), on SQLite as on PostgreSQL.
`check_order` is the one check of an order, for checkout and punchout transfer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.auth.policy import Actor
from gateway.db import affected_rows
from gateway.errors import BudgetExceeded, InvalidInput
from gateway.models import (
    Budget,
    BudgetCounter,
    BudgetPeriod,
    BudgetPolicy,
    BudgetReservation,
    Order,
    OrderStatus,
)
from gateway.models.catalog import PRICE
from gateway.services.labels import N_
from gateway.services.purchasing.budget_periods import Period, period_of


class BudgetLimit(StrEnum):
    """Which limit of a budget an order exceeds (`BudgetHit.limit`)."""

    ORDER = "order"  # the amount per order
    PERIOD = "period"  # what is left of the period's amount
    CURRENCY = "currency"  # the budget is kept in another currency (no rate to convert)


class BudgetOutcome(StrEnum):
    """What the budgets say about an order (`BudgetCheck.outcome`): the strictest hit's policy."""

    OK = "ok"
    REQUIRE_APPROVAL = BudgetPolicy.REQUIRE_APPROVAL.value
    BLOCK = BudgetPolicy.BLOCK.value


_SEVERITY = {BudgetOutcome.OK: 0, BudgetOutcome.REQUIRE_APPROVAL: 1, BudgetOutcome.BLOCK: 2}
ROLE_NEEDS_APPROVAL = "Your role needs approval for every order."


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetHit:
    """One limit of one budget the order would exceed."""

    budget_id: int
    budget_name: str
    limit: BudgetLimit
    amount: Decimal  # the limit
    remaining: Decimal
    shortfall: Decimal
    policy: str  # a BudgetPolicy

    def message(self, currency: str) -> str:
        """The hit in words, naming the budget and the shortfall."""
        if self.limit == BudgetLimit.CURRENCY:
            return f"Budget {self.budget_name!r} is kept in another currency; no rate is set."
        what = "per order" if self.limit == BudgetLimit.ORDER else "for this period"
        return (
            f"Budget {self.budget_name!r} allows {currency} {self.amount:.2f} {what}; "
            f"this order exceeds it by {currency} {self.shortfall:.2f}."
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetState:
    """A budget's state in the current period, for the budget bar."""

    budget: Budget
    period: Period
    limit: Decimal | None
    spent: Decimal
    reserved: Decimal

    @property
    def remaining(self) -> Decimal | None:
        """What is left (never below zero); None when the budget has no period limit."""
        if self.limit is None:
            return None
        return max(self.limit - self.spent - self.reserved, Decimal(0))

    def percent(self, part: Decimal) -> int:
        """`part` as a whole percentage of the limit, for the bar's widths."""
        if not self.limit:
            return 0
        return min(int(part * 100 / self.limit), 100)


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetCheck:
    """An order amount against every applicable budget (B-1, B-6): the hits, and the verdict.

    `role_needs_approval` is the orderer's role setting "every order needs approval" (A-1),
    which `check_order` weighs together with the budgets.
    """

    amount: Decimal
    currency: str
    hits: tuple[BudgetHit, ...]
    states: tuple[BudgetState, ...]
    role_needs_approval: bool = False

    @property
    def outcome(self) -> BudgetOutcome:
        """`block` > `require_approval` > `ok`: the strictest hit wins."""
        return max(
            (BudgetOutcome(hit.policy) for hit in self.hits),
            key=_SEVERITY.__getitem__,
            default=BudgetOutcome.OK,
        )

    def messages(self, policy: BudgetPolicy) -> tuple[str, ...]:
        """The hits of one policy, in words."""
        return tuple(hit.message(self.currency) for hit in self.hits if hit.policy == policy)

    @property
    def refusals(self) -> tuple[str, ...]:
        """Why the order cannot be placed at all: the exceeded `block` budgets."""
        return self.messages(BudgetPolicy.BLOCK)

    @property
    def approval_reasons(self) -> tuple[str, ...]:
        """Why the order needs an approver (A-1): the role, then the exceeded
        `require_approval` budgets."""
        return self._role_reason + self.messages(BudgetPolicy.REQUIRE_APPROVAL)

    @property
    def objections(self) -> tuple[str, ...]:
        """Everything against the order where nobody approves it (a punchout transfer of a
        partner that enforces budgets, A-10): the role, the refusals, the approval reasons."""
        return self._role_reason + self.refusals + self.messages(BudgetPolicy.REQUIRE_APPROVAL)

    @property
    def _role_reason(self) -> tuple[str, ...]:
        return (ROLE_NEEDS_APPROVAL,) if self.role_needs_approval else ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Reservation:
    """What one conditional UPDATE took from one counter; `over` when it exceeded the limit."""

    counter_id: int
    amount: Decimal
    over: BudgetHit | None


def applicable(session: Session, *, organisation_id: int, user_id: int) -> list[Budget]:
    """The user's active budgets within the customer and the customer's own (B-1)."""
    return list(
        session.scalars(
            select(Budget)
            .where(
                Budget.organisation_id == organisation_id,
                Budget.active,
                or_(Budget.user_id == user_id, Budget.user_id.is_(None)),
            )
            .order_by(Budget.user_id.is_(None), Budget.id)
        )
    )


def validate(
    *,
    max_order_amount: Decimal | None,
    period_amount: Decimal | None,
    period: str,
    policy: str,
    fiscal_start_month: int = 1,
) -> None:
    """Refuse a budget definition that cannot work (negative amounts, unknown period or policy)."""
    amounts = (
        (
            max_order_amount,
            N_("The amount per order cannot be negative."),
            N_("The amount per order has at most two decimals."),
        ),
        (
            period_amount,
            N_("The amount per period cannot be negative."),
            N_("The amount per period has at most two decimals."),
        ),
    )
    for value, negative, too_precise in amounts:
        if value is not None and value < 0:
            raise InvalidInput(negative)
        if value is not None and value != value.quantize(Decimal("0.01")):
            raise InvalidInput(too_precise)
    if period not in frozenset(BudgetPeriod):
        raise InvalidInput("Unknown budget period %(period)r.", period=period)
    if policy not in frozenset(BudgetPolicy):
        raise InvalidInput("Unknown budget policy %(policy)r.", policy=policy)
    if not 1 <= fiscal_start_month <= 12:  # noqa: PLR2004 - months of the year
        raise InvalidInput("The fiscal year must start in month 1 to 12.")


def current_period(budget: Budget, *, now: datetime, zone: str) -> Period:
    """The budget's period containing `now`."""
    return period_of(
        now, period=budget.period, zone=zone, fiscal_start_month=budget.fiscal_start_month
    )


def state(session: Session, *, budget: Budget, now: datetime, zone: str) -> BudgetState:
    """Spent (placed and later) and reserved (pending approval) in the current period.

    The period's counter holds both: `reserve`, `release` and take-overs keep it equal to the
    unreleased reservations. Only the reserved part is summed, over the customer's orders
    awaiting approval, so the check costs the same after any number of past orders.
    """
    period = current_period(budget, now=now, zone=zone)
    counter = session.execute(
        select(BudgetCounter.id, BudgetCounter.committed).where(
            BudgetCounter.budget_id == budget.id, BudgetCounter.period_key == period.key
        )
    ).first()
    committed = reserved = Decimal(0)
    if counter is not None:
        committed = counter.committed
        pending = select(Order.id).where(
            Order.organisation_id == budget.organisation_id,
            Order.status == OrderStatus.PENDING_APPROVAL,
        )
        reserved = session.scalar(
            select(func.coalesce(func.sum(BudgetReservation.amount), 0)).where(
                BudgetReservation.order_id.in_(pending),
                BudgetReservation.counter_id == counter.id,
                BudgetReservation.released_at.is_(None),
            )
        ) or Decimal(0)
    return BudgetState(
        budget=budget,
        period=period,
        limit=budget.period_amount or None,
        spent=(committed - reserved).normalize(),
        reserved=Decimal(reserved).normalize(),
    )


def check(
    session: Session,
    *,
    budgets: list[Budget],
    amount: Decimal,
    currency: str,
    now: datetime,
    zone: str,
    role_needs_approval: bool = False,
) -> BudgetCheck:
    """What the order would trigger now: shown before placement; `reserve` decides for real."""
    hits = []
    states = []
    for budget in budgets:
        current = state(session, budget=budget, now=now, zone=zone)
        states.append(current)
        hits.extend(_hits(budget, current, amount=amount, currency=currency))
    return BudgetCheck(
        amount=amount,
        currency=currency,
        hits=tuple(hits),
        states=tuple(states),
        role_needs_approval=role_needs_approval,
    )


def check_order(
    session: Session,
    *,
    actor: Actor,
    amount: Decimal,
    currency: str,
    now: datetime,
    zone: str,
) -> BudgetCheck:
    """The one budget check of an order by `actor` (checkout and punchout transfer alike):
    every budget that applies to the actor at the active customer, and the actor's role."""
    return check(
        session,
        budgets=applicable(session, organisation_id=actor.organisation_id, user_id=actor.user_id),
        amount=amount,
        currency=currency,
        now=now,
        zone=zone,
        role_needs_approval=actor.requires_approval,
    )


def _hits(
    budget: Budget, current: BudgetState, *, amount: Decimal, currency: str
) -> list[BudgetHit]:
    name = budget.name or f"#{budget.id}"
    if budget.currency != currency:  # B-8: no exchange rates are kept yet, so never comparable
        return [
            BudgetHit(
                budget_id=budget.id,
                budget_name=name,
                limit=BudgetLimit.CURRENCY,
                amount=Decimal(0),
                remaining=Decimal(0),
                shortfall=amount,
                policy=BudgetPolicy.BLOCK,
            )
        ]
    hits = []
    if budget.max_order_amount and amount > budget.max_order_amount:
        hits.append(
            BudgetHit(
                budget_id=budget.id,
                budget_name=name,
                limit=BudgetLimit.ORDER,
                amount=budget.max_order_amount,
                remaining=budget.max_order_amount,
                shortfall=amount - budget.max_order_amount,
                policy=budget.policy,
            )
        )
    remaining = current.remaining
    if remaining is not None and current.limit is not None and amount > remaining:
        hits.append(
            BudgetHit(
                budget_id=budget.id,
                budget_name=name,
                limit=BudgetLimit.PERIOD,
                amount=current.limit,
                remaining=remaining,
                shortfall=amount - remaining,
                policy=budget.policy,
            )
        )
    return hits


def reserve(
    session: Session, *, budgets: list[Budget], amount: Decimal, now: datetime, zone: str
) -> list[Reservation]:
    """Take `amount` from the current period of every budget with a period limit.

    One conditional UPDATE per counter (`committed + amount <= limit`); no row updated means no
    room: a `block` budget raises BudgetExceeded (the caller's savepoint undoes the others), a
    `require_approval` budget takes the amount anyway and reports it as `over`.
    """
    taken = []
    for budget in budgets:
        if not budget.period_amount:
            continue
        period = current_period(budget, now=now, zone=zone)
        counter_id = _counter(session, budget=budget, key=period.key)
        # Typed literals: both sides are compared as the same scaled integers.
        room = session.execute(
            update(BudgetCounter)
            .where(
                BudgetCounter.id == counter_id,
                BudgetCounter.committed + literal(amount, PRICE)
                <= literal(budget.period_amount, PRICE),
            )
            .values(committed=BudgetCounter.committed + amount)
            .execution_options(synchronize_session=False)
        )
        over = None
        if affected_rows(room) != 1:
            committed = session.scalar(
                select(BudgetCounter.committed).where(BudgetCounter.id == counter_id)
            ) or Decimal(0)
            remaining = max(budget.period_amount - committed, Decimal(0))
            over = BudgetHit(
                budget_id=budget.id,
                budget_name=budget.name or f"#{budget.id}",
                limit=BudgetLimit.PERIOD,
                amount=budget.period_amount,
                remaining=remaining,
                shortfall=amount - remaining,
                policy=budget.policy,
            )
            if budget.policy == BudgetPolicy.BLOCK:
                raise BudgetExceeded(over.message(budget.currency))
            session.execute(
                update(BudgetCounter)
                .where(BudgetCounter.id == counter_id)
                .values(committed=BudgetCounter.committed + amount)
                .execution_options(synchronize_session=False)
            )
        taken.append(Reservation(counter_id=counter_id, amount=amount, over=over))
    return taken


def record(session: Session, *, order: Order, reservations: list[Reservation]) -> None:
    """Link the reservations to the order that holds them."""
    for taken in reservations:
        session.add(
            BudgetReservation(order_id=order.id, counter_id=taken.counter_id, amount=taken.amount)
        )
    session.flush()


def release(session: Session, *, order_id: int, now: datetime) -> Decimal:
    """Give back everything the order holds (rejected or cancelled); at most once per row."""
    released = Decimal(0)
    for reservation in session.scalars(
        select(BudgetReservation).where(
            BudgetReservation.order_id == order_id, BudgetReservation.released_at.is_(None)
        )
    ).all():
        done = session.execute(
            update(BudgetReservation)
            .where(BudgetReservation.id == reservation.id, BudgetReservation.released_at.is_(None))
            .values(released_at=now)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(done) == 1:
            session.execute(
                update(BudgetCounter)
                .where(BudgetCounter.id == reservation.counter_id)
                .values(committed=BudgetCounter.committed - reservation.amount)
                .execution_options(synchronize_session=False)
            )
            released += reservation.amount
    session.expire_all()
    return released


def _counter(session: Session, *, budget: Budget, key: str) -> int:
    """The counter row of (budget, period), created without a race (insert or nothing)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(BudgetCounter)
        .values(budget_id=budget.id, period_key=key, committed=Decimal(0))
        .on_conflict_do_nothing(index_elements=["budget_id", "period_key"])
    )
    return session.scalars(
        select(BudgetCounter.id).where(
            BudgetCounter.budget_id == budget.id, BudgetCounter.period_key == key
        )
    ).one()


def of_customer(session: Session, *, organisation_id: int) -> list[Budget]:
    """Every budget of one customer, the customer's own first."""
    return list(
        session.scalars(
            select(Budget)
            .where(Budget.organisation_id == organisation_id)
            .order_by(Budget.user_id.is_not(None), Budget.user_id, Budget.id)
        )
    )
