"""The programme's events on cheaper paths give, bit for bit, what the array steps they replace give (issue 22).

Who comes to a meeting in one kernel (the chances and the decline draws) against the array steps,
a meeting's outreach in one kernel on the generator's raw words against numpy's draws and one adoption call per
side (the steps before), on the model's own arrays, draws included; the sides of a few actors against np.unique;
an initiative without workshops overrides against the round trip through a dump and a validation.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from tracktwo.model import thirdparty
from tracktwo.model.formats import Closures, sides_of
from tracktwo.model.initiatives import Programmes
from tracktwo.model.kernels.initiatives import outreach_pairs
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import Initiative, Workshops, initiative_workshops, make_params, merge

COMPETING = {  # two initiatives, proscribed elites, three sides
    "sides": 3,
    "kinds.elite.proscribed": 0.3,
    "initiatives": [{"name": "second NGO", "events": [{"format": "workshop", "step": 5, "count": 6, "interval": 6}]}],
    "steps": 2,
}


def _chance_array(programmes: Programmes, number: int, running, who: np.ndarray, t: int) -> np.ndarray:
    """Programmes._chance_array as it was: each invitee's chance to come, by array steps."""
    profile = running.third_party.profile
    chance = np.full(who.size, thirdparty.attendance(running.third_party, running.reputation))
    if profile.official_access < 1.0:
        chance[programmes._officials.take(who)] *= profile.official_access
    if programmes._any_proscribed:
        chance[programmes.proscribed[who]] *= profile.armed_group_access
    if len(programmes.initiatives) > 1:
        competition = programmes.model.params.competition
        others = programmes.last_met[programmes._others[number], who]
        tired = np.logical_or.reduce(others >= t - competition.fatigue_months, axis=0)
        chance[tired] *= 1.0 - competition.fatigue_decline
        chance[np.logical_or.reduce(others == t, axis=0)] = 0.0
    return chance


@pytest.mark.parametrize("third_party", ["ngo_mediator", "private_citizen"])  # official access 1 and below 1
@pytest.mark.parametrize("competing", [True, False])
def test_who_comes_in_one_kernel_is_the_array_steps(third_party: str, competing: bool) -> None:
    config = {**copy.deepcopy(COMPETING), "programme.third_party": {"type": third_party}}
    if not competing:
        del config["initiatives"]
    model = TrackTwoModel(make_params(config), 11)
    programmes = model.programme
    cases = np.random.default_rng(2214)
    n = model.n_actors
    for case in range(400):
        number = case % len(programmes.initiatives)
        running = programmes.initiatives[number]
        running.reputation = float(cases.choice([0.0, 0.2, 0.5, 0.9, 1.0, cases.random()]))
        programmes.last_met[:] = cases.integers(-4, 12, size=programmes.last_met.shape)
        programmes.proscribed = cases.random(n) < cases.choice([0.0, 0.3, 1.0])
        programmes._any_proscribed = bool(programmes.proscribed.any())
        who = np.sort(cases.choice(n, size=int(cases.integers(0, 40)), replace=False))
        t, meeting = int(cases.integers(0, 12)), int(cases.integers(0, 50))
        chance = _chance_array(programmes, number, running, who, t)
        every = bool(np.logical_and.reduce(chance >= 1.0))
        want = who if every else np.sort(who[model.randomness.uniforms("decline", meeting, who) < chance])
        declined = programmes.declined
        got = programmes._accept(number, running, who, t, [], meeting)
        assert got.tobytes() == want.tobytes(), case
        assert (got is who) == every, case
        assert programmes.declined - declined == (0 if every else who.size - want.size), case


