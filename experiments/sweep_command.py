"""`tracktwo sweep`: run a sweep file, then print its points ranked by the metric with confidence intervals."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from experiments import stats
from experiments.executors import ExecutorError, add_execution_arguments, make_executor
from experiments.provenance import write_atomic
from experiments.sweep import SweepResult, run_sweep
from experiments.sweepfile import SweepSpec, load_sweep
from model import outcome_label

DEFAULT_TOP = 20
MAX_ERRORS_SHOWN = 5


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tracktwo sweep` to the command line."""
    description = (
        "Run the model over a sweep file's points and replicates (W&B sweep format: grid, random or bayes), "
        "committing each run as it finishes; then rank the points by the sweep's metric."
    )
    parser = subparsers.add_parser("sweep", help="Run a parameter sweep and rank its points.", description=description)
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
    executor = make_executor(args.executor, args.workers, args.scheduler)
    try:
        result = run_sweep(
            spec, args.out, executor, resume=args.resume, overwrite=args.overwrite, progress=not args.no_progress
        )
    except ExecutorError as error:
        print(
            f"tracktwo sweep: error: {error}; the runs finished so far are saved: rerun with --resume to finish",
            file=sys.stderr,
        )
        return 1
    finally:
        executor.close()
    print(headline(spec, result, executor.name, executor.workers))
    if result.finished == 0:
        return every_run_failed(result, "sweep")
    if spec.metric:
        runs = pd.read_parquet(result.directory / "runs.parquet")
        ranking = rank_points(runs, result.swept_columns, spec.metric["name"], spec.metric["goal"])
        write_atomic(result.directory / "summary.csv", ranking.to_csv(index=False))
        print(format_ranking(ranking, result.swept_columns, spec.metric["name"], args.top))
    print(
        f"Wrote {result.directory}/: runs.parquet, runs.csv, {'timeseries.parquet, ' if spec.timeseries_every else ''}"
        f"{'summary.csv, ' if spec.metric else ''}manifest.json"
    )
    return finish(result, draw=not args.no_plot)


def finish(result: SweepResult, draw: bool) -> int:
    """Draw the figures (if asked) and the exit code: 1 with a summary on stderr if any run failed."""
    if draw:
        draw_figures(result.directory)
    if result.failed:
        print(failure_summary(result), file=sys.stderr)
        return 1
    return 0


def every_run_failed(result: SweepResult, command: str) -> int:
    """Nothing to rank or draw: the failure summary, then one line saying so; exit 1."""
    if result.failed:
        print(failure_summary(result), file=sys.stderr)
    print(
        f"tracktwo {command}: error: none of the {result.planned} runs finished; nothing to rank or draw "
        f"(the errors are in {result.directory / 'runs.csv'})",
        file=sys.stderr,
    )
    return 1


def draw_figures(directory: Path) -> None:
    """Draw the sweep's figures; a failure here is a warning, never a lost sweep (its tables are already written)."""
    from experiments import plots

    try:
        drawn = plots.plot_results(directory)
    except Exception as error:  # the runs are safe on disk whatever goes wrong in drawing
        print(
            f"tracktwo sweep: warning: could not draw the figures ({type(error).__name__}: {error}); the results are "
            f"saved: run `tracktwo plot {directory}` to try again",
            file=sys.stderr,
        )
        return
    print(
        f"Figures in {directory / 'figures'}/: {', '.join(d.stem for d in drawn)} (PNG and SVG); "
        f"`tracktwo report {directory}` writes the report"
    )


def headline(spec: SweepSpec, result: SweepResult, executor: str, workers: int) -> str:
    """One line: what ran, how many failed, how long it took and where."""
    points = result.planned // spec.replicates
    resumed = f", {result.ran_now} this session" if result.ran_now != result.planned else ""
    return (
        f"{spec.name}: {points} points x {spec.replicates} replicates = {result.planned} runs "
        f"({result.failed} failed{resumed}) in {result.elapsed_s:.1f} s, {executor} executor, {workers} worker(s)"
    )


def rank_points(runs: pd.DataFrame, swept: list[str], metric: str, goal: str) -> pd.DataFrame:
    """One row per point: its swept values, runs, the metric's estimate and 95% CI; best first."""
    summary = stats.summarise(runs, ["point"], metric, means="bootstrap")
    values = runs.drop_duplicates("point").set_index("point")[swept]
    ranked = summary.join(values, on="point")
    ranked = ranked.sort_values(
        ["estimate", "point"], ascending=[goal == "minimize", True], na_position="last", kind="stable"
    )
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    return ranked[["rank", "point", *swept, "runs", "n", "estimate", "low", "high", "method"]].reset_index(drop=True)


def _short_names(columns: list[str]) -> dict[str, str]:
    """Column headers by the last part of each dotted key, unless two would clash."""
    last = [c.rsplit(".", 1)[-1] for c in columns]
    return {c: (s if last.count(s) == 1 else c) for c, s in zip(columns, last, strict=True)}


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def format_ranking(ranking: pd.DataFrame, swept: list[str], metric: str, top: int) -> str:
    """The ranked points as a table, the metric with its 95% CI (Wilson for a 0/1 outcome, else a bootstrap of the mean)."""
    varying = [c for c in swept if (ranking[c].astype(str) != str(ranking[c].iloc[0])).any()] or swept
    binary = (ranking["method"] == "wilson").any()
    label = outcome_label(metric)
    what = f"{label}: share of runs [95% Wilson CI]" if binary else f"{label}: mean [95% CI]"
    shown = ranking if top <= 0 else ranking.head(top)
    table = pd.DataFrame(
        {
            "rank": shown["rank"],
            **{_short_names(varying)[c]: shown[c].map(_show) for c in varying},
            "estimate [95% CI]": [
                stats.Interval(e, lo, hi, n, m).format()
                for e, lo, hi, n, m in zip(
                    shown["estimate"], shown["low"], shown["high"], shown["n"], shown["method"], strict=True
                )
            ],
            "runs": shown["runs"],
        }
    )
    more = len(ranking) - len(shown)
    tail = f"\n... and {more} more points (all in summary.csv)" if more else ""
    return f"Points ranked by {what}, best first:\n{table.to_string(index=False)}{tail}"


def failure_summary(result: SweepResult) -> str:
    """How many runs failed and why (the distinct errors, most common first)."""
    errors = Counter(error for _, _, error in result.failures)
    first = {}
    for point, replicate, error in result.failures:
        first.setdefault(error, (point, replicate))
    lines = [
        f"{result.failed} of {result.planned} runs failed (status 'failed' in runs.csv, with their error and parameters):"
    ]
    for error, count in errors.most_common(MAX_ERRORS_SHOWN):
        point, replicate = first[error]
        lines.append(f"  {count} x {error}  (first: point {point}, replicate {replicate})")
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} other errors")
    return "\n".join(lines)
