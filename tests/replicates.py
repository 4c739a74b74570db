"""Runs over a block of seeds, simulated once and shared by every test, xdist worker and session that asks for them.

A condition is the validated parameters (so two spellings of one config, such as the default mix
written out, are one condition) and what is kept of each run (a row function: by default its
outcomes). Its runs are stored by blocks of BLOCK aligned seeds, so a request for seeds 0-59 reuses
the block files a request for seeds 0-29 left. Two workers asking for one condition share its
blocks: each computes the blocks nobody holds (a non-blocking file lock per block) and then waits
only for those the other is computing.

Blocks live on disk under a key of the code that made them (every file of tracktwo.model, its sources and data,
the row function's source, and the versions of Python and the numeric libraries): a later session
with the same code reads them instead of simulating again, and any change to the model makes a new
key. ``pytest --cache-clear`` or TRACKTWO_TEST_CACHE=off (this session's temporary folder only)
starts afresh.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.metadata
import inspect
import json
import os
import platform
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tracktwo.model
from tracktwo.model import Params, make_params, simulate

__all__ = ["BLOCK", "SharedRuns", "code_key", "outcomes_row", "prune"]

BLOCK = 10  # seeds per stored block (aligned: seeds 20000-20009, 20010-20019, ...)
KEEP_CODE_KEYS = 3  # the stores of this many most recently used code versions are kept; older ones are removed
LIBRARIES = ("numpy", "numba", "llvmlite", "scipy", "pandas", "networkx", "mesa", "pydantic")


def outcomes_row(result: Any) -> dict[str, Any]:
    """A run's outcomes, and the Track Two ideas' emergent novelty: the row a condition's table keeps by default.

    emergent_novelty_generated is the workshop ideas' mean distance from the sides' positions at the end (NaN with
    none, or without an issue space), which no declared outcome holds. F1's emergent-novelty leg
    (tests/model/test_issues.py) reads it from the runs of F1's own claims (tests/model/test_stylized_facts.py):
    no run is simulated twice.
    """
    ideas, issues = result.model.ideas, result.model.issues
    workshop = ideas.origin_workshop[: ideas.count] >= 0
    has_emergent = issues is not None and workshop.any()
    emergent = float(issues.table[:, : ideas.count][:, workshop].mean()) if has_emergent else np.nan
    return {**result.outcomes, "emergent_novelty_generated": emergent}


def code_key() -> str:
    """A digest of everything a run's numbers depend on besides its parameters and seed."""
    digest = hashlib.sha256()
    package = Path(tracktwo.model.__file__).resolve().parent
    for file in sorted(f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts):
        digest.update(str(file.relative_to(package)).encode())
        digest.update(file.read_bytes())
    versions = [platform.python_version()] + [importlib.metadata.version(name) for name in LIBRARIES]
    digest.update(json.dumps(versions).encode())
    return digest.hexdigest()[:16]


class SharedRuns:
    """One row per seed for a condition (overrides and row function), simulated once whoever asks first."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.memory: dict[tuple[str, int], pd.DataFrame] = {}

    def __call__(
        self, overrides: Mapping[str, Any] | Params, seeds: Iterable[int], row: Callable[[Any], dict] = outcomes_row
    ) -> pd.DataFrame:
        """The rows of these seeds (index: seed, in the order asked) for the overrides' validated parameters."""
        seeds = list(seeds)
        params = make_params(overrides if isinstance(overrides, Params) else dict(overrides))
        key = self._key(params, row)
        blocks = sorted({seed // BLOCK for seed in seeds})
        for block in blocks:  # first the blocks nobody is computing: two workers on one condition share it
            if (key, block) not in self.memory and not self._path(key, block).exists():
                table = self._compute(key, block, params, row, wait=False)
                if table is not None:
                    self.memory[key, block] = table
        frames = []
        for block in blocks:
            if (key, block) not in self.memory:
                self.memory[key, block] = self._compute(key, block, params, row, wait=True)
            frames.append(self.memory[key, block])
        return pd.concat(frames).loc[seeds]

    def _key(self, params: Params, row: Callable[[Any], dict]) -> str:
        parameters = params.model_dump(mode="json")
        kept = [inspect.getsource(row), repr(row.__defaults__)]  # the row function's code and default arguments
        text = json.dumps([parameters, kept], default=str)  # not sorted: the order of kinds and mixes matters
        return hashlib.sha1(text.encode()).hexdigest()[:20]

    def _path(self, key: str, block: int) -> Path:
        return self.folder / f"{key}-{block}.pkl"

    def _compute(
        self, key: str, block: int, params: Params, row: Callable[[Any], dict], wait: bool
    ) -> pd.DataFrame | None:
        """The block's table: read if stored, else simulated under its lock; None if another holds it and not `wait`."""
        table = self._path(key, block)
        with (self.folder / f"{key}-{block}.lock").open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                return None
            if table.exists():
                return pd.read_pickle(table)
            seeds = range(block * BLOCK, (block + 1) * BLOCK)
            runs = pd.DataFrame([row(simulate(params, seed)) for seed in seeds], index=list(seeds))
            runs.to_pickle(table.with_suffix(".tmp"))
            os.replace(table.with_suffix(".tmp"), table)
            return runs


def prune(root: Path, current: str) -> None:
    """Remove the stores of all but the KEEP_CODE_KEYS most recently used code versions under root."""
    (root / current).mkdir(parents=True, exist_ok=True)
    os.utime(root / current)
    stores = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in stores[KEEP_CODE_KEYS:]:
        shutil.rmtree(old, ignore_errors=True)
