"""Budget periods: calendar periods in the shop's time zone, half-open [start, next start) (B-3).

Pure functions: the caller passes the instant and the zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from gateway.errors import InvalidInput
from gateway.models.budget import BudgetPeriod

ONE_OFF_KEY = "once"


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """One budget period: a key for its counter, and its bounds as aware instants."""

    key: str
    start: datetime | None  # None: a one-off budget has no bounds
    end: datetime | None

    @property
    def last_day(self) -> date | None:
        """The period's last calendar day in the shop zone (what the budget bar shows)."""
        if self.end is None:
            return None
        return (self.end - timedelta(microseconds=1)).date()


def period_of(instant: datetime, *, period: str, zone: str, fiscal_start_month: int = 1) -> Period:
    """The period of kind `period` containing `instant` (its local date in `zone` decides)."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    tz = ZoneInfo(zone)
    day = instant.astimezone(tz).date()
    if period == BudgetPeriod.NONE:
        return Period(key=ONE_OFF_KEY, start=None, end=None)
    if period == BudgetPeriod.WEEK:
        iso = day.isocalendar()
        start = day - timedelta(days=iso.weekday - 1)
        return _period(f"{iso.year}-W{iso.week:02d}", start, start + timedelta(days=7), tz)
    if period == BudgetPeriod.MONTH:
        start = day.replace(day=1)
        return _period(f"{day.year}-{day.month:02d}", start, _add_months(start, 1), tz)
    if period == BudgetPeriod.QUARTER:
        quarter = (day.month - 1) // 3
        start = date(day.year, quarter * 3 + 1, 1)
        return _period(f"{day.year}-Q{quarter + 1}", start, _add_months(start, 3), tz)
    if period == BudgetPeriod.YEAR:
        start = date(day.year, 1, 1)
        return _period(str(day.year), start, date(day.year + 1, 1, 1), tz)
    if period == BudgetPeriod.FISCAL_YEAR:
        if not 1 <= fiscal_start_month <= 12:  # noqa: PLR2004 - months of the year
            raise InvalidInput("The fiscal year must start in month 1 to 12.")
        year = day.year if day.month >= fiscal_start_month else day.year - 1
        start = date(year, fiscal_start_month, 1)
        # Named by its first month: FY2026-04 runs from April 2026 to March 2027.
        return _period(f"FY{year}-{fiscal_start_month:02d}", start, _add_months(start, 12), tz)
    raise InvalidInput(f"Unknown budget period {period!r}.")


def _period(key: str, start: date, end: date, tz: ZoneInfo) -> Period:
    return Period(key=key, start=_midnight(start, tz), end=_midnight(end, tz))


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
