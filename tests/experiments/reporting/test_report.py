"""The HTML report: self-contained, and its headline numbers are the ones the tables hold."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pandas as pd
import pytest
from small_sweeps import small_sweep
from tracktwo.experiments.analysis.results import load_results
from tracktwo.experiments.cli import main
from tracktwo.experiments.design import sensitivity
from tracktwo.experiments.reporting import plots, report

REMOTE = re.compile(r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|<link\b|<script\b|@import""", re.I)


@pytest.fixture(scope="module")
def dilemma(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Autonomy Dilemma sweep, ranked by the sweep command (so summary.csv exists), its figures drawn.

    Drawn here, once for the module (every report of it embeds them), not by whichever test reports it first.
    """
    tmp = tmp_path_factory.mktemp("report")
    out = small_sweep(tmp, "autonomy_dilemma", replicates=8, steps=36)
    assert (
        main(
            [
                "sweep",
                str(tmp / "autonomy_dilemma.yaml"),
                "--out",
                str(out),
                "--executor",
                "serial",
                "--no-progress",
                "--resume",
                "--no-plot",
            ]
        )
        == 0
    )
    plots.plot_results(out)
    return out


@pytest.mark.slow
def test_the_report_is_self_contained_with_its_figures_embedded(dilemma: Path) -> None:
    assert main(["report", str(dilemma)]) == 0
    text = (dilemma / "report.html").read_text(encoding="utf-8")
    assert not REMOTE.search(text), REMOTE.search(text)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    figures = sorted(p.stem for p in (dilemma / "figures").glob("*.png"))
    assert len(images) == len(figures) >= 3
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    for section in ("Answers", "Ranking by", "Figures", "What was run", "How to reproduce"):
        assert f">{section}" in text
    assert "tracktwo sweep" in text and "seed: 20260602" in text  # the command and the sweep file as it ran


@pytest.mark.slow  # alone, it makes the dilemma fixture: a sweep of 88 runs and its figures
def test_the_headline_numbers_are_those_of_summary_csv(dilemma: Path) -> None:
    report.write_report(dilemma)
    text = (dilemma / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(dilemma / "summary.csv")
    best = summary.iloc[0]
    stated = report.format_interval(best["estimate"], best["low"], best["high"], share=False)
    assert stated in text, stated  # the best mix, its mean impact and 95% interval as summary.csv has them
    results = load_results(dilemma)
    assert results.describe(int(best["point"])) in text
    lines = report.headlines(results)
    assert lines[0].numbers == tuple(report.format_value(best[k], False) for k in ("estimate", "low", "high"))
    ranking = report.ranking(results, "impact", "maximize")
    pd.testing.assert_series_equal(ranking["estimate"], summary["estimate"], check_names=False)
    pd.testing.assert_series_equal(ranking["low"], summary["low"], check_names=False)
    peak = summary.loc[summary["estimate"].idxmax(), "workshops.mix.autonomous"]
    assert f"Impact peaks at {peak:.0%} autonomous thinkers" in text


@pytest.mark.slow  # alone, it makes the dilemma fixture: a sweep of 88 runs and its figures
def test_the_report_adds_the_scenario_table_when_present(dilemma: Path) -> None:
    assert main(["discover", str(dilemma), "--outcome", "ideas_transferred", "--above", "2"]) == 0
    report.write_report(dilemma)
    text = (dilemma / "report.html").read_text(encoding="utf-8")
    assert "Scenario discovery" in text and "ideas that entered Track One is above 2" in text


@pytest.mark.slow
def test_the_report_adds_the_sensitivity_table_when_present(tmp_path: Path) -> None:
    """A Morris screening of 9 runs: its time is its five figures' and the report's (slow: 8 s alone)."""
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(
        "name: tiny\nmethod: morris\nsteps: 24\nsamples: 3\nseed: 1\noutcomes: [ideas_generated]\n"
        "parameters:\n  workshops.count: [0, 6]\n  workshops.retention: [0.2, 0.8]\n",
        encoding="utf-8",
    )
    spec = sensitivity.load_sensitivity(spec_file)
    assert (
        main(["sensitivity", str(spec_file), "--out", str(tmp_path / "sens"), "--executor", "serial", "--no-progress"])
        == 0
    )
    report.write_report(tmp_path / "sens")
    text = (tmp_path / "sens" / "report.html").read_text(encoding="utf-8")
    table = pd.read_csv(tmp_path / "sens" / "sensitivity.csv")
    top = table.iloc[0]
    assert "Sensitivity analysis (Morris screening)" in text and "Workshops funded" in text
    assert f"{top['mu_star']:.3f} [{top['mu_star_low']:.3f}, {top['mu_star_high']:.3f}]" in text
    assert f"tracktwo sensitivity {spec.path}" in text


def test_report_of_a_folder_without_results_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "no runs.parquet" in error


@pytest.mark.slow  # alone, it makes the dilemma fixture: a sweep of 88 runs and its figures
def test_the_headline_table_and_figures_name_the_best_set_of_summary_csv(dilemma: Path) -> None:
    assert main(["report", str(dilemma)]) == 0
    text = (dilemma / "report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(dilemma / "summary.csv")
    inside = int(summary["in_best_set"].sum())
    assert inside >= 1 and bool(summary["in_best_set"].iloc[0])
    assert (f"{inside} mixes form the best set" if inside > 1 else "the best set's only member") in text
    assert "Best set</th>" in text and "paired-bootstrap max-t MCB" in text
    assert (dilemma / "figures" / "best_set.png").exists() and (dilemma / "figures" / "best_set.svg").exists()
