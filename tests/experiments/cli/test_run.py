"""The interfaces others rely on: model.simulate and `tracktwo run`."""

from __future__ import annotations

import importlib.metadata
import json
import math

import pandas as pd
from PIL import Image
from tracktwo.experiments.cli import main
from tracktwo.model import ROUTES, TIMESERIES_COLUMNS, simulate

OUTCOMES = [
    "ideas_generated",
    "ideas_transferred",
    "transfer_rate",
    "mean_novelty_generated",
    "mean_novelty_transferred",
    "impact",
    "time_to_first_transfer",
    "ripe_windows",
    "share_time_ripe",
    "transfers_in_ripe_windows",
    "trust_change",
    "cross_side_ties_created",
    "grassroots_reach",
    *(f"transfers_{route}" for route in ROUTES),
]


def test_simulate_returns_flat_outcomes_and_a_step_per_row():
    result = simulate({"steps": 48, "workshops.mix": {"elite": 0.3, "autonomous": 0.7}}, seed=2)
    assert set(OUTCOMES) <= set(result.outcomes)
    assert all(isinstance(v, int | float) for v in result.outcomes.values())
    assert list(result.timeseries.step) == list(range(1, 49))
    assert set(TIMESERIES_COLUMNS) <= set(result.timeseries.columns)
    routes = sum(result.outcomes[f"transfers_{route}"] for route in ROUTES)
    assert routes == result.outcomes["ideas_transferred"]
    assert result.outcomes["ideas_generated"] == int(result.timeseries.new_ideas.sum())
    assert result.outcomes["ideas_transferred"] == int(result.timeseries.new_transfers.sum())
    if result.outcomes["ideas_transferred"]:
        assert math.isclose(result.outcomes["impact"], result.ideas.novelty[result.ideas.entered_step >= 0].sum())
    adoptions = result.adoptions()
    assert {"idea", "actor", "step", "source"} <= set(adoptions.columns) and len(adoptions) > 0


def test_no_workshops_means_nothing_to_transfer():
    outcomes = simulate({"workshops.count": 0}, seed=1).outcomes
    assert outcomes["ideas_generated"] == 0 and outcomes["impact"] == 0 and math.isnan(outcomes["transfer_rate"])


def test_cli_run_writes_summary_timeseries_and_timeline(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["run", "--seed", "3", "--steps", "60", "--set", "workshops.size=10", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Ideas that entered Track One" in printed and "seed 3" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["params"]["workshops"]["size"] == 10 and summary["params"]["steps"] == 60
    assert (
        summary["outcomes"]["ideas_generated"]
        == simulate({"steps": 60, "workshops.size": 10}, 3).outcomes["ideas_generated"]
    )
    assert summary["versions"]["mesa"] == importlib.metadata.version("mesa")
    series = pd.read_csv(out / "timeseries.csv")
    assert len(series) == 60
    with Image.open(out / "timeline.png") as image:
        assert image.size[0] > 800
    assert (out / "timeline.svg").read_text().lstrip().startswith("<?xml")


def test_results_do_not_depend_on_the_order_keys_are_written_in():
    one = simulate({"workshops.mix": {"elite": 0.4, "autonomous": 0.6}, "steps": 36}, seed=5)
    other = simulate({"workshops.mix": {"autonomous": 0.6, "elite": 0.4}, "steps": 36}, seed=5)
    pd.testing.assert_frame_equal(one.timeseries, other.timeseries)


def test_run_summary_shows_the_issue_space_per_dimension():
    from tracktwo.experiments.cli.run import format_summary

    result = simulate({}, seed=3)
    text = format_summary(result.outcomes, 3, 0.1)
    assert "Track Two ideas adopted into Track One, by issue" in text
    assert "justice and social issues:" in text
    assert "Influence on the process, by side and issue" in text and "side 2 security:" in text
    assert set(result.ideas.issue) <= {
        "security",
        "political_arrangements",
        "economy_and_resources",
        "justice_and_social_issues",
    }
