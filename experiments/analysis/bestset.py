"""Which sweep points cannot be told apart from the best: paired comparisons, P(best) and a best set.

The runs of a paired sweep (the default) share seeds: replicate r of every point runs on the same
seed, so two points differ by their values, not by luck (common random numbers). Every
comparison here is therefore made on the pairs of runs with the same seed:

* **Difference to the best**: the mean of (point - best) over the seeds both ran, with a paired
  BCa bootstrap interval (`stats.paired_difference`). Identical runs give a difference of exactly
  0 with no width: a tie.
* **P(best)**: the share of paired bootstrap resamples (seeds drawn with replacement, the same
  seeds for every point) in which a point's mean is the best; exact ties share the win.
* **The best set**: multiple comparisons with the best (MCB; Hsu 1984, subset-selection form) on
  the paired differences, with Dunnett-type one-sided critical values from a paired bootstrap-t of
  the studentised differences (each resample divided by its own standard error: "paired-bootstrap
  max-t MCB"). Point i is in the set unless some
  point j is better by more than d_i standard errors of their paired difference, d_i the
  `confidence` quantile of max over j of the bootstrap t of (j - i). The set contains the true
  best with probability at least `confidence` (asymptotically), whatever the other points' means.

Below MIN_BOOTSTRAP_RUNS runs per point the bootstrap cannot see the tails, and the critical
value is Student t at 1 - alpha / (k - 1) (Bonferroni over the k - 1 comparisons) instead.

An unpaired sweep (`paired: false`) gets the same procedure on independent resamples of each
point's runs and Welch standard errors.

The sequential procedure (`replicates: auto`) is "sequential MCB elimination": looks after n0,
2 n0, 4 n0, ... replicates; at each look the best set is computed at confidence 1 - alpha / L
(Bonferroni over the L looks the budget allows), points outside it stop, the rest get replicates
up to the next look, until one point is left, the points left are identical on every seed, or the
budget is spent. The decisions are a function of the stored runs alone, so a resumed sweep replays
them and continues where it stopped (`sequential_state`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BEST_SET_RESAMPLES",
    "DEFAULT_INITIAL_REPLICATES",
    "MIN_BOOTSTRAP_RUNS",
    "BestSet",
    "SequentialState",
    "best_set",
    "by_scenario",
    "is_paired",
    "look_schedule",
    "matrix",
    "paired_differences",
    "paired_probability_best",
    "sequential_state",
    "within_indifference",
]

BEST_SET_RESAMPLES = 4000
MIN_BOOTSTRAP_RUNS = 8  # below this many runs per point the critical value is Bonferroni-t, not bootstrap-t
DEFAULT_INITIAL_REPLICATES = 10
_TIE = 1e-12


def is_paired(runs: pd.DataFrame) -> bool:
    """True when replicate r has one seed across all points (a paired sweep, common random numbers)."""
    if runs.empty or "seed" not in runs or "replicate" not in runs:
        return False
    seeds = runs.groupby("replicate")["seed"]
    return bool((seeds.min() == seeds.max()).all()) and len(runs["point"].unique()) > 1


def matrix(runs: pd.DataFrame, metric: str, points: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
    """Points (sorted, or as given) by replicates: the metric of each run, NaN where missing, failed or undefined."""
    table = runs.pivot_table(index="point", columns="replicate", values=metric, aggfunc="first", dropna=False)
    order = sorted(runs["point"].unique().tolist()) if points is None else list(points)
    table = table.reindex(index=order)
    return [int(p) for p in order], table.to_numpy(float)


@dataclass(frozen=True)
class BestSet:
    """The best set of a sweep's points at a confidence, and how each point compares with the best.

    Arrays are in the order of `points`; `sign` is +1 to maximise, -1 to minimise (values are the
    metric itself, not the sign-adjusted one).
    """

    points: list[int]
    means: np.ndarray
    in_best_set: np.ndarray
    critical: np.ndarray
    best: int
    confidence: float
    paired: bool
    procedure: str
    indifference: float = 0.0


def _stratified(
    parts: Sequence[tuple[np.ndarray, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """(D, S) of equally weighted strata from each one's (D_s, S_s): mean of D_s, sqrt(sum of S_s^2) / strata."""
    count = len(parts)
    mean = sum(d for d, _ in parts) / count
    se = np.sqrt(sum(e**2 for _, e in parts)) / count
    return mean, se


def _strata_columns(strata: np.ndarray | None, n: int) -> list[np.ndarray]:
    """The columns of each stratum (one stratum of every column when there are none)."""
    if strata is None:
        return [np.arange(n)]
    strata = np.asarray(strata)[:n]
    return [np.flatnonzero(strata == s) for s in np.unique(strata)]


