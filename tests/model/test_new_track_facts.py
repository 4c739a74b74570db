"""The "new" Track Two's stylized facts F9-F15 (docs/ODD.md 7.9), each with an ablation that makes it fail.

Claims are in claims_part3.py; seeds are seeds.py's fact seeds (disjoint from the calibration seeds
9000-9029 the format defaults were tuned on). Runs are shortened where the fact allows, and shared
across tests through the shared_runs fixture.
"""

from __future__ import annotations

import pandas as pd
import pytest
from claims_part3 import (
    f9_capacity_building_first,
    f10_trip_raises_novel_transfers,
    f11_products_help_where_officials_trust_the_other_side,
    f12_linking_track_three,
    f13_two_programmes,
    f14_conditions_erode_reputation,
    f15_voice_not_seats,
)
from seeds import FACT_SEEDS, SMALL_EFFECT_SEEDS

pytestmark = pytest.mark.slow

# F9: equal budget, 12 events: 12 workshops, or 2 capacity-building trainings (24 seats) then 10 workshops
WORKSHOPS_ONLY = {"steps": 96, "programme.events": [{"format": "workshop", "step": 3, "count": 12, "interval": 4}]}
TRAININGS_FIRST = {
    "steps": 96,
    "programme.events": [
        {"format": "training", "step": 3, "count": 2, "interval": 4, "size": 24},
        {"format": "workshop", "step": 11, "count": 10, "interval": 4},
    ],
}
# F10: an exposure trip for officials in month 24 of the regular series; novel ideas entering in the 24 months after
TRIP_STEP, AFTER_MONTHS, NOVEL = 24, 24, 0.5
NO_TRIP = {"steps": TRIP_STEP + AFTER_MONTHS}
TRIP = {
    **NO_TRIP,
    "programme.events": [
        {"format": "workshop", "step": 3, "count": 20, "interval": 4},
        {"format": "exposure_trip", "step": TRIP_STEP},
    ],
}
# F11: an autonomous-heavy group (standing 0.15) with or without a yearly joint report, read by officials who
# trust the other side (0.5) or are wary of it (0.1)
SERIES = {"format": "workshop", "step": 3, "count": 20, "interval": 4}
PRODUCTS = {"format": "knowledge_product", "step": 12, "count": 6, "interval": 12}
AUTONOMOUS_HEAVY = {"steps": 84, "workshops.mix": {"elite": 0.2, "autonomous": 0.8}}
OFFICIALS_TRUST = {"trusting": 0.5, "wary": 0.1}
# F12: an NGO mediator's series, linking Track Three or not
NGO = {"steps": 72, "programme.third_party.type": "ngo_mediator"}
UNLINKED = {**NGO, "programme.third_party.profiles.ngo_mediator.track_three_link": 0.0}
# F13: one programme, or two on the same pool of influentials (staggered by two months), coordinated or not
POOL = {"steps": 72, "workshops.mix": {"elite": 0.75, "autonomous": 0.25}, "programme.third_party.type": "ngo_mediator"}
SECOND = [{"name": "Second NGO", "third_party": {"type": "ngo_mediator"}, "workshops": {"first_step": 5}}]
# F14: heavy conditions, with invitees who decline a third party below reputation 0.6
CONDITIONS = {"steps": 84, "programme.third_party.decline_below": 0.6, "workshops.funder_conditionality": 1.0}
# F15: women's civil-society leaders at 40% of the seats with low or equal voice, or 60% with low voice
WOMEN = {"steps": 72, "kinds.women": {"behaviour": "autonomous", "count": 15}}
SEATS_40 = {"workshops.mix": {"elite": 0.3, "autonomous": 0.3, "women": 0.4}}
SEATS_60 = {"workshops.mix": {"elite": 0.2, "autonomous": 0.2, "women": 0.6}}
LOW_VOICE = {"voice.weights": {"kind_women": 0.4}}

ABLATIONS = {
    "F9": {"formats.training_standing_gain": 0.0, "formats.training_skill_gain": 0.0},
    "F10": {"formats.trip_aversion_cut": 0.0},
    "F11": {"formats.product_credibility": 0.0},
    "F12": {"formats.outreach_size": 0},
    "F13": {"competition.fatigue_decline": 0.0, "competition.duplicate_share": 0.0},
    "F14": {"programme.third_party.conditions_reputation_loss": 0.0},
    "F15": {"voice.weighted": False},
}


