"""A worker's chunk (run_chunk): each point's parameters validated once, every record what the run alone gives.

The time series a worker keeps is read from the finished model's values (SimulationResult.timeseries_values),
not from the pandas table: both are checked against the table here.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.experiments.engine import worker
from tracktwo.experiments.engine.worker import FAILED, FINISHED, Chunk, RunTask, run_chunk, run_task
from tracktwo.model import simulate

BASE = {"steps": 14, "workshops.interval": 3}
POINTS = [{"workshops.size": 8}, {"workshops.size": 14, "sides": 3}]


def _tasks() -> list[RunTask]:
    return [RunTask(p, r, 1_000 + r, dict(POINTS[p])) for p in (0, 1) for r in range(3)] + [RunTask(0, 3, 7, POINTS[0])]


def test_a_chunk_validates_each_point_once_and_gives_what_each_run_alone_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    validated = []
    real = worker.make_params
    monkeypatch.setattr(worker, "make_params", lambda config: validated.append(config) or real(config))
    records = run_chunk(Chunk(BASE, _tasks(), timeseries_every=4))
    assert len(validated) == 3  # point 0, point 1, point 0 again: one Params per run of consecutive replicates
    for record, task in zip(records, _tasks(), strict=True):
        alone = run_task(BASE, task, 4)
        assert record.status == alone.status == FINISHED
        np.testing.assert_equal(record.outcomes, alone.outcomes)  # NaN where undefined, on both
        assert record.columns == alone.columns and record.timeseries.tobytes() == alone.timeseries.tobytes()


def test_a_point_with_bad_parameters_fails_each_of_its_runs_and_no_other() -> None:
    tasks = [RunTask(0, r, r, {"workshops.size": -3}) for r in range(2)] + [RunTask(1, 0, 5, POINTS[0])]
    records = run_chunk(Chunk(BASE, tasks))
    assert [r.status for r in records] == [FAILED, FAILED, FINISHED]
    assert "workshops.size" in records[0].error


@pytest.mark.parametrize("config", [{}, {"steps": 1}, {"sides": 3, "steps": 9}])
def test_the_time_series_values_are_the_tables(config: dict) -> None:
    result = simulate(config, 3)
    values, columns = result.timeseries_values()
    table = result.timeseries
    assert columns == tuple(table.columns)
    assert np.array_equal(values.astype(np.float32), table.to_numpy(dtype=np.float32), equal_nan=True)
    kept, _ = worker.thin(values, columns, 4)
    steps = table["step"].to_numpy()
    assert np.array_equal(kept[:, 0], steps[(steps % 4 == 0) | (steps == steps[-1])])
