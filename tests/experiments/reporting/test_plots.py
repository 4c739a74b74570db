"""Figures for every shipped sweep type, from tiny sweeps: the files exist, are valid images, with their panels."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import matplotlib.image
import pandas as pd
import pytest
from small_sweeps import small_sweep
from tracktwo.experiments import labels
from tracktwo.experiments.analysis.results import load_results
from tracktwo.experiments.cli import main
from tracktwo.experiments.reporting import plots
from tracktwo.model import ROUTES

FEW_OUTCOMES = ["impact", "any_transfer"]  # panels per effect figure in these tests (fewer panels, faster drawing)

# shipped sweep -> figures that must be drawn (besides effects and, when there were transfers, pathways)
EXPECTED = {
    "participant_mix": {
        "best_set",
        "robustness",
        "mix_simplex",
        "timeseries",
        "effect_workshops.mix.elite",
        "effect_workshops.mix.autonomous",
        "effect_workshops.mix.grassroots",
        "effect_workshops.mix.official",
    },
    "autonomy_dilemma": {"dilemma_frontier", "timeseries", "effect_workshops.mix.autonomous"},
    "ripeness": {"timeseries", "effect_workshops.count", "effect_ripeness.mode"},
    "ongoing_vs_oneoff": {"timeseries", "effect_workshops.count"},
    "funding": {
        "best_set",
        "timeseries",
        "effect_workshops.funder_conditionality",
        "effect_workshops.facilitator_policy",
    },
    "backchannel": {"timeseries", "effect_mode"},
    "optimize_mix": {
        "timeseries",
        "effect_workshops.mix.autonomous",
        "effect_workshops.mix.grassroots",
        "effect_workshops.size",
        "effect_workshops.retention",
    },
    "middle_range": {"best_set", "timeseries", "effect_middle_range.bridges", "effect_workshops.mix.middle_range"},
}
NOT_EXPECTED = {
    "autonomy_dilemma": {"mix_simplex"},
    "optimize_mix": {"mix_simplex", "dilemma_frontier"},
    "funding": {"mix_simplex", "dilemma_frontier"},
    "middle_range": {"mix_simplex", "dilemma_frontier"},
}


def assert_valid_images(figures: Path, stem: str) -> None:
    image = matplotlib.image.imread(figures / f"{stem}.png")
    assert image.ndim == 3 and image.shape[0] > 300 and image.shape[1] > 300, f"{stem}.png is {image.shape}"
    root = ElementTree.parse(figures / f"{stem}.svg").getroot()
    assert root.tag.endswith("svg")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow) if n in ("participant_mix", "middle_range") else n
        for n in sorted(EXPECTED)
    ],
)
def test_each_shipped_sweep_gets_the_figures_that_fit_it(tmp_path: Path, name: str) -> None:
    out = small_sweep(tmp_path, name, replicates=2, steps=36)
    outcomes = None if name == "participant_mix" else FEW_OUTCOMES
    drawn = plots.plot_results(out, outcomes)
    stems = {d.stem for d in drawn}
    runs = pd.read_parquet(out / "runs.parquet")
    transfers = sum(runs[f"transfers_{route}"].sum() for route in ROUTES)
    assert EXPECTED[name] <= stems, f"missing {EXPECTED[name] - stems}"
    assert not (NOT_EXPECTED.get(name, set()) & stems)
    assert ("pathways" in stems) == (transfers > 0)
    assert "what_got_in" in stems, "the issue space is on in every shipped sweep: process, outcome and agenda"
    for figure in drawn:
        assert_valid_images(out / "figures", figure.stem)
        assert figure.files == (f"{figure.stem}.png", f"{figure.stem}.svg")
        assert figure.caption and figure.panels
    index = json.loads((out / "figures" / plots.INDEX).read_text())
    assert [entry["stem"] for entry in index] == [d.stem for d in drawn]
    effect = next(d for d in drawn if d.stem.startswith("effect_"))
    wanted = plots.choose_outcomes(load_results(out), outcomes)
    assert len(effect.panels) == len(wanted) and all(
        labels.outcome_label(o) in p for o, p in zip(wanted, effect.panels, strict=True)
    )


def test_the_mix_simplex_has_a_panel_per_outcome_and_official_share(tmp_path: Path) -> None:
    out = small_sweep(tmp_path, "participant_mix", replicates=2, steps=24)
    results = load_results(out)
    drawn = plots.mix_simplex(results, plots.Summaries(results))
    assert drawn is not None
    shares = ["0% officials", "25% officials", "50% officials", "75% officials", "100% officials"]
    expected = [f"{labels.outcome_label(o)}: {s}" for o in ("impact", "any_transfer") for s in shares]
    assert list(drawn.panels) == expected


def test_the_frontier_marks_the_mix_with_the_highest_impact(tmp_path: Path) -> None:
    out = small_sweep(tmp_path, "autonomy_dilemma", replicates=3, steps=36)
    results = load_results(out)
    drawn = plots.dilemma_frontier(results, plots.Summaries(results))
    best = results.runs.groupby("workshops.mix.autonomous")["impact"].mean().idxmax()
    assert drawn is not None and f"{best:.0%}" in drawn.caption
    assert any("Autonomy Dilemma" in p for p in drawn.panels) and any("Impact" in p for p in drawn.panels)


def test_replotting_removes_figures_that_no_longer_fit(tmp_path: Path) -> None:
    out = small_sweep(tmp_path, "backchannel", replicates=2)
    plots.plot_results(out, ["impact", "leaks"])
    stale = out / "figures" / "dilemma_frontier.png"
    index = json.loads((out / "figures" / plots.INDEX).read_text())
    stale.write_bytes(b"old")
    index.append(
        {"stem": "dilemma_frontier", "title": "", "caption": "", "panels": [], "files": ["dilemma_frontier.png"]}
    )
    (out / "figures" / plots.INDEX).write_text(json.dumps(index))
    plots.plot_results(out, ["impact"])
    assert not stale.exists()


def test_plot_command_rejects_a_missing_folder_and_an_unknown_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plot", str(tmp_path / "nowhere")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no such results folder" in error
    out = small_sweep(tmp_path, "backchannel", replicates=2)
    assert main(["plot", str(out), "--outcomes", "impact,ideas_transfered"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "ideas_transfered" in error
    assert main(["plot", str(out), "--outcomes", "impact"]) == 0
    assert "effect_mode" in capsys.readouterr().out
    results = load_results(out)
    assert (
        plots.choose_outcomes(results, ["all"]) == results.outcomes and len(results.outcomes) > plots.PANELS_PER_FIGURE
    )


def test_a_sweep_draws_its_figures_and_a_drawing_failure_keeps_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep = tmp_path / "tiny.yaml"
    sweep.write_text(
        "name: tiny\nmethod: grid\nmetric: {name: impact, goal: maximize}\nsteps: 24\nreplicates: 2\n"
        "parameters:\n  workshops.retention: {values: [0.2, 0.8]}\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "a"), "--executor", "serial", "--no-progress"]) == 0
    assert (tmp_path / "a" / "figures" / "effect_workshops.retention.png").exists()
    assert "Figures in" in capsys.readouterr().out

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(plots, "plot_results", broken)
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "b"), "--executor", "serial", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "warning: could not draw the figures (RuntimeError: no fonts today)" in captured.err
    assert "tracktwo plot" in captured.err
    assert (tmp_path / "b" / "runs.parquet").exists() and (tmp_path / "b" / "summary.csv").exists()


@pytest.mark.slow  # two drawing processes each import the figure libraries
def test_figures_drawn_by_a_pool_are_the_serial_ones_byte_for_byte(tmp_path: Path) -> None:
    out = small_sweep(tmp_path, "funding", replicates=2, steps=24)
    serial = plots.plot_results(out, FEW_OUTCOMES)
    pngs = {d.stem: (out / "figures" / f"{d.stem}.png").read_bytes() for d in serial}
    index = (out / "figures" / plots.INDEX).read_text()
    for figure in serial:
        (out / "figures" / f"{figure.stem}.png").unlink()
    pooled = plots.plot_results(out, FEW_OUTCOMES, workers=2)
    assert pooled == serial and len(serial) >= 3  # best set and two factors' effects, in the same order
    assert (out / "figures" / plots.INDEX).read_text() == index
    assert all((out / "figures" / f"{stem}.png").read_bytes() == png for stem, png in pngs.items())


def test_figures_started_beside_a_sweeps_tables_warn_instead_of_failing(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from tracktwo.experiments import api

    pool = SimpleNamespace(name="process", workers=2)
    figures, warnings = api._figures_meanwhile(tmp_path / "nothing here", pool)()
    assert figures == () and len(warnings) == 1
    assert "could not draw the figures" in warnings[0] and f"tracktwo plot {tmp_path / 'nothing here'}" in warnings[0]
