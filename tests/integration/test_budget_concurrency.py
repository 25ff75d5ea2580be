"""Concurrent checkouts against one budget (B-5, security checklist §6 item 49).

Real threads, each with its own connection and transaction, outside the rollback fixture: on a
SQLite file always, and on PostgreSQL when the suite runs there (the `engine` fixture).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gateway.engines import make_engine
from gateway.errors import BudgetExceeded
from gateway.migrate import upgrade
from gateway.models import Budget, BudgetCounter, Organisation, User
from gateway.services.purchasing import budgets

THREADS = 20
AMOUNT = Decimal(30)
LIMIT = Decimal(500)  # room for 16 orders of 30
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ZONE = "Europe/Amsterdam"


@pytest.fixture
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file: threads need separate connections, which in-memory cannot give."""
    engine = make_engine(f"sqlite:///{tmp_path / 'concurrency.sqlite3'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def suite_engine(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """The suite's own database when it allows several connections (PostgreSQL), else a file."""
    if engine.url.get_backend_name() == "sqlite":
        file = make_engine(f"sqlite:///{tmp_path / 'suite.sqlite3'}")
        upgrade(file)
        yield file
        file.dispose()
    else:
        yield engine


def _budget(engine: Engine, policy: str, tag: str) -> Budget:
    with Session(engine, expire_on_commit=False) as session, session.begin():
        organisation = Organisation(number=f"CC-{tag}", name="Concurrency test", currency="EUR")
        user = User(email=f"concurrency-{tag}@example.test", password_hash=None)
        session.add_all([organisation, user])
        session.flush()
        budget = Budget(
            organisation_id=organisation.id,
            user_id=user.id,
            name="Shared",
            currency="EUR",
            period_amount=LIMIT,
            period="month",
            policy=policy,
        )
        session.add(budget)
    return budget


def _cleanup(engine: Engine, budget: Budget) -> None:
    with Session(engine) as session, session.begin():
        session.execute(delete(BudgetCounter).where(BudgetCounter.budget_id == budget.id))
        session.execute(delete(Budget).where(Budget.id == budget.id))
        session.execute(delete(User).where(User.id == budget.user_id))
        session.execute(delete(Organisation).where(Organisation.id == budget.organisation_id))


def _race(engine: Engine, budget: Budget) -> tuple[int, int, int]:
    """Run THREADS reservations at once: (fitted, over the limit, blocked)."""
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def checkout() -> None:
        start.wait()
        try:
            with Session(engine) as session, session.begin():
                (taken,) = budgets.reserve(
                    session, budgets=[budget], amount=AMOUNT, now=NOW, zone=ZONE
                )
            outcome = "over" if taken.over is not None else "fitted"
        except BudgetExceeded:
            outcome = "blocked"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=checkout) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == THREADS  # no thread died of an error
    return outcomes.count("fitted"), outcomes.count("over"), outcomes.count("blocked")


def _committed(engine: Engine, budget: Budget) -> Decimal:
    with Session(engine) as session:
        return session.scalars(
            select(BudgetCounter.committed).where(BudgetCounter.budget_id == budget.id)
        ).one()


@pytest.mark.parametrize("engine_name", ["file_engine", "suite_engine"])
def test_parallel_orders_never_overspend_a_block_budget(
    engine_name: str, request: pytest.FixtureRequest
) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    budget = _budget(engine, "block", f"block-{engine_name}")
    try:
        fitted, over, blocked = _race(engine, budget)
        assert (fitted, over, blocked) == (16, 0, 4)
        assert _committed(engine, budget) == AMOUNT * 16 <= LIMIT
    finally:
        _cleanup(engine, budget)


@pytest.mark.parametrize("engine_name", ["file_engine", "suite_engine"])
def test_parallel_orders_over_a_require_approval_budget_go_to_approval(
    engine_name: str, request: pytest.FixtureRequest
) -> None:
    engine: Engine = request.getfixturevalue(engine_name)
    budget = _budget(engine, "require_approval", f"approval-{engine_name}")
    try:
        fitted, over, blocked = _race(engine, budget)
        assert (fitted, over, blocked) == (16, 4, 0)  # exactly 16 pass without approval
        assert _committed(engine, budget) == AMOUNT * THREADS  # pending orders reserve too
    finally:
        _cleanup(engine, budget)
