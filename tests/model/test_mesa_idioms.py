"""TrackTwoModel as a Mesa researcher uses it: keyword parameters, rng, batch_run, reporters, agents."""

from __future__ import annotations

import inspect
import pickle

import mesa
import numpy as np
import pandas as pd
import pytest
from tracktwo.model import ConfigError, KeyedDrawsOnly, TrackTwoModel, make_params, simulate

import tracktwo


def _series(model: TrackTwoModel) -> pd.DataFrame:
    model.run()
    return model.timeseries()


def test_nested_keywords_are_the_dotted_parameters():
    model = TrackTwoModel(rng=3, steps=8, workshops__size=8, workshops__mix={"elite": 0.25, "autonomous": 0.75})
    assert (model.params.steps, model.params.workshops.size) == (8, 8)
    assert model.params.workshops.mix == {"elite": 0.25, "autonomous": 0.75}
    same = TrackTwoModel(
        {"steps": 8, "workshops.size": 8, "workshops.mix": {"elite": 0.25, "autonomous": 0.75}}, seed=3
    )
    assert model.seed == same.seed == 3
    pd.testing.assert_frame_equal(_series(model), _series(same))


def test_keywords_override_params_given_as_a_mapping_or_as_params():
    base = {"steps": 6, "workshops.size": 10}
    assert TrackTwoModel(base, seed=1, workshops__size=14).params.workshops.size == 14
    params = make_params(base)
    model = TrackTwoModel(params, seed=1, workshops__interval=2)
    assert (model.params.workshops.size, model.params.workshops.interval, model.params.steps) == (10, 2, 6)
    assert params.workshops.interval == 4, "the given Params object is left as it was"


@pytest.mark.parametrize(
    ("keywords", "named"),
    [({"workshops__size": 1}, "workshops.size"), ({"workshop__size": 8}, "workshop"), ({"rng": -1}, "rng")],
)
def test_bad_keywords_get_one_line_naming_the_field(keywords, named):
    with pytest.raises(ConfigError, match=named) as caught:
        TrackTwoModel(**keywords)
    assert "\n" not in str(caught.value)


def test_rng_and_seed_together_are_refused():
    with pytest.raises(ConfigError, match="rng and seed"):
        TrackTwoModel(seed=1, rng=1)


def test_no_seed_draws_a_fresh_one_recorded_on_the_model_and_in_the_result():
    seeds = {TrackTwoModel(steps=2).seed for _ in range(5)}
    assert len(seeds) == 5 and all(0 <= s < 2**63 for s in seeds)
    result = simulate({"steps": 12}, seed=None)
    again = simulate({"steps": 12}, seed=result.seed)
    assert result.seed == result.model.seed
    pd.testing.assert_frame_equal(result.timeseries, again.timeseries)


def test_a_numpy_generator_gives_a_reproducible_seed():
    first = TrackTwoModel(rng=np.random.default_rng(5), steps=2).seed
    assert first == TrackTwoModel(rng=np.random.default_rng(5), steps=2).seed
    assert first != TrackTwoModel(rng=np.random.default_rng(6), steps=2).seed


def test_the_model_stops_at_its_steps_and_a_later_step_does_nothing():
    model = TrackTwoModel(rng=2, steps=10)
    while model.running:
        model.step()
    assert model.steps == 10 and len(model.timeseries()) == 10
    before = model.outcomes()
    model.step()
    assert model.steps == 10 and len(model.timeseries()) == 10
    assert model.outcomes() == before


def _batch(parameters: dict, **options) -> pd.DataFrame:
    rows = mesa.batch_run(TrackTwoModel, parameters, number_processes=1, display_progress=False, **options)
    return pd.DataFrame(rows)


def test_batch_run_returns_one_row_per_run_with_the_outcomes():
    table = _batch({"workshops__size": [8, 12], "rng": [1, 2]}, max_steps=24)
    assert len(table) == 4
    assert {"impact", "ideas_transferred", "ideas_generated", "mean_candour"} <= set(table.columns)
    # batch_run steps while model.steps <= max_steps: 25 months; the row is the run's outcomes then
    for row in table.itertuples():
        model = TrackTwoModel(rng=row.rng, workshops__size=row.workshops__size, steps=25)
        model.run()
        assert row.impact == model.outcomes()["impact"]
        assert row.ideas_generated == model.outcomes()["ideas_generated"]
        assert row.mean_candour == model.outcomes()["mean_candour"]
    again = _batch({"workshops__size": [8, 12], "rng": [1, 2]}, max_steps=24)
    pd.testing.assert_frame_equal(table, again)
    runs = table.set_index(["workshops__size", "rng"])
    for size in (8, 12):
        one, two = runs.loc[(size, 1)], runs.loc[(size, 2)]
        assert (one.mean_cross_side_trust, one.opening_hazard) != (two.mean_cross_side_trust, two.opening_hazard)


