"""Each mechanism of the brief in isolation, against its functional form."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from tracktwo.model import ConfigError, TrackTwoModel, make_params, simulate
from tracktwo.model.diffusion import Context, StepDraws, TieIndex, advocate, forget, trust_by_side
from tracktwo.model.formats import Meeting
from tracktwo.model.network import build_graph
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.ripeness import RipenessDrivers, RipenessProcess, opening_hazard
from tracktwo.model.workshops import (
    candour,
    effective_mix,
    funded_workshops,
    group_diversity,
    largest_remainder,
    novelty_mean,
)

P = make_params()


# Workshop: candour and novelty ------------------------------------------------------------------


def test_candour_rises_with_confidentiality_integrity_and_trust():
    trust, tie = np.full(12, 0.3), np.full(12, 0.3)
    base = candour(P, trust, tie, after_leak=False)
    for key in ("workshops.confidentiality", "workshops.facilitator_integrity"):
        lower = make_params({key: 0.5})
        assert candour(lower, trust, tie, False) < base
    assert candour(P, np.full(12, 0.8), tie, False) > base


def test_candour_falls_with_ties_to_official_positions_and_after_a_leak():
    trust = np.full(12, 0.3)
    free, tied = candour(P, trust, np.zeros(12), False), candour(P, trust, np.ones(12), False)
    assert tied == pytest.approx(free * (1 - P.workshops.candour.positional_penalty))
    assert candour(P, trust, np.zeros(12), True) == pytest.approx(free * (1 - P.workshops.candour.leak_penalty))


def test_candour_functional_form():
    w = P.workshops
    expected = (
        w.confidentiality
        * w.facilitator_integrity
        * (w.candour.trust_floor + (1 - w.candour.trust_floor) * 0.4)
        * (1 - w.candour.positional_penalty * 0.5)
    )
    assert candour(P, np.full(10, 0.4), np.full(10, 0.5), False) == pytest.approx(expected)


def test_novelty_rises_with_autonomy_and_diversity():
    low, high = novelty_mean(P, np.full(10, 0.2), 0.3), novelty_mean(P, np.full(10, 0.8), 0.3)
    assert high - low == pytest.approx(P.workshops.novelty.autonomy_weight * 0.6)
    assert novelty_mean(P, np.full(10, 0.5), 0.9) > novelty_mean(P, np.full(10, 0.5), 0.1)


def test_group_diversity_terms():
    behaviours = np.array(["elite"] * 6 + ["autonomous"] * 6, dtype=object)
    balanced = group_diversity(np.array([0, 1] * 6), 2, behaviours, np.full(12, 0.5))
    one_side = group_diversity(np.zeros(12, int), 2, behaviours, np.full(12, 0.5))
    assert balanced - one_side == pytest.approx(1 / 3)
    spread = group_diversity(np.array([0, 1] * 6), 2, behaviours, np.array([0.1, 0.9] * 6))
    assert spread > balanced


def test_workshop_ideas_poisson_in_candour_and_novelty_matches_group():
    result = simulate({"workshops.count": 30, "workshops.interval": 2, "steps": 70}, seed=3)
    table = result.workshops
    assert len(table) == 30
    ideas_per_workshop = table.ideas.mean()
    expected = P.workshops.idea_rate * table.candour.mean()
    assert abs(ideas_per_workshop - expected) < 3 * math.sqrt(expected / 30) + 0.1
    generated = result.ideas[result.ideas.workshop_idea]
    assert abs(generated.novelty.mean() - table.novelty_mean.mean()) < 0.08


def _next_workshop(model: TrackTwoModel, t: int):
    """The main series' next workshop, convened and run at step t (as the regular series holds it)."""
    number = model.series.next_number()
    return model.run_workshop(t, Meeting(model.series, model.series.convene(model.randomness, number), number))


