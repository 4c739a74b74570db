"""The holdings' and advocacy's changes kept from month to month equal their full computation over every cell.

Speed work (issue 22, session 15) keeps what the month used to find by passes over every (idea, actor) cell:
forgetting's held cells (`IdeaStore.held_cells`: the adopted added, the dropped taken out), the advocacy the
counts last counted (`IdeaStore.advocacy_changes`: only the cells adopted a step ago, adopted a span ago or
dropped since can change). Each test runs real models month by month and compares the kept state with the full
computation after every month, and whole runs on the kept paths with runs forced onto the full ones.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_monthly_bookkeeping import EVERY_FEATURE as SHORT_EVERY_FEATURE
from tracktwo.model import model as model_module
from tracktwo.model.diffusion import AdvocateCounts
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import make_params

EVERY_FEATURE = {  # benchmarks/compare.py's every-feature run, in short (its programme left to the defaults)
    **{key: value for key, value in SHORT_EVERY_FEATURE.items() if key != "steps"},
    "voice.weights": {"kind_elite": 0.5},
    "kinds.elite.proscribed": 0.1,
    "programme.third_party": {"type": "ngo_mediator", "facilitation": "hybrid"},
}
HEAVY_FORGETTING = {"forgetting.rate": 0.25, "forgetting.official_unripe_multiplier": 4.0}
CONFIGS = {
    "default": {},
    "every_feature": EVERY_FEATURE,
    "four_sides": {"sides": 4},
    "heavy_forgetting": HEAVY_FORGETTING,
    "heavy_forgetting_every_feature": {**EVERY_FEATURE, **HEAVY_FORGETTING},
    "advocating_for_ever": {"diffusion.advocacy_span": None, **HEAVY_FORGETTING},
    "one_step_span": {"diffusion.advocacy_span": 1, "forgetting.rate": 0.1},
    "grassroots_silenced": {"evaluation.removed": ["route:via_track_three"], **HEAVY_FORGETTING},
}


@pytest.fixture(autouse=True)
def _kept_at_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kept paths at every size (the model takes them from 8,192 cells: most of these runs have fewer).

    Forgetting too, however densely the cells are held (the model forgets by a pass over every cell past a held cell
    in 8).
    """
    monkeypatch.setattr(model_module, "_KEPT_AT", 0)
    monkeypatch.setattr(model_module, "_DENSELY_HELD", 0)


def _model(config: dict, seed: int, steps: int = 60) -> TrackTwoModel:
    return TrackTwoModel(make_params({**copy.deepcopy(config), "steps": steps}), seed)


def _advocating(model: TrackTwoModel, t: int) -> np.ndarray:
    """Who advocates what at step t, by its definition over every cell (idea-major): held, adopted t - span .. t - 1."""
    ideas, span = model.ideas, model.params.diffusion.advocacy_span
    adopted_at = ideas.adopted_at[:, : ideas.count].T
    active = ideas.holds[:, : ideas.count].T & (adopted_at < t)
    if span is not None:
        active &= adopted_at >= t - span
    if model._silenced is not None:
        active &= ~model._silenced[None, :]
    return active


def _seeing(model: TrackTwoModel, seen: dict):
    """The model's advocacy, noting each month's advocacy by its definition (from the holdings advocacy reads)."""
    advocacy = model.advocacy

    def advocacy_seen(t: int) -> int:
        seen[t] = _advocating(model, t)
        return advocacy(t)

    return advocacy_seen


@pytest.mark.parametrize("name", list(CONFIGS))
def test_kept_held_cells_and_advocacy_equal_their_passes_over_every_cell(name: str) -> None:
    """After every month: the kept held cells are the holdings' nonzero cells, the counted advocacy the month's,
    and the advocate counts (and their total) what counting that advocacy afresh along every tie gives."""
    for seed in (0, 7):
        model, seen = _model(CONFIGS[name], seed), {}
        model.advocacy = _seeing(model, seen)
        kept_months = 0
        for _ in range(model.params.steps):
            model.step()
            t = model.steps  # the month just run (Mesa counts it before running it)
            ideas = model.ideas
            held = ideas.holds.T.reshape(-1)[: ideas.count * ideas.n_actors].nonzero()[0]
            assert np.sort(ideas.held_cells()).tolist() == held.tolist()
            assert ideas.held_cells().size == int(ideas.held_count.sum())
            counts = model.advocate_counts
            if counts.ties is None:  # nothing advocated yet
                continue
            kept_months += ideas._changes_step == t
            active = seen[t]
            n = active.shape[0]
            assert (counts.active[:n] == active).all(), f"month {t}"
            assert not counts.active[n:].any()
            assert counts.counted == np.count_nonzero(active)
            fresh = AdvocateCounts(model.side)
            by_side, total = fresh.update(counts.ties, active.T)
            kept_by_side, kept_total = counts.current(n)
            assert (kept_by_side == by_side).all() and (kept_total == total).all(), f"month {t}"
        assert kept_months > model.params.steps // 2  # the kept paths were taken (not only the full ones)