def _outreach_side_by_side(programmes: Programmes, running, record, t: int, meeting: int) -> None:
    """Programmes._outreach as before: np.unique's sides, one adoption call per side."""
    model = programmes.model
    reach = running.factors[3]
    if reach == 0 or record.ideas.size == 0:
        return
    rng = model.randomness.local_generator("outreach", "outreach", meeting)
    uptake = programmes.uptake
    locality = int(rng.integers(uptake.localities)) if uptake.localities else 0
    grassroots = uptake.grassroots
    sides = model.side[grassroots]
    places, on_side = uptake.cell // model.n_sides, [sides == side for side in range(model.n_sides)]
    home = places == locality
    outside = ~model.series.participated[grassroots]
    participant_sides = model.side[record.participants]
    for side in np.unique(participant_sides).tolist():
        mine = on_side[side] & outside
        local = rng.permutation(grassroots[mine & home])
        elsewhere = rng.permutation(grassroots[mine & ~home])
        reached = np.concatenate([local, elsewhere])[:reach]
        carriers = record.participants[participant_sides == side]
        actors, ideas = (~model.ideas.holds[np.ix_(reached, record.ideas)]).nonzero()
        if actors.size:
            model.ideas.adopt(reached[actors], record.ideas[ideas], t, rng.choice(carriers, actors.size))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("outreach_size", [1, 6, 40])  # reached from the locality alone, or from elsewhere too
def test_outreach_in_one_kernel_is_numpys_draws_side_by_side(seed: int, outreach_size: int) -> None:
    config = {
        **copy.deepcopy(COMPETING),
        "programme.third_party": {"type": "ngo_mediator"},
        "formats.outreach_size": outreach_size,
        "steps": 14,
    }
    model = TrackTwoModel(make_params(config), seed)
    programmes = model.programme
    original = programmes._outreach
    cases: list[tuple] = []

    def held_both_ways(running, record, t, meeting) -> None:  # each meeting's outreach, both ways, on copies
        ours, theirs = copy.deepcopy(programmes.model), copy.deepcopy(programmes.model)
        number = next(i for i, other in enumerate(programmes.initiatives) if other is running)
        Programmes._outreach(ours.programme, ours.programme.initiatives[number], record, t, meeting)
        _outreach_side_by_side(theirs.programme, theirs.programme.initiatives[number], record, t, meeting)
        before = programmes.model.ideas.adoption_log()[0].size
        cases.append((ours.ideas, theirs.ideas, ours.ideas.adoption_log()[0].size - before))
        original(running, record, t, meeting)

    programmes._outreach = held_both_ways
    for _ in range(14):
        model.step()
    assert cases
    assert sum(adopted for _, _, adopted in cases) > 0  # some outreach took place
    for ours, theirs, _ in cases:
        for name in ("holds", "adopted_at", "first_adopted", "source", "held_count", "group_holders"):
            np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name), err_msg=name)
        np.testing.assert_array_equal(ours.group_adoptions, theirs.group_adoptions)
        np.testing.assert_array_equal(ours.group_reached, theirs.group_reached)
        for got, want in zip(ours.adoption_log(), theirs.adoption_log(), strict=True):
            np.testing.assert_array_equal(got, want)


def test_outreach_pairs_from_too_few_words_ask_for_more_and_never_differ() -> None:
    config = {**copy.deepcopy(COMPETING), "programme.third_party": {"type": "ngo_mediator"}, "steps": 14}
    model = TrackTwoModel(make_params(config), 4)
    for _ in range(14):
        model.step()
    programmes, record = model.programme, model.series.records[-1]
    model.series.participated[:] = False  # every grassroots actor outside the room: many draws
    arguments = (
        programmes.uptake.localities, 6, programmes.uptake.grassroots, programmes.uptake.cell // model.n_sides,
        model.side, model.series.participated, record.participants, np.arange(model.ideas.count), model.ideas.holds.T,
        model.n_sides,
    )  # fmt: skip
    raw = np.random.Generator(np.random.Philox(key=7)).bit_generator.random_raw(4000)
    full, enough = outreach_pairs(raw, *arguments)
    assert enough and full.shape[1] > 0
    short = 0
    for size in range(0, 400, 3):
        pairs, enough = outreach_pairs(raw[:size], *arguments)
        assert (pairs.tobytes() == full.tobytes()) if enough else pairs.shape[1] == 0, size
        short += not enough
    assert short > 10


