"""What every command that runs many simulations prints after its runs: a headline, figures, failures, exit code."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the API loads pandas: only a command that runs needs it
    from tracktwo.experiments.api import BatchResult

__all__ = ["every_run_failed", "failure_summary", "figures_line", "finish", "headline"]

MAX_ERRORS_SHOWN = 5


def headline(name: str, points: str, tally: BatchResult, executor: str, workers: int) -> str:
    """One line: what ran (`points`, e.g. '35 points x 100 replicates'), how many failed, how long it took and where."""
    resumed = f", {tally.ran_now} this session" if tally.ran_now != tally.planned else ""
    return (
        f"{name}: {points} = {tally.planned} runs ({tally.failed} failed{resumed}) in {tally.elapsed_s:.1f} s, "
        f"{executor} executor, {workers} worker(s)"
    )


def finish(result: BatchResult, draw: bool) -> int:
    """Say where the figures are (if drawn and `draw`) and the exit code: 1 with a summary on stderr if runs failed."""
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if draw and result.figures:
        print(figures_line(result.directory, result.figures))
    if result.failed:
        print(failure_summary(result), file=sys.stderr)
        return 1
    return 0


def every_run_failed(tally: BatchResult, command: str) -> int:
    """Nothing to rank or draw: the failure summary, then one line saying so; exit 1."""
    if tally.failed:
        print(failure_summary(tally), file=sys.stderr)
    print(
        f"tracktwo {command}: error: none of the {tally.planned} runs finished; nothing to rank or draw "
        f"(the errors are in {tally.directory / 'runs.csv'})",
        file=sys.stderr,
    )
    return 1


def figures_line(directory: Path, drawn: tuple[Path, ...]) -> str:
    """Where a sweep's figures are, and the command that writes its report."""
    return (
        f"Figures in {directory / 'figures'}/: {', '.join(d.stem for d in drawn)} (PNG and SVG); "
        f"`tracktwo report {directory}` writes the report"
    )


def failure_summary(tally: BatchResult) -> str:
    """How many runs failed and why (the distinct errors, most common first)."""
    errors = Counter(error for _, _, error in tally.failures)
    first = {}
    for point, replicate, error in tally.failures:
        first.setdefault(error, (point, replicate))
    lines = [
        f"{tally.failed} of {tally.planned} runs failed (status 'failed' in runs.csv, with their error and parameters):"
    ]
    for error, count in errors.most_common(MAX_ERRORS_SHOWN):
        point, replicate = first[error]
        lines.append(f"  {count} x {error}  (first: point {point}, replicate {replicate})")
    if len(errors) > MAX_ERRORS_SHOWN:
        lines.append(f"  ... and {len(errors) - MAX_ERRORS_SHOWN} other errors")
    return "\n".join(lines)
