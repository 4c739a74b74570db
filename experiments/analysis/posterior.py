"""What a calibration found: the posterior, its generations, intervals against the prior, predictive checks.

The posterior is the last ABC-SMC generation's weighted particles. A parameter is called
"pinned down" when its 90% posterior interval is under half the width of its 90% prior interval,
"narrowed" under 90%, and "left open" otherwise; the predictive check re-runs the model at
particles drawn by weight (on seeds disjoint from the fit's) and asks whether each observed value
lies inside the 90% predictive interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments.design.calibration import CalibrationSpec

__all__ = [
    "INTERVAL",
    "NARROWED",
    "PINNED",
    "PREDICTIVE_DRAWS",
    "effective_sample_size",
    "generations_table",
    "intervals_table",
    "posterior_table",
    "predictive_check",
    "predictive_summary",
    "summary_text",
    "weighted_quantile",
]

INTERVAL = (0.05, 0.95)  # the 90% interval reported throughout
PINNED = 0.5  # posterior 90% width below this share of the prior's: pinned down
NARROWED = 0.9  # ... below this: narrowed; otherwise left open
PREDICTIVE_DRAWS = 40


def weighted_quantile(values: np.ndarray, weights: np.ndarray, quantiles: Any) -> np.ndarray:
    """Quantiles of a weighted sample (inverse of the weighted empirical CDF, midpoint rule)."""
    order = np.argsort(values, kind="stable")
    values, weights = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return np.interp(quantiles, cumulative, values)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights."""
    w = np.asarray(weights, float)
    return float(w.sum() ** 2 / np.square(w).sum()) if len(w) else 0.0


def posterior_table(history: Any, spec: CalibrationSpec, generation: int | None = None) -> pd.DataFrame:
    """The weighted particles of a generation (default: the last): one row each, a column per parameter."""
    frame, weights = history.get_distribution(m=0, t=generation)
    table = frame.reset_index(drop=True)[spec.keys].astype(float)
    table.insert(0, "particle", np.arange(len(table)))
    table["weight"] = np.asarray(weights, float) / np.sum(weights)
    return table


def generations_table(history: Any, spec: CalibrationSpec) -> pd.DataFrame:
    """Per generation: epsilon, candidates simulated, accepted, acceptance rate, effective sample size, runs."""
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0]
    rows = []
    for _, row in populations.iterrows():
        _, weights = history.get_distribution(m=0, t=int(row["t"]))
        rows.append(
            {
                "generation": int(row["t"]),
                "epsilon": float(row["epsilon"]),
                "candidates": int(row["samples"]),
                "accepted": len(weights),
                "acceptance_rate": len(weights) / int(row["samples"]),
                "ess": effective_sample_size(weights),
                "model_runs": int(row["samples"]) * spec.runs_per_particle,
                "wall_time_s": float(row["wall_time"]),
            }
        )
    return pd.DataFrame(rows)


def _verdict(ratio: float) -> str:
    if ratio < PINNED:
        return "pinned down"
    return "narrowed" if ratio < NARROWED else "left open"


def intervals_table(posterior: pd.DataFrame, spec: CalibrationSpec) -> pd.DataFrame:
    """Per parameter: prior and posterior 90% intervals, their width ratio, the verdict, and the base value."""
    rows = []
    for key, prior in spec.priors.items():
        prior_low, prior_high = (float(v) for v in prior.frozen().ppf(INTERVAL))
        low, median, high, q25, q75 = weighted_quantile(
            posterior[key].to_numpy(), posterior["weight"].to_numpy(), [INTERVAL[0], 0.5, INTERVAL[1], 0.25, 0.75]
        )
        ratio = (high - low) / (prior_high - prior_low)
        base = spec.base_value(key)
        rows.append(
            {
                "parameter": key,
                "prior": prior.describe(),
                "prior_low": prior_low,
                "prior_high": prior_high,
                "posterior_low": low,
                "posterior_median": median,
                "posterior_high": high,
                "posterior_mean": float(np.average(posterior[key], weights=posterior["weight"])),
                "width_ratio": ratio,
                "verdict": _verdict(ratio),
                "base_value": base,
                "base_in_50": bool(q25 <= base <= q75) if base is not None else None,
            }
        )
    return pd.DataFrame(rows)


