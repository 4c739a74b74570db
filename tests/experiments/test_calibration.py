"""`tracktwo calibrate`: bad specs get one line and exit 2; one seed gives one posterior on any worker
count and after kill -9 and --resume; a small recovery check on records made by `tracktwo run`."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tracktwo.experiments.calibrate import calibrate
from tracktwo.experiments.design import summaries
from tracktwo.experiments.design.calibration import load_calibration, parameter_range
from tracktwo.model import ConfigError, default_params_dict, simulate

from tests.cli_harness import MAX_LINE_CHARS, ROOT, tracktwo

TINY = {
    "name": "tiny",
    "seed": 11,
    "steps": 36,
    "parameters": {"diffusion.base_rate": [0.02, 0.3]},
    "targets": {
        "patterns": [
            {"outcome": "ideas_generated", "observed": 6, "sd": 2},
            {"outcome": "cross_side_ties_created", "observed": 20, "sd": 10},
        ]
    },
    "population": 6,
    "budget": {"generations": 2},
}


def _write(folder: Path, spec: dict, name: str = "spec.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A programme's records, written by `tracktwo run` (36 months)."""
    folder = tmp_path_factory.mktemp("records")
    outcome = tracktwo("run", "--seed", "3", "--steps", "36", "--out", folder)
    assert outcome.code == 0, outcome.stderr
    return folder


def _records_spec(folder: Path, statistics: list) -> dict:
    return {**TINY, "steps": None, "targets": {"records": {"folder": str(folder), "statistics": statistics}}}


# Bad specs: one line, exit 2 -----------------------------------------------------------------------


def _spec_with(change: str, tmp: Path, records: Path) -> dict:
    spec = yaml.safe_load(yaml.safe_dump(TINY))
    if change == "unknown_key":
        spec["parameters"] = {"diffusion.base_rat": [0.02, 0.3]}
    elif change == "prior_outside_range":
        spec["parameters"] = {"diffusion.base_rate": [0.5, 1.5]}
    elif change == "unbounded_prior":
        spec["parameters"] = {"transfer.threshold": {"distribution": "norm", "loc": 0.3, "scale": 0.1}}
    elif change == "not_real_valued":
        spec["parameters"] = {"workshops.size": [4, 20]}
    elif change == "unknown_distribution":
        spec["parameters"] = {"diffusion.base_rate": {"distribution": "bta", "a": 2, "b": 5}}
    elif change == "target_names_no_outcome":
        spec["targets"]["patterns"][0]["outcome"] = "ideas_generatd"
    elif change == "negative_sd":
        spec["targets"]["patterns"][0]["sd"] = -1
    elif change == "pattern_sets_a_fitted_key":
        spec["targets"]["patterns"][0]["set"] = {"diffusion.base_rate": 0.5}
    elif change == "pattern_sets_a_bad_value":
        spec["targets"]["patterns"][0]["set"] = {"workshops.size": -3}
    elif change == "top_level_typo":
        spec["populaton"] = 10
    elif change == "no_targets":
        spec["targets"] = {}
    elif change in ("missing_column", "malformed_column", "empty_column", "unknown_statistic", "missing_option"):
        broken = tmp / "records"
        broken.mkdir(exist_ok=True)
        for file in ("timeseries", "ideas", "events"):
            (broken / f"{file}.csv").write_bytes((records / f"{file}.csv").read_bytes())
        ideas = pd.read_csv(broken / "ideas.csv", dtype=str, keep_default_na=False)
        if change == "missing_column":
            ideas = ideas.drop(columns="entered_step")
        elif change == "malformed_column":
            ideas.loc[0, "entered_step"] = "soon"
        elif change == "empty_column":
            ideas["entered_step"] = ""
        ideas.to_csv(broken / "ideas.csv", index=False)
        statistic = {"unknown_statistic": "ideas_taken", "missing_option": {"name": "uptake_curve"}}.get(
            change, "ideas_taken_up"
        )
        spec = _records_spec(broken, [statistic])
        spec.pop("steps")
    return spec


