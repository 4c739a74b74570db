"""Track One's entry check (model/transfer.py `TrackOneEntry`) as kernels: the holders who count, and who enters.

Whole-number comparisons only: the numpy code's results exactly; tests/model/test_transfer_kernels.py checks them.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["counted_holders", "entering"]

_EXCLUDED = "int64[::1], int64[::1], int64[::1], boolean[:, ::1]"  # (idea, official, side row) of each, holdings


@kernel(f"int64[:, ::1](int64[:, ::1], int64[::1], int64[::1], {_EXCLUDED})")
def counted_holders(group_holders, rows, ideas, excluded_ideas, excluded_officials, excluded_rows, holds):
    """(rows x ideas): the officials holding each idea who count for Track One, side by side.

    `group_holders` (groups x idea capacity) counts each (track, side) group's holders; `rows` are the officials'
    groups of the sides whose Track One counts. An official who co-authored an idea in a personal capacity does not
    count for it (the excluded: idea, official and its side's row, one entry each), when it holds it (`holds`,
    ideas x actors).
    """
    counted = np.empty((rows.size, ideas.size), np.int64)
    for row in range(rows.size):
        for j in range(ideas.size):
            counted[row, j] = group_holders[rows[row], ideas[j]]
    if excluded_ideas.size:
        column = np.full(holds.shape[0], -1, np.int64)  # each idea's column, if asked for
        for j in range(ideas.size):
            column[ideas[j]] = j
        for e in range(excluded_ideas.size):
            j = column[excluded_ideas[e]]
            if j >= 0 and holds[excluded_ideas[e], excluded_officials[e]]:
                counted[excluded_rows[e], j] -= 1
    return counted


@kernel(
    f"int64[::1](int64[::1], int64[::1], int64[::1], int64[:, ::1], int32[::1], int64, int64[::1], int64, {_EXCLUDED})"
)
def entering(adoptions, rows, checked, group_holders, entered_step, n, needed, quorum, excluded_ideas,
             excluded_officials, excluded_rows, holds):  # fmt: skip
    """The ideas entering Track One: their counted holders reach `needed` on at least `quorum` sides that count.

    Of ideas 0 .. n - 1 not entered (`entered_step` < 0), in increasing order; none unless the officials' adoptions
    on those sides (`adoptions` of the groups `rows`) changed since `checked` (in and out): shares only rise when
    officials adopt.
    """
    made = 0
    for row in rows:
        made += adoptions[row]
    if made == checked[0]:
        return np.empty(0, np.int64)
    checked[0] = made
    pending = np.empty(n, np.int64)
    count = 0
    for idea in range(n):
        if entered_step[idea] < 0:
            pending[count] = idea
            count += 1
    pending = pending[:count]
    counted = counted_holders(group_holders, rows, pending, excluded_ideas, excluded_officials, excluded_rows, holds)
    entered = np.empty(count, np.int64)
    found = 0
    for j in range(count):
        sides = 0
        for row in range(rows.size):
            sides += counted[row, j] >= needed[row]
        if sides >= quorum:
            entered[found] = pending[j]
            found += 1
    return entered[:found]
