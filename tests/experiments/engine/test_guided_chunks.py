"""Chunks sized for the runs still to draw: full while many are left, single runs at the end, none lost or doubled."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine import executors, runner
from tracktwo.experiments.engine.worker import FINISHED, Chunk, RunRecord

GRID = """
name: chunks
method: grid
steps: 12
replicates: 30
seed: 5
timeseries: false
parameters:
  workshops.size: {values: [6, 7, 8, 9, 10, 11, 12, 13]}
"""


def synthetic_chunk(chunk: Chunk) -> list[RunRecord]:
    """A record per task with its seed as the outcome (no model run)."""
    return [
        RunRecord(t.point, t.replicate, t.seed, FINISHED, 0.0, {"impact": float(t.seed % 1000)}) for t in chunk.tasks
    ]


class RecordingExecutor(executors.Executor):
    """Two 'workers' in this process; remembers each chunk's size in the order they were drawn."""

    name = "recording"
    workers = 2

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        for payload in payloads:
            self.sizes.append(len(payload.tasks))
            yield function(payload)


def test_chunks_shrink_to_single_runs_at_the_end_and_every_run_is_recorded_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "run_chunk", synthetic_chunk)
    path = tmp_path / "chunks.yaml"
    path.write_text(GRID, encoding="utf-8")
    executor = RecordingExecutor()
    tally = runner.run_sweep(load_sweep(path), tmp_path / "out", executor, progress=False)
    sizes = executor.sizes
    assert sum(sizes) == tally.finished == 8 * 30
    assert sizes[0] == executors.MAX_RUNS_PER_TASK and sizes[-1] == 1  # full chunks first, a single run last
    assert sizes == sorted(sizes, reverse=True)  # never a larger chunk after a smaller one
    assert len(sizes) < 8 * 30 / 2  # still several runs per message on the whole
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert not runs.duplicated(["point", "replicate"]).any() and len(runs) == 240
