"""The rival sources' quiet months (model/rivals.py `RivalSources.month`) as a kernel: months with no rival idea.

A month's counts are the first draws of its keyed Philox generator (numpy's Poisson by multiplication below a mean
of 10: a count is 0 when its first uniform is at most exp(-mean)), so whether a month has none is read from
``philox_uniforms`` exactly; tests/model/test_feature_paths.py checks it against the generator's own counts.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import kernel
from tracktwo.model.kernels.meetings import philox_uniforms

__all__ = ["quiet_months"]


@kernel("boolean[::1](uint64[::1], float64[::1])")
def quiet_months(keys, empty_below):
    """Whether each month (its generator's key) draws a count of 0 from every source, in order.

    `empty_below`: each source's exp(-mean), numpy's Poisson's bound by multiplication (a mean of 0 draws nothing:
    leave it out), every mean below 10.
    """
    quiet = np.empty(keys.size, dtype=np.bool_)
    for month in range(keys.size):
        draws = philox_uniforms(keys[month], empty_below.size)
        quiet[month] = True
        for source in range(empty_below.size):  # a count of 0 takes one draw: the next source's is the next
            if draws[source] > empty_below[source]:
                quiet[month] = False
                break
    return quiet
