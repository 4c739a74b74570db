"""Ideas with content (docs/ODD.md 7.11): the issue space, salience, emergent novelty, positions that move.

Claims are over seeds disjoint from the calibration seeds (seeds.py), paired on common random numbers
(the same seed in both arms): a one-sided Wilcoxon signed-rank test and the sign of the mean paired
difference; "no difference" is claimed only by an equivalence test (TOST, two one-sided t-tests).
Each claim has an ablation that switches its mechanism off with real parameters and must break it.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np
import pandas as pd
import pytest
from claims import NOVELTY_RISE, Verdict, f1_novelty_rises, rank_trend, ratio_above
from scipy import stats
from seeds import FACT_SEEDS, SMALL_EFFECT_SEEDS
from tracktwo.model import ConfigError, simulate
from tracktwo.model.diffusion import Context
from tracktwo.model.outcomes import ISSUE_PREFIXES

FIXED = {"issues.adoption_pull": 0.0, "issues.framing_pull": 0.0}
EVERY_FEATURE = {
    "sides": 3,
    "steps": 60,
    "ripeness.scope": "per_side",
    "rivals.track_one_rate": 0.5,
    "rivals.outside_rate": 0.3,
    "initial_ideas": {"count": 3, "novelty": 0.2, "holders": 5},
    "voice.weights": {"kind_grassroots": 0.4},
    "workshops.mix": {"elite": 0.4, "autonomous": 0.3, "grassroots": 0.3},
    "programme.events": [
        {"format": "training", "step": 1, "count": 2, "interval": 2},
        {"format": "workshop", "step": 3, "count": 8, "interval": 3},
        {"format": "shuttle", "step": 8},
        {"format": "exposure_trip", "step": 10},
        {"format": "knowledge_product", "step": 20},
    ],
    "initiatives": [{"name": "B", "events": [{"format": "workshop", "step": 4, "count": 3, "interval": 5}]}],
}
ONE_DIMENSION = {"issues.dimensions": ["security"]}
NEW = (
    "influence_on_process",
    "agenda_breadth",
    "mean_emergent_novelty_transferred",
    *(prefix for prefix, _, _ in ISSUE_PREFIXES),
)
ALPHA = 0.01


def fingerprint_row(result, new: tuple[str, ...] = NEW) -> dict[str, str]:
    """A hash of a run's time series and of its outcomes other than the issue space's own (a shared_runs row: its
    whole computation is here, and `new` a default argument, since the shared runs' key holds both)."""
    outcomes = {
        k: None if isinstance(v, float) and math.isnan(v) else float(v)
        for k, v in sorted(result.outcomes.items())
        if not k.startswith(new)
    }
    text = json.dumps(outcomes, sort_keys=True) + result.timeseries.to_csv(index=False)
    return {"fingerprint": hashlib.sha256(text.encode()).hexdigest()}


@pytest.mark.slow
@pytest.mark.parametrize(
    "config, positions",
    [
        ({}, None),
        (EVERY_FEATURE, None),
        (EVERY_FEATURE, [[0.3, -0.2, 0.0, 0.5]] * 3),
        (ONE_DIMENSION, None),
        ({**EVERY_FEATURE, **ONE_DIMENSION}, [[0.4]] * 3),
    ],
    ids=[
        "default",
        "every feature",
        "every feature, equal starts off the origin",
        "D = 1",
        "D = 1, every feature, equal starts off the origin",
    ],
)
def test_fixed_equal_positions_reproduce_the_model_without_an_issue_space(config, positions, shared_runs) -> None:
    """Pulls 0 and every side at one start: each side sees each idea at its drawn novelty, draw for draw.

    Issue 26 item 8: D = 1 and fixed positions reproduce the model before the issue space (here run for run,
    which is stronger than in distribution), and so do the default four dimensions. The runs come from shared_runs:
    the every-feature model without an issue space is simulated once for the two every-feature cases.
    """
    neutral = {**config, **FIXED, "issues.start_positions": positions}
    seeds = range(10)
    moving = shared_runs(neutral, seeds, row=fingerprint_row)["fingerprint"]
    without = shared_runs({**config, "issues.enabled": False}, seeds, row=fingerprint_row)["fingerprint"]
    assert moving.equals(without), [seed for seed in seeds if moving[seed] != without[seed]]


def test_fixed_positions_leave_the_entered_ideas_novelty_as_drawn() -> None:
    result = simulate(FIXED, seed=5)
    outcomes = result.outcomes
    assert outcomes["influence_on_process"] == 0.0
    assert outcomes["mean_emergent_novelty_transferred"] == pytest.approx(outcomes["mean_novelty_transferred"])


def test_an_idea_lies_at_its_anchor_plus_its_drawn_novelty_along_one_dimension() -> None:
    starts = [[0.2, 0.0, 0.0, 0.0], [0.0, 0.4, 0.0, 0.0]]
    model = simulate({**FIXED, "issues.start_positions": starts}, seed=2).model
    ideas, issues = model.ideas, model.issues
    n = ideas.count
    workshop = ideas.origin_workshop[:n] >= 0
    offset = ideas.location[:n][workshop] - np.array([0.1, 0.2, 0.0, 0.0])  # both sides in every room
    assert np.count_nonzero(np.abs(offset) > 1e-12, axis=1).max() == 1
    assert np.abs(offset).sum(axis=1) == pytest.approx(ideas.novelty[:n][workshop])
    assert offset[np.arange(offset.shape[0]), issues.dimension[:n][workshop]] == pytest.approx(
        ideas.novelty[:n][workshop]
    )
    distance = np.linalg.norm(ideas.location[:n][None] - np.array(starts)[:, None], axis=2)
    assert issues.table[:, :n] == pytest.approx(distance)  # novelty to a side: distance from its position


def test_advocacy_judges_an_idea_by_the_receiver_s_side() -> None:
    novelty = np.array([[0.1, 0.9], [0.9, 0.1]])  # idea 0 is familiar to side 0, idea 1 to side 1
    sides = np.array([0, 0, 1, 1])
    context = Context(0.5, novelty, np.ones(4), np.zeros(4, dtype=bool), np.full(4, 2.0), sides, np.ones((4, 2)))
    p = context.tie_probability(np.array([0, 0, 2, 2]), np.array([1, 3, 1, 3]), np.array([0, 0, 1, 1]))
    assert p == pytest.approx(0.5 * np.exp(-2.0 * np.array([0.1, 0.9, 0.9, 0.1])))


def later_similar_row(result) -> dict[str, float]:
    """A run's mean of (novelty to the sides at the end - drawn novelty) over Track Two ideas born after an idea on
    their dimension entered Track One, not entered themselves; 0 when there are none (a shared_runs row: its whole
    computation is here, since the shared runs' key holds this function's source)."""
    ideas, issues = result.model.ideas, result.model.issues
    n = ideas.count
    entered = ideas.entered_step[:n]
    dimension = issues.dimension[:n]
    first_entry = np.full(issues.dimensions, np.iinfo(np.int32).max)
    np.minimum.at(first_entry, dimension[entered >= 0], entered[entered >= 0])
    later = (ideas.origin_workshop[:n] >= 0) & (entered < 0) & (ideas.origin_step[:n] > first_entry[dimension])
    if not later.any():
        return {"later_similar_change": 0.0}
    return {
        "later_similar_change": float((issues.table[:, :n][:, later].mean(axis=0) - ideas.novelty[:n][later]).mean())
    }


def _lowers(shared_runs, pull: float) -> tuple[bool, float, float]:
    """Claim: adoption at `pull` lowers the later novelty of ideas on adopted dimensions, against pull 0.

    The runs come from shared_runs: FIXED's are simulated once for the claim and its ablation (whose pull 0 arm is
    FIXED itself).
    """
    moving = {"issues.adoption_pull": pull, "issues.framing_pull": 0.0}
    change = shared_runs(moving, FACT_SEEDS, row=later_similar_row)["later_similar_change"].to_numpy(float)
    fixed = shared_runs(FIXED, FACT_SEEDS, row=later_similar_row)["later_similar_change"].to_numpy(float)
    difference = change - fixed
    if not np.count_nonzero(difference):
        return False, 1.0, 0.0
    p = stats.wilcoxon(difference, alternative="less").pvalue
    return bool(p < ALPHA and difference.mean() < 0), float(p), float(difference.mean())


@pytest.mark.slow
def test_positions_moving_toward_adopted_ideas_lower_the_novelty_of_later_similar_ideas(shared_runs) -> None:
    holds, p, mean = _lowers(shared_runs, 0.1)
    assert holds, (p, mean)
    assert mean < -0.005


@pytest.mark.slow
def test_ablation_without_adoption_pull_later_similar_ideas_keep_their_novelty(shared_runs) -> None:
    holds, _, mean = _lowers(shared_runs, 0.0)
    assert not holds
    assert mean == 0.0


# F1's novelty leg on emergent novelty (issue 26 item 8) -------------------------------------------

AUTONOMOUS_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)  # as tests/model/test_stylized_facts.py
NOVELTY_FROM_AUTONOMY_OFF = {"workshops.novelty.autonomy_weight": 0.0}  # the ablation: autonomy adds no novelty


