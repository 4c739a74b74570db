"""The ripeness drivers' counts (model/model.py `ripeness_drivers`) in one kernel.

Whole-number counts and one true division each (Python's and numba's quotients of integers below 2^53 are the same
correctly rounded float): the numpy code's drivers exactly; tests/model/test_monthly_bookkeeping.py checks them
against their array definition.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["driver_counts"]


@kernel(
    "float64[:, ::1](int64[::1], boolean[:, ::1], int8[::1], int64, int64[::1], int64[::1], float64[::1],"
    " boolean[::1], float64, int64[::1], int64[::1], int64[::1], int64, int64, int64, int64)"
)
def driver_counts(held_count, holds, origin, rival, group_reached, groups, standing, weighs_not, level, inside,
                  ripeness_of, sizes, states, sides, official, grassroots):  # fmt: skip
    """Each Track One state's drivers (states x 3): officials' exposure, credible advocates, public support.

    An actor holds when it holds some idea (`held_count`), or, with rival ideas (`rival` >= 0: the first origin of
    theirs), some idea of the programme's (an `origin` below it: their rows of `holds`, ideas x actors, as many as
    `origin` has; the (track, side) groups' holders then counted here from `groups`, else read from
    `group_reached`). Credible advocates: holders who do not weigh standing
    (`weighs_not`) with the credible standing `level`, by state (`ripeness_of`). The grassroots inside the rooms
    (`inside`: 1 + side, or 0 for everyone else) are not the public: their holders leave their group's count, as
    `sizes` (the groups' members outside, flat) leave them out. Shares: the official and grassroots groups' holders
    (from `official` and `grassroots`, each group's first index) over their members, summed over sides for one
    state, else each state's (its side's) own; 0 with no members.
    """
    n = held_count.size
    rivals = rival >= 0
    reached = np.zeros(group_reached.size, np.int64) if rivals else group_reached.copy()
    holds_some = np.zeros(n, np.bool_)
    if rivals:  # the programme's ideas' rows (each contiguous) read in turn
        for idea in range(origin.size):
            if origin[idea] < rival:
                for actor in range(n):
                    holds_some[actor] |= holds[idea, actor]
    credible = np.zeros(states, np.int64)
    for actor in range(n):
        if rivals:
            holding = holds_some[actor]
            if holding:
                reached[groups[actor]] += 1
        else:
            holding = held_count[actor] > 0
        if not holding:
            continue
        if inside[actor]:
            reached[grassroots + inside[actor] - 1] -= 1
        if weighs_not[actor] and standing[actor] >= level:
            credible[ripeness_of[actor] if states > 1 else 0] += 1
    drivers = np.empty((states, 3))
    for state in range(states):
        for column, first in ((0, official), (2, grassroots)):
            members, holders = 0, 0
            for group in range(first + state, first + (sides if states == 1 else state + 1)):
                members += sizes[group]
                holders += reached[group]
            drivers[state, column] = holders / members if members > 0 else 0.0
        drivers[state, 1] = credible[state]
    return drivers