def _pairwise(y: np.ndarray, paired: bool, strata: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean difference D[i, j] = mean(y_i - y_j) and its standard error S[i, j] (over common seeds when paired).

    With `strata` (a label per column; paired only), the mean of the strata's mean differences and the
    stratified standard error: each stratum (a scenario) weighs the same.
    """
    if strata is not None and paired:
        return _stratified([_pairwise(y[:, cols], True) for cols in _strata_columns(strata, y.shape[1])])
    present = np.isfinite(y)
    filled = np.where(present, y, 0.0)
    k = y.shape[0]
    if paired:
        m = present.astype(float)
        count = m @ m.T
        sum_i = filled @ m.T  # sum of y_i over seeds j also ran
        diff_sum = sum_i - sum_i.T
        sq = (filled**2) @ m.T
        cross = filled @ filled.T
        diff_sq = sq + sq.T - 2 * cross
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = diff_sum / count
            var = (diff_sq - count * mean**2) / (count - 1)
            se = np.sqrt(np.maximum(var, 0.0) / count)
        se[count < 2] = np.nan
        return mean, se
    n = present.sum(axis=1).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = filled.sum(axis=1) / n
        var = np.nansum((np.where(present, y, np.nan) - mu[:, None]) ** 2, axis=1) / (n - 1)
    mean = mu[:, None] - mu[None, :]
    se = np.sqrt(var[:, None] / n[:, None] + var[None, :] / n[None, :])
    se[np.eye(k, dtype=bool)] = 0.0
    return mean, se


def paired_differences(
    y: np.ndarray, paired: bool = True, strata: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """D[i, j] = mean(y_i - y_j) and its standard error S[i, j], as the best set compares rows (points x columns).

    Paired: over the columns (seeds) both rows ran; with `strata` (each column's scenario) the mean of
    the strata's mean differences, each stratum weighing the same, and the stratified standard error.
    """
    return _pairwise(np.asarray(y, dtype=float), paired, strata)


def _weighted_pairwise(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(D*, S*) of paired differences under bootstrap weights w (resamples x columns)."""
    present = np.isfinite(y)
    filled = np.where(present, y, 0.0)
    m = present.astype(float)
    count = (m[None] * w[:, None, :]) @ m.T
    sum_i = (filled[None] * w[:, None, :]) @ m.T
    sq = ((filled**2)[None] * w[:, None, :]) @ m.T
    cross = (filled[None] * w[:, None, :]) @ filled.T
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sum_i - np.swapaxes(sum_i, 1, 2)) / count
        var = (sq + np.swapaxes(sq, 1, 2) - 2 * cross - count * mean**2) / (count - 1)
        return mean, np.sqrt(np.maximum(var, 0.0) / count)


def _resampled_draws(
    y: np.ndarray,
    paired: bool,
    rng: np.random.Generator,
    resamples: int,
    block: int = 128,
    strata: np.ndarray | None = None,
) -> Iterator[tuple[int, list[tuple[Any, np.ndarray]]]]:
    """The bootstrap's draws block by block, in the order `rng` makes them: (resamples, draws).

    Paired, the draws are (columns, weights) per stratum: seeds drawn jointly, within each stratum. Unpaired,
    (row, drawn places) per point: each point's runs apart. Drawn here, in one thread and one order, so the
    resamples do not depend on how the blocks are computed.
    """
    present = np.isfinite(y)
    groups = _strata_columns(strata if paired else None, y.shape[1])
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        if paired:
            yield (
                size,
                [
                    (cols, rng.multinomial(cols.size, np.full(cols.size, 1 / cols.size), size=size).astype(float))
                    for cols in groups
                ],
            )
        else:
            drawn = []
            for row in range(y.shape[0]):
                count = int(present[row].sum())
                if count:
                    drawn.append((row, rng.integers(0, count, size=(size, count))))
            yield size, drawn


def _resampled_differences(
    y: np.ndarray, paired: bool, draws: list[tuple[Any, np.ndarray]], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(D*, S*) of one block of draws (resamples x points x points), as _pairwise computes (D, S).

    With strata (paired), each stratum's differences are combined with equal weights, as `_pairwise` does.
    """
    if paired:
        parts = [_weighted_pairwise(y[:, cols], w) for cols, w in draws]
        return _stratified(parts) if len(parts) > 1 else parts[0]
    present = np.isfinite(y)
    k = y.shape[0]
    means = np.full((size, k), np.nan)
    variances = np.full((size, k), np.nan)
    sizes = np.maximum(present.sum(axis=1), 1)
    for row, places in draws:
        drawn = y[row][present[row]][places]
        means[:, row] = drawn.mean(axis=1)
        variances[:, row] = drawn.var(axis=1, ddof=1) if places.shape[1] > 1 else np.nan
    share = variances / sizes[None, :]
    return means[:, :, None] - means[:, None, :], np.sqrt(share[:, :, None] + share[:, None, :])


def _threads() -> int:
    """Threads for a best set's bootstrap blocks: the cores this process may use (numpy releases the GIL)."""
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 4))


