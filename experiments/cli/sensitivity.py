"""`tracktwo sensitivity`: global sensitivity of outcomes to parameter ranges (SALib), run through the sweep engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tracktwo.experiments.analysis import sensitivity
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_execution_arguments, executor_from
from tracktwo.experiments.design.sensitivity import load_sensitivity
from tracktwo.experiments.engine.runner import run_sweep

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
    spec = load_sensitivity(args.spec)
    with executor_from(args) as executor:
        tally = run_sweep(
            spec.sweep_spec(),
            args.out,
            executor,
            resume=args.resume,
            overwrite=args.overwrite,
            progress=not args.no_progress,
        )
    points = f"{tally.planned // spec.replicates} points x {spec.replicates} replicates"
    print(headline(spec.name, points, tally, executor.name, executor.workers))
    if tally.finished == 0:
        return every_run_failed(tally, "sensitivity")
    table, skipped = sensitivity.write_analysis(spec, tally.directory)
    method = (
        "Sobol indices (S1 alone, ST with interactions)"
        if spec.method == "sobol"
        else "Morris screening (mu*: mean |effect|)"
    )
    print(f"{method}, most influential first:\n{sensitivity.format_table(table)}")
    for outcome, reason in skipped.items():
        print(f"note: {outcome} not analysed: {reason}", file=sys.stderr)
    print(f"Wrote {tally.directory}/: sensitivity.csv, sensitivity.json, runs.parquet, runs.csv, manifest.json")
    return finish(tally, draw=not args.no_plot)
