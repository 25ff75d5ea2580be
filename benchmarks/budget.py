"""`budget_check_scale_ratio`: checkout's budget check with 100,000 past orders vs 1,000.

The demo user limited@1001.demo has a monthly `block` budget; the benchmark adds a yearly
customer-wide budget, so the check reads two budgets as checkout does. Past orders are spread
over the last year (placed, shipped, every fiftieth cancelled with its reservations released),
each holding reservations on both budgets' counters of its period; five orders await approval
in the current period at both sizes (pending orders are few at any history length). Each timed
call is `checkout.budget_check` in a fresh session, as one request makes it.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from benchmarks.database import BATCH, analyze, database_url, fresh_database
from benchmarks.figures import median_of, report
from gateway.auth.policy import Actor
from gateway.models import (
    Budget,
    BudgetCounter,
    BudgetPeriod,
    BudgetPolicy,
    BudgetReservation,
    Membership,
    Order,
    OrderSource,
    OrderStatus,
    User,
)
from gateway.services.catalog.pricing import DEFAULT_TIMEZONE
from gateway.services.ordering import carts, checkout
from gateway.services.purchasing import budgets

SMALL, LARGE = 1_000, 100_000
PENDING = 5
USER = "limited@1001.demo"
AMOUNT = Decimal("0.05")  # small enough that a month of history stays within the limit
CART = carts.PricedCart(cart_id=None, lines=(), total=Decimal("25.00"), currency="EUR")


def _customer_of(session: Session, user: User) -> int:
    return session.scalars(
        select(Membership.organisation_id).where(Membership.user_id == user.id)
    ).one()


def _budgets(session: Session, user: User, organisation_id: int) -> list[Budget]:
    session.add(
        Budget(
            organisation_id=organisation_id,
            user_id=None,
            name="Yearly customer budget",
            currency="EUR",
            period_amount=Decimal(1_000_000),
            period=BudgetPeriod.YEAR,
            policy=BudgetPolicy.REQUIRE_APPROVAL,
        )
    )
    session.flush()
    return budgets.applicable(session, organisation_id=organisation_id, user_id=user.id)


def _load(engine: Engine, *, up_to: int, now: datetime) -> None:
    """Add past orders with their reservations until there are `up_to`; counters follow."""
    with Session(engine) as session, session.begin():
        user = session.scalars(select(User).where(User.email == USER)).one()
        organisation_id = _customer_of(session, user)
        held = budgets.applicable(session, organisation_id=organisation_id, user_id=user.id)
        if len(held) < 2:  # noqa: PLR2004 - the demo's monthly budget and the yearly one
            held = _budgets(session, user, organisation_id)
        first = session.scalar(select(func.count(Order.id))) or 0
        newest = session.scalar(select(func.max(Order.id))) or 0
        rows = [_order(n, up_to, organisation_id, user.id, now) for n in range(first, up_to)]
        if first == 0:
            rows[:PENDING] = [
                {**row, "status": OrderStatus.PENDING_APPROVAL, "placed_at": now}
                for row in rows[:PENDING]
            ]
        for start in range(0, len(rows), BATCH):
            session.execute(insert(Order), rows[start : start + BATCH])
        added = session.execute(
            select(Order.id, Order.placed_at, Order.status).where(Order.id > newest)
        ).all()
        keys = {
            (order_id, budget.id): budgets.current_period(
                budget, now=placed_at, zone=DEFAULT_TIMEZONE
            ).key
            for order_id, placed_at, _ in added
            for budget in held
        }
        counters = _counters(session, {(budget_id, key) for (_, budget_id), key in keys.items()})
        cancelled = {order_id for order_id, _, status in added if status == OrderStatus.CANCELLED}
        reservations = [
            {
                "order_id": order_id,
                "counter_id": counters[budget_id, key],
                "amount": AMOUNT,
                "released_at": now if order_id in cancelled else None,
            }
            for (order_id, budget_id), key in keys.items()
        ]
        for start in range(0, len(reservations), BATCH):
            session.execute(insert(BudgetReservation), reservations[start : start + BATCH])
        # What reserve() and release() keep: committed = what the unreleased reservations hold.
        session.execute(
            text(
                "UPDATE budget_counter SET committed = (SELECT coalesce(sum(amount), 0) "
                "FROM budget_reservation WHERE counter_id = budget_counter.id "
                "AND released_at IS NULL)"
            )
        )
    analyze(engine)


def _counters(session: Session, wanted: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The counter ids of (budget id, period key) pairs, creating the missing counters."""
    existing = {
        (budget_id, key): counter_id
        for counter_id, budget_id, key in session.execute(
            select(BudgetCounter.id, BudgetCounter.budget_id, BudgetCounter.period_key)
        )
    }
    missing = [
        {"budget_id": budget_id, "period_key": key, "committed": Decimal(0)}
        for budget_id, key in sorted(wanted - existing.keys())
    ]
    if missing:
        session.execute(insert(BudgetCounter), missing)
        return _counters(session, set())
    return existing


def _order(
    n: int, up_to: int, organisation_id: int, user_id: int, now: datetime
) -> dict[str, object]:
    return {
        "number": f"B{n:07d}",
        "organisation_id": organisation_id,
        "user_id": user_id,
        "placed_by_id": user_id,
        "source": OrderSource.SHOP,
        "status": OrderStatus.CANCELLED
        if n % 50 == 0
        else (OrderStatus.SHIPPED if n % 3 else OrderStatus.PLACED),
        "currency": "EUR",
        "net_total": AMOUNT,
        "tax_total": Decimal(0),
        "shipping_total": Decimal(0),
        "comment": "",
        "placed_at": now - timedelta(days=365) * ((n * 7919) % up_to) / up_to,
        "approval_version": 0,
    }


def _median_check(engine: Engine, *, runs: int) -> float:
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.email == USER)).one()
        actor = Actor(
            user_id=user.id,
            organisation_id=_customer_of(session, user),
            permissions=frozenset(),
        )

    def check() -> None:
        with Session(engine) as session:
            result = checkout.budget_check(
                session, actor=actor, priced=CART, now=datetime.now(UTC), zone=DEFAULT_TIMEZONE
            )
            if len(result.states) != 2:  # noqa: PLR2004 - both budgets must be read
                raise SystemExit(f"expected two budgets, checked {len(result.states)}")

    check()  # warm-up
    return median_of(runs, check)


def bench_budget(quick: bool) -> None:
    """Median `checkout.budget_check` time with 100,000 past orders over that with 1,000."""
    runs = 50 if quick else 200
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_database(database_url(Path(folder)))
        _load(engine, up_to=SMALL, now=now)
        small = _median_check(engine, runs=runs)
        _load(engine, up_to=LARGE, now=now)
        engine.dispose()  # fresh connections read the new statistics
        large = _median_check(engine, runs=runs)
        engine.dispose()
    report("budget_check_1k_ms", small * 1000, "ms", "informational")
    report("budget_check_100k_ms", large * 1000, "ms", "informational")
    report("budget_check_scale_ratio", large / small, "ratio", "<= 1.3 (100,000 / 1,000 orders)")
