"""The rival sources' month (model/rivals.py `RivalSources.month`) and its ideas' making, as kernels.

A month's counts are the first draws of its keyed Philox generator (numpy's Poisson by multiplication below a mean
of 10: a count is 0 when its first uniform is at most exp(-mean)), so whether a month has none is read from
``philox_uniforms`` exactly; tests/model/test_feature_paths.py checks it against the generator's own counts. The
first holders are drawn from the generator's raw words as numpy's bounded draws read them, and a month's ideas are
registered, authored, placed and seen by each side in one call each (``IdeaStore.create_rivals``,
``IssueSpace.place_rivals``): tests/model/test_rival_kernels.py checks them against the numpy code they replaced.
"""

from __future__ import annotations

import numpy as np
from numba import types
from tracktwo.model.kernels import kernel
from tracktwo.model.kernels.holdings import adopt_pairs
from tracktwo.model.kernels.meetings import philox_uniforms, placed

__all__ = ["drawn_holders", "einsum_distance", "marked_sides", "placed_rivals", "quiet_months", "registered_rivals"]

_LOW_32, _S32 = np.uint64(0xFFFFFFFF), np.uint64(32)
_INTS, _FLOATS = types.int64[::1], types.float64[::1]


@kernel("boolean[::1](uint64[::1], float64[::1])")
def quiet_months(keys, empty_below):
    """Whether each month (its generator's key) draws a count of 0 from every source, in order.

    `empty_below`: each source's exp(-mean), numpy's Poisson's bound by multiplication (a mean of 0 draws nothing:
    leave it out), every mean below 10.
    """
    quiet = np.empty(keys.size, dtype=np.bool_)
    for month in range(keys.size):
        draws = philox_uniforms(keys[month], empty_below.size)
        quiet[month] = True
        for source in range(empty_below.size):  # a count of 0 takes one draw: the next source's is the next
            if draws[source] > empty_below[source]:
                quiet[month] = False
                break
    return quiet


@kernel("int64(uint64[::1], uint64[::1], int64, int64)")
def _bounded(first, then, at, top):
    """A bounded draw of 0 .. top (1 to 2^32 - 2) from the at-th 32-bit draw of the words `first`, then `then`.

    A 32-bit draw is a word's low half, then its high half. Numpy's (Lemire's, from one 32-bit draw); -1 where numpy
    would reject it and draw again.
    """
    word = first[at >> 1] if at >> 1 < first.size else then[(at >> 1) - first.size]
    half = word & _LOW_32 if at % 2 == 0 else word >> _S32
    excluded = np.uint64(top + 1)
    scaled = half * excluded
    left = scaled & _LOW_32
    if left < excluded and left < (_LOW_32 - np.uint64(top)) % excluded:
        return -1
    return np.int64(scaled >> _S32)


@kernel(types.int64[::1](types.uint64[::1], types.uint64[::1], types.int64, types.int64, _INTS, _INTS, _INTS))
def drawn_holders(own_words, outside_words, own, outside, side_pools, pool_starts, officials):
    """Each rival idea's two first holders (sorted), idea after idea, as numpy's draws give them; empty if rejected.

    The draws are the month generator's 32-bit ones, read from its raw words: Track One's `own` ideas' words first,
    then the `outside` ideas' (half a word left by the first is the next draw). A Track One idea draws its side (of
    the sides with officials, `side_pools` from `pool_starts`; no draw when there is one) by ``integers``, then
    two of its officials as ``choice(pool, 2, replace=False)`` does from 3 to 10,000: two bounded draws by Floyd's
    algorithm, and one for its shuffle, which only orders the two. An idea from outside draws two of `officials`.
    Empty where numpy would reject a bounded draw and draw again (about 1 in 10^9): the caller draws the month again.
    """
    sides = pool_starts.size - 1
    holders = np.empty(2 * (own + outside), np.int64)
    at = 0
    for idea in range(own + outside):
        pool, start, size = officials, 0, officials.size
        if idea < own:
            side = 0
            if sides > 1:
                side = _bounded(own_words, outside_words, at, sides - 1)
                at += 1
                if side < 0:
                    return np.empty(0, np.int64)
            pool, start, size = side_pools, pool_starts[side], pool_starts[side + 1] - pool_starts[side]
        first = _bounded(own_words, outside_words, at, size - 2)
        second = _bounded(own_words, outside_words, at + 1, size - 1)
        at += 3
        if first < 0 or second < 0:
            return np.empty(0, np.int64)
        one, other = pool[start + first], pool[start + (size - 1 if second == first else second)]
        holders[2 * idea], holders[2 * idea + 1] = min(one, other), max(one, other)
    return holders


