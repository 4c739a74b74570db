"""`tracktwo compare PROGRAMMES.yaml`: run candidate programmes on common seeds and rank them, with paired verdicts."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_execution_arguments, add_posterior_argument, execution_options
from tracktwo.model.outcomes import GOAL_WORDS

if TYPE_CHECKING:  # the API and the analysis load pandas and scipy: imported where the command runs
    import pandas as pd
    from tracktwo.experiments.analysis.comparison import ProgrammeComparison

__all__ = ["compare_command", "configure", "report"]

LABEL_WIDTH = 46
CELL_WIDTH = 25
TEXT_WIDTH = 100


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo compare`'s options."""
    parser.description = (
        "Run two or more candidate programmes (overrides on one base config, listed in a programmes file) "
        "on the same seeds, so each run of one programme has a twin of every other; then rank them with "
        "confidence intervals, paired differences from the best (or from a baseline you name), and "
        "plain-language verdicts."
    )
    parser.add_argument("programmes", type=Path, help="programmes file, e.g. configs/programmes/example.yaml")
    parser.add_argument("--replicates", type=int, help="paired runs per programme (default: the file's, else 100)")
    parser.add_argument(
        "--baseline",
        metavar="PROGRAMME",
        help="compare every programme with this one (e.g. current practice) instead of with the best "
        "(default: the file's baseline, else the best)",
    )
    add_execution_arguments(parser, "comparison", "results/compare-<name>/")
    add_posterior_argument(parser, "programme")
    parser.set_defaults(handler=compare_command)


def compare_command(args: argparse.Namespace) -> int:
    """Check the file, run every programme on common seeds, write and print the comparison; exit 1 if a run failed."""
    from tracktwo.experiments import api  # here, not at the top: --help needs only the options

    result = api.compare(
        args.programmes,
        replicates=args.replicates,
        baseline=args.baseline,
        posterior=args.posterior,
        posterior_block=args.posterior_block,
        **execution_options(args),
    )
    if result.finished == 0:
        return every_run_failed(result, "compare")
    count = len(result.programmes)
    points = f"{count} programmes x {result.planned // count} paired runs (the same seeds for every programme)"
    print(headline(result.name, points, result, result.executor, result.workers))
    print(report(result.summary["programmes"], result.comparison))
    written = ["comparison.csv", "paired_differences.csv", "summary.json", *(p.name for p in result.figures)]
    print(f"Wrote {result.directory}/: {', '.join(written)} (and the sweep's runs.parquet, runs.csv, manifest.json)")
    return finish(result, draw=False)


def report(programmes: list[dict[str, Any]], comparison: ProgrammeComparison) -> str:
    """The ranked table, paired differences from the reference, verdicts and (when the runs report it) inclusion.

    `programmes`: each programme's name and description (ProgrammeSet.describe(), as in summary.json).
    """
    from tracktwo.experiments.analysis import comparison as analysis

    descriptions = {p["name"]: p.get("description") for p in programmes}
    confidence = f"{comparison.confidence:.0%}"
    lines = [
        "",
        f"Programmes, best first by: {analysis.label(comparison.rank_by)} ({GOAL_WORDS[comparison.goal]} is better)",
    ]
    for position, name in enumerate(comparison.ranking, start=1):
        text = f"{position}. {name}" + (f": {descriptions[name]}" if descriptions[name] else "")
        lines += textwrap.wrap(text, TEXT_WIDTH, initial_indent="  ", subsequent_indent="     ")
    header = _row("", [f"{i}. {name}" for i, name in enumerate(comparison.ranking, start=1)])
    lines += ["", f"Estimates [{confidence} CI] over {comparison.replicates} runs each:", header]
    for outcome in comparison.outcomes:
        cells = [_estimate(comparison.row(name, outcome), outcome) for name in comparison.ranking]
        lines.append(_row(analysis.label(outcome), cells))
    which = "the baseline" if comparison.baseline else "the best"
    lines += [
        "",
        f"Difference from {which}, {comparison.reference}, in paired runs (same seed) "
        f"[{confidence} paired bootstrap CI]:",
        header,
    ]
    for outcome in comparison.outcomes:
        cells = [
            "(reference)" if name == comparison.reference else _difference(comparison.row(name, outcome), outcome)
            for name in comparison.ranking
        ]
        lines.append(_row(analysis.label(outcome), cells))
    lines += ["", "Verdict:"]
    for other in comparison.others:
        lines += textwrap.wrap(comparison.verdicts[other], TEXT_WIDTH, initial_indent="  - ", subsequent_indent="    ")
    if comparison.groups:
        lines += [
            "",
            "Inclusion: mean share among participants / among authors of ideas that entered Track One",
            header,
        ]
        for group in comparison.groups:
            cells = [_inclusion(comparison, name, group) for name in comparison.ranking]
            lines.append(_row(analysis.group_label(group), cells))
        lines.append("  (authors: over runs with a transfer; '-' where no idea entered Track One)")
    return "\n".join(lines)


def _row(label: str, cells: list[str]) -> str:
    return f"  {_fit(label, LABEL_WIDTH):<{LABEL_WIDTH}}" + "".join(
        f"{_fit(c, CELL_WIDTH - 2):>{CELL_WIDTH}}" for c in cells
    )


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _estimate(row: pd.Series, outcome: str) -> str:
    from tracktwo.experiments.analysis import comparison as analysis

    if row["n"] == 0:
        return "-"
    if outcome == "any_transfer":
        return f"{row['estimate']:.0%} [{row['low']:.0%}, {row['high']:.0%}]"
    places = analysis.digits(outcome)
    return f"{row['estimate']:.{places}f} [{row['low']:.{places}f}, {row['high']:.{places}f}]"


def _difference(row: pd.Series, outcome: str) -> str:
    import pandas as pd
    from tracktwo.experiments.analysis import comparison as analysis

    if row["pairs"] == 0:
        return "-"
    scale, places, unit = (100.0, 0, " pp") if outcome == "any_transfer" else (1.0, analysis.digits(outcome), "")
    estimate, low, high = (scale * row[key] for key in ("difference", "difference_low", "difference_high"))
    if pd.isna(low):
        return f"{estimate:+.{places}f}{unit}"
    return f"{estimate:+.{places}f} [{low:+.{places}f}, {high:+.{places}f}]{unit}"


def _inclusion(comparison: ProgrammeComparison, programme: str, group: str) -> str:
    import pandas as pd
    from tracktwo.experiments.analysis import comparison as analysis

    shares = []
    for prefix in analysis.INCLUSION_PREFIXES:
        outcome = f"{prefix}{group}"
        if outcome not in set(comparison.table["outcome"]):
            shares.append("-")
            continue
        row = comparison.row(programme, outcome)
        shares.append("-" if row["n"] == 0 or pd.isna(row["estimate"]) else f"{row['estimate']:.0%}")
    return " / ".join(shares)