BAD_SPECS = {
    "unknown_key": "parameters.diffusion.base_rat: unknown parameter",
    "prior_outside_range": "outside what the model allows for diffusion.base_rate: [0, 1]",
    "unbounded_prior": "spans [-inf, inf], outside what the model allows",
    "not_real_valued": "parameters.workshops.size: not a real-valued parameter",
    "unknown_distribution": "is not a scipy.stats continuous distribution",
    "target_names_no_outcome": "targets.patterns.0.outcome: 'ideas_generatd' is not an outcome",
    "negative_sd": "targets.patterns.0.sd: Input should be greater than 0 (got -1)",
    "pattern_sets_a_fitted_key": "targets.patterns.0.set: diffusion.base_rate is fitted",
    "pattern_sets_a_bad_value": "targets.patterns.0.set: the model rejects it: workshops.size",
    "top_level_typo": "populaton: unknown key (did you mean population?)",
    "no_targets": "targets: name at least one pattern or a records folder",
    "missing_column": "ideas.csv has no column 'entered_step'",
    "malformed_column": "ideas.csv column 'entered_step' row 2 holds 'soon'; expected a number",
    "empty_column": "ideas.csv column 'entered_step' is empty",
    "unknown_statistic": "'ideas_taken' is not a records statistic (did you mean ideas_taken_up?)",
    "missing_option": "uptake_curve needs the option months",
}


@pytest.mark.parametrize("change", list(BAD_SPECS))
def test_bad_spec_one_line_exit_2(change: str, tmp_path: Path, records: Path) -> None:
    path = _write(tmp_path, _spec_with(change, tmp_path, records))
    outcome = tracktwo("calibrate", path, "--out", tmp_path / "out", "--no-progress")
    assert outcome.code == 2
    assert len(outcome.errors) == 1 and len(outcome.errors[0]) < MAX_LINE_CHARS
    assert BAD_SPECS[change] in outcome.errors[0]
    assert "Traceback" not in outcome.stderr
    assert not (tmp_path / "out").exists()


def test_parameter_range_reads_the_models_declared_bounds() -> None:
    base = default_params_dict()
    assert parameter_range("diffusion.base_rate", base) == (0.0, 1.0, True, True)
    assert parameter_range("transfer.threshold", base) == (0.0, 1.0, False, True)
    assert parameter_range("kinds.elite.standing.mean", base) == (0.0, 1.0, True, True)
    with pytest.raises(ConfigError, match=r"kinds\.elite\.count: not a real-valued parameter"):
        parameter_range("kinds.elite.count", base)


def test_a_mix_share_rescales_the_other_kinds() -> None:
    spec = load_calibration({**TINY, "parameters": {"workshops.mix.autonomous": [0.1, 0.9]}})
    assert spec.config({"workshops.mix.autonomous": 0.8})["workshops"]["mix"] == pytest.approx(
        {"elite": 0.2, "autonomous": 0.8}
    )


def test_a_pattern_of_another_configuration_is_simulated_there() -> None:
    from tracktwo.experiments.engine.calibration import Simulator, run_seed

    patterns = [
        {"outcome": "workshops_held", "observed": 5, "sd": 1},
        {"outcome": "workshops_held", "observed": 2, "sd": 1, "set": {"steps": 12}},
    ]
    spec = load_calibration({**TINY, "targets": {"patterns": patterns}})
    assert [t.name for t in spec.targets] == ["workshops_held", "workshops_held [steps=12]"]
    assert spec.runs_per_particle == 2
    values = {"diffusion.base_rate": 0.1}
    got = Simulator(spec).statistics(values)
    seed = run_seed(spec.seed, values, 0)
    assert got["workshops_held"] == [simulate({"steps": 36, **values}, seed).outcomes["workshops_held"]]
    assert got["workshops_held [steps=12]"] == [simulate({"steps": 12, **values}, seed).outcomes["workshops_held"]]
    assert got["workshops_held"] != got["workshops_held [steps=12]"]


