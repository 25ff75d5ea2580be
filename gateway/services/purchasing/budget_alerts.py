"""Budget alerts: when a budget's period reaches 80 % and 100 % of its amount, the budget's holder
and the customer's superusers get one e-mail each, once per budget, period and threshold.

Checked after an order reserved its amount, in the same transaction: the mails are queued in the
outbox with the order (and vanish with it if the order is undone). A `budget_alert` row per
(budget, period, threshold), inserted with "insert or nothing", decides who sends: of two
concurrent orders crossing the same threshold only one inserts the row and queues the mails.
An order that jumps past both thresholds at once sends only the 100 % alert (the 80 % one is
recorded as sent, so it never follows late).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.models import Budget, BudgetAlert, BudgetCounter, Membership, User
from gateway.services import outbox
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.purchasing.budget_periods import Period, period_of

THRESHOLDS = (100, 80)  # percent of the period amount, highest first


def after_reserve(session: Session, *, budgets: list[Budget], now: datetime, zone: str) -> int:
    """Queue the alerts of every budget whose current period has newly reached a threshold;
    returns how many mails were queued."""
    queued = 0
    for budget in budgets:
        if not budget.period_amount:
            continue
        period = period_of(
            now, period=budget.period, zone=zone, fiscal_start_month=budget.fiscal_start_month
        )
        used = session.scalar(
            select(BudgetCounter.committed).where(
                BudgetCounter.budget_id == budget.id, BudgetCounter.period_key == period.key
            )
        ) or Decimal(0)
        reached = [t for t in THRESHOLDS if used * 100 >= budget.period_amount * t]
        newly = [
            t for t in reached if _record(session, budget=budget, key=period.key, at=t, now=now)
        ]
        if newly:
            queued += _tell(
                session, budget=budget, period=period, threshold=max(newly), used=used, now=now
            )
    return queued


def recipients(session: Session, *, budget: Budget) -> list[User]:
    """The budget's holder (for a personal budget) and the customer's superusers (active members
    whose role may manage budgets), each once."""
    found: dict[int, User] = {}
    if budget.user_id is not None:
        holder = session.scalar(
            select(Membership).where(
                Membership.organisation_id == budget.organisation_id,
                Membership.user_id == budget.user_id,
                Membership.active,
            )
        )
        if holder is not None and holder.user.active:
            found[holder.user_id] = holder.user
    for link in session.scalars(
        select(Membership).where(
            Membership.organisation_id == budget.organisation_id, Membership.active
        )
    ):
        if link.user.active and Permission.ACCOUNT_BUDGET_WRITE in set(link.role.permissions):
            found.setdefault(link.user_id, link.user)
    return sorted(found.values(), key=lambda user: user.email)


def _record(session: Session, *, budget: Budget, key: str, at: int, now: datetime) -> bool:
    """Insert the (budget, period, threshold) row unless it exists; True when this call did."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.scalar(
        insert(BudgetAlert)
        .values(budget_id=budget.id, period_key=key, threshold=at, sent_at=now)
        .on_conflict_do_nothing(index_elements=["budget_id", "period_key", "threshold"])
        .returning(BudgetAlert.id)
    )
    return inserted is not None


def _tell(
    session: Session,
    *,
    budget: Budget,
    period: Period,
    threshold: int,
    used: Decimal,
    now: datetime,
) -> int:
    people = recipients(session, budget=budget)
    for person in people:
        subject, body = _mail(
            budget=budget,
            period=period,
            threshold=threshold,
            used=used,
            locale=person.locale or "en",
        )
        outbox.enqueue_mail(
            session, to=person.email, subject=subject, body=body, order_id=None, now=now
        )
    return len(people)


def _mail(
    *, budget: Budget, period: Period, threshold: int, used: Decimal, locale: str
) -> tuple[str, str]:
    """The alert's subject and text in the recipient's language (Dutch or English)."""
    dutch = locale.startswith("nl")
    lang = "nl_NL" if dutch else "en_GB"
    name = budget.name or f"#{budget.id}"
    amount = budget.period_amount or Decimal(0)
    spent = format_currency(used, budget.currency, locale=lang)
    limit = format_currency(amount, budget.currency, locale=lang)
    left = format_currency(max(amount - used, Decimal(0)), budget.currency, locale=lang)
    span = _span(period, lang=lang, dutch=dutch)
    link = f"{BASE_URL_MARKER}/account/budgets"
    if dutch:
        subject = (
            f"Budget {name} is op"
            if threshold >= 100  # noqa: PLR2004 - the full budget
            else f"Budget {name} is voor {threshold} % gebruikt"
        )
        body = (
            f"Budget {name} heeft {spent} van {limit} gebruikt ({threshold} % of meer){span}.\n"
            f"Nog beschikbaar: {left}.\n\nBekijk het budget: {link}\n"
        )
    else:
        subject = (
            f"Budget {name} is used up"
            if threshold >= 100  # noqa: PLR2004 - the full budget
            else f"Budget {name} is {threshold} % used"
        )
        body = (
            f"Budget {name} has used {spent} of {limit} ({threshold} % or more){span}.\n"
            f"Still available: {left}.\n\nSee the budget: {link}\n"
        )
    return subject, body


def _span(period: Period, *, lang: str, dutch: bool) -> str:
    if period.start is None or period.end is None:
        return ""
    first = format_date(period.start.date(), format="long", locale=lang)
    last = format_date((period.end - timedelta(microseconds=1)).date(), format="long", locale=lang)
    return f" in de periode {first} t/m {last}" if dutch else f" in the period {first} to {last}"
