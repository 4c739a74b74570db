"""Runs over a block of seeds, shared by every test (and every xdist worker) that asks for the same ones.

Each condition (overrides, seeds) is run once per test session: the first worker to ask computes it
under a file lock and leaves the table in pytest's shared temporary folder; the others read it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from tracktwo.model import simulate


class SharedRuns:
    """One row of outcomes per seed for a set of overrides, computed once per session."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memory: dict[str, pd.DataFrame] = {}

    def __call__(self, overrides: Mapping[str, Any], seeds: Iterable[int]) -> pd.DataFrame:
        seeds = list(seeds)
        key = hashlib.sha1(json.dumps([dict(overrides), seeds], sort_keys=True).encode()).hexdigest()[:20]
        if key not in self.memory:
            self.memory[key] = self._shared(key, overrides, seeds)
        return self.memory[key]

    def _shared(self, key: str, overrides: Mapping[str, Any], seeds: list[int]) -> pd.DataFrame:
        table = self.folder / f"{key}.pkl"
        with (self.folder / f"{key}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if table.exists():
                return pd.read_pickle(table)
            runs = pd.DataFrame([simulate(dict(overrides), seed).outcomes for seed in seeds], index=seeds)
            runs.to_pickle(table.with_suffix(".tmp"))
            os.replace(table.with_suffix(".tmp"), table)
            return runs
