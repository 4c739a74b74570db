"""`tracktwo discover`: which regions of the swept parameters give an outcome, as rules with coverage and density."""

from __future__ import annotations

import argparse
from pathlib import Path

from tracktwo.experiments.analysis.defaults import DISCOVERY_METHODS

__all__ = ["configure", "discover_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo discover`'s options."""
    description = (
        "Scenario discovery over a sweep's runs: find the ranges of the swept parameters in which OUTCOME lies "
        "above (or below) a threshold, as readable rules with their density (share of the runs in the region "
        "that give it) and coverage (share of all runs giving it that fall in the region)."
    )
    parser.description = description
    parser.add_argument("results", type=Path, metavar="RESULTS_DIR", help="a sweep's results folder")
    parser.add_argument(
        "--outcome", required=True, metavar="NAME", help="an outcome column, e.g. any_transfer or impact"
    )
    side = parser.add_mutually_exclusive_group(required=True)
    side.add_argument(
        "--above", type=float, metavar="X", help="the runs of interest have OUTCOME > X (any_transfer: --above 0.5)"
    )
    side.add_argument("--below", type=float, metavar="X", help="the runs of interest have OUTCOME < X")
    parser.add_argument(
        "--method",
        choices=DISCOVERY_METHODS,
        default="prim",
        help="prim: peeling boxes (default); cart: the purest leaves of a shallow decision tree",
    )
    parser.add_argument(
        "--boxes", type=int, default=1, help="regions to find, each covering runs the earlier ones left (default 1)"
    )
    parser.add_argument(
        "--min-density",
        type=float,
        metavar="SHARE",
        help="pick the region covering most runs among those at least this dense (default: balance both)",
    )
    parser.set_defaults(handler=discover_command)


def discover_command(args: argparse.Namespace) -> int:
    """Find the regions, print them, write scenarios_*.json and .csv into RESULTS_DIR."""
    from tracktwo.experiments import api  # here, not at the top: --help needs only the options
    from tracktwo.experiments.analysis import discovery

    result = api.discover(
        args.results,
        outcome=args.outcome,
        above=args.above,
        below=args.below,
        method=args.method,
        boxes=args.boxes,
        min_density=args.min_density,
    )
    print(discovery.format_discovery(result.discovery))
    print(f"Wrote {', '.join(str(p) for p in result.files)} (`tracktwo report {args.results}` includes them)")
    return 0