def _emergent_dilemma(shared_runs, ablation: bool) -> pd.DataFrame:
    """F1's five mixes (elites and autonomous thinkers) over FACT_SEEDS, default model (positions move).

    The runs come from shared_runs (whose row keeps emergent_novelty_generated beside the outcomes): without the
    ablation they are the runs of test_stylized_facts.py's F1 claims at 2 sides, simulated once for both.
    """
    extra = NOVELTY_FROM_AUTONOMY_OFF if ablation else {}
    frames = []
    for share in AUTONOMOUS_SHARES:
        shares = {"elite": 1.0 - share, "autonomous": share}
        mix = {"workshops.mix": {k: v for k, v in shares.items() if v > 0}}
        runs = shared_runs({**mix, **extra}, FACT_SEEDS).rename_axis("seed").reset_index()
        frames.append(runs.assign(autonomous_share=share))
    return pd.concat(frames, ignore_index=True)


def f1_emergent_novelty_rises(dilemma: pd.DataFrame, outcome: str = "emergent_novelty_generated") -> Verdict:
    """F1's statistics (claims.f1_novelty_rises) on emergent novelty: Spearman trend and the 1.5-fold rise."""
    by_share = dilemma.groupby("autonomous_share")[outcome].mean()
    return rank_trend(dilemma, outcome, +1) & ratio_above(
        pd.Series([by_share[1.0]]), pd.Series([by_share[0.0]]), NOVELTY_RISE, f"{outcome}, all autonomous vs elites"
    )


