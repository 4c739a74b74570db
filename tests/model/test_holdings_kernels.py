"""The month's holdings bookkeeping compiled (model/kernels/holdings.py) gives, bit for bit, the numpy code it replaced.

Speed work (issue 22, session 16) replaced advocacy's counting along ties (`AdvocateCounts.update`,
`update_cells`, `TrackTwoModel._count_advocacy`), forgetting (`forget`, `forget_cells`), the ideas' holdings
bookkeeping (`IdeaStore.adopt`, `drop`, `drop_held`, `advocacy_changes`) and officials' learnt trust with numba
kernels. The numpy code is kept here as the reference: whole runs with it patched in (month by month, every
holdings array, count and trust compared) and random cases of each piece against the kernels.
"""

from __future__ import annotations

import copy
from types import MethodType

import numpy as np
import pytest
from test_kept_holdings import CONFIGS
from tracktwo.model import model as model_module
from tracktwo.model.diffusion import _STEP_ROWS, AdvocateCounts, StepDraws, TieIndex, forget, forget_cells
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import make_params
from tracktwo.model.randomness import EventRandomness

_PLUS_ONE, _MINUS_ONE = np.float64(1.0), np.float64(-1.0)
_FEW_CHANGES, _FEW_OF_MANY = 64, 16


# The numpy code the kernels replaced --------------------------------------------------------------------


def _adopt(store, actors, ideas, step, sources) -> None:
    """IdeaStore.adopt as before."""
    if actors.size == 0:
        return
    one = store.count == 1
    cell = actors if one else ideas * store.n_actors + actors
    holds, adopted_at, first_adopted, source = store._flat
    first = None if store.dropped == 0 else first_adopted[cell] < 0
    if first is None or np.count_nonzero(first) == first.size:
        first_adopted[cell] = step
        source[cell] = sources
    else:
        first_adopted[cell[first]] = step
        source[cell[first]] = sources[first]
    holds[cell] = True
    adopted_at[cell] = step
    store._note_adopted(cell, step)
    if one:
        store.held_count[actors] += 1
        added = np.bincount(store.groups[actors], minlength=store.n_groups)
        store.group_holders[:, 0] += added
        store.group_adoptions += added
        store.group_reached += added
    else:
        _count(store, actors, ideas, 1)
    store._log.append((ideas.astype(np.int32), actors.astype(np.int32), step, sources.astype(np.int32)))


def _drop(store, actors, ideas) -> None:
    """IdeaStore.drop as before."""
    if actors.size == 0:
        return
    cells = ideas * store.n_actors + actors
    store._flat[0][cells] = False
    store._held = None
    if store._keeping:
        store._dropped_since.append(cells)
    store.dropped += actors.size
    _count(store, actors, ideas, -1)


def _drop_held(store, at) -> None:
    """IdeaStore.drop_held as before."""
    if at.size == 0:
        return
    held = store._held
    cells = held.take(at)
    ideas = cells // store.n_actors
    actors = cells - ideas * store.n_actors
    store._flat[0][cells] = False
    kept = np.ones(held.size, dtype=bool)
    kept[at] = False
    store._held = held[kept]
    if store._keeping:
        store._dropped_since.append(cells)
    store.dropped += at.size
    _count(store, actors, ideas, -1)


def _count(store, actors, ideas, change) -> None:
    """IdeaStore._count as before (with _once)."""
    before = store.held_count[actors] if change > 0 else None
    np.add.at(store.held_count, actors, change)
    groups = store.groups[actors]
    if actors.size <= _FEW_CHANGES:
        np.add.at(store.group_holders.reshape(-1), groups * store.capacity + ideas, change)
    else:
        cells = groups * store.capacity + ideas
        counts = np.bincount(cells, minlength=store.group_holders.size).reshape(store.group_holders.shape)
        store.group_holders += change * counts
    if change > 0:
        store.group_adoptions += np.bincount(groups, minlength=store.n_groups)
        crossed = actors[before == 0]
    else:
        crossed = actors[store.held_count[actors] == 0]
    if crossed.size:
        if crossed.size == 1:
            once = crossed
        elif crossed.size * _FEW_OF_MANY >= store.n_actors:
            once = np.zeros(store.n_actors, dtype=bool)
            once[crossed] = True
        else:
            mark = np.zeros(store.n_actors, dtype=np.int64)
            positions = np.arange(crossed.size)
            mark[crossed] = positions
            once = crossed[mark[crossed] == positions]
        store.group_reached += change * np.bincount(store.groups[once], minlength=store.n_groups)


