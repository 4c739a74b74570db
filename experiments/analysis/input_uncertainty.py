"""Intervals that carry a posterior's spread: a random-effects (one-way ANOVA) split of replicates by particle.

With a calibration's posterior, replicates run in blocks of m: every replicate of block b runs at the
particle drawn for b (experiments.design.posterior). A per-replicate value y (a contribution, a
difference) then varies for two reasons: which particle (the parameter uncertainty the data left
open, *epistemic*) and which seed (Monte Carlo noise). A bootstrap or t interval of the mean over
replicates divides both by sqrt(n), so the parameter uncertainty seems to vanish as replicates grow.

The random-effects model y_bj = mu + a_b + e_bj (Ankenman & Nelson 2012, "A quick assessment of input
uncertainty"; Song & Nelson 2015) separates them by one-way ANOVA over the B blocks:

- MSB = sum_b n_b (ybar_b - ybar)^2 / (B - 1), MSW = sum_bj (y_bj - ybar_b)^2 / (N - B);
- sigma2_I = max(0, (MSB - MSW) / n0), n0 = (N - sum_b n_b^2 / N) / (B - 1) (= m for equal blocks):
  the posterior variance of E[y | theta], which does not shrink as replicates grow;
- Var(ybar) = sigma2_I * sum_b n_b^2 / N^2 + MSW / N (= MSB / (B m) for equal blocks when MSB >= MSW):
  the Monte Carlo part, which does;
- the interval ybar +/- t[(1 + confidence) / 2, B - 1] * sqrt(sigma2_I + Var(ybar)), B - 1 degrees of
  freedom because B particles were drawn; tests use the same standard error and degrees of freedom.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from tracktwo.experiments.analysis.stats import summarise_groups

__all__ = [
    "METHOD",
    "SHORT",
    "RandomEffects",
    "blocks_of",
    "mean_with_spread",
    "paired_difference_with_spread",
    "posterior_block",
    "random_effects",
    "stated",
    "summarise_with_spread",
]

ROUNDING = 1e-9  # MSB above MSW by less than this share of them is rounding, not a posterior spread
SHORT = "random effects (posterior blocks)"  # the method column of a table
METHOD = "random effects (one-way ANOVA over posterior blocks; Ankenman & Nelson 2012)"


def blocks_of(replicates: Sequence[int] | np.ndarray, block: int) -> np.ndarray:
    """The posterior block of each replicate: r // m (the particle replicate r ran at is drawn from it)."""
    return np.asarray(replicates, dtype=np.int64) // int(block)


@dataclass(frozen=True)
class RandomEffects:
    """The one-way random-effects split of per-replicate values by posterior block."""

    estimate: float  # the grand mean over replicates
    input_variance: float  # sigma2_I: the posterior variance of E[value | theta] (does not shrink with replicates)
    mean_variance: float  # Var(grand mean): the Monte Carlo part (shrinks with replicates)
    between: float  # MSB
    within: float  # MSW
    blocks: int  # B: blocks with a value
    n: int  # N: replicates with a value

    @property
    def df(self) -> int:
        """Degrees of freedom of the interval and the tests: B - 1 (B particles drawn)."""
        return self.blocks - 1

    @property
    def se(self) -> float:
        """The interval's standard error, sqrt(sigma2_I + Var(grand mean)); NaN with fewer than two blocks."""
        return math.sqrt(self.input_variance + self.mean_variance) if self.blocks > 1 else math.nan

    def interval(self, confidence: float) -> tuple[float, float]:
        """(low, high): estimate +/- t[(1 + confidence) / 2, B - 1] * se; NaN with fewer than two blocks."""
        if self.blocks < 2 or not math.isfinite(self.se):
            return math.nan, math.nan
        half = float(scipy_stats.t.ppf(0.5 + confidence / 2, self.df)) * self.se
        return self.estimate - half, self.estimate + half


