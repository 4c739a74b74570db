"""Programmes as schedules of events: old configs run as before; new features at neutral values change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tracktwo.model import ConfigError, make_params, simulate

FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from regenerate_main_series import CONFIGS, SEEDS, STEPS  # noqa: E402

NEUTRAL_SEEDS = (20600, 20601, 20602)

# every new feature spelled out at its neutral value
NEUTRAL = {
    "programme.events": [{"format": "workshop", "step": 3, "count": 20, "interval": 4}],
    "programme.third_party": {"type": "scholar_practitioner", "facilitation": "outside", "decline_below": 0.0},
    "initiatives": [],
    "voice.weights": {"kind_elite": 1.0, "kind_autonomous": 1.0},
    "kinds.elite.proscribed": 0.0,
    "competition.coordination": "none",
}


FIXED_POSITIONS = {"issues.adoption_pull": 0.0, "issues.framing_pull": 0.0}  # Part V neutral (docs/ODD.md 7.11)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_old_configs_give_main_s_time_series(name: str) -> None:
    """The fixture was generated from the model before the new features (fixtures/regenerate_main_series.py).

    Official positions that move (issue 26) change results by design: with them fixed, nothing else changed.
    """
    expected = pd.read_csv(FIXTURES / "main_series.csv")
    for seed in SEEDS:
        want = expected[(expected.config == name) & (expected.seed == seed)].drop(columns=["config", "seed"])
        got = simulate({**CONFIGS[name], **FIXED_POSITIONS, "steps": STEPS}, seed).timeseries[want.columns]
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize("seed", NEUTRAL_SEEDS)
def test_every_new_feature_at_its_neutral_value_changes_nothing(seed: int) -> None:
    plain = simulate({}, seed)
    spelled = simulate(NEUTRAL, seed)
    pd.testing.assert_frame_equal(plain.timeseries, spelled.timeseries)
    assert plain.outcomes == pytest.approx(spelled.outcomes, nan_ok=True)


def test_a_schedule_holds_its_events_at_their_steps() -> None:
    events = [
        {"format": "training", "step": 2, "count": 2, "interval": 3},
        {"format": "workshop", "step": 10, "count": 3, "interval": 5},
        {"format": "exposure_trip", "step": 12},
        {"format": "knowledge_product", "step": 30},
    ]
    result = simulate({"steps": 40, "programme.events": events}, 3)
    log = result.events
    assert log.step.tolist() == [2, 5, 10, 12, 15, 20, 30]
    assert log.format.tolist() == [
        "training",
        "training",
        "workshop",
        "exposure_trip",
        "workshop",
        "workshop",
        "knowledge_product",
    ]
    assert result.workshops.step.tolist() == [2, 5, 10, 15, 20]
    assert result.outcomes["trainings_held"] == 2 and result.outcomes["knowledge_products"] == 1


def test_refusing_conditions_funds_a_share_of_the_schedule() -> None:
    events = [{"format": "workshop", "step": 3, "count": 10, "interval": 2}]
    overrides = {
        "programme.events": events,
        "workshops.funder_conditionality": 1.0,
        "workshops.refusal_budget_loss": 0.5,
    }
    assert simulate(overrides, 1).outcomes["workshops_held"] == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"programme.events": [{"format": "lecture", "step": 3}]}, "programme.events.0.format"),
        ({"programme.events": [{"format": "workshop", "step": 0}]}, "programme.events.0.step"),
        ({"programme.events": [{"format": "workshop", "step": 2, "mix": {"bishops": 1.0}}]}, "unknown kind"),
        ({"programme.third_party.type": "spy"}, "programme.third_party.type"),
        ({"initiatives": [{"name": "B", "workshops": {"size": 1}}]}, "initiatives.0.workshops: size"),
        ({"voice.weights": {"kind_elite": 1.5}}, "voice.weights"),
        ({"kinds.elite.proscribed": 2}, "kinds.elite.proscribed"),
    ],
)
def test_bad_programme_input_gets_one_line(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")) as error:
        make_params(overrides)
    assert "\n" not in str(error.value)


def test_an_unknown_voice_group_names_the_groups() -> None:
    with pytest.raises(ConfigError, match=r"voice\.weights: unknown group 'kind_women'"):
        simulate({"voice.weights": {"kind_women": 0.5}, "steps": 2}, 0)


def test_events_table_reports_state_after_each_event() -> None:
    result = simulate(
        {"steps": 30, "programme.events": [{"format": "workshop", "step": 2, "count": 5, "interval": 5}]}, 2
    )
    assert np.all(np.diff(result.events.ideas_transferred) >= 0)
    assert set(result.events.columns) >= {
        "reputation",
        "local_agreements",
        "mean_cross_side_trust",
        "reach_track_three",
    }
