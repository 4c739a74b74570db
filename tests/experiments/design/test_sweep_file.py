"""Sweep files: every shipped sweep is valid; every bad one is rejected before a run, with one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.model import ConfigError

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "configs" / "sweeps").glob("*.yaml"))

BAD_SWEEPS = {
    "unknown parameter": (
        "method: grid\nparameters:\n  workshops.sise: {values: [4, 8]}",
        "parameters.workshops.sise: unknown parameter (did you mean workshops.size?)",
    ),
    "value outside the model's range": (
        "method: grid\nparameters:\n  workshops.size: {values: [4, 200000]}",
        "workshops.size: Input should be less than or equal to 100000",
    ),
    "range outside the model's range": (
        "method: random\nrun_cap: 4\nparameters:\n  workshops.retention: {min: 0.0, max: 1.5}",
        "parameters.workshops.retention: 1.5 is outside what the model allows",
    ),
    "grid over a continuous range": (
        "method: grid\nparameters:\n  workshops.retention: {min: 0.0, max: 1.0}",
        "a grid cannot run over a continuous range",
    ),
    "bayes without a metric": (
        "method: bayes\nrun_cap: 4\nparameters:\n  workshops.retention: {min: 0.0, max: 1.0}",
        "metric: method bayes needs a metric",
    ),
    "metric that is not an outcome": (
        "method: bayes\nrun_cap: 4\nmetric: {name: transfers, goal: maximize}\n"
        "parameters:\n  workshops.retention: {min: 0.0, max: 1.0}",
        "metric.name: 'transfers' is not an outcome of the model",
    ),
    "metric goal": (
        "method: grid\nmetric: {name: impact, goal: up}\nparameters:\n  workshops.size: {values: [4]}",
        "metric.goal: expected maximize or minimize",
    ),
    "unknown sweep key": (
        "method: grid\nreplicate: 3\nparameters:\n  workshops.size: {values: [4]}",
        "unknown key(s) ['replicate']",
    ),
    "unknown method": (
        "method: grids\nparameters:\n  workshops.size: {values: [4]}",
        "method: expected one of grid, random, bayes",
    ),
    "random without run_cap": (
        "method: random\nparameters:\n  workshops.retention: {min: 0.0, max: 1.0}",
        "set run_cap",
    ),
    "run_cap below replicates": (
        "method: random\nrun_cap: 2\nreplicates: 3\nparameters:\n  workshops.retention: {min: 0.0, max: 1.0}",
        "run_cap: 2 is less than replicates (3)",
    ),
    "unbounded distribution": (
        "method: random\nrun_cap: 4\nparameters:\n  workshops.retention: {distribution: normal, mu: 0.5, sigma: 0.1}",
        "normal is unbounded",
    ),
    "integer bounds on a share": (
        "method: random\nrun_cap: 4\nparameters:\n  workshops.retention: {min: 0, max: 1}",
        "write the bounds as decimals",
    ),
    "mix that does not sum to 1": (
        "method: grid\nparameters:\n  workshops.mix.autonomous: {values: [0.2]}",
        "workshops.mix: shares sum to 0.7; they must sum to 1",
    ),
    "derived share below 0 at a corner": (
        "method: random\nrun_cap: 4\nparameters:\n  workshops.mix.autonomous: {min: 0.0, max: 0.8}\n"
        "  workshops.mix.grassroots: {min: 0.0, max: 0.5}\n"
        "derived:\n  workshops.mix.elite: 1 - workshops.mix.autonomous - workshops.mix.grassroots",
        "(a corner of the swept ranges): the model rejects it: workshops.mix: share of 'elite' is -0.3",
    ),
    "derived from an unknown key": (
        "method: grid\nparameters:\n  workshops.mix.autonomous: {values: [0.5]}\n"
        "derived:\n  workshops.mix.elite: 1 - workshops.mix.autonomus",
        "'workshops.mix.autonomus' is not a swept parameter",
    ),
    "derived code": (
        "method: grid\nparameters:\n  workshops.size: {values: [4]}\nderived:\n  workshops.count: __import__('os')",
        "only numbers, parameter keys and + - * / are allowed",
    ),
    "not a parameter spec": (
        "method: grid\nparameters:\n  workshops.size: [4, 8]",
        "expected a spec such as {values: [...]}",
    ),
    "bare YAML off": (
        "method: grid\nparameters:\n  ripeness.mode: {values: [endogenous, off]}",
        "ripeness.mode: Input should be 'endogenous', 'fixed' or 'off' (got False)",
    ),
    "bad simplex step": (
        "method: grid\nparameters:\n  workshops.mix: {simplex: {kinds: [elite, autonomous], step: 0.3}}",
        "simplex.step: expected a share that divides 1",
    ),
    "steps out of range": (
        "method: grid\nsteps: 0\nparameters:\n  workshops.size: {values: [4]}",
        "steps: Input should be greater than or equal to 1",
    ),
    "missing base": (
        "method: grid\nbase: nowhere.yaml\nparameters:\n  workshops.size: {values: [4]}",
        "base config: file not found",
    ),
    "timeseries": (
        "method: grid\ntimeseries: sometimes\nparameters:\n  workshops.size: {values: [4]}",
        "timeseries: expected true, false or N",
    ),
}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_sweeps_are_valid_and_say_which_question_they_answer(path: Path) -> None:
    spec = load_sweep(path)
    assert spec.name == path.stem
    assert path.read_text(encoding="utf-8").startswith("# Question")


def test_the_shipped_sweeps_are_all_there() -> None:
    assert {p.stem for p in SHIPPED} >= {
        "participant_mix",
        "autonomy_dilemma",
        "ripeness",
        "ongoing_vs_oneoff",
        "funding",
        "backchannel",
        "optimize_mix",
    }
    assert load_sweep(ROOT / "configs" / "sweeps" / "optimize_mix.yaml").method == "bayes"


@pytest.mark.parametrize("case", BAD_SWEEPS, ids=list(BAD_SWEEPS))
def test_a_bad_sweep_file_gets_one_clear_error(case: str, tmp_path: Path) -> None:
    text, expected = BAD_SWEEPS[case]
    path = tmp_path / "bad.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_sweep(path)
    message = str(raised.value)
    assert message.startswith(f"sweep {path}: ")
    assert expected in message
    assert "\n" not in message


def test_the_command_rejects_a_bad_file_before_any_run(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD_SWEEPS["range outside the model's range"][0] + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "tracktwo", "sweep", str(path), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("tracktwo sweep: error: sweep ")
    assert not out.exists()


def test_maps_swept_over_are_relative_to_the_sweep_file(tmp_path, monkeypatch):
    """Like a config's, a sweep file's actor-map paths are read from the sweep file's folder, not the working folder."""
    folder = tmp_path / "study"
    (folder / "maps").mkdir(parents=True)
    for name in ("example_nodes.csv", "example_edges.csv"):
        (folder / "maps" / name).write_text((ROOT / "configs" / "maps" / name).read_text())
    (folder / "base.yaml").write_text("kinds:\n  women_cso: {behaviour: grassroots, count: 0}\n")
    (folder / "maps.yaml").write_text(
        "method: grid\nbase: base.yaml\nparameters:\n  network.type: {value: map}\n"
        "  network.map: {values: [maps/example_nodes.csv]}\n  workshops.size: {values: [6, 8]}\n"
    )
    monkeypatch.chdir(tmp_path)  # elsewhere: maps/example_nodes.csv does not exist here
    spec = load_sweep(folder / "maps.yaml")
    assert spec.parameters["network.map"]["values"] == [str(folder / "maps" / "example_nodes.csv")]
    (folder / "typo.yaml").write_text((folder / "maps.yaml").read_text().replace("example_nodes", "exmaple_nodes"))
    with pytest.raises(ConfigError, match="exmaple_nodes"):
        load_sweep(folder / "typo.yaml")
