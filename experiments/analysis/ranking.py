"""A sweep's points ranked by its metric, with intervals: the one ranking summary.csv, the CLI and the report share.

Beside the metric each point also shows the chance that at least one idea entered Track One
(when that is not the metric itself): a mix can rank first on impact, the novelty that gets into
Track One, while transferring nothing in most runs, and a designer should see both.

Every comparison between points is paired when the sweep is (replicate r of every point on one
seed, the default): each point's difference to the best with a paired bootstrap interval, P(best)
from paired resamples, and `in_best_set` from the paired-bootstrap MCB of
experiments.analysis.bestset (for `replicates: auto`, the points still in after its last look).
Identical runs are ties: difference 0, the same rank, both in or both out of the best set.
A sweep over `uncertain:` scenarios is ranked by lever point, each replicate's outcome averaged
over the scenarios (robust.over_scenarios); the indifference zone `indifference` of the sweep file
keeps points within delta of the best in the best set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import bestset, input_uncertainty, stats
from tracktwo.experiments.analysis.robust import over_scenarios

__all__ = ["BESIDE_OUTCOMES", "COMPARISON_COLUMNS", "beside", "best_set_of", "rank_points"]

COMPARISON_COLUMNS = ("difference", "difference_low", "difference_high", "probability_best", "in_best_set")

BESIDE_OUTCOMES = ("any_transfer",)  # shown next to any other metric, each with its interval


def beside(metric: str, outcomes: Sequence[str]) -> list[str]:
    """The outcomes shown next to `metric` in a ranking: BESIDE_OUTCOMES the runs report, other than the metric."""
    return [name for name in BESIDE_OUTCOMES if name != metric and name in outcomes]


def best_set_of(
    runs: pd.DataFrame,
    metric: str,
    goal: str,
    design: Mapping[str, Any] | None = None,
    looks: dict[bytes, bestset.BestSet] | None = None,
) -> tuple[list[int], np.ndarray, bestset.BestSet | bestset.SequentialState]:
    """(points, in the best set?, how it was decided) for a sweep's runs; `design` is the manifest's sweep entry.

    A `replicates: auto` sweep replays its sequential MCB elimination; any other sweep gets the
    paired-bootstrap MCB at the sweep's confidence (0.95 by default) on all its runs. `looks`: the
    looks already decided (bestset.sequential_state's memo, e.g. the sweep's own): not computed again.
    """
    design = design or {}
    scenarios = len(design.get("scenarios") or []) if design.get("uncertain") else 0
    paired = bestset.is_paired(runs) or (scenarios > 0 and bool(design.get("common_seeds")))
    points, y = bestset.matrix(runs, metric)
    ran, strata = _recorded(runs, points, y.shape[1]), None
    if scenarios:  # levers compared on (replicate, scenario) columns, stratified by scenario
        points, y, ran, strata = _levers(points, y, ran, scenarios)
    confidence = float(design.get("confidence") or stats.DEFAULT_CONFIDENCE)
    indifference = float(design.get("indifference") or 0.0)
    if design.get("auto_replicates"):
        state = bestset.sequential_state(
            y,
            points,
            goal,
            confidence,
            int(design.get("replicates") or bestset.DEFAULT_INITIAL_REPLICATES) * max(scenarios, 1),
            int(design.get("budget") or 0),
            paired,
            int(design.get("seed") or 0),
            ran=ran,
            indifference=indifference,
            strata=strata,
            memo=looks,
        )
        return points, np.isin(points, state.contenders), state
    chosen = bestset.best_set(y, points, goal, confidence, paired, indifference=indifference, strata=strata)
    return points, chosen.in_best_set, chosen


def _levers(
    points: list[int], y: np.ndarray, ran: np.ndarray, scenarios: int
) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """The lever-major grid's points (l x S + s) as rows, then bestset.by_scenario; levers named by first point."""
    total = (max(points) // scenarios + 1) * scenarios
    full = np.full((total, y.shape[1]), np.nan)
    recorded = np.zeros((total, y.shape[1]), dtype=bool)
    full[points], recorded[points] = y, ran
    values, ran, strata = bestset.by_scenario(full, recorded, scenarios)
    return list(range(0, total, scenarios)), values, ran, strata


def _recorded(runs: pd.DataFrame, points: list[int], width: int) -> np.ndarray:
    """Which (point, replicate) runs are in the table (finished, perhaps with an undefined outcome)."""
    recorded = np.zeros((len(points), width), dtype=bool)
    row = {p: i for i, p in enumerate(points)}
    for point, replicate in runs[["point", "replicate"]].itertuples(index=False, name=None):
        recorded[row[int(point)], int(replicate)] = True
    return recorded


def rank_points(
    runs: pd.DataFrame,
    swept: Sequence[str],
    metric: str,
    goal: str,
    with_probability_best: bool = True,
    design: Mapping[str, Any] | None = None,
    looks: dict[bytes, bestset.BestSet] | None = None,
) -> pd.DataFrame:
    """One row per point, best first: its values, runs, the metric with its 95% CI, the comparison with the best.

    Intervals are Wilson for a share of runs, else a BCa bootstrap of the mean (Student t below
    stats.MIN_BOOTSTRAP_N runs). Points with the same estimate share a rank (identical runs are
    ties). `difference` is the point minus the best, paired on seeds when the sweep is paired
    (`stats.paired_difference`), else Welch/bootstrap (`stats.compare_points`); `probability_best`
    the share of (paired) bootstrap resamples in which the point is best; `in_best_set` from
    `best_set_of`. `with_probability_best` is kept for callers of the older signature (always on).
    With a posterior in `design` the intervals and differences are the random-effects ones over its
    blocks (experiments.analysis.input_uncertainty); P(best) and the best set are still over replicates.
    `looks`: the sequential procedure's looks already decided (best_set_of), e.g. by the sweep that ran.
    """
    del with_probability_best
    every_run, runs = runs, over_scenarios(runs, design)
    swept = [c for c in swept if c in runs]
    block = input_uncertainty.posterior_block(design)  # a posterior: intervals keep its spread, unshrunk

    def summarise(name: str) -> pd.DataFrame:
        if block is not None:
            return input_uncertainty.summarise_with_spread(runs, ["point"], name, block)
        return stats.summarise(runs, ["point"], name, means="bootstrap")

    summary = summarise(metric)
    values = runs.drop_duplicates("point").set_index("point")[list(swept)]
    ranked = summary.join(values, on="point")
    ranked = ranked.sort_values(
        ["estimate", "point"], ascending=[goal == "minimize", True], na_position="last", kind="stable"
    )
    order = ranked["estimate"] if goal == "minimize" else -ranked["estimate"]
    ranked.insert(0, "rank", order.rank(method="min", na_option="bottom").astype(int).to_numpy())
    columns = ["rank", "point", *swept, "runs", "n", "estimate", "low", "high", "method"]
    for name in beside(metric, list(runs.columns)):
        other = summarise(name).set_index("point")
        for part in ("estimate", "low", "high"):
            ranked[f"{name}_{part}"] = ranked["point"].map(other[part])
            columns.append(f"{name}_{part}")
    if ranked.empty:
        return ranked.reindex(columns=[*columns, *COMPARISON_COLUMNS]).reset_index(drop=True)
    paired = bestset.is_paired(runs)
    points, y = bestset.matrix(runs, metric)
    row = {p: i for i, p in enumerate(points)}
    best = int(ranked["point"].iloc[0])
    differences = {}
    for point in ranked["point"]:
        a, b = y[row[int(point)]], y[row[best]]
        if block is not None:
            blocks = input_uncertainty.blocks_of(sorted(runs["replicate"].unique()), block)  # y's columns
            d = input_uncertainty.paired_difference_with_spread(a, b, blocks, stats.DEFAULT_CONFIDENCE)
            differences[point] = (d.estimate, d.low, d.high)
        elif paired:
            d = stats.paired_difference(a, b)
            differences[point] = (d.estimate, d.low, d.high)
        else:
            c = stats.compare_points(a, b).difference
            differences[point] = (c.estimate, c.low, c.high)
    for part, name in enumerate(("difference", "difference_low", "difference_high")):
        ranked[name] = ranked["point"].map({p: v[part] for p, v in differences.items()})
    shares = bestset.paired_probability_best(y, goal, paired)
    ranked["probability_best"] = ranked["point"].map(dict(zip(points, shares, strict=True)))
    _, inside, _ = best_set_of(every_run, metric, goal, design, looks)
    ranked["in_best_set"] = ranked["point"].map(dict(zip(points, inside.tolist(), strict=True)))
    columns += list(COMPARISON_COLUMNS)
    return ranked[columns].reset_index(drop=True)
