"""Property-based fuzzing of the model itself on tiny, lopsided conflicts: any population, mix, mode and subset
of sides convened is either refused with a ConfigError or runs to the end with finite, bounded outcomes.

This is the property that found the empty-room crash (seats only for kinds a convened side lacks). Budget: the
`ci` profile tries 40 conflicts; TRACKTWO_FUZZ=long (or TRACKTWO_FUZZ_EXAMPLES=N) runs the long search.
"""

from __future__ import annotations

import math

import pytest
from fuzz_budget import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from tracktwo.model import ConfigError, simulate

KINDS = ("official", "elite", "autonomous", "grassroots")
FORMATS = ("workshop", "training", "knowledge_product", "exposure_trip", "shuttle")
THIRD_PARTIES = ("scholar_practitioner", "ngo_mediator", "private_citizen")
STEPS = 8


@st.composite
def tiny_conflicts(draw: st.DrawFn) -> dict:
    sides = draw(st.integers(1, 3))
    counts = {kind: draw(st.integers(0, 3)) for kind in KINDS}
    invited = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4, unique=True))
    weights = [draw(st.integers(1, 9)) for _ in invited]
    convened = draw(st.none() | st.lists(st.integers(1, sides), min_size=1, max_size=sides, unique=True))
    config = {
        "steps": STEPS,
        "sides": sides,
        "mode": draw(st.sampled_from(["track2", "track1.5", "backchannel"])),
        "kinds": {kind: {"count": count} for kind, count in counts.items()},
        "workshops": {
            "mix": {kind: weight / sum(weights) for kind, weight in zip(invited, weights, strict=True)},
            "size": draw(st.integers(2, 6)),
            "sides": convened,
            "first_step": 1,
            "interval": draw(st.integers(1, 3)),
            "retention": draw(st.sampled_from([0.0, 0.5, 1.0])),
        },
        "transfer": {"sides_without_officials": draw(st.sampled_from(["error", "not_needed"]))},
        "ripeness": {"mode": draw(st.sampled_from(["endogenous", "off"]))},
    }
    if draw(st.booleans()):  # the new Track Two: a schedule of formats, its third party, perhaps a second initiative
        events = st.fixed_dictionaries(
            {"format": st.sampled_from(FORMATS), "step": st.integers(1, STEPS)},
            optional={"count": st.integers(1, 3), "size": st.integers(2, 6), "mix": st.just({invited[0]: 1.0})},
        )
        config["programme"] = {
            "third_party": {"type": draw(st.sampled_from(THIRD_PARTIES)), "facilitation": "hybrid"},
            "events": draw(st.lists(events, min_size=1, max_size=3)),
        }
        if draw(st.booleans()):
            config["initiatives"] = [{"name": "Second", "workshops": {"first_step": 2, "interval": 2, "count": 3}}]
    return config


@pytest.mark.filterwarnings("error::RuntimeWarning")  # numpy's mean of nothing, 0/0: an unguarded empty case
@fuzz_settings(ci_examples=40)
@given(config=tiny_conflicts(), seed=st.integers(0, 2**32 - 1))
def test_any_tiny_conflict_is_refused_cleanly_or_runs_to_finite_outcomes(config: dict, seed: int) -> None:
    try:
        result = simulate(config, seed=seed)
    except ConfigError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) < 300
        return
    assert len(result.timeseries) == STEPS
    numbers = {k: v for k, v in result.outcomes.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    assert all(math.isfinite(v) or math.isnan(v) for v in numbers.values()), numbers
    assert 0 <= numbers["ideas_transferred"] <= numbers["ideas_generated"]
    assert not result.timeseries.select_dtypes("number").isin([math.inf, -math.inf]).any().any()
