"""The rival sources' month on its kernels gives, bit for bit, what the numpy code it replaced gives (issue 22, speed).

A month's holders read from its generator's raw words (kernels/rivals.py `drawn_holders`) are checked against
numpy's own draws (``integers`` and ``choice``) on many pools, sides and rates, a bounded draw from one 32-bit word
against numpy's (or refused where numpy draws again), and the einsum's distance against ``np.einsum``. A month's
ideas registered, placed and authored in one kernel call each are checked against the per-batch numpy code (kept
here as the reference) in whole runs, month by month, on configs that reach every branch; and a store with room
for the rival ideas from the start against one grown in the run.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_kept_holdings import EVERY_FEATURE
from tracktwo.model import model as model_module
from tracktwo.model import rivals as rivals_module
from tracktwo.model.kernels.rivals import _bounded, einsum_distance, quiet_months
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import Rivals, make_params
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.rivals import RivalMonth, RivalSources

NINE = [f"d{i}" for i in range(9)]  # more dimensions than the einsum's block of 8
CONFIGS = {
    "every_feature": EVERY_FEATURE,
    "busy_three_sides": {"sides": 3, "rivals.track_one_rate": 2.5, "rivals.outside_rate": 1.5},
    "one_side": {"sides": 1, "rivals.track_one_rate": 1.5, "rivals.outside_rate": 1.3},  # half words left over
    "track_one_only": {"sides": 2, "rivals.track_one_rate": 1.2},
    "outside_only_four_sides": {"sides": 4, "rivals.outside_rate": 1.1},
    "three_holders": {**EVERY_FEATURE, "rivals.holders": 3, "rivals.track_one_rate": 1.0},  # numpy's choice
    "one_holder": {"sides": 2, "rivals.holders": 1, "rivals.track_one_rate": 0.8, "rivals.outside_rate": 0.8},
    "starts_apart_nine_dimensions": {
        "sides": 3,
        "rivals.track_one_rate": 1.0,
        "rivals.outside_rate": 1.0,
        "issues.dimensions": NINE,
        "issues.start_positions": [[1.0] * 9, [-2.0, 0.5] + [0.0] * 7, [1.0] * 9],
    },
    "neutral": {
        "rivals.track_one_rate": 1.0,
        "rivals.outside_rate": 1.0,
        "issues.framing_pull": 0.0,
        "issues.adoption_pull": 0.0,
    },
    "officials_weighing_apart": {  # a Track One idea's holders' salience differs: its weights are their sum
        "kinds.envoy": {"behaviour": "official", "count": 6},
        "issues.salience.envoy": {"security": 0.05, "economy_and_resources": 0.9, "justice_and_social_issues": 0.05},
        "rivals.track_one_rate": 1.5,
    },
    "no_issue_space": {**EVERY_FEATURE, "issues.enabled": False},
    "forgetting": {**EVERY_FEATURE, "forgetting.rate": 0.25, "rivals.outside_rate": 1.0},
    "rates_of_ten": {"sides": 2, "rivals.track_one_rate": 10.0, "rivals.outside_rate": 0.5, "steps": 8},
}


def _numpy_month(sources: RivalSources, randomness: EventRandomness, step: int) -> list[tuple]:
    """The month's batches as the numpy code drew them: (origin, novelty, each idea's holders), rng.choice's."""
    c = sources.config
    rng = randomness.generator("rivals", step)
    batches = []
    for origin, rate, mean in (("track_one", c.track_one_rate, c.track_one_novelty),
                               ("outside", c.outside_rate, c.outside_novelty)):  # fmt: skip
        count = int(rng.poisson(rate)) if rate > 0 else 0
        if count == 0:
            continue
        novelty = rng.beta(mean * c.concentration, (1.0 - mean) * c.concentration, size=count)
        holders = []
        for _ in range(count):
            pool = (
                sources.by_side[int(rng.integers(len(sources.by_side)))] if origin == "track_one" else sources.officials
            )
            holders.append(np.sort(rng.choice(pool, min(c.holders, pool.size), replace=False)))
        batches.append((origin, novelty, holders))
    return batches


