"""The Autonomy Dilemma frontier: runs over the workshop mix, their summary, and the slide figure.

As the share of autonomous thinkers in the workshops rises (influential elites take the rest),
the ideas generated get more novel, fewer of them enter Track One, and impact (the novelty that
does enter) peaks at an interior mix. Every mix is run on the same seeds (common random numbers),
so the curves differ by the mix, not by luck.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from model import simulate

SHARE_STEP = 0.1
AUTONOMOUS_SHARES: tuple[float, ...] = tuple(round(k * SHARE_STEP, 2) for k in range(11))  # 0, 0.1, ..., 1
OUTCOMES = ("mean_novelty_generated", "transfer_rate", "impact")
CONFIDENCE = 0.95
BOOTSTRAP_RESAMPLES = 2000
X_LABEL = "Share of autonomous thinkers in workshops"


def mix_overrides(base: Mapping[str, Any], share: float) -> dict[str, Any]:
    """Full parameters for one mix: autonomous thinkers take `share` of the seats, influential elites the rest."""
    params = dict(base)
    params["workshops"] = {**base.get("workshops", {}), "mix": {"elite": round(1.0 - share, 10), "autonomous": share}}
    return params


@dataclass(frozen=True)
class Run:
    """One run to do: a mix (the autonomous share) and a seed, on full parameters."""

    share: float
    seed: int
    params: Mapping[str, Any]


def plan(
    base: Mapping[str, Any], replicates: int, first_seed: int = 1, shares: Sequence[float] = AUTONOMOUS_SHARES
) -> list[Run]:
    """Every (mix, seed) pair; the same seeds for every mix."""
    return [Run(share, first_seed + r, mix_overrides(base, share)) for share in shares for r in range(replicates)]


def run_batch(runs: Sequence[Run]) -> list[dict[str, float]]:
    """Run several (a task for one worker process); one record of outcomes per run."""
    records = []
    for run in runs:
        outcomes = simulate(dict(run.params), run.seed).outcomes
        records.append({"autonomous_share": run.share, "seed": run.seed, **{name: outcomes[name] for name in OUTCOMES}})
    return records


def batches(runs: Sequence[Run], size: int) -> list[list[Run]]:
    return [list(runs[i : i + size]) for i in range(0, len(runs), size)]


def mean_interval(values: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean and its 95% bootstrap (percentile) interval; NaN where there is nothing to average."""
    values = values[np.isfinite(values)]
    if values.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(values.mean())
    if values.size < 2 or np.ptp(values) == 0:
        return mean, mean, mean
    result = stats.bootstrap(
        (values,),
        np.mean,
        confidence_level=CONFIDENCE,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    )
    return mean, float(result.confidence_interval.low), float(result.confidence_interval.high)


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per (mix, outcome): runs with a value, mean, and 95% bootstrap interval."""
    rows = []
    for share, group in runs.groupby("autonomous_share", sort=True):
        for outcome in OUTCOMES:
            values = group[outcome].to_numpy(float)
            mean, low, high = mean_interval(values)
            rows.append(
                {
                    "autonomous_share": share,
                    "outcome": outcome,
                    "n": int(np.isfinite(values).sum()),
                    "mean": mean,
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return pd.DataFrame(rows)


def optimum(summary: pd.DataFrame) -> tuple[float, float, bool]:
    """The mix with the highest mean impact, that impact, and whether it is interior (not 0 or 1)."""
    impact = summary[summary["outcome"] == "impact"].dropna(subset=["mean"])
    best = impact.loc[impact["mean"].idxmax()]
    share = float(best["autonomous_share"])
    return share, float(best["mean"]), 0.0 < share < 1.0


def frontier_figure(summary: pd.DataFrame, replicates: int, steps: int, note: str | None = None):
    """Top: novelty of generated ideas rising, transfer rate falling. Bottom: impact peaking. 95% bands.

    `note` replaces the footnote saying how the runs were made (the default: this module's common seeds).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import PercentFormatter

    from experiments.figures import PALETTE

    sns.set_theme(style="whitegrid", context="talk", palette=PALETTE)
    colours = sns.color_palette(PALETTE)
    styles = {
        "mean_novelty_generated": {
            "color": colours[2],
            "marker": "o",
            "ls": "-",
            "label": "Novelty of ideas generated",
        },
        "transfer_rate": {"color": colours[0], "marker": "s", "ls": "--", "label": "Share entering Track One"},
        "impact": {"color": colours[3], "marker": "D", "ls": "-", "label": "Impact"},
    }
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(11, 10), sharex=True, gridspec_kw={"height_ratios": (1, 1)})
    for axis, outcomes in ((top, ("mean_novelty_generated", "transfer_rate")), (bottom, ("impact",))):
        for outcome in outcomes:
            rows = summary[summary["outcome"] == outcome].sort_values("autonomous_share")
            style = styles[outcome]
            axis.fill_between(
                rows["autonomous_share"], rows["ci_low"], rows["ci_high"], color=style["color"], alpha=0.22, lw=0
            )
            axis.plot(rows["autonomous_share"], rows["mean"], lw=3, ms=8, **style)
    top.set_ylim(0, 1.18)
    top.set_ylabel("Novelty / share (0 to 1)")
    top.set_title(
        "The Autonomy Dilemma: more novel ideas, fewer of them reach Track One", fontsize="medium", loc="left"
    )
    top.legend(loc="upper center", ncol=2, fontsize="small", frameon=True, framealpha=0.9)
    share, best, interior = optimum(summary)
    bottom.axvline(share, color="0.3", ls=":", lw=2)
    bottom.plot(
        [share],
        [best],
        marker="*",
        ms=24,
        color="black",
        zorder=5,
        label=(f"Peak at {share:.0%} autonomous" if interior else f"Highest at {share:.0%} (no interior peak)"),
    )
    impact = summary[summary["outcome"] == "impact"]
    bottom.set_ylim(
        0, 1.3 * float(np.nanmax(impact[["mean", "ci_high"]].to_numpy())) if impact["mean"].notna().any() else 1.0
    )
    bottom.set_ylabel("Novelty that entered Track One\n(sum per run)")
    bottom.set_title("Impact peaks at a mix", fontsize="medium", loc="left")
    bottom.legend(loc="upper center", ncol=2, fontsize="small", frameon=True, framealpha=0.9)
    bottom.set_xlabel(f"{X_LABEL}\n(influential elites take the other seats)")
    bottom.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    bottom.set_xlim(-0.02, 1.02)
    bottom.set_xticks(AUTONOMOUS_SHARES)
    bottom.tick_params(axis="x", labelsize="small")
    note = note or (
        f"Means of {replicates} runs per mix (same seeds for every mix), {steps} months each; "
        f"bands: {CONFIDENCE:.0%} bootstrap intervals."
    )
    figure.text(0.99, 0.005, note, ha="right", va="bottom", fontsize=11, color="0.35")
    figure.tight_layout(rect=(0, 0.02, 1, 1))
    return figure