def test_records_statistics_match_the_runs_own_counts(records: Path) -> None:
    needs = [need for statistic in summaries.STATISTICS.values() for need in statistic.needs]
    read = summaries.read_records(records, needs)
    ideas = pd.read_csv(records / "ideas.csv")
    programme = ideas[ideas["origin"] == "workshop"]
    assert read.months == 36
    assert summaries.compute(read, "ideas_recorded", {}) == len(programme)
    assert summaries.compute(read, "ideas_taken_up", {}) == (programme["entered_step"] >= 0).sum()
    assert summaries.compute(read, "meetings_held", {}) == len(pd.read_csv(records / "events.csv"))
    # the same statistics from the run's own tables (what the calibration simulates) agree
    result = simulate({"steps": 36}, 3)
    own = summaries.Records({"timeseries": result.timeseries, "ideas": result.ideas, "events": result.events}, 36)
    for name in ("ideas_recorded", "ideas_taken_up", "first_uptake_month", "share_months_ripe", "leaks"):
        assert summaries.compute(own, name, {}) == pytest.approx(summaries.compute(read, name, {}))


def test_columns_nobody_recorded_may_be_left_empty(records: Path, tmp_path: Path) -> None:
    for file in ("timeseries", "ideas", "events"):
        table = pd.read_csv(records / f"{file}.csv", dtype=str, keep_default_na=False)
        if file == "ideas":
            table["holders"] = ""
            table = table.drop(columns="path")
        table.to_csv(tmp_path / f"{file}.csv", index=False)
    spec = load_calibration(_records_spec(tmp_path, ["ideas_recorded", "ideas_taken_up"]))
    assert [t.name for t in spec.targets] == ["ideas_recorded", "ideas_taken_up"]
    assert spec.base["steps"] == 36  # the months the records span


# Reproducibility -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_seed_one_posterior_on_one_core_or_two(tmp_path: Path) -> None:
    one = calibrate(TINY, out=tmp_path / "one", progress=False, predictive_draws=0, plot=False)
    two = calibrate(TINY, out=tmp_path / "two", progress=False, predictive_draws=0, plot=False, workers=2)
    pd.testing.assert_frame_equal(one.posterior, two.posterior)
    assert len(one.generations) == 2 and len(one.posterior) == 6
    assert one.posterior["weight"].sum() == pytest.approx(1.0)
    table = one.generations
    assert (table["accepted"] == 6).all() and (table["candidates"] >= 6).all()
    assert np.allclose(table["acceptance_rate"], 6 / table["candidates"])
    assert ((table["ess"] > 0) & (table["ess"] <= 6 + 1e-9)).all()
    assert table["epsilon"].iloc[1] <= table["epsilon"].iloc[0]
    other = calibrate({**TINY, "seed": 12}, out=tmp_path / "other", progress=False, predictive_draws=0, plot=False)
    assert not np.allclose(one.posterior["diffusion.base_rate"], other.posterior["diffusion.base_rate"])


