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

__all__ = ["kernel", "keyed_bits"]


def kernel(signature: str):
    """`numba.njit` as every kernel here is compiled: this exact signature, cached on disk, numpy's error model."""
    return numba.njit(signature, cache=True, error_model="numpy", nogil=True)


_MIX_1, _MIX_2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)  # randomness.MIX_1, MIX_2
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