def test_batch_run_iterations_without_rng_are_different_runs():
    # Mesa 3.3 spells two fresh-entropy runs iterations=2; Mesa 3.4+ deprecates it for rng=[None] * 2
    fresh = {"iterations": 2} if "rng" not in inspect.signature(mesa.batch_run).parameters else {"rng": [None] * 2}
    table = _batch({"workshops__size": [8]}, max_steps=12, **fresh)
    assert len(table) == 2
    first, second = table.iloc[0], table.iloc[1]
    assert (first.mean_cross_side_trust, first.opening_hazard) != (second.mean_cross_side_trust, second.opening_hazard)


def test_the_datacollector_reports_the_series_each_month_and_the_outcomes_at_the_last():
    model = TrackTwoModel(rng=4, steps=30)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 30
    pd.testing.assert_frame_equal(frame[model.timeseries().columns[1:]], model.timeseries().iloc[:, 1:])
    outcomes = model.outcomes()
    assert frame["impact"].iloc[-1] == outcomes["impact"]
    assert frame["mean_candour"].iloc[-1] == outcomes["mean_candour"]
    assert frame["impact"].iloc[:-1].isna().all(), "outcomes are the run's: earlier months are not filled in"
    assert frame["ideas_transferred"].iloc[-1] == outcomes["ideas_transferred"]  # no rival or seeded ideas here


def test_agent_reporters_read_each_actors_row_of_the_arrays():
    model = TrackTwoModel(rng=5, steps=20, agent_reporters=True)
    model.run()
    agents = model.datacollector.get_agent_vars_dataframe()
    assert list(agents.columns) == ["kind", "side", "standing", "trust", "ideas_held"]
    assert len(agents) == model.n_actors
    assert agents["kind"].tolist() == list(model.population.kinds)
    assert agents["side"].tolist() == model.side.tolist()
    assert np.array_equal(agents["standing"].to_numpy(), model.standing)
    assert np.allclose(agents["trust"].to_numpy(), model.cross_side_trust(), rtol=0, atol=1e-12)
    assert np.array_equal(agents["ideas_held"].to_numpy(), model.ideas.held_count)
    assert agents["ideas_held"].sum() > 0, "ideas spread in 20 months"


def test_batch_run_with_agent_reporters_gives_one_row_per_actor():
    table = _batch({"rng": [3], "agent_reporters": [True]}, max_steps=4)
    model = TrackTwoModel(rng=3, steps=5)
    assert len(table) == model.n_actors
    assert set(table["kind"]) == set(model.population.kinds)  # every kind with actors (middle_range has none)


def test_agents_are_made_only_when_asked_for_and_read_the_arrays():
    model = TrackTwoModel(rng=6, steps=15)
    model.run()
    assert len(model._all_agents) == 0, "a run that never asks for agents builds none"
    assert len(model.agents) == model.n_actors
    assert np.array_equal(np.array(model.agents.get("standing")), model.standing)
    assert model.agents.get("ideas_held") == model.ideas.held_count.tolist()
    assert {cls.__name__ for cls in model.agent_types} == {
        "Official",
        "InfluentialElite",
        "AutonomousThinker",
        "GrassrootsActor",
    }


@pytest.mark.parametrize(
    "draw",
    [
        lambda m: m.random.random(),
        lambda m: m.rng.random(),
        lambda m: m.rng.integers(3),
        lambda m: m.agents.shuffle(),
    ],
)
def test_mesas_own_streams_fail_loudly(draw):
    model = TrackTwoModel(rng=1, steps=2)
    with pytest.raises(KeyedDrawsOnly, match=r"model\.randomness"):
        draw(model)


def test_the_public_name_is_the_model_class():
    assert tracktwo.TrackTwoModel is TrackTwoModel


def test_a_model_with_disabled_streams_pickles_and_steps_on_alike():
    model = TrackTwoModel(rng=8, steps=24)
    for _ in range(12):
        model.step()
    copy = pickle.loads(pickle.dumps(model))
    model.run()
    copy.run()
    pd.testing.assert_frame_equal(model.timeseries(), copy.timeseries())
    with pytest.raises(KeyedDrawsOnly):
        copy.random.random()
