"""Kernels of the tracks' uptake (model/tracks.py): which ideas reached a track's threshold on every side.

Whole-number comparisons only: the numpy code's results exactly; tests/model/test_track_kernels.py checks them.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["newly_reached"]


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
