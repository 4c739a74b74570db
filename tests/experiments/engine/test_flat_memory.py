"""A long command holds a flat footprint: peak memory does not grow with the number of runs it has done.

Each command runs twice in a fresh interpreter (serial, so every run is in the measured process),
once with ten times the runs of the other; the peaks (VmHWM) must agree within 1.2x. Before
Mesa's agent-id counter was emptied, every model stayed alive (about 0.4 MB a default run), so the
long command grew by hundreds of MB and this test failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_harness import ROOT

pytestmark = pytest.mark.slow

SHORT_RUNS, LONG_RUNS = 24, 240
MEASURED = """
import json, resource, sys
from pathlib import Path
from tracktwo.experiments.cli import main
code = main(sys.argv[1:])
status = Path("/proc/self/status")  # VmHWM: this process's own peak (ru_maxrss starts from the forking parent's)
lines = [line for line in status.read_text().splitlines() if line.startswith("VmHWM:")] if status.exists() else []
peak = int(lines[0].split()[1]) / 1024 if lines else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "peak_mib": peak}), file=sys.stderr)
"""
SMALL = """steps: 4
kinds: {grassroots: {count: 200}}
workshops: {count: 2, interval: 1, first_step: 1}
"""


def peak_mib(folder: Path, *args: str | Path) -> float:
    """Peak memory (MiB) of `tracktwo ARGS` run serially in a fresh interpreter; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *map(str, args), "--executor", "serial", "--no-progress"],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"},
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    result = json.loads(done.stderr.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr[-3000:]
    return result["peak_mib"]


@contextmanager
def _folder(tmp_path: Path) -> Iterator[Path]:
    """A scratch folder on tmpfs when there is one (each run's commit is synced to disk), else tmp_path."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="tracktwo-flat-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _commands(folder: Path, runs: int) -> dict[str, list[str | Path]]:
    (folder / "small.yaml").write_text(SMALL)
    (folder / "programmes.yaml").write_text(
        "name: flat\nbase: small.yaml\nseed: 0\nrank_by: ideas_transferred\nprogrammes:\n"
        "  One:\n    description: one workshop\n    overrides: {workshops.count: 1}\n"
        "  Two:\n    description: two workshops\n    overrides: {}\n"
    )
    (folder / "sweep.yaml").write_text(
        f"name: flat\nmethod: grid\nmetric: {{name: impact, goal: maximize}}\nbase: small.yaml\n"
        f"replicates: {runs // 2}\nseed: 1\nparameters:\n  workshops.size: {{values: [6, 8]}}\n"
    )
    return {
        "compare": ["compare", "programmes.yaml", "--replicates", runs // 2],
        "evaluate": ["evaluate", "small.yaml", "--replicates", runs // 4],  # 2 workshops: 4 coalitions
        "sweep": ["sweep", "sweep.yaml", "--no-plot"],
    }


@pytest.mark.parametrize("command", ["compare", "evaluate", "sweep"])
def test_peak_memory_does_not_grow_with_the_runs(tmp_path: Path, command: str) -> None:
    peaks = {}
    for runs in (SHORT_RUNS, LONG_RUNS):
        with _folder(tmp_path) as folder:
            peaks[runs] = peak_mib(folder, *_commands(folder, runs)[command], "--out", folder / "out")
            stored = json.loads((folder / "out" / "manifest.json").read_text())["runs"]
            assert stored["finished"] == runs
    assert peaks[LONG_RUNS] <= 1.2 * peaks[SHORT_RUNS], f"peak MiB by runs done: {peaks}"
