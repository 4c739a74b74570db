"""`uncertain:` scenarios with `replicates: auto`: sequential MCB elimination over levers, stratified by scenario.

The model is replaced by a cheap function of (lever, scenario, seed) so the statistics can be checked
against what was planted; the sweep file, store, executor, seeds and resume are the real ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tracktwo.experiments.analysis.ranking import best_set_of, rank_points
from tracktwo.experiments.analysis.robust import over_scenarios, robustness
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.experiments.engine import runner
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.engine.worker import FINISHED, Chunk, RunRecord
from tracktwo.model import ConfigError

# size -> (mean impact at public_weight 0.6, change per unit of public_weight): 6 is best on average by 0.6,
# 7 gains on it as public support matters more and leads above public_weight 0.9; the rest are 3 behind
PLANTED = {6: (1.0, 0.0), 7: (0.4, 2.0), 8: (-2.0, 0.0), 9: (-2.0, 0.0), 10: (-2.0, 0.0), 11: (-2.0, 0.0)}

ROBUST_AUTO = """
name: robust_auto
method: grid
metric: {name: impact, goal: maximize}
steps: 12
replicates: auto
initial_replicates: 4
budget: 2000
confidence: 0.95
indifference: 0.1
seed: 11
timeseries: false
parameters:
  workshops.size: {values: [6, 7, 8, 9, 10, 11]}
uncertain:
  ripeness.public_weight: [0.3, 0.9]
