"""The cluster path as a cluster runs it: a `dask scheduler` and two `dask worker` processes on 127.0.0.1,
a sweep sent with --scheduler, one worker killed mid-sweep; the tables equal a serial run's, no run twice."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_harness import ROOT, tracktwo

SWEEP = """\
name: cluster
method: grid
steps: 60
replicates: 12
seed: 11
metric: {name: impact, goal: maximize}
parameters:
  workshops.size: {values: [6, 10, 14]}
"""
START_TIMEOUT_S = 120
SWEEP_TIMEOUT_S = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dask_process(*args: str, log: Path) -> subprocess.Popen:
    """`dask ARGS` in its own process group (a worker's nanny and its child die together)."""
    dask = Path(sys.executable).with_name("dask")
    return subprocess.Popen(
        [str(dask), *args],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def wait_for(condition, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def workers_connected(address: str) -> int:
    from dask.distributed import Client

    with Client(address, timeout="10s") as client:
        return len(client.scheduler_info()["workers"])


def runs_recorded(folder: Path) -> int:
    try:
        with sqlite3.connect(f"file:{folder / 'sweep.sqlite'}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_a_sweep_on_a_real_cluster_survives_a_killed_worker(tmp_path: Path) -> None:
    sweep = tmp_path / "cluster.yaml"
    sweep.write_text(SWEEP, encoding="utf-8")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = ["--no-dashboard"]
    processes = [dask_process("scheduler", "--host", "127.0.0.1", "--port", str(port), *common, log=tmp_path / "s.log")]
    sweep_process = None
    try:
        wait_for(lambda: _reachable(port), START_TIMEOUT_S, "the scheduler")
        for index in range(2):
            processes.append(
                dask_process(
                    "worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    *common,
                    log=tmp_path / f"w{index}.log",
                )
            )
        wait_for(lambda: workers_connected(address) == 2, START_TIMEOUT_S, "two workers")
        out = tmp_path / "cluster"
        sweep_process = subprocess.Popen(
            [sys.executable, "-m", "tracktwo", "sweep", str(sweep), "--executor", "dask", "--scheduler",
             address, "--out", str(out), "--no-progress", "--no-plot"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        wait_for(lambda: runs_recorded(out) >= 4 or sweep_process.poll() is not None, SWEEP_TIMEOUT_S, "some runs")
        assert sweep_process.poll() is None, "the sweep finished before a worker could be killed: make it longer"
        stop(processes.pop())  # one worker, nanny and all, killed mid-sweep
        stdout, stderr = sweep_process.communicate(timeout=SWEEP_TIMEOUT_S)
        assert sweep_process.returncode == 0, stderr[-3000:]
        assert "36 runs (0 failed)" in stdout, stdout
    finally:
        if sweep_process is not None and sweep_process.poll() is None:
            sweep_process.kill()
        for process in processes:
            stop(process)

    serial = tracktwo(
        "sweep", sweep, "--executor", "serial", "--out", tmp_path / "serial", "--no-progress", "--no-plot"
    )
    assert serial.code == 0, serial.stderr
    on_cluster = pd.read_parquet(out / "runs.parquet").drop(columns="wall_time_s")
    reference = pd.read_parquet(tmp_path / "serial" / "runs.parquet").drop(columns="wall_time_s")
    assert not on_cluster.duplicated(["point", "replicate"]).any()
    assert len(on_cluster) == 36
    pd.testing.assert_frame_equal(on_cluster, reference)


def _reachable(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
