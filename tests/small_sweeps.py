"""Tiny versions of the shipped sweeps for the analysis tests: same parameters, few replicates, short runs.

A sweep with the same settings runs once per test process: a later test gets a copy of its results folder.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.engine.runner import run_sweep

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "configs" / "sweeps"
SMALL_STEPS = 24
_FINISHED = tempfile.TemporaryDirectory(prefix="tracktwo-small-sweeps-")  # pristine results, removed at exit
_RESULTS: dict[str, Path] = {}  # this process's finished small sweeps by their sweep file's content


def small_sweep(
    tmp: Path, name: str, replicates: int = 2, steps: int = SMALL_STEPS, points: int = 6, **changes: Any
) -> Path:
    """Run configs/sweeps/<name>.yaml shrunk (replicates, steps; bayes: `points` points) serially; its results."""
    data = yaml.safe_load((SHIPPED / f"{name}.yaml").read_text(encoding="utf-8"))
    for key in ("budget", "confidence", "initial_replicates"):  # replicates: auto's keys (fixed replicates here)
        data.pop(key, None)
    data.update({"replicates": replicates, "steps": steps, "base": str(ROOT / "configs" / "default.yaml")})
    if "uncertain" in data:  # a sweep over scenarios: two of them are enough to draw what it draws
        data["scenarios"] = 2
    if data["method"] != "grid":
        data.update({"run_cap": points * replicates, "batch": min(data.get("batch", 4), points)})
    data.update(changes)
    file = tmp / f"{name}.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp / name
    content = file.read_text(encoding="utf-8")
    if content in _RESULTS:  # the same sweep ran in this process: a copy of its results (tests may add to them)
        shutil.copytree(_RESULTS[content], out)
        return out
    executor = make_executor("serial")
    try:
        run_sweep(load_sweep(file), out, executor, progress=False)
    finally:
        executor.close()
    _RESULTS[content] = Path(_FINISHED.name) / str(len(_RESULTS))
    shutil.copytree(out, _RESULTS[content])
    return out