scenarios: 5
"""


def synthetic_chunk(chunk: Chunk) -> list[RunRecord]:
    """Impact = the planted mean in the scenario + a seed effect shared by every lever + run noise."""
    records = []
    for task in chunk.tasks:
        size, weight = task.overrides["workshops.size"], task.overrides["ripeness.public_weight"]
        mean, slope = PLANTED[size]
        shared = np.random.default_rng([task.seed, 0]).normal(0, 3)
        noise = np.random.default_rng([task.seed, 1, size]).normal(0, 1)
        impact = mean + slope * (weight - 0.6) + shared + noise
        records.append(RunRecord(task.point, task.replicate, task.seed, FINISHED, 0.0, {"impact": float(impact)}))
    return records


def run(path: Path, out: Path, **options: bool) -> runner.SweepTally:
    executor = make_executor("serial")
    try:
        return runner.run_sweep(load_sweep(path), out, executor, progress=False, **options)
    finally:
        executor.close()


@pytest.fixture
def robust_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(runner, "run_chunk", synthetic_chunk)
    path = tmp_path / "robust_auto.yaml"
    path.write_text(ROBUST_AUTO, encoding="utf-8")
    return path


def test_replicates_go_to_the_contending_levers_in_every_scenario(robust_file: Path, tmp_path: Path) -> None:
    tally = run(robust_file, tmp_path / "out")
    spec = load_sweep(robust_file)
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    assert tally.finished == len(runs) <= 2000
    # paired: one seed per (scenario, replicate), the same for every lever; different across scenarios
    seeds = runs.groupby(["ripeness.public_weight", "replicate"])["seed"].nunique()
    assert (seeds == 1).all()
    assert runs[runs["replicate"] == 0].groupby("ripeness.public_weight")["seed"].first().nunique() == 5
    per_cell = runs.pivot_table(index="workshops.size", columns="ripeness.public_weight", values="seed", aggfunc="size")
    assert (per_cell.min(axis=1) == per_cell.max(axis=1)).all()  # each lever: the same replicates in every scenario
    replicates = per_cell.iloc[:, 0]
    assert (replicates[[8, 9, 10, 11]] == 4).all() and replicates[6] > 4  # the clearly worse stop at the first look
    _, inside, state = best_set_of(runs, "impact", "maximize", design=spec.describe())
    swept = ["workshops.size", "ripeness.public_weight"]
    ranked = rank_points(runs, swept, "impact", "maximize", design=spec.describe())
    assert len(ranked) == 6 and "ripeness.public_weight" not in ranked  # one row per lever, over the scenarios
    assert ranked.loc[ranked["in_best_set"], "workshops.size"].tolist() == [6]
    assert state.reason in {"resolved", "budget"} and int(inside.sum()) == 1
    assert ranked.set_index("workshops.size").loc[6, "estimate"] == pytest.approx(1.0, abs=0.5)


def test_the_robust_table_shows_where_the_average_best_lever_loses(robust_file: Path, tmp_path: Path) -> None:
    run(robust_file, tmp_path / "out")
    runs = pd.read_parquet(tmp_path / "out" / "runs.parquet")
    found = robustness(runs, ["workshops.size"], ["ripeness.public_weight"], "impact")
    table = found.table.set_index("workshops.size")
    assert table.loc[6, "share_best_set"] == 1.0  # never beaten by more than noise: 7 gains at most 0.6 above 6
    assert table.loc[8, "share_best_set"] == 0.0 and table.loc[8, "mean_regret"] > 2
    assert table.loc[7, "median"] < table.loc[6, "median"]


def test_an_interrupted_robust_auto_sweep_resumes_to_the_same_runs(
    robust_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(robust_file, tmp_path / "whole")
    calls = {"n": 0}

    def dies_later(chunk: Chunk) -> list[RunRecord]:
        calls["n"] += 1
        if calls["n"] > 40:
            raise KeyboardInterrupt
        return synthetic_chunk(chunk)

    monkeypatch.setattr(runner, "run_chunk", dies_later)
    with pytest.raises(KeyboardInterrupt):
        run(robust_file, tmp_path / "cut")
    monkeypatch.setattr(runner, "run_chunk", synthetic_chunk)
    run(robust_file, tmp_path / "cut", resume=True)
    whole = pd.read_parquet(tmp_path / "whole" / "runs.parquet").drop(columns=["wall_time_s"])
    cut = pd.read_parquet(tmp_path / "cut" / "runs.parquet").drop(columns=["wall_time_s"])
    assert calls["n"] > 40  # it was cut mid-way
    pd.testing.assert_frame_equal(whole, cut)


def test_scenario_means_pair_the_levers_by_replicate() -> None:
    runs = pd.DataFrame(
        {
            "point": [0, 1, 2, 3, 0, 1, 2, 3],
            "replicate": [0, 0, 0, 0, 1, 1, 1, 1],
            "seed": [5, 6, 5, 6, 7, 8, 7, 8],
            "choice": ["a", "a", "b", "b", "a", "a", "b", "b"],
            "u": [0.2, 0.8, 0.2, 0.8, 0.2, 0.8, 0.2, 0.8],
            "impact": [1.0, 3.0, 0.0, 4.0, 2.0, 2.0, 1.0, 1.0],
        }
    )
    lever_runs = over_scenarios(runs, {"uncertain": {"u": [0, 1]}, "scenarios": [{"u": 0.2}, {"u": 0.8}]})
    assert lever_runs["point"].tolist() == [0, 0, 2, 2] and "u" not in lever_runs
    assert lever_runs["impact"].tolist() == [2.0, 2.0, 2.0, 1.0]
    assert lever_runs["scenarios_run"].tolist() == [2, 2, 2, 2]


def test_a_budget_too_small_for_the_first_look_in_every_scenario_is_named(tmp_path: Path) -> None:
    path = tmp_path / "small.yaml"
    path.write_text(ROBUST_AUTO.replace("budget: 2000", "budget: 100"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"budget: 100 runs cannot give the 6 lever points x 5 scenarios"):
        load_sweep(path)


def test_the_results_folder_is_read_by_lever_and_the_report_and_figure_show_robustness(
    robust_file: Path, tmp_path: Path
) -> None:
    from tracktwo.experiments.analysis.results import load_results
    from tracktwo.experiments.reporting import plots, report

    run(robust_file, tmp_path / "out")
    results = load_results(tmp_path / "out")
    assert results.swept == ["workshops.size"] and results.scenario_runs is not None
    assert len(results.runs) == results.every_run.groupby(["workshops.size", "replicate"]).ngroups
    html = report._robust_html(results)
    assert "Robustness to what the model cannot know" in html and "robust_scenarios.csv" in html
    drawn = plots.robust_figure(results, plots.Summaries(results))
    assert drawn is not None and drawn.stem == "robustness"
    assert (tmp_path / "out" / "figures" / "robustness.png").exists()
    assert "ripeness.public_weight" not in results.describe(int(results.runs["point"].iloc[0]))


def test_the_progress_bar_shows_the_look_and_the_levers_left(
    robust_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    executor = make_executor("serial")
    try:
        runner.run_sweep(load_sweep(robust_file), tmp_path / "out", executor, progress=True)
    finally:
        executor.close()
    shown = capsys.readouterr().err  # not a terminal: the bar's last state (a terminal redraws it at each look)
    assert re.search(r"(\d+)/\1 .*look [2-9]/\d+, 1 in the best set", shown)  # the planted best alone, after look 1
