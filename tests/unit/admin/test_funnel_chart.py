"""The funnel chart's geometry: bars in proportion to the setups, one point per period."""

from __future__ import annotations

from datetime import date, timedelta

from gateway.admin import funnel_chart
from gateway.services.punchout.funnel import Counts, Period


def test_bars_follow_the_steps_in_proportion_to_the_setups() -> None:
    total = Counts(setups=200, sessions=100, carts=50, ordered_carts=1, orders=3)
    chart = funnel_chart.build(total, {})
    widths = {bar.step: bar.width for bar in chart.bars}
    assert [bar.step for bar in chart.bars] == ["setups", "sessions", "carts", "orders"]
    assert [bar.count for bar in chart.bars] == [200, 100, 50, 1]  # orders: carts ordered
    assert widths["sessions"] * 2 == widths["setups"]
    assert widths["orders"] == 2  # small, still visible
    assert funnel_chart.build(Counts(), {}).bars[0].width == 0


def test_trend_has_a_point_per_period_scaled_to_the_busiest() -> None:
    starts = [date(2026, 3, 2) + timedelta(weeks=n) for n in range(4)]
    periods = {start: Counts(setups=n * 2, carts=n) for n, start in enumerate(starts)}
    chart = funnel_chart.build(Counts(), periods)
    setups = next(s for s in chart.series if s.step == "setups")
    carts = next(s for s in chart.series if s.step == "carts")
    assert [count for _, _, count in setups.dots] == [0, 2, 4, 6]
    assert chart.maximum == 6
    assert setups.dots[-1][1] == funnel_chart.TREND_TOP  # the busiest period at the top
    assert setups.dots[0][1] == chart.axis_y  # nothing on the axis
    assert carts.dots[-1][1] > setups.dots[-1][1]
    assert [x for x, _ in chart.ticks] == [x for x, _, _ in setups.dots]
    assert chart.ticks[-1][0] <= chart.axis_end


def test_periods_start_on_mondays_and_first_days() -> None:
    wednesday = date(2026, 4, 1)
    assert Period.WEEK.start_of(wednesday) == date(2026, 3, 30)
    assert Period.MONTH.start_of(date(2026, 12, 31)) == date(2026, 12, 1)
    assert Period.MONTH.after(date(2026, 12, 1)) == date(2027, 1, 1)
    assert Period.MONTH.after(date(2026, 1, 1)) == date(2026, 2, 1)
    assert Period.DAY.after(wednesday) == date(2026, 4, 2)
