"""`tracktwo sweep`: run a sweep file, then print its points ranked by the metric with confidence intervals."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from tracktwo.experiments.analysis import stats
from tracktwo.experiments.analysis.effects import runs_table, write_effects
from tracktwo.experiments.analysis.ranking import beside, rank_points
from tracktwo.experiments.analysis.robust import write_robustness
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_execution_arguments, executor_from
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine.runner import run_sweep
from tracktwo.experiments.provenance import write_atomic
from tracktwo.experiments.reporting.labels import outcome_label

__all__ = ["DEFAULT_TOP", "configure", "format_ranking", "sweep_command"]

DEFAULT_TOP = 20


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo sweep`'s options."""
    parser.description = (
        "Run the model over a sweep file's points and replicates (W&B sweep format: grid, random or bayes), "
        "committing each run as it finishes; then rank the points by the sweep's metric."
    )
    parser.add_argument("sweep", type=Path, help="sweep file, e.g. configs/sweeps/participant_mix.yaml")
    add_execution_arguments(parser, "sweep", "results/<sweep name>/")
    parser.add_argument(
        "--top", type=int, default=DEFAULT_TOP, help=f"points to print, best first (default {DEFAULT_TOP}; 0 = all)"
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the figures (draw them later with tracktwo plot)")
    parser.set_defaults(handler=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    """Check the file, run the sweep, print the ranking; exit 1 if any run failed."""
    spec = load_sweep(args.sweep)
    with executor_from(args) as executor:
        tally = run_sweep(
            spec, args.out, executor, resume=args.resume, overwrite=args.overwrite, progress=not args.no_progress
        )
    points = f"{tally.planned // spec.replicates} points x {spec.replicates} replicates"
    if spec.auto_replicates:
        points = f"replicates: auto (sequential MCB elimination, budget {spec.budget})"
    print(headline(spec.name, points, tally, executor.name, executor.workers))
    if tally.finished == 0:
        return every_run_failed(tally, "sweep")
    if spec.metric:
        runs = pd.read_parquet(tally.directory / "runs.parquet")
        ranking = rank_points(
            runs, tally.swept_columns, spec.metric["name"], spec.metric["goal"], design=spec.describe()
        )
        write_atomic(tally.directory / "summary.csv", ranking.to_csv(index=False))
        print(format_ranking(ranking, tally.swept_columns, spec.metric["name"], args.top))
    finished = runs_table(tally.directory)
    metric = spec.metric["name"] if spec.metric else None
    wrote_effects = write_effects(tally.directory, finished, tally.swept_columns, metric)
    robust = write_robustness(tally.directory, finished, spec.describe(), tally.swept_columns)
    if robust is not None:
        print(robust.describe())
    print(
        f"Wrote {tally.directory}/: runs.parquet, runs.csv, {'timeseries.parquet, ' if spec.timeseries_every else ''}"
        f"{'summary.csv, ' if spec.metric else ''}{'effects.csv, ' if wrote_effects else ''}"
        f"{'robust.csv, robust.json, ' if robust is not None else ''}manifest.json"
    )
    return finish(tally, draw=not args.no_plot)


def _short_names(columns: list[str]) -> dict[str, str]:
    """Column headers by the last part of each dotted key, unless two would clash."""
    last = [c.rsplit(".", 1)[-1] for c in columns]
    return {c: (s if last.count(s) == 1 else c) for c, s in zip(columns, last, strict=True)}


def _lower_first(text: str) -> str:
    """'at least one idea entered Track One' mid-sentence (Track One keeps its capitals)."""
    return text[:1].lower() + text[1:]


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _intervals(ranking: pd.DataFrame, prefix: str = "") -> list[str]:
    """'0.85 [0.64, 0.95]' for each row's estimate (under `prefix`), '-' where it has none."""
    columns = [f"{prefix}estimate", f"{prefix}low", f"{prefix}high", "n"]
    return [
        stats.Interval(e, lo, hi, n, "").format()
        for e, lo, hi, n in ranking[columns].itertuples(index=False, name=None)
    ]


def format_ranking(ranking: pd.DataFrame, swept: list[str], metric: str, top: int) -> str:
    """The ranked points as a table: the metric with its 95% CI, and beside it the chance of any transfer.

    Intervals are Wilson for a 0/1 outcome, else a bootstrap of the mean.
    """
    varying = [c for c in swept if (ranking[c].astype(str) != str(ranking[c].iloc[0])).any()] or swept
    binary = (ranking["method"] == "wilson").any()
    label = outcome_label(metric)
    what = f"{label}: share of runs [95% Wilson CI]" if binary else f"{label}: mean [95% CI]"
    shown = ranking if top <= 0 else ranking.head(top)
    columns = {
        "rank": shown["rank"],
        **{_short_names(varying)[c]: shown[c].map(_show) for c in varying},
        "estimate [95% CI]": _intervals(shown),
    }
    others = beside(metric, [c.removesuffix("_estimate") for c in shown.columns])
    for name in others:
        columns[f"{outcome_label(name)} [95% CI]"] = _intervals(shown, f"{name}_")
    if "in_best_set" in shown:
        columns["vs best [95% CI]"] = [
            "best" if r == 0 else "tie" if e == 0 and lo == hi else f"{e:+.2f} [{lo:+.2f}, {hi:+.2f}]"
            for r, (e, lo, hi) in enumerate(
                zip(shown["difference"], shown["difference_low"], shown["difference_high"], strict=True)
            )
        ]
        columns["P(best)"] = [f"{v:.0%}" for v in shown["probability_best"]]
        columns["best set"] = ["yes" if v else "" for v in shown["in_best_set"]]
    columns["runs"] = shown["runs"]
    more = len(ranking) - len(shown)
    tail = f"\n... and {more} more points (all in summary.csv)" if more else ""
    also = "".join(f"; beside it: {_lower_first(outcome_label(name))}" for name in others)
    table = pd.DataFrame(columns).to_string(index=False)
    note = ""
    if "in_best_set" in shown:
        inside = int(ranking["in_best_set"].sum())
        note = (
            f"\nBest set ({inside} point{'s' if inside != 1 else ''}): the points not told apart from the best "
            "at the sweep's confidence (paired-bootstrap MCB); vs best: paired difference to the best point "
            "with its 95% bootstrap CI; tie: identical runs."
        )
    return f"Points ranked by {what}, best first{also}:\n{table}{tail}{note}"