def novel_transfers_row(result, after: int = TRIP_STEP, until: int = TRIP_STEP + AFTER_MONTHS, novel: float = NOVEL):
    """A run's workshop ideas of novelty >= `novel` entering Track One in months after+1 .. until."""
    ideas = result.ideas
    window = (ideas.entered_step > after) & (ideas.entered_step <= until)
    return {"novel_after": int((window & (ideas.novelty >= novel) & ideas.workshop_idea).sum())}


def novel_transfers_after(shared_runs, overrides: dict, seeds) -> pd.Series:
    """Per seed: workshop ideas of novelty >= NOVEL entering Track One in the AFTER_MONTHS after TRIP_STEP."""
    return shared_runs(overrides, seeds, row=novel_transfers_row)["novel_after"]


def verdict(fact: str, shared_runs, ablation: dict):
    """The fact's claim on runs with the ablation's overrides (empty: the calibrated model)."""
    runs = lambda overrides, seeds: shared_runs({**overrides, **ablation}, seeds)  # noqa: E731
    if fact == "F9":
        return f9_capacity_building_first(
            runs(TRAININGS_FIRST, SMALL_EFFECT_SEEDS), runs(WORKSHOPS_ONLY, SMALL_EFFECT_SEEDS)
        )
    if fact == "F10":
        return f10_trip_raises_novel_transfers(
            novel_transfers_after(shared_runs, {**TRIP, **ablation}, SMALL_EFFECT_SEEDS),
            novel_transfers_after(shared_runs, {**NO_TRIP, **ablation}, SMALL_EFFECT_SEEDS),
        )
    if fact == "F11":
        tables = {}
        for level, trust in OFFICIALS_TRUST.items():
            group = {**AUTONOMOUS_HEAVY, "kinds.official.trust.mean": trust}
            tables[level, True] = runs({**group, "programme.events": [SERIES, PRODUCTS]}, SMALL_EFFECT_SEEDS)
            tables[level, False] = runs({**group, "programme.events": [SERIES]}, SMALL_EFFECT_SEEDS)
        return f11_products_help_where_officials_trust_the_other_side(
            tables["trusting", True], tables["trusting", False], tables["wary", True], tables["wary", False]
        )
    if fact == "F12":
        return f12_linking_track_three(runs(NGO, FACT_SEEDS), runs(UNLINKED, FACT_SEEDS))
    if fact == "F13":
        return f13_two_programmes(
            runs(POOL, FACT_SEEDS),
            runs({**POOL, "initiatives": SECOND}, FACT_SEEDS),
            runs({**POOL, "initiatives": SECOND, "competition.coordination": "coordinated"}, FACT_SEEDS),
        )
    if fact == "F14":
        return f14_conditions_erode_reputation(
            runs({**CONDITIONS, "workshops.facilitator_policy": "accept"}, FACT_SEEDS),
            runs({**CONDITIONS, "workshops.facilitator_policy": "refuse"}, FACT_SEEDS),
            runs({**CONDITIONS, "workshops.funder_conditionality": 0.0}, FACT_SEEDS),
        )
    return f15_voice_not_seats(
        runs({**WOMEN, **SEATS_40, **LOW_VOICE}, SMALL_EFFECT_SEEDS),
        runs({**WOMEN, **SEATS_40}, SMALL_EFFECT_SEEDS),
        runs({**WOMEN, **SEATS_60, **LOW_VOICE}, SMALL_EFFECT_SEEDS),
        "kind_women",
    )


@pytest.mark.parametrize("fact", list(ABLATIONS))
def test_fact_holds(fact: str, shared_runs) -> None:
    result = verdict(fact, shared_runs, {})
    assert result.holds, result.detail


@pytest.mark.parametrize("fact", list(ABLATIONS))
def test_fact_fails_without_its_mechanism(fact: str, shared_runs) -> None:
    result = verdict(fact, shared_runs, ABLATIONS[fact])
    assert not result.holds, result.detail
