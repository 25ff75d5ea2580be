"""Figures: what a benchmark measured, printed as one JSON line each, and timing helpers."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure, its goal (a human-readable comparison) and the database engine it
    was measured on ("" for figures that use none)."""

    name: str
    value: float
    unit: str
    goal: str
    engine: str = ""


FIGURES: list[Figure] = []
ENGINE = {"name": ""}  # the engine of the pass that runs now (set by run.py)


def report(name: str, value: float, unit: str, goal: str) -> None:
    """Record a figure and print it as one JSON line."""
    figure = Figure(name, round(value, 3), unit, goal, ENGINE["name"])
    FIGURES.append(figure)
    print(json.dumps(asdict(figure)), flush=True)


def timings(runs: int, action: Callable[[], object]) -> list[float]:
    """`runs` timings of `action`, in seconds."""
    measured = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        measured.append(time.perf_counter() - started)
    return measured


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of `runs` timings of `action`, in seconds."""
    return min(timings(runs, action))


def median_of(runs: int, action: Callable[[], object]) -> float:
    """The median of `runs` timings of `action`, in seconds."""
    return statistics.median(timings(runs, action))


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1) of `values`."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]
