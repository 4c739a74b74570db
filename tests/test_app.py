"""The trainer's app without a browser: settings, presets, the staged ripe moment, the drawings, the command."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from app import drawing
from app.presets import PRESETS, PRESETS_BY_NAME, active_preset
from app.runs import MODE_CHOICES, POLICY_CHOICES, RIPENESS_CHOICES, Settings, TrainerModel
from experiments import app_command
from model import ConfigError, make_params


def test_default_settings_are_the_models_defaults():
    defaults = make_params()
    assert Settings.default().params() == defaults


@pytest.mark.parametrize("autonomous, grassroots", [(0.0, 0.0), (0.35, 0.0), (1.0, 0.0), (0.5, 0.15), (0.7, 0.6)])
def test_mix_gives_grassroots_their_share_and_splits_the_rest(autonomous, grassroots):
    mix = Settings(autonomous_share=autonomous, grassroots_share=grassroots).params().workshops.mix
    assert sum(mix.values()) == pytest.approx(1.0)
    assert mix.get("grassroots", 0.0) == pytest.approx(grassroots)
    assert mix.get("autonomous", 0.0) == pytest.approx((1 - grassroots) * autonomous)
    assert mix.get("elite", 0.0) == pytest.approx((1 - grassroots) * (1 - autonomous))


def test_every_choice_maps_to_valid_parameters():
    for mode in MODE_CHOICES:
        assert Settings(mode=mode).params().mode == mode
    for policy in POLICY_CHOICES:
        assert (
            Settings(facilitator_policy=policy, funder_conditionality=0.5).params().workshops.facilitator_policy
            == policy
        )
    modes = {
        choice: Settings(ripeness=choice, window_start=5, window_months=10).params().ripeness
        for choice in RIPENESS_CHOICES
    }
    assert modes["endogenous"].mode == "endogenous"
    assert modes["never"].mode == "off"
    assert modes["staged"].mode == "fixed" and [tuple(w) for w in modes["staged"].windows] == [(5, 15)]


def test_bad_settings_get_the_models_message():
    with pytest.raises(ConfigError, match=r"workshops\.size"):
        Settings(size=1).params()
    with pytest.raises(ConfigError, match="seed"):
        Settings(seed="seven").params()  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="ripeness"):
        Settings(ripeness="sometimes").params()


def test_presets_are_valid_distinct_explained_and_keep_the_seed():
    current = Settings.default().replace(seed=42)
    applied = [preset.apply(current) for preset in PRESETS]
    assert [p.name for p in PRESETS] == [
        "The usual suspects",
        "Autonomous thinkers",
        "A balanced mix",
        "Backchannel",
        "A ripe moment",
    ]
    assert len(set(applied)) == len(PRESETS)
    for preset, settings in zip(PRESETS, applied, strict=True):
        settings.params()
        assert settings.seed == 42
        assert len(preset.explanation.split()) > 40, f"{preset.name}: explain what to watch for"
        assert active_preset(settings) is preset
    assert PRESETS_BY_NAME["The usual suspects"].apply(current).params().workshops.mix == {"elite": 1.0}
    assert PRESETS_BY_NAME["Backchannel"].apply(current).params().mode == "backchannel"
    assert PRESETS_BY_NAME["A ripe moment"].apply(current).params().ripeness.mode == "fixed"
    assert active_preset(current.replace(size=31)) is None


def test_staging_a_ripe_moment_holds_track_one_ripe_for_that_long():
    model = TrainerModel(Settings.default().replace(ripeness="never", seed=3))
    for _ in range(5):
        model.step()
    assert not model.ripe and model.ripeness.windows_opened == 0
    model.stage_ripe_moment(6)
    assert model.ripe and model.ripeness.windows_opened == 1
    for _ in range(6):
        model.step()
    assert model.ripe_history[5:11] == [True] * 6
    assert not model.ripe, "the window closes when the staged months are over (ripeness is off here)"
    assert model.ripeness.windows_opened == 1


def test_same_settings_same_run():
    first, second = (TrainerModel(Settings.default().replace(seed=11)) for _ in range(2))
    for _ in range(24):
        first.step()
        second.step()
    assert first.datacollector.get_model_vars_dataframe().equals(second.datacollector.get_model_vars_dataframe())


def test_network_layout_is_computed_once_per_network_and_separates_the_sides():
    model = TrainerModel(Settings.default().replace(seed=5))
    layout = drawing.network_layout(model)
    assert drawing.network_layout(TrainerModel(Settings.default().replace(seed=5))) is layout
    assert layout.shape == (model.n_actors, 2) and np.isfinite(layout).all()
    side_a, side_b = (layout[model.side == s, 0] for s in (0, 1))
    assert side_a.max() < side_b.min()
    officials, grassroots = (layout[model.members[b], 1] for b in ("official", "grassroots"))
    assert officials.min() > grassroots.max(), "Track One is drawn above Track Three"


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_view_draws_for_every_preset(preset):
    model = TrainerModel(preset.apply(Settings.default()))
    for _ in range(20):
        model.step()
    for draw in (drawing.draw_network, drawing.draw_ideas_by_track, drawing.draw_novelty, drawing.draw_trust):
        image = drawing.png(draw(model))
        assert image.startswith(b"\x89PNG") and len(image) > 10_000
    status = drawing.track_one_status(model)
    assert status.month == 20 and status.transferred <= status.generated
    comparison = drawing.draw_comparison([model, model], ["A", "B"])
    assert drawing.png(comparison).startswith(b"\x89PNG")


def test_leading_idea_is_the_most_held_and_none_before_any_idea():
    model = TrainerModel(Settings.default())
    assert drawing.leading_idea(model) is None
    while model.ideas.count == 0 and model.running:
        model.step()
    idea = drawing.leading_idea(model)
    assert idea is not None
    counts = model.ideas.held.sum(axis=0)
    assert counts[idea] == counts.max()


def test_app_command_serves_the_app_module_locally_without_network_calls():
    command = app_command.solara_command(8123)
    assert command[1:3] == ["run", "app.app"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command[command.index("--port") + 1] == "8123"
    assert {"--no-open", "--production", "--no-check-version"} <= set(command)
    assert app_command.OFFLINE_ENVIRONMENT["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    for bad in ("0", "70000", "http"):
        with pytest.raises(argparse.ArgumentTypeError):
            app_command.port_number(bad)
