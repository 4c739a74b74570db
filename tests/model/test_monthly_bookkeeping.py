"""The month's bookkeeping on cheaper paths gives, bit for bit, what its array definition gives.

Speed work (issue 22) replaced some array calls of the month outside advocacy: shares compared
with thresholds became whole-number comparisons with each side's threshold count, short row sums
became column additions, the ripeness draw of a few states runs on Python floats, and the behaviour
rules are assembled from per-state parts. Each test compares a path with its definition (the
arrays as before) on many cases, including the edges where floating point could tell them apart.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from tracktwo.model.agents import AGENT_CLASSES
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import make_params
from tracktwo.model.ripeness import RipenessDrivers, RipenessProcess, hazard_terms, opening_hazard, opening_hazards
from tracktwo.model.transfer import holders_needed

EVERY_FEATURE = {  # benchmarks/compare.py's every-feature run, in short: three sides, per-side ripeness, rivals
    "sides": 3,
    "evaluation.record": True,
    "rivals.track_one_rate": 0.2,
    "rivals.outside_rate": 0.2,
    "ripeness.scope": "per_side",
    "steps": 40,
}


def _needed(members: int, threshold: float) -> int:
    """The fewest holders whose share reaches the threshold, found by the shares themselves (numpy's)."""
    shares = np.arange(members + 1) / np.array([members])
    reached = np.flatnonzero(shares >= threshold)
    return int(reached[0]) if reached.size else members + 1


@pytest.mark.parametrize("threshold", [0.0, 0.1, 0.2, 0.3, 1 / 3, 0.5, 0.6, 0.7, 2 / 3, 0.9, 1.0, 1.2])
def test_threshold_counts_reach_the_threshold_exactly_where_the_shares_do(threshold: float) -> None:
    """Whole-number comparisons (tracks.py, transfer.py) agree with h / members >= threshold for every h."""
    model = TrackTwoModel(make_params({"steps": 2}), 0)
    uptake = model.programme.uptake
    uptake.threshold = threshold
    for members in range(1, 120):
        staffed, needed = uptake._staffed(np.array([members, 0, members + 1]))
        assert staffed.tolist() == [True, False, True]
        assert needed.ravel().tolist() == [_needed(members, threshold), _needed(members + 1, threshold)]
        holders = np.arange(members + 1)
        assert ((holders >= needed[0]) == (holders / members >= threshold)).all()


@pytest.mark.parametrize("threshold", [0.0, 1e-9, 0.1, 0.3, 1 / 3, 0.7, 1 - 1e-12, 1.0, 1.5])
def test_holders_needed_for_large_groups_is_where_the_shares_reach_the_threshold(threshold: float) -> None:
    """Found from near threshold x members (no scan from 0): right for groups of a 100,000-actor model too."""
    for members in (1, 7, 1_000, 9_999, 50_000, 99_991):
        needed = holders_needed(members, threshold)
        assert needed == _needed(members, threshold)
        if needed <= members:
            assert needed / members >= threshold and (needed == 0 or (needed - 1) / members < threshold)
    with pytest.raises(ValueError, match="members"):
        holders_needed(0, 0.5)


def test_the_transfer_checks_threshold_counts_match_the_officials_shares() -> None:
    for seed, overrides in enumerate([{}, {"sides": 3}, {"transfer.threshold": 1 / 3}, {"transfer.threshold": 0.75}]):
        model = TrackTwoModel(make_params({"steps": 2, **overrides}), seed)
        entry = model.transfer
        needed = entry._holders_needed.ravel().tolist()
        for officials, count in zip(entry.officials_per_side.tolist(), needed, strict=True):
            assert count == _needed(int(officials), entry.threshold)


@pytest.mark.parametrize("sides", [2, 3, 4, 7, 8, 9])
def test_cross_side_trust_by_columns_equals_the_row_sums(sides: int) -> None:
    """Under 8 sides the columns added in order are numpy's row sums, bit for bit (and from 8 on it uses them)."""
    model = TrackTwoModel(make_params({"sides": sides, "steps": 2}), 3)
    rng = np.random.default_rng(sides)
    for trust in (
        model.trust,
        rng.random(model.trust.shape) * rng.random(),
        np.asfortranarray(rng.random(model.trust.shape)),
    ):
        own = trust[np.arange(model.n_actors), model.side]
        expected = (np.add.reduce(trust, axis=1) - own) / (sides - 1)
        assert model.cross_side_trust(trust).tobytes() == expected.tobytes()


def _advance_by_arrays(process: RipenessProcess, draws: np.ndarray, drivers: list[RipenessDrivers]) -> tuple:
    """RipenessProcess.advance's endogenous step as array operations (its definition before the Python path)."""
    was_ripe = process.states
    hazards = np.array([opening_hazard(process.config, d) for d in drivers])
    opening = -np.expm1(-hazards)
    states = np.where(was_ripe, draws >= 1.0 / process.config.mean_window_length, draws < opening)
    return float(hazards.mean()), states, states & ~was_ripe


def _opening_hazard_by_attributes(config, drivers: RipenessDrivers) -> float:
    """The replaced opening_hazard: the same terms, read from the drivers' attributes, added in order."""
    advocates = 1.0 - math.exp(-drivers.credible_advocates / config.advocate_scale)
    return (
        config.baseline_hazard
        + config.exposure_weight * drivers.official_exposure
        + config.advocate_weight * advocates
        + config.public_weight * drivers.public_support
    )


def test_opening_hazards_from_the_model_rows_are_the_attribute_codes() -> None:
    """Each state's hazard from a row (the credible advocates a whole float, as the kernel gives them) or a
    RipenessDrivers is the replaced code's, bit for bit; and so are hazard_terms' terms, summed in order."""
    rng = np.random.default_rng(2218)
    for case in range(300):
        overrides = {"ripeness.advocate_scale": float(rng.uniform(0.5, 40)), "ripeness.exposure_weight": rng.random()}
        config = make_params(overrides).ripeness
        drivers = [
            RipenessDrivers(float(rng.random()), int(rng.integers(0, 500)), float(rng.random()))
            for _ in range(int(rng.integers(1, 5)))
        ]
        expected = [_opening_hazard_by_attributes(config, d) for d in drivers]
        rows = [[d.official_exposure, float(d.credible_advocates), d.public_support] for d in drivers]
        assert opening_hazards(config, rows) == expected == opening_hazards(config, drivers), case
        for d, hazard in zip(drivers, expected, strict=True):
            total = 0.0
            for term in hazard_terms(config, d).values():
                total += term
            assert total == hazard == opening_hazard(config, d), case


@pytest.mark.parametrize("states", [1, 2, 3, 5, 7, 8, 9])
def test_the_ripeness_draw_on_python_floats_equals_the_array_draw(states: int) -> None:
    rng = np.random.default_rng(states)
    config = make_params({"ripeness.mode": "endogenous", "ripeness.baseline_hazard": 0.05}).ripeness
    process = RipenessProcess(config, states)
    for step in range(1, 400):
        drivers = [
            RipenessDrivers(float(rng.random()), int(rng.integers(0, 30)), float(rng.random())) for _ in range(states)
        ]
        draws = rng.random(states) ** 3  # often below the opening chance
        before = process.windows_opened
        hazard, expected, opened_expected = _advance_by_arrays(process, draws, drivers)
        opened = process.advance(draws, step, drivers)
        assert process.hazard == hazard
        assert process.states.tolist() == expected.tolist()
        assert opened.tolist() == opened_expected.tolist()
        assert process.windows_opened - before == int(opened_expected.sum())


def test_behaviour_rules_assembled_by_state_equal_the_rules_cell_by_cell() -> None:
    model = TrackTwoModel(make_params(copy.deepcopy(EVERY_FEATURE)), 5)
    n_states = model.ripeness.states.size
    for code in range(2 ** (n_states + 1)):
        states = np.array([bool(code >> s & 1) for s in range(n_states)])
        wary = bool(code >> n_states & 1)
        aversion, forgetting = np.zeros(model.n_actors), np.zeros(model.n_actors)
        for (behaviour, state), index in model._rule_cells.items():  # the rules' definition, cell by cell
            cls = AGENT_CLASSES[behaviour]
            aversion[index] = cls.novelty_aversion(model.params, model.autonomy[index], bool(states[state]), wary)
            forgetting[index] = cls.forgetting_rate(model.params, bool(states[state]))
        model.ripeness.states = states
        model.wary_until = model.steps if wary else -1
        model._rules_for = None
        model._apply_behaviour_rules()
        assert model.aversion.tobytes() == aversion.tobytes()
        assert model.forgetting.tobytes() == forgetting.tobytes()


@pytest.mark.parametrize("sides", [2, 3, 5, 7])
def test_the_ripeness_draws_as_python_floats_are_the_keyed_uniforms(sides: int) -> None:
    """The per-state ripeness uniforms as Python floats (Python ints for a few states) are the array pass's numbers."""
    model = TrackTwoModel(make_params({"sides": sides, "ripeness.scope": "per_side", "steps": 2}), sides)
    for step in (1, 2, 17, 119, 10_000):
        expected = model.randomness.uniforms("ripeness", step, np.arange(16))[:sides]  # 16 ids: the array pass
        assert model.randomness.uniform_rows("ripeness", step, 1, sides) == [expected.tolist()]


def test_advance_from_python_floats_equals_advance_from_arrays() -> None:
    """Python-float draws (the model's) and array draws move the states alike, ripe or not, staged or not."""
    rng = np.random.default_rng(11)
    config = make_params({"ripeness.mode": "endogenous", "ripeness.baseline_hazard": 0.2}).ripeness
    by_list, by_array = RipenessProcess(config, 3), RipenessProcess(config, 3)
    for step in range(1, 600):
        if step in (50, 300):
            by_list.stage(step, 5)
            by_array.stage(step, 5)
        drivers = [RipenessDrivers(float(rng.random()), int(rng.integers(0, 5)), float(rng.random())) for _ in range(3)]
        draws = rng.random(3) ** 2
        opened_list = by_list.advance(draws.tolist(), step, drivers)
        opened_array = by_array.advance(draws, step, drivers)
        assert opened_list.tolist() == opened_array.tolist()
        assert by_list.states.tolist() == by_array.states.tolist()
        assert (by_list.hazard, by_list.windows_opened) == (by_array.hazard, by_array.windows_opened)


@pytest.mark.parametrize("sides", [1, 2, 3, 4, 7, 8, 9])
def test_mean_cross_side_trust_equals_the_mean_of_each_actors_trust(sides: int) -> None:
    """The time series' mean trust (columns added in place, no division by 1) is the mean of cross_side_trust."""
    model = TrackTwoModel(make_params({"sides": sides, "steps": 2}), 4)
    rng = np.random.default_rng(sides)
    for trust in (model.trust.copy(), rng.random(model.trust.shape) * rng.random(), rng.random(model.trust.shape)):
        model.trust = trust
        expected = model.cross_side_trust()
        mean = model.mean_cross_side_trust()
        if sides == 1:
            assert np.isnan(mean)
        else:
            assert mean == float(np.add.reduce(expected) / expected.size)
    model.trust = np.asfortranarray(model.trust)  # any layout: the general path
    expected = model.cross_side_trust()
    assert sides == 1 or model.mean_cross_side_trust() == float(np.add.reduce(expected) / expected.size)


def _forget_by_uniforms(draws, held: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """forget's definition: every held (actor, idea) cell whose keyed uniform falls below its actor's rate."""
    ideas, actors = held.T.nonzero()
    dropped = draws.uniforms("forgetting", actors, ideas) < rate[actors]
    return actors[dropped], ideas[dropped]


def _forgotten_by_the_store(model: TrackTwoModel, draws, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the model's store drops (IdeaStore.forget, on a copy) at these rates, as (actors, ideas) idea by idea."""
    from tracktwo.model.diffusion import forget_thresholds

    store = copy.deepcopy(model.ideas)
    held = store.held.copy()
    store.forget(draws.forgetting_keys(), forget_thresholds(rate))
    assert store.held_count.tolist() == store.held.sum(axis=1).tolist()  # the counts follow the drops
    ideas, actors = (held & ~store.held).T.nonzero()
    return actors, ideas


@pytest.mark.parametrize("config", [{}, EVERY_FEATURE])
def test_forgetting_by_integer_thresholds_drops_what_the_uniforms_drop(config: dict) -> None:
    """The model's forgetting (integer thresholds) drops exactly the cells the uniforms do."""
    from tracktwo.model.diffusion import forget, forget_thresholds

    model = TrackTwoModel(make_params(copy.deepcopy(config)), 2)
    rng = np.random.default_rng(5)
    for _ in range(30):
        model.step()
    held = model.ideas.held
    for trial in range(40):
        rate = rng.choice([0.0, 0.01, 0.03, 0.5, 1.0, rng.random()], size=model.n_actors)
        if trial % 4 == 0:
            rate[:] = 0.0
        draws = model._step_draws(model.steps + trial)
        expected = _forget_by_uniforms(draws, held, rate)
        thresholds = forget_thresholds(rate)
        for got in (
            forget(draws, held, rate),
            forget(draws, held, rate, thresholds),
            _forgotten_by_the_store(model, draws, rate),
        ):
            assert [a.tolist() for a in got] == [a.tolist() for a in expected]
    assert int(forget_thresholds(np.array([1.0]))[0]) == 2**53  # a rate of 1: every uniform (below 1) is under it
    draws = model._step_draws(model.steps)
    ideas, actors = held.T.nonzero()
    uniforms = draws.uniforms("forgetting", actors, ideas)
    for rate_of_all in (uniforms[0], np.nextafter(uniforms[0], 1.0), np.nextafter(uniforms[0], 0.0)):  # the edges
        rate = np.full(model.n_actors, rate_of_all)
        expected = _forget_by_uniforms(draws, held, rate)
        assert [a.tolist() for a in forget(draws, held, rate)] == [a.tolist() for a in expected]
        assert [a.tolist() for a in _forgotten_by_the_store(model, draws, rate)] == [a.tolist() for a in expected]
    # in the run, the rules' kept thresholds are the rates' own
    assert model._forget_thresholds.tolist() == forget_thresholds(model.forgetting).tolist()


def _drivers_by_arrays(model: TrackTwoModel) -> list[tuple[float, int, float]]:
    """The ripeness drivers' definition on whole arrays: per Track One state, the share of its officials holding a
    programme idea, its credible advocates holding one, and the share of its grassroots outside the rooms holding one.
    """
    ideas = model.ideas
    programme = ideas.origin[: ideas.count] < 2  # seeded or born in a meeting (not a rival idea)
    holding = ideas.holds[:, : ideas.count][:, programme].any(axis=1)
    credible = holding & ~model.weighs_standing & (model.standing >= model.params.ripeness.credible_standing)
    states = model.ripeness.states.size
    state = model.ripeness_of if states > 1 else np.zeros(model.n_actors, dtype=int)
    public = (model.behaviour == "grassroots") & ~model.series.participated
    drivers = []
    for s in range(states):
        officials = (model.behaviour == "official") & (state == s)
        grassroots = public & (state == s)
        exposure = holding[officials].sum() / officials.sum() if officials.any() else 0.0
        support = holding[grassroots].sum() / grassroots.sum() if grassroots.any() else 0.0
        drivers.append((float(exposure), int(credible[state == s].sum()), float(support)))
    return drivers


def _whole_advocates(rows: list[list[float]]) -> list[tuple[float, int, float]]:
    """The model's driver rows with the credible advocates, a whole float, as the int it is."""
    assert all(credible == int(credible) for _, credible, _ in rows)
    return [(exposure, int(credible), public) for exposure, credible, public in rows]


GRASSROOTS_IN_ROOMS = {"workshops.mix": {"autonomous": 0.5, "grassroots": 0.5}}


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"sides": 3, "ripeness.scope": "per_side"},
        EVERY_FEATURE,
        GRASSROOTS_IN_ROOMS,
        {**GRASSROOTS_IN_ROOMS, "sides": 3, "ripeness.scope": "per_side"},
        {**EVERY_FEATURE, "ripeness.scope": "shared"},  # rival ideas' one count, with one Track One
        {**GRASSROOTS_IN_ROOMS, "rivals.track_one_rate": 0.3, "rivals.outside_rate": 0.3},  # ... and with some inside
    ],
)
def test_ripeness_drivers_equal_their_array_definition(config: dict) -> None:
    """Kept counts, the credible standing kept by bytes and the flat group sizes give the drivers' definition."""
    model = TrackTwoModel(make_params(copy.deepcopy(config)), 3)
    inside = 0
    for step in range(36):
        model.step()
        got = _whole_advocates(model.ripeness_drivers())
        assert got == _drivers_by_arrays(model)
        inside += np.count_nonzero(model._grassroots_inside()[0])
        if step % 7 == 3:  # standing changed outside a meeting: the kept credible mask follows it
            model.standing[: model.n_actors // 2] = 1.0 - model.standing[: model.n_actors // 2]
            got = _whole_advocates(model.ripeness_drivers())
            assert got == _drivers_by_arrays(model)
    assert (inside > 0) == ("workshops.mix" in config)  # both ways: grassroots inside the rooms or none