@pytest.mark.slow
def test_f1_emergent_novelty_rises_with_autonomous_share(shared_runs) -> None:
    """F1's novelty leg holds on emergent novelty (default pulls, positions move): on the Track Two ideas' distance
    from the sides' positions at the end, on the entered ideas' at entry, and on drawn novelty in the same runs.

    Measured on the fact seeds: generated 0.26 (all elites) to 0.58 (all autonomous), Spearman rho 0.92; entered
    0.27 to 0.45 (peak 0.50 at 75% autonomous), rho 0.60 (docs/ODD.md section 1).
    """
    dilemma = _emergent_dilemma(shared_runs, False)
    for outcome in ("emergent_novelty_generated", "mean_emergent_novelty_transferred"):
        verdict = f1_emergent_novelty_rises(dilemma, outcome)
        assert verdict.holds, verdict.detail
    assert f1_novelty_rises(dilemma).holds


@pytest.mark.slow
def test_f1_emergent_ablation_autonomy_adds_no_novelty(shared_runs) -> None:
    """Autonomy adds no drawn novelty (`autonomy_weight: 0`): generated 0.14 to 0.16, rho 0.08 (p 0.31)."""
    dilemma = _emergent_dilemma(shared_runs, True)
    for outcome in ("emergent_novelty_generated", "mean_emergent_novelty_transferred"):
        verdict = f1_emergent_novelty_rises(dilemma, outcome)
        assert not verdict.holds, f"the claim still holds with its mechanism switched off: {verdict.detail}"


GRASSROOTS_ROOM = {"workshops.mix": {"grassroots": 0.8, "autonomous": 0.2}}
ELITE_ROOM = {"workshops.mix": {"elite": 0.8, "autonomous": 0.2}}
JUSTICE = "generated_share_justice_and_social_issues"


def _justice_difference(shared_runs, extra: dict, seeds) -> np.ndarray:
    """Paired (grassroots-heavy - elite-heavy room) justice share of the ideas generated, per seed with ideas.

    The runs come from shared_runs: the grassroots room's are also the "heard" arm of the presence test below.
    """
    grassroots = shared_runs({**GRASSROOTS_ROOM, **extra}, seeds)[JUSTICE]
    elite = shared_runs({**ELITE_ROOM, **extra}, seeds)[JUSTICE]
    return (grassroots - elite).dropna().to_numpy(float)


@pytest.mark.slow
def test_salience_shapes_the_agenda_grassroots_rooms_raise_justice_and_social_issues(shared_runs) -> None:
    difference = _justice_difference(shared_runs, {}, FACT_SEEDS)
    assert difference.size >= 25
    assert stats.wilcoxon(difference, alternative="greater").pvalue < ALPHA
    assert difference.mean() > 0.1


