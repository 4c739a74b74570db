"""The brief's stylized facts F1-F8 at 2, 3 and 4 sides and at half, once and four times the population.

Each fact is a claim in claims.py, tested over FACT_SEEDS (disjoint from the calibration seeds);
every case runs on the default calibration, without retuning. Each fact also has an ablation test:
the same claim, on runs with its mechanism switched off by a real parameter, must not hold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from claims import (
    Verdict,
    f1_impact_peaks_inside,
    f1_novelty_rises,
    f1_transfer_rate_falls,
    f2_ripe_windows_carry_transfers,
    f3_track_two_creates_ripe_moments,
    f4_ongoing_beats_one_off,
    f5_accepting_conditions_hurts,
    f5_refusing_keeps_candour_costs_trust,
    f6_backchannel_transfers_readily_with_little_novelty,
    f7_grassroots_raise_support_and_ripeness,
)
from seeds import F4_HALF_POPULATION_SEEDS, F4_SEEDS, FACT_SEEDS, SMALL_EFFECT_SEEDS
from tracktwo.model import make_params, simulate

pytestmark = pytest.mark.slow

STEPS = make_params().steps
DEFAULT_COUNTS = {name: kind.count for name, kind in make_params().kinds.items()}
AUTONOMOUS_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)


def scaled(factor: float) -> dict:
    """Every kind's count scaled together."""
    return {f"kinds.{name}.count": round(count * factor) for name, count in DEFAULT_COUNTS.items()}


CASES = {
    "2 sides": {},
    "3 sides": {"sides": 3},
    "4 sides": {"sides": 4},
    "half population": scaled(0.5),
    "4x population": scaled(4.0),
}
ONGOING_WORKSHOPS = 8  # F4: an ongoing series, every 6 months with retention 0.8, vs one workshop of all its seats
SEATS_PER_SIDE = {"2 sides": 24, "3 sides": 24, "4 sides": 24, "half population": 16, "4x population": 24}
ACCEPTED = {"workshops.funder_conditionality": 1.0, "workshops.facilitator_policy": "accept"}
REFUSED = {"workshops.funder_conditionality": 1.0, "workshops.facilitator_policy": "refuse"}
WITH_GRASSROOTS = {"workshops.mix": {"elite": 0.35, "autonomous": 0.35, "grassroots": 0.3}}
NO_WORKSHOPS = {"workshops.count": 0}
BACKCHANNEL = {"mode": "backchannel"}

# the mechanism behind each fact, switched off by its own parameters (neutral values)
ABLATIONS = {
    "F1": {
        "diffusion.official_aversion_unripe": 0.0,
        "diffusion.official_aversion_ripe": 0.0,
        "diffusion.officials_weigh_standing": False,
    },
    "F2": {"diffusion.official_aversion_ripe": 5.0, "forgetting.official_unripe_multiplier": 1.0},
    "F3": {"ripeness.exposure_weight": 0.0, "ripeness.advocate_weight": 0.0, "ripeness.public_weight": 0.0},
    "F4": {"workshops.familiarity_half": 0.0, "workshops.candour.size_penalty": 0.0},
    "F5": {"workshops.candour.conditions_penalty": 0.0, "workshops.novelty.conditions_penalty": 0.0},
    "F6": {"workshops.backchannel_under_instructions": False},
    "F7": {"ripeness.public_weight": 0.0},
}


def mix(autonomous: float) -> dict:
    shares = {"elite": 1.0 - autonomous, "autonomous": autonomous}
    return {"workshops.mix": {k: v for k, v in shares.items() if v > 0}}


@pytest.fixture(params=list(CASES), scope="session")
def case_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def case(case_name) -> dict:
    return CASES[case_name]


@pytest.fixture(scope="session")
def runs(shared_runs):
    """Outcomes per seed of a case with some overrides (shared across tests and workers)."""

    def run(case: dict, overrides: dict, seeds: range = FACT_SEEDS) -> pd.DataFrame:
        return shared_runs({**case, **overrides}, seeds)

    return run


def ongoing_and_one_off(case_name: str) -> tuple[dict, dict]:
    """F4's two programmes at equal participant-seats (SEATS_PER_SIDE x sides in all).

    48 seats at 2 sides, as configs/sweeps/ongoing_vs_oneoff.yaml; as many per side at 3 and 4 sides,
    and 32 at half the population (whose 16 elites fill a one-off's elite half at most).
    """
    seats = SEATS_PER_SIDE[case_name] * CASES[case_name].get("sides", 2)
    ongoing = {
        "workshops.count": ONGOING_WORKSHOPS,
        "workshops.size": seats // ONGOING_WORKSHOPS,
        "workshops.interval": 6,
        "workshops.retention": 0.8,
    }
    return ongoing, {"workshops.count": 1, "workshops.size": seats}


def dilemma(runs, case: dict) -> pd.DataFrame:
    frames = [runs(case, mix(share)).assign(autonomous_share=share) for share in AUTONOMOUS_SHARES]
    return pd.concat([f.rename_axis("seed").reset_index() for f in frames], ignore_index=True)


