"""Budget periods in the shop zone (B-3): boundaries, ISO week 53, leap day, DST, fiscal years."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from gateway.errors import InvalidInput
from gateway.services.purchasing.budget_periods import period_of

AMS = "Europe/Amsterdam"
LOCAL = ZoneInfo(AMS)


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LOCAL)  # type: ignore[misc]


def key(instant: datetime, period: str, **kwargs: int) -> str:
    return period_of(instant, period=period, zone=AMS, **kwargs).key


def test_sunday_235959_and_monday_000000_are_different_weeks() -> None:
    assert key(local(2026, 3, 8, 23, 59, 59), "week") == "2026-W10"
    assert key(local(2026, 3, 9, 0, 0, 0), "week") == "2026-W11"


def test_31_december_and_1_january_are_different_months_quarters_and_years() -> None:
    before, after = local(2026, 12, 31, 23, 59, 59), local(2027, 1, 1)
    assert (key(before, "month"), key(after, "month")) == ("2026-12", "2027-01")
    assert (key(before, "quarter"), key(after, "quarter")) == ("2026-Q4", "2027-Q1")
    assert (key(before, "year"), key(after, "year")) == ("2026", "2027")


def test_iso_week_53_is_one_week_across_two_years() -> None:
    monday = period_of(local(2026, 12, 28), period="week", zone=AMS)
    sunday = period_of(local(2027, 1, 3, 23, 59, 59), period="week", zone=AMS)
    assert monday == sunday
    assert monday.key == "2026-W53"
    assert monday.start == local(2026, 12, 28)
    assert monday.end == local(2027, 1, 4)
    assert monday.last_day is not None
    assert monday.last_day.isoformat() == "2027-01-03"
    assert key(local(2027, 1, 4), "week") == "2027-W01"


def test_leap_day_is_in_february() -> None:
    assert key(local(2028, 2, 29, 23, 59, 59), "month") == "2028-02"
    assert key(local(2028, 3, 1), "month") == "2028-03"
    february = period_of(local(2028, 2, 29), period="month", zone=AMS)
    assert february.last_day is not None
    assert february.last_day.day == 29


def test_the_shop_zone_decides_not_utc() -> None:
    # Sunday 23:30 UTC is Monday 00:30 in Amsterdam (winter time): it counts as Monday.
    instant = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    assert key(instant, "week") == "2026-W11"
    assert period_of(instant, period="week", zone="UTC").key == "2026-W10"


def test_a_dst_week_is_167_hours_long_and_starts_at_local_midnight() -> None:
    week = period_of(local(2026, 3, 29, 12), period="week", zone=AMS)
    assert week.start == local(2026, 3, 23)
    assert week.start is not None
    assert week.end is not None
    length = week.end.astimezone(UTC) - week.start.astimezone(UTC)
    assert length.total_seconds() == 167 * 3600  # the clocks went forward an hour
    assert key(local(2026, 3, 29, 23, 59, 59), "week") == "2026-W13"
    assert week.end.astimezone(UTC) == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)


def test_a_fiscal_year_from_april_splits_31_march_and_1_april() -> None:
    march = period_of(
        local(2027, 3, 31, 23, 59, 59), period="fiscal_year", zone=AMS, fiscal_start_month=4
    )
    april = period_of(local(2027, 4, 1), period="fiscal_year", zone=AMS, fiscal_start_month=4)
    assert march.key == "FY2026-04"
    assert april.key == "FY2027-04"
    assert march.end == april.start == local(2027, 4, 1)


def test_quarters_start_in_january_april_july_october() -> None:
    assert [key(local(2026, month, 15), "quarter") for month in (1, 4, 7, 10, 12)] == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-Q4",
        "2026-Q4",
    ]


def test_a_one_off_budget_has_one_period_for_ever() -> None:
    once = period_of(local(2026, 1, 1), period="none", zone=AMS)
    assert once == period_of(local(2030, 6, 1), period="none", zone=AMS)
    assert once.end is None
    assert once.last_day is None


@pytest.mark.parametrize(("period", "month"), [("fortnight", 1), ("fiscal_year", 13)])
def test_unknown_periods_and_months_are_refused(period: str, month: int) -> None:
    with pytest.raises(InvalidInput):
        period_of(local(2026, 1, 1), period=period, zone=AMS, fiscal_start_month=month)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        period_of(datetime(2026, 1, 1), period="month", zone=AMS)  # noqa: DTZ001 - on purpose