def _generations(history: Path) -> int:
    if not history.is_file():
        return 0
    try:
        with sqlite3.connect(history, timeout=1) as db:
            return db.execute("select count(*) from populations where t >= 0").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_resume_after_kill_9_gives_the_uninterrupted_posterior(tmp_path: Path) -> None:
    spec = _write(tmp_path, {**TINY, "budget": {"generations": 3}})
    whole = calibrate(spec, out=tmp_path / "whole", progress=False, predictive_draws=0, plot=False)
    cut = tmp_path / "cut"
    command = [sys.executable, "-m", "tracktwo", "calibrate", str(spec), "--out", str(cut), "--no-progress"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while _generations(cut / "history.db") < 1 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the calibration finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert 1 <= _generations(cut / "history.db") < 3
    refused = tracktwo("calibrate", spec, "--out", cut, "--no-progress")
    assert refused.code == 2 and "--resume" in refused.errors[0]
    resumed = calibrate(spec, out=cut, resume=True, progress=False, predictive_draws=0, plot=False)
    pd.testing.assert_frame_equal(whole.posterior, resumed.posterior)
    pd.testing.assert_frame_equal(
        whole.generations.drop(columns="wall_time_s"), resumed.generations.drop(columns="wall_time_s")
    )


# Recovery ------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_recovers_a_known_parameter_from_synthetic_records(tmp_path: Path) -> None:
    """Records made by `tracktwo run` at a known chance of passing along a tie: the 90% interval holds it and
    is narrower than the prior's (one dataset; benchmarks/calibration_sbc.py runs the 20-dataset version)."""
    truth = 0.2
    folder = tmp_path / "records"
    made = tracktwo("run", "--seed", "5", "--steps", "60", "--set", f"diffusion.base_rate={truth}", "--out", folder)
    assert made.code == 0, made.stderr
    spec = {
        "name": "recovery",
        "seed": 1,
        "parameters": {"diffusion.base_rate": [0.02, 0.4]},
        "targets": {
            "records": {
                "folder": str(folder),
                "statistics": ["ideas_recorded", "ideas_taken_up", {"name": "uptake_curve", "months": [30, 45]}],
            }
        },
        "population": 16,
        "budget": {"generations": 3},
    }
    result = calibrate(spec, out=tmp_path / "out", progress=False, predictive_draws=8, plot=True)
    row = result.intervals.iloc[0]
    assert row["posterior_low"] <= truth <= row["posterior_high"]
    assert row["width_ratio"] < 1.0
    assert (tmp_path / "out" / "marginals.png").is_file() and (tmp_path / "out" / "predictive_check.svg").is_file()
    assert set(result.checks["target"]) == {t.name for t in result.spec.targets}
    assert "pinned down" in result.summary or "narrowed" in result.summary


def test_overwrite_removes_only_what_a_calibration_wrote(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.csv").write_text("mine\n", encoding="utf-8")
    spec = {**TINY, "budget": {"generations": 1}}
    first = calibrate(spec, out=out, progress=False, predictive_draws=0, plot=False)
    refused = tracktwo("calibrate", _write(tmp_path, spec), "--out", out, "--no-progress")
    assert refused.code == 2 and "already holds a calibration" in refused.errors[0]
    again = calibrate(spec, out=out, overwrite=True, progress=False, predictive_draws=0, plot=False)
    pd.testing.assert_frame_equal(first.posterior, again.posterior)
    assert (out / "notes.csv").read_text(encoding="utf-8") == "mine\n"


def test_the_five_parameter_spec_adds_two_magnitudes_and_stops_reproducibly() -> None:
    """configs/calibration/patterns-five.yaml (benchmarks/calibration_resume.py times it and kills it):
    the patterns spec's three parameters and targets plus two, priors inside the declared ranges, and a
    budget that stops on generations or runs (the same after --resume), never on the wall-time guard."""
    three = load_calibration(ROOT / "configs" / "calibration" / "patterns.yaml")
    five = load_calibration(ROOT / "configs" / "calibration" / "patterns-five.yaml")
    assert set(three.keys) < set(five.keys) and len(five.keys) == 5
    assert [(t.name, t.observed, t.sd, t.setting) for t in five.targets] == [
        (t.name, t.observed, t.sd, t.setting) for t in three.targets
    ]
    base = default_params_dict()
    for key, prior in five.priors.items():
        low, high, _, _ = parameter_range(key, base)
        support = prior.frozen().support()
        assert low <= support[0] < support[1] <= high, key
        assert support[0] <= five.base_value(key) <= support[1], key  # the default is a value the prior allows
    assert five.budget.minutes > 30  # a run within the 30-minute target stops on generations or runs