def _advocacy_changes(store, t, span):
    """IdeaStore.advocacy_changes as before."""
    if not store._keeping:
        store._keep_from(t if span is None else t - span)
    last, store._changes_step = store._changes_step, t
    dropped, store._dropped_since = store._dropped_since, []
    started = store._by_step.get(t - 1, []) if span is not None else store._by_step.pop(t - 1, [])
    stopped = store._by_step.pop(t - 1 - span, []) if span is not None else []
    if last != t - 1:
        return None
    parts = [*started, *stopped, *dropped]
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=bool)
    cells = parts[0] if len(parts) == 1 else np.concatenate(parts)
    now = store._flat[0].take(cells)
    adopted_at = store._flat[1].take(cells)
    if span is None:
        now &= adopted_at < t
    else:
        adopted_at -= t - span
        now &= adopted_at.view(np.uint32) < span
    return cells, now


def _update(counts, ties, active, advocacy=None):
    """AdvocateCounts.update as before."""
    n_ideas = active.shape[1]
    advocating = active.T
    counts._follow(ties, n_ideas)
    layers = counts.counts.shape[0]
    counted = counts.active[:n_ideas]
    changed = (advocating != counted).reshape(-1).nonzero()[0]
    if changed.size:
        advocacy = np.count_nonzero(advocating) if advocacy is None else advocacy
        _count_changes(counts, ties, advocating, changed, layers, advocacy - counts.counted == changed.size)
        counted[...] = advocating
        counts.counted = advocacy
    return counts.current(n_ideas)


def _update_cells(counts, ties, n_ideas, cells, now) -> bool:
    """AdvocateCounts.update_cells as before."""
    if not counts._follow(ties, n_ideas):
        return False
    layers = counts.counts.shape[0]
    advocating = counts.active[:n_ideas]
    flat = advocating.reshape(-1)
    flips = (now != flat.take(cells)).nonzero()[0]
    if flips.size == 0:
        return True
    changed = cells.take(flips)
    if changed.size > 1:
        changed.sort()
        distinct = changed[1:] != changed[:-1]
        if not distinct.all():
            changed = changed[np.concatenate(([True], distinct))]
    started = flat.take(changed)
    np.logical_not(started, out=started)
    flat[changed] = started
    starts = np.count_nonzero(started)
    _count_changes(counts, ties, advocating, changed, layers, starts == changed.size)
    counts.counted += 2 * starts - changed.size
    return True


def _count_changes(counts_of, ties, advocating, changed, layers, all_started) -> None:
    """AdvocateCounts._count_changes as before."""
    n = counts_of.sides.size
    actors = changed if advocating.shape[0] == 1 else changed % n
    first = None if advocating.shape[0] == 1 else changed - actors
    offset = None if layers == 1 else counts_of.sides[actors] * (counts_of.counts.shape[1] * n)
    started = None if all_started else advocating.reshape(-1)[changed]
    counts = counts_of.counts.reshape(-1)
    degrees, neighbours = ties.entries(actors)  # (the numpy code also read a padded table: the same counts)
    cells = neighbours if first is None else first.repeat(degrees) + neighbours
    change = _PLUS_ONE if all_started else np.where(started, _PLUS_ONE, _MINUS_ONE).repeat(degrees)
    if offset is None:
        np.add.at(counts, cells, change)
        return
    np.add.at(counts_of.sums.reshape(-1), cells, change)
    np.add.at(counts, cells + offset.repeat(degrees), change)


