"""Kernels of a meeting: invitations, the room's trust, the ideas' authors and places, the trust and standing left.

Called by model/workshops.py, model/ideas.py, model/issues.py and model/model.py.

Integer work and the quotas' products and quotients (correctly rounded everywhere), numpy's pairwise sum of the
shares (:func:`pairwise_sum`), and the keyed uniforms compared as their 53-bit integers (a uniform is the integer
times 2^-53, exactly): the numpy code's results exactly; tests/model/test_meeting_kernels.py checks them against it.
"""

from __future__ import annotations

import math

import numpy as np
from numba import types
from tracktwo.model.kernels import bisect_right, kernel, keyed_bits, pairwise_sum, readonly, stable_order
from tracktwo.model.kernels.holdings import adopt_pairs
from tracktwo.model.randomness import GOLDEN, UNIT

__all__ = [
    "authored_pairs",
    "invited",
    "meeting_gains",
    "philox_uniforms",
    "placed",
    "room_trust",
    "seats_by_remainder",
]

_GOLDEN = np.uint64(GOLDEN)
_INTS, _FLOATS = types.int64[::1], types.float64[::1]
_TRUST, _STANDING = types.float64[:, :], types.float64[:]  # the model's arrays, in whatever layout they came
_KEPT = readonly(types.int64)  # a room shape's arrays (model/workshops.py: kept, read-only)
_ROWS, _POINT = types.float64[:, :], types.float64[:]  # the issue space's weights and anchors, in any layout
_KEYS, _LOCATION = types.uint64[::1], types.float64[:, ::1]  # the ideas' keys and locations
_RANK_SHIFT = np.uint64(53)  # a rank above a uniform's 53 bits: one key sorts by rank, then by the uniform
# Philox4x64-10 (Random123, as numpy's Philox bit generator): the round's multipliers and the key's increments
_PHILOX_M0, _PHILOX_M1 = np.uint64(0xD2E7470EE14C6C93), np.uint64(0xCA5A826395121157)
_PHILOX_W0, _PHILOX_W1 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBB67AE8584CAA73B)
_LOW_32, _S32, _S11 = np.uint64(0xFFFFFFFF), np.uint64(32), np.uint64(11)
_ONE = np.uint64(1)


@kernel("UniTuple(uint64, 2)(uint64, uint64)")
def _multiply(a, b):
    """The 128-bit product of two uint64s as (high, low) words (from 32-bit halves: no 128-bit type here)."""
    a_low, a_high, b_low, b_high = a & _LOW_32, a >> _S32, b & _LOW_32, b >> _S32
    low_low, low_high, high_low = a_low * b_low, a_low * b_high, a_high * b_low
    middle = (low_low >> _S32) + (low_high & _LOW_32) + (high_low & _LOW_32)
    high = a_high * b_high + (low_high >> _S32) + (high_low >> _S32) + (middle >> _S32)
    return high, a * b


