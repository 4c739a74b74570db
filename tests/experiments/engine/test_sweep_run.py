"""Running sweeps: the same tables on every executor, nothing lost or doubled by kill -9 and --resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.engine.runner import run_sweep
from tracktwo.experiments.engine.store import DATABASE
from tracktwo.model import ConfigError

ROOT = Path(__file__).resolve().parents[3]
MEASURED = ["wall_time_s"]  # the one column that measures this machine, not the model

GRID = """
name: tiny_grid
method: grid
metric: {name: any_transfer, goal: maximize}
steps: 24
replicates: 3
seed: 11
timeseries: 4
parameters:
  workshops.mix.autonomous: {values: [0.0, 0.5, 1.0]}
  workshops.size: {values: [6, 12]}
derived:
  workshops.mix.elite: 1 - workshops.mix.autonomous
"""

BAYES = """
name: tiny_bayes
method: bayes
metric: {name: ideas_generated, goal: maximize}
steps: 24
replicates: 2
run_cap: 10
batch: 2
seed: 12
parameters:
  workshops.mix.autonomous: {min: 0.0, max: 1.0}
  workshops.idea_rate: {min: 0.5, max: 4.0}
derived:
  workshops.mix.elite: 1 - workshops.mix.autonomous
"""

LONG_GRID = """
name: long_grid
method: grid
steps: 24
replicates: 4
seed: 13
parameters:
  workshops.retention: {values: [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]}
  workshops.size: {values: [6, 9, 12, 15]}
"""

FAILING = """
name: failing
method: grid
steps: 24
replicates: 2
seed: 14
parameters:
  network.type: {values: [sbm, map]}
  workshops.retention: {values: [0.2, 0.8]}
  network.map: {value: BROKEN}
