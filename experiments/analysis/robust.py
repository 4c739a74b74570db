"""Robust answers: which lever point is good across what the model cannot know.

A sweep with `uncertain:` ranges runs every lever point (the `parameters` a programme designer
decides) in each scenario of one shared Latin-hypercube sample of the uncertain parameters, on the
same seeds (levers and uncertainties, in the EMA Workbench's vocabulary). Per lever point:

* `median` and `p10`: the median and the 10th percentile (the 90th when minimising) over scenarios
  of its mean outcome in each scenario: how it does typically and in a bad case;
* `mean_regret`, `max_regret`: how far below the best lever point of each scenario it falls;
* `share_best_set`: the share of scenarios in which it is in that scenario's best set
  (paired-bootstrap MCB within the scenario, experiments.analysis.bestset).

The robust answer is the lever point in the best set in the most scenarios (ties: the smallest
maximum regret). Scenario discovery (PRIM, experiments.analysis.discovery) then finds where the
headline changes: the region of the uncertain parameters where the robust answer is not in the
scenario's best set.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from tracktwo.experiments import labels
from tracktwo.experiments.analysis import bestset, stats
from tracktwo.experiments.analysis.discovery import prim
from tracktwo.experiments.provenance import write_atomic

__all__ = [
    "ROBUST_FILE",
    "SCENARIO_FILE",
    "Robustness",
    "over_scenarios",
    "read_robustness",
    "robustness",
    "scenario_best_sets",
    "write_robustness",
]

ROBUST_FILE = "robust.csv"
SCENARIO_FILE = "robust_scenarios.csv"  # each lever in each scenario


@dataclass
class Robustness:
    """The per-lever table (best first), the robust answer's lever values, and where it stops being best."""

    table: pd.DataFrame
    answer: dict[str, Any]
    flips: str
    flip_coverage: float
    flip_density: float
    scenarios: int
    cells: pd.DataFrame | None = None  # lever x scenario: mean, regret, in that scenario's best set, the values

    def describe(self) -> str:
        """One paragraph: the robust answer and the scenarios where it is not among the best."""
        row = self.table.iloc[0]
        if self.answer and all(k.startswith("workshops.mix.") for k in self.answer):
            shown = labels.describe_mix(self.answer)
        else:
            shown = ", ".join(f"{k}={v}" for k, v in self.answer.items())
        return (
            f"Robust answer across {self.scenarios} scenarios: {shown}, in the best set in "
            f"{row['share_best_set']:.0%} of them (median {row['median']:.3g}, 10th percentile {row['p10']:.3g}, "
            f"largest regret {row['max_regret']:.3g}). {self.flips}"
        )


def robustness(
    runs: pd.DataFrame,
    levers: Sequence[str],
    uncertain: Sequence[str],
    metric: str,
    goal: str = "maximize",
    confidence: float = stats.DEFAULT_CONFIDENCE,
    indifference: float = 0.0,
) -> Robustness:
    """Per lever point: median, 10th percentile, regret and share of scenarios in the best set; PRIM of the flips."""
    sign = 1.0 if goal == "maximize" else -1.0
    data = runs.copy()
    levers = [c for c in levers if c in data and c not in uncertain]
    data["lever"] = _group_ids(data, levers)
    data["scenario"] = _group_ids(data, list(uncertain))
    lever_ids = sorted(data["lever"].unique().tolist())
    scenario_ids = sorted(data["scenario"].unique().tolist())
    matrices = []
    paired = True
    for scenario in scenario_ids:
        part = data[data["scenario"] == scenario].copy()
        part["point"] = part["lever"]
        matrices.append(bestset.matrix(part, metric, lever_ids)[1])
        paired = paired and (bestset.is_paired(part) or len(lever_ids) == 1)
    width = max(m.shape[1] for m in matrices)
    stack = np.stack([np.pad(m, ((0, 0), (0, width - m.shape[1])), constant_values=np.nan) for m in matrices])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        means = np.nanmean(stack, axis=2).T  # levers x scenarios
    if paired:
        inside = scenario_best_sets(stack, goal, confidence, indifference).T
    else:
        inside = np.stack(
            [bestset.best_set(m, lever_ids, goal, confidence, False, indifference=indifference).in_best_set
             for m in matrices],
            axis=1,
        )  # fmt: skip
    best = np.nanmax(sign * means, axis=0)
    regret = best[None, :] - sign * means
    table = data.drop_duplicates("lever").set_index("lever").loc[lever_ids, levers].reset_index()
    table["median"] = np.nanmedian(means, axis=1)
    table["p10"] = np.nanpercentile(means, 10 if sign > 0 else 90, axis=1)
    table["mean_regret"] = np.nanmean(regret, axis=1)
    table["max_regret"] = np.nanmax(regret, axis=1)
    table["share_best_set"] = inside.mean(axis=1)
    table["scenarios"] = len(scenario_ids)
    table = table.sort_values(["share_best_set", "max_regret", "lever"], ascending=[False, True, True], kind="stable")
    table.insert(0, "robust_rank", range(1, len(table) + 1))
    table = table.reset_index(drop=True)
    winner = int(table["lever"].iloc[0])
    answer = {c: _plain(table[c].iloc[0]) for c in levers}
    scenario_values = data.drop_duplicates("scenario").set_index("scenario").loc[scenario_ids, list(uncertain)]
    loses = ~inside[lever_ids.index(winner)]
    row = lever_ids.index(winner)
    not_top = sign * means[row] < np.nanmax(sign * means, axis=0) - 1e-12
    flips, coverage, density = _where_it_flips(scenario_values.reset_index(drop=True), loses, not_top)
    lever_values = data.drop_duplicates("lever").set_index("lever").loc[lever_ids, levers]
    cells = pd.DataFrame(
        {
            "lever": np.repeat(lever_ids, len(scenario_ids)),
            "scenario": np.tile(range(len(scenario_ids)), len(lever_ids)),
            "mean": means.ravel(),
            "regret": regret.ravel(),
            "in_best_set": inside.ravel(),
        }
    )
    cells = cells.join(lever_values, on="lever").join(scenario_values.reset_index(drop=True), on="scenario")
    return Robustness(table, answer, flips, coverage, density, len(scenario_ids), cells)


