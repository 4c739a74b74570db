"""`calibrate(spec)`: fit the model's uncertain parameters to patterns or a programme's records (ABC-SMC).

>>> from tracktwo.experiments.calibrate import calibrate
>>> result = calibrate("configs/calibration/patterns.yaml", out="results/calibration-patterns")
>>> result.intervals[["parameter", "posterior_low", "posterior_high", "verdict"]]

Writes to the results folder: history.db (pyabc's SQLite history: every generation, resumable),
posterior.parquet and posterior.csv (the weighted particles), generations.csv (epsilon,
acceptance, effective sample size per generation), intervals.csv (prior against posterior),
predictive.csv and predictive_check.csv (posterior predictive check per target), summary.txt
(what the data pinned down and what they left open), calibration.json (the spec, why it stopped)
and the figures marginals, pairs and predictive_check (PNG and SVG).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tracktwo.experiments import provenance
from tracktwo.experiments.analysis import posterior as analysis
from tracktwo.experiments.design.calibration import CalibrationSpec, load_calibration
from tracktwo.experiments.engine import calibration as engine
from tracktwo.experiments.provenance import write_atomic
from tracktwo.model import ConfigError

__all__ = ["CalibrationResult", "calibrate", "default_out", "read_result"]


@dataclass
class CalibrationResult:
    """A calibration's results as pandas tables, and where they are written."""

    spec: CalibrationSpec
    folder: Path
    posterior: pd.DataFrame
    generations: pd.DataFrame
    intervals: pd.DataFrame
    predictive: pd.DataFrame
    checks: pd.DataFrame
    summary: str
    stop_reason: str
    files: list[Path]


def default_out(spec: CalibrationSpec) -> Path:
    """results/calibration-<name>/."""
    return provenance.default_out(f"calibration-{spec.name}")


def calibrate(
    spec: CalibrationSpec | str | Path | Mapping[str, Any],
    *,
    out: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    workers: int = 1,
    scheduler: str | None = None,
    predictive_draws: int = analysis.PREDICTIVE_DRAWS,
    plot: bool = True,
) -> CalibrationResult:
    """Run ABC-SMC for a spec (a file, a mapping or a checked spec) and write its outputs.

    Args:
        spec: The calibration spec (see experiments.design.calibration for its format).
        out: The results folder (default results/calibration-<name>/).
        resume: Continue the calibration in `out` (after a kill or to spend a larger budget).
        overwrite: Replace a calibration already in `out`.
        progress: Show progress bars (per generation, then the predictive check).
        workers: Processes evaluating candidates; the posterior is the same for any number.
        scheduler: Evaluate candidates on dask.distributed instead: a scheduler's address, or "local"
            for a local cluster of `workers` processes (workers must run one thread each).
        predictive_draws: Particles re-run for the posterior predictive check (0: skip it).
        plot: Draw the figures.

    Raises:
        ConfigError: a bad spec or folder (one line naming the field, the value and what is allowed).
    """
    checked = spec if isinstance(spec, CalibrationSpec) else load_calibration(spec)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers: expected a whole number >= 1, got {workers!r}")
    folder = Path(out) if out is not None else default_out(checked)
    state = engine.run_abc(
        checked, folder, resume=resume, overwrite=overwrite, progress=progress, workers=workers, dask=scheduler
    )
    return _write_outputs(checked, folder, state.stop_reason, predictive_draws, plot, progress)


def _write_outputs(
    spec: CalibrationSpec, folder: Path, stop_reason: str, draws: int, plot: bool, progress: bool
) -> CalibrationResult:
    history = engine.open_history(folder)
    generations = analysis.generations_table(history, spec)
    if generations.empty:
        raise ConfigError(f"budget: no generation finished ({stop_reason}); raise budget.runs or budget.minutes")
    posterior = analysis.posterior_table(history, spec)
    intervals = analysis.intervals_table(posterior, spec)
    predictive = analysis.predictive_check(spec, posterior, draws, progress) if draws else pd.DataFrame()
    checks = analysis.predictive_summary(spec, predictive) if draws else pd.DataFrame()
    summary = analysis.summary_text(spec, intervals, generations, checks, stop_reason)
    files = []
    for name, table in (
        ("posterior", posterior),
        ("generations", generations),
        ("intervals", intervals),
        ("predictive", predictive),
        ("predictive_check", checks),
    ):
        if name == "posterior":
            files.append(write_atomic(folder / "posterior.parquet", table.to_parquet(index=False)))
        if len(table.columns):
            files.append(write_atomic(folder / f"{name}.csv", table.to_csv(index=False)))
    files.append(write_atomic(folder / "summary.txt", summary))
    if plot:
        from tracktwo.experiments.reporting.calibration import write_figures

        files += write_figures(spec, posterior, predictive if draws else None, folder)
    return CalibrationResult(
        spec, folder, posterior, generations, intervals, predictive, checks, summary, stop_reason, files
    )


def read_result(folder: str | Path) -> pd.DataFrame:
    """The posterior (weighted particles) a calibration folder holds."""
    path = Path(folder) / "posterior.parquet"
    if not path.is_file():
        raise ConfigError(f"posterior: {folder} holds no posterior.parquet; run `tracktwo calibrate` first")
    return pd.read_parquet(path)
