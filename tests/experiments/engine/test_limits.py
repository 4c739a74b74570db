"""Resource limits: each allowed extreme runs within a measured memory bound, or is refused up front
(in seconds, with little memory); kill -9 of a sweep leaves no worker behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from cli_harness import ROOT

MiB = 2**20
REFUSAL_MEMORY_MIB = 800  # the interpreter with every command imported peaks ~650 MiB; a refusal adds nothing
REFUSAL_SECONDS = 120  # generous on a loaded CI machine; the refusals themselves take well under a second
# The peak is this process's own high-water mark (VmHWM): ru_maxrss survives exec on Linux, so it would
# report the parent test process's peak (a pytest worker that ran a large test before) instead.
MEASURED = """
import json, sys, time
from pathlib import Path
from tracktwo.experiments.cli import main
start = time.perf_counter()
code = main(sys.argv[1:])
hwm = next(line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmHWM:"))
print(json.dumps({"code": code, "peak_mib": int(hwm.split()[1]) / 1024,
                  "seconds": time.perf_counter() - start}), file=sys.stderr)
"""


def measured(*args: str | Path, cwd: Path = ROOT) -> dict:
    """Run `tracktwo ARGS` in a fresh interpreter; its exit code, peak memory (MiB) and time."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return {**json.loads(done.stderr.strip().splitlines()[-1]), "stderr": done.stderr}


REFUSED = {
    "1e5 grassroots of 1000 ties each (10 GB)": ["run", "--set", "kinds.grassroots.count=100000",
                                                  "--set", "network.degree.grassroots_grassroots=1000"],
    "1e6 of every kind": ["run", *[f"--set=kinds.{k}.count=1000000" for k in ("official", "elite", "grassroots")]],
    "workshops of 1e5 over 1e4 workshops": ["run", "--set", "workshops.size=100000", "--set", "workshops.count=10000",
                                            "--set", "workshops.interval=1", "--set", "steps=10000",
                                            "--set", "kinds.grassroots.count=20000"],
    "1e6 ideas": ["run", "--set", "workshops.count=10000", "--set", "workshops.interval=1", "--set", "steps=10000",
                  "--set", "workshops.idea_rate=100", "--set", "kinds.grassroots.count=5000"],
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED))
def test_extreme_populations_are_refused_up_front_with_an_estimate(tmp_path: Path, case: str) -> None:
    result = measured(*REFUSED[case], "--out", tmp_path / "out")
    assert result["code"] == 2 and "GiB" in result["stderr"], result["stderr"]
    assert result["peak_mib"] < REFUSAL_MEMORY_MIB and result["seconds"] < REFUSAL_SECONDS, result
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_large_allowed_population_runs_within_its_estimate(tmp_path: Path) -> None:
    """10,000 grassroots a side (about 25,000 ties at the default degrees): the estimate bounds what the run takes."""
    from tracktwo.model import make_params
    from tracktwo.model.params import MAX_RUN_BYTES, estimated_run_bytes

    overrides = {"kinds.grassroots.count": 10_000, "steps": 2}
    estimate_mib = estimated_run_bytes(make_params(overrides)) / MiB
    assert estimate_mib < MAX_RUN_BYTES / MiB
    baseline = measured("run", "--steps", "2", "--out", tmp_path / "small")
    large = measured("run", "--steps", "2", "--set", "kinds.grassroots.count=10000", "--out", tmp_path / "large")
    assert baseline["code"] == 0 and large["code"] == 0, large["stderr"]
    used_mib = large["peak_mib"] - baseline["peak_mib"]
    print(f"estimate {estimate_mib:.0f} MiB, measured {used_mib:.0f} MiB above the interpreter")
    assert used_mib < estimate_mib * 1.5, (used_mib, estimate_mib)


def test_a_million_run_sweep_streams_its_runs(tmp_path: Path) -> None:
    """At the run limit (1,000,000 runs), memory stays flat: runs are made as workers ask, never listed."""
    sweep = tmp_path / "big.yaml"
    sweep.write_text(
        "method: grid\nsteps: 2\nreplicates: 500000\nparameters:\n  workshops.size: {values: [4, 6]}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "tracktwo", "sweep", str(sweep), "--executor", "serial", "--out",
         str(tmp_path / "out"), "--no-progress", "--no-plot"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        peak = 0.0
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and _runs(tmp_path / "out") < 300:
            assert process.poll() is None, process.stderr.read()[-3000:]
            peak = max(peak, psutil.Process(process.pid).memory_info().rss / MiB)
            time.sleep(0.5)
        assert _runs(tmp_path / "out") >= 300, "the sweep did not start running"
    finally:
        process.kill()
        process.wait()
    print(f"peak {peak:.0f} MiB while running a 1,000,000-run sweep")
    assert peak < REFUSAL_MEMORY_MIB, peak


@pytest.mark.slow
def test_past_the_run_limit_needs_force_and_past_the_hard_limit_is_refused(tmp_path: Path) -> None:
    sweep = tmp_path / "big.yaml"
    sweep.write_text(
        "method: grid\nsteps: 2\nreplicates: 600000\nparameters:\n  workshops.size: {values: [4, 6]}\n",
        encoding="utf-8",
    )
    refused = measured("sweep", sweep, "--executor", "serial", "--out", tmp_path / "out")
    assert refused["code"] == 2 and "--force" in refused["stderr"], refused["stderr"]
    grid = tmp_path / "grid.yaml"
    grid.write_text("method: grid\nparameters:\n  workshops.size: {min: 2, max: 2000002}\n", encoding="utf-8")
    hard = measured("sweep", grid, "--executor", "serial", "--force", "--out", tmp_path / "out")
    assert hard["code"] == 2 and "even with --force" in hard["stderr"], hard["stderr"]
    assert hard["peak_mib"] < REFUSAL_MEMORY_MIB


def _runs(folder: Path) -> int:
    try:
        with sqlite3.connect(f"file:{folder / 'sweep.sqlite'}?mode=ro", uri=True, timeout=1) as connection:
            return connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_9_of_a_sweep_leaves_no_worker_running(tmp_path: Path) -> None:
    sweep = tmp_path / "long.yaml"
    sweep.write_text(
        "method: grid\nsteps: 60\nreplicates: 200\nparameters:\n  workshops.size: {values: [8, 12]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "tracktwo", "sweep", str(sweep), "--workers", "2", "--out", str(out),
         "--no-progress", "--no-plot"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    while _runs(out) < 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    family = psutil.Process(process.pid).children(recursive=True)
    assert len(family) >= 3, family  # the fork server, its workers, the resource tracker
    process.send_signal(signal.SIGKILL)
    process.wait()
    _, alive = psutil.wait_procs(family, timeout=30)
    for orphan in alive:
        orphan.kill()
    assert not alive, [p.cmdline()[:3] for p in alive]
