"""`replicates: auto` through the runner: sequential MCB elimination on a synthetic response, resumable, paired.

The model is replaced by a cheap function of (point values, seed) so the statistics can be checked
against what was planted; everything else (the sweep file, store, executor, resume) is the real one.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tracktwo.experiments.analysis.ranking import rank_points
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine import runner
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.engine.worker import FINISHED, Chunk, RunRecord
from tracktwo.model import ConfigError

PLANTED = {6: 1.0, 7: 0.0, 8: -3.0, 9: -3.0, 10: -3.0, 11: -3.0, 12: -3.0, 13: -3.0}  # size -> mean impact

AUTO = """
name: auto
method: grid
metric: {name: impact, goal: maximize}
steps: 12
replicates: auto
initial_replicates: 10
budget: 1200
confidence: 0.95
seed: 3
timeseries: false
parameters:
  workshops.size: {values: [6, 7, 8, 9, 10, 11, 12, 13]}
"""


def synthetic_chunk(chunk: Chunk) -> list[RunRecord]:
    """Impact = the planted mean of the point's size + a seed effect shared by every point + run noise."""
    records = []
    for task in chunk.tasks:
        shared = np.random.default_rng([task.seed, 0]).normal(0, 3)
        noise = np.random.default_rng([task.seed, 1, task.overrides["workshops.size"]]).normal(0, 1)
        impact = PLANTED[task.overrides["workshops.size"]] + shared + noise
        records.append(RunRecord(task.point, task.replicate, task.seed, FINISHED, 0.0, {"impact": float(impact)}))
    return records


def run(path: Path, out: Path, **options: bool) -> runner.SweepTally:
    executor = make_executor("serial")
    try:
        return runner.run_sweep(load_sweep(path), out, executor, progress=False, **options)
    finally:
        executor.close()


@pytest.fixture
def auto_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(runner, "run_chunk", synthetic_chunk)
    path = tmp_path / "auto.yaml"
    path.write_text(AUTO, encoding="utf-8")
    return path


def test_auto_replicates_put_the_planted_best_alone_in_the_best_set_with_fewer_runs(
    auto_file: Path, tmp_path: Path
) -> None:
    tally = run(auto_file, tmp_path / "out")
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert (runs.groupby("replicate")["seed"].min() == runs.groupby("replicate")["seed"].max()).all()  # paired
    ranked = rank_points(runs, ["workshops.size"], "impact", "maximize", design=load_sweep(auto_file).describe())
    assert ranked.loc[ranked["in_best_set"], "workshops.size"].tolist() == [6]
    per_point = runs.groupby("workshops.size").size()
    assert per_point[8] == 10 and per_point[6] > 10  # replicates went to the contenders only
    assert tally.finished == len(runs) <= 1200
    assert len(runs) < 8 * per_point[6]  # an even allocation at the best's replicates would need more


def test_an_interrupted_auto_sweep_resumes_to_the_same_runs(
    auto_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(auto_file, tmp_path / "whole")
    calls = {"n": 0}

    def dies_later(chunk: Chunk) -> list[RunRecord]:
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return synthetic_chunk(chunk)

    monkeypatch.setattr(runner, "run_chunk", dies_later)
    with pytest.raises(KeyboardInterrupt):
        run(auto_file, tmp_path / "cut")
    monkeypatch.setattr(runner, "run_chunk", synthetic_chunk)
    run(auto_file, tmp_path / "cut", resume=True)
    whole = pd.read_parquet(tmp_path / "whole" / "runs.parquet").drop(columns=["wall_time_s"])
    cut = pd.read_parquet(tmp_path / "cut" / "runs.parquet").drop(columns=["wall_time_s"])
    pd.testing.assert_frame_equal(whole, cut)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("budget: 1200", "", "budget: replicates: auto needs a budget"),
        ("budget: 1200", "budget: 50", "budget: 50 runs cannot give the 8 points their first 10 replicates"),
        ("confidence: 0.95", "confidence: 1.5", "confidence: expected a number in [0.5, 1)"),
        ("replicates: auto", "replicates: many", "replicates: expected an integer >= 1 or auto, got 'many'"),
        ("method: grid", "method: bayes", "replicates: auto works with method grid or random"),
        ("budget: 1200", "budget: 2000000000", "budget: 2,000,000,000 runs, over the limit of 1,000,000"),
        ("replicates: auto", "replicates: 5", "budget: only used with replicates: auto"),
    ],
)
def test_bad_auto_keys_are_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(AUTO.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_sweep(path)


def test_paired_is_the_default_and_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "fixed.yaml"
    path.write_text(
        AUTO.replace("replicates: auto", "replicates: 2")
        .replace("budget: 1200\n", "")
        .replace("initial_replicates: 10\n", "")
        .replace("confidence: 0.95\n", ""),
        encoding="utf-8",
    )
    assert load_sweep(path).common_seeds
    path.write_text(path.read_text(encoding="utf-8") + "paired: false\n", encoding="utf-8")
    assert not load_sweep(path).common_seeds
    path.write_text(path.read_text(encoding="utf-8").replace("paired: false", "paired: maybe"), encoding="utf-8")
    with pytest.raises(ConfigError, match="paired: expected true"):
        load_sweep(path)


def test_the_ranking_reuses_the_looks_the_sweep_decided_and_ranks_alike(
    auto_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracktwo.experiments.analysis import bestset

    calls = []
    real = bestset.best_set
    monkeypatch.setattr(bestset, "best_set", lambda *a, **k: calls.append(a[6]) or real(*a, **k))
    tally = run(auto_file, tmp_path / "out")
    decided = len(calls)
    assert decided >= 2 and len(tally.looks) == decided  # each look decided once during the sweep
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    design = load_sweep(auto_file).describe()
    reused = rank_points(runs, ["workshops.size"], "impact", "maximize", design=design, looks=tally.looks)
    assert len(calls) == decided  # the ranking replayed every look from the sweep's, no bootstrap again
    replayed = rank_points(runs, ["workshops.size"], "impact", "maximize", design=design)
    assert len(calls) == 2 * decided
    pd.testing.assert_frame_equal(reused, replayed)
    assert reused.loc[reused["in_best_set"], "workshops.size"].tolist() == [6]
