"""The full record's waiting exposures written to its table (model/record.py `Record._write`) in one kernel.

Integer work only: the numpy code's table exactly; tests/model/test_record_kernels.py checks it against it.
"""

from __future__ import annotations

from tracktwo.model.kernels import kernel

__all__ = ["first_exposures"]


@kernel(
    "int64(int64[::1], int64[::1], int64[::1], int64[::1], boolean[::1], int64[::1], int32[::1], int64,"
    " int32[:, ::1], int64)"
)
def first_exposures(advocates, receivers, ideas, steps, checked, ends, first_adopted, n_actors, table, size):
    """Write the exposures of first adoptions among several months' to `table`, in order; returns its new size.

    `table` (4 x capacity: step, advocate, receiver, idea) is written from column `size` and has room for every
    exposure given. Month b's exposures end at `ends[b]` and were noted at `steps[b]`; when `checked[b]` (some
    holding had been dropped by then), only those whose (idea, receiver) cell of `first_adopted` (flat, idea-major,
    read now) had no first adoption then are kept: none now, or one from that step on (else every pair not held
    was never adopted).
    """
    at, start = size, 0
    for b in range(steps.size):
        step, check = steps[b], checked[b]
        for i in range(start, ends[b]):
            if check:
                first = first_adopted[ideas[i] * n_actors + receivers[i]]
                if 0 <= first < step:
                    continue
            table[0, at], table[1, at], table[2, at], table[3, at] = step, advocates[i], receivers[i], ideas[i]
            at += 1
        start = ends[b]
    return at
