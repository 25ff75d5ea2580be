"""Budgets in words, not codes: policies, periods and period names as people read them, in the
request's language (Jinja filters `budget_policy`, `budget_period` and `period_name`)."""

from __future__ import annotations

from babel.dates import format_date, get_month_names
from flask_babel import get_locale, gettext, lazy_gettext

from gateway.models import Budget, BudgetPeriod, BudgetPolicy
from gateway.services.purchasing.budget_periods import Period

POLICIES = {
    BudgetPolicy.REQUIRE_APPROVAL: lazy_gettext("Needs approval above the budget"),
    BudgetPolicy.BLOCK: lazy_gettext("Refused above the budget"),
}
PERIODS = {
    BudgetPeriod.NONE: lazy_gettext("Once (no period)"),
    BudgetPeriod.WEEK: lazy_gettext("Per week"),
    BudgetPeriod.MONTH: lazy_gettext("Per month"),
    BudgetPeriod.QUARTER: lazy_gettext("Per quarter"),
    BudgetPeriod.YEAR: lazy_gettext("Per calendar year"),
    BudgetPeriod.FISCAL_YEAR: lazy_gettext("Per fiscal year"),
}


def policy(code: str) -> str:
    """A budget policy (`require_approval`, `block`) in words."""
    label = POLICIES.get(BudgetPolicy(code)) if code in frozenset(BudgetPolicy) else None
    return str(label) if label is not None else code


def period_kind(code: str) -> str:
    """A kind of period (`month`, `fiscal_year`, ...) in words, as the period dropdown shows it."""
    label = PERIODS.get(BudgetPeriod(code)) if code in frozenset(BudgetPeriod) else None
    return str(label) if label is not None else code


def month(number: int) -> str:
    """A month's name (1 = January) in the request's language."""
    names = get_month_names("wide", locale=str(get_locale()))
    return str(names[number]) if 1 <= number <= 12 else str(number)  # noqa: PLR2004 - months


def budget_period(budget: Budget) -> str:
    """How a budget's period reads on its page: "Per month", "Fiscal year starting in April"."""
    if budget.period == BudgetPeriod.FISCAL_YEAR:
        return str(
            gettext("Fiscal year starting in %(month)s", month=month(budget.fiscal_start_month))
        )
    return period_kind(budget.period)


def period_name(period: Period, kind: str) -> str:
    """One period's short name, for the chart's axis: "Mar 26", "Q1 2026", "2026/27"."""
    if period.start is None:
        return str(gettext("Once"))
    start = period.start.date()
    if kind == BudgetPeriod.WEEK:
        iso = start.isocalendar()
        return str(gettext("Week %(week)s, %(year)s", week=iso.week, year=iso.year))
    if kind == BudgetPeriod.MONTH:
        return format_date(start, "MMM yy", locale=str(get_locale()))
    if kind == BudgetPeriod.QUARTER:
        quarter = (start.month - 1) // 3 + 1
        return str(gettext("Q%(quarter)s %(year)s", quarter=quarter, year=start.year))
    if kind == BudgetPeriod.FISCAL_YEAR and start.month != 1:
        return f"{start.year}/{(start.year + 1) % 100:02d}"
    return str(start.year)


def period_span(period: Period) -> str:
    """A period's first and last day joined by an en dash; empty for a one-off budget."""
    if period.start is None or period.last_day is None:
        return ""
    locale = str(get_locale())
    first = format_date(period.start.date(), "medium", locale=locale)
    return f"{first} \u2013 {format_date(period.last_day, 'medium', locale=locale)}"
