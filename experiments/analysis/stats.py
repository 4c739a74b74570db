"""Confidence intervals for sweep results: proportions (Wilson), means (Student t) and a bootstrap.

Replicates of a sweep point are independent runs, so a binary outcome (did at least one idea
enter Track One?) is a binomial proportion and any other outcome is a sample mean.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

__all__ = [
    "BOOTSTRAP_RESAMPLES",
    "DEFAULT_CONFIDENCE",
    "MIN_BOOTSTRAP_N",
    "POINT_RESAMPLES",
    "PROBABILITY_BEST_RESAMPLES",
    "Interval",
    "PairedDifference",
    "PointComparison",
    "bootstrap_interval",
    "bootstrap_mean",
    "cohens_d",
    "cohens_h",
    "compare_points",
    "is_binary",
    "mean_interval",
    "outcome_interval",
    "paired_difference",
    "point_interval",
    "probability_best",
    "risk_difference",
    "summarise",
    "summarise_groups",
    "wilson_interval",
]

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
    return Interval(
        p, max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)), n, "wilson"
    )  # no rounding past p


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


MIN_BOOTSTRAP_N = 8  # below this a bootstrap interval is too narrow (it cannot see beyond the few values drawn)
POINT_RESAMPLES = 4999  # bootstrap resamples when aggregating a sweep point's replicates
PROBABILITY_BEST_RESAMPLES = 2000


def _bootstrap(
    samples: tuple[np.ndarray, ...],
    statistic: Callable[..., np.ndarray],
    confidence: float,
    seed: int,
    resamples: int = POINT_RESAMPLES,
    paired: bool = False,
) -> tuple[float, float, str]:
    """scipy.stats.bootstrap's BCa interval of a vectorised statistic; percentile where BCa is undefined.

    The one bootstrap every interval here uses: seeded, so the same values give the same interval.
    Returns (low, high, method), NaN bounds when neither method gives a finite interval.
    """
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", scipy_stats.DegenerateDataWarning)  # BCa on near-constant data: fall back
            result = scipy_stats.bootstrap(
                samples,
                statistic,
                confidence_level=confidence,
                n_resamples=resamples,
                method=method,
                vectorized=True,
                paired=paired,
                rng=np.random.default_rng(seed),
            )
        low, high = (float(v) for v in result.confidence_interval)
        if math.isfinite(low) and math.isfinite(high):
            return low, high, method
    return math.nan, math.nan, ""


def bootstrap_interval(
    values: Sequence[float] | np.ndarray,
    statistic: Callable[..., np.ndarray] = np.mean,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> Interval:
    """BCa bootstrap interval of any statistic taking `axis` (np.mean, np.median...), for skewed outcomes."""
    data = _finite(values)
    n = data.size
    if n < 2 or np.all(data == data[0]):
        value = float(statistic(data)) if n else math.nan
        return Interval(value, value, value, n, "bootstrap")
    low, high, _ = _bootstrap((data,), statistic, confidence, seed, BOOTSTRAP_RESAMPLES)
    return Interval(float(statistic(data)), low, high, n, "bootstrap")


def bootstrap_mean(
    values: Sequence[float] | np.ndarray, confidence: float = DEFAULT_CONFIDENCE, seed: int = 0
) -> Interval:
    """Mean of the finite values with a BCa bootstrap interval; Student t below MIN_BOOTSTRAP_N values."""
    data = _finite(values)
    if data.size < MIN_BOOTSTRAP_N:
        return mean_interval(data, confidence)
    mean = float(data.mean())
    if np.all(data == data[0]):
        return Interval(mean, mean, mean, int(data.size), "bootstrap")
    low, high, _ = _bootstrap((data,), _mean_statistic, confidence, seed)
    return Interval(mean, min(low, mean), max(high, mean), int(data.size), "bootstrap")


def _mean_statistic(sample: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(sample, axis=axis)


def point_interval(
    values: Sequence[float] | np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    binary: bool | None = None,
) -> Interval:
    """A point's replicates aggregated: Wilson for a 0/1 outcome, otherwise the mean with a bootstrap interval.

    (A bootstrap of all-0 or all-1 runs has no width.) Pass `binary` when it is known from the whole
    outcome column: a count that is 0 at every replicate of one point is not a share of runs.
    """
    data = _finite(values)
    if is_binary(data) if binary is None else binary:
        return wilson_interval(int(data.sum()), int(data.size), confidence)
    return bootstrap_mean(data, confidence, seed)


@dataclass(frozen=True)
class PointComparison:
    """Point A against point B: the difference (A - B) and a standardised effect size, each with an interval.

    For a 0/1 outcome the difference is a risk difference (Newcombe's hybrid score interval) and the
    effect size Cohen's h; otherwise a difference of means and Cohen's d (both with bootstrap intervals).
    The p-value (Welch's t, or Fisher's exact test) is there for completeness, not as the answer.
    """

    difference: Interval
    effect: Interval
    effect_name: str
    p_value: float

    def describe(self, digits: int = 2, percent: bool = False) -> str:
        """'+0.12 [0.03, 0.21] (Cohen's d 0.45 [0.10, 0.80])', percentage points for a risk difference."""
        d = self.difference
        if d.n == 0 or math.isnan(d.estimate):
            return "-"
        if percent:
            text = f"{100 * d.estimate:+.0f} percentage points [{100 * d.low:+.0f}, {100 * d.high:+.0f}]"
        else:
            text = f"{d.estimate:+.{digits}f} [{d.low:+.{digits}f}, {d.high:+.{digits}f}]"
        e = self.effect
        if math.isnan(e.estimate):
            return text
        interval = f" [{e.low:.2f}, {e.high:.2f}]" if math.isfinite(e.low) and math.isfinite(e.high) else ""
        return f"{text} ({self.effect_name} {e.estimate:.2f}{interval})"