@kernel("float64[::1](uint64, int64)")
def philox_uniforms(key, count):
    """The first `count` uniforms of ``np.random.Generator(np.random.Philox(key=key)).random``, bit for bit.

    Philox4x64-10 as numpy's bit generator runs it: the counter (from 0) is incremented before each block of
    four words, the key is (key, 0); each uniform is a word's 53 high bits x 2^-53.
    """
    values = np.empty(count)
    counter = np.zeros(4, np.uint64)
    for block in range((count + 3) // 4):
        counter[0] += _ONE  # (a carry into the next word would take 2^64 blocks)
        c0, c1, c2, c3 = counter[0], counter[1], counter[2], counter[3]
        k0, k1 = key, np.uint64(0)
        for round_ in range(10):
            if round_:
                k0 += _PHILOX_W0
                k1 += _PHILOX_W1
            high0, low0 = _multiply(_PHILOX_M0, c0)
            high1, low1 = _multiply(_PHILOX_M1, c2)
            c0, c1, c2, c3 = high1 ^ c1 ^ k0, low1, high0 ^ c3 ^ k1, low0
        words = (c0, c1, c2, c3)
        for i in range(4):
            at = block * 4 + i
            if at < count:
                values[at] = (words[i] >> _S11) * UNIT
    return values


@kernel("int64(int64, float64[::1], float64[::1], int64, int64[::1])")
def seats_by_remainder(total, shares, draws, at, seats):
    """`workshops.largest_remainder` into `seats`, its tie-break uniforms read from `draws[at:]`; returns the next at.

    Nothing is read (as nothing is drawn) when there are no seats or no shares to give them by.
    """
    k = shares.size
    seats[:] = 0
    share_sum = pairwise_sum(shares)  # shares.sum(), numpy's order
    if total <= 0 or share_sum <= 0:
        return at
    remainder = np.empty(k)
    left = total
    for i in range(k):
        quota = total * shares[i] / share_sum
        seats[i] = math.floor(quota)
        remainder[i] = seats[i] - quota
        left -= seats[i]
    for _ in range(left):  # the largest remainders first (the lowest seats - quota), then the tie-break, then place
        best = -1
        for i in range(k):
            if remainder[i] > 1.0:  # given its extra seat already
                continue
            lower = best < 0 or remainder[i] < remainder[best]
            if lower or (remainder[i] == remainder[best] and draws[at + i] < draws[at + best]):
                best = i
        seats[best] += 1
        remainder[best] = 2.0
    return at + k


@kernel(
    "int64[::1](int64[::1], int64[::1], int64[::1], int64, uint64, uint64, int64, float64[::1], int64, uint64,"
    " int8[::1], boolean[::1], boolean)"
)
def invited(pool, starts, previous, keep, retention_key, invitation_key, size, mix, n_sides, generator_key, rank,
            excluded, empty_seats):  # fmt: skip
    """`WorkshopSeries._invite`'s room: seats by kind, then by side (largest remainder); each cell's first by priority.

    `pool`: everyone invitable, cell by cell (kind by kind, side by side within a kind), cell c being
    ``pool[starts[c]:starts[c + 1]]``. The tie-breaks are the uniforms of the convening's generator (a Philox
    keyed by `generator_key`), as many as every call could need, read in the order the calls drew them. Of the
    last group (`previous`) the `keep` with the lowest retention uniforms are retained (rank 0), the others come
    last (2), newcomers between (1); in a cell, by rank, then the invitation uniform, then place. `rank` is
    scratch (every actor 1, as it is left).
    Returns the participants sorted, without the removed actors when their seats stay empty.
    """
    n_kinds = mix.size
    draws = philox_uniforms(generator_key, n_kinds * (1 + n_sides))
    kind_seats = np.empty(n_kinds, np.int64)
    at = seats_by_remainder(size, mix, draws, 0, kind_seats)
    cell_seats = np.empty(n_kinds * n_sides, np.int64)
    sides = np.ones(n_sides)
    for kind in range(n_kinds):
        at = seats_by_remainder(kind_seats[kind], sides, draws, at, cell_seats[kind * n_sides : (kind + 1) * n_sides])
    if previous.size:
        retention = np.empty(previous.size, np.uint64)
        for i in range(previous.size):
            retention[i] = keyed_bits(np.uint64(previous[i]) * _GOLDEN + retention_key)
        again = stable_order(retention)  # ties by place
        for i in range(previous.size):
            rank[previous[i]] = 2
        for i in range(keep):
            rank[previous[again[i]]] = 0
    chosen = np.empty(pool.size, np.int64)
    count = 0
    for cell in range(starts.size - 1):
        first, seats = starts[cell], cell_seats[cell]
        members = starts[cell + 1] - first
        if seats <= 0 or members == 0:
            continue
        keys = np.empty(members, np.uint64)
        for i in range(members):
            actor = pool[first + i]
            bits = keyed_bits(np.uint64(actor) * _GOLDEN + invitation_key)
            keys[i] = (np.uint64(rank[actor]) << _RANK_SHIFT) | bits
        order = stable_order(keys)  # ties by place in the pool
        for i in range(min(seats, members)):
            chosen[count] = pool[first + order[i]]
            count += 1
    for i in range(previous.size):
        rank[previous[i]] = 1  # the scratch back to every actor a newcomer
    who = chosen[:count]
    who = who[stable_order(who.view(np.uint64))]  # actors are >= 0
    if not empty_seats:
        return who
    kept = 0
    for i in range(who.size):  # the removed actors' seats stay empty
        if not excluded[who[i]]:
            who[kept] = who[i]
            kept += 1
    return who[:kept]


@kernel(
    "Tuple((int64[::1], int32[:, ::1]))(int64[::1], int64, int64, int64, int64, int64, boolean[::1], int32[::1],"
    " int32[::1], int32[::1], int64[::1], int64[::1], int64[:, ::1], int64[::1], int64[::1])"
)
def authored_pairs(authors, first, k, step, source, n_actors, holds, adopted_at, first_adopted, sources, held_count,
                   groups, group_holders, group_reached, group_adoptions):  # fmt: skip
    """The distinct `authors` adopt the k new ideas from `first` on, idea by idea: `adopt_pairs` of every pair.

    New ideas were never held, so each pair is its first adoption. Returns adopt_pairs' cells and log rows.
    """
    size = authors.size
    actors = np.empty(size * k, np.int64)
    ideas = np.empty(size * k, np.int64)
    for j in range(k):
        for i in range(size):
            actors[j * size + i] = authors[i]
            ideas[j * size + i] = first + j
    pairs_source = np.full(size * k, source, np.int64)
    counts = (held_count, groups, group_holders, group_reached, group_adoptions)
    return adopt_pairs(actors, ideas, pairs_source, step, n_actors, False, holds, adopted_at, first_adopted, sources,
                       *counts)  # fmt: skip


@kernel(_FLOATS(_INTS, _INTS, _KEPT, _KEPT, types.int64, _TRUST, types.float64, _FLOATS))
def room_trust(who, side_who, rows, other_sides, others, trust, bonus, partiality):
    """Each participant's trust in the room: its mean trust of the other sides present (1 with one side present).

    `rows`, `other_sides`: the room shape's (participant, other side present) pairs, in order; `others`: the other
    sides present (at least 1). The sums are the pairs' trust added in order from 0 (``np.bincount``'s). A local team
    closes `bonus` of the gap to full trust; a one-sided one's `partiality` (by side; empty: none) lowers it.
    """
    n = who.size
    room = np.zeros(n)
    if rows.size:
        for c in range(rows.size):
            room[rows[c]] += trust[who[rows[c]], other_sides[c]]
        for i in range(n):
            room[i] = room[i] / others
    else:
        room[:] = 1.0
    if bonus:
        for i in range(n):
            room[i] += bonus * (1.0 - room[i])
    if partiality.size:
        for i in range(n):
            room[i] *= 1.0 - partiality[side_who[i]]
    return room


@kernel(types.void(_INTS, _KEPT, _KEPT, _FLOATS, types.float64, types.float64, types.float64, _TRUST, _STANDING))
def meeting_gains(who, rows, other_sides, meetings, half, trust_gain, standing_gain, trust, standing):
    """A meeting's trust of the other sides present and standing, in place: each grows by its gain x the gap to 1.

    The gains are `trust_gain` and `standing_gain` (each x candour) x familiarity, meetings / (meetings + half)
    (1 when half is 0: familiarity plays no part); the trust cells are the room shape's pairs (distinct).
    """
    n = who.size
    learned = np.ones(n)
    if half > 0:
        for i in range(n):
            count = meetings[who[i]]
            learned[i] = count / (count + half)
    for c in range(rows.size):
        actor, side = who[rows[c]], other_sides[c]
        before = trust[actor, side]
        trust[actor, side] = before + trust_gain * learned[rows[c]] * (1.0 - before)
    for i in range(n):
        before = standing[who[i]]
        standing[who[i]] = before + standing_gain * learned[i] * (1.0 - before)


@kernel(types.void(_INTS, _ROWS, _POINT, _KEYS, types.uint64, _FLOATS, _LOCATION, _INTS))
def placed(ids, weights, anchor, keys, prefix, novelty, location, dimension):
    """New ideas placed in the issue space: each one's dimension drawn by its weights, its location anchor + novelty.

    `weights`: one row for every idea, or a row per idea (non-negative). An idea's draw is its keyed uniform (its
    key under the event's `prefix`, as ``randomness.uniforms``); its dimension the first whose cumulative weight
    (added in order, as ``cumsum``) exceeds uniform x total, found as ``searchsorted`` (side right) finds it, at
    most the last. Writes the ideas' rows of `location` and their `dimension`.
    """
    dimensions = weights.shape[1]
    cumulative = np.empty(dimensions)
    for j in range(ids.size):
        idea = ids[j]
        row = j if weights.shape[0] > 1 else 0
        cumulative[0] = weights[row, 0]
        for d in range(1, dimensions):
            cumulative[d] = cumulative[d - 1] + weights[row, d]
        threshold = (keyed_bits(keys[idea] * _GOLDEN + prefix) * UNIT) * cumulative[dimensions - 1]
        chosen = min(bisect_right(cumulative, threshold, dimensions), dimensions - 1)
        for d in range(dimensions):
            location[idea, d] = anchor[d]
        location[idea, chosen] += novelty[idea]
        dimension[idea] = chosen
