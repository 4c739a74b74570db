"""`tracktwo plot`: draw the figures that fit a sweep's results (PNG and SVG in RESULTS_DIR/figures/)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["configure", "plot_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo plot`'s options."""
    description = (
        "Draw the figures that fit the sweep in RESULTS_DIR: outcomes against each swept parameter with "
        "replicate intervals, and where they apply the participant-mix simplex, the Autonomy Dilemma "
        "frontier, time series over replicates, transfer pathways and sensitivity indices."
    )
    parser.description = description
    parser.add_argument(
        "results", type=Path, metavar="RESULTS_DIR", help="a sweep's results folder, e.g. results/participant_mix"
    )
    parser.add_argument(
        "--outcomes",
        help="comma-separated outcomes to draw against each parameter "
        "(default: the sweep's metric and key outcomes; 'all' for every outcome)",
    )
    parser.set_defaults(handler=plot_command)


def plot_command(args: argparse.Namespace) -> int:
    """Draw, then list what was drawn."""
    from tracktwo.experiments.reporting import plots  # here, not at the top: --help needs no figure library

    outcomes = [o.strip() for o in args.outcomes.split(",") if o.strip()] if args.outcomes else None
    drawn = plots.plot_results(args.results, outcomes)
    print(f"Drew {len(drawn)} figures in {args.results / 'figures'}/ (PNG and SVG):")
    for figure in drawn:
        print(f"  {figure.stem}: {figure.title}")
    return 0
