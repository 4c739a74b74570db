"""A sweep's summary, figures and report say what got in: process influence, outcome transfer, the agenda."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tracktwo.experiments import api
from tracktwo.experiments.analysis import agenda
from tracktwo.experiments.reporting import report

pytestmark = pytest.mark.slow  # a small sweep (8 runs of 24 months) and its figures

ROOT = Path(__file__).resolve().parents[3]
DIMENSIONS = ("security", "political_arrangements", "economy_and_resources", "justice_and_social_issues")


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two autonomous shares x 4 replicates, 24 months: a sweep whose runs adopt some ideas."""
    tmp = tmp_path_factory.mktemp("what_got_in")
    file = tmp / "agenda.yaml"
    sweep = {
        "name": "agenda",
        "method": "grid",
        "metric": {"name": "ideas_transferred", "goal": "maximize"},
        "base": str(ROOT / "configs" / "default.yaml"),
        "replicates": 4,
        "steps": 24,
        "seed": 7,
        "parameters": {"workshops.mix.autonomous": {"values": [0.2, 0.8]}},
        "derived": {"workshops.mix.elite": "1 - workshops.mix.autonomous"},
    }
    file.write_text(yaml.safe_dump(sweep), encoding="utf-8")
    out = tmp / "out"
    api.sweep(file, out=out, executor="serial", progress=False)
    return out


def test_the_summary_has_process_influence_outcome_transfer_and_the_agenda(swept: Path) -> None:
    summary = pd.read_csv(swept / "summary.csv")
    runs = pd.read_parquet(swept / "runs.parquet")
    for point, row in summary.set_index("point").iterrows():
        mine = runs[runs["point"] == point]
        assert row["influence_on_process_estimate"] == pytest.approx(mine["influence_on_process"].mean())
        assert row["ideas_transferred_estimate"] == pytest.approx(mine["ideas_transferred"].mean())
        assert row["influence_on_process_low"] <= row["influence_on_process_estimate"]
        counts = np.array([mine[f"outcome_transfer_{d}"].sum() for d in DIMENSIONS])
        shares = np.array([row[f"agenda_share_{d}"] for d in DIMENSIONS])
        assert counts.sum() == mine["ideas_transferred"].sum(), "outcome transfer per issue adds up to the total"
        if counts.sum():
            assert shares == pytest.approx(counts / counts.sum())
        else:
            assert np.isnan(shares).all(), "no idea adopted: no agenda"
    assert runs["ideas_transferred"].sum() > 0
    assert (summary["influence_on_process_estimate"] > 0).all(), "framing moves positions in 24 months"


def test_the_report_shows_what_got_in_with_its_figure(swept: Path) -> None:
    path = report.write_report(swept)
    text = path.read_text(encoding="utf-8")
    assert ">What got in</h2>" in text and "Influence on the process" in text and "Agenda: justice and social" in text
    summary = pd.read_csv(swept / "summary.csv")
    best = summary.iloc[0]
    stated = report.format_value(best["influence_on_process_estimate"], False)
    section = text.split(">What got in</h2>")[1].split("</table>")[0]
    assert stated in section, "the table's numbers are summary.csv's"
    drawn = {entry["stem"]: entry for entry in json.loads((swept / "figures" / "figures.json").read_text())}
    assert "what_got_in" in drawn
    assert {"what_got_in.png", "what_got_in.svg"} == set(drawn["what_got_in"]["files"])
    assert (swept / "figures" / "what_got_in.svg").stat().st_size > 10_000
    assert 'id="what_got_in"' in text


def test_a_sweep_without_the_issue_space_has_no_such_section(swept: Path) -> None:
    runs = pd.read_parquet(swept / "runs.parquet")
    plain = runs.drop(columns=[c for c in runs if c.startswith("outcome_transfer_")])
    assert not agenda.has_issue_space(plain) and agenda.has_issue_space(runs)
    summary = pd.DataFrame({"point": [0, 1], "estimate": [1.0, 2.0]})
    assert agenda.with_what_got_in(summary, plain).equals(summary)
