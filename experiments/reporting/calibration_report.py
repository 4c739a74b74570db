"""The calibration report: `tracktwo report` on a `tracktwo calibrate` folder reads as a calibration.

Sections: the question and the plain summary; what was run (spec, seed, population, budget, why it
stopped); the generations (epsilon, acceptance, effective sample size); per parameter the prior, the
posterior's median, 50% and 90% intervals, the width ratio and verdict, and whether the default sits
inside each interval; the posterior predictive check; the figures; how to carry the posterior into
sweep, compare and evaluate; what it does not settle; how to reproduce. Every number is read from the
folder's files (nothing is re-run).
"""

from __future__ import annotations

import base64
import datetime
import json
import shlex
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from tracktwo.experiments.analysis.posterior import weighted_quantile
from tracktwo.experiments.analysis.results import read_csv_table
from tracktwo.experiments.design.posterior import POSTERIOR_FILES, load_posterior
from tracktwo.experiments.provenance import write_atomic
from tracktwo.experiments.reporting import evaluation_report
from tracktwo.model import ConfigError

__all__ = ["CALIBRATION_INFO", "is_calibration", "render", "write"]

CALIBRATION_INFO = "calibration.json"
REPORT = "report.html"
FIGURES = (
    ("marginals.png", "Posterior against prior, per parameter (90% interval and default marked)"),
    ("pairs.png", "Posterior pairs: where the parameters trade off"),
    ("predictive_check.png", "Posterior predictive check: draws against each observation"),
)
CSS = evaluation_report.CSS + "pre{white-space:pre-wrap}\n"  # the same page style as the evaluation report
_e, _table = evaluation_report._e, evaluation_report._table  # escaping and tables as there


