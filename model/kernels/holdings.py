"""The month's holdings bookkeeping as kernels: advocacy counted along ties, forgetting, adopting and dropping.

Each replaces a dozen numpy calls on small arrays with one compiled pass (docs/reference/speed.md). All of it is
integer work or whole numbers in float64 (the advocate counts), so the order of the additions never changes a
result; the one transcendental step here, officials' learnt trust's power, stays in numpy between two kernels.

Layouts, as the model stores them: holdings idea-major (ideas x actors, a flat cell = idea x actors + actor);
advocate counts (layers x ideas x actors), their total over the layers (ideas x actors) beside them with several
layers (an empty array with one); a network as its CSR arrays (int32); per-group counts (groups x ideas).
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, keyed_bits, stable_order
from tracktwo.model.randomness import GOLDEN

__all__ = [
    "adopt_pairs",
    "advocating_cells",
    "drop_held_pairs",
    "drop_pairs",
    "forget_held",
    "forgotten",
    "forgotten_at",
    "learn_trust",
    "learn_trust_by_adopting",
    "recount",
    "recount_cells",
    "recount_held",
    "trust_learnt",
]

_GOLDEN = np.uint64(GOLDEN)
_COUNTS = "int64[::1], int32[::1], int32[::1], float64[:, :, ::1], float64[:, ::1]"  # sides, the CSR arrays, counts
_GROUPS = "int64[::1], int64[::1], int64[:, ::1], int64[::1]"  # held_count, groups, group_holders, group_reached


@kernel(f"void(int64[::1], boolean[::1], int64, {_COUNTS})")
def _count_flips(cells, counted, n, sides, indptr, indices, counts, sums):
    """Count the flat cells that flipped (to `counted`, flat: 1 started, else stopped) along their advocates' ties.

    Each adds (or takes away) 1 to its neighbours' counts for the idea, in the advocate's side's layer. (One call
    for all the cells: a kernel called per cell would pay its array arguments' reference counts each time.)
    """
    layered = counts.shape[0] > 1
    for cell in cells:
        actor, idea = cell % n, cell // n
        sign = 1.0 if counted[cell] else -1.0
        layer = sides[actor] if layered else 0
        for j in range(indptr[actor], indptr[actor + 1]):
            receiver = indices[j]
            counts[layer, idea, receiver] += sign
            if layered:
                sums[idea, receiver] += sign


@kernel(f"int64(boolean[:, ::1], boolean[:, ::1], {_COUNTS})")
def recount(advocating, counted, sides, indptr, indices, counts, sums):
    """Count the (idea, actor) cells whose advocacy differs from `counted` along their ties, and mark them counted.

    Returns the cells advocating now.
    """
    now, flat = advocating.reshape(-1), counted.reshape(-1)
    flips = np.empty(now.size, dtype=np.int64)
    total = found = 0
    for cell in range(now.size):
        total += now[cell]
        if now[cell] != flat[cell]:
            flat[cell] = now[cell]
            flips[found] = cell
            found += 1
    _count_flips(flips[:found], flat, counted.shape[1], sides, indptr, indices, counts, sums)
    return total


@kernel(f"int64(int32[:, ::1], boolean[:, ::1], int64, int64, boolean[::1], boolean[:, ::1], {_COUNTS})")
def recount_held(adopted_at, holds, t, span, silenced, counted, sides, indptr, indices, counts, sums):
    """:func:`recount` of step t's advocacy read from the holdings (idea-major): who advocates what, cell by cell.

    A cell advocates when held, adopted before t, at most `span` steps before (span < 0: for ever), and its actor
    not `silenced` (an empty mask: nobody is). Returns the cells advocating now.
    """
    n = holds.shape[1]
    flips = np.empty(counted.size, dtype=np.int64)
    total = found = 0
    anyone_silenced = silenced.size > 0
    for idea in range(holds.shape[0]):
        for actor in range(n):
            at = adopted_at[idea, actor]
            now = holds[idea, actor] and at < t and (span < 0 or at >= t - span)
            now = now and not (anyone_silenced and silenced[actor])
            total += now
            if now != counted[idea, actor]:
                counted[idea, actor] = now
                flips[found] = idea * n + actor
                found += 1
    if found:
        _count_flips(flips[:found], counted.reshape(-1), n, sides, indptr, indices, counts, sums)
    return total


@kernel(f"int64(int64[::1], boolean[::1], boolean[:, ::1], {_COUNTS})")
def recount_cells(cells, now, counted, sides, indptr, indices, counts, sums):
    """:func:`recount` of the flat `cells` only (some maybe twice), advocating `now`: the change in cells advocating.

    A cell given twice has the same advocacy both times (read from the holdings at once), so flipping it at its
    first sight leaves the second nothing to flip: each cell is flipped once, in the order given (the counts are
    whole numbers: any order of their additions gives the same).
    """
    flat = counted.reshape(-1)
    flips = np.empty(cells.size, dtype=np.int64)
    found, change = 0, 0
    for i in range(cells.size):
        cell = cells[i]
        if now[i] != flat[cell]:
            flat[cell] = now[i]
            flips[found] = cell
            found += 1
            change += 1 if now[i] else -1
    _count_flips(flips[:found], flat, counted.shape[1], sides, indptr, indices, counts, sums)
    return change


@kernel("boolean[::1](int64[::1], boolean[::1], int32[::1], int64, int64)")
def advocating_cells(cells, holds, adopted_at, t, span):
    """Whether each flat cell advocates at step t: held, adopted before t and (span >= 0) at t - span or later."""
    now = np.empty(cells.size, dtype=np.bool_)
    for i in range(cells.size):
        at = adopted_at[cells[i]]
        now[i] = holds[cells[i]] and at < t and (span < 0 or at >= t - span)
    return now


@kernel("boolean(int64, uint64, uint64)")
def _forgets(actor, key, threshold):
    """Whether the actor drops an idea: its forgetting draw (the idea's `key`) under the actor's `threshold`."""
    return keyed_bits(np.uint64(actor) * _GOLDEN + key) < threshold


@kernel("Tuple((int64[::1], int64[::1]))(boolean[:, ::1], uint64[::1], uint64[::1])")
def forgotten(held, mixed, thresholds):
    """The (actors, ideas) of the held (ideas x actors) cells dropped, in the flat cells' order.

    `mixed`: the forgetting keys of the step, one per idea; `thresholds`: each actor's rate as 53-bit integers.
    Every cell is hashed and compared without a branch (SIMD, about 0.5 ns a cell: less than hashing only the held
    cells with branches, about 4 ns each, at every size tried), into a flag per cell; the flagged cells are then found
    8 flags at a time.
    """
    n_ideas, n = held.shape
    width = n + 7 - (n + 7) % 8  # each idea's flags in whole words of 8
    flags = np.empty((n_ideas, width), np.uint8)
    found = 0
    for idea in range(n_ideas):
        key, here = mixed[idea], 0
        for actor in range(n):
            flag = held[idea, actor] & (keyed_bits(np.uint64(actor) * _GOLDEN + key) < thresholds[actor])
            flags[idea, actor] = flag
            here += flag  # (a local sum: not SIMD into found)
        for actor in range(n, width):
            flags[idea, actor] = 0
        found += here
    actors, ideas = np.empty(found + 8, np.int64), np.empty(found + 8, np.int64)  # (room for a word's 8 writes)
    at, words, flat = 0, flags.reshape(-1).view(np.uint64), flags.reshape(-1)
    for w in range(words.size):
        if words[w]:
            for place in range(8 * w, 8 * w + 8):  # (written whatever the flag: no branch to mispredict)
                ideas[at], actors[at] = place // width, place % width
                at += flat[place]
    return actors[:found], ideas[:found]


@kernel("int64[::1](int64[::1], int64, uint64[::1], uint64[::1])")
def forgotten_at(cells, n_actors, mixed, thresholds):
    """:func:`forgotten` of held flat cells: the positions (increasing) of those dropped."""
    at = np.empty(cells.size, dtype=np.int64)
    found = 0
    for i in range(cells.size):
        actor = cells[i] % n_actors
        if _forgets(actor, mixed[cells[i] // n_actors], thresholds[actor]):
            at[found] = i
            found += 1
    return at[:found]


@kernel(
    "Tuple((int64[::1], int32[:, ::1]))(int64[::1], int64[::1], int64[::1], int64, int64,"
    f" boolean, boolean[::1], int32[::1], int32[::1], int32[::1], {_GROUPS}, int64[::1])"
)
def adopt_pairs(
    actors,
    ideas,
    sources,
    step,
    n_actors,
    dropped_any,
    holds,
    adopted_at,
    first_adopted,
    source,
    held_count,
    groups,
    group_holders,
    group_reached,
    group_adoptions,
):
    """Actors adopt ideas (distinct pairs, not held) at `step` from `sources`: the cells written and counted.

    The first adoption's step and source are kept: with nothing dropped (`dropped_any` False) a pair not held never
    was. Each actor reaches its group's count of members holding an idea when it goes from none to one. Returns
    the flat cells, and the ideas, actors and sources as the adoption log keeps them (rows of int32).
    """
    size = actors.size
    cells = np.empty(size, dtype=np.int64)
    logged = np.empty((3, size), dtype=np.int32)
    for i in range(size):
        actor, idea = actors[i], ideas[i]
        cell = idea * n_actors + actor
        cells[i] = cell
        if not dropped_any or first_adopted[cell] < 0:
            first_adopted[cell] = step
            source[cell] = sources[i]
        holds[cell] = True
        adopted_at[cell] = step
        group = groups[actor]
        if held_count[actor] == 0:
            group_reached[group] += 1
        held_count[actor] += 1
        group_holders[group, idea] += 1
        group_adoptions[group] += 1
        logged[0, i], logged[1, i], logged[2, i] = idea, actor, sources[i]
    return cells, logged


@kernel(f"void(int64[::1], boolean[::1], {_GROUPS})")
def _drop(cells, holds, held_count, groups, group_holders, group_reached):
    """The flat (idea x actors + actor) cells of `holds` stop being held: the counts follow."""
    n_actors = held_count.size
    for cell in cells:
        actor, idea = cell % n_actors, cell // n_actors
        holds[cell] = False
        group = groups[actor]
        held_count[actor] -= 1
        if held_count[actor] == 0:
            group_reached[group] -= 1
        group_holders[group, idea] -= 1


@kernel(f"int64[::1](int64[::1], int64[::1], boolean[::1], {_GROUPS})")
def drop_pairs(actors, ideas, holds, held_count, groups, group_holders, group_reached):
    """Actors stop holding ideas (distinct pairs, held): the flat cells dropped."""
    cells = ideas * held_count.size + actors
    _drop(cells, holds, held_count, groups, group_holders, group_reached)
    return cells


@kernel(f"int64[::1](boolean[:, ::1], uint64[::1], uint64[::1], {_GROUPS})")
def forget_held(held, mixed, thresholds, held_count, groups, group_holders, group_reached):
    """:func:`forgotten` of the held (ideas x actors) cells, dropped at once (:func:`drop_pairs`): the flat cells."""
    actors, ideas = forgotten(held, mixed, thresholds)
    cells = ideas * held.shape[1] + actors
    _drop(cells, held.reshape(-1), held_count, groups, group_holders, group_reached)
    return cells


@kernel(f"Tuple((int64[::1], int64[::1]))(int64[::1], int64[::1], boolean[::1], {_GROUPS})")
def drop_held_pairs(held, at, holds, held_count, groups, group_holders, group_reached):
    """:func:`drop_pairs` of the flat cells `held` at positions `at` (increasing): (the cells kept, those dropped)."""
    kept = np.empty(held.size - at.size, dtype=np.int64)
    cells = np.empty(at.size, dtype=np.int64)
    next_kept, next_at = 0, 0
    for i in range(held.size):
        if next_at < at.size and at[next_at] == i:
            cells[next_at] = held[i]
            next_at += 1
        else:
            kept[next_kept] = held[i]
            next_kept += 1
    _drop(cells, holds, held_count, groups, group_holders, group_reached)
    return kept, cells


@kernel("Tuple((int64[::1], int64[::1]))(int64[::1], int64[::1], boolean[:, ::1], boolean[:, ::1])")
def trust_learnt(actors, ideas, author_sides, learns_trust_of):
    """The flat (actor, side) cells of trust officials learn by adopting ideas, in order, and how often each.

    A cell counts once per adoption of an idea among whose authors the side is, by an actor who learns to trust it.
    """
    n_sides = learns_trust_of.shape[1]
    learnt = np.empty(actors.size * n_sides, dtype=np.int64)
    found = 0
    for i in range(actors.size):
        for side in range(n_sides):
            if author_sides[ideas[i], side] and learns_trust_of[actors[i], side]:
                learnt[found] = actors[i] * n_sides + side
                found += 1
    learnt = learnt[:found]
    learnt = learnt[stable_order(learnt.view(np.uint64))]  # cells are >= 0
    cells = np.empty(found, dtype=np.int64)
    times = np.empty(found, dtype=np.int64)
    distinct = 0
    for i in range(found):
        if distinct and cells[distinct - 1] == learnt[i]:
            times[distinct - 1] += 1
        else:
            cells[distinct] = learnt[i]
            times[distinct] = 1
            distinct += 1
    return cells[:distinct], times[:distinct]


@kernel("void(float64[:, :], int64[::1], float64[::1])")
def learn_trust(trust, cells, kept):
    """Trust at the flat (actor, side) cells becomes 1 - (1 - trust) x kept: the distrust `kept` of each remains."""
    n_sides = trust.shape[1]
    for i in range(cells.size):
        actor, side = cells[i] // n_sides, cells[i] % n_sides
        trust[actor, side] = 1.0 - (1.0 - trust[actor, side]) * kept[i]


@kernel("int64(int64[::1], int64[::1], boolean[:, ::1], boolean[:, ::1], float64[:, :], float64[::1])")
def learn_trust_by_adopting(actors, ideas, author_sides, learns_trust_of, trust, powers):
    """:func:`trust_learnt` of these adoptions, then :func:`learn_trust` with each cell's distrust kept powers[times].

    `powers`: (1 - gain) ** k for k = 0, 1, ..., computed by numpy. Returns 0, or, when a cell learns more often
    than `powers` has powers for, the count needed (nothing learnt: call again with more).
    """
    cells, times = trust_learnt(actors, ideas, author_sides, learns_trust_of)
    most = 0
    for count in times:
        most = max(most, count)
    if most >= powers.size:
        return most + 1
    learn_trust(trust, cells, powers[times])
    return 0
