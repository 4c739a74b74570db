"""Kernels of the issue space's month (model/issues.py): the framing pull's step and the sides' novelty table.

Elementwise products and differences, numpy's pairwise sum over the dimensions (:func:`pairwise_sum`) and
square roots (correctly rounded everywhere): the numpy code's results exactly; tests/model/test_issue_kernels.py
checks them against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel, pairwise_sum

__all__ = ["distances", "framing_step"]


@kernel("void(float64[:, :, ::1], float64[:, :, ::1], float64[:, ::1], float64[:, ::1])")
def framing_step(targets, factors, position, influence):
    """One month's framing pull, in place: each side moves by target - factor x position (row 0).

    Both rows' steps are taken from the positions before the move; the open Track Two ideas' (row 1) adds its
    size to `influence`. `targets` and `factors` (2 x sides x dimensions): the kept pull of every open idea
    (row 0) and of the open Track Two ideas (row 1), as `IssueSpace._framing` keeps them.
    """
    sides, dimensions = position.shape
    for side in range(sides):
        for d in range(dimensions):
            here = position[side, d]
            influence[side, d] += abs(targets[1, side, d] - factors[1, side, d] * here)
            position[side, d] = here + (targets[0, side, d] - factors[0, side, d] * here)


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