def scenario_best_sets(stack: np.ndarray, goal: str, confidence: float, indifference: float = 0.0) -> np.ndarray:
    """Each scenario's best set (scenarios x levers) from paired runs (scenarios x levers x replicates).

    MCB within each scenario on the paired differences of the seeds both levers ran there, with
    the variance of each pair's difference pooled over scenarios (degrees of freedom summed) and
    Bonferroni-t critical values over the k - 1 comparisons: a lever with few runs in a scenario
    (stopped early by `replicates: auto`) is then judged with a variance estimated from all its runs.
    """
    sign = 1.0 if goal == "maximize" else -1.0
    y = sign * np.asarray(stack, dtype=float)
    present = np.isfinite(y)
    filled = np.where(present, y, 0.0)
    m = present.astype(float)
    count = m @ np.swapaxes(m, 1, 2)  # scenarios x k x k: seeds both ran
    sum_i = filled @ np.swapaxes(m, 1, 2)
    sq = (filled**2) @ np.swapaxes(m, 1, 2)
    cross = filled @ np.swapaxes(filled, 1, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (sum_i - np.swapaxes(sum_i, 1, 2)) / count  # mean[s, i, j] = mean(i - j) in scenario s
        ss = np.maximum(sq + np.swapaxes(sq, 1, 2) - 2 * cross - count * mean**2, 0.0)
        df = np.nansum(np.where(count > 0, count - 1, 0), axis=0)
        pooled = np.nansum(np.where(count > 1, ss, 0.0), axis=0) / df
        se = np.sqrt(pooled[None] / count)
    k = y.shape[1]
    inside = np.zeros(y.shape[:2], dtype=bool)
    off = ~np.eye(k, dtype=bool)
    critical = scipy_stats.t.ppf(1 - (1 - confidence) / max(k - 1, 1), np.maximum(df, 1))
    gap = np.swapaxes(mean, 1, 2) - indifference  # gap[s, i, j] = mean(j - i) - delta
    with np.errstate(invalid="ignore"):
        beaten = np.where(se > 1e-12, gap > critical[None] * se, gap > 1e-12) & off[None]
    inside = ~np.nan_to_num(beaten, nan=0).astype(bool).any(axis=2)
    inside &= np.isfinite(np.nanmean(np.where(present, y, np.nan), axis=2)) if y.shape[2] else inside
    return inside


def over_scenarios(runs: pd.DataFrame, design: Mapping[str, Any] | None) -> pd.DataFrame:
    """A sweep over scenarios as one row per (lever point, replicate): each outcome averaged over the scenarios.

    The points of a sweep with `uncertain:` ranges are lever-major (lever l in scenario s is point
    l x S + s). Replicate r of every lever runs on seed r in every scenario (paired), so the
    scenario mean of replicate r is one draw of the lever's outcome averaged over the shared
    scenario sample, and the seeds are the independent units. `point` becomes the lever's first
    point, the uncertain columns are dropped and `scenarios_run` counts the scenarios that ran (a
    failed run counts as run; its outcomes are left out of the means). Other sweeps' runs come back
    unchanged.
    """
    uncertain = [c for c in (design or {}).get("uncertain") or {} if c in runs]
    count = len((design or {}).get("scenarios") or [])
    if not uncertain or not count or runs.empty:
        return runs
    data = runs.drop(columns=uncertain)
    fixed = {"point", "replicate", "seed", "wall_time_s", "status", "error"}
    numeric = [c for c in data.columns if c not in fixed and pd.api.types.is_numeric_dtype(data[c])]
    others = [c for c in data.columns if c not in fixed and c not in numeric]
    if "status" in data:
        data.loc[data["status"] != "finished", numeric] = np.nan
    data["lever"] = (data["point"] // count) * count
    grouped = data.groupby(["lever", "replicate"], sort=True)
    table = grouped[["seed", *others]].first().join(grouped[numeric].mean())
    table["scenarios_run"] = grouped.size()
    table = table.reset_index().rename(columns={"lever": "point"})
    if "status" in runs:
        table["status"] = np.where(table[numeric].notna().any(axis=1), "finished", "failed")
    return table


def _group_ids(data: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """0, 1, ... for each distinct combination of these columns' values (missing values are a value too)."""
    if not columns:
        return np.zeros(len(data), dtype=int)
    text = data[columns].astype(object).where(data[columns].notna(), "-").astype(str).agg("|".join, axis=1)
    return pd.factorize(text, sort=True)[0]


def _where_it_flips(scenarios: pd.DataFrame, loses: np.ndarray, not_top: np.ndarray) -> tuple[str, float, float]:
    """PRIM's box of the scenarios where the headline changes, as a sentence.

    Where the robust answer drops out of a scenario's best set; if it never does, where another lever
    point has the highest mean (point estimates, not a test: the ranking at the top changes there).
    """
    if not loses.any():
        tops = int((~not_top).sum())
        if not not_top.any():
            return "It is in the best set, and has the highest mean, in every scenario.", 1.0, 1.0
        box, _ = prim(scenarios.astype(float), not_top.astype(bool))
        return (
            f"It is in the best set in every scenario and has the highest mean in {tops} of {not_top.size}; another "
            f"point's mean is higher mostly where {box.rule()} (PRIM: {box.coverage:.0%} of "
            f"those scenarios fall in this region, {box.density:.0%} of the scenarios in it are such).",
            box.coverage,
            box.density,
        )
    if loses.all():
        return "It is in no scenario's best set.", 1.0, 1.0
    box, _ = prim(scenarios.astype(float), loses.astype(bool))
    return (
        f"It drops out of the best set in {int(loses.sum())} of {loses.size} scenarios, mostly where "
        f"{box.rule()} (PRIM: {box.coverage:.0%} of those scenarios fall in this region, {box.density:.0%} of the "
        "scenarios in it are such).",
        box.coverage,
        box.density,
    )


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def write_robustness(
    directory: str | Path, runs: pd.DataFrame, sweep: dict[str, Any], swept: Sequence[str]
) -> Robustness | None:
    """robust.csv and robust.json for a sweep with `uncertain:` ranges (its manifest entry); None otherwise."""
    uncertain = list(sweep.get("uncertain") or {})
    metric = sweep.get("metric") or {}
    if not uncertain or not metric:
        return None
    levers = [c for c in swept if c not in uncertain]
    found = robustness(
        runs,
        levers,
        uncertain,
        metric["name"],
        metric.get("goal", "maximize"),
        float(sweep.get("confidence") or stats.DEFAULT_CONFIDENCE),
        float(sweep.get("indifference") or 0.0),
    )
    folder = Path(directory)
    write_atomic(folder / ROBUST_FILE, found.table.to_csv(index=False))
    if found.cells is not None:
        write_atomic(folder / SCENARIO_FILE, found.cells.to_csv(index=False))
    summary = {
        "answer": found.answer,
        "text": found.describe(),
        "flips": found.flips,
        "flip_coverage": found.flip_coverage,
        "flip_density": found.flip_density,
        "scenarios": found.scenarios,
    }
    write_atomic(folder / "robust.json", json.dumps(summary, indent=2, default=str))
    return found


def read_robustness(directory: str | Path) -> Robustness | None:
    """A results folder's robust.csv, robust.json and robust_scenarios.csv as a Robustness; None without them."""
    folder = Path(directory)
    if not (folder / ROBUST_FILE).exists() or not (folder / "robust.json").exists():
        return None
    info = json.loads((folder / "robust.json").read_text(encoding="utf-8"))
    table = pd.read_csv(folder / ROBUST_FILE)
    cells = pd.read_csv(folder / SCENARIO_FILE) if (folder / SCENARIO_FILE).exists() else None
    return Robustness(
        table,
        dict(info.get("answer", {})),
        str(info.get("flips", "")),
        float(info.get("flip_coverage", math.nan)),
        float(info.get("flip_density", math.nan)),
        int(info.get("scenarios", table["scenarios"].iloc[0] if "scenarios" in table and len(table) else 0)),
        cells,
    )
