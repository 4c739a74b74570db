"""How much work one command may start: sweeps are sized before they run, and refused past these limits.

A sweep file can ask for more runs than a machine finishes in a lifetime (`replicates: 1e9`, a
1000x1000x1000 grid, a simplex of step 0.0001, SALib `samples: 1e8`). Each is counted from the
file alone, before a point is made, and refused with its size unless `--force` lifts the limit.
One run's memory is bounded in the model itself (model/params.py, MAX_RUN_BYTES).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from typing import Any

from tracktwo.model import ConfigError

__all__ = [
    "HARD_MAX_POINTS",
    "MAX_POINTS",
    "MAX_RUNS",
    "check_size",
    "compositions",
    "forced",
    "grid_points",
    "lifted",
    "simplex_points",
    "values_count",
]

MAX_POINTS = 100_000  # points of one sweep (each is checked against the model before any run)
MAX_RUNS = 1_000_000  # points x replicates (about 3 days at the default model's ~0.25 s a run on one core)
HARD_MAX_POINTS = 1_000_000  # even with --force: a grid's points are listed (and checked) before the runs
_forced: ContextVar[bool] = ContextVar("forced", default=False)


@contextlib.contextmanager
def lifted(force: bool) -> Iterator[None]:
    """Within this block, MAX_POINTS and MAX_RUNS do not apply (the command's --force)."""
    token = _forced.set(bool(force))
    try:
        yield
    finally:
        _forced.reset(token)


def forced() -> bool:
    """Whether the command's --force lifts the limits here."""
    return _forced.get()


def check_size(where: str, points: int, replicates: int = 1) -> None:
    """ConfigError if `points` x `replicates` is past the limits (MAX_* unless forced; HARD_MAX_POINTS always)."""
    runs = points * replicates
    if points > HARD_MAX_POINTS:
        raise ConfigError(
            f"{where}: {points:,} points; at most {HARD_MAX_POINTS:,} even with --force (split the sweep into parts)"
        )
    if _forced.get():
        return
    if points > MAX_POINTS:
        raise ConfigError(f"{where}: {points:,} points, over the limit of {MAX_POINTS:,}; narrow it or pass --force")
    if runs > MAX_RUNS:
        raise ConfigError(
            f"{where}: {points:,} points x {replicates:,} replicates = {runs:,} runs, over the limit of "
            f"{MAX_RUNS:,}; lower them or pass --force"
        )


def values_count(spec: Mapping[str, Any]) -> int | None:
    """How many values a grid takes for one W&B parameter spec, counted without listing them (None: not a grid)."""
    if "values" in spec:
        return len(spec["values"]) if isinstance(spec["values"], list) else None
    if "value" in spec:
        return 1
    low, high, step = spec.get("min"), spec.get("max"), spec.get("q")
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high))
    if not numbers or not all(math.isfinite(v) for v in (low, high)) or high < low:
        return None
    if step is not None:
        if isinstance(step, bool) or not isinstance(step, int | float) or not step > 0:
            return None
        return max(1, math.ceil((high - low) / step))
    if isinstance(low, int) and isinstance(high, int):
        return high - low + 1
    return None


def grid_points(parameters: Mapping[str, Mapping[str, Any]]) -> int:
    """Points of a grid over these parameters (the product of their value counts)."""
    return math.prod(values_count(spec) or 1 for spec in parameters.values())


def simplex_points(parts: int, divisions: int) -> int:
    """Mixes of `parts` kinds in steps of 1/`divisions` (compositions of divisions into parts)."""
    return math.comb(divisions + parts - 1, parts - 1)


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every tuple of `parts` non-negative integers summing to `total`, in lexicographic order (streamed)."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)
