"""What evaluation needs from the model: event-keyed randomness, rival sources, the full record, removals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from tracktwo.model import ConfigError, TrackTwoModel, make_params, simulate
from tracktwo.model.ideas import ORIGINS
from tracktwo.model.randomness import EventRandomness

# A workshop here touches nothing but its own ideas: one cohort at every workshop (so no workshop
# shapes who comes to the next), no trust, standing, ties or leaks carried to later workshops or to
# the officials, and no ripeness (which every idea would move).
COHORT = [f"elite-1-{i}" for i in (20, 21, 22)] + [f"autonomous-1-{i}" for i in (35, 36, 37)]
COHORT += [f"elite-2-{i}" for i in (140, 141, 142)] + [f"autonomous-2-{i}" for i in (155, 156, 157)]
ISOLATED_WORKSHOPS = {
    "workshops.participants": COHORT,
    "workshops.trust_gain": 0.0,
    "workshops.standing_gain": 0.0,
    "workshops.tie_formation": 0.0,
    "workshops.confidentiality": 1.0,
    "workshops.retention": 0.0,
    "diffusion.official_trust_gain": 0.0,
    "ripeness.mode": "off",
    "steps": 80,
}


def _histories(model: TrackTwoModel) -> dict[int, list[tuple[int, int, int]]]:
    """Per idea key: every adoption (actor, step, source) and every holding at the end, in order."""
    ideas, actors, steps, sources = model.ideas.adoption_log()
    keys = model.ideas.key[ideas]
    history: dict[int, list[tuple[int, int, int]]] = {}
    for key, actor, step, source in zip(keys.tolist(), actors.tolist(), steps.tolist(), sources.tolist(), strict=True):
        history.setdefault(key, []).append((actor, step, source))
    for column in range(model.ideas.count):
        held = np.flatnonzero(model.ideas.holds[:, column]).tolist()
        history.setdefault(int(model.ideas.key[column]), []).append((-9, len(held), sum(held)))
    return history


def _run(overrides: dict, seed: int) -> TrackTwoModel:
    model = TrackTwoModel(make_params(overrides), seed)
    model.run()
    return model


@pytest.mark.parametrize("seed", [31, 32, 33])
def test_removing_a_workshop_leaves_every_other_ideas_history_identical(seed):
    """Common random numbers keyed by event: a counterfactual meets the same luck wherever the change does not reach."""
    full = _run(ISOLATED_WORKSHOPS, seed)
    produced = [r.number for r in full.series.records if r.ideas.size]
    removed = produced[len(produced) // 2]
    without = _run({**ISOLATED_WORKSHOPS, "evaluation.removed": [f"workshop:{removed + 1}"]}, seed)
    assert removed not in [r.number for r in without.series.records]
    mine, theirs = _histories(full), _histories(without)
    gone = {k for k in mine if (k >> 20) & 0xFFFFFFFFF == removed and k >> 56 == ORIGINS.index("workshop")}
    assert gone and not gone & set(theirs), "the removed workshop's ideas are gone"
    assert {k: v for k, v in mine.items() if k not in gone} == theirs
    assert sum(len(v) for v in theirs.values()) > 100, "the other ideas did travel"


def test_removing_a_workshop_that_matters_changes_the_others():
    """The same removal where workshops build trust and ties does reach other ideas (the test above can fail)."""
    seed = 31
    full = _run({"steps": 80}, seed)
    removed = next(r.number for r in full.series.records if r.ideas.size)
    without = _run({"steps": 80, "evaluation.removed": [f"workshop:{removed + 1}"]}, seed)
    mine, theirs = _histories(full), _histories(without)
    shared = set(mine) & set(theirs)
    assert any(mine[k] != theirs[k] for k in shared)


def test_event_uniforms_are_uniform_independent_and_keyed():
    randomness = EventRandomness(7)
    actors = np.arange(50_000)
    first = randomness.uniforms("adoption", 3, actors, np.array([11, 12], dtype=np.uint64), actors % 2)
    again = EventRandomness(7).uniforms("adoption", 3, actors, np.array([11, 12], dtype=np.uint64), actors % 2)
    other_step = randomness.uniforms("adoption", 4, actors, np.array([11, 12], dtype=np.uint64), actors % 2)
    other_class = randomness.uniforms("credit", 3, actors, np.array([11, 12], dtype=np.uint64), actors % 2)
    assert np.array_equal(first, again)
    assert stats.kstest(first, "uniform").pvalue > 0.001
    for other in (other_step, other_class, EventRandomness(8).uniforms("adoption", 3, actors)):
        assert abs(stats.pearsonr(first, other).statistic) < 0.03
    subset = randomness.uniforms("adoption", 3, actors[::7], np.array([11, 12], dtype=np.uint64), (actors % 2)[::7])
    assert np.array_equal(subset, first[::7]), "a draw depends on its event only, not on which others are drawn"


def test_rival_sources_are_off_by_default_and_lower_attribution_when_on():
    seeds = range(40, 70)
    off = [simulate({"steps": 80}, seed=s).outcomes for s in seeds]
    assert all(o["transfers_from_track_one"] == o["transfers_from_outside"] == 0 for o in off)
    assert all(np.isnan(o["share_impact_from_programme"]) or o["share_impact_from_programme"] == 1.0 for o in off)
    on = [
        simulate({"steps": 80, "rivals.track_one_rate": 0.2, "rivals.outside_rate": 0.1}, seed=s).outcomes
        for s in seeds
    ]
    rivals = np.array([o["transfers_from_track_one"] + o["transfers_from_outside"] for o in on])
    assert (rivals > 0).mean() > 0.8
    shares = np.array([o["share_impact_from_programme"] for o in on])
    shares = shares[~np.isnan(shares)]
    assert shares.max() <= 1.0 and stats.wilcoxon(shares - 1.0, alternative="less").pvalue < 0.001
    # Track One's own ideas are of low novelty: far below the programme's
    model = _run({"steps": 80, "rivals.track_one_rate": 0.5}, 41)
    origin, novelty = model.ideas.origin[: model.ideas.count], model.ideas.novelty[: model.ideas.count]
    own, programme = novelty[origin == ORIGINS.index("track_one")], novelty[origin == ORIGINS.index("workshop")]
    assert stats.mannwhitneyu(own, programme, alternative="less").pvalue < 0.001


def test_every_idea_has_its_own_key_even_two_rivals_born_in_one_month():
    """Rival ideas of one origin born in the same month are numbered within it, so their keyed draws differ
    (each used to be created alone, so two of them shared a key and hence every draw)."""
    model = _run({"steps": 80, "rivals.track_one_rate": 2.0, "rivals.outside_rate": 1.0}, 43)
    count = model.ideas.count
    origin, step = model.ideas.origin[:count], model.ideas.origin_step[:count]
    rival = origin != ORIGINS.index("workshop")
    same_month = np.unique(np.stack([origin[rival], step[rival]]), axis=1, return_counts=True)[1]
    assert same_month.max() >= 2, "the rates make several rivals of one origin in some month"
    assert np.unique(model.ideas.key[:count]).size == count


@pytest.mark.parametrize(("seed", "overrides"), [(51, {}), (52, {"sides": 3}), (53, {"rivals.outside_rate": 0.2})])
def test_record_trees_are_valid(seed, overrides):
    """Each hop is a tie, steps increase from the authors, and the trees end at the officials who counted, per side."""
    model = _run({"evaluation.record": True, **overrides}, seed)
    record, ideas = model.record, model.ideas
    assert record.counted, "some idea entered Track One"
    hops = record.trees(ideas)
    for idea, by_side in record.counted.items():
        assert set(by_side) == set(model.transfer.needed.tolist())
        for side, officials in by_side.items():
            share = officials.size / model.officials_by_side[side].size
            assert share >= model.params.transfer.threshold - 1e-12
            assert (model.behaviour[officials] == "official").all() and (model.side[officials] == side).all()
            mine = [h for h in hops if h.idea == idea and h.side == side]
            adopters = {h.adopter for h in mine}
            for official in officials.tolist():  # every counted official is reached by the tree, or is an author
                assert official in adopters or ideas.source[official, idea] < 0
            for hop in mine:
                assert model.ties[hop.source, hop.adopter] == 1, "each hop is a tie"
                assert ideas.first_adopted[hop.source, idea] < hop.step, "steps increase along the tree"
                assert ideas.first_adopted[hop.adopter, idea] == hop.step
                assert hop.step <= ideas.entered_step[idea]
            roots = {h.source for h in mine} - adopters
            assert all(ideas.source[r, idea] < 0 for r in roots), "the trees start at the idea's authors"
    steps, advocates, receivers, exposed = record.exposures()
    assert steps.size > len(hops)
    assert (model.ties[advocates, receivers] == 1).all()
    assert (ideas.first_adopted[receivers, exposed] == steps).all(), "only first adoptions' exposures are kept"
    credited = ideas.adoption_log()
    first = {
        (i, a, s, src)
        for i, a, s, src in zip(*(x.tolist() for x in credited), strict=True)
        if src >= 0 and ideas.first_adopted[a, i] == s
    }
    exposures = set(zip(exposed.tolist(), receivers.tolist(), steps.tolist(), advocates.tolist(), strict=True))
    assert first <= exposures, "every credited first adoption was an exposure"
    assert {(h.idea, h.adopter, h.step, h.source) for h in hops} <= exposures, "every hop of a chain was an exposure"
    assert len(exposures) == steps.size, "each exposure is kept once"


def test_record_keeps_the_drivers_share_of_each_opening():
    model = _run({"evaluation.record": True, "kinds.grassroots.count": 120}, 60)
    openings = model.record.openings
    assert len(openings) == model.ripeness.windows_opened - int(model.params.ripeness.initially_ripe)
    for opening in openings:
        assert sum(opening.shares.values()) == pytest.approx(1.0)
        assert opening.driver in opening.shares and opening.hazard > 0


def test_the_record_changes_no_outcome():
    plain = simulate({"steps": 60}, seed=5).outcomes
    recorded = simulate({"steps": 60, "evaluation.record": True}, seed=5).outcomes
    assert plain == recorded


def test_removed_participants_are_never_invited():
    ids = TrackTwoModel({}, seed=3).population.ids
    full = _run({"steps": 60}, 3)
    regulars = np.flatnonzero(full.series.meetings >= 2)[:3]
    removed = [f"actor:{ids[i]}" for i in regulars]
    without = _run({"steps": 60, "evaluation.removed": removed}, 3)
    assert not without.series.participated[regulars].any()
    assert without.series.participated.sum() >= full.series.participated.sum() - 3, "their seats went to others"
    elites = _run({"steps": 60, "evaluation.removed": ["group:kind=elite"]}, 3)
    assert not elites.series.participated[elites.kind_of == "elite"].any()
    nobody = _run({"steps": 60, "evaluation.removed": ["group:kind=elite", "group:kind=autonomous"]}, 3)
    # nobody left to invite: each workshop is held empty (the budget spent, no ideas: the empty-room rule of 7.1)
    assert nobody.series.records and not any(r.participants.size for r in nobody.series.records)
    assert nobody.ideas.generated == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evaluation.removed": ["workshop:0"]}, "workshop:N"),
        ({"evaluation.removed": ["person:A"]}, "workshop:N"),
        ({"evaluation.attribute": ["workshop:1"]}, "needs evaluation.record"),
    ],
)
def test_bad_components_are_refused_in_one_line(overrides, message):
    with pytest.raises(ConfigError, match=message):
        make_params(overrides)


def test_unknown_actor_or_column_is_refused_naming_it():
    with pytest.raises(ConfigError, match="no actor has id 'nobody'"):
        TrackTwoModel({"evaluation.removed": ["actor:nobody"]}, seed=0)
    with pytest.raises(ConfigError, match="group column 'gender' is not in the actor map"):
        TrackTwoModel({"evaluation.removed": ["group:gender=f"]}, seed=0)


SCHEDULE = {
    "steps": 40,
    "programme.events": [
        {"format": "training", "step": 2, "count": 2, "interval": 3},
        {"format": "workshop", "step": 10, "count": 3, "interval": 5},
        {"format": "shuttle", "step": 30},
    ],
    "initiatives": [{"name": "other", "events": [{"format": "workshop", "step": 4, "count": 3, "interval": 6}]}],
}


def test_every_meeting_of_a_schedule_is_numbered_and_removable():
    """Meetings of every initiative share the run's numbering; removing one keeps the others' numbers and luck."""
    full = _run(SCHEDULE, 4)
    numbers = [r.number for r in full.series.records]
    scheduled = full.programme.meetings_scheduled()
    assert numbers == list(range(len(numbers))) == list(range(len(scheduled)))
    assert [(r.step, r.format) for r in full.series.records] == [(step, kind) for step, _, kind in scheduled]
    assert scheduled[:3] == [
        (2, "main programme", "training"),
        (4, "other", "workshop"),
        (5, "main programme", "training"),
    ]
    cut = _run({**SCHEDULE, "evaluation.removed": ["workshop:2"]}, 4)
    assert [r.number for r in cut.series.records] == [n for n in numbers if n != 1]
    first, again = full.series.records[0], cut.series.records[0]
    assert np.array_equal(first.participants, again.participants) and first.ideas.size == again.ideas.size


def test_removed_actors_are_invited_by_no_initiative_and_go_on_no_trip():
    trip = {"format": "exposure_trip", "step": 12, "audience": "track_two", "size": 400}
    config = {**SCHEDULE, "programme.events": [*SCHEDULE["programme.events"], trip]}
    elites = _run({**config, "evaluation.removed": ["group:kind=elite"]}, 4)
    assert not elites.series.participated[elites.kind_of == "elite"].any()
    assert (elites.programme.trip_until[elites.kind_of == "elite"] < 0).all()
    assert (elites.programme.trip_until[elites.kind_of == "autonomous"] >= 0).any(), "the others travel"
