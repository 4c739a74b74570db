"""The month step's compiled kernels: numba, compiled once per machine and cached on disk.

A month is a few hundred numpy calls on arrays of tens to hundreds of elements, so its time is call overhead
(docs/reference/speed.md). The kernels here do a part of the month in one compiled call each, with every output
bit for bit what the numpy code gave:

- the same floating-point operations in the same order (numpy's ``bincount`` and ``cumsum`` add in order; a
  kernel does too), no fastmath, and numpy's error model (a division by zero gives inf, as numpy's does);
- transcendental functions (``exp``, ``log1p``, ``expm1``) stay in numpy between kernels: numpy's SIMD versions
  and the C library's, which a kernel would call, may differ in the last bit;
- every draw comes from the run's keyed uniforms, hashed with the same integer mixing as ``randomness``.

Each kernel is declared with its exact signature (:func:`kernel`): it is compiled, or loaded from numba's cache
(``__pycache__`` beside its module, or ``NUMBA_CACHE_DIR``), when its module is imported, never in the middle
of a run, and an array of another type or layout is refused (``TypeError``) instead of compiled afresh. A
process pays numba's import and the cache's load once (about 1 s); ``make setup`` compiles the cache, and the
process pool's fork server loads it once for all its workers.
"""

from __future__ import annotations

import numba
import numpy as np
from tracktwo.model.randomness import MIX_1, MIX_2

__all__ = ["bisect_right", "kernel", "keyed_bits", "pairwise_sum", "readonly", "stable_order"]


def kernel(signature):
    """`numba.njit` as every kernel here is compiled: this exact signature, cached on disk, numpy's error model.

    The signature is a string, or numba's types where an argument is read-only (:func:`readonly`).
    """
    return numba.njit(signature, cache=True, error_model="numpy", nogil=True)


def readonly(dtype, ndim: int = 1):
    """The numba type of a read-only C-contiguous array (kept tables: numba types them apart from writable ones)."""
    return numba.types.Array(dtype, ndim, "C", readonly=True)


_MIX_1, _MIX_2 = np.uint64(MIX_1), np.uint64(MIX_2)  # frozen into the kernels when compiled
_S11, _S27, _S30, _S31 = np.uint64(11), np.uint64(27), np.uint64(30), np.uint64(31)


@kernel("uint64(uint64)")
def keyed_bits(z):
    """randomness.mix (SplitMix64's finaliser) of one uint64, shifted to its 53 bits: a uniform is this x 2^-53.

    The keyed draws of `EventRandomness.keyed_bits` for one event: `z` is id x GOLDEN + the event's mixed key
    (uint64, wrapping). Every constant is a uint64, so no operation leaves uint64 arithmetic.
    """
    z ^= z >> _S30
    z *= _MIX_1
    z ^= z >> _S27
    z *= _MIX_2
    z ^= z >> _S31
    return z >> _S11


@kernel("int64(float64[::1], float64, int64)")
def bisect_right(values, target, size):
    """The first place whose value is above `target`: numpy's ``searchsorted(values[:size], target, side="right")``.

    `values[:size]` ascending; `size` when none is.
    """
    low, high = 0, size
    while low < high:
        middle = (low + high) // 2
        if target < values[middle]:
            high = middle
        else:
            low = middle + 1
    return low


@kernel("float64(float64[::1])")
def pairwise_sum(values):
    """Numpy's sum of a contiguous float64 row (``np.add.reduce`` over it), bit for bit: its pairwise summation.

    Under 8 values they are added in order from 0.0; up to 128, eight running sums over strides of 8 joined in a
    tree, then the rest in order; above, the halves (the first a multiple of 8 long) summed so and added.
    """
    n = values.size
    if n < 8:
        total = 0.0
        for i in range(n):
            total += values[i]
        return total
    if n <= 128:
        r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
        r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
        i = 8
        while i < n - n % 8:
            r0 += values[i]
            r1 += values[i + 1]
            r2 += values[i + 2]
            r3 += values[i + 3]
            r4 += values[i + 4]
            r5 += values[i + 5]
            r6 += values[i + 6]
            r7 += values[i + 7]
            i += 8
        total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            total += values[i]
            i += 1
        return total
    half = n // 2
    half -= half % 8
    return pairwise_sum(values[:half]) + pairwise_sum(values[half:])


_RUN = 16  # stable_order's insertion-sorted runs, merged pairwise after


@kernel("int64[::1](uint64[::1])")
def stable_order(keys):
    """Numpy's ``argsort(keys, kind="stable")``: the places in ascending key order, equal keys by place.

    A bottom-up merge sort written here, rather than numba's ``np.argsort`` or ``np.sort``, whose generic
    implementations cost about 1.2 s of compile each, per dtype and per process, in ``make setup``. To sort
    non-negative int64 values, order their ``view(np.uint64)`` and take.
    """
    n = keys.size
    order = np.empty(n, np.int64)
    for i in range(n):
        order[i] = i
    for start in range(0, n, _RUN):  # insertion sort in runs: a later equal key stays after
        for i in range(start + 1, min(start + _RUN, n)):
            item, key = order[i], keys[order[i]]
            j = i - 1
            while j >= start and keys[order[j]] > key:
                order[j + 1] = order[j]
                j -= 1
            order[j + 1] = item
    scratch = np.empty(n, np.int64)
    width = _RUN
    while width < n:
        for low in range(0, n, 2 * width):
            middle, high = min(low + width, n), min(low + 2 * width, n)
            i, j = low, middle
            for k in range(low, high):  # the left run's key first unless the right's is smaller: stable
                if j < high and (i >= middle or keys[order[j]] < keys[order[i]]):
                    scratch[k] = order[j]
                    j += 1
                else:
                    scratch[k] = order[i]
                    i += 1
        order, scratch = scratch, order
        width *= 2
    return order