def holds(verdict: Verdict) -> None:
    assert verdict.holds, verdict.detail


def fails(verdict: Verdict) -> None:
    assert not verdict.holds, f"the claim still holds with its mechanism switched off: {verdict.detail}"


# F1 ----------------------------------------------------------------------------------------------


def test_f1_novelty_rises_with_autonomous_share(runs, case):
    holds(f1_novelty_rises(dilemma(runs, case)))


def test_f1_transfer_rate_falls_with_autonomous_share(runs, case):
    holds(f1_transfer_rate_falls(dilemma(runs, case)))


def test_f1_impact_peaks_at_an_interior_mix(runs, case):
    holds(f1_impact_peaks_inside(dilemma(runs, case)))


def test_f1_ablation_officials_indifferent_to_novelty(runs):
    fails(f1_impact_peaks_inside(dilemma(runs, ABLATIONS["F1"])))


# F2-F7 -------------------------------------------------------------------------------------------


def test_f2_transfers_are_several_times_more_frequent_in_ripe_windows(runs, case):
    holds(f2_ripe_windows_carry_transfers(runs(case, {}), STEPS))


def test_f2_ablation_ripeness_does_not_modulate_acceptance(runs):
    fails(f2_ripe_windows_carry_transfers(runs(ABLATIONS["F2"], {}), STEPS))


def test_f3_track_two_creates_ripe_moments(runs, case):
    holds(f3_track_two_creates_ripe_moments(runs(case, {}), runs(case, NO_WORKSHOPS)))


def test_f3_ablation_ripeness_deaf_to_track_two(runs):
    off = ABLATIONS["F3"]
    fails(f3_track_two_creates_ripe_moments(runs(off, {}), runs(off, NO_WORKSHOPS)))


def test_f4_ongoing_beats_one_off_at_equal_seats(runs, case, case_name):
    ongoing, one_off = ongoing_and_one_off(case_name)
    seeds = F4_HALF_POPULATION_SEEDS if case_name == "half population" else F4_SEEDS  # its effect is smallest
    holds(f4_ongoing_beats_one_off(runs(case, ongoing, seeds), runs(case, one_off, seeds)))


def test_f4_ablation_no_familiarity_no_small_room(runs):
    ongoing, one_off = ongoing_and_one_off("2 sides")
    off, seeds = ABLATIONS["F4"], F4_SEEDS
    fails(f4_ongoing_beats_one_off(runs(off, ongoing, seeds), runs(off, one_off, seeds)))


def test_f5_accepting_heavy_funder_conditions_hurts(runs, case):
    seeds = SMALL_EFFECT_SEEDS  # at 4 sides a run's transfers are few: the transfer effect needs 60 pairs
    holds(f5_accepting_conditions_hurts(runs(case, {}, seeds), runs(case, ACCEPTED, seeds)))


def test_f5_refusing_keeps_candour_but_costs_trust(runs, case):
    holds(f5_refusing_keeps_candour_costs_trust(runs(case, {}), runs(case, REFUSED), runs(case, ACCEPTED)))


def test_f5_ablation_conditions_cost_nothing(runs):
    fails(f5_accepting_conditions_hurts(runs({}, {}), runs(ABLATIONS["F5"], ACCEPTED)))


def test_f6_backchannel_transfers_readily_but_with_little_novelty(runs, case):
    holds(f6_backchannel_transfers_readily_with_little_novelty(runs(case, {}), runs(case, BACKCHANNEL)))


def test_f6_ablation_backchannel_officials_in_a_personal_capacity(runs):
    fails(f6_backchannel_transfers_readily_with_little_novelty(runs({}, {}), runs(ABLATIONS["F6"], BACKCHANNEL)))


def test_f7_grassroots_raise_public_support_and_ripeness_not_direct_transfer(runs, case):
    seeds = SMALL_EFFECT_SEEDS
    holds(f7_grassroots_raise_support_and_ripeness(runs(case, {}, seeds), runs(case, WITH_GRASSROOTS, seeds)))


def test_f7_ablation_public_support_does_not_ripen(runs):
    off, seeds = ABLATIONS["F7"], SMALL_EFFECT_SEEDS
    fails(f7_grassroots_raise_support_and_ripeness(runs(off, {}, seeds), runs(off, WITH_GRASSROOTS, seeds)))


# F8 ----------------------------------------------------------------------------------------------


def test_f8_same_seed_same_results_different_seeds_differ(runs):
    first, again, other = simulate({}, 7), simulate({}, 7), simulate({}, 8)
    assert first.outcomes == again.outcomes or all(
        (a == b) or (np.isnan(a) and np.isnan(b))
        for a, b in zip(first.outcomes.values(), again.outcomes.values(), strict=True)
    )
    pd.testing.assert_frame_equal(first.timeseries, again.timeseries)
    pd.testing.assert_frame_equal(first.ideas, again.ideas)
    assert not first.timeseries.equals(other.timeseries)
    seeds = runs({}, {})
    assert seeds.ideas_generated.nunique() > 5 and seeds.impact.nunique() > 20