def random_effects(values: Sequence[float] | np.ndarray, blocks: Sequence[int] | np.ndarray) -> RandomEffects:
    """The random-effects split of `values` (one per replicate, NaN = undefined, left out) by their `blocks`."""
    y = np.asarray(values, dtype=float)
    groups = np.asarray(blocks)
    if y.shape != groups.shape:
        raise ValueError(f"values {y.shape} and blocks {groups.shape} differ in shape")
    keep = np.isfinite(y)
    y, groups = y[keep], groups[keep]
    n = y.size
    if n == 0:
        return RandomEffects(math.nan, math.nan, math.nan, math.nan, math.nan, 0, 0)
    grand = float(y.mean())
    labels, which = np.unique(groups, return_inverse=True)
    b = labels.size
    if b < 2:
        return RandomEffects(grand, math.nan, math.nan, math.nan, math.nan, b, n)
    sizes = np.bincount(which).astype(float)
    means = np.bincount(which, weights=y) / sizes
    between = float((sizes * (means - grand) ** 2).sum() / (b - 1))
    within_df = n - b
    squares_over_n = float((sizes**2).sum() / n)
    if within_df > 0:
        within = float(((y - means[which]) ** 2).sum() / within_df)
        n0 = (n - squares_over_n) / (b - 1)
        excess = between - within
        input_variance = excess / n0 if excess > ROUNDING * max(between, within) else 0.0  # truncated at 0
        mean_variance = input_variance * squares_over_n / n + within / n
    else:  # one replicate per block: the two parts cannot be told apart, so all of it counts as input
        within = math.nan
        input_variance, mean_variance = between, between / n
    return RandomEffects(grand, input_variance, mean_variance, between, within, b, n)


def mean_with_spread(values: Sequence[float] | np.ndarray, blocks: Sequence[int] | np.ndarray, confidence: float):
    """A stats.Interval of the mean whose width carries the posterior's spread (NaN bounds with one block)."""
    from tracktwo.experiments.analysis.stats import Interval

    split = random_effects(values, blocks)
    low, high = split.interval(confidence)
    return Interval(split.estimate, low, high, split.n, SHORT)


def paired_difference_with_spread(
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    blocks: Sequence[int] | np.ndarray,
    confidence: float,
):
    """A stats.PairedDifference of a - b (runs on one seed and one particle) with the random-effects interval."""
    from tracktwo.experiments.analysis.stats import PairedDifference

    first, second, labels = np.asarray(a, dtype=float), np.asarray(b, dtype=float), np.asarray(blocks)
    both = np.isfinite(first) & np.isfinite(second)
    difference = first[both] - second[both]
    if difference.size == 0:
        return PairedDifference(math.nan, math.nan, math.nan, 0, math.nan, math.nan, math.nan, SHORT)
    shares = (float(np.mean(difference > 0)), float(np.mean(difference == 0)), float(np.mean(difference < 0)))
    split = random_effects(difference, labels[both])
    if np.all(difference == difference[0]):  # no error left at all: the same difference in every run
        return PairedDifference(split.estimate, split.estimate, split.estimate, split.n, *shares, SHORT)
    low, high = split.interval(confidence)
    return PairedDifference(split.estimate, low, high, split.n, *shares, SHORT)


def stated(block: int | None, without: str) -> dict[str, object]:
    """What a summary says its intervals cover: seed luck only (`without`, the method), or the posterior too."""
    if block is None:
        return {"method": without, "covers": "seed luck only"}
    return {
        "method": METHOD,
        "block": block,
        "covers": "seed luck and the spread the posterior leaves open (sigma2_I, which more replicates do not shrink)",
    }


def posterior_block(design: Mapping[str, Any] | None) -> int | None:
    """The replicates per particle (m) from a sweep's description (manifest `sweep`); None without a posterior."""
    posterior = (design or {}).get("posterior")
    return int(posterior.get("block", 1)) if isinstance(posterior, Mapping) and posterior.get("block") else None


def summarise_with_spread(
    runs: pd.DataFrame, by: Sequence[str], outcome: str, block: int, confidence: float = 0.95
) -> pd.DataFrame:
    """stats.summarise's table (a row per group of `by`) with the random-effects interval over blocks of m."""

    def interval_of(group: pd.DataFrame) -> Any:
        return mean_with_spread(group[outcome].to_numpy(float), blocks_of(group["replicate"], block), confidence)

    return summarise_groups(runs, by, interval_of)
