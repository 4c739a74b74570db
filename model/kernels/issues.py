"""Kernels of the issue space's month (model/issues.py): the framing pull's step and the sides' novelty table.

Elementwise products and differences, numpy's pairwise sum over the dimensions (:func:`pairwise_sum`) and
square roots (correctly rounded everywhere): the numpy code's results exactly; tests/model/test_issue_kernels.py
checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, pairwise_sum

__all__ = ["distances", "entered_pull", "framing_step", "officials_holding", "pull_weights", "scale_pull"]


@kernel("boolean(int64[:, ::1], int64, int64, float64[:, ::1])")
def officials_holding(group_holders, first, n, kept):
    """Whether the officials' holders of ideas 0 .. n - 1 differ from those `kept` (sides x at least n) holds.

    Read from `group_holders`' rows from `first`, one per side, and written to `kept` as floats.
    """
    changed = False
    for side in range(kept.shape[0]):
        for idea in range(n):
            holders = np.float64(group_holders[first + side, idea])
            if kept[side, idea] != holders:
                kept[side, idea] = holders
                changed = True
    return changed


@kernel("float64[:, :, ::1](int32[::1], int8[::1], float64[:, ::1], int64, int64)")
def pull_weights(entered_step, origin, location, n, workshop):
    """The framing pull's weights of ideas 0 .. n - 1 (4 x ideas x dimensions), the masks' products exactly.

    Each open idea's location (0 for one Track One adopted), the same for the open ideas born in a meeting
    (`origin` `workshop`), then the two masks (1 or 0) repeated along the dimensions.
    """
    dimensions = location.shape[1]
    weights = np.empty((4, n, dimensions))
    for idea in range(n):
        still_open = 1.0 if entered_step[idea] < 0 else 0.0
        track_two = still_open if origin[idea] == workshop else 0.0
        for d in range(dimensions):
            weights[0, idea, d] = still_open * location[idea, d]
            weights[1, idea, d] = track_two * location[idea, d]
            weights[2, idea, d] = still_open
            weights[3, idea, d] = track_two
    return weights


@kernel("boolean(float64[:, :, ::1], float64[::1], boolean)")
def scale_pull(pulled, factor, capped):
    """The framing pull's rows (4 x sides x dimensions: targets, then totals) times each side's `factor`, in place.

    `capped`: a side whose total pull passes 1 has its factor scaled to 1 / that total (at most all the way to the
    held ideas' centre). Returns whether some total is not 0 (some side is pulled).
    """
    rows, sides, dimensions = pulled.shape
    pulling = False
    for side in range(sides):
        scale = factor[side]
        if capped:
            pull = pulled[2, side, 0] * scale
            scale = (1.0 / max(pull, 1e-300) if pull > 1.0 else 1.0) * scale
        for row in range(rows):
            for d in range(dimensions):
                pulled[row, side, d] *= scale
        for d in range(dimensions):
            pulling |= pulled[2, side, d] != 0.0
    return pulling


@kernel("void(float64[:, ::1], int64, float64[:, ::1], float64[:, ::1])")
def distances(location, n, position, table):
    """Each side's novelty of ideas 0 .. n - 1 (`table`, sides x ideas): its distance from the idea's location.

    The squares are summed over the dimensions as numpy sums a row (:func:`pairwise_sum`).
    """
    sides, dimensions = position.shape
    squares = np.empty(dimensions)
    for side in range(sides):
        for idea in range(n):
            for d in range(dimensions):
                difference = location[idea, d] - position[side, d]
                squares[d] = difference * difference
            table[side, idea] = np.sqrt(pairwise_sum(squares))


@kernel(
    "void(float64[:, :, :], float64[:, :, :], float64[:, ::1], float64[:, ::1], float64[:, ::1], int64,"
    " float64[:, ::1])"
)
def framing_step(targets, factors, position, influence, location, n, table):
    """One month's framing pull, in place: each side moves by target - factor x position (row 0).

    Then each side's novelty of ideas 0 .. n - 1 is found from the new positions (:func:`distances`). Both rows'
    steps are taken from the positions before the move; the open Track Two ideas' (row 1) adds its size to
    `influence`. `targets` and `factors` (2 x sides x dimensions): the kept pull of every open idea
    (row 0) and of the open Track Two ideas (row 1), as `IssueSpace._framing` keeps them.
    """
    sides, dimensions = position.shape
    for side in range(sides):
        for d in range(dimensions):
            here = position[side, d]
            influence[side, d] += abs(targets[1, side, d] - factors[1, side, d] * here)
            position[side, d] = here + (targets[0, side, d] - factors[0, side, d] * here)
    distances(location, n, position, table)


@kernel("void(int64[::1], boolean[:, ::1], float64[:, ::1], float64[::1], float64[:, ::1], float64[:, ::1], float64)")
def entered_pull(entered, taken, table, entered_novelty, location, position, pull):
    """The month's entered ideas, in order: each one's novelty at entry, then each side that took it pulled toward it.

    `taken` (sides x entered): which sides' Track One took each. An idea's novelty at entry is its novelty (`table`,
    sides x ideas) to the sides that took it, summed as numpy sums the (sides x entered) array's rows (pairwise for
    one idea, row by row for several), over their number (at least 1). Each side that took it moves `pull` of the
    way to its `location` (`position`, sides x dimensions, in place: position + pull x (location - position)), when
    `pull` is above 0.
    """
    sides, dimensions = position.shape
    seen = np.empty(sides)
    for j in range(entered.size):
        idea = entered[j]
        count = 0
        for side in range(sides):
            seen[side] = table[side, idea] if taken[side, j] else 0.0
            count += taken[side, j]
        if entered.size == 1:  # numpy's sum of one column: pairwise (in order below 8 sides)
            total = pairwise_sum(seen)
        else:  # of several: row by row
            total = seen[0]
            for side in range(1, sides):
                total += seen[side]
        entered_novelty[idea] = total / max(count, 1)
        if pull > 0:
            for side in range(sides):
                if taken[side, j]:
                    for d in range(dimensions):
                        position[side, d] += pull * (location[idea, d] - position[side, d])