def test_convening_follows_mix_sides_and_retention():
    model = TrackTwoModel(
        {"workshops.mix": {"elite": 0.25, "autonomous": 0.75}, "workshops.size": 12, "workshops.retention": 0.5}, seed=2
    )
    first = _next_workshop(model, 3)
    kinds = model.kind_of[first.participants]
    assert (kinds == "elite").sum() == 3 and (kinds == "autonomous").sum() == 9
    assert abs((model.side[first.participants] == 0).sum() - 6) <= 1
    second = _next_workshop(model, 7)
    assert len(np.intersect1d(first.participants, second.participants)) == 6


def test_a_mix_the_convened_sides_cannot_seat_is_refused_and_an_empty_room_is_no_crash(tmp_path):
    """Side 2 of this map has no elites: convening it alone for elites is a config error; a room whose every seat
    falls to elites there stays empty (no ideas, no trust) instead of failing in numpy."""
    nodes = tmp_path / "m_nodes.csv"
    nodes.write_text("id,kind,side\na,official,N\nb,elite,N\nc,grassroots,N\nd,official,S\ne,grassroots,S\n")
    (tmp_path / "m_edges.csv").write_text("source,target\na,b\nb,c\nc,e\nd,e\n")
    on_side_2 = {"network.type": "map", "network.map": str(nodes), "workshops.sides": [2], "workshops.size": 2}
    with pytest.raises(ConfigError, match="side\\(s\\) 2 have no actors of"):
        TrackTwoModel({**on_side_2, "workshops.mix": {"elite": 1.0}}, seed=1)
    model = TrackTwoModel({**on_side_2, "workshops.mix": {"elite": 0.9, "grassroots": 0.1}}, seed=1)
    trust_before = model.trust.copy()
    record = _next_workshop(model, 3)
    assert record.participants.size == 0 and record.ideas.size == 0 and record.candour == 0.0
    assert np.array_equal(model.trust, trust_before) and len(model.series.records) == 1


def test_largest_remainder_seats_sum_and_proportion():
    rng = np.random.default_rng(0)
    seats = largest_remainder(12, np.array([0.5, 0.3, 0.2]), rng)
    assert seats.sum() == 12 and list(seats) in ([6, 4, 2], [6, 3, 3])


