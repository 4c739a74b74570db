"""Schedule entries, formats and routes as removable components: common random numbers for the new Track Two."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_evaluation_model import _histories, _run
from tracktwo.model import ConfigError, make_params, simulate
from tracktwo.model.families import family
from tracktwo.model.metrics import outcomes

# Every draw of the new Track Two is in play: declines (a private citizen reaches few officials, Track 1.5 rooms
# invite them), replacements (a coordinated second initiative), voice, outreach to Track Three, a shuttle's
# carrying and a knowledge product. The exposure trip in month 14 changes nothing (no cut in aversion, no trust,
# no co-optation).
EVERY_DRAW = {
    "steps": 48,
    "mode": "track1.5",
    "programme.third_party": {"type": "private_citizen"},
    "programme.events": [
        {"format": "training", "step": 2},
        {"format": "workshop", "step": 5, "count": 6, "interval": 4},
        {"format": "exposure_trip", "step": 14, "audience": "officials"},
        {"format": "shuttle", "step": 20},
        {"format": "knowledge_product", "step": 30},
    ],
    "formats.trip_aversion_cut": 0.0,
    "formats.trip_trust_gain": 0.0,
    "formats.trip_cooptation": 0.0,
    "voice.weights": {"kind_elite": 0.4},
    "initiatives": [{"name": "other", "workshops": {"first_step": 3, "interval": 6, "count": 6}}],
    "competition.coordination": "coordinated",
}
TRIP = "event:3"


def _without_the_trip() -> dict:
    events = [e for e in EVERY_DRAW["programme.events"] if e["format"] != "exposure_trip"]
    return {**EVERY_DRAW, "programme.events": events}


@pytest.mark.parametrize("seed", [61, 62, 63])
def test_an_event_that_changes_nothing_leaves_every_draw_of_the_run_as_it_was(seed):
    """Removing the trip, or leaving it out of the schedule, meets the same luck in every later event."""
    full = _run(EVERY_DRAW, seed)
    removed = _run({**EVERY_DRAW, "evaluation.removed": [TRIP]}, seed)
    left_out = _run(_without_the_trip(), seed)
    log = full.programme.log
    assert any(row["format"] == "knowledge_product" for row in log)
    assert full.programme.declined > 0, "invitees declined"
    mine = _histories(full)
    assert _histories(removed) == mine
    assert _histories(left_out) == mine
    assert sum(len(v) for v in mine.values()) > 200, "ideas travelled"
    assert (full.programme.trip_until >= 0).any() and (removed.programme.trip_until < 0).all()


def test_removing_an_event_that_matters_changes_the_run():
    """The same removal of the training (standing and skills for later rooms) does reach the others."""
    seed = 61
    full = _histories(_run(EVERY_DRAW, seed))
    cut = _histories(_run({**EVERY_DRAW, "evaluation.removed": ["event:1"]}, seed))
    shared = set(full) & set(cut)
    assert any(full[k] != cut[k] for k in shared)


def test_a_format_removes_every_entry_of_it_and_keeps_the_meeting_numbers():
    config = {**EVERY_DRAW, "initiatives": []}
    full = _run(config, 5)
    cut = _run({**config, "evaluation.removed": ["format:workshop"]}, 5)
    held = {r.number: r.format for r in full.series.records}
    kept = {r.number: r.format for r in cut.series.records}
    assert "workshop" in held.values() and "workshop" not in kept.values()
    assert kept == {n: f for n, f in held.items() if f != "workshop"}, "the others keep their numbers"
    assert cut.programme.outcomes()["trainings_held"] == full.programme.outcomes()["trainings_held"] == 1


def test_families_of_a_schedule_name_its_entries_formats_and_routes():
    params = make_params(EVERY_DRAW)
    events = family(params, "events")
    assert [k for k, _ in events] == [f"event:{n}" for n in range(1, 6)]
    assert events[1][1] == "Event 2: 6 workshops from month 5"
    assert [k for k, _ in family(params, "formats")] == [
        "format:training",
        "format:workshop",
        "format:exposure_trip",
        "format:shuttle",
        "format:knowledge_product",
    ]
    assert [k for k, _ in family(params, "routes")] == [
        "route:via_elites",
        "route:via_autonomous",
        "route:via_track_three",
        "route:via_track_1_5",
    ]
    regular = family(make_params({}), "events")
    assert regular == [("event:1", "Event 1: 20 workshops from month 3")]


ROUTE_SEEDS = range(20100, 20130)  # 30 seeds, disjoint from the calibration seeds


@pytest.mark.slow
@pytest.mark.parametrize(
    ("route", "config"),
    [
        ("via_elites", {}),
        ("via_autonomous", {"workshops.mix": {"autonomous": 1.0}}),
        ("via_track_three", {"workshops.mix": {"autonomous": 0.5, "grassroots": 0.5}}),
        ("via_track_1_5", {"mode": "track1.5"}),
    ],
)
def test_a_closed_route_carries_nothing_and_costs_what_it_carried(route, config):
    """Closing a route: no idea enters Track One by it, and, over 30 seeds, fewer ideas enter in all."""
    base = make_params({"steps": 60, **config})
    closed = make_params({"steps": 60, **config, "evaluation.removed": [f"route:{route}"]})
    open_, shut, carried = [], [], 0
    for seed in ROUTE_SEEDS:
        full, cut = simulate(base, seed).outcomes, simulate(closed, seed).outcomes
        assert cut[f"transfers_{route}"] == 0
        carried += full[f"transfers_{route}"]
        open_.append(full["ideas_transferred"])
        shut.append(cut["ideas_transferred"])
    assert carried > 0, "the route carries ideas when open"
    difference = np.array(open_) - np.array(shut)
    assert stats.wilcoxon(difference, alternative="greater", zero_method="zsplit").pvalue < 0.01


def test_bad_event_format_and_route_keys_are_refused_in_one_line():
    for key in ("event:0", "format:dinner", "route:via_pigeons"):
        with pytest.raises(ConfigError, match="is not workshop:N, event:N"):
            make_params({"evaluation.removed": [key]})


@pytest.mark.parametrize("seed", [71, 72])
def test_attribution_of_entries_formats_and_routes_reads_the_record(seed):
    """An entry's meetings bore what the meeting components bore; a format is its entries'; routes part the impact."""
    meetings = [k for k, _ in family(make_params(EVERY_DRAW), "workshops")]
    entries = [f"event:{n}" for n in range(1, 6)]
    formats = [k for k, _ in family(make_params(EVERY_DRAW), "formats")]
    routes = [k for k, _ in family(make_params(EVERY_DRAW), "routes")]
    keys = meetings + entries + formats + routes
    model = _run({**EVERY_DRAW, "evaluation.record": True, "evaluation.attribute": keys}, seed)
    o = outcomes(model)
    assert o["ideas_transferred"] > 0
    footprints = model.programme.footprints
    for n in range(len(entries)):
        numbers = footprints[n].meetings if n in footprints else []
        born = sum(o[f"chain_impact_workshop_{m + 1}"] for m in numbers)
        assert o[f"chain_impact_event_{n + 1}"] >= born - 1e-12
        if EVERY_DRAW["programme.events"][n]["format"] in ("training", "workshop", "shuttle"):
            assert o[f"chain_impact_event_{n + 1}"] == pytest.approx(born)
    assert o["chain_impact_event_3"] >= 0 and o["chain_impact_format_exposure_trip"] == o["chain_impact_event_3"]
    assert o["chain_impact_format_workshop"] == o["chain_impact_event_2"]
    routed = sum(o[f"chain_impact_{k.replace(':', '_')}"] for k in routes)
    programme = o["impact"]
    assert routed <= programme + 1e-9 and routed >= programme - o.get("transfers_direct", 0) - 1e-9