def test_the_sides_of_a_few_actors_are_np_uniques() -> None:
    cases = np.random.default_rng(2215)
    for case in range(500):
        side = cases.integers(0, int(cases.integers(1, 6)), size=50).astype(np.int64 if case % 2 else np.int8)
        actors = cases.choice(50, size=int(cases.integers(0, 20)), replace=False)
        got, want = sides_of(side, actors), np.unique(side[actors])
        assert got.dtype == want.dtype and got.tolist() == want.tolist(), case


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"sides": 3, "workshops.mix": {"elite": 1 / 3, "autonomous": 1 / 3, "grassroots": 1 / 3}},
        {"workshops.size": 17, "workshops.retention": 0.1 + 0.2, "workshops.candour.size_penalty": 0.7},
    ],
)
def test_an_initiative_without_overrides_has_the_round_trips_workshops(config: dict) -> None:
    params = make_params(copy.deepcopy(config))
    plain = Initiative(name="plain")
    round_trip = Workshops.model_validate(merge(params.workshops.model_dump(mode="json"), {}))
    assert initiative_workshops(params, plain) is params.workshops
    assert params.workshops.model_dump() == round_trip.model_dump() and params.workshops == round_trip
    overridden = initiative_workshops(params, Initiative(name="other", workshops={"size": 9}))
    assert overridden.size == 9 and overridden.model_dump() == round_trip.model_copy(update={"size": 9}).model_dump()


def test_outreachs_draws_are_choice_and_permutation_draws() -> None:
    """rng.choice(a, k) is a.take(rng.integers(0, a.size, k)); rng.permutation(x) is shuffling a copy of x."""
    cases = np.random.default_rng(2216)
    for case in range(1000):
        ours, theirs = np.random.Generator(np.random.Philox(key=case)), np.random.Generator(np.random.Philox(key=case))
        pool = cases.integers(0, 1000, int(cases.integers(0, 40)))
        shuffled = pool.copy()
        ours.shuffle(shuffled)
        assert shuffled.tolist() == theirs.permutation(pool).tolist(), case
        if pool.size:
            k = int(cases.integers(0, 40))
            assert pool.take(ours.integers(0, pool.size, k)).tolist() == theirs.choice(pool, k).tolist(), case
        assert ours.random() == theirs.random(), case  # as many draws


def test_pairs_open_to_adoption_by_bisection_are_isins() -> None:
    """Programmes.open_to (kernels/initiatives.py `open_cells`: the products' refusals) against ~np.isin's.

    The closures come from several products, a cell closed by more than one (through different steps) included.
    """
    model = TrackTwoModel(make_params({"steps": 2}), 4)
    n = model.n_actors
    cases = np.random.default_rng(2217)
    for case in range(400):
        programmes = Programmes(model)
        given = []
        for _ in range(int(cases.integers(1, 4))):
            size = int(cases.integers(0, 60))
            until = cases.integers(0, 12, size) if case % 2 else np.full(size, int(cases.integers(0, 12)))
            given.append(Closures(cases.integers(0, n // 8, size), cases.integers(0, 8, size), until))
            programmes._close(given[-1])
        t = int(cases.integers(0, 12))
        pairs = int(cases.integers(1, 80))
        actors, ideas = cases.integers(0, n // 8, pairs), cases.integers(0, 8, pairs)
        live = [c for c in given if c.until.size and c.until.max() >= t]
        closed = [c.ideas[c.until >= t] * n + c.actors[c.until >= t] for c in live]
        want = ~np.isin(ideas * n + actors, np.concatenate(closed)) if closed else None
        got = programmes.open_to(actors, ideas, t)
        assert (got is None) == (want is None), case
        assert got is None or got.tolist() == want.tolist(), case