def _count_advocacy(model, t, n) -> None:
    """TrackTwoModel._count_advocacy as before."""
    ideas, counts, span = model.ideas, model.advocate_counts, model.params.diffusion.advocacy_span
    changes = ideas.advocacy_changes(t, span) if n * model.n_actors >= model_module._KEPT_AT else None
    if changes is not None:
        cells, now = changes
        if model._silenced is not None:
            now &= ~model._silenced.take(cells % model.n_actors)
        if counts.update_cells(model.tie_index, n, cells, now):
            return
    adopted_at = ideas.adopted_at.T[:n]
    active = adopted_at < t
    active &= ideas.holds.T[:n]
    if span is not None:
        active &= adopted_at >= t - span
    if model._silenced is not None:
        active &= ~model._silenced[None, :]
    counts.update(model.tie_index, active.T)


def _officials_learn_trust(model, actors, ideas) -> None:
    """TrackTwoModel._officials_learn_trust as before."""
    gain = model.params.diffusion.official_trust_gain
    if gain == 0 or actors.size == 0 or model.n_sides < 2:
        return
    across = model.author_sides.take(ideas, axis=0) & model._learns_trust_of.take(actors, axis=0)
    trust_cells = np.arange(model.n_actors * model.n_sides).reshape(model.n_actors, model.n_sides)
    learnt = trust_cells.take(actors, axis=0)[across]
    if learnt.size == 0:
        return
    counted = np.bincount(learnt)
    cells = counted.nonzero()[0]
    times = counted.take(cells)
    trust = model.trust.reshape(-1)
    trust[cells] = 1.0 - (1.0 - trust.take(cells)) * (1.0 - gain) ** times


def _forgotten(draws, actors, ideas, thresholds) -> np.ndarray:
    """diffusion._forgotten as before."""
    bits = draws.bits(_STEP_ROWS["forgetting"], actors, ideas)
    under = (bits < thresholds.max()).nonzero()[0]
    if under.size == 0:
        return under
    return under.take((bits.take(under) < thresholds.take(actors.take(under))).nonzero()[0])


def _forget(draws, held, thresholds):
    """diffusion.forget as before (the model's idea-major holdings)."""
    n_actors = held.shape[0]
    flat = held.T.reshape(-1).nonzero()[0]
    ideas = flat // n_actors
    actors = flat - ideas * n_actors
    dropped = _forgotten(draws, actors, ideas, thresholds)
    return actors.take(dropped), ideas.take(dropped)


def _forget_cells(draws, cells, n_actors, thresholds):
    """diffusion.forget_cells as before."""
    if cells.size == 0:
        return cells
    ideas = cells // n_actors
    return _forgotten(draws, cells - ideas * n_actors, ideas, thresholds)


def _forgetting_step(model, t) -> None:
    """TrackTwoModel.forgetting_step as before."""
    if not model._anyone_forgets:
        return
    ideas, draws, thresholds = model.ideas, model._step_draws(t), model._forget_thresholds
    if ideas.count * model.n_actors < model_module._KEPT_AT:
        ideas.drop(*_forget(draws, ideas.held, thresholds))
        return
    cells = ideas.held_cells()
    ideas.drop_held(_forget_cells(draws, cells, ideas.n_actors, thresholds))


def _as_before(model: TrackTwoModel) -> TrackTwoModel:
    """The model with the numpy code patched in for every piece the kernels replaced."""
    ideas, counts = model.ideas, model.advocate_counts
    for name, function in (("adopt", _adopt), ("drop", _drop), ("drop_held", _drop_held)):
        setattr(ideas, name, MethodType(function, ideas))
    ideas.advocacy_changes = MethodType(_advocacy_changes, ideas)
    counts.update = MethodType(_update, counts)
    counts.update_cells = MethodType(_update_cells, counts)
    model._count_advocacy = MethodType(_count_advocacy, model)
    model._officials_learn_trust = MethodType(_officials_learn_trust, model)
    model.forgetting_step = MethodType(_forgetting_step, model)
    return model


