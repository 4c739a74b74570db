"""`tracktwo sensitivity`: global sensitivity of outcomes to parameter ranges (SALib), run through the sweep engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments import sensitivity
from experiments.executors import ExecutorError, add_execution_arguments, make_executor
from experiments.sweep_command import every_run_failed, finish, headline


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `tracktwo sensitivity` to the command line."""
    description = (
        "Sample the parameter ranges of a sensitivity file with SALib (sobol: indices with interactions; "
        "morris: screening for many parameters), run the points through the sweep engine (parallel, "
        "distributed, resumable), then write sensitivity.csv with 95%% intervals and a figure per outcome."
    )
    parser = subparsers.add_parser(
        "sensitivity", help="Which parameters drive the outcomes (Sobol or Morris).", description=description
    )
    parser.add_argument("spec", type=Path, metavar="SPEC.yaml", help="sensitivity file, e.g. configs/sensitivity.yaml")
    add_execution_arguments(parser, "analysis", "results/<name>/")
    parser.add_argument("--no-plot", action="store_true", help="skip the figures")
    parser.set_defaults(handler=sensitivity_command)


def sensitivity_command(args: argparse.Namespace) -> int:
    """Check the file, run its points, analyse, print the most influential parameters; exit 1 if runs failed."""
    spec = sensitivity.load_sensitivity(args.spec)
    executor = make_executor(args.executor, args.workers, args.scheduler)
    try:
        result = sensitivity.run(
            spec, args.out, executor, resume=args.resume, overwrite=args.overwrite, progress=not args.no_progress
        )
    except ExecutorError as error:
        print(
            f"tracktwo sensitivity: error: {error}; the runs finished so far are saved: rerun with --resume to finish",
            file=sys.stderr,
        )
        return 1
    finally:
        executor.close()
    print(headline(spec.sweep_spec(), result, executor.name, executor.workers))
    if result.finished == 0:
        return every_run_failed(result, "sensitivity")
    table, skipped = sensitivity.write_analysis(spec, result.directory)
    method = (
        "Sobol indices (S1 alone, ST with interactions)"
        if spec.method == "sobol"
        else "Morris screening (mu*: mean |effect|)"
    )
    print(f"{method}, most influential first:\n{sensitivity.format_table(table)}")
    for outcome, reason in skipped.items():
        print(f"note: {outcome} not analysed: {reason}", file=sys.stderr)
    print(f"Wrote {result.directory}/: sensitivity.csv, sensitivity.json, runs.parquet, runs.csv, manifest.json")
    return finish(result, draw=not args.no_plot)
