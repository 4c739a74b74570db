"""Confidence intervals for sweep summaries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from tracktwo.experiments.analysis import stats


def test_wilson_matches_the_textbook_values() -> None:
    interval = stats.wilson_interval(8, 10)
    assert interval.estimate == 0.8
    assert (interval.low, interval.high) == pytest.approx((0.4902, 0.9433), abs=1e-4)  # Newcombe (1998)
    assert stats.wilson_interval(0, 20).low == 0.0 and stats.wilson_interval(20, 20).high == 1.0
    assert math.isnan(stats.wilson_interval(0, 0).estimate)


def test_mean_interval_is_student_t_over_finite_values() -> None:
    interval = stats.mean_interval([1.0, 2.0, 3.0, float("nan")])
    assert interval.n == 3 and interval.estimate == 2.0
    assert interval.high - interval.estimate == pytest.approx(4.302653 * 1.0 / math.sqrt(3), rel=1e-5)


def test_bootstrap_interval_covers_the_mean_and_is_seeded() -> None:
    data = np.random.default_rng(1).exponential(2.0, 200)
    a, b = stats.bootstrap_interval(data, seed=4), stats.bootstrap_interval(data, seed=4)
    assert a == b and a.low < data.mean() < a.high


def test_summarise_uses_wilson_for_indicators_and_t_otherwise() -> None:
    runs = pd.DataFrame(
        {"point": [0, 0, 0, 1, 1, 1], "any": [1, 1, 0, 0, 0, float("nan")], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    )
    indicator = stats.summarise(runs, ["point"], "any")
    assert list(indicator["method"]) == ["wilson", "wilson"]
    assert list(indicator["n"]) == [3, 2] and list(indicator["runs"]) == [3, 3]
    assert indicator["estimate"].tolist() == pytest.approx([2 / 3, 0.0])
    assert list(stats.summarise(runs, ["point"], "x")["method"]) == ["t", "t"]
    assert stats.Interval(0.5, 0.25, 0.75, 10, "wilson").format() == "0.50 [0.25, 0.75]"
