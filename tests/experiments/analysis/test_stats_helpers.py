"""The statistics helpers behind figures, reports and summaries, against cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from tracktwo.experiments.analysis import stats


def test_risk_difference_matches_newcombes_worked_example() -> None:
    interval = stats.risk_difference(56, 70, 48, 80)  # Newcombe (1998), example (a), method 10
    assert interval.estimate == pytest.approx(0.2)
    assert (interval.low, interval.high) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_cohens_d_and_h_match_their_formulas() -> None:
    assert stats.cohens_d([1, 2, 3, 4, 5], [3, 4, 5, 6, 7]) == pytest.approx(-2 / math.sqrt(2.5))
    assert stats.cohens_h(0.5, 0.25) == pytest.approx(math.pi / 2 - math.pi / 3)
    assert math.isnan(stats.cohens_d([1, 1, 1], [1, 1, 1]))


def test_bootstrap_mean_agrees_with_the_t_interval_on_normal_data_and_is_seeded() -> None:
    data = np.random.default_rng(3).normal(10.0, 2.0, 400)
    boot, t = stats.bootstrap_mean(data), stats.mean_interval(data)
    assert boot.method == "bootstrap" and boot == stats.bootstrap_mean(data)
    assert boot.low == pytest.approx(t.low, abs=0.06) and boot.high == pytest.approx(t.high, abs=0.06)


def test_bootstrap_intervals_cover_the_true_mean_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(11)
    covered = [(i := stats.bootstrap_mean(rng.exponential(2.0, 40), seed=k)).low <= 2.0 <= i.high for k in range(200)]
    assert 0.88 <= np.mean(covered) <= 0.99


def test_few_values_fall_back_to_student_t_and_constant_values_have_no_width() -> None:
    few = stats.bootstrap_mean([1.0, 2.0, 4.0])
    assert few.method == "t" and few == stats.mean_interval([1.0, 2.0, 4.0])
    constant = stats.bootstrap_mean([3.0] * 12)
    assert (constant.estimate, constant.low, constant.high) == (3.0, 3.0, 3.0)


def test_point_interval_uses_wilson_for_a_share_of_runs() -> None:
    assert stats.point_interval([1, 1, 0, 1, float("nan")]) == stats.wilson_interval(3, 4)
    assert stats.point_interval(np.arange(20.0)).method == "bootstrap"


def test_comparing_means_gives_a_difference_and_cohens_d_with_intervals() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(1.5, 1.0, 300), rng.normal(1.0, 1.0, 300)
    comparison = stats.compare_points(a, b)
    welch = scipy_stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert comparison.effect_name == "Cohen's d"
    assert comparison.difference.estimate == pytest.approx(a.mean() - b.mean())
    assert comparison.difference.low == pytest.approx(welch.low, abs=0.03)
    assert comparison.difference.high == pytest.approx(welch.high, abs=0.03)
    assert comparison.effect.low < 0.5 < comparison.effect.high  # the true d is 0.5
    assert comparison.p_value < 1e-6
    assert comparison.describe().startswith("+0.")


def test_comparing_shares_of_runs_gives_a_risk_difference_and_cohens_h() -> None:
    comparison = stats.compare_points([1] * 56 + [0] * 14, [1] * 48 + [0] * 32)
    assert comparison.difference == stats.risk_difference(56, 70, 48, 80)
    assert comparison.effect_name == "Cohen's h"
    assert comparison.effect.estimate == pytest.approx(stats.cohens_h(0.8, 0.6))
    assert comparison.p_value == pytest.approx(scipy_stats.fisher_exact([[56, 14], [48, 32]]).pvalue)
    assert "percentage points" in comparison.describe(percent=True)


def test_small_samples_compare_with_welch_and_say_no_effect_interval() -> None:
    comparison = stats.compare_points([1.0, 2.0, 3.0], [2.0, 3.0, 5.0])
    assert comparison.difference.method == "welch" and math.isnan(comparison.effect.low)
    assert "[" in comparison.describe() and "Cohen's d" in comparison.describe()


def test_probability_best_is_near_one_for_a_clear_winner_and_shared_by_ties() -> None:
    rng = np.random.default_rng(2)
    clear = stats.probability_best({"a": rng.normal(5, 1, 50), "b": rng.normal(0, 1, 50), "c": rng.normal(0, 1, 50)})
    assert clear["a"] > 0.99 and clear.sum() == pytest.approx(1.0)
    tied = stats.probability_best({"x": [1.0] * 10, "y": [1.0] * 10})
    assert tied["x"] == pytest.approx(0.5) and tied["y"] == pytest.approx(0.5)
    lowest = stats.probability_best({"a": rng.normal(5, 1, 50), "b": rng.normal(0, 1, 50)}, goal="minimize")
    assert lowest["b"] > 0.99


def test_summarise_can_aggregate_means_by_bootstrap() -> None:
    runs = pd.DataFrame({"point": [0] * 10 + [1] * 3, "x": [*range(10), 1.0, 2.0, 3.0]})
    table = stats.summarise(runs, ["point"], "x", means="bootstrap")
    assert list(table["method"]) == ["bootstrap", "t"]
    assert table["estimate"].tolist() == pytest.approx([4.5, 2.0])
