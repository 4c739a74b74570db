"""Shared helpers: run the model over many seeds and compare conditions statistically."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model import simulate

REPLICATES = 40  # seeds per condition for the stylized facts
FIRST_SEED = int(os.environ.get("TRACKTWO_FIRST_SEED", "1000"))  # set it to re-check the facts on other seeds
ALPHA = 0.01


@functools.lru_cache(maxsize=64)
def _outcomes(overrides_json: str, seeds: tuple[int, ...]) -> pd.DataFrame:
    overrides = json.loads(overrides_json)
    return pd.DataFrame([simulate(overrides, seed).outcomes for seed in seeds])


def outcomes_over_seeds(
    overrides: Mapping[str, Any], n: int = REPLICATES, first_seed: int = FIRST_SEED
) -> pd.DataFrame:
    """One row of outcomes per seed (cached within a test process)."""
    return _outcomes(json.dumps(overrides, sort_keys=True), tuple(range(first_seed, first_seed + n)))


def bootstrap_mean_difference(a: np.ndarray, b: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean of a - mean of b, with a 99% bootstrap interval (independent samples)."""
    result = stats.bootstrap(
        (a, b),
        lambda x, y, axis=-1: x.mean(axis=axis) - y.mean(axis=axis),
        confidence_level=0.99,
        n_resamples=4000,
        vectorized=True,
        random_state=seed,
    )
    return float(a.mean() - b.mean()), float(result.confidence_interval.low), float(result.confidence_interval.high)


def assert_greater(a: pd.Series, b: pd.Series, label: str, on_means: bool = False) -> None:
    """a > b: a one-sided test at ALPHA and a 99% bootstrap interval of the mean difference above 0.

    The test is Mann-Whitney (a tends to exceed b), or with `on_means` Welch's t (a's mean exceeds
    b's): for claims about an expected value of a skewed outcome (impact: many runs near zero and
    a long right tail), where ranks lose the difference that the means carry.
    """
    a, b = a.dropna().to_numpy(float), b.dropna().to_numpy(float)
    if on_means:
        test, p = "Welch t", stats.ttest_ind(a, b, equal_var=False, alternative="greater").pvalue
    else:
        test, p = "Mann-Whitney", stats.mannwhitneyu(a, b, alternative="greater").pvalue
    diff, low, high = bootstrap_mean_difference(a, b)
    assert p < ALPHA and low > 0, f"{label}: mean diff {diff:.4g} (99% CI {low:.4g} to {high:.4g}), {test} p={p:.3g}"


@pytest.fixture
def degenerate():
    """Overrides for textbook diffusion: one kind, one side, no workshops, novelty 0, no forgetting, no ripeness."""

    def make(n: int, mean_degree: float, p: float, span: int | None, holders: int, steps: int) -> dict[str, Any]:
        return {
            "sides": 1,
            "steps": steps,
            "kinds": {
                "official": None,
                "elite": None,
                "grassroots": None,
                "autonomous": {"behaviour": "autonomous", "count": n},
            },
            "workshops.count": 0,
            "workshops.mix": {"autonomous": 1.0},
            "initial_ideas": {"count": 1, "novelty": 0.0, "holders": holders},
            "forgetting.rate": 0.0,
            "ripeness.mode": "off",
            "diffusion.base_rate": p,
            "diffusion.advocacy_span": span,
            "network.type": "erdos_renyi",
            "network.mean_degree": mean_degree,
        }

    return make