@pytest.mark.slow
def test_ablation_with_equal_salience_the_room_does_not_change_the_agenda(shared_runs) -> None:
    """TOST: the paired mean difference lies within +-0.05 (alpha 0.05 each side)."""
    difference = _justice_difference(shared_runs, {"issues.salience_weighted": False}, SMALL_EFFECT_SEEDS)
    margin = 0.05
    upper = stats.ttest_1samp(difference, margin, alternative="less").pvalue
    lower = stats.ttest_1samp(difference, -margin, alternative="greater").pvalue
    assert max(upper, lower) < 0.05, (difference.mean(), upper, lower)
    assert stats.wilcoxon(difference - 1e-12, alternative="greater").pvalue >= ALPHA  # and the claim above fails


@pytest.mark.slow
def test_presence_without_voice_changes_seats_not_content(shared_runs) -> None:
    """Grassroots seated but rarely authoring: the agenda of the room moves back toward the others' salience."""
    heard = shared_runs(GRASSROOTS_ROOM, FACT_SEEDS)[JUSTICE]
    muted = shared_runs({**GRASSROOTS_ROOM, "voice.weights": {"kind_grassroots": 0.05}}, FACT_SEEDS)[JUSTICE]
    difference = (heard - muted).dropna().to_numpy(float)
    assert stats.wilcoxon(difference, alternative="greater").pvalue < ALPHA


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"issues.dimensions": []}, "issues.dimensions: 0 dimensions given; give 1 to 12 names"),
        ({"issues.dimensions": ["a", "A"]}, "issues.dimensions: dimension names must be distinct"),
        ({"issues.salience": {"elite": {"security": -1}}}, "issues: salience of 'elite'"),
        ({"issues.salience": {"elite": {"weather": 1}}}, "names unknown dimension 'weather'; dimensions: security"),
        ({"issues.salience": {"pundits": {"security": 1}}}, "issues.salience: unknown kind 'pundits'; allowed"),
        ({"issues.start_positions": [[0, 0, 0, 0]] * 3}, "issues.start_positions: 3 positions given for 2 sides"),
        ({"issues.start_positions": [[0, 0], [0, 0]]}, "start position of side 1 has 2 values"),
        ({"issues.adoption_pull": 1.5}, "issues.adoption_pull"),
    ],
)
def test_bad_issue_space_is_one_clear_config_error(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        simulate({**overrides, "steps": 2}, seed=1)


def test_other_dimensions_take_equal_salience_and_name_the_outcomes() -> None:
    outcomes = simulate({"issues.dimensions": ["land", "water"], "steps": 40}, seed=3).outcomes
    assert {"outcome_transfer_land", "agenda_share_water", "influence_on_process_side_1_land"} <= set(outcomes)
    assert not any(k.endswith("_security") for k in outcomes)


def test_advocacy_with_every_side_seeing_an_idea_alike_equals_advocacy_with_one_novelty_per_idea() -> None:
    """The (sides x ideas) path of diffusion gives the per-idea path's adoptions when the rows agree."""
    from tracktwo.model.diffusion import StepDraws, TieIndex, advocate
    from tracktwo.model.randomness import EventRandomness

    rng = np.random.default_rng(0)
    n, ideas = 200, 6
    sides = np.arange(n) % 2
    sources, targets = rng.integers(0, n, 1500), rng.integers(0, n, 1500)
    keep = sources != targets
    ties = TieIndex.build(n, sources[keep], targets[keep], sides)
    holds = np.asfortranarray(rng.random((n, ideas)) < 0.2)
    active = holds & (rng.random((n, ideas)) < 0.7)
    novelty = rng.random(ideas)
    weighs = np.arange(n) < 40  # some receivers weigh standing: the tie-by-tie path too
    draws = StepDraws(EventRandomness(7), 3, np.arange(ideas, dtype=np.uint64))

    def run(seen: np.ndarray):
        context = Context(0.3, seen, np.full(n, 0.6), weighs, np.full(n, 3.0), sides, np.full((n, 2), 0.5))
        return advocate(draws, ties, active, holds, context)

    one, both = run(novelty), run(np.vstack([novelty, novelty]))
    assert one.actors.size > 20
    assert np.array_equal(one.actors, both.actors) and np.array_equal(one.ideas, both.ideas)
    assert np.array_equal(one.sources, both.sources)
    familiar_to_side_0 = run(np.vstack([novelty * 0, novelty]))
    assert np.count_nonzero(sides[familiar_to_side_0.actors] == 0) > np.count_nonzero(sides[one.actors] == 0)
