"""How long a many-run command will take, said before its first run: runs to do, workers, and a time from one probe.

The probe is one run of the command's base parameters in this process, timed; the estimate is
runs x that time / workers (a lower bound when points are larger than the base, e.g. a sweep
up to more actors). It is printed as the progress bar's first line, so a command that would take
hours says so at once, and can be stopped before it has done much.
"""

from __future__ import annotations

import time
from typing import Any

__all__ = ["describe_duration", "estimate_line", "probe_seconds"]


def describe_duration(seconds: float) -> str:
    """'40 s', '12 min', '3.5 h' or '2.1 days'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def probe_seconds(base: dict[str, Any], seed: int = 0) -> float | None:
    """Seconds one run of `base` takes here (None if it cannot run: the command's own checks name why)."""
    from tracktwo.model import simulate

    start = time.perf_counter()
    try:
        simulate(base, seed=seed)
    except Exception:  # the runs themselves record and report any failure
        return None
    return time.perf_counter() - start


def estimate_line(name: str, runs: int, workers: int, seconds_per_run: float | None) -> str:
    """The first line of a long command's progress: what it will run, and about how long it will take."""
    head = f"{name}: {runs:,} runs to do on {workers} worker(s)"
    if seconds_per_run is None or runs == 0:
        return head
    total = runs * seconds_per_run / max(workers, 1)
    return f"{head}, about {describe_duration(total)} ({seconds_per_run:.2f} s a run, from one probe run)"
