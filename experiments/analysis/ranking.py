"""A sweep's points ranked by its metric, with intervals: the one ranking summary.csv, the CLI and the report share.

Beside the metric each point also shows the chance that at least one idea entered Track One
(when that is not the metric itself): a mix can rank first on impact, the novelty that gets into
Track One, while transferring nothing in most runs, and a designer should see both.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from tracktwo.experiments.analysis import stats

__all__ = ["BESIDE_OUTCOMES", "beside", "rank_points"]

BESIDE_OUTCOMES = ("any_transfer",)  # shown next to any other metric, each with its interval


def beside(metric: str, outcomes: Sequence[str]) -> list[str]:
    """The outcomes shown next to `metric` in a ranking: BESIDE_OUTCOMES the runs report, other than the metric."""
    return [name for name in BESIDE_OUTCOMES if name != metric and name in outcomes]


def rank_points(
    runs: pd.DataFrame,
    swept: Sequence[str],
    metric: str,
    goal: str,
    with_probability_best: bool = False,
) -> pd.DataFrame:
    """One row per point, best first: its swept values, runs, the metric's estimate and 95% CI, the outcomes beside.

    Intervals are Wilson for a share of runs, else a BCa bootstrap of the mean (Student t below
    stats.MIN_BOOTSTRAP_N runs). Ties keep the points' order. With `with_probability_best`, the
    share of bootstrap resamples in which each point comes out best.
    """
    summary = stats.summarise(runs, ["point"], metric, means="bootstrap")
    values = runs.drop_duplicates("point").set_index("point")[list(swept)]
    ranked = summary.join(values, on="point")
    ranked = ranked.sort_values(
        ["estimate", "point"], ascending=[goal == "minimize", True], na_position="last", kind="stable"
    )
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    columns = ["rank", "point", *swept, "runs", "n", "estimate", "low", "high", "method"]
    for name in beside(metric, list(runs.columns)):
        other = stats.summarise(runs, ["point"], name, means="bootstrap").set_index("point")
        for part in ("estimate", "low", "high"):
            ranked[f"{name}_{part}"] = ranked["point"].map(other[part])
            columns.append(f"{name}_{part}")
    if with_probability_best:
        groups = {point: group[metric].to_numpy(float) for point, group in runs.groupby("point")}
        ranked["probability_best"] = ranked["point"].map(stats.probability_best(groups, goal))
        columns.append("probability_best")
    return ranked[columns].reset_index(drop=True)
