"""`tracktwo dilemma`: the frontier figure, its tables, and the summary statistics behind them."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from cli_harness import held_while_writing
from tracktwo.experiments.analysis import dilemma, stats
from tracktwo.experiments.cli import main
from tracktwo.experiments.design.dilemma import AUTONOMOUS_SHARES, dilemma_spec
from tracktwo.experiments.design.points import run_seed


def test_dilemma_command_writes_the_figure_and_tables(tmp_path, capsys, monkeypatch):
    import tracktwo.experiments.cli.dilemma as command

    out = tmp_path / "dilemma"
    checked = held_while_writing(monkeypatch, command, out)
    assert main(["dilemma", "--out", str(out), "--replicates", "3", "--steps", "36", "--workers", "2"]) == 0
    png, svg = out / "dilemma.png", out / "dilemma.svg"
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 20_000
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
    runs = pd.read_csv(out / "dilemma_runs.csv")
    assert len(runs) == 11 * 3
    assert sorted(runs["autonomous_share"].unique()) == pytest.approx(list(AUTONOMOUS_SHARES))
    seeds_by_mix = {share: sorted(group["seed"]) for share, group in runs.groupby("autonomous_share")}
    common = sorted(run_seed(1, 0, r) for r in range(3))  # --seed 1 (the default): run r of every mix on one seed
    assert all(seeds == common for seeds in seeds_by_mix.values()), "every mix runs on the same seeds"
    summary = pd.read_csv(out / "dilemma_summary.csv")
    assert set(summary["outcome"]) == set(dilemma.OUTCOMES) and len(summary) == 11 * 3
    finite = summary.dropna(subset=["mean"])
    assert (finite["ci_low"] <= finite["mean"] + 1e-12).all() and (finite["mean"] <= finite["ci_high"] + 1e-12).all()
    manifest = json.loads((out / "dilemma.json").read_text(encoding="utf-8"))
    assert manifest["replicates"] == 3 and manifest["steps"] == 36
    assert 0.0 <= manifest["peak_impact_share"] <= 1.0
    assert "Peak impact" in capsys.readouterr().out
    assert checked == ["dilemma_runs.csv", "dilemma_summary.csv"]  # written while the folder was still held


def test_dilemma_rejects_a_bad_parameter_with_the_models_message(tmp_path, capsys):
    assert main(["dilemma", "--out", str(tmp_path), "--replicates", "2", "--set", "workshops.size=1"]) == 2
    assert "workshops.size" in capsys.readouterr().err
    assert not (tmp_path / "dilemma.png").exists()


def test_mixes_run_on_the_same_seeds_with_elites_taking_the_other_seats(tmp_path):
    base = {"steps": 12, "workshops": {"size": 10}}
    spec = dilemma_spec(base, seed=7, replicates=2, config=tmp_path / "config.yaml")
    assert len(spec.listed_points) == 11 and spec.common_seeds and spec.replicates == 2
    for share, point in zip(AUTONOMOUS_SHARES, spec.listed_points, strict=True):
        mix = point["workshops.mix"]
        assert mix["autonomous"] == pytest.approx(share) and mix["elite"] == pytest.approx(1 - share)
    assert spec.base["workshops"]["size"] == 10
    assert {run_seed(spec.seed, p, r, spec.common_seeds) for p in range(11) for r in range(2)} == {
        run_seed(7, 0, 0),
        run_seed(7, 0, 1),
    }


def test_mix_intervals_handle_constant_missing_and_spread_values():
    def interval(values):
        found = stats.bootstrap_mean(np.array(values))
        return found.estimate, found.low, found.high

    assert interval([0.5, 0.5, 0.5]) == (0.5, 0.5, 0.5)
    assert all(math.isnan(v) for v in interval([math.nan, math.nan]))
    mean, low, high = interval([1.0, 2.0, 3.0, 4.0, 5.0, math.nan])
    assert mean == pytest.approx(3.0) and 1.0 <= low < 3.0 < high <= 5.0


def test_optimum_reports_whether_the_peak_is_interior():
    def summary(impacts):
        return pd.DataFrame({"autonomous_share": AUTONOMOUS_SHARES, "outcome": "impact", "mean": impacts})

    share, best, interior = dilemma.optimum(summary([1, 2, 3, 5, 4, 3, 2, 1, 1, 1, 0]))
    assert (share, best, interior) == (0.3, 5.0, True)
    assert dilemma.optimum(summary(list(range(11))))[2] is False
