"""Budgets: limits per order and per period for a user or a whole customer (b2b-rules §3)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE


class BudgetPeriod(StrEnum):
    """The period a budget's limit counts over (`Budget.period`), in the shop's time zone."""

    NONE = "none"  # one-off: the limit counts over the budget's whole life
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    FISCAL_YEAR = "fiscal_year"  # starts in `Budget.fiscal_start_month`


class BudgetPolicy(StrEnum):
    """What happens to an order above a budget's limit (`Budget.policy`)."""

    REQUIRE_APPROVAL = "require_approval"
    BLOCK = "block"


class Budget(Base):
    """A user's budget within one customer, or the customer's (`user_id` None: all members).

    An amount of None or 0 switches that limit off (B-7).
    """

    __tablename__ = "budget"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    max_order_amount: Mapped[Decimal | None] = mapped_column(PRICE)
    period_amount: Mapped[Decimal | None] = mapped_column(PRICE)
    period: Mapped[str] = mapped_column(String(16), default=BudgetPeriod.MONTH)
    fiscal_start_month: Mapped[int] = mapped_column(default=1)
    policy: Mapped[str] = mapped_column(String(20), default=BudgetPolicy.REQUIRE_APPROVAL)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BudgetCounter(Base):
    """What one budget has committed in one period: the row the conditional UPDATE guards (B-5)."""

    __tablename__ = "budget_counter"
    __table_args__ = (UniqueConstraint("budget_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    period_key: Mapped[str] = mapped_column(String(16))  # 2026-W53, 2026-03, 2026-Q1, FY2026 ...
    committed: Mapped[Decimal] = mapped_column(PRICE, default=Decimal(0))

    budget: Mapped[Budget] = relationship()


class BudgetReservation(Base):
    """The amount one order holds on one counter; released once, when the order is rejected or
    cancelled (B-4)."""

    __tablename__ = "budget_reservation"
    __table_args__ = (UniqueConstraint("order_id", "counter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("budget_counter.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(PRICE)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    counter: Mapped[BudgetCounter] = relationship()


class BudgetAlert(Base):
    """A threshold alert sent for one budget in one period (80 or 100 % of its period amount):
    the unique row makes the alert go out once, however many orders cross the threshold."""

    __tablename__ = "budget_alert"
    __table_args__ = (UniqueConstraint("budget_id", "period_key", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id"))
    period_key: Mapped[str] = mapped_column(String(16))
    threshold: Mapped[int]  # percent of the period amount: 80 or 100
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
