"""The month's and the build's cheaper paths give, bit for bit, what their full computation gives (issue 22).

Session 15 (`month3`): the issue space's framing pull from one product with kept weights, the kinds of a config
completed without deep copies, the network's drawn pair indices turned into ties for every block pair at once, the
grassroots inside the rooms kept by the meetings' count, ripeness read as Python bools and the month's ripeness
draws read from a table of the run's months. Each test
checks a path against the computation it replaces, as it stood before, over runs' months or random cases.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from test_monthly_bookkeeping import EVERY_FEATURE
from tracktwo.model import params as params_module
from tracktwo.model.ideas import ORIGINS
from tracktwo.model.issues import IssueSpace
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.network import _sample_pairs, stochastic_block_edges
from tracktwo.model.params import Params, make_params

CONFIGS = [
    {"steps": 60},
    EVERY_FEATURE,
    {"steps": 60, "issues.framing_pull": 0.3},  # past the held ideas' centre: the pull capped
    {"steps": 60, "sides": 3, "issues.start_positions": [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0.5, 0, 1]]},
]


def _framing_by_arrays(space: IssueSpace) -> tuple[bool, np.ndarray, np.ndarray]:
    """The framing step as the masked holdings' product and sums: (moved, position, influence) after it."""
    ideas = space.ideas
    n = ideas.count
    first = space._first_official_row  # the officials' (track, side) counters: one per side, contiguous
    holders = ideas.group_holders[first : first + space.n_sides, :n]
    still_open = ideas.entered_step[:n] < 0
    track_two = still_open & (ideas.origin[:n] == ORIGINS.index("workshop"))
    held = holders * np.array([still_open, track_two], dtype=float)[:, None, :]
    targets = held @ ideas.location[:n]
    totals = held.sum(axis=2)[:, :, None]
    factor = space._factor[None, :, None]
    if space.framing_pull * n > 1.0:
        pull = totals[0, :, 0] * factor[0, :, 0]
        factor = np.where(pull > 1.0, 1.0 / np.maximum(pull, 1e-300), 1.0)[None, :, None] * factor
    targets *= factor
    totals *= factor
    if not np.count_nonzero(totals[0]):
        return False, space.position.copy(), space.influence.copy()
    step = targets - totals * space.position
    return True, space.position + step[0], space.influence + np.abs(step[1])


@pytest.mark.parametrize("config", CONFIGS)
def test_the_framing_pull_from_kept_weights_equals_the_masked_holdings(config: dict, monkeypatch) -> None:
    """Every month's framing (kept or recomputed weights, entries, new ideas) moves positions as the arrays do."""
    framing = IssueSpace._framing
    checked = []

    def checking(space: IssueSpace, entered: bool) -> bool:
        expected = _framing_by_arrays(space)
        moved = framing(space, entered)
        assert moved == expected[0]
        assert space.position.tobytes() == expected[1].tobytes()
        assert space.influence.tobytes() == expected[2].tobytes()
        checked.append(moved)
        return moved

    monkeypatch.setattr(IssueSpace, "_framing", checking)
    model = TrackTwoModel(make_params(config), 3)
    model.run()
    assert len(checked) == model.params.steps and sum(checked) > model.params.steps // 2


KIND_OVERRIDES = [
    {},
    {"kinds": {"diaspora": {"behaviour": "elite", "count": 4, "autonomy": {"mean": 0.6}}}},
    {"kinds": {"elite": {"count": 5}, "clerics": {"behaviour": "middle_range", "trust": {"sd": 0.1}, "count": 3}}},
    {"kinds.official.count": 7, "kinds.traders": {"behaviour": "grassroots", "standing": {"mean": 0.2, "sd": 0.02}}},
]


@pytest.mark.parametrize("overrides", KIND_OVERRIDES)
def test_kinds_completed_without_copies_validate_as_the_deep_merge_does(overrides: dict) -> None:
    """make_params completes kinds by _overlay: the same Params as merge's deep copies, and the defaults untouched."""
    defaults = json.dumps(params_module._kinds_by_behaviour(), sort_keys=True)
    made = make_params(overrides)
    data = params_module.merge(params_module._defaults(), overrides)
    by_behaviour = params_module._kinds_by_behaviour()
    data["kinds"] = {
        name: params_module.merge(by_behaviour[spec["behaviour"]], spec) if "behaviour" in spec else spec
        for name, spec in data["kinds"].items()
        if spec is not None
    }
    assert made.model_dump() == Params.model_validate(copy.deepcopy(data)).model_dump()
    for kind in made.kinds.values():  # changing the made params leaves the shared defaults as they were
        kind.autonomy.mean = 0.99
    assert json.dumps(params_module._kinds_by_behaviour(), sort_keys=True) == defaults
    assert make_params(overrides).model_dump() == Params.model_validate(copy.deepcopy(data)).model_dump()