"""


def write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def sweep(path: Path, out: Path, executor: str = "serial", workers: int | None = None, **options: bool) -> None:
    engine = make_executor(executor, workers)
    try:
        run_sweep(load_sweep(path), out, engine, progress=False, **options)
    finally:
        engine.close()


def tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    runs = pd.read_parquet(out / "runs.parquet").drop(columns=MEASURED)
    series = out / "timeseries.parquet"
    return runs, (pd.read_parquet(series) if series.exists() else None)


def assert_same_tables(a: Path, b: Path) -> None:
    runs_a, series_a = tables(a)
    runs_b, series_b = tables(b)
    pd.testing.assert_frame_equal(runs_a, runs_b)
    if series_a is None:
        assert series_b is None
    else:
        pd.testing.assert_frame_equal(series_a, series_b)
    csv_a = pd.read_csv(a / "runs.csv").drop(columns=MEASURED)
    pd.testing.assert_frame_equal(csv_a, pd.read_csv(b / "runs.csv").drop(columns=MEASURED))


def recorded_runs(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`tracktwo sweep ARGS` as a real process, without its figures: they were most of a tiny sweep's time, and
    the command's drawing is test_plots.py's (test_a_sweep_draws_its_figures_and_a_drawing_failure_keeps_the_results,
    and a pool's in test_figures_drawn_by_a_pool_are_the_serial_ones_byte_for_byte)."""
    return subprocess.run(
        [sys.executable, "-m", "tracktwo", "sweep", *args, "--no-progress", "--no-plot"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_serial_process_pool_and_dask_give_identical_tables(tmp_path: Path) -> None:
    grid, bayes = load_sweep(write(tmp_path, GRID, "grid.yaml")), load_sweep(write(tmp_path, BAYES, "bayes.yaml"))
    for name, workers in (("serial", None), ("process", 2), ("dask", 2)):
        engine = make_executor(name, workers)  # a LocalCluster when dask has no --scheduler
        try:
            run_sweep(grid, tmp_path / f"grid_{name}", engine, progress=False)
            run_sweep(bayes, tmp_path / f"bayes_{name}", engine, progress=False)
        finally:
            engine.close()
    for name in ("process", "dask"):
        assert_same_tables(tmp_path / "grid_serial", tmp_path / f"grid_{name}")
        assert_same_tables(tmp_path / "bayes_serial", tmp_path / f"bayes_{name}")
    runs, series = tables(tmp_path / "grid_serial")
    assert len(runs) == 18 and (runs["status"] == "finished").all()
    assert list(runs[["point", "replicate"]].itertuples(index=False, name=None)) == [
        (p, r) for p in range(6) for r in range(3)
    ]
    assert (runs["workshops.mix.autonomous"] + runs["workshops.mix.elite"]).eq(1.0).all()
    assert sorted(series["step"].unique()) == [4, 8, 12, 16, 20, 24]  # timeseries: 4 keeps every 4th month
    assert len(tables(tmp_path / "bayes_serial")[0]) == 10  # run_cap: 5 points x 2 replicates


@pytest.mark.slow
def test_a_sweep_killed_mid_way_then_resumed_matches_an_uninterrupted_one(tmp_path: Path) -> None:
    path = write(tmp_path, LONG_GRID)
    out = tmp_path / "killed"
    total = 160
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracktwo",
            "sweep",
            str(path),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while recorded_runs(out / DATABASE) < 10:
            assert process.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "the sweep recorded no runs in time"
            time.sleep(0.02)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the sweep, its fork server and its workers
        process.wait()
    survived = recorded_runs(out / DATABASE)
    assert 10 <= survived < total
    assert not (out / "runs.parquet").exists()

    resumed = cli(str(path), "--out", str(out), "--resume", "--workers", "2")
    assert resumed.returncode == 0, resumed.stderr
    assert f"{total - survived} this session" in resumed.stdout
    sweep(path, tmp_path / "uninterrupted")
    assert_same_tables(out, tmp_path / "uninterrupted")
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == total and not runs.duplicated(["point", "replicate"]).any()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and len(manifest["sessions"]) == 2


class InterruptingExecutor:
    """The serial executor, stopped (as by Ctrl-C) after a number of runs."""

    name = "serial"
    workers = 1

    def __init__(self, after: int) -> None:
        self.left = after

    def chunk_size(self, n_runs: int) -> int:
        return 1

    def map_unordered(self, function: Callable[[Any], Any], payloads: Sequence[Any]) -> Iterator[Any]:
        for payload in payloads:
            if self.left == 0:
                raise KeyboardInterrupt
            self.left -= 1
            yield function(payload)

    def close(self) -> None:
        pass


@pytest.mark.parametrize("after", [4, 5], ids=["at a round's end", "inside a round"])
def test_an_interrupted_bayes_sweep_resumes_to_the_same_points_and_results(tmp_path: Path, after: int) -> None:
    path = write(tmp_path, BAYES)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_sweep(path), tmp_path / "interrupted", InterruptingExecutor(after), progress=False)
    sweep(path, tmp_path / "interrupted", resume=True)
    sweep(path, tmp_path / "uninterrupted")
    assert_same_tables(tmp_path / "interrupted", tmp_path / "uninterrupted")


def test_a_failing_run_is_recorded_and_the_rest_complete(tmp_path: Path) -> None:
    broken = tmp_path / "broken.graphml"
    broken.write_text("this is not GraphML\n", encoding="utf-8")
    path = write(tmp_path, FAILING.replace("BROKEN", str(broken)))
    done = cli(str(path), "--out", str(tmp_path / "out"), "--workers", "2")
    assert done.returncode == 1
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    failed = runs[runs["status"] == "failed"]
    assert len(runs) == 8 and len(failed) == 4
    assert (failed["network.type"] == "map").all() and (
        runs.loc[runs["status"] == "finished", "network.type"] == "sbm"
    ).all()
    assert failed["error"].str.contains("is not valid GraphML").all()
    assert failed["ideas_generated"].isna().all() and failed["workshops.retention"].notna().all()
    assert "4 of 8 runs failed" in done.stderr and "is not valid GraphML" in done.stderr


def test_resume_is_safe_and_an_existing_sweep_is_never_overwritten_by_accident(tmp_path: Path) -> None:
    path = write(tmp_path, GRID.replace("timeseries: 4", "timeseries: false"))
    out = tmp_path / "out"
    sweep(path, out)
    before = tables(out)[0]
    assert not (out / "timeseries.parquet").exists()
    with pytest.raises(ConfigError, match="already holds a sweep; pass --resume"):
        sweep(path, out)
    sweep(path, out, resume=True)  # nothing left to do: the same tables
    pd.testing.assert_frame_equal(before, tables(out)[0])
    write(tmp_path, GRID.replace("seed: 11", "seed: 99"))
    with pytest.raises(ConfigError, match="holds a different sweep"):
        sweep(path, out, resume=True)
    sweep(path, out, overwrite=True)
    assert tables(out)[0]["seed"].tolist() != before["seed"].tolist()


def test_the_command_ranks_points_and_writes_every_table(tmp_path: Path) -> None:
    path = write(tmp_path, GRID)
    done = cli(str(path), "--out", str(tmp_path / "out"), "--executor", "serial")
    assert done.returncode == 0, done.stderr
    assert "6 points x 3 replicates = 18 runs (0 failed)" in done.stdout
    assert "Points ranked by At least one idea entered Track One: share of runs [95% Wilson CI]" in done.stdout
    for name in ("runs.parquet", "runs.csv", "timeseries.parquet", "summary.csv", "manifest.json"):
        assert (tmp_path / "out" / name).exists()
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert (
        len(summary) == 6
        and (summary["low"] <= summary["estimate"]).all()
        and (summary["estimate"] <= summary["high"]).all()
    )
    assert summary["estimate"].is_monotonic_decreasing
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["sweep"]["text"] == GRID and manifest["base_config"]["steps"] == 24
    assert {"versions", "git_commit", "host", "started", "ended", "workers"} <= set(manifest)
