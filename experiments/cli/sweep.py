"""`tracktwo sweep`: run a sweep file, then print its points ranked by the metric with confidence intervals."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_execution_arguments, add_posterior_argument, execution_options
from tracktwo.experiments.labels import outcome_label

if TYPE_CHECKING:  # the API and the analysis load pandas and scipy: imported where a sweep runs, not for --help
    import pandas as pd

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
    add_posterior_argument(parser, "point")
    parser.add_argument(
        "--top", type=int, default=DEFAULT_TOP, help=f"points to print, best first (default {DEFAULT_TOP}; 0 = all)"
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the figures (draw them later with tracktwo plot)")
    parser.set_defaults(handler=sweep_command)


def sweep_command(args: argparse.Namespace) -> int:
    """Check the file, run the sweep, print the ranking; exit 1 if any run failed."""
    from tracktwo.experiments import api

    result = api.sweep(
        args.sweep,
        plot=not args.no_plot,
        posterior=args.posterior,
        posterior_block=args.posterior_block,
        **execution_options(args),
    )
    design = result.manifest["sweep"]
    replicates = design["replicates"]
    if design.get("auto_replicates"):
        points = f"replicates: auto (sequential MCB elimination, budget {design.get('budget')})"
        if design.get("uncertain"):
            points += f" over {len(design.get('scenarios') or [])} scenarios of {', '.join(design['uncertain'])}"
    else:
        points = f"{result.planned // replicates} points x {replicates} replicates"
    print(headline(result.name, points, result, result.executor, result.workers))
    if result.finished == 0:
        return every_run_failed(result, "sweep")
    if result.summary is not None:
        swept = [c for c in result.swept if c in result.summary]  # over scenarios: the levers
        print(format_ranking(result.summary, swept, result.metric["name"], args.top, design.get("indifference") or 0))
    if result.robustness is not None:
        print(result.robustness.describe())
    print(
        f"Wrote {result.directory}/: runs.parquet, runs.csv, "
        f"{'timeseries.parquet, ' if design['timeseries_every'] else ''}"
        f"{'summary.csv, ' if result.metric else ''}{'effects.csv, ' if result.effects is not None else ''}"
        f"{'robust.csv, robust.json, ' if result.robustness is not None else ''}manifest.json"
    )
    return finish(result, draw=not args.no_plot)


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
    from tracktwo.experiments.analysis import stats

    columns = [f"{prefix}estimate", f"{prefix}low", f"{prefix}high", "n"]
    return [
        stats.Interval(e, lo, hi, n, "").format()
        for e, lo, hi, n in ranking[columns].itertuples(index=False, name=None)
    ]


def format_ranking(ranking: pd.DataFrame, swept: list[str], metric: str, top: int, indifference: float = 0.0) -> str:
    """The ranked points as a table: the metric with its 95% CI, and beside it the chance of any transfer.

    Intervals are Wilson for a 0/1 outcome, else a bootstrap of the mean. `indifference`: the
    sweep's indifference zone, named in the note under the table.
    """
    import pandas as pd
    from tracktwo.experiments.analysis.ranking import beside

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
            + (f"by more than {indifference:g} (the indifference zone) " if indifference else "")
            + "at the sweep's confidence (paired-bootstrap MCB); vs best: paired difference to the best point "
            "with its 95% bootstrap CI; tie: identical runs."
        )
    return f"Points ranked by {what}, best first{also}:\n{table}{tail}{note}"
