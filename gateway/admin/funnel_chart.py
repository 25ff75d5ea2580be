"""The funnel page's charts as geometry for an inline SVG: computed here, drawn by the template.

No script and no chart library: the page stays readable without JavaScript, and the table
beside the chart carries every number the chart shows (the SVG has a title and a description
for screen readers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.services.punchout.funnel import Counts

WIDTH = 640
BAR_HEIGHT = 28
BAR_GAP = 10
LABEL_WIDTH = 200  # room for the longest step name in Dutch ("Winkelwagens teruggestuurd")
TREND_HEIGHT = 180
TREND_TOP = 20
TREND_LEFT = 40
TREND_BOTTOM = 30
TREND_RIGHT = 45  # room for half of the last period's label
COLOURS = {"setups": "#4e79a7", "sessions": "#76b7b2", "carts": "#f28e2b", "orders": "#59a14f"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Bar:
    """One step of the funnel: its name, count and bar."""

    step: str
    count: int
    y: int
    width: int
    colour: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """One step over the periods: a polyline and its points."""

    step: str
    colour: str
    points: str
    dots: tuple[tuple[int, int, int], ...]  # x, y, count


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """Everything the template draws: funnel bars, trend series and axis labels."""

    width: int
    funnel_height: int
    bars: tuple[Bar, ...]
    trend_height: int
    series: tuple[Series, ...]
    ticks: tuple[tuple[int, str], ...]  # x, period label
    maximum: int
    axis_y: int = TREND_HEIGHT - TREND_BOTTOM
    axis_start: int = TREND_LEFT
    axis_end: int = WIDTH - TREND_RIGHT
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def steps(counts: Counts) -> tuple[tuple[str, int], ...]:
    """The funnel's steps in order with their counts (orders: carts a PO matches)."""
    return (
        ("setups", counts.setups),
        ("sessions", counts.sessions),
        ("carts", counts.carts),
        ("orders", counts.ordered_carts),
    )


def build(total: Counts, periods: dict[date, Counts]) -> Chart:
    """The funnel of `total` and the trend of each step over `periods`."""
    plot = WIDTH - LABEL_WIDTH - 60
    largest = max(total.setups, 1)
    bars = tuple(
        Bar(
            step=step,
            count=count,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=max(round(plot * count / largest), 1 if count else 0),
            colour=COLOURS[step],
        )
        for index, (step, count) in enumerate(steps(total))
    )
    starts = sorted(periods)
    maximum = max((periods[s].setups for s in starts), default=0) or 1
    inner_width = WIDTH - TREND_LEFT - TREND_RIGHT
    inner_height = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    step_x = inner_width / max(len(starts) - 1, 1)

    def x(index: int) -> int:
        return round(TREND_LEFT + index * step_x)

    def y(count: int) -> int:
        return round(TREND_TOP + inner_height - inner_height * count / maximum)

    series = []
    for index, step in enumerate(COLOURS):
        dots = tuple(
            (x(i), y(count), count)
            for i, count in enumerate(dict(steps(periods[s]))[step] for s in starts)
        )
        series.append(
            Series(
                step=step,
                colour=list(COLOURS.values())[index],
                points=" ".join(f"{px},{py}" for px, py, _ in dots),
                dots=dots,
            )
        )
    every = max(len(starts) // 8, 1)  # at most about eight labels under the axis
    ticks = tuple((x(i), s.isoformat()) for i, s in enumerate(starts) if i % every == 0)
    return Chart(
        width=WIDTH,
        funnel_height=len(bars) * (BAR_HEIGHT + BAR_GAP),
        bars=bars,
        trend_height=TREND_HEIGHT,
        series=tuple(series),
        ticks=ticks,
        maximum=maximum,
    )
