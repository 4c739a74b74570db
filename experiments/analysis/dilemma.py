"""The Autonomy Dilemma frontier from a dilemma's runs: each mix's summary with intervals, and the peak.

As the share of autonomous thinkers in the workshops rises (influential elites take the rest),
the ideas generated get more novel, fewer of them enter Track One, and impact (the novelty that
does enter) peaks at an interior mix. Every mix is run on the same seeds (common random numbers),
so the curves differ by the mix, not by luck.
"""

from __future__ import annotations

import pandas as pd
from tracktwo.experiments.analysis.stats import DEFAULT_CONFIDENCE, bootstrap_mean
from tracktwo.experiments.design.dilemma import FRONTIER_KEY
from tracktwo.experiments.engine.worker import FINISHED

__all__ = ["CONFIDENCE", "OUTCOMES", "frontier_runs", "optimum", "summarise"]

OUTCOMES = ("mean_novelty_generated", "transfer_rate", "impact")
CONFIDENCE = DEFAULT_CONFIDENCE


def frontier_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """A dilemma's finished runs as the frontier reads them: autonomous share, seed and the frontier's outcomes."""
    finished = runs[runs["status"] == FINISHED] if "status" in runs else runs
    table = finished[[FRONTIER_KEY, "seed", *OUTCOMES]].rename(columns={FRONTIER_KEY: "autonomous_share"})
    return table.reset_index(drop=True)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (mix, outcome): runs with a value, mean, and 95% bootstrap interval (stats.bootstrap_mean)."""
    rows = []
    for share, group in runs.groupby("autonomous_share", sort=True):
        for outcome in OUTCOMES:
            interval = bootstrap_mean(group[outcome].to_numpy(float), CONFIDENCE)
            rows.append(
                {
                    "autonomous_share": share,
                    "outcome": outcome,
                    "n": interval.n,
                    "mean": interval.estimate,
                    "ci_low": interval.low,
                    "ci_high": interval.high,
                }
            )
    return pd.DataFrame(rows)


def optimum(summary: pd.DataFrame) -> tuple[float, float, bool]:
    """The mix with the highest mean impact, that impact, and whether it is interior (not 0 or 1)."""
    impact = summary[summary["outcome"] == "impact"].dropna(subset=["mean"])
    best = impact.loc[impact["mean"].idxmax()]
    share = float(best["autonomous_share"])
    return share, float(best["mean"]), 0.0 < share < 1.0
