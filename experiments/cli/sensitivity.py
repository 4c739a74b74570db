"""`tracktwo sensitivity`: global sensitivity of outcomes to parameter ranges (SALib), run through the sweep engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_execution_arguments, execution_options

__all__ = ["configure", "sensitivity_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo sensitivity`'s options."""
    parser.description = (
        "Sample the parameter ranges of a sensitivity file with SALib (sobol: indices with interactions; "
        "morris: screening for many parameters), run the points through the sweep engine (parallel, "
        "distributed, resumable), then write sensitivity.csv with 95%% intervals and a figure per outcome."
    )
    parser.add_argument("spec", type=Path, metavar="SPEC.yaml", help="sensitivity file, e.g. configs/sensitivity.yaml")
    add_execution_arguments(parser, "analysis", "results/<name>/")
    parser.add_argument("--no-plot", action="store_true", help="skip the figures")
    parser.set_defaults(handler=sensitivity_command)


def sensitivity_command(args: argparse.Namespace) -> int:
    """Check the file, run its points, analyse, print the most influential parameters; exit 1 if runs failed."""
    from tracktwo.experiments import api  # here, not at the top: --help needs only the options
    from tracktwo.experiments.analysis import sensitivity

    result = api.sensitivity(args.spec, plot=not args.no_plot, **execution_options(args))
    replicates = result.manifest["sweep"]["replicates"]
    points = f"{result.planned // replicates} points x {replicates} replicates"
    print(headline(result.name, points, result, result.executor, result.workers))
    if result.finished == 0:
        return every_run_failed(result, "sensitivity")
    method = (
        "Sobol indices (S1 alone, ST with interactions)"
        if result.method == "sobol"
        else "Morris screening (mu*: mean |effect|)"
    )
    print(f"{method}, most influential first:\n{sensitivity.format_table(result.table)}")
    for outcome, reason in result.skipped.items():
        print(f"note: {outcome} not analysed: {reason}", file=sys.stderr)
    print(f"Wrote {result.directory}/: sensitivity.csv, sensitivity.json, runs.parquet, runs.csv, manifest.json")
    return finish(result, draw=not args.no_plot)