def risk_difference(
    successes_a: int, n_a: int, successes_b: int, n_b: int, confidence: float = DEFAULT_CONFIDENCE
) -> Interval:
    """p_a - p_b with Newcombe's (1998) hybrid score interval (method 10), built from the two Wilson intervals."""
    if n_a == 0 or n_b == 0:
        return Interval(math.nan, math.nan, math.nan, min(n_a, n_b), "newcombe")
    a, b = wilson_interval(successes_a, n_a, confidence), wilson_interval(successes_b, n_b, confidence)
    difference = a.estimate - b.estimate
    low = difference - math.sqrt((a.estimate - a.low) ** 2 + (b.high - b.estimate) ** 2)
    high = difference + math.sqrt((a.high - a.estimate) ** 2 + (b.estimate - b.low) ** 2)
    return Interval(difference, low, high, n_a + n_b, "newcombe")


def cohens_h(p_a: float, p_b: float) -> float:
    """Cohen's h between two proportions: 2 asin(sqrt p_a) - 2 asin(sqrt p_b) (0.2 small, 0.5 medium, 0.8 large)."""
    return 2 * math.asin(math.sqrt(p_a)) - 2 * math.asin(math.sqrt(p_b))


def cohens_d(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """(mean a - mean b) / pooled standard deviation; NaN when the pooled sd is 0 or undefined."""
    x, y = _finite(a), _finite(b)
    pooled = _pooled_sd(x, y, axis=-1)
    return float((x.mean() - y.mean()) / pooled) if pooled > 0 else math.nan


def _pooled_sd(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    nx, ny = x.shape[axis], y.shape[axis]
    return np.sqrt(((nx - 1) * np.var(x, axis=axis, ddof=1) + (ny - 1) * np.var(y, axis=axis, ddof=1)) / (nx + ny - 2))


def _difference_statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def _d_statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.mean(x, axis=axis) - np.mean(y, axis=axis)) / _pooled_sd(x, y, axis)


def compare_points(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> PointComparison:
    """How the runs of point A differ from those of point B (independent replicates): difference and effect size."""
    x, y = _finite(a), _finite(b)
    nan = Interval(math.nan, math.nan, math.nan, 0, "none")
    if x.size == 0 or y.size == 0:
        return PointComparison(nan, nan, "effect size", math.nan)
    if is_binary(np.concatenate([x, y])):
        sa, sb = int(x.sum()), int(y.sum())
        difference = risk_difference(sa, x.size, sb, y.size, confidence)
        h = cohens_h(sa / x.size, sb / y.size)
        half = float(scipy_stats.norm.ppf(0.5 + confidence / 2)) * math.sqrt(1 / x.size + 1 / y.size)
        p = float(scipy_stats.fisher_exact([[sa, x.size - sa], [sb, y.size - sb]]).pvalue)
        return PointComparison(difference, Interval(h, h - half, h + half, x.size + y.size, "arcsine"), "Cohen's h", p)
    estimate = float(x.mean() - y.mean())
    n = int(x.size + y.size)
    if x.size < 2 or y.size < 2:
        return PointComparison(Interval(estimate, math.nan, math.nan, n, "bootstrap"), nan, "Cohen's d", math.nan)
    if x.size < MIN_BOOTSTRAP_N or y.size < MIN_BOOTSTRAP_N:
        welch = scipy_stats.ttest_ind(x, y, equal_var=False)
        low, high = (float(v) for v in welch.confidence_interval(confidence))
        difference = Interval(estimate, low, high, n, "welch")
    else:
        low, high, _ = _bootstrap((x, y), _difference_statistic, confidence, seed)
        difference = Interval(estimate, low, high, n, "bootstrap")
    d = cohens_d(x, y)
    if math.isfinite(d) and x.size >= MIN_BOOTSTRAP_N and y.size >= MIN_BOOTSTRAP_N:
        d_low, d_high, _ = _bootstrap((x, y), _d_statistic, confidence, seed)
        effect = Interval(d, d_low, d_high, n, "bootstrap")
    else:
        effect = Interval(d, math.nan, math.nan, n, "bootstrap")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = float(scipy_stats.ttest_ind(x, y, equal_var=False).pvalue)
    return PointComparison(difference, effect, "Cohen's d", p)


def probability_best(
    groups: dict[object, Sequence[float] | np.ndarray],
    goal: str = "maximize",
    resamples: int = PROBABILITY_BEST_RESAMPLES,
    seed: int = 0,
) -> pd.Series:
    """For each group, the share of bootstrap resamples in which its mean is the best; ties share the win.

    Replicates are resampled within each group. How sure can we be that the best point is the best?
    """
    rng = np.random.default_rng(seed)
    keys = list(groups)
    means = np.full((len(keys), resamples), np.nan)
    for row, key in enumerate(keys):
        data = _finite(groups[key])
        if data.size:
            means[row] = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    if goal == "minimize":
        means = -means
    filled = np.where(np.isnan(means), -np.inf, means)
    best = filled.max(axis=0)
    winners = np.isclose(filled, best, rtol=0, atol=1e-12) & np.isfinite(filled)
    shares = (winners / np.maximum(winners.sum(axis=0), 1)).mean(axis=1)
    return pd.Series(shares, index=keys, name="probability_best")


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


def summarise(
    runs: pd.DataFrame, by: Sequence[str], outcome: str, confidence: float = DEFAULT_CONFIDENCE, means: str = "t"
) -> pd.DataFrame:
    """One row per group of `by`: runs, the outcome's estimate and interval.

    Wilson if the outcome is 0/1; otherwise Student t, or with means="bootstrap" a BCa bootstrap
    (t below MIN_BOOTSTRAP_N values).
    """
    binary = is_binary(runs[outcome])
    mean_of = bootstrap_mean if means == "bootstrap" else mean_interval

    def interval_of(group: pd.DataFrame) -> Interval:
        values = _finite(group[outcome])
        return (
            wilson_interval(int(values.sum()), int(values.size), confidence) if binary else mean_of(values, confidence)
        )

    return summarise_groups(runs, by, interval_of)


def summarise_groups(runs: pd.DataFrame, by: Sequence[str], interval_of: Callable[[pd.DataFrame], Any]) -> pd.DataFrame:
    """One row per group of `by`: its runs and `interval_of(group)`'s n, estimate, low, high and method."""
    rows = []
    for key, group in runs.groupby(list(by), sort=True, dropna=False):
        interval = interval_of(group)
        keys = key if isinstance(key, tuple) else (key,)
        rows.append(
            {
                **dict(zip(by, keys, strict=True)),
                "runs": len(group),
                "n": interval.n,
                "estimate": interval.estimate,
                "low": interval.low,
                "high": interval.high,
                "method": interval.method,
            }
        )
    return pd.DataFrame(rows, columns=[*by, "runs", "n", "estimate", "low", "high", "method"])


# Paired comparisons: two conditions run on the same seeds (common random numbers) ----------------


@dataclass(frozen=True)
class PairedDifference:
    """Mean of a - b over the pairs where both are defined, its interval, and how often a > b, a = b, a < b."""

    estimate: float
    low: float
    high: float
    n: int
    share_higher: float
    share_tied: float
    share_lower: float
    method: str

    def format(self, digits: int = 2) -> str:
        """'+0.90 [+0.50, +1.30]', or '-' without pairs."""
        if self.n == 0 or math.isnan(self.estimate):
            return "-"
        if math.isnan(self.low):
            return f"{self.estimate:+.{digits}f}"
        return f"{self.estimate:+.{digits}f} [{self.low:+.{digits}f}, {self.high:+.{digits}f}]"


def paired_difference(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
) -> PairedDifference:
    """a[i] - b[i] for runs on the same seed i: the mean with a paired BCa bootstrap interval (percentile if BCa fails).

    Pairs where either value is NaN (an undefined outcome, a failed run) are left out. Pairing
    removes the luck both share (the same network, actors and draws), so the interval is much
    narrower than one for two independent samples.
    """
    first, second = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError(
            f"paired values need two 1-D arrays of one length, got shapes {first.shape} and {second.shape}"
        )
    both = np.isfinite(first) & np.isfinite(second)
    first, second = first[both], second[both]
    n = first.size
    if n == 0:
        return PairedDifference(math.nan, math.nan, math.nan, 0, math.nan, math.nan, math.nan, "paired bootstrap")
    difference = first - second
    estimate = float(difference.mean())
    shares = (float(np.mean(difference > 0)), float(np.mean(difference == 0)), float(np.mean(difference < 0)))
    if n == 1:
        return PairedDifference(estimate, math.nan, math.nan, 1, *shares, "paired bootstrap")
    if np.all(difference == difference[0]):
        return PairedDifference(estimate, estimate, estimate, n, *shares, "paired bootstrap")
    low, high, method = _bootstrap(
        (first, second), _mean_difference, confidence, seed, BOOTSTRAP_RESAMPLES, paired=True
    )
    if method:
        return PairedDifference(
            estimate, min(low, estimate), max(high, estimate), n, *shares, f"paired bootstrap ({method})"
        )
    return PairedDifference(estimate, math.nan, math.nan, n, *shares, "paired bootstrap")


def _mean_difference(first: np.ndarray, second: np.ndarray, axis: int = -1) -> np.ndarray:
    return np.mean(first - second, axis=axis)