def best_set(
    y: np.ndarray,
    points: Sequence[int],
    goal: str = "maximize",
    confidence: float = 0.95,
    paired: bool = True,
    resamples: int = BEST_SET_RESAMPLES,
    seed: int = 0,
    active: np.ndarray | None = None,
    indifference: float = 0.0,
    strata: np.ndarray | None = None,
) -> BestSet:
    """Paired-bootstrap max-t MCB: the points no other point beats by more than its critical value.

    `y` is points x replicates (NaN where missing). With `active`, only those rows take part (the
    others are reported out of the set). A point whose runs are identical to the best's on every
    seed has difference 0 and standard error 0: it is always in the set (a tie). `indifference`
    (delta >= 0, in the metric's units) is the indifference zone: a point leaves the set only when
    some point beats it by more than delta at the confidence, so points within delta of the best
    (practically equivalent) stay in however many runs they get. `strata` labels each column (its
    scenario, in a sweep over uncertain scenarios): comparisons then weigh every stratum equally
    and the bootstrap draws seeds within strata.
    """
    sign = 1.0 if goal == "maximize" else -1.0
    y = np.asarray(y, dtype=float)
    k = y.shape[0]
    active = np.ones(k, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    with np.errstate(invalid="ignore"):
        means = np.array([np.nanmean(row) if np.isfinite(row).any() else np.nan for row in y])
    active = active & np.isfinite(means)
    rows = np.flatnonzero(active)
    inside = np.zeros(k, dtype=bool)
    critical = np.full(k, np.nan)
    if rows.size == 0:
        return BestSet(list(points), means, inside, critical, -1, confidence, paired, PROCEDURE, indifference)
    sub = sign * y[rows]
    diff, se = _pairwise(sub, paired, strata)  # diff[i, j] = mean(i - j), sign-adjusted: > 0 means i better
    r = rows.size
    if r == 1:
        inside[rows] = True
        best = int(points[rows[0]])
        return BestSet(list(points), means, inside, critical, best, confidence, paired, PROCEDURE, indifference)
    rng = np.random.default_rng(seed)
    off = ~np.eye(r, dtype=bool)
    positive = (se > _TIE) & off

    def block_maxima(block: tuple[int, list[tuple[Any, np.ndarray]]]) -> np.ndarray:
        """Each resample's max over j of the bootstrap t of (j - i).

        The t: each resample's difference centred on the sample's and divided by its own standard error.
        """
        star, star_se = _resampled_differences(sub, paired, *reversed(block))
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (np.swapaxes(star, 1, 2) - diff.T[None]) / np.swapaxes(star_se, 1, 2)  # t[b, i, j]: (j - i)
        t = np.where(positive.T[None] & np.isfinite(t), t, -np.inf)
        return t.max(axis=2)

    # the blocks' arithmetic on the cores (numpy releases the GIL), their draws made here in order: the same
    # maxima, row for row, on any number of threads
    with ThreadPoolExecutor(_threads()) as pool:
        maxima = np.concatenate(
            list(pool.map(block_maxima, _resampled_draws(sub, paired, rng, resamples, strata=strata)))
        )
    d = np.quantile(np.where(np.isfinite(maxima), maxima, 0.0), confidence, axis=0)
    fewest = int(np.isfinite(sub).sum(axis=1).min())
    if fewest < MIN_BOOTSTRAP_RUNS:  # too few runs for a bootstrap-t: Bonferroni-t (Student t, k - 1 comparisons)
        from scipy import stats as scipy_stats  # here: scipy.stats costs a second to import, on every sweep's start

        d = np.full(r, float(scipy_stats.t.ppf(1 - (1 - confidence) / (r - 1), max(fewest - 1, 1))))
    critical[rows] = d
    # i is beaten when some j has mean(j - i) > delta + d_i * se(i, j); a constant gap beyond delta (se = 0) beats
    with np.errstate(invalid="ignore"):
        gap = diff.T - indifference  # gap[i, j] = mean(j - i) - delta
        beaten = np.where(se > _TIE, gap > d[:, None] * se, gap > _TIE) & off
    inside[rows] = ~beaten.any(axis=1)
    order = rows[np.lexsort((rows, -sign * means[rows]))]
    best = int(points[order[0]])
    return BestSet(list(points), means, inside, critical, best, confidence, paired, PROCEDURE, indifference)


def within_indifference(
    y: np.ndarray, indifference: float, confidence: float, paired: bool = True, strata: np.ndarray | None = None
) -> bool:
    """True when every pair of rows is shown to differ by less than delta: |mean difference| + t * se < delta.

    t is Student t at 1 - alpha / (number of pairs) (Bonferroni), so the claim holds for all pairs
    at once at `confidence`: the rows are practically equivalent and more runs cannot split them.
    """
    y = np.asarray(y, dtype=float)
    k = y.shape[0]
    if indifference <= 0 or k < 2:
        return k < 2
    diff, se = _pairwise(y, paired, strata)
    pairs = k * (k - 1) / 2
    fewest = int(np.isfinite(y).sum(axis=1).min())
    if fewest < 2:
        return False
    from scipy import stats as scipy_stats

    t = float(scipy_stats.t.ppf(1 - (1 - confidence) / pairs, fewest - 1))
    upper = np.abs(diff) + t * np.where(np.isfinite(se), se, np.inf)
    return bool(np.all(upper[~np.eye(k, dtype=bool)] < indifference))


PROCEDURE = "paired-bootstrap max-t MCB (Hsu 1984)"


def paired_probability_best(
    y: np.ndarray, goal: str = "maximize", paired: bool = True, resamples: int = 2000, seed: int = 0
) -> np.ndarray:
    """Share of bootstrap resamples in which each row's mean is the best; seeds drawn jointly when paired."""
    y = np.asarray(y, dtype=float)
    sign = 1.0 if goal == "maximize" else -1.0
    present = np.isfinite(y)
    filled = np.where(present, sign * y, 0.0)
    k, n = y.shape
    rng = np.random.default_rng(seed)
    if paired:
        counts = rng.multinomial(n, np.full(n, 1 / n), size=resamples).T.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (filled @ counts) / (present.astype(float) @ counts)
    else:
        means = np.full((k, resamples), np.nan)
        for row in range(k):
            values = filled[row][present[row]]
            if values.size:
                means[row] = values[rng.integers(0, values.size, size=(resamples, values.size))].mean(axis=1)
    means = np.where(np.isfinite(means), means, -np.inf)
    top = means.max(axis=0)
    winners = (means >= top - _TIE) & np.isfinite(means)
    return (winners / np.maximum(winners.sum(axis=0), 1)).mean(axis=1)


# Sequential MCB elimination (replicates: auto) ----------------------------------------------


def look_schedule(points: int, initial: int, budget: int) -> list[int]:
    """Replicates per surviving point at each look: n0, 2 n0, 4 n0, ... while two survivors fit the budget."""
    looks = [initial]
    spent = points * initial
    while spent + 2 * looks[-1] <= budget:
        spent += 2 * looks[-1]
        looks.append(2 * looks[-1])
    return looks


@dataclass(frozen=True)
class SequentialState:
    """Where sequential MCB elimination stands on the stored runs.

    `contenders`: points still in (after the last look made); `look`: index of that look;
    `wanted`: replicates each contender needs before the next look (0 when finished); `reason`:
    why it finished ('resolved', 'tied', 'equivalent': every pair left within the indifference
    zone, 'budget') or '' while running.
    """

    contenders: list[int]
    look: int
    looks: list[int]
    wanted: int
    reason: str
    per_look_confidence: float


def sequential_state(
    y: np.ndarray,
    points: Sequence[int],
    goal: str,
    confidence: float,
    initial: int,
    budget: int,
    paired: bool = True,
    seed: int = 0,
    resamples: int = BEST_SET_RESAMPLES,
    ran: np.ndarray | None = None,
    indifference: float = 0.0,
    strata: np.ndarray | None = None,
    memo: dict[bytes, BestSet] | None = None,
) -> SequentialState:
    """Replay the looks on the runs so far (points x replicates) and say which replicates to run next.

    At look l each surviving point has its first looks[l] replicates; the best set at confidence
    1 - (1 - confidence) / L (with the indifference zone `indifference`) decides who goes on. `ran`
    marks the runs recorded (a failed run is recorded, with NaN in `y`); by default the finite
    values. `strata` labels the columns (by_scenario); `initial` and the looks then count columns.
    Deterministic in the runs: a resume replays it. `memo`: a dict kept between calls (a sweep keeps one)
    that holds each look's best set by a digest of its inputs, so a look already decided is not computed
    again (the bootstrap of every earlier look was most of a sweep's pause between looks).
    """
    y = np.asarray(y, dtype=float)
    ran = np.isfinite(y) if ran is None else np.asarray(ran, dtype=bool)
    looks = look_schedule(len(points), initial, budget)
    level = 1 - (1 - confidence) / len(looks)
    alive = np.ones(len(points), dtype=bool)
    names = np.asarray(points)
    step = len(np.unique(strata)) if strata is not None else 1
    last = len(looks)
    for index in range(len(looks)):
        n = looks[index]
        complete = ran.shape[1] >= n and bool(ran[alive, :n].all())
        if not complete:
            contenders = [int(p) for p in names[alive]]
            if index and int(ran.sum()) + _needed(ran, alive, n) > budget:  # the next look does not fit:
                n = _largest_look(ran, alive, looks[index - 1], n, step, budget)  # a last, smaller one if any does
                if n is None:
                    return SequentialState(contenders, index - 1, looks, 0, "budget", level)
                looks, last = [*looks[:index], n], index + 1
                if not (ran.shape[1] >= n and bool(ran[alive, :n].all())):
                    return SequentialState(contenders, index, looks, n, "", level)
            else:
                return SequentialState(contenders, index, looks, n, "", level)
        window = np.where(alive[:, None], y[:, :n], np.nan)
        arguments = (window, points, goal, level, paired, resamples, seed + index, alive, indifference, strata)
        key = _digest(*arguments) if memo is not None else b""
        chosen = memo.get(key) if memo is not None else None
        if chosen is None:
            chosen = best_set(*arguments)
            if memo is not None:
                memo[key] = chosen
        alive = chosen.in_best_set.copy()
        contenders = [int(p) for p in names[alive]]
        if alive.sum() <= 1:
            return SequentialState(contenders, index, looks, 0, "resolved", level)
        rows = window[alive]
        if paired and np.all(np.nanmax(rows, axis=0) - np.nanmin(rows, axis=0) <= _TIE):
            return SequentialState(contenders, index, looks, 0, "tied", level)
        if within_indifference(rows, indifference, level, paired, strata):
            return SequentialState(contenders, index, looks, 0, "equivalent", level)
        if index + 1 >= last:
            break
    return SequentialState([int(p) for p in names[alive]], len(looks) - 1, looks, 0, "budget", level)


def _digest(*arguments: object) -> bytes:
    """A digest of a best set's inputs (arrays by dtype, shape and bytes; the rest by repr)."""
    digest = hashlib.blake2b(digest_size=20)
    for value in arguments:
        if isinstance(value, np.ndarray):
            digest.update(f"{value.dtype}{value.shape}".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
        else:
            digest.update(repr(value).encode())
        digest.update(b"|")
    return digest.digest()


def _needed(ran: np.ndarray, alive: np.ndarray, n: int) -> int:
    """Runs the alive rows still need to have their first n columns."""
    return int(alive.sum()) * n - int(ran[alive, :n].sum())


def _largest_look(
    ran: np.ndarray, alive: np.ndarray, previous: int, planned: int, step: int, budget: int
) -> int | None:
    """The most columns (a multiple of `step`, past the previous look) the budget left gives every alive row."""
    for n in range(planned - step, previous, -step):
        if int(ran.sum()) + _needed(ran, alive, n) <= budget:
            return n
    return None


def by_scenario(y: np.ndarray, ran: np.ndarray, scenarios: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sweep over scenarios as levers x (replicate, scenario) columns: (values, recorded, strata).

    The rows of `y` (points x replicates) are lever-major (lever l in scenario s is row l x S + s).
    Column r x S + s holds replicate r in scenario s, so the first n x S columns are the first n
    replicates in every scenario; `strata` is each column's scenario. Every (scenario, replicate)
    runs on its own seed, shared by all levers: the columns are independent draws within strata.
    """
    y = np.asarray(y, dtype=float)
    levers, width = y.shape[0] // scenarios, y.shape[1]

    def arrange(a: np.ndarray) -> np.ndarray:
        return a.reshape(levers, scenarios, width).transpose(0, 2, 1).reshape(levers, width * scenarios)

    return arrange(y), arrange(np.asarray(ran, dtype=bool)), np.tile(np.arange(scenarios), width)