def _n(value: Any, digits: int = 3) -> str:
    """A number as the summary prints it (3 significant digits), '-' when missing."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "-"
    return "-" if not np.isfinite(number) else f"{number:.{digits}g}"


def is_calibration(directory: Path) -> bool:
    """Whether a results folder was written by `tracktwo calibrate` (its calibration.json and a posterior)."""
    return (directory / CALIBRATION_INFO).is_file() and any((directory / f).is_file() for f in POSTERIOR_FILES)


def _info(directory: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """calibration.json and the spec it holds (parsed); one line if either is damaged."""
    path = directory / CALIBRATION_INFO
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, OSError) as error:
        raise ConfigError(f"{path}: not readable JSON ({type(error).__name__}); rerun tracktwo calibrate") from None
    if not isinstance(info, dict):
        raise ConfigError(f"{path} is damaged (not a JSON object); rerun tracktwo calibrate")
    try:
        spec = yaml.safe_load(str(info.get("spec") or "")) or {}
    except yaml.YAMLError:
        spec = {}
    return info, spec if isinstance(spec, dict) else {}


def _optional(directory: Path, name: str) -> pd.DataFrame:
    path = directory / name
    return read_csv_table(path) if path.is_file() else pd.DataFrame()


def _parameters(directory: Path, intervals: pd.DataFrame) -> str:
    """Prior, posterior median, 50% and 90% intervals, width ratio, verdict, default and where it sits."""
    sample = load_posterior(directory)
    values = np.asarray(sample.particles, float)
    weights = np.asarray(sample.weights, float)
    by_key = intervals.set_index("parameter") if "parameter" in intervals else pd.DataFrame()
    rows = []
    for column, key in enumerate(sample.keys):
        q05, q25, q50, q75, q95 = weighted_quantile(values[:, column], weights, [0.05, 0.25, 0.5, 0.75, 0.95])
        row = by_key.loc[key] if key in by_key.index else pd.Series(dtype=object)
        base = row.get("base_value")
        has_base = base is not None and pd.notna(base)
        where = "-"
        if has_base:
            inside_50, inside_90 = q25 <= float(base) <= q75, q05 <= float(base) <= q95
            where = f"{'inside' if inside_50 else 'outside'} / {'inside' if inside_90 else 'outside'}"
        rows.append(
            [
                key,
                str(row.get("prior", "-")),
                _n(q50),
                f"[{_n(q25)}, {_n(q75)}]",
                f"[{_n(q05)}, {_n(q95)}]",
                f"{_n(row.get('width_ratio'), 2)}",
                str(row.get("verdict", "-")),
                _n(base) if has_base else "-",
                where,
            ]
        )
    header = ["Parameter", "Prior", "Posterior median", "50% interval", "90% interval", "Width ratio (90%)",
              "Verdict", "Default", "Default in 50% / 90%"]  # fmt: skip
    return _table(header, rows, {2, 3, 4, 5, 7})


def _generations(generations: pd.DataFrame) -> str:
    if generations.empty:
        return "<p>No generation table in the folder.</p>"
    rows = [
        [
            str(int(g["generation"])),
            _n(g["epsilon"]),
            f"{int(g['candidates']):,}",
            str(int(g["accepted"])),
            f"{float(g['acceptance_rate']):.1%}",
            _n(g["ess"]),
            f"{int(g['model_runs']):,}",
            f"{float(g['wall_time_s']):.0f}",
        ]
        for _, g in generations.iterrows()
    ]
    header = ["Generation", "Epsilon", "Candidates", "Accepted", "Acceptance", "Effective sample size", "Model runs",
              "Wall time (s)"]  # fmt: skip
    return _table(header, rows, set(range(8)))


def _checks(checks: pd.DataFrame) -> str:
    if checks.empty:
        return "<p>No posterior predictive check in the folder (calibrate --draws 0).</p>"
    rows = [
        [
            str(c["target"]),
            str(c["kind"]),
            _n(c["observed"]),
            _n(c["sd"]),
            _n(c["predictive_mean"]),
            f"[{_n(c['predictive_low'])}, {_n(c['predictive_high'])}]",
            "yes" if str(c["covered"]).lower() == "true" else "NO",
        ]
        for _, c in checks.iterrows()
    ]
    header = ["Target", "Kind", "Observed", "SD", "Predicted mean", "90% predictive interval", "Holds the observation"]
    return _table(header, rows, {2, 3, 4, 5})


def _figures(directory: Path) -> str:
    from tracktwo.experiments.reporting.report import _embeddable

    parts = []
    for name, caption in FIGURES:
        png = directory / name
        if png.is_file():
            data = base64.b64encode(_embeddable(png)).decode("ascii")
            parts.append(f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{data}">'
                         f"<figcaption class='muted'>{_e(caption)} ({_e(name)})</figcaption></figure>")  # fmt: skip
    return "<h2>Figures</h2>" + "".join(parts) if parts else ""


def render(directory: Path) -> str:
    """The calibration report as one HTML string, from the folder's calibration.json, tables and figures."""
    info, spec = _info(directory)
    intervals = _optional(directory, "intervals.csv")
    generations = _optional(directory, "generations.csv")
    checks = _optional(directory, "predictive_check.csv")
    summary = (directory / "summary.txt").read_text(encoding="utf-8") if (directory / "summary.txt").is_file() else ""
    name = spec.get("name", directory.name)
    targets = spec.get("targets") or {}
    patterns = len(targets.get("patterns") or []) if isinstance(targets, dict) else 0
    records = (targets.get("records") or {}) if isinstance(targets, dict) else {}
    runs = int(generations["model_runs"].sum()) if "model_runs" in generations else 0
    rows = [
        ("Spec", info.get("spec_path", "?")),
        ("Description", spec.get("description", "")),
        ("Targets", f"{patterns} pattern(s)" + (f"; records in {records.get('folder')}" if records else "")),
        ("Parameters", ", ".join(map(str, (spec.get("parameters") or {}).keys()))),
        ("Seed, population, replicates", f"{spec.get('seed', '?')}, {spec.get('population', '?')} particles, "
                                         f"{spec.get('replicates', 1)} run(s) per particle and configuration"),
        ("Budget", json.dumps(spec.get("budget", {}))),
        ("Stopped", info.get("stop_reason", "?")),
        ("Model runs", f"{runs:,} in {len(generations)} generations; {float(info.get('elapsed_s', 0)):.0f} s"),
        ("Code", f"tracktwo {info.get('tracktwo_version', '?')}, {info.get('git_commit') or 'not under git'}"),
    ]  # fmt: skip
    cells = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    what = f"<table><tbody>{cells}</tbody></table>"
    folder = shlex.quote(str(directory))
    parts = [
        f"<h1>Calibration: {_e(name)}</h1>",
        "<p class='question'>Which values of the fitted parameters reproduce the targets together? ABC-SMC keeps "
        "the particles whose runs come closest, weighted; the posterior is the last generation.</p>",
        f"<pre>{_e(summary)}</pre>" if summary else "",
        "<h2>What was run</h2>",
        what,
        "<h2>Generations</h2>",
        _generations(generations),
        "<h2>Parameters: prior against posterior</h2>",
        _parameters(directory, intervals),
        "<p class='muted'>Weighted quantiles of the last generation (midpoint rule). Width ratio: the posterior's "
        "90% width over the prior's; under 0.5 pinned down, under 0.9 narrowed, otherwise left open.</p>",
        "<h2>Posterior predictive check</h2>",
        _checks(checks),
        _figures(directory),
        "<h2>Carrying the posterior into answers</h2>",
        "<p>Give this folder to <code>sweep</code>, <code>compare</code> or <code>evaluate</code>: replicate r of "
        "every point, programme or coalition runs at one particle drawn by weight from (seed, r), the same for all, "
        "so their intervals include what this calibration left open (docs/how-to/posterior.md).</p>",
        f"<pre>tracktwo compare PROGRAMMES.yaml --posterior {_e(folder)}\n"
        f"tracktwo evaluate CONFIG.yaml --posterior {_e(folder)}</pre>",
        "<h2>What it does not settle</h2><ul>"
        "<li>The posterior is conditional on the model's structure and the targets chosen: it says which values "
        "reproduce these observations, not that the mechanisms are right.</li>"
        "<li>Stylized facts are not data: a posterior fitted to patterns describes values consistent with the facts "
        "as written, not a real conflict's.</li>"
        "<li>Parameters the targets do not inform stay near their prior (left open); read the width ratios before "
        "the medians, and the pair plot for trade-offs.</li>"
        "<li>ABC with a finite population and a generous final epsilon is wider than the exact posterior; the 50% "
        "intervals of a small population are noisy.</li>"
        "<li>Parameters not fitted stay as configured; an answer carrying this posterior covers the fitted ones "
        "only.</li></ul>",
        "<h2>How to reproduce</h2><pre>"
        + _e(f"tracktwo calibrate {shlex.quote(str(info.get('spec_path', 'SPEC.yaml')))} --out {folder} --overwrite")
        + "</pre>",
    ]
    made = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    parts.append(f"<p class='muted'>Report written {made} by <code>tracktwo report</code>.</p>")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Calibration report: {_e(name)}</title>"
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def write(directory: str | Path) -> Path:
    """RESULTS_DIR/report.html for a calibrate folder."""
    folder = Path(directory)
    return write_atomic(folder / REPORT, render(folder))
