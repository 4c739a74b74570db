"""`tracktwo report`: one self-contained HTML report of a sweep (figures embedded, nothing loaded from elsewhere)."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["configure", "report_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo report`'s options."""
    parser.description = (
        "Write RESULTS_DIR/report.html: what was run, the headline answers with their intervals, the ranking, "
        "the figures, the sensitivity and scenario tables when present, and how to reproduce it (an evaluate "
        "folder gets an evaluation report, a calibrate folder a calibration report). "
        "Draws the figures first if they are missing."
    )
    parser.add_argument(
        "results", type=Path, metavar="RESULTS_DIR", help="a sweep's results folder, e.g. results/participant_mix"
    )
    parser.add_argument("--redraw", action="store_true", help="draw the figures again even if they exist")
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace) -> int:
    """Write the report and say where it is."""
    from tracktwo.experiments.reporting import report  # here, not at the top: --help needs no figure library

    path = report.write_report(args.results, redraw=args.redraw)
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB, self-contained: open it in any browser)")
    return 0
