"""The initiatives' invitations, outreach and closed pairs (model/initiatives.py `Programmes`) as kernels.

Who comes to a meeting: products of the same factors in the same order and the decline draws hashed as
``randomness.uniforms`` hashes them. Who the outreach reaches: numpy's Generator's draws (its bounded integers and
shuffles) read from the generator's raw 64-bit words as numpy reads them. The numpy code's results exactly;
tests/model/test_programme_paths.py checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, keyed_bits
from tracktwo.model.randomness import GOLDEN, UNIT

__all__ = ["attending", "open_cells", "outreach_pairs"]

_GOLDEN = np.uint64(GOLDEN)
_LOW_32, _S32 = np.uint64(0xFFFFFFFF), np.uint64(32)


@kernel(
    "Tuple((boolean[::1], boolean))(int64[::1], float64, boolean[::1], float64, boolean[::1], float64,"
    " int64[:, ::1], int64[::1], int64, float64, int64, uint64)"
)
def attending(who, attendance, officials, official_access, proscribed, armed_access, last_met, others, since,
              decline, t, prefix):  # fmt: skip
    """Whether each invitee comes, and whether every chance was 1 (then nobody is drawn for: all come).

    An invitee's chance: `attendance`, times `official_access` for an official (when below 1), `armed_access` for
    a proscribed actor (an empty mask: none is), `decline` when it met another initiative (`others`' rows of
    `last_met`) at `since` or later, 0 when it met one at step t. It comes when its uniform keyed by `prefix` (the
    meeting's "decline" key) is below its chance.
    """
    comes = np.empty(who.size, dtype=np.bool_)
    every = True
    limited, any_proscribed = official_access < 1.0, proscribed.size > 0
    for i in range(who.size):
        actor = who[i]
        chance = attendance
        if limited and officials[actor]:
            chance *= official_access
        if any_proscribed and proscribed[actor]:
            chance *= armed_access
        if others.size:
            tired, now = False, False
            for row in others:
                met = last_met[row, actor]
                tired |= met >= since
                now |= met == t
            if tired:
                chance *= decline
            if now:
                chance = 0.0
        every &= chance >= 1.0
        comes[i] = np.float64(keyed_bits(np.uint64(actor) * _GOLDEN + prefix)) * UNIT < chance
    return comes, every


@kernel("int64(uint64[::1], int64)")
def _half(words, at):
    """The at-th 32-bit draw of a generator from its raw 64-bit words (numpy's: a word's low half, then its high half).

    -1 past the words.
    """
    if at >= 2 * words.size:
        return -1
    word = words[at >> 1]
    return np.int64(word & _LOW_32 if at % 2 == 0 else word >> _S32)


@kernel("UniTuple(int64, 2)(uint64[::1], int64, int64)")
def _bounded(words, at, top):
    """A bounded integer of 0 .. top (below 2^32 - 1) as numpy draws it (Lemire's) from the at-th 32-bit draw on.

    Returns (it, the next draw's place).

    -1 for it past the words.
    """
    if top == 0:  # (no draw)
        return 0, at
    excluded = np.uint64(top + 1)
    threshold = (_LOW_32 - np.uint64(top)) % excluded
    while True:
        word = _half(words, at)
        at += 1
        if word < 0:
            return -1, at
        scaled = np.uint64(word) * excluded
        left = scaled & _LOW_32
        if left >= excluded or left >= threshold:
            return np.int64(scaled >> _S32), at


@kernel("UniTuple(int64, 2)(uint64[::1], int64, int64)")
def _interval(words, at, top):
    """An integer of 0 .. top (below 2^32) as numpy's shuffle draws it (masked, drawn again above top): (it, the next).

    From the at-th 32-bit draw on; -1 for it past the words.
    """
    if top == 0:
        return 0, at
    mask = top
    for shift in (1, 2, 4, 8, 16):
        mask |= mask >> shift
    while True:
        word = _half(words, at)
        at += 1
        if word < 0:
            return -1, at
        if word & mask <= top:
            return word & mask, at


@kernel("int64(uint64[::1], int64, int64[::1], int64)")
def _shuffled(words, at, values, size):
    """A shuffle of values[:size] in place, as numpy's ``shuffle``, from the at-th 32-bit draw on: the next at.

    Fisher-Yates from the end, each place's partner by :func:`_interval`; -1 past the words (or for `at` -1).
    """
    if at < 0:
        return at
    for i in range(size - 1, 0, -1):
        j, at = _interval(words, at, i)
        if j < 0:
            return -1
        values[i], values[j] = values[j], values[i]
    return at


@kernel(
    "Tuple((int64[:, ::1], boolean))(uint64[::1], int64, int64, int64[::1], int64[::1], int64[::1], boolean[::1],"
    " int64[::1], int64[::1], boolean[:, ::1], int64)"
)
def outreach_pairs(words, localities, reach, grassroots, places, side, participated, participants, ideas, holds,
                   n_sides):  # fmt: skip
    """A meeting's outreach to Track Three: the (grassroots actor, idea, carrier) adoptions, as rows of 3, and True.

    The draws are the outreach generator's (its raw 64-bit `words`, read as numpy's 32-bit draws): the locality
    (of `localities`), then for each side in the room, in order, its grassroots outside the room (not
    `participated`) in the locality (`places`, each grassroots actor's) and elsewhere, each shuffled; the first
    `reach` of them, from the locality first, adopt every idea of `ideas` they do not hold (`holds`, ideas x
    actors), each from one of the side's participants drawn at random, actor by actor. False (and no rows) when the
    words run out before the draws do (the caller gives more).
    """
    pairs = np.empty((3, n_sides * reach * ideas.size), np.int64)
    locality, at = 0, 0
    if localities:
        locality, at = _bounded(words, 0, localities - 1)
    if locality < 0:
        return np.empty((3, 0), np.int64), False
    present = np.zeros(n_sides, np.bool_)
    for actor in participants:
        present[side[actor]] = True
    local, elsewhere = np.empty(grassroots.size, np.int64), np.empty(grassroots.size, np.int64)
    reached, carriers = np.empty(reach, np.int64), np.empty(participants.size, np.int64)
    found = 0
    for s in range(n_sides):
        if not present[s]:
            continue
        near = far = 0
        for g in range(grassroots.size):
            actor = grassroots[g]
            if side[actor] == s and not participated[actor]:
                if places[g] == locality:
                    local[near] = actor
                    near += 1
                else:
                    elsewhere[far] = actor
                    far += 1
        at = _shuffled(words, _shuffled(words, at, local, near), elsewhere, far)
        if at < 0:
            return np.empty((3, 0), np.int64), False
        count = min(reach, near + far)
        for i in range(count):
            reached[i] = local[i] if i < near else elsewhere[i - near]
        size = 0
        for actor in participants:
            if side[actor] == s:
                carriers[size] = actor
                size += 1
        for i in range(count):
            for idea in ideas:
                if not holds[idea, reached[i]]:
                    k, at = _bounded(words, at, size - 1)
                    if k < 0:
                        return np.empty((3, 0), np.int64), False
                    pairs[0, found] = reached[i]
                    pairs[1, found] = idea
                    pairs[2, found] = carriers[k]
                    found += 1
    kept = np.empty((3, found), np.int64)
    for row in range(3):
        for i in range(found):
            kept[row, i] = pairs[row, i]
    return kept, True


@kernel("boolean[::1](int64[::1], int64[::1], int64, int64[::1], int64[::1], int64)")
def open_cells(actors, ideas, n_actors, closed, until, t):
    """Which (actor, idea) pairs no knowledge product has closed at step t (`Programmes.open_to`).

    `closed`: the closed cells (idea x actors + actor), ascending and distinct, each closed through `until`; a pair
    is closed when its cell is among them (found by bisection) through t or later.
    """
    found = np.ones(actors.size, np.bool_)
    for i in range(actors.size):
        cell = ideas[i] * n_actors + actors[i]
        low, high = 0, closed.size
        while low < high:
            middle = (low + high) // 2
            if closed[middle] < cell:
                low = middle + 1
            else:
                high = middle
        if low < closed.size and closed[low] == cell and until[low] >= t:
            found[i] = False
    return found