def _outputs(model: TrackTwoModel) -> list:
    ideas = model.ideas
    n = ideas.count
    return [
        *(a.tolist() for a in ideas.adoption_log()),
        ideas.holds[:, :n].tolist(),
        ideas.adopted_at[:, :n].tolist(),
        ideas.held_count.tolist(),
        ideas.group_holders[:, :n].tolist(),
        ideas.group_reached.tolist(),
        ideas.dropped,
        model.trust.tolist(),
    ]


@pytest.mark.parametrize("name", ["default", "every_feature", "heavy_forgetting_every_feature", "grassroots_silenced"])
def test_runs_on_the_kept_paths_equal_runs_on_the_full_passes(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A whole run with the kept state gives, bit for bit, the run that finds it by passes over every cell."""
    kept = _model(CONFIGS[name], 3, steps=48)
    for _ in range(48):
        kept.step()
    monkeypatch.setattr(model_module, "_KEPT_AT", 2**62)  # every month on the passes over every cell
    full = _model(CONFIGS[name], 3, steps=48)
    for _ in range(48):
        full.step()
    assert _outputs(kept) == _outputs(full)
    series = [model.datacollector.get_model_vars_dataframe() for model in (kept, full)]
    assert series[0].equals(series[1])  # the time series (NaN where both have it)


def test_drop_held_drops_what_drop_drops() -> None:
    """Dropping by positions of the kept cells (any order of positions' cells) equals dropping the pairs."""
    rng = np.random.default_rng(2)
    ours, theirs = IdeaStore(50, groups=rng.integers(0, 3, 50), n_groups=3), None
    ours.create(rng.random(6), 0, 0, [rng.choice(50, 20, replace=False) for _ in range(6)])
    theirs = copy.deepcopy(ours)
    for step in range(1, 12):
        cells = ours.held_cells()
        at = np.flatnonzero(rng.random(cells.size) < 0.2)
        dropped = np.sort(cells[at])
        ours.drop_held(at)
        theirs.drop(dropped % 50, dropped // 50)
        actors = rng.choice(50, 10, replace=False)
        idea = int(rng.integers(0, 6))
        new = actors[~theirs.holds[actors, idea]]
        for store in (ours, theirs):
            store.adopt(new, np.full(new.size, idea), step, np.full(new.size, -1))
        assert np.sort(ours.held_cells()).tolist() == np.flatnonzero(theirs.holds[:, :6].T).tolist()
        for field in ("holds", "held_count", "group_holders", "group_reached", "dropped"):
            assert np.array_equal(getattr(ours, field), getattr(theirs, field)), field


@pytest.mark.parametrize("name", ["default", "one_step_span", "advocating_for_ever", "heavy_forgetting_every_feature"])
def test_runs_that_start_keeping_the_changes_mid_run_equal_runs_on_the_full_passes(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The changes are noted from advocacy's first kept month on (what came before found in the adoption log):
    a run crossing the size limit mid-run gives, bit for bit, the run on the full passes."""
    monkeypatch.setattr(model_module, "_KEPT_AT", 2**62)
    full = _model(CONFIGS[name], 5, steps=48)
    started = None
    for _ in range(48):
        full.step()
        if full.steps == 14:
            limit = full.ideas.count * full.n_actors  # the cells of month 14: the kept paths start about then
    assert not full.ideas._keeping and not full.ideas._by_step  # never asked: nothing noted
    monkeypatch.setattr(model_module, "_KEPT_AT", limit)
    kept = _model(CONFIGS[name], 5, steps=48)
    for _ in range(48):
        kept.step()
        if started is None and kept.ideas._keeping:
            started = kept.steps
    assert started is not None and 5 < started < 40
    assert _outputs(kept) == _outputs(full)
    series = [model.datacollector.get_model_vars_dataframe() for model in (kept, full)]
    assert series[0].equals(series[1])


@pytest.mark.parametrize("name", ["every_feature", "heavy_forgetting_every_feature", "advocating_for_ever"])
def test_forgetting_by_a_pass_where_densely_held_equals_forgetting_from_the_kept_cells(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = _model(CONFIGS[name], 6, steps=48)
    for _ in range(48):
        kept.step()
    monkeypatch.setattr(model_module, "_DENSELY_HELD", 8)  # the model's: dense months by the pass, the others kept
    switched, passes = _model(CONFIGS[name], 6, steps=48), 0
    for _ in range(48):
        passes += switched.ideas._held is None
        switched.step()
    assert 0 < passes < 48  # both ways in the run
    assert _outputs(switched) == _outputs(kept)
    series = [model.datacollector.get_model_vars_dataframe() for model in (kept, switched)]
    assert series[0].equals(series[1])