def predictive_check(
    spec: CalibrationSpec, posterior: pd.DataFrame, draws: int = PREDICTIVE_DRAWS, progress: bool = False
) -> pd.DataFrame:
    """Re-run the model at `draws` particles drawn by weight: a row per draw and target (seeds apart from the fit)."""
    from tqdm.auto import tqdm
    from tracktwo.experiments.engine.calibration import Simulator, run_seed

    rng = np.random.default_rng(run_seed(spec.seed, {}, 0, "predictive draws"))
    chosen = rng.choice(len(posterior), size=draws, replace=True, p=posterior["weight"].to_numpy())
    simulator = Simulator(spec, purpose="check")
    rows = []
    for draw, index in enumerate(tqdm(chosen, desc="predictive check", unit="draw", disable=not progress)):
        values = {key: float(posterior.loc[index, key]) for key in spec.keys}
        for name, replicates in simulator.statistics(values).items():
            rows.append({"draw": draw, "particle": int(index), "target": name, "value": float(np.mean(replicates))})
    return pd.DataFrame(rows)


def predictive_summary(spec: CalibrationSpec, predictive: pd.DataFrame) -> pd.DataFrame:
    """Per target: observed, sd, predictive mean and 90% interval, and whether the interval holds the observation."""
    rows = []
    for target in spec.targets:
        values = predictive.loc[predictive["target"] == target.name, "value"].dropna().to_numpy()
        low, high = np.quantile(values, INTERVAL) if len(values) else (np.nan, np.nan)
        rows.append(
            {
                "target": target.name,
                "kind": target.kind,
                "observed": target.observed,
                "sd": target.sd,
                "predictive_mean": float(values.mean()) if len(values) else np.nan,
                "predictive_low": float(low),
                "predictive_high": float(high),
                "covered": bool(low <= target.observed <= high) if len(values) else False,
            }
        )
    return pd.DataFrame(rows)


def summary_text(
    spec: CalibrationSpec,
    intervals: pd.DataFrame,
    generations: pd.DataFrame,
    checks: pd.DataFrame | None,
    stop_reason: str,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """A plain account: what the data pinned down, what they left open, and how well the posterior reproduces them."""
    runs = int(generations["model_runs"].sum()) if len(generations) else 0
    initial = spec.population * spec.runs_per_particle  # the prior sample pyabc draws to set the first epsilon
    lines = [
        f"Calibration {spec.name}: ABC-SMC, {len(generations)} generations, {runs} model runs "
        f"(and {initial} for the first epsilon); stopped: {stop_reason}."
    ]
    if len(generations):
        last = generations.iloc[-1]
        lines.append(
            f"Last generation: epsilon {last['epsilon']:.3g}, acceptance {last['acceptance_rate']:.1%}, "
            f"effective sample size {last['ess']:.0f} of {int(last['accepted'])}."
        )
    lines.append("")
    lines.append("Parameters (90% intervals; width ratio = posterior width / prior width):")
    for _, row in intervals.iterrows():
        base = (
            ""
            if row["base_value"] is None
            else (f"; default {row['base_value']:.3g} {'inside' if row['base_in_50'] else 'outside'} the 50% interval")
        )
        lines.append(
            f"  {row['parameter']}: {row['verdict']}: posterior {row['posterior_median']:.3g} "
            f"[{row['posterior_low']:.3g}, {row['posterior_high']:.3g}] against prior {row['prior']} "
            f"[{row['prior_low']:.3g}, {row['prior_high']:.3g}], ratio {row['width_ratio']:.2f}{base}"
        )
    pinned = intervals.loc[intervals["verdict"] == "pinned down", "parameter"].tolist()
    open_ = intervals.loc[intervals["verdict"] == "left open", "parameter"].tolist()
    lines.append(f"The data pinned down: {', '.join(pinned) or 'none of the parameters'}.")
    lines.append(f"They left open: {', '.join(open_) or 'none of the parameters'}.")
    if checks is not None and len(checks):
        lines.append("")
        lines.append("Posterior predictive check (does the 90% predictive interval hold the observation?):")
        for _, row in checks.iterrows():
            lines.append(
                f"  {row['target']}: observed {row['observed']:.3g}, predicted {row['predictive_mean']:.3g} "
                f"[{row['predictive_low']:.3g}, {row['predictive_high']:.3g}]: {'yes' if row['covered'] else 'NO'}"
            )
    lines.append("")
    lines.append(
        "What this does not settle: the posterior is conditional on the model's structure and on the targets "
        "chosen; it says which parameter values reproduce these observations, not that the mechanisms are right. "
        "Carry it into answers with --posterior DIR (sweep, compare, evaluate): their intervals then include what "
        "it leaves open."
    )
    for key, value in (extra or {}).items():
        lines.append(f"{key}: {value}")
    return "\n".join(lines) + "\n"