@kernel(
    "Tuple((int64[::1], int32[:, ::1]))(int64, int64, int64, float64[::1], int64[::1], int64[::1], uint64, uint64,"
    " int64, int64, int64, boolean, float64[::1], int32[::1], int32[::1], int8[::1], uint64[::1], boolean[::1],"
    " int32[::1], int32[::1], int32[::1], int64[::1], int64[::1], int64[:, ::1], int64[::1], int64[::1])"
)
def registered_rivals(first, step, own, new_novelty, holders, starts, own_key, outside_key, own_origin, outside_origin,
                      n_actors, dropped_any, novelty, origin_step, origin_workshop, origin, key, holds, adopted_at,
                      first_adopted, source, held_count, groups, group_holders, group_reached,
                      group_adoptions):  # fmt: skip
    """A month's rival ideas from id `first` on (Track One's `own` first): their rows, and their holders adopt them.

    Each idea's novelty, step, workshop (-1), origin and key (its source's key base + its rank among that source's
    ideas, as ``idea_keys``); then ``adopt_pairs`` of each idea's holders (`holders` from `starts`), idea by idea,
    as authors. Returns adopt_pairs' cells and log rows.
    """
    k = new_novelty.size
    ideas = np.empty(holders.size, np.int64)
    for i in range(k):
        idea = first + i
        novelty[idea] = new_novelty[i]
        origin_step[idea] = step
        origin_workshop[idea] = -1
        if i < own:
            origin[idea], key[idea] = own_origin, own_key + np.uint64(i)
        else:
            origin[idea], key[idea] = outside_origin, outside_key + np.uint64(i - own)
        ideas[starts[i] : starts[i + 1]] = idea
    sources = np.full(holders.size, -1, np.int64)  # ideas.AUTHOR
    counts = (held_count, groups, group_holders, group_reached, group_adoptions)
    return adopt_pairs(holders, ideas, sources, step, n_actors, dropped_any, holds, adopted_at, first_adopted, source,
                       *counts)  # fmt: skip


@kernel("float64(float64[:, ::1], int64, float64[:, ::1], int64)")
def einsum_distance(location, idea, position, side):
    """An idea's distance from a side's position, as ``np.sqrt(np.einsum("sid,sid->si", d, d))`` finds it, bit for bit.

    numpy's einsum sums the squares in two lanes (its baseline SIMD on x86-64: 128 bits): element j into lane j % 2, in
    blocks of 8 added from the last pair to the first, the lanes added at the end (no fused multiply-add).
    """
    dimensions = location.shape[1]
    even = odd = 0.0  # the lanes: the squares of the even elements, of the odd ones
    j = 0
    while dimensions - j >= 8:
        for pair in range(j + 6, j - 2, -2):
            a, b = location[idea, pair] - position[side, pair], location[idea, pair + 1] - position[side, pair + 1]
            even, odd = a * a + even, b * b + odd
        j += 8
    for at in range(j, dimensions):
        a = location[idea, at] - position[side, at]
        if (at - j) % 2 == 0:
            even = a * a + even
        else:
            odd = a * a + odd
    return np.sqrt(even + odd)


@kernel(
    "void(int64, int64, int64[::1], int64[::1], int64[::1], float64[:, ::1], float64[::1], float64[::1],"
    " float64[:, ::1], boolean, uint64[::1], uint64, float64[::1], float64[:, ::1], int64[::1], float64[:, ::1])"
)
def placed_rivals(first, own, holders, starts, side, salience, uniform, outside_anchor, position, neutral, keys,
                  prefix, novelty, location, dimension, table):  # fmt: skip
    """A month's rival ideas from id `first` on placed, and each side's novelty of each (`table`, sides x ideas).

    Track One's `own` ideas (the first) around its side's current position (the side of an idea's first holder),
    on the dimensions its holders weigh (their `salience` rows added in order, as ``np.add.reduce``); the others
    around `outside_anchor` on any dimension (`uniform`). Placed by :func:`placed`, idea by idea. A side's novelty
    of an idea: its drawn novelty when the space is `neutral` or the side is at the idea's anchor (every coordinate
    equal), else its distance (:func:`einsum_distance`).
    """
    sides, dimensions = position.shape
    ids = np.empty(1, np.int64)
    weights = np.empty((1, dimensions))
    anchor = np.empty(dimensions)
    for i in range(starts.size - 1):
        idea = first + i
        for d in range(dimensions):
            if i < own:
                weights[0, d] = salience[holders[starts[i]], d]
                for at in range(starts[i] + 1, starts[i + 1]):
                    weights[0, d] += salience[holders[at], d]
                anchor[d] = position[side[holders[starts[i]]], d]
            else:
                weights[0, d], anchor[d] = uniform[d], outside_anchor[d]
        ids[0] = idea
        placed(ids, weights, anchor, keys, prefix, novelty, location, dimension)
        for s in range(sides):
            here = neutral
            if not here:
                here = True
                for d in range(dimensions):
                    here &= position[s, d] == anchor[d]
            table[s, idea] = novelty[idea] if here else einsum_distance(location, idea, position, s)


@kernel("void(boolean[:, ::1], int64, int64[::1], int64[::1], int64[::1])")
def marked_sides(author_sides, first, holders, starts, side):
    """The sides of each idea's holders (`holders` from `starts`, ideas from id `first` on) marked as its authors'."""
    for i in range(starts.size - 1):
        for at in range(starts[i], starts[i + 1]):
            author_sides[first + i, side[holders[at]]] = True
