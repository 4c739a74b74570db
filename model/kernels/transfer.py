"""Track One's entry check (model/transfer.py `TrackOneEntry`) as kernels: the holders who count, and who enters.

Whole-number comparisons only: the numpy code's results exactly; tests/model/test_transfer_kernels.py checks them.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel

__all__ = ["counted_holders", "entering", "entry_paths", "sides_taking"]

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


@kernel(f"boolean[:, ::1](int64[:, ::1], int64[::1], int64[::1], int64[::1], int64, int64[::1], {_EXCLUDED})")
def sides_taking(group_holders, rows, sides, needed, n_sides, ideas, excluded_ideas, excluded_officials,
                 excluded_rows, holds):  # fmt: skip
    """(n_sides x ideas): whether each side's Track One takes each idea: its counted holders reach `needed`.

    `rows` are the officials' groups of the sides whose Track One counts (`sides`, each needing `needed` holders),
    counted as :func:`counted_holders` counts them; every other side takes none.
    """
    counted = counted_holders(group_holders, rows, ideas, excluded_ideas, excluded_officials, excluded_rows, holds)
    taken = np.zeros((n_sides, ideas.size), np.bool_)
    for row in range(rows.size):
        for j in range(ideas.size):
            taken[sides[row], j] = counted[row, j] >= needed[row]
    return taken


@kernel(
    "Tuple((int64[::1], int64[::1], int64[::1], int64[::1]))(int64[::1], int64[::1], int64[::1], int64[::1],"
    " int32[:, ::1], boolean[:, ::1], int32[:, ::1], int64[::1], int64[::1], boolean)"
)
def entry_paths(entered, officials, side, needed, first_adopted, holds, source, excluded_ideas, excluded_officials,
                counted):  # fmt: skip
    """Each entered idea's path and, with `counted`, the officials who counted toward its entry, side by side.

    An idea's path: the chain of first-adoption sources (`source`, ideas x actors) from an author to the earliest
    official to adopt it (`first_adopted`; the first such in `officials`' order) of those who count (an official
    who co-authored it in a personal capacity, one of the excluded (idea, official) pairs, does not), as
    the entry check walked it in Python (at most the actors + 1). Its counted officials: those of each side that counts
    (`needed`, in order) who hold it (`holds`) and count, in `officials`' order.
    Returns (paths, ends): the paths one after another, path j ending at ends[j]; and (counted, ends): idea j's
    side r's officials ending at ends[j x sides + r] (none without `counted`).
    """
    n_actors = holds.shape[1]
    excluded = np.zeros(n_actors, np.bool_)
    paths = np.empty(max(16, 4 * entered.size), np.int64)
    path_ends = np.empty(entered.size, np.int64)
    chain = np.empty(n_actors + 1, np.int64)
    counted_officials = np.empty(entered.size * officials.size if counted else 0, np.int64)
    counted_ends = np.empty(entered.size * needed.size if counted else 0, np.int64)
    at, kept = 0, 0
    for j in range(entered.size):
        idea = entered[j]
        for e in range(excluded_ideas.size):
            if excluded_ideas[e] == idea:
                excluded[excluded_officials[e]] = True
        earliest, earliest_step = -1, 0
        for a in officials:
            step = first_adopted[idea, a]
            if step >= 0 and not excluded[a] and (earliest < 0 or step < earliest_step):
                earliest, earliest_step = a, step
        length = 1
        chain[0] = earliest
        while source[idea, chain[length - 1]] >= 0 and length <= n_actors:
            chain[length] = source[idea, chain[length - 1]]
            length += 1
        if at + length > paths.size:
            grown = np.empty(max(2 * paths.size, at + length), np.int64)
            for k in range(at):  # (a loop: a slice copy costs seconds of compile)
                grown[k] = paths[k]
            paths = grown
        for k in range(length):  # from the author to the official
            paths[at + k] = chain[length - 1 - k]
        at += length
        path_ends[j] = at
        if counted:
            for r in range(needed.size):
                for a in officials:
                    if side[a] == needed[r] and holds[idea, a] and not excluded[a]:
                        counted_officials[kept] = a
                        kept += 1
                counted_ends[j * needed.size + r] = kept
        for e in range(excluded_ideas.size):
            excluded[excluded_officials[e]] = False
    return paths[:at], path_ends, counted_officials[:kept], counted_ends
