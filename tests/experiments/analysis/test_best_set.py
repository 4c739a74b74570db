"""Paired comparisons, the best set (paired-bootstrap MCB) and sequential MCB elimination, on synthetic responses.

The responses are cheap functions of (point, seed), not the model: a shared seed effect (what common
random numbers cancel), a planted mean per point and run noise. The statistics are then checked
against what was planted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tracktwo.experiments.analysis import bestset
from tracktwo.experiments.analysis.ranking import rank_points

SEED_SD, NOISE_SD = 3.0, 1.0
PLANTED = np.array([0.6, 0.0] + [-2.0] * 8)  # point 0 better than point 1 by 0.6 and than the rest by 2.6
CONFIDENCE = 0.95
REPEATS = 100
BUDGET = 3000


def draw(rng: np.random.Generator, means: np.ndarray, n: int) -> np.ndarray:
    """Points x seeds: the planted means plus a seed effect every point shares plus independent noise."""
    return means[:, None] + rng.normal(0, SEED_SD, n)[None, :] + rng.normal(0, NOISE_SD, (means.size, n))


def runs_table(y: np.ndarray, paired: bool = True) -> pd.DataFrame:
    """A sweep's runs table for points x replicates values (seed = replicate when paired)."""
    k, n = y.shape
    return pd.DataFrame(
        {
            "point": np.repeat(np.arange(k), n),
            "replicate": np.tile(np.arange(n), k),
            "seed": np.tile(np.arange(n), k) if paired else np.arange(k * n),
            "x": np.repeat(np.arange(k), n).astype(float),
            "impact": y.ravel(),
        }
    )


def test_identical_runs_are_ties_in_the_ranking_and_both_in_the_best_set() -> None:
    y = draw(np.random.default_rng(1), np.array([0.0, -1.0, -1.5, -3.0]), 30)
    y = np.vstack([y[:1], y])  # point 1 runs exactly as point 0 on every seed
    ranked = rank_points(runs_table(y), ["x"], "impact", "maximize").set_index("point")
    assert ranked.loc[0, "rank"] == ranked.loc[1, "rank"] == 1
    assert ranked.loc[1, "difference"] == ranked.loc[1, "difference_low"] == ranked.loc[1, "difference_high"] == 0
    assert ranked.loc[0, "in_best_set"] and ranked.loc[1, "in_best_set"]
    assert ranked.loc[0, "probability_best"] == pytest.approx(0.5) == ranked.loc[1, "probability_best"]
    assert not ranked.loc[[3, 4], "in_best_set"].any()


def test_pairing_narrows_the_difference_to_the_best() -> None:
    y = draw(np.random.default_rng(2), np.array([0.5, 0.0]), 40)
    paired = rank_points(runs_table(y), ["x"], "impact", "maximize").set_index("point").loc[1]
    unpaired = rank_points(runs_table(y, paired=False), ["x"], "impact", "maximize").set_index("point").loc[1]
    assert paired["difference"] == pytest.approx(unpaired["difference"])
    width = paired["difference_high"] - paired["difference_low"]
    assert width < 0.5 * (unpaired["difference_high"] - unpaired["difference_low"])
    assert paired["difference_high"] < 0 and not paired["in_best_set"]  # told apart only when paired
    assert unpaired["in_best_set"]


def test_the_best_set_holds_the_true_best_at_its_confidence() -> None:
    """Least favourable case for MCB: the best only just ahead of equal rivals; it is kept in >= 93 of 100."""
    rng = np.random.default_rng(3)
    means = np.array([0.05, 0.0, 0.0, 0.0, 0.0])
    kept = sum(
        bestset.best_set(draw(rng, means, 20), range(5), confidence=CONFIDENCE, resamples=1000, seed=r).in_best_set[0]
        for r in range(REPEATS)
    )
    assert kept >= 93  # P(X <= 92) < 0.04 for X ~ Binomial(100, 0.95)


def test_minimise_mirrors_maximise() -> None:
    y = draw(np.random.default_rng(4), PLANTED, 40)
    high = bestset.best_set(y, range(10), "maximize", resamples=500)
    low = bestset.best_set(-y, range(10), "minimize", resamples=500)
    assert (high.in_best_set == low.in_best_set).all() and high.best == low.best == 0


def run_sequential(rng: np.random.Generator, means: np.ndarray) -> tuple[bestset.SequentialState, int]:
    """Sequential MCB elimination against the synthetic response, as the runner drives it; (final state, runs).

    Replicate r has one seed effect for every point (common random numbers), drawn when first needed.
    """
    k = means.size
    seed_effects = np.empty(0)
    y = np.full((k, 0), np.nan)
    while True:
        ran = np.isfinite(y)
        state = bestset.sequential_state(y, list(range(k)), "maximize", CONFIDENCE, 10, BUDGET, resamples=1000)
        if not state.wanted:
            return state, int(ran.sum())
        if y.shape[1] < state.wanted:
            grow = state.wanted - y.shape[1]
            seed_effects = np.concatenate([seed_effects, rng.normal(0, SEED_SD, grow)])
            y = np.hstack([y, np.full((k, grow), np.nan)])
        for point in state.contenders:
            todo = ~np.isfinite(y[point, : state.wanted])
            noise = rng.normal(0, NOISE_SD, state.wanted)
            y[point, : state.wanted][todo] = (means[point] + seed_effects[: state.wanted] + noise)[todo]


