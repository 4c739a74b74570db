"""Sensitivity indices from a sensitivity design's runs: SALib's Sobol or Morris analysis, with 95% intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis.results import SENSITIVITY_INFO, SENSITIVITY_TABLE
from tracktwo.experiments.design.sensitivity import CONFIDENCE, RESAMPLES, SensitivitySpec, quiet_salib
from tracktwo.experiments.engine.worker import FINISHED
from tracktwo.experiments.labels import outcome_label, parameter_label
from tracktwo.experiments.provenance import tracktwo_version, write_atomic, write_json

__all__ = ["analyse", "format_table", "point_means", "write_analysis"]


def point_means(spec: SensitivitySpec, runs: pd.DataFrame, outcome: str) -> np.ndarray:
    """The outcome's mean over each point's finished replicates, in design order (NaN where undefined)."""
    finished = runs[runs["status"] == FINISHED] if "status" in runs else runs
    means = finished.groupby("point")[outcome].mean()
    return means.reindex(range(len(spec.points))).to_numpy(float)


def analyse(spec: SensitivitySpec, runs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """SALib's indices per outcome and parameter with 95% intervals; outcomes that cannot be analysed, with why."""
    tables, skipped = [], {}
    for outcome in spec.outcomes:
        y = point_means(spec, runs, outcome)
        missing = int(np.isnan(y).sum())
        if missing:
            skipped[outcome] = (
                f"undefined at {missing} of {len(y)} points (no finished run, or no value such as "
                "no idea generated); choose an outcome defined in every run"
            )
            continue
        if np.ptp(y) == 0:
            skipped[outcome] = f"the same value ({y[0]:g}) at every point"
            continue
        tables.append(_indices(spec, outcome, y))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=["outcome", "parameter", "label"])
    return table, skipped


def _indices(spec: SensitivitySpec, outcome: str, y: np.ndarray) -> pd.DataFrame:
    problem = spec.problem
    with quiet_salib():
        if spec.method == "sobol":
            from SALib.analyze import sobol

            found = sobol.analyze(
                problem, y, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=spec.seed
            )
            columns = {key: np.asarray(found[key], float) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            table = pd.DataFrame(
                {
                    "S1": columns["S1"],
                    "S1_low": columns["S1"] - columns["S1_conf"],
                    "S1_high": columns["S1"] + columns["S1_conf"],
                    "ST": columns["ST"],
                    "ST_low": columns["ST"] - columns["ST_conf"],
                    "ST_high": columns["ST"] + columns["ST_conf"],
                }
            )
            rank_by = "ST"
        else:
            from SALib.analyze import morris

            found = morris.analyze(
                problem,
                spec.sample,
                y,
                num_resamples=RESAMPLES,
                conf_level=CONFIDENCE,
                num_levels=spec.levels,
                seed=spec.seed,
            )
            mu_star = np.asarray(found["mu_star"], float)
            half = np.asarray(found["mu_star_conf"], float)
            table = pd.DataFrame(
                {
                    "mu_star": mu_star,
                    "mu_star_low": np.maximum(mu_star - half, 0),
                    "mu_star_high": mu_star + half,
                    "mu": np.asarray(found["mu"], float),
                    "sigma": np.asarray(found["sigma"], float),
                }
            )
            rank_by = "mu_star"
    table.insert(0, "label", [parameter_label(k) for k in spec.parameters])
    table.insert(0, "parameter", list(spec.parameters))
    table.insert(0, "outcome", outcome)
    table["rank"] = table[rank_by].rank(ascending=False, method="min").astype(int)
    return table.sort_values("rank", kind="stable").reset_index(drop=True)


def write_analysis(spec: SensitivitySpec, directory: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Analyse DIR's runs; write sensitivity.csv and sensitivity.json beside them."""
    runs = pd.read_parquet(directory / "runs.parquet")
    table, skipped = analyse(spec, runs)
    write_atomic(directory / SENSITIVITY_TABLE, table.to_csv(index=False))
    write_json(
        directory / SENSITIVITY_INFO,
        {
            **spec.describe(),
            "skipped": skipped,
            "confidence": CONFIDENCE,
            "resamples": RESAMPLES,
            "tracktwo_version": tracktwo_version(),
        },
    )
    return table, skipped


def format_table(table: pd.DataFrame, top: int = 8) -> str:
    """The most influential parameters per outcome, as text for the terminal."""
    if table.empty:
        return "No outcome could be analysed."
    sobol = "ST" in table
    blocks = []
    for outcome, part in table.groupby("outcome", sort=False):
        shown = part.head(top)
        if sobol:
            frame = pd.DataFrame(
                {
                    "parameter": shown["label"],
                    "S1 [95% CI]": [
                        f"{v:.2f} [{lo:.2f}, {hi:.2f}]"
                        for v, lo, hi in zip(shown["S1"], shown["S1_low"], shown["S1_high"], strict=True)
                    ],
                    "ST [95% CI]": [
                        f"{v:.2f} [{lo:.2f}, {hi:.2f}]"
                        for v, lo, hi in zip(shown["ST"], shown["ST_low"], shown["ST_high"], strict=True)
                    ],
                }
            )
        else:
            frame = pd.DataFrame(
                {
                    "parameter": shown["label"],
                    "mu* [95% CI]": [
                        f"{v:.3g} [{lo:.3g}, {hi:.3g}]"
                        for v, lo, hi in zip(shown["mu_star"], shown["mu_star_low"], shown["mu_star_high"], strict=True)
                    ],
                    "sigma": shown["sigma"].map(lambda v: f"{v:.3g}"),
                }
            )
        blocks.append(f"{outcome_label(outcome)} ({outcome}):\n{frame.to_string(index=False)}")
    return "\n\n".join(blocks)
