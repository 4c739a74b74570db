"""What numba would give advocacy: a measurement, not part of the model (numba is not a dependency).

Runs three default runs, keeps every month's inputs of `diffusion._adopt`, and times, on the same
inputs, the numpy code against one `@njit(cache=True)` kernel doing the one-pass adoption
(open pairs, their advocates, the chance, the keyed uniforms and the credit) in compiled loops.
Prints numba's import time, the kernel's first call (a compile in a fresh folder, a cache load
after), both per-month times and on how many months the two agree on adopters and credited
advocates. The kernel takes exp, log1p and expm1 from libm, not numpy's SIMD code, so it is not
guaranteed bit-identical: a model kernel would keep those in numpy (docs/reference/speed.md).

    pip install numba   # into a copy of the environment, not the project's
    python benchmarks/numba_probe.py
"""

from __future__ import annotations

import copy
import math
import sys
import time

__all__ = ["main"]


import numpy as np

_STARTED = time.perf_counter()
try:
    import numba
except ImportError:  # the probe says so in main()
    numba = None
IMPORT_S = time.perf_counter() - _STARTED  # numba's own import, numpy's before it

if numba is not None:  # module-level kernels: numba caches these on disk (closures it would compile again)
    GOLDEN, MIX_1, MIX_2 = (np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB))

    @numba.njit(cache=True)
    def uniform(z):
        z ^= z >> np.uint64(30)
        z *= MIX_1
        z ^= z >> np.uint64(27)
        z *= MIX_2
        z ^= z >> np.uint64(31)
        return (z >> np.uint64(11)) * 2.0**-53

    @numba.njit(cache=True)
    def adopt(advocating, holds, by_side, total, indptr, indices, weighs, standing, sides, trust, aversion, novelty,
              base_rate, mixed, ceiling, across):  # fmt: skip
        n_ideas, n = advocating.shape
        layers = by_side.shape[0]
        out = np.empty((3, n_ideas * n), np.int64)
        rates = np.empty(indices.size)
        chosen = np.empty(indices.size, np.int64)
        found = 0
        for c in range(n_ideas):
            for r in range(n):
                if total[c * n + r] <= 0 or holds[c, r]:
                    continue
                rate = base_rate * math.exp(-aversion[r] * novelty[sides[r], c])
                q = min(rate, ceiling)
                ties, log_ties = 0, 0.0
                for e in range(indptr[r], indptr[r + 1]):
                    s = indices[e]
                    if advocating[c, s]:
                        p = rate * (standing[s] if weighs[r] else 1.0)
                        if across and sides[s] != sides[r]:
                            p *= trust[r, sides[s]]
                        log_fail = math.log1p(-min(p, ceiling))
                        rates[ties], chosen[ties] = -log_fail, s
                        ties += 1
                        log_ties += log_fail
                if weighs[r]:
                    log_none = log_ties
                elif layers > 1:
                    log_none = 0.0
                    for side in range(layers):
                        log_none += by_side[side, c * n + r] * math.log1p(-q * trust[r, side])
                else:
                    log_none = total[c * n + r] * math.log1p(-q)
                if uniform(np.uint64(r) * GOLDEN + mixed[0, c]) < -math.expm1(log_none):
                    target = uniform(np.uint64(r) * GOLDEN + mixed[1, c]) * rates[:ties].sum()
                    running, pick = 0.0, chosen[ties - 1]
                    for k in range(ties):
                        running += rates[k]
                        if running > target:
                            pick = chosen[k]
                            break
                    out[0, found], out[1, found], out[2, found] = r, c, pick
                    found += 1
        return out[:, :found]


def main() -> None:
    """Capture three default runs' months, then time numpy's and the kernel's adoption on them."""
    if numba is None:
        sys.exit("numba is not installed here: pip install numba into a copy of the environment")
    import tracktwo.model.diffusion as diffusion
    from tracktwo.model.simulate import simulate

    months = []
    numpy_adopt = diffusion._adopt

    def keep(*args):
        months.append(copy.deepcopy(args))
        return numpy_adopt(*args)

    diffusion._adopt = keep
    for seed in range(3):
        simulate({}, seed)
    diffusion._adopt = numpy_adopt

    def kernel_args(args):
        draws, ties, advocating, holds, context, _, by_side, total = args
        novelty = context.novelty[..., : advocating.shape[0]]
        if novelty.ndim == 1:
            novelty = np.broadcast_to(novelty, (context.trust.shape[1], novelty.size))
        return (advocating, holds, by_side, total.reshape(-1), ties.indptr, ties.indices, context.weighs_standing,
                context.standing, context.sides, context.trust, context.aversion, np.ascontiguousarray(novelty),
                float(context.base_rate), draws.mixed()[:2], diffusion.P_CEILING, bool(context.any_across))  # fmt: skip

    started = time.perf_counter()
    kernel = adopt
    kernel(*kernel_args(months[0]))
    first_s = time.perf_counter() - started
    best_numpy, best_kernel = np.full(len(months), np.inf), np.full(len(months), np.inf)
    agree = 0
    for round_ in range(9):
        for i, args in enumerate(months):
            inputs = kernel_args(args)
            started = time.perf_counter()
            compiled = kernel(*inputs)
            middle = time.perf_counter()
            receivers, columns, sources, _ = numpy_adopt(*args)
            best_kernel[i] = min(best_kernel[i], middle - started)
            best_numpy[i] = min(best_numpy[i], time.perf_counter() - middle)
            if round_ == 0:
                agree += all(np.array_equal(a, b) for a, b in zip(compiled, (receivers, columns, sources), strict=True))
    print(f"import numba {IMPORT_S:.2f} s; the kernel's first call (compile, or cache load) {first_s:.2f} s")
    print(
        f"adoption per month: numpy {best_numpy.mean() * 1e6:.1f} us, kernel {best_kernel.mean() * 1e6:.1f} us "
        f"({best_numpy.sum() / best_kernel.sum():.1f}x); same adoptions and credit on {agree}/{len(months)} months"
    )


if __name__ == "__main__":
    main()
