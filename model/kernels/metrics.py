"""Kernels of the month's time-series row (model/metrics.py, model/model.py): the counts and the mean trust.

Whole-number sums (exact in any order) and numpy's pairwise sum (:func:`pairwise_sum`): the numpy code's results
exactly; tests/model/test_metric_kernels.py checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, pairwise_sum

__all__ = ["mean_cross_trust", "track_figures"]


@kernel("Tuple((int64, float64[::1]))(int64[:, ::1], int64, int64[::1], float64[::1])")
def track_figures(group_holders, n, group_reached, per_member):
    """How many ideas some group holds, and the tracks' ideas held and members reached per member.

    `group_holders` (groups x idea capacity): each (track, side) group's holders of ideas 0 .. n - 1, groups
    track by track (`IdeaStore.group_holders`); `group_reached`: each group's members holding some idea;
    `per_member`: 1 / each track's actors (NaN for an empty track). Returns the ideas held in some group and
    (2 x tracks) figures: each track's ideas held, summed over its groups and ideas (whole numbers) x 1 / its
    actors, then each track's members reached likewise.
    """
    groups = group_holders.shape[0]
    tracks = per_member.size
    sides = groups // tracks
    held = np.zeros(groups, np.int64)
    circulating = 0
    for idea in range(n):
        anyone = 0
        for group in range(groups):
            holders = group_holders[group, idea]
            held[group] += holders
            anyone += holders
        circulating += anyone != 0
    figures = np.empty(2 * tracks)
    for track in range(tracks):
        first = track * sides
        by_holding, by_reach = 0, 0
        for group in range(first, first + sides):
            by_holding += held[group]
            by_reach += group_reached[group]
        figures[track] = by_holding * per_member[track]
        figures[tracks + track] = by_reach * per_member[track]
    return circulating, figures


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