# The tests ----------------------------------------------------------------------------------------------


def _state(model: TrackTwoModel) -> list:
    ideas, counts = model.ideas, model.advocate_counts
    n = ideas.count
    held = None if ideas._held is None else np.sort(ideas._held).tolist()
    return [
        *(a.tolist() for a in ideas.adoption_log()),
        *(getattr(ideas, name)[:, :n].tolist() for name in ("holds", "adopted_at", "first_adopted", "source")),
        ideas.held_count.tolist(),
        ideas.group_holders[:, :n].tolist(),
        ideas.group_reached.tolist(),
        ideas.group_adoptions.tolist(),
        ideas.dropped,
        held,
        counts.counted,
        counts.active[:n].tolist(),
        counts.counts[:, :n].tobytes(),
        None if counts.sums is None else counts.sums[:n].tobytes(),
        model.trust.tobytes(),
    ]


@pytest.mark.parametrize("kept", [True, False])
@pytest.mark.parametrize(
    "name",
    [
        "default",
        "every_feature",
        "four_sides",
        "heavy_forgetting_every_feature",
        "advocating_for_ever",
        "one_step_span",
        "grassroots_silenced",
    ],
)
def test_runs_with_the_kernels_equal_runs_with_the_numpy_code(
    name: str, kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Month by month, the holdings, their counts, the advocate counts and trust are the numpy code's, bit for bit
    (the kept paths at every size, or the passes over every cell at every size)."""
    monkeypatch.setattr(model_module, "_KEPT_AT", 0 if kept else 2**62)
    if kept:  # never dense: forgetting from the kept held cells too
        monkeypatch.setattr(model_module, "_DENSELY_HELD", 0)
    config = {**copy.deepcopy(CONFIGS[name]), "steps": 48}
    ours, theirs = TrackTwoModel(make_params(config), 4), _as_before(TrackTwoModel(make_params(config), 4))
    dropped = 0
    for _ in range(48):
        ours.step()
        theirs.step()
        assert _state(ours) == _state(theirs), f"month {ours.steps}"
        dropped += ours.ideas.dropped
    assert dropped and ours.ideas.count > 1
    series = [model.datacollector.get_model_vars_dataframe() for model in (ours, theirs)]
    assert series[0].equals(series[1])


def _network(rng: np.random.Generator, n: int, sides: np.ndarray) -> TieIndex:
    ties = rng.integers(0, n, size=(int(rng.integers(0, 4 * n)), 2))
    ties = ties[ties[:, 0] != ties[:, 1]]
    return TieIndex.build(n, ties[:, 0], ties[:, 1], sides)


def test_advocate_counts_update_equals_the_numpy_count_of_changes() -> None:
    """Any advocacy, any network (one layer or one per side), month after month."""
    rng = np.random.default_rng(16)
    for case in range(60):
        n, n_sides = int(rng.integers(2, 60)), int(rng.integers(1, 4))
        sides = rng.integers(0, n_sides, n)
        ties = _network(rng, n, sides)
        ours, theirs = AdvocateCounts(sides), AdvocateCounts(sides)
        n_ideas = 1
        for month in range(8):
            n_ideas = min(n_ideas + int(rng.integers(0, 3)), 9)
            active = rng.random((n, n_ideas)) < rng.choice([0.0, 0.05, 0.3, 0.9])
            if month == 5:  # a workshop's new ties: counted for the advocacy counted already
                extra = rng.integers(0, n, size=(3, 2))
                extra = extra[(extra[:, 0] != extra[:, 1])]
                if extra.size:
                    pairs = {tuple(sorted(p)) for p in extra.tolist()}
                    known = set(zip(*np.nonzero(ties.all.toarray()), strict=True))
                    new = np.array([p for p in pairs if p not in known], dtype=np.int64).reshape(-1, 2)
                    if new.size:
                        ties = ties.with_ties(new[:, 0], new[:, 1], sides)
            got = ours.update(ties, active)
            want = _update(theirs, ties, active)
            assert all(a.tobytes() == b.tobytes() for a, b in zip(got, want, strict=True)), (case, month)
            assert ours.counted == theirs.counted and (ours.active == theirs.active).all()


def test_advocate_counts_update_cells_equals_the_numpy_flips() -> None:
    """Cells listed in any order, some twice (with the same advocacy, read from the holdings at once, as the model
    gives them), against the numpy flips and counts."""
    rng = np.random.default_rng(17)
    for case in range(60):
        n, n_sides, n_ideas = int(rng.integers(2, 50)), int(rng.integers(1, 4)), int(rng.integers(1, 6))
        sides = rng.integers(0, n_sides, n)
        ties = _network(rng, n, sides)
        ours, theirs = AdvocateCounts(sides), AdvocateCounts(sides)
        start = rng.random((n, n_ideas)) < 0.3
        ours.update(ties, start)
        _update(theirs, ties, start)
        for month in range(6):
            cells = rng.integers(0, n * n_ideas, int(rng.integers(0, 3 * n)))
            now = (rng.random(n * n_ideas) < 0.5)[cells]  # each cell's advocacy: the same at each of its places
            assert ours.update_cells(ties, n_ideas, cells.copy(), now) == _update_cells(
                theirs, ties, n_ideas, cells.copy(), now
            )
            assert ours.counted == theirs.counted, (case, month)
            assert (ours.active == theirs.active).all() and ours.counts.tobytes() == theirs.counts.tobytes()
            assert (ours.sums is None) == (theirs.sums is None)
            assert ours.sums is None or ours.sums.tobytes() == theirs.sums.tobytes()


def test_forgetting_equals_the_numpy_draws() -> None:
    """forget and forget_cells drop what the numpy comparisons of the keyed bits dropped (and the held cells' order)."""
    rng = np.random.default_rng(18)
    for case in range(100):
        n, n_ideas = int(rng.integers(1, 80)), int(rng.integers(1, 12))
        draws = StepDraws(
            EventRandomness(case), int(rng.integers(0, 200)), rng.integers(0, 2**60, n_ideas).astype(np.uint64)
        )
        held = np.asfortranarray(rng.random((n, n_ideas)) < rng.random())
        rate = rng.choice([0.0, 0.01, 0.3, 1.0, rng.random()], size=n) * (rng.random() < 0.9)
        thresholds = np.ceil(rate * 2.0**53).astype(np.uint64)
        got, want = forget(draws, held, rate, thresholds), _forget(draws, held, thresholds)
        assert [a.tolist() for a in got] == [a.tolist() for a in want], case
        assert [a.tolist() for a in forget(draws, np.ascontiguousarray(held), rate)] == [a.tolist() for a in want]
        cells = rng.permutation(held.T.reshape(-1).nonzero()[0])
        assert forget_cells(draws, cells, n, thresholds).tolist() == _forget_cells(draws, cells, n, thresholds).tolist()


@pytest.mark.parametrize("gain", [0.01, 0.05, 0.3, 1 / 3, 0.999])
def test_kept_powers_are_numpys_powers_of_each_count(gain: float) -> None:
    """The distrust kept after learning k times, read from numpy's powers of 0, 1, 2, ... (model._kept_distrust), is
    the power numpy gives for k in an array of counts of any length and order (its SIMD bits and tails alike)."""
    powers = np.power(1.0 - gain, np.arange(40))
    rng = np.random.default_rng(int(gain * 1000))
    for size in (1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 200):
        times = rng.integers(1, 40, size)
        assert np.array_equal(powers[times], (1.0 - gain) ** times)
