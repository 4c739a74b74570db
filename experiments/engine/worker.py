"""One sweep run in a worker: (parameters, seed) -> record. The engine's only door into the model.

Workers import this module and nothing heavier, so a process pool or a dask worker pays for
`import tracktwo.model` once and then only runs simulations.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tracktwo.model import Params, make_params, merge, simulate

__all__ = [
    "FAILED",
    "FINISHED",
    "Chunk",
    "RunRecord",
    "RunTask",
    "describe_error",
    "run_chunk",
    "run_task",
    "thin",
]

FINISHED = "finished"
FAILED = "failed"


@dataclass(frozen=True)
class RunTask:
    """One run to do: which point and replicate, its seed, and the point's overrides (dotted keys)."""

    point: int
    replicate: int
    seed: int
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    """Several runs sent to a worker at once (cheaper than one message per run), sharing one base config."""

    base: dict[str, Any]
    tasks: list[RunTask]
    timeseries_every: int = 1


@dataclass
class RunRecord:
    """What a run left: outcomes, time series (float32, thinned) or the error that stopped it."""

    point: int
    replicate: int
    seed: int
    status: str
    wall_time_s: float
    outcomes: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    timeseries: np.ndarray | None = None
    columns: tuple[str, ...] = ()


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def describe_error(error: BaseException) -> str:
    """'Type: message (at file.py:line in function)': enough to find the failing line from a table."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def thin(values: np.ndarray, columns: tuple[str, ...], every: int) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The time series (months x columns, the step first) as float32, every `every`-th step and the last (0: none)."""
    if every <= 0 or len(values) == 0:
        return None, ()
    steps = values[:, 0]
    keep = (steps % every == 0) | (steps == steps[-1])
    return values[keep].astype(np.float32), columns


def run_task(base: Mapping[str, Any], task: RunTask, timeseries_every: int, params: Params | None = None) -> RunRecord:
    """Run the model at one point with one seed; an exception becomes a failed record, not a crash.

    `params`: the point's parameters already validated (`run_chunk` validates each point once).
    """
    start = time.perf_counter()
    try:
        result = simulate(merge(base, task.overrides) if params is None else params, task.seed)
    except Exception as error:
        return RunRecord(
            task.point, task.replicate, task.seed, FAILED, time.perf_counter() - start, error=describe_error(error)
        )
    elapsed = time.perf_counter() - start
    series, columns = thin(*result.timeseries_values(), timeseries_every)
    outcomes = {name: _plain(value) for name, value in result.outcomes.items()}
    return RunRecord(task.point, task.replicate, task.seed, FINISHED, elapsed, outcomes, None, series, columns)


def run_chunk(chunk: Chunk) -> list[RunRecord]:
    """Every run of a chunk, in order (what an executor calls in a worker).

    A chunk's runs are mostly replicates of one point: its parameters are validated once, for all of them (a
    run never changes its Params). Bad parameters fail each run of that point, as they would alone.
    """
    records, validated = [], None
    for task in chunk.tasks:
        if validated is None or validated[0] != task.overrides:
            try:
                validated = (task.overrides, make_params(merge(chunk.base, task.overrides)))
            except Exception:
                validated = (task.overrides, None)  # run_task records the error
        records.append(run_task(chunk.base, task, chunk.timeseries_every, validated[1]))
    return records
