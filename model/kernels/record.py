"""The full record's exposures kept as the month goes (model/record.py `Record.note_exposures`) in one kernel.

Integer work only: the numpy code's table exactly; tests/model/test_record_kernels.py checks it against it.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["note_first"]


@kernel("int64(int64[::1], int64[::1], int64[::1], int32[::1], int64, boolean, int32[:, ::1], int64, int64)")
def note_first(advocates, receivers, ideas, first_adopted, n_actors, dropped_any, table, size, step):
    """Write a step's exposures of first adoptions to `table` (4 x capacity: step, advocate, receiver, idea).

    From column `size`: returns the new size, or, when they do not fit, minus the size they need (nothing written).

    With nothing dropped (`dropped_any` False) a pair not held was never adopted, so every exposure is of a first
    adoption; else those whose (idea, receiver) cell of `first_adopted` (flat, idea-major) is not yet set.
    """
    first = np.ones(advocates.size, np.bool_)
    kept = advocates.size
    if dropped_any:
        for i in range(advocates.size):
            if first_adopted[ideas[i] * n_actors + receivers[i]] >= 0:
                first[i] = False
                kept -= 1
    if size + kept > table.shape[1]:
        return -(size + kept)
    at = size
    for i in range(advocates.size):
        if first[i]:
            table[0, at], table[1, at], table[2, at], table[3, at] = step, advocates[i], receivers[i], ideas[i]
            at += 1
    return at