def _batches(month: RivalMonth | None) -> list[tuple]:
    """A RivalMonth as the numpy code's batches."""
    if month is None:
        return []
    holders = [month.holders[a:b] for a, b in zip(month.starts[:-1].tolist(), month.starts[1:].tolist(), strict=True)]
    parts = (("track_one", slice(0, month.own)), ("outside", slice(month.own, None)))
    return [(origin, month.novelty[part], holders[part]) for origin, part in parts if holders[part]]


def _same(ours: list[tuple], theirs: list[tuple]) -> bool:
    return [(o, n.tobytes(), [h.tolist() for h in hs]) for o, n, hs in ours] == [
        (o, n.tobytes(), [h.tolist() for h in hs]) for o, n, hs in theirs
    ]


def test_a_month_drawn_from_raw_words_is_numpys_draws() -> None:
    """Any sides (one: no side drawn, half words left over), pool sizes 3 to 10,000, rates: the same months."""
    cases = np.random.default_rng(2601)
    by_words = 0
    for case in range(120):
        sides = int(cases.integers(1, 6))
        sizes = cases.integers(3, 40 if case % 4 else 10_000 // sides + 1, size=sides)  # every official: 10,000 at most
        pools = np.split(cases.permutation(int(sizes.sum()) + 5)[: sizes.sum()], np.cumsum(sizes)[:-1])
        rates = [float(cases.choice([0.0, 0.3, 1.0, 3.0, 9.0])) for _ in range(2)]
        rates[case % 2] = max(rates[case % 2], 0.4)
        config = Rivals(track_one_rate=rates[0], outside_rate=rates[1], concentration=float(cases.uniform(2, 20)))
        sources = RivalSources(config, [np.sort(pool).astype(np.int64) for pool in pools], 60)
        by_words += sources._by_words
        randomness = EventRandomness(case)
        months = sources._months(randomness, 0, 60)
        for step in range(60):
            assert _same(_batches(months[step]), _numpy_month(sources, randomness, step)), (case, step)
            assert _same(_batches(sources.month(randomness, step)), _batches(months[step]))
    assert by_words == 120


@pytest.mark.parametrize("holders", [1, 2, 3])
def test_a_month_drawn_by_numpys_calls_is_numpys_draws(holders: int) -> None:
    """Pools of two (choice draws once) or more, and other holder counts: numpy's own calls, the same months."""
    config = Rivals(track_one_rate=1.5, outside_rate=1.0, holders=holders)
    sources = RivalSources(config, [np.arange(2), np.arange(2, 9), np.arange(9, 10)], 80)
    assert not sources._by_words
    randomness = EventRandomness(holders)
    for step in range(80):
        assert _same(_batches(sources.month(randomness, step)), _numpy_month(sources, randomness, step)), step


def test_a_month_whose_words_numpy_would_draw_again_is_drawn_by_numpys_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    config = Rivals(track_one_rate=1.0, outside_rate=1.0)
    sources = RivalSources(config, [np.arange(5), np.arange(5, 12)], 40)
    monkeypatch.setattr(rivals_module, "drawn_holders", lambda *args: np.empty(0, dtype=np.int64))  # each refused
    randomness = EventRandomness(4)
    months = [sources.month(randomness, step) for step in range(40)]
    assert sum(month is not None for month in months) > 20
    for step, month in enumerate(months):
        assert _same(_batches(month), _numpy_month(sources, randomness, step))


@pytest.mark.parametrize("rates", [(0.2, 0.2), (0.0, 0.7), (1.5, 0.0), (3.0, 9.5), (0.05, 10.0)])
def test_a_quiet_month_is_one_whose_generator_draws_no_rival_idea(rates: tuple[float, float]) -> None:
    config = Rivals(track_one_rate=rates[0], outside_rate=rates[1])
    sources = RivalSources(config, [np.arange(3), np.arange(3, 7)], 300)
    for seed in range(3):
        randomness = EventRandomness(seed)
        keys = randomness.step_prefixes(("rivals",), 0, 300)[:, 0]
        known = quiet_months(keys, sources._empty_below) if max(rates) < 10 else None
        months = sources._months(randomness, 0, 300)
        for step in range(300):
            rng = randomness.generator("rivals", step)  # the month's counts, as the numpy code drew them
            quiet = all(int(rng.poisson(rate)) == 0 for rate in rates if rate > 0)
            assert known is None or bool(known[step]) == quiet, (seed, step)
            assert (months[step] is None) == quiet, (seed, step)


def test_months_are_drawn_ahead_to_the_runs_end_and_one_at_a_time_past_it() -> None:
    sources = RivalSources(Rivals(track_one_rate=0.5, outside_rate=0.5), [np.arange(4), np.arange(4, 9)], 10)
    randomness = EventRandomness(1)
    assert [sources.month(randomness, step) is None for step in range(14)] == [
        month is None for month in sources._months(randomness, 0, 14)
    ]
    assert sources._ahead[1] == 13 and len(sources._ahead[2]) == 1  # month 13: past the run's 10, alone


@pytest.mark.parametrize("top", [1, 2, 40, 2**31, 2**31 + 5, 3 * 2**30, 2**32 - 2])  # some reject half the words
def test_a_bounded_draw_from_one_word_is_numpys_or_refused(top: int) -> None:
    """`_bounded` of each 32-bit draw (a word's low half, then its high half): numpy's, or -1 where it draws again."""
    refused = 0
    for case in range(2000):
        words = np.random.Generator(np.random.Philox(key=top + case)).bit_generator.random_raw(8)
        numpys = np.random.Generator(np.random.Philox(key=top + case))
        value = int(numpys.integers(0, top + 1))
        halves = words.view(np.uint32).tolist()  # (little-endian: each word's low half first)
        at = next(
            at for at in range(16) if _bounded(words[:3], words[3:], at, top) >= 0
        )  # numpy's rejections, then its draw
        assert _bounded(words[:3], words[3:], at, top) == value
        assert int(numpys.integers(0, 1 << 32, dtype=np.uint32)) == halves[at + 1]  # numpy took as many draws
        refused += at > 0
    assert refused > 300 if top in (2**31, 2**31 + 5, 3 * 2**30) else refused < 5


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 20),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
    st.sampled_from([1e-3, 1.0, 10.0, 1e6]),
)
def test_the_distance_is_numpys_einsum_bit_for_bit(dimensions: int, sides: int, seed: int, scale: float) -> None:
    """`einsum_distance`: np.sqrt(np.einsum("sid,sid->si")) of the differences, every lane layout and block."""
    rng = np.random.default_rng(seed)
    location = rng.normal(size=(3, dimensions)) * scale
    position = rng.normal(size=(sides, dimensions)) * rng.uniform(0, scale)
    position[0, : dimensions // 2] = location[1, : dimensions // 2]  # some differences 0
    for idea in range(3):
        difference = (location[idea] - position)[:, None, :]
        want = np.sqrt(np.einsum("sid,sid->si", difference, difference))[:, 0]
        got = [einsum_distance(location, idea, position, side) for side in range(sides)]
        assert np.array(got).tobytes() == want.tobytes()


def _place_rival(space, ids: np.ndarray, origin: str, holders: list[np.ndarray]) -> None:
    """IssueSpace.place_rival as it was: the numpy code placed_rivals replaced."""
    if origin != "track_one":
        space.place(ids, space.uniform, space.anchor(np.arange(space.n_sides)))
        return
    for idea, who in zip(ids.tolist(), holders, strict=True):
        side = int(space.side[who[0]]) if who.size else 0
        space.place(np.array([idea]), space._authors_salience(who, None), space.position[side])


def _numpy_rival_ideas(model: TrackTwoModel, t: int) -> None:
    """TrackTwoModel.rival_ideas as it was (batch by batch, numpy's draws), the author sides written row by row."""
    for origin, novelty, holders in _numpy_month(model.rivals, model.randomness, t) if model.rivals.active else []:
        first = model.ideas.count
        ids = model.ideas.create(np.asarray(novelty, dtype=float), t, -1, holders, origin=origin)
        if model.issues is not None:
            _place_rival(model.issues, ids, origin, holders)
        sides = np.zeros((model.ideas.count - first, model.n_sides), dtype=bool)
        for row, who in enumerate(holders):
            sides[row, model.side[who]] = True
        model._author_room()[first : model.ideas.count] = sides


_STORE = ("holds", "adopted_at", "first_adopted", "source", "novelty", "location", "origin_step", "origin_workshop",
          "origin", "key", "entered_step", "held_count", "group_holders", "group_reached",
          "group_adoptions")  # fmt: skip


def _state(model: TrackTwoModel) -> list:
    ideas, n = model.ideas, model.ideas.count
    state = [getattr(ideas, name).tobytes() for name in _STORE] + [ideas.count, ideas.dropped, ideas.generated]
    state += [column.tobytes() for column in ideas.adoption_log()]
    state += [model.author_sides[:n].tobytes(), bool(model.author_sides[n:].any()), model.trust.tobytes()]
    if model.issues is not None:
        space = model.issues
        state += [space.table[:, :n].tobytes(), space.dimension[:n].tobytes(), space.position.tobytes()]
    return state


@pytest.mark.parametrize("name", list(CONFIGS))
def test_runs_making_rival_ideas_on_the_kernels_equal_runs_on_the_numpy_code(name: str) -> None:
    """Right after each month's rival ideas, and after the month: the ideas' rows, holdings, counts, log, places, each
    side's novelty of each idea, author sides, trust.
    """
    config = {"steps": 48, **copy.deepcopy(CONFIGS[name])}
    ours, theirs = (TrackTwoModel(make_params(copy.deepcopy(config)), 7) for _ in range(2))
    made = {id(ours): [], id(theirs): []}

    def noted(model: TrackTwoModel, make) -> None:
        def rival_ideas(t: int) -> None:
            make(t)
            made[id(model)].append(_state(model))

        model.rival_ideas = rival_ideas

    noted(ours, ours.rival_ideas)
    noted(theirs, lambda t: _numpy_rival_ideas(theirs, t))
    for _ in range(config["steps"]):
        ours.step()
        theirs.step()
        assert made[id(ours)][-1] == made[id(theirs)][-1], ours.steps
        assert _state(ours) == _state(theirs), ours.steps
    rival = ours.ideas.origin[: ours.ideas.count] >= 2
    assert rival.sum() >= 10, "the config makes rival ideas"
    assert ours.datacollector.get_model_vars_dataframe().equals(theirs.datacollector.get_model_vars_dataframe())


def test_a_store_with_room_for_the_rival_ideas_runs_as_one_grown_in_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {**copy.deepcopy(EVERY_FEATURE), "steps": 60, "rivals.outside_rate": 0.6}
    roomy = TrackTwoModel(make_params(copy.deepcopy(config)), 3)
    monkeypatch.setattr(model_module, "rival_room", lambda rivals, steps: 0)
    grown = TrackTwoModel(make_params(copy.deepcopy(config)), 3)
    assert roomy.ideas.capacity > grown.ideas.capacity == 16
    roomy.run()
    grown.run()
    assert grown.ideas.capacity > 16
    n = roomy.ideas.count
    assert n == grown.ideas.count
    for name in _STORE:
        ours, theirs = getattr(roomy.ideas, name), getattr(grown.ideas, name)
        if ours.ndim and ours.shape[-1] == roomy.ideas.capacity and name != "held_count":
            ours, theirs = ours[..., :n], theirs[..., :n]  # (actors x ideas), (groups x ideas)
        elif ours.ndim and ours.shape[0] == roomy.ideas.capacity:
            ours, theirs = ours[:n], theirs[:n]
        assert ours.tobytes() == theirs.tobytes(), name
    assert roomy.datacollector.get_model_vars_dataframe().equals(grown.datacollector.get_model_vars_dataframe())
