"""Kernels of the tracks' uptake (model/tracks.py): which ideas reached a track's threshold on every side.

Whole-number comparisons only: the numpy code's results exactly; tests/model/test_track_kernels.py checks them.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["AGREEMENT", "UPTAKE_ONE_FIVE", "UPTAKE_THREE", "newly_reached", "observe"]


@kernel("int64[::1](int64[:, :], boolean[::1], int64[::1], boolean[::1])")
def newly_reached(holders, staffed, needed, taken):
    """The ideas not taken before that the holders needed reach on every staffed side; marked in `taken`.

    `holders` (sides x ideas): each side's members holding each idea; `staffed`: the sides with members, and
    `needed`: the holders each of those needs, in order; `taken` (at least as long as the ideas): the ideas
    taken up before, set here for the new ones. Returns the new ones, in increasing order.
    """
    sides, n = holders.shape
    new = np.empty(n, np.int64)
    found = 0
    for idea in range(n):
        if taken[idea]:
            continue
        k = 0
        reached = True
        for side in range(sides):
            if staffed[side]:
                if holders[side, idea] < needed[k]:
                    reached = False
                    break
                k += 1
        if reached:
            taken[idea] = True
            new[found] = idea
            found += 1
    return new[:found]


UPTAKE_THREE, UPTAKE_ONE_FIVE, AGREEMENT = range(3)  # the kinds of what observe returns, in its row 0


@kernel(
    "int64(int64[:, :], int64[::1], boolean[:, ::1], int64[:, ::1], int64[::1], int64[::1], int64[::1],"
    " boolean[:, ::1], int64, int64[:, ::1], int64)"
)
def _agreements(holders, checked, holds, last, by_cell, cell_starts, cell_localities, agreed, sides_needed, found,
                at):  # fmt: skip
    """The local agreements of :func:`observe`: written to `found` from `at`; returns the next free column.

    Candidates: the ideas whose grassroots holders rose on some side since the last check (`last`, then set to
    now), held by the grassroots of at least `sides_needed` sides. A locality is read cell by cell (its sides') and
    only until its count of sides holding settles whether it agrees: reached, or out of reach with the cells left.
    """
    sides, n = holders.shape
    localities = agreed.shape[0]
    cells = cell_starts.size
    seen = checked[2]
    new = np.zeros((localities, n), np.bool_)
    for idea in range(n):
        gained = idea >= seen
        holding = 0  # sides whose grassroots hold it: no locality has more
        for s in range(sides):
            if idea < seen and holders[s, idea] > last[s, idea]:
                gained = True
            last[s, idea] = holders[s, idea]
            holding += holders[s, idea] > 0
        if not gained or holding < sides_needed:
            continue
        k = 0
        while k < cells:  # the cells are grouped by locality
            locality = cell_localities[k]
            stop = k + 1
            while stop < cells and cell_localities[stop] == locality:
                stop += 1
            count = 0
            if not agreed[locality, idea]:
                for c in range(k, stop):
                    if count >= sides_needed or count + stop - c < sides_needed:
                        break
                    end = cell_starts[c + 1] if c + 1 < cells else by_cell.size
                    for j in range(cell_starts[c], end):
                        if holds[idea, by_cell[j]]:
                            count += 1
                            break
                if count >= sides_needed:
                    agreed[locality, idea] = True
                    new[locality, idea] = True
            k = stop
    checked[2] = n
    for locality in range(localities):
        for idea in range(n):
            if new[locality, idea]:
                found[0, at], found[1, at], found[2, at] = AGREEMENT, idea, locality
                at += 1
    return at


@kernel(
    "int64[:, ::1](int64[::1], int64[:, ::1], int64, int64[::1], int64[::1], boolean[:, ::1],"
    " boolean[::1], int64[::1], boolean[::1], boolean[::1], int64[::1], boolean[::1],"
    " int64[::1], int64[::1], int64[:, ::1], int64[::1], int64[::1], int64[::1], boolean[:, ::1], int64)"
)
def observe(adoptions, group_holders, n, groups, checked, holds, three_staffed, three_needed, three_taken,
            room_staffed, room_needed, room_taken, room, room_sides, last, by_cell, cell_starts, cell_localities,
            agreed, sides_needed):  # fmt: skip
    """A month's uptake by Track Three and Track 1.5 and its local agreements: what is new, as (3 x found) rows.

    Row 0 the kind (UPTAKE_THREE, UPTAKE_ONE_FIVE, AGREEMENT), row 1 the idea, row 2 the locality (agreements;
    else 0): the Track Three uptakes in idea order, the agreements by locality then idea, the Track 1.5 uptakes.
    `adoptions` and `group_holders` (groups x ideas, `n` of them) are the store's counts by (track, side) group;
    `groups` the first group of the grassroots, elites and officials; `checked` (in and out): the grassroots' and
    the room's adoptions at the last check and the ideas `last` (sides x at least n) holds the grassroots'
    holders of. Each part is read only when its members' adoptions changed (holdings change only by adoption, or
    by forgetting, which takes no idea over a threshold). Track 1.5's holders are the elites' plus the officials
    in the room (`room`, and their sides `room_sides`), counted in `holds` (ideas x actors).
    A local agreement forms where the grassroots of `sides_needed` sides in one locality hold an idea that gained
    grassroots holders (`by_cell`: the grassroots grouped by (locality, side) cell, from `cell_starts`, each
    cell's locality in `cell_localities`; `agreed`, localities x ideas: agreed before, set here).
    """
    sides = last.shape[0]
    localities = agreed.shape[0]
    found = np.empty((3, 2 * n + localities * n), np.int64)
    at = 0
    grassroots, elites, officials = groups[0], groups[1], groups[2]
    made = 0
    for g in range(grassroots, grassroots + sides):
        made += adoptions[g]
    if made != checked[0]:
        checked[0] = made
        holders = group_holders[grassroots : grassroots + sides, :n]
        for idea in newly_reached(holders, three_staffed, three_needed, three_taken):
            found[0, at], found[1, at], found[2, at] = UPTAKE_THREE, idea, 0
            at += 1
        if localities:
            at = _agreements(holders, checked, holds, last, by_cell, cell_starts, cell_localities, agreed,
                             sides_needed, found, at)  # fmt: skip
    made = 0
    for g in range(elites, elites + sides):
        made += adoptions[g]
    for g in range(officials, officials + sides):
        made += adoptions[g]
    if made != checked[1]:
        checked[1] = made
        holders = group_holders[elites : elites + sides, :n].copy()
        for idea in range(n):
            for j in range(room.size):
                holders[room_sides[j], idea] += holds[idea, room[j]]
        for idea in newly_reached(holders, room_staffed, room_needed, room_taken):
            found[0, at], found[1, at], found[2, at] = UPTAKE_ONE_FIVE, idea, 0
            at += 1
    return found[:, :at].copy()
