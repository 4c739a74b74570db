"""Confidence intervals for sweep results: proportions (Wilson), means (Student t) and a bootstrap.

Replicates of a sweep point are independent runs, so a binary outcome (did at least one idea
enter Track One?) is a binomial proportion and any other outcome is a sample mean.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

DEFAULT_CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 9999


@dataclass(frozen=True)
class Interval:
    """An estimate with its confidence interval; NaN throughout when there is no data."""

    estimate: float
    low: float
    high: float
    n: int
    method: str

    def format(self, digits: int = 2) -> str:
        """'0.85 [0.64, 0.95]', or '-' without data."""
        if self.n == 0 or math.isnan(self.estimate):
            return "-"
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _finite(values: Sequence[float] | np.ndarray) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[np.isfinite(array)]


def wilson_interval(successes: int, n: int, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wilson score interval for a proportion: well behaved at 0, 1 and small n (unlike Wald)."""
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, "wilson")
    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return Interval(p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)), n, "wilson")  # no rounding past p


def mean_interval(values: Sequence[float] | np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Mean with a Student-t interval over the finite values (NaN marks an undefined outcome)."""
    data = _finite(values)
    n = data.size
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, 0, "t")
    mean = float(data.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, 1, "t")
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, n - 1) * data.std(ddof=1) / math.sqrt(n))
    return Interval(mean, mean - half, mean + half, n, "t")


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.mean,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> Interval:
    """BCa bootstrap interval of any statistic (for skewed outcomes), seeded for reproducibility."""
    data = _finite(values)
    n = data.size
    if n < 2 or np.all(data == data[0]):
        value = float(statistic(data)) if n else math.nan
        return Interval(value, value, value, n, "bootstrap")
    result = scipy_stats.bootstrap((data,), statistic, confidence_level=confidence, n_resamples=BOOTSTRAP_RESAMPLES,
                                   method="BCa", random_state=np.random.default_rng(seed))
    low, high = result.confidence_interval
    return Interval(float(statistic(data)), float(low), float(high), n, "bootstrap")


def is_binary(values: Sequence[float] | np.ndarray) -> bool:
    """True when every finite value is 0 or 1 (an indicator outcome such as any_transfer)."""
    data = _finite(values)
    return data.size > 0 and bool(np.isin(data, (0.0, 1.0)).all())


def outcome_interval(values: Sequence[float] | np.ndarray, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Wilson for an indicator outcome, Student t for anything else."""
    data = _finite(values)
    if is_binary(data):
        return wilson_interval(int(data.sum()), int(data.size), confidence)
    return mean_interval(data, confidence)


def summarise(runs: pd.DataFrame, by: Sequence[str], outcome: str, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """One row per group of `by`: runs, the outcome's estimate and interval (Wilson if it is 0/1)."""
    binary = is_binary(runs[outcome])
    rows = []
    for key, group in runs.groupby(list(by), sort=True, dropna=False):
        values = _finite(group[outcome])
        interval = wilson_interval(int(values.sum()), int(values.size), confidence) if binary else mean_interval(values, confidence)
        keys = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, keys, strict=True)), "runs": len(group), "n": interval.n,
                     "estimate": interval.estimate, "low": interval.low, "high": interval.high, "method": interval.method})
    return pd.DataFrame(rows, columns=[*by, "runs", "n", "estimate", "low", "high", "method"])
