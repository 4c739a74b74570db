"""Kernels of the network's changes: a meeting's new cross-side ties, inserted into the advocacy's tie index.

Integer work only (the keyed uniforms are compared as numpy compares them: a 53-bit integer times 2^-53, exact),
so the results are the numpy code's exactly; tests/model/test_network_kernels.py checks them against it.
"""

from __future__ import annotations

import numpy as np
from numba import types
from tracktwo.model.kernels import kernel, keyed_bits, readonly, stable_order
from tracktwo.model.randomness import GOLDEN, UNIT

__all__ = ["formed_ties", "insert_ties"]

_GOLDEN = np.uint64(GOLDEN)
_INTS, _INT32S = types.int64[::1], types.int32[::1]


@kernel(
    types.Tuple((_INTS, _INTS))(
        _INTS, readonly(types.int64), readonly(types.int64), types.int64, types.uint64, types.float64, _INT32S, _INT32S
    )
)
def formed_ties(who, seat_i, seat_j, n_actors, prefix, probability, indptr, indices):
    """The cross-side pairs of a meeting that form a tie and had none: (a, b), in the seat pairs' order.

    `seat_i`, `seat_j`: the room's cross-side pairs of seats (kept: read-only). Pair (who[seat_i[k]],
    who[seat_j[k]]) forms one when its keyed uniform (event id a x n_actors + b, the
    event's key `prefix`: `EventRandomness.uniforms`) is below `probability`; it is new when b is not among
    a's neighbours (`indptr`, `indices`: the network's CSR rows).
    """
    pairs = seat_i.size
    a = np.empty(pairs, np.int64)
    b = np.empty(pairs, np.int64)
    found = 0
    for k in range(pairs):
        first, second = who[seat_i[k]], who[seat_j[k]]
        z = np.uint64(first * n_actors + second) * _GOLDEN + prefix
        if not keyed_bits(z) * UNIT < probability:
            continue
        known = False
        for entry in range(indptr[first], indptr[first + 1]):
            if indices[entry] == second:
                known = True
                break
        if not known:
            a[found], b[found] = first, second
            found += 1
    return a[:found], b[:found]


@kernel(
    "Tuple((int64[::1], int64[::1], int32[::1], int32[::1], int64[::1], boolean))"
    "(int32[::1], int32[::1], int64[::1], int64[::1], int64[::1], int64[::1])"
)
def insert_ties(indptr, indices, degree, sources, targets, sides):
    """The CSR network with new ties (none present before, no self-ties) inserted at their sorted places.

    Returns the new entries both ways sorted by (row, column), the new `indptr` and `indices`, the degrees, and
    whether a new tie crosses sides: the arrays a rebuild from the whole edge list would give.
    """
    n = indptr.size - 1
    count = 2 * sources.size
    cells = np.empty(count, np.int64)
    for k in range(sources.size):
        cells[2 * k] = sources[k] * n + targets[k]
        cells[2 * k + 1] = targets[k] * n + sources[k]
    cells = cells[stable_order(cells.view(np.uint64))]  # cells are >= 0
    rows, cols = cells // n, cells % n
    new_degree = degree.copy()
    cross = False
    for k in range(count):
        new_degree[rows[k]] += 1
        cross = cross or sides[rows[k]] != sides[cols[k]]
    new_indptr = np.empty(n + 1, np.int32)
    new_indices = np.empty(indices.size + count, np.int32)
    new_indptr[0] = 0
    k = 0  # the next new entry (they come in row order, as the rows are filled)
    for row in range(n):
        at = new_indptr[row]
        for entry in range(indptr[row], indptr[row + 1]):
            while k < count and rows[k] == row and cols[k] < indices[entry]:
                new_indices[at] = cols[k]
                at += 1
                k += 1
            new_indices[at] = indices[entry]
            at += 1
        while k < count and rows[k] == row:
            new_indices[at] = cols[k]
            at += 1
            k += 1
        new_indptr[row + 1] = at
    return rows, cols, new_indptr, new_indices, new_degree, cross