def _edges_pair_by_pair(rng: np.random.Generator, blocks: list[np.ndarray], probability: np.ndarray) -> tuple:
    """The block model's ties as drawn before: each block pair's indices turned into actors on their own."""
    sources, targets = [], []
    for x, a in enumerate(blocks):
        for y in range(x, len(blocks)):
            p = float(probability[x, y])
            if p <= 0:
                continue
            if x == y:
                n = a.size
                n_pairs = n * (n - 1) // 2
                index = _sample_pairs(rng, n_pairs, int(rng.binomial(n_pairs, p)))
                i = (n - 2 - np.floor(np.sqrt(-8.0 * index + 4.0 * n * (n - 1) - 7) / 2.0 - 0.5)).astype(np.int64)
                j = index + i + 1 - n * (n - 1) // 2 + (n - i) * ((n - i) - 1) // 2
                sources.append(a[i])
                targets.append(a[j])
            else:
                b = blocks[y]
                index = _sample_pairs(rng, a.size * b.size, int(rng.binomial(a.size * b.size, p)))
                sources.append(a[index // b.size])
                targets.append(b[index % b.size])
    u = np.concatenate(sources) if sources else np.empty(0, np.int64)
    v = np.concatenate(targets) if targets else np.empty(0, np.int64)
    return np.minimum(u, v), np.maximum(u, v)


def test_block_model_ties_from_every_pair_at_once_equal_the_ties_pair_by_pair() -> None:
    """The same ties in the same order (empty blocks, zero and full probabilities, one block) as pair by pair."""
    cases = np.random.default_rng(1515)
    for _ in range(400):
        count = int(cases.integers(1, 9))
        sizes = cases.integers(0, 40, count)
        blocks = np.split(cases.permutation(int(sizes.sum())), np.cumsum(sizes)[:-1])
        probability = cases.random((count, count)) * cases.choice([0.05, 0.5, 1.0])
        probability[cases.random((count, count)) < 0.2] = 0.0
        probability = np.minimum(probability, probability.T)
        if cases.random() < 0.1:
            probability[:] = 1.0
        seed = int(cases.integers(1 << 40))
        expected = _edges_pair_by_pair(np.random.default_rng(seed), blocks, probability)
        drawn = stochastic_block_edges(np.random.default_rng(seed), blocks, probability)
        for got, want in zip(drawn, expected, strict=True):
            assert got.dtype == want.dtype
            assert got.tolist() == want.tolist()


ROOMS_WITH_GRASSROOTS = [
    {"steps": 50, "workshops.mix": {"autonomous": 0.5, "grassroots": 0.5}},
    {  # a second initiative's meetings and an outreach format: taking part noted in the shared record
        "steps": 50,
        "workshops.mix": {"autonomous": 0.5, "grassroots": 0.5},
        "programme.events": [{"format": "workshop", "step": 3, "count": 4, "interval": 5}],
        "initiatives": [{"name": "second", "events": [{"format": "workshop", "step": 4, "count": 5, "interval": 7}]}],
    },
    {"steps": 50},
]


@pytest.mark.parametrize("config", ROOMS_WITH_GRASSROOTS)
def test_the_months_kept_counts_equal_their_array_definitions(config: dict) -> None:
    """Each month: the grassroots inside the rooms (kept by the meetings' count) and the ideas in circulation."""
    model = TrackTwoModel(make_params(config), 5)
    inside = 0
    for _ in range(model.params.steps):
        model.step()
        kept = np.flatnonzero(model._grassroots_inside()[0])  # the slots of grassroots inside: 1 + their side
        expected = np.flatnonzero(model.series.participated & (model.behaviour == "grassroots"))
        assert kept.tolist() == expected.tolist()
        assert (model._grassroots_inside()[0][kept] - 1).tolist() == model.side[kept].tolist()
        inside += kept.size
        held = model.ideas.holds[:, : model.ideas.count]
        assert model.snapshot["ideas_in_circulation"] == int(held.any(axis=0).sum())
    assert (inside > 0) == ("workshops.mix" in config)


def test_ripe_read_as_python_bools_is_every_state_ripe() -> None:
    """RipenessProcess.ripe (the states as Python bools) is the states' all(), for 1-9 states, and a Python bool."""
    process = TrackTwoModel(make_params({"steps": 2}), 0).ripeness
    cases = np.random.default_rng(15)
    for _ in range(200):
        process.states = cases.random(int(cases.integers(1, 10))) < 0.8
        assert process.ripe is bool(process.states.all())


@pytest.mark.parametrize("ids", [1, 2, 3, 5, 9])
def test_uniform_rows_are_each_numbers_keyed_uniforms(ids: int) -> None:
    """One pass over many numbers gives each number's uniforms (the Python-int path for a few ids, arrays beyond)."""
    randomness = TrackTwoModel(make_params({"steps": 2}), ids).randomness
    for first, count in ((0, 3), (2, 120), (119, 1), (10_000, 4), (2**40, 2)):
        rows = randomness.uniform_rows("ripeness", first, count, ids)
        assert len(rows) == count
        for number, row in enumerate(rows, start=first):
            assert row == randomness.uniforms("ripeness", number, np.arange(ids)).tolist()


@pytest.mark.parametrize(
    "config", [{"steps": 50}, {"steps": 30, "sides": 3, "ripeness.scope": "per_side"}, {"steps": 5, "sides": 6}]
)
def test_the_months_ripeness_draws_from_the_runs_table_are_each_months_uniforms(config: dict) -> None:
    """Every month's ripeness draws read from the run's table are that month's uniforms, also past a longer run."""
    model = TrackTwoModel(make_params(config), 7)
    states = model.ripeness.states.size
    for t in range(1, model.params.steps + 1):
        assert model._ripeness_draws(t + 1) == model.randomness.uniforms("ripeness", t + 1, np.arange(states)).tolist()
    model.params.steps += 3  # a longer run than the table was made for: a new table from there
    for t in range(model.params.steps - 3, model.params.steps + 1):
        assert model._ripeness_draws(t + 1) == model.randomness.uniforms("ripeness", t + 1, np.arange(states)).tolist()
