"""`tracktwo calibrate SPEC.yaml`: fit uncertain parameters to patterns or a programme's records (ABC-SMC)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracktwo.experiments.cli.options import positive

__all__ = ["calibrate_command", "configure"]


def _draws(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo calibrate`'s options."""
    parser.description = (
        "Fit the parameters a calibration spec names (with their priors) to its targets (patterns: outcomes "
        "with observed values; records: a programme's timeseries/ideas/events files) by ABC-SMC (pyabc). "
        "Writes the posterior, per-generation diagnostics, predictive checks, figures and a plain summary; "
        "the history is kept in the results folder, so --resume continues after a kill. docs/calibration.md"
    )
    parser.add_argument(
        "spec", type=Path, metavar="SPEC.yaml", help="calibration spec, e.g. configs/calibration/patterns.yaml"
    )
    parser.add_argument("--out", type=Path, help="results folder (default: results/calibration-<name>/)")
    parser.add_argument(
        "--workers", type=positive, default=1, help="processes evaluating particles (default 1); same posterior for any"
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="evaluate particles on the dask.distributed cluster at ADDRESS (its workers with --nthreads 1)",
    )
    parser.add_argument("--dask", action="store_true", help="evaluate particles on a local dask cluster of --workers")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--resume", action="store_true", help="continue the calibration in --out (after a kill)")
    existing.add_argument("--overwrite", action="store_true", help="discard a calibration already in --out")
    parser.add_argument(
        "--draws", type=_draws, default=40, help="posterior draws re-run for the predictive check (default 40; 0: skip)"
    )
    parser.add_argument("--no-plot", action="store_true", help="skip the figures")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(handler=calibrate_command)


def calibrate_command(args: argparse.Namespace) -> int:
    """Calibrate, then print the summary and the files written."""
    from tracktwo.experiments.calibrate import calibrate

    result = calibrate(
        args.spec,
        out=args.out,
        resume=args.resume,
        overwrite=args.overwrite,
        progress=not args.no_progress,
        workers=args.workers,
        scheduler=args.scheduler or ("local" if args.dask else None),
        predictive_draws=args.draws,
        plot=not args.no_plot,
    )
    print(result.summary, end="")
    names = ", ".join(sorted({path.name for path in result.files} | {"history.db", "calibration.json"}))
    print(f"Wrote {result.folder}/: {names}")
    return 0
