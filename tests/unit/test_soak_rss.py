"""The soak's memory figure: growth after the warm-up, from every worker's RSS samples."""

from __future__ import annotations

import pytest

from benchmarks.soak import rss_growth_pct


def test_growth_counts_from_the_first_sample_after_the_warm_up() -> None:
    samples = [
        (0.0, {1: 90_000, 2: 95_000}),  # warm-up: caches fill, not counted
        (60.0, {1: 130_000, 2: 120_000}),
        (120.0, {1: 140_000, 2: 125_000}),
        (180.0, {1: 135_000, 2: 143_000}),
    ]
    assert rss_growth_pct(samples) == pytest.approx(10.0)


def test_recycled_workers_count_by_the_largest_worker() -> None:
    samples = [(60.0, {1: 100_000}), (70.0, {3: 40_000}), (80.0, {3: 104_000, 4: 90_000})]
    assert rss_growth_pct(samples) == pytest.approx(4.0)


def test_a_run_shorter_than_the_warm_up_has_no_figure() -> None:
    assert rss_growth_pct([(0.0, {1: 90_000}), (50.0, {1: 99_000})]) is None
