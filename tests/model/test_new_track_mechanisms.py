"""Each mechanism of the "new" Track Two in isolation, with exact expectations where the law allows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tracktwo.model import ConfigError, TrackTwoModel, make_params, simulate
from tracktwo.model.thirdparty import attendance, candour_factor, facilitated_params, partiality, trust_bonus

QUIET = {"workshops.confidentiality": 1.0, "workshops.standing_gain": 0.0}  # no leaks, no standing from workshops


def run_to(overrides: dict, steps: int, seed: int = 5) -> TrackTwoModel:
    model = TrackTwoModel(make_params({"steps": steps, **overrides}), seed)
    model.run()
    return model


def test_training_raises_standing_and_skill_by_its_gains() -> None:
    overrides = {**QUIET, "programme.events": [{"format": "training", "step": 2}], "formats.training_idea_factor": 0.0}
    before = TrackTwoModel(make_params({"steps": 2, **overrides}), 5)
    start = before.standing.copy()
    before.run()
    who = before.series.records[0].participants
    expected = start[who] + 0.5 * (1.0 - start[who])
    np.testing.assert_allclose(before.standing[who], expected)
    others = np.setdiff1d(np.arange(before.n_actors), who)
    np.testing.assert_array_equal(before.standing[others], start[others])
    np.testing.assert_allclose(before.programme.skill[who], 0.5)
    assert before.series.records[0].ideas.size == 0  # a training with idea factor 0 yields no ideas


def test_trained_rooms_are_more_candid_by_the_skill_factor() -> None:
    events = [{"format": "workshop", "step": 2}]
    plain = run_to({**QUIET, "programme.events": events}, 2)
    skilled = TrackTwoModel(make_params({"steps": 2, **QUIET, "programme.events": events}), 5)
    skilled.programme.skill[:] = 0.5
    skilled.run()
    factor = 1.0 + skilled.params.formats.skill_candour_gain * 0.5
    assert skilled.series.records[0].candour == pytest.approx(min(1.0, plain.series.records[0].candour * factor))


def product_after_a_workshop(standing: float) -> dict:
    """A workshop in month 2 and a knowledge product in month 3, every participant of this standing."""
    fixed = {"mean": standing, "sd": 0.0}
    return {
        **QUIET,
        "programme.events": [{"format": "workshop", "step": 2}, {"format": "knowledge_product", "step": 3}],
        "kinds.autonomous.standing": fixed,
        "kinds.elite.standing": fixed,
    }


def test_a_knowledge_product_reaches_every_official_at_full_reach_credibility_and_trust() -> None:
    overrides = {
        **product_after_a_workshop(standing=0.0),
        "diffusion.official_aversion_unripe": 0.0,
        "diffusion.official_aversion_ripe": 0.0,
        "formats.product_reach": 1.0,
        "formats.product_credibility": 1.0,
        "formats.product_ideas": 1,
        "kinds.official.trust": {"mean": 1.0, "sd": 0.0},
        "workshops.idea_rate": 30.0,
        "forgetting.rate": 0.0,
    }
    model = run_to(overrides, 3)
    carried = model.series.records[0].ideas
    officials = model.members["official"]
    assert any(model.ideas.holds[officials, idea].all() for idea in carried.tolist())


def test_officials_who_distrust_the_co_authors_are_not_convinced_and_close_to_the_idea() -> None:
    overrides = {
        **product_after_a_workshop(standing=0.9),
        "formats.product_reach": 1.0,
        "formats.product_credibility": 1.0,
        "formats.product_ideas": 1,
        "kinds.official.trust": {"mean": 0.0, "sd": 0.0},
        "workshops.idea_rate": 30.0,
    }
    model = run_to(overrides, 3)
    officials = model.members["official"]
    (closures,) = model.programme.closures
    idea = int(closures.ideas[0])
    assert not model.ideas.holds[officials, idea].any()  # trust 0 of the other side: nobody is convinced
    np.testing.assert_array_equal(np.sort(closures.actors), officials)  # every reader refused it
    assert (closures.ideas == idea).all() and (closures.until == 3 + 12).all()
    ideas = np.full(officials.size, idea)
    assert not model.programme.open_to(officials, ideas, 15).any()  # closed through month 15 ...
    assert model.programme.open_to(officials, ideas, 16) is None  # ... and open again after


def test_without_closure_a_product_closes_nobody() -> None:
    overrides = {
        **product_after_a_workshop(standing=0.9),
        "formats.product_reach": 1.0,
        "formats.product_closure_months": 0,
        "workshops.idea_rate": 30.0,
    }
    model = run_to(overrides, 3)
    assert model.programme.closures == []
    assert model.programme.log[-1]["officials_closed"] == 0


def test_a_one_sided_local_team_costs_the_other_side_trust_in_the_room() -> None:
    hybrid = {"programme.third_party": {"facilitation": "hybrid", "local_one_sidedness": 0.75, "local_side": 2}}
    np.testing.assert_allclose(partiality(make_params(hybrid).programme.third_party, 3), [0.75, 0.0, 0.75])
    even = make_params({"programme.third_party": {"facilitation": "local", "local_one_sidedness": 0.0}})
    assert partiality(even.programme.third_party, 2) is None
    assert partiality(make_params({}).programme.third_party, 2) is None  # an outside team is partial to nobody
    events = {**QUIET, "programme.events": [{"format": "workshop", "step": 2}]}
    candour = {}
    for sidedness in (0.0, 1.0):
        team = {"programme.third_party": {"facilitation": "hybrid", "local_one_sidedness": sidedness}}
        candour[sidedness] = run_to({**events, **team}, 2).series.records[0].candour
    assert candour[1.0] < candour[0.0]


def test_a_local_team_from_a_side_that_does_not_exist_gets_one_line() -> None:
    with pytest.raises(ConfigError, match=r"third_party\.local_side: side 3 does not exist; sides are numbered 1\.\.2"):
        simulate({"programme.third_party": {"facilitation": "hybrid", "local_side": 3}, "steps": 2}, 0)


def test_an_exposure_trip_cuts_aversion_for_its_months_and_builds_trust() -> None:
    overrides = {
        "workshops.count": 0,
        "ripeness.mode": "off",
        "programme.events": [{"format": "exposure_trip", "step": 2}],
        "formats.trip_months": 3,
    }
    model = TrackTwoModel(make_params({"steps": 8, **overrides}), 5)
    trust = model.trust.copy()
    model.step()
    model.step()  # the trip, in month 2
    away = np.flatnonzero(model.programme.trip_until >= 0)
    assert away.size == model.params.formats.trip_size and set(model.behaviour[away]) == {"official"}
    other = 1 - model.side[away]
    expected = trust[away, other] + 0.3 * (1.0 - trust[away, other])
    np.testing.assert_allclose(model.trust[away, other], expected)
    base = model.params.diffusion.official_aversion_unripe
    model.step()  # month 3: the cut applies
    np.testing.assert_allclose(model.aversion[away], base * (1.0 - 0.7))
    for _ in range(3):
        model.step()  # months 4, 5 still cut; month 6 back to the rule
    np.testing.assert_allclose(model.aversion[away], base)


def test_shuttle_meets_one_side_at_a_time_and_carries_ideas_across() -> None:
    overrides = {**QUIET, "programme.events": [{"format": "shuttle", "step": 2}], "formats.shuttle_carry": 1.0}
    model = run_to({**overrides, "workshops.idea_rate": 20.0}, 2)
    first, second = model.series.records
    assert set(model.side[first.participants]) == {0} and set(model.side[second.participants]) == {1}
    for record, others in ((first, second.participants), (second, first.participants)):
        assert record.ties_created == 0
        for idea in record.ideas.tolist():
            assert model.ideas.holds[others, idea].all()


def test_third_party_types_and_teams_set_integrity_conditions_candour_and_trust() -> None:
    params = make_params({"workshops.funder_conditionality": 0.8})
    assert facilitated_params(params, params.workshops, params.programme.third_party) is params
    ngo = make_params(
        {"programme.third_party": {"type": "ngo_mediator", "facilitation": "local"}}
    ).programme.third_party
    seen = facilitated_params(params, params.workshops, ngo).workshops
    assert seen.facilitator_integrity == pytest.approx(0.9 * 0.95 * 0.8)
    assert seen.funder_conditionality == pytest.approx(1.0)  # 0.8 x 1.5, capped
    assert candour_factor(ngo) == pytest.approx(1.0 + 0.3 * 0.6)
    assert trust_bonus(ngo) == 0.3
    hybrid = make_params({"programme.third_party": {"type": "ngo_mediator", "facilitation": "hybrid"}})
    assert facilitated_params(
        params, params.workshops, hybrid.programme.third_party
    ).workshops.facilitator_integrity == (pytest.approx(0.9 * 0.95))
    declining = make_params({"programme.third_party.decline_below": 0.5}).programme.third_party
    assert attendance(declining, 0.6) == 1.0 and attendance(declining, 0.25) == pytest.approx(0.5)


def test_accepting_conditions_costs_reputation_per_meeting_until_the_series_ends() -> None:
    overrides = {
        **QUIET,
        "workshops.funder_conditionality": 1.0,
        "workshops.facilitator_policy": "accept",
        "programme.third_party.conditions_reputation_loss": 0.1,
    }
    model = run_to(overrides, 40)
    assert model.programme.initiatives[0].reputation == pytest.approx(1.0 - 0.1 * len(model.series.records))
    ending = run_to({**overrides, "programme.third_party.decline_below": 0.95}, 120)
    outcomes = simulate({**overrides, "programme.third_party.decline_below": 0.95, "steps": 120}, 5).outcomes
    assert ending.programme.initiatives[0].ended is not None and outcomes["series_ended"] == 1
    assert outcomes["workshops_held"] < 20 and outcomes["invitations_declined"] > 0


def test_voice_zero_leaves_a_group_present_but_without_authorship() -> None:
    outcomes = simulate({"voice.weights": {"kind_elite": 0.0}, "steps": 120}, 7).outcomes
    assert outcomes["seat_share_kind_elite"] > 0.3
    assert outcomes["authorship_share_kind_elite"] == 0.0 and outcomes["author_share_kind_elite"] == 0.0


def test_every_idea_keeps_an_author_when_nobody_has_voice() -> None:
    model = run_to({"voice.weights": {"kind_elite": 0.0, "kind_autonomous": 0.0}}, 20)
    ideas = model.ideas
    for record in model.series.records:
        for idea in record.ideas.tolist():
            assert (ideas.source[:, idea] == -1).sum() - (ideas.first_adopted[:, idea] < 0).sum() >= 1


def test_two_uncoordinated_initiatives_never_seat_one_person_twice_in_a_month() -> None:
    second = [{"name": "B", "workshops": {"mix": {"elite": 1.0}}}]
    model = run_to({"workshops.mix": {"elite": 1.0}, "initiatives": second}, 40)
    by_step = pd.Series([r.participants for r in model.series.records], index=[r.step for r in model.series.records])
    for step in set(by_step.index):
        rooms = by_step.loc[[step]].tolist()
        seats = np.concatenate(rooms)
        assert np.unique(seats).size == seats.size
    assert model.programme.declined > 0 and model.programme.duplicates > 0


def test_coordinated_initiatives_meet_in_different_months_and_share_results() -> None:
    second = [{"name": "B", "workshops": {"mix": {"elite": 1.0}}}]
    model = run_to(
        {"workshops.mix": {"elite": 1.0}, "initiatives": second, "competition.coordination": "coordinated"}, 40
    )
    steps = [r.step for r in model.series.records]
    assert len(steps) == len(set(steps)) and model.programme.duplicates == 0


def test_proscribed_members_come_only_with_access_and_risk_the_funding() -> None:
    closed = simulate(
        {"kinds.elite.proscribed": 1.0, "programme.third_party.profiles.scholar_practitioner.armed_group_access": 0.0},
        3,
    )
    assert closed.outcomes["proscribed_engaged"] == 0
    assert (
        closed.model.behaviour[np.concatenate([r.participants for r in closed.model.series.records])] != "elite"
    ).all()
    risky = simulate(
        {
            "kinds.elite.proscribed": 1.0,
            "programme.third_party.profiles.scholar_practitioner.armed_group_access": 1.0,
            "proscribed.withdrawal_risk": 1.0,
            "workshops.mix": {"elite": 1.0},
        },
        3,
    )
    assert risky.outcomes["funding_withdrawn"] == 1 and risky.outcomes["workshops_held"] == 1


def test_linking_track_three_makes_local_agreements_that_one_side_cannot() -> None:
    ngo = {"programme.third_party.type": "ngo_mediator", "steps": 60}
    assert simulate(ngo, 4).outcomes["local_agreements"] > 0
    one_side = simulate({**ngo, "sides": 1}, 4).outcomes
    assert one_side["local_agreements"] == 0


def test_with_every_feature_on_the_same_seed_gives_the_same_run() -> None:
    everything = {
        "programme.third_party": {"type": "ngo_mediator", "facilitation": "hybrid", "decline_below": 0.5},
        "programme.events": [
            {"format": "training", "step": 2},
            {"format": "workshop", "step": 6, "count": 6, "interval": 4, "mode": "track1.5"},
            {"format": "shuttle", "step": 8},
            {"format": "exposure_trip", "step": 12},
            {"format": "knowledge_product", "step": 20},
        ],
        "initiatives": [{"name": "B", "third_party": {"type": "private_citizen"}}],
        "voice.weights": {"kind_autonomous": 0.5},
        "kinds.elite.proscribed": 0.2,
        "steps": 40,
    }
    first, again, other = simulate(everything, 11), simulate(everything, 11), simulate(everything, 12)
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.events, again.events)
    assert not first.timeseries.equals(other.timeseries)