def _largest_remainder_numpy(total: int, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """largest_remainder as numpy arrays (its path beyond 8 shares), for any number of shares."""
    share_sum = np.add.reduce(shares)
    if total <= 0 or share_sum <= 0:
        return np.zeros(shares.size, dtype=np.int64)
    quotas = total * shares / share_sum
    seats = np.floor(quotas).astype(np.int64)
    tie_break = rng.random(shares.size)
    left = total - int(np.add.reduce(seats))
    if left > 0:
        seats[np.lexsort((tie_break, seats - quotas))[:left]] += 1
    return seats


@pytest.mark.parametrize("kind", ["equal", "uniform", "quarters"])
def test_largest_remainder_few_shares_in_python_match_numpy_seats_and_draws(kind):
    """Up to 8 shares run on Python floats: the same seats (ties included) and the same draws after, as numpy's."""
    cases = np.random.default_rng(7)
    for _ in range(3_000):
        n = int(cases.integers(1, 9))
        shares = {"equal": np.ones(n), "uniform": cases.random(n), "quarters": cases.integers(0, 4, n) / 4}[kind]
        total, key = int(cases.integers(-1, 40)), int(cases.integers(1 << 62))
        mine, theirs = (np.random.Generator(np.random.Philox(key=key)) for _ in range(2))
        seats = largest_remainder(total, shares, mine)
        assert seats.dtype == np.int64
        assert np.array_equal(seats, _largest_remainder_numpy(total, shares, theirs)), (total, shares)
        assert mine.random() == theirs.random()  # the stream goes on from the same place


def test_workshop_builds_trust_standing_and_cross_side_ties():
    full_candour = {
        "workshops.confidentiality": 1.0,
        "workshops.facilitator_integrity": 1.0,
        "workshops.candour.trust_floor": 1.0,
        "workshops.candour.positional_penalty": 0.0,
    }
    model = TrackTwoModel({"workshops.tie_formation": 1.0, **full_candour}, seed=5)
    before_trust, before_standing = model.cross_side_trust(), model.standing.copy()
    record = _next_workshop(model, 3)
    who = record.participants
    assert (model.cross_side_trust()[who] > before_trust[who]).all()
    assert (model.standing[who] > before_standing[who]).all()
    assert (model.trust[who, model.side[who]] == 1).all()  # trust of one's own side stays 1
    others = np.setdiff1d(np.arange(model.n_actors), who)
    assert (model.cross_side_trust()[others] == before_trust[others]).all()
    assert record.ties_created > 0 and model.cross_side_ties_created == record.ties_created
    a, b = np.triu_indices(who.size, 1)
    cross = model.side[who[a]] != model.side[who[b]]
    assert model.ties[who[a][cross], who[b][cross]].min() == 1  # every cross-side pair is now tied


def test_familiarity_makes_repeat_meetings_build_more_trust():
    model = TrackTwoModel({"workshops.retention": 1.0}, seed=4)
    gains = []
    for step in (3, 7, 11):
        before = model.cross_side_trust()
        record = _next_workshop(model, step)
        gains.append(float((model.cross_side_trust() - before)[record.participants].sum()) / record.candour)
    assert gains[0] < gains[1] < gains[2]


# Leaks and funding ------------------------------------------------------------------------------


def test_leaks_follow_confidentiality_and_make_officials_wary():
    leaky = simulate({"workshops.confidentiality": 0.0}, seed=1)
    assert leaky.outcomes["leaks"] == leaky.outcomes["workshops_held"]
    sealed = simulate({"workshops.confidentiality": 1.0}, seed=1)
    assert sealed.outcomes["leaks"] == 0 and sealed.timeseries.officials_wary.sum() == 0
    assert leaky.timeseries.officials_wary.sum() > 0
    model = TrackTwoModel({}, seed=1)
    assert not model.officials_wary
    model.wary_until = 10**6
    model._apply_behaviour_rules(ripe=False)
    officials = model.members["official"]
    expected = P.diffusion.official_aversion_unripe * (1 + P.diffusion.leak_wariness)
    assert np.allclose(model.aversion[officials], expected)


def test_leak_rate_matches_one_minus_confidentiality():
    leaks = sum(simulate({"workshops.confidentiality": 0.7}, seed=s).outcomes["leaks"] for s in range(15))
    held = 15 * P.workshops.count
    assert stats.binomtest(leaks, held, 0.3).pvalue > 0.001


def test_funding_policy():
    refuse = make_params({"workshops.funder_conditionality": 0.6, "workshops.facilitator_policy": "refuse"})
    accept = make_params({"workshops.funder_conditionality": 0.6, "workshops.facilitator_policy": "accept"})
    assert funded_workshops(refuse) == round(P.workshops.count * (1 - 0.6 * P.workshops.refusal_budget_loss))
    assert funded_workshops(accept) == P.workshops.count
    trust, tie = np.full(12, 0.3), np.full(12, 0.3)
    assert candour(accept, trust, tie, False) == pytest.approx(
        candour(P, trust, tie, False) * (1 - 0.6 * P.workshops.candour.conditions_penalty)
    )
    assert candour(refuse, trust, tie, False) == pytest.approx(candour(P, trust, tie, False))
    assert novelty_mean(accept, np.full(5, 0.5), 0.5) < novelty_mean(P, np.full(5, 0.5), 0.5)


def test_modes_set_the_mix():
    assert effective_mix(make_params({"mode": "backchannel"})) == {"official": 1.0}
    track15 = effective_mix(make_params({"mode": "track1.5"}))
    assert track15["official"] == pytest.approx(P.workshops.track15_official_share)
    assert sum(track15.values()) == pytest.approx(1.0)


def test_track15_transfers_run_via_track15():
    runs = [simulate({"mode": "track1.5"}, seed=s).outcomes for s in range(10)]
    assert sum(r["transfers_via_track_1_5"] for r in runs) > 0


# Advocacy --------------------------------------------------------------------------------------


def _draws(seed: int, step: int, ideas: int = 1) -> StepDraws:
    """Keyed draws for one step of a run with this seed, ideas keyed 0, 1, ..."""
    return StepDraws(EventRandomness(seed), step, np.arange(ideas, dtype=np.uint64))


def _two_actor_trial(
    trials: int,
    receiver_official: bool,
    standing: float,
    novelty: float,
    aversion: float,
    cross_side: bool,
    trust: float,
    base: float,
) -> float:
    """Empirical adoption frequency over many independent sender->receiver pairs."""
    n = 2 * trials
    senders, receivers = np.arange(0, n, 2), np.arange(1, n, 2)
    sides = np.where(np.arange(n) % 2 == 1, int(cross_side), 0)
    ties = TieIndex.build(n, senders, receivers, sides)
    holds = np.zeros((n, 1), dtype=bool)
    holds[senders, 0] = True
    context = Context(
        base,
        np.array([novelty]),
        np.full(n, standing),
        np.full(n, receiver_official),
        np.full(n, aversion),
        sides,
        np.full(n, trust),
    )
    result = advocate(_draws(11, 1), ties, holds.copy(), holds, context)
    return result.actors.size / trials


@pytest.mark.parametrize(
    ("official", "standing", "novelty", "aversion", "cross", "trust"),
    [
        (False, 0.2, 0.0, 3.0, False, 0.5),
        (True, 0.2, 0.0, 3.0, False, 0.5),
        (True, 0.8, 0.6, 2.0, False, 0.5),
        (False, 0.5, 0.5, 4.0, True, 0.3),
        (True, 0.7, 0.3, 5.0, True, 0.4),
    ],
)
def test_advocacy_probability_is_the_product_of_its_terms(official, standing, novelty, aversion, cross, trust):
    trials, base = 40_000, 0.5
    expected = base * (standing if official else 1.0) * math.exp(-aversion * novelty) * (trust if cross else 1.0)
    observed = _two_actor_trial(trials, official, standing, novelty, aversion, cross, trust, base)
    assert abs(observed - expected) < 4 * math.sqrt(expected * (1 - expected) / trials) + 1e-9


@pytest.mark.parametrize("official", [True, False])
def test_several_advocates_combine_and_credit_the_first_arrival(official):
    """Receivers with two advocates (standing 0.9 and 0.2; one across sides): 1 - (1-p1)(1-p2), and the credit law."""
    trials, base, trust = 30_000, 0.6, 0.5
    n = 3 * trials
    high, low, receivers = np.arange(0, n, 3), np.arange(1, n, 3), np.arange(2, n, 3)
    sides = np.where(np.arange(n) % 3 == 1, 1, 0)  # the low-standing advocate is on the other side
    ties = TieIndex.build(n, np.concatenate([high, low]), np.concatenate([receivers, receivers]), sides)
    holds = np.zeros((n, 1), dtype=bool)
    holds[high, 0] = holds[low, 0] = True
    standing = np.where(np.arange(n) % 3 == 0, 0.9, 0.2)
    context = Context(base, np.array([0.0]), standing, np.full(n, official), np.zeros(n), sides, np.full(n, trust))
    result = advocate(_draws(5, 1), ties, holds.copy(), holds, context)
    p1 = base * (0.9 if official else 1.0)
    p2 = base * (0.2 if official else 1.0) * trust
    either = 1 - (1 - p1) * (1 - p2)
    assert abs(result.actors.size / trials - either) < 4 * math.sqrt(either * (1 - either) / trials)
    rate_high, rate_low = -math.log(1 - p1), -math.log(1 - p2)  # persuasion arrives at these exponential rates
    share_high = np.isin(result.sources, high).mean()
    expected = rate_high / (rate_high + rate_low)
    assert abs(share_high - expected) < 4 * math.sqrt(expected * (1 - expected) / result.actors.size)


def test_no_tie_probability_exceeds_the_base_rate():
    """Every factor of a tie's probability is in [0, 1], so no tie's p exceeds the base rate."""
    rng = np.random.default_rng(2)
    n, base = 50_000, 0.3
    sides = rng.integers(0, 2, n)
    context = Context(
        base,
        rng.uniform(0, 1, 5),
        rng.uniform(0, 1, n),
        rng.random(n) < 0.5,
        rng.uniform(0, 100, n),
        sides,
        trust_by_side(rng.uniform(0, 1, n), sides),
    )
    p = context.tie_probability(rng.integers(0, n, n), rng.integers(0, n, n), rng.integers(0, 5, n))
    assert p.max() <= base and p.min() >= 0


def test_ties_formed_in_workshops_equal_a_rebuild_of_the_network():
    """New ties are inserted into the CSR arrays in place of a rebuild: the result must be the same network."""
    rng = np.random.default_rng(12)
    for _ in range(40):
        n = int(rng.integers(4, 150))
        sides = rng.integers(0, 3, n)
        sources, targets = rng.integers(0, n, 3 * n), rng.integers(0, n, 3 * n)  # duplicates and self-ties too
        ties = TieIndex.build(n, sources, targets, sides)
        present = {(int(a), int(b)) for a, b in zip(*ties.all.nonzero(), strict=True)}
        new = [
            (a, b)
            for a, b in zip(rng.integers(0, n, 12).tolist(), rng.integers(0, n, 12).tolist(), strict=True)
            if a != b and (a, b) not in present
        ]
        new = list({tuple(sorted(pair)): pair for pair in new}.values())
        if not new:
            continue
        a, b = np.array(new).T
        grown, rebuilt = (
            ties.with_ties(a, b, sides),
            TieIndex.build(n, np.append(sources, a), np.append(targets, b), sides),
        )
        mine, theirs = grown.all, rebuilt.all
        assert (mine != theirs).nnz == 0 and np.array_equal(mine.indices, theirs.indices)
        assert np.array_equal(mine.indptr, theirs.indptr) and mine.has_sorted_indices
        assert np.array_equal(grown.degree, rebuilt.degree) and grown.any_across == rebuilt.any_across


def test_holding_counts_stay_in_step_with_holdings():
    """The per-actor and per-(track, side) counts the time series and transfer read equal fresh sums."""
    model = TrackTwoModel({"forgetting.rate": 0.05, "sides": 3, "steps": 80}, seed=4)
    for _ in range(80):
        model.step()
        held = model.ideas.held
        groups = model.track_index * model.n_sides + model.side
        assert np.array_equal(model.ideas.held_count, held.sum(axis=1))
        by_group = np.stack([held[groups == g].sum(axis=0) for g in range(model.ideas.n_groups)])
        assert np.array_equal(model.ideas.group_holders[:, : model.ideas.count], by_group)
        reached = np.bincount(groups[held.any(axis=1)], minlength=model.ideas.n_groups)
        assert np.array_equal(model.ideas.group_reached, reached)
    assert model.ideas.count > 16  # the store grew past its initial capacity along the way
    assert model.ideas.adoption_log()[0].size > model.ideas.held.sum()  # and some holdings were forgotten


def test_novelty_acceptance_officials_steep_when_unripe_mild_when_ripe_others_by_autonomy():
    model = TrackTwoModel({}, seed=0)
    model._apply_behaviour_rules(ripe=False)
    officials, autonomous, elites = (model.members[b] for b in ("official", "autonomous", "elite"))
    unripe = model.aversion[officials].mean()
    model._apply_behaviour_rules(ripe=True)
    assert (
        unripe
        == P.diffusion.official_aversion_unripe
        > model.aversion[officials].mean()
        == P.diffusion.official_aversion_ripe
    )
    assert np.allclose(model.aversion[autonomous], P.diffusion.aversion * (1 - model.autonomy[autonomous]))
    assert model.aversion[autonomous].mean() < model.aversion[elites].mean()


def test_advocacy_span_limits_who_advocates():
    model = TrackTwoModel(
        {
            "workshops.count": 0,
            "initial_ideas": {"count": 1, "holders": 5, "novelty": 0.0},
            "diffusion.advocacy_span": 2,
            "diffusion.base_rate": 1.0,
            "ripeness.mode": "off",
        },
        seed=1,
    )
    for _ in range(3):
        model.step()
    step = model.steps + 1
    since = step - model.ideas.adopted_at[:, 0]
    active = model.ideas.holds[:, 0] & (since >= 1) & (since <= 2)
    assert not (model.ideas.holds[:, 0] & (model.ideas.adopted_at[:, 0] == 0))[active].any()


def test_forgetting_rate_and_officials_faster_when_unripe():
    held = np.ones((20_000, 3), dtype=bool)
    rates = np.where(np.arange(20_000) < 10_000, 0.02, 0.06)
    actors, _ = forget(_draws(3, 1, 3), held, rates)
    low, high = (actors < 10_000).sum() / 30_000, (actors >= 10_000).sum() / 30_000
    assert abs(low - 0.02) < 0.004 and abs(high - 0.06) < 0.006
    model = TrackTwoModel({}, seed=0)
    model._apply_behaviour_rules(ripe=False)
    officials, others = model.members["official"], model.members["elite"]
    assert model.forgetting[officials][0] == pytest.approx(P.forgetting.rate * P.forgetting.official_unripe_multiplier)
    assert model.forgetting[others][0] == pytest.approx(P.forgetting.rate)
    model._apply_behaviour_rules(ripe=True)
    assert model.forgetting[officials][0] == pytest.approx(P.forgetting.rate)


# Ripeness --------------------------------------------------------------------------------------


def test_opening_hazard_functional_form():
    r = P.ripeness
    drivers = RipenessDrivers(official_exposure=0.4, credible_advocates=10, public_support=0.2)
    expected = (
        r.baseline_hazard
        + r.exposure_weight * 0.4
        + r.advocate_weight * (1 - math.exp(-10 / r.advocate_scale))
        + r.public_weight * 0.2
    )
    assert opening_hazard(r, drivers) == pytest.approx(expected)
    assert opening_hazard(r, RipenessDrivers(0, 0, 0)) == r.baseline_hazard


def test_ripeness_opens_and_closes_at_its_hazards():
    config = make_params({"ripeness.baseline_hazard": 0.1, "ripeness.mean_window_length": 5}).ripeness
    process, randomness = RipenessProcess(config), EventRandomness(0)
    states = []
    for step in range(2, 20_002):
        process.advance(randomness.uniforms("ripeness", step, np.zeros(1)), step, [RipenessDrivers(0, 0, 0)])
        states.append(process.ripe)
    states = np.array(states)
    openings = (~states[:-1] & states[1:]).sum() / (~states[:-1]).sum()
    closings = (states[:-1] & ~states[1:]).sum() / states[:-1].sum()
    assert abs(openings - (1 - math.exp(-0.1))) < 0.01 and abs(closings - 0.2) < 0.015


def test_fixed_windows_stage_ripe_moments():
    result = simulate({"ripeness.mode": "fixed", "ripeness.windows": [[10, 20], [50, 55]], "steps": 60}, seed=1)
    ripe_steps = set(result.timeseries.step[result.timeseries.ripe == 1])
    assert ripe_steps == set(range(10, 20)) | set(range(50, 55))
    assert result.outcomes["ripe_windows"] == 2
    assert simulate({"ripeness.mode": "off"}, seed=1).outcomes["share_time_ripe"] == 0


# Transfer --------------------------------------------------------------------------------------


def test_transfer_needs_threshold_share_of_officials_on_every_side():
    model = TrackTwoModel({"workshops.count": 0, "transfer.threshold": 0.25, "ripeness.mode": "off"}, seed=1)
    ids = model.ideas.create(np.array([0.5, 0.5]), 1, 0, np.empty(0, dtype=np.int64))
    side_a, side_b = model.officials_by_side
    need = math.ceil(0.25 * side_a.size)
    model.ideas.adopt(side_a[:need], np.full(need, ids[0]), 1, np.full(need, -1))
    model.ideas.adopt(side_b[: need - 1], np.full(need - 1, ids[0]), 1, np.full(need - 1, -1))
    model.ideas.adopt(side_a[:need], np.full(need, ids[1]), 1, np.full(need, -1))
    model.ideas.adopt(side_b[:need], np.full(need, ids[1]), 1, np.full(need, -1))
    entered = model.check_transfer(2, ripe=True)
    assert list(entered) == [ids[1]] and model.ideas.entered_step[ids[1]] == 2 and model.ideas.entered_ripe[ids[1]]
    assert model.check_transfer(3, ripe=False).size == 0  # an idea enters once


def test_transfer_paths_lead_from_a_workshop_author_to_an_official():
    result = simulate({}, seed=3)
    model = result.model
    entered = np.flatnonzero(model.ideas.entered_step[: model.ideas.count] >= 0)
    assert entered.size > 0
    for idea in entered:
        path = model.ideas.paths[idea]
        assert model.ideas.source[path[0], idea] == -1  # an author
        assert model.behaviour[path[-1]] == "official"
        for sender, receiver in itertools.pairwise(path):
            assert (
                model.ties[sender, receiver] == 1
                or model.ideas.first_adopted[receiver, idea] >= model.ideas.first_adopted[sender, idea]
            )
    routes = result.ideas.route[result.ideas.entered_step >= 0]
    assert set(routes) <= {"via_elites", "via_autonomous", "via_track_three", "via_track_1_5", "direct"}


# Network ---------------------------------------------------------------------------------------


def _degrees_by_kind(graph) -> dict[tuple[str, str, bool], float]:
    """Mean ties an actor of kind a has to kind b, within its side (True) or across."""
    kinds, sides = np.array(graph.population.kinds), graph.population.sides
    u, v = np.concatenate([graph.sources, graph.targets]), np.concatenate([graph.targets, graph.sources])
    result = {}
    for a, b in itertools.product(("official", "elite", "autonomous", "grassroots"), repeat=2):
        for within in (True, False):
            mask = (kinds[u] == a) & (kinds[v] == b) & ((sides[u] == sides[v]) == within)
            result[(a, b, within)] = mask.sum() / (kinds == a).sum()
    return result


@pytest.mark.parametrize("scale", [1, 4])
def test_sbm_gives_each_actor_its_expected_ties_at_any_population(scale):
    """network.degree: an actor of a has d_ab ties to b on its side, d_ab x factor across, whatever the counts."""
    counts = {"official": 20, "elite": 15, "autonomous": 25, "grassroots": 60}
    params = make_params({f"kinds.{k}.count": 30 * c * scale // 20 for k, c in counts.items()})
    observed = {}
    for seed in range(6):
        for key, value in _degrees_by_kind(build_graph(params, np.random.default_rng(seed))).items():
            observed[key] = observed.get(key, 0.0) + value / 6
    n = {k: params.kinds[k].count for k in counts}
    for (a, b, within), value in observed.items():
        first, second = sorted((a, b), key=("official", "elite", "autonomous", "grassroots").index)
        d = params.network.degree.degree(first, second)
        expected = d if a == first else d * n[first] / n[second]  # the reverse direction by the counts
        expected *= 1.0 if within else params.network.cross_side_factor
        assert abs(value - expected) < 0.12 * expected + 0.02, (a, b, within, value, expected)


def test_per_pair_tie_probabilities_remain_an_option():
    params = make_params(
        {
            "kinds.official.count": 150,
            "kinds.elite.count": 150,
            "kinds.autonomous.count": 150,
            "kinds.grassroots.count": 150,
            "network.ties": {"official_official": 0.3, "elite_autonomous": 0.04},
        }
    )
    graph = build_graph(params, np.random.default_rng(1))
    kinds = np.array(graph.population.kinds)
    sides = graph.population.sides
    u, v = graph.sources, graph.targets
    for a, b in (("official", "official"), ("official", "elite"), ("elite", "autonomous")):
        same = sides[u] == sides[v]
        mask = ((kinds[u] == a) & (kinds[v] == b)) | ((kinds[u] == b) & (kinds[v] == a))
        pairs = 2 * (150 * 149 // 2 if a == b else 150 * 150)
        p = params.network.ties.probability(a, b)
        observed = (mask & same).sum() / pairs
        assert abs(observed - p) < 4 * math.sqrt(p * (1 - p) / pairs) + 1e-4, (a, b, observed, p)
    assert (u < v).all() and len(set(zip(u.tolist(), v.tolist(), strict=True))) == u.size


def test_cross_side_factor_matrix_sets_each_pair_of_sides():
    params = make_params({"sides": 3, "network.cross_side_factor": [[0, 0.2, 0], [0.2, 0, 0], [0, 0, 0]]})
    graph = build_graph(params, np.random.default_rng(3))
    sides = graph.population.sides
    pairs = {tuple(sorted((int(a), int(b)))) for a, b in zip(sides[graph.sources], sides[graph.targets], strict=True)}
    assert (0, 1) in pairs and (0, 2) not in pairs and (1, 2) not in pairs
    with pytest.raises(ConfigError, match="cross_side_factor"):
        make_params({"sides": 3, "network.cross_side_factor": [[0, 0.1], [0.1, 0]]})


def test_erdos_renyi_mean_degree():
    params = make_params(
        {
            "sides": 1,
            "kinds": {
                "official": None,
                "elite": None,
                "grassroots": None,
                "autonomous": {"behaviour": "autonomous", "count": 20_000},
            },
            "workshops.mix": {"autonomous": 1.0},
            "network.type": "erdos_renyi",
            "network.mean_degree": 6,
        }
    )
    graph = build_graph(params, np.random.default_rng(2))
    assert abs(2 * graph.sources.size / 20_000 - 6) < 0.1


def test_config_defined_kinds_reuse_a_behaviour():
    params = {
        "kinds.religious_leaders": {"behaviour": "elite", "count": 5, "standing": {"mean": 0.6, "sd": 0.05}},
        "workshops.mix": {"elite": 0.4, "autonomous": 0.4, "religious_leaders": 0.2},
    }
    model = TrackTwoModel(params, seed=1)
    leaders = np.flatnonzero(model.kind_of == "religious_leaders")
    assert leaders.size == 10 and set(model.behaviour[leaders]) == {"elite"}
    assert all(type(model.actors[i]).__name__ == "InfluentialElite" for i in leaders)
    assert abs(model.standing[leaders].mean() - 0.6) < 0.1
    record = _next_workshop(model, 3)
    assert (model.kind_of[record.participants] == "religious_leaders").sum() in (2, 3)


def test_a_staged_ripe_window_holds_then_ends():
    model = TrackTwoModel({"ripeness.mode": "off", "steps": 30}, seed=1)
    for _ in range(5):
        model.step()
    model.stage_ripe_window(4)
    model.run()
    ripe = np.array(model.ripe_history, dtype=bool)
    assert ripe[5:9].all() and not ripe[:5].any() and not ripe[9:].any()
    assert model.ripeness.windows_opened == 1
