"""Sensitivity analysis: the SALib wiring through the sweep engine recovers known indices and is stable on the model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tracktwo.experiments.analysis import sensitivity as analysis
from tracktwo.experiments.cli import main
from tracktwo.experiments.design import sensitivity
from tracktwo.experiments.engine import runner as sweep
from tracktwo.experiments.engine.executors import make_executor
from tracktwo.experiments.engine.worker import FINISHED, Chunk, RunRecord
from tracktwo.model import ConfigError

ROOT = Path(__file__).resolve().parents[3]
COEFFICIENTS = {"a": 4.0, "b": 2.0, "c": 0.5}  # y = 4a + 2b + 0.5c on the unit cube: S_i = coef_i^2 / sum(coef^2)
TINY_MODEL = """
name: tiny_sensitivity
method: morris
steps: 24
samples: 4
replicates: 2
seed: {seed}
outcomes: [ideas_generated, impact]
parameters:
  workshops.count: [0, 6]                            # all held within 24 months: ideas come from workshops
  forgetting.official_unripe_multiplier: [2.9, 3.1]  # forgetting cannot make ideas
  workshops.retention: [0.4, 0.8]
"""


def analytic_chunk(chunk: Chunk) -> list[RunRecord]:
    """Stands in for the model: the linear test function of the point's values."""
    return [
        RunRecord(
            t.point, t.replicate, t.seed, FINISHED, 0.0, {"y": sum(c * t.overrides[k] for k, c in COEFFICIENTS.items())}
        )
        for t in chunk.tasks
    ]


def analytic_spec(method: str, samples: int) -> sensitivity.SensitivitySpec:
    return sensitivity.SensitivitySpec(
        name="analytic",
        method=method,
        parameters={k: (0.0, 1.0) for k in COEFFICIENTS},
        outcomes=("y",),
        base={},
        samples=samples,
        seed=3,
    )


def run_analytic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, samples: int) -> pd.DataFrame:
    monkeypatch.setattr(sweep, "run_chunk", analytic_chunk)
    monkeypatch.setattr(sweep, "check_sweep_fits", lambda spec, workers: 0.0)  # the memory budget is the model's
    spec = analytic_spec(method, samples)
    executor = make_executor("serial")
    try:
        result = sweep.run_sweep(spec.sweep_spec(), tmp_path / method, executor, progress=False)
    finally:
        executor.close()
    assert result.finished == len(spec.points) and result.failed == 0
    table, skipped = analysis.write_analysis(spec, result.directory)
    assert not skipped
    return table.set_index("parameter")


def test_sobol_through_the_sweep_engine_recovers_a_linear_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = run_analytic(tmp_path, monkeypatch, "sobol", 128)
    total = sum(c**2 for c in COEFFICIENTS.values())
    assert table["ST"].idxmax() == table["S1"].idxmax() == "a"
    for key, coefficient in COEFFICIENTS.items():
        assert table.loc[key, "S1"] == pytest.approx(coefficient**2 / total, abs=0.08)
        assert table.loc[key, "ST"] == pytest.approx(coefficient**2 / total, abs=0.08)
        assert table.loc[key, "ST_low"] <= table.loc[key, "ST"] <= table.loc[key, "ST_high"]
    assert list(table["rank"]) == [1, 2, 3]
    assert (tmp_path / "sobol" / "sensitivity.csv").exists() and (tmp_path / "sobol" / "runs.parquet").exists()


def test_morris_through_the_sweep_engine_recovers_the_slopes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = run_analytic(tmp_path, monkeypatch, "morris", 8)
    for key, coefficient in COEFFICIENTS.items():
        assert table.loc[key, "mu_star"] == pytest.approx(coefficient)
        assert table.loc[key, "sigma"] == pytest.approx(0.0, abs=1e-9)


def run_model(tmp_path: Path, seed: int, folder: str, resume: bool = False) -> pd.DataFrame:
    path = tmp_path / f"tiny_{seed}.yaml"
    path.write_text(TINY_MODEL.format(seed=seed), encoding="utf-8")
    spec = sensitivity.load_sensitivity(path)
    executor = make_executor("serial")
    try:
        result = sweep.run_sweep(spec.sweep_spec(), tmp_path / folder, executor, resume=resume, progress=False)
    finally:
        executor.close()
    if resume:
        assert result.ran_now == 0
    return analysis.write_analysis(spec, result.directory)[0]


def test_on_the_model_the_indices_are_reproducible_resumable_and_stable_across_seeds(tmp_path: Path) -> None:
    first = run_model(tmp_path, 1, "one")
    again = run_model(tmp_path, 1, "one", resume=True)
    pd.testing.assert_frame_equal(first, again)
    other = run_model(tmp_path, 2, "two")
    for table in (first, other):
        ideas = table[table["outcome"] == "ideas_generated"].set_index("parameter")
        assert ideas["mu_star"].idxmax() == "workshops.count"  # workshops are where ideas come from
        assert ideas.loc["forgetting.official_unripe_multiplier", "mu_star"] == 0.0  # forgetting cannot make ideas
        assert ideas.loc["workshops.count", "mu_star_low"] > 0


def test_the_shipped_sensitivity_files_are_valid() -> None:
    for name in ("sensitivity.yaml", "sensitivity_screening.yaml"):
        spec = sensitivity.load_sensitivity(ROOT / "configs" / name)
        assert len(spec.parameters) >= 10 and "impact" in spec.outcomes
        assert len(spec.points) == spec.samples * (len(spec.parameters) + (2 if spec.method == "sobol" else 1))
        assert all(isinstance(p["workshops.count"], int) for p in spec.points[:50])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("samples: 100", "power of 2"),
        ("method: fast", "method: expected sobol"),
        ("outcomes: [impactt]", "not an outcome of the model"),
        ("parameters: {workshops.sise: [6, 12], workshops.retention: [0.0, 1.0]}", "workshops.sise"),
        ("parameters: {workshops.size: [6.5, 12], workshops.retention: [0.0, 1.0]}", "whole-number"),
        ("parameters: {workshops.retention: [1.0, 0.0], workshops.size: [6, 12]}", "low < high"),
        ("parameters: {workshops.retention: [0.0, 1.5], workshops.size: [6, 12]}", "the model rejects it"),
        ("colour: blue", "unknown key"),
    ],
)
def test_a_bad_sensitivity_file_gets_one_clear_line(
    tmp_path: Path, change: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    base = {
        "name": "bad",
        "method": "sobol",
        "steps": 12,
        "samples": 4,
        "outcomes": "[impact]",
        "parameters": "{workshops.retention: [0.0, 1.0], workshops.size: [6, 12]}",
    }
    key = change.split(":", 1)[0]
    lines = [f"{k}: {v}" for k, v in base.items() if k != key] + [change]
    path = tmp_path / "bad.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        sensitivity.load_sensitivity(path)
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error and not (tmp_path / "out").exists()