def even_replicates_needed(rng: np.random.Generator) -> int:
    """The fewest replicates per point (10, 20, 40, ...) at which even allocation + MCB puts the planted best alone
    in the best set in >= 95 of 100 repeats."""
    n = 10
    while True:
        alone = sum(
            list(np.flatnonzero(bestset.best_set(draw(rng, PLANTED, n), range(10), resamples=1000, seed=r).in_best_set))
            == [0]
            for r in range(REPEATS)
        )
        if alone >= 95:
            return n
        n *= 2


@pytest.mark.slow
def test_sequential_elimination_finds_the_planted_best_with_fewer_runs_than_even_allocation() -> None:
    rng = np.random.default_rng(5)
    results = [run_sequential(rng, PLANTED) for _ in range(REPEATS)]
    alone = sum(state.contenders == [0] for state, _ in results)
    runs = np.mean([spent for _, spent in results])
    even = PLANTED.size * even_replicates_needed(np.random.default_rng(6))
    assert alone >= 95
    assert runs < even
    assert max(spent for _, spent in results) <= BUDGET


def test_sequential_elimination_reports_identical_contenders_as_tied_and_stops() -> None:
    rng = np.random.default_rng(7)
    means = np.array([0.0, 0.0, -3.0, -3.0])
    y = draw(rng, means, 10)
    y[1] = y[0]
    state = bestset.sequential_state(y, [0, 1, 2, 3], "maximize", CONFIDENCE, 10, 1000, resamples=500)
    assert state.reason == "tied" and state.contenders == [0, 1] and state.wanted == 0


def test_look_schedule_doubles_within_the_budget() -> None:
    assert bestset.look_schedule(10, 10, 3000) == [10, 20, 40, 80, 160, 320, 640, 1280]
    assert bestset.look_schedule(10, 10, 100) == [10]


def test_the_indifference_zone_keeps_points_within_delta_and_drops_those_shown_beyond_it() -> None:
    rng = np.random.default_rng(5)
    means = np.array([1.0, 0.95, 0.5, 0.0])  # 0.05 behind (within delta 0.1), 0.5 and 1.0 behind
    y = draw(rng, means, 2000)  # enough runs that plain MCB tells 0.05 apart from the best
    plain = bestset.best_set(y, range(4), resamples=500)
    zone = bestset.best_set(y, range(4), resamples=500, indifference=0.1)
    assert plain.in_best_set.tolist() == [True, False, False, False]
    assert zone.in_best_set.tolist() == [True, True, False, False] and zone.indifference == 0.1
    close = draw(rng, np.array([1.0, 0.98]), 8000)  # 0.02 apart, known to within about 0.03
    assert bestset.within_indifference(close, 0.1, 0.95) and not bestset.within_indifference(y[:3], 0.1, 0.95)


def test_stratified_comparisons_weigh_each_stratum_alike_and_resample_within_strata() -> None:
    rng = np.random.default_rng(9)
    levels = np.repeat([0.0, 10.0], 200)  # two scenarios far apart: their levels are not noise
    strata = np.repeat([0, 1], 200)
    y = np.vstack([levels + rng.normal(0, 1, 400), levels + 0.3 + rng.normal(0, 1, 400)])
    diff, se = bestset.paired_differences(y, True, strata)
    assert diff[1, 0] == pytest.approx(0.3, abs=0.15) and se[1, 0] == pytest.approx(np.sqrt(2 / 400), rel=0.2)
    chosen = bestset.best_set(y, [0, 1], resamples=500, strata=strata)
    assert chosen.in_best_set.tolist() == [False, True]


def test_a_memo_decides_each_look_once_and_changes_no_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    y = draw(rng, np.array([0.3, 0.0, -0.2, -1.0, -1.0]), 40)
    y[3:, 20:] = np.nan  # two points stopped after the second look
    calls = []
    real = bestset.best_set
    monkeypatch.setattr(bestset, "best_set", lambda *a, **k: calls.append(a[6]) or real(*a, **k))
    arguments = (y, list(range(5)), "maximize", CONFIDENCE, 10, 400)
    plain = bestset.sequential_state(*arguments, resamples=300)
    looks = len(calls)
    memo: dict[bytes, bestset.BestSet] = {}
    first = bestset.sequential_state(*arguments, resamples=300, memo=memo)
    again = bestset.sequential_state(*arguments, resamples=300, memo=memo)
    assert plain == first == again and looks >= 2 and len(memo) == looks
    assert len(calls) == 2 * looks  # the plain replay and the first memoised one; the second replays from the memo
    later = y.copy()
    later[0, 39] += 5.0  # a run of the last look changed: that look is decided afresh, the earlier ones are not
    bestset.sequential_state(later, *arguments[1:], resamples=300, memo=memo)
    assert len(calls) == 2 * looks + 1


@pytest.mark.parametrize("paired", [True, False])
def test_the_best_set_is_the_same_on_any_number_of_threads(paired: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bootstrap's blocks run on threads, its draws made in one order: 1 or 3 threads give the same bits."""
    rng = np.random.default_rng(5)
    y = draw(rng, PLANTED, 24)
    y[2, 3] = np.nan  # a failed run
    strata = np.tile(np.arange(3), 8) if paired else None
    found = []
    for threads in (1, 3):
        monkeypatch.setattr(bestset, "_threads", lambda threads=threads: threads)
        chosen = bestset.best_set(y, list(range(10)), paired=paired, resamples=1_000, seed=3, strata=strata)
        found.append((chosen.in_best_set.tobytes(), chosen.critical.tobytes()))
    assert found[0] == found[1]
    assert 0 < int(np.frombuffer(found[0][0], dtype=bool).sum()) < 10  # a set that the critical values decided
