"""Kernels of the month's time-series row (model/metrics.py, model/model.py): the counts and the mean trust.

Whole-number sums (exact in any order) and numpy's pairwise sum (:func:`pairwise_sum`): the numpy code's results
exactly; tests/model/test_metric_kernels.py checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, pairwise_sum

__all__ = ["held_by_group", "mean_cross_trust"]


@kernel("Tuple((int64[::1], int64))(int64[:, ::1], int64)")
def held_by_group(group_holders, n):
    """Ideas 0 .. n - 1 held by each (track, side) group's members, summed; and how many ideas some group holds.

    `group_holders` (groups x idea capacity): each group's holders of each idea (`IdeaStore.group_holders`).
    """
    groups = group_holders.shape[0]
    held = np.zeros(groups, np.int64)
    circulating = 0
    for idea in range(n):
        anyone = 0
        for group in range(groups):
            holders = group_holders[group, idea]
            held[group] += holders
            anyone += holders
        circulating += anyone != 0
    return held, circulating


@kernel("float64(float64[:, ::1], int64[::1])")
def mean_cross_trust(trust, own_cells):
    """The actors' mean trust of the other sides, for fewer than 8 sides, as numpy computes it.

    Each actor's side columns added in order (numpy's row sums of under 8 values), its own side's cell
    (`own_cells`: flat cells of `trust`) taken out, divided by the other sides' count (by 1: left out, exact);
    the actors' values summed pairwise, as numpy sums an array, and divided by their count.
    """
    actors, sides = trust.shape
    flat = trust.reshape(actors * sides)
    values = np.empty(actors)
    for actor in range(actors):
        total = trust[actor, 0] + trust[actor, 1]
        for side in range(2, sides):
            total += trust[actor, side]
        total -= flat[own_cells[actor]]
        if sides > 2:
            total /= sides - 1
        values[actor] = total
    return pairwise_sum(values) / actors
