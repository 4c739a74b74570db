"""Advocacy's adoption step (model/diffusion.py `_adopt`) as kernels between numpy's transcendental calls.

A month's adoption by weighing receivers is four kernel calls and three numpy calls, each kernel doing
what numpy did in a dozen calls:

    open_pairs -> np.exp -> tie_logs -> np.log1p -> chances -> np.expm1 -> adopt_and_credit

The kernels reproduce model/diffusion.py's products, sums and comparisons in its order (a pair's shared
factor, a tie's credibility then trust then the ceiling; `bincount`'s sums in tie order; the counts' layers
summed side by side; the credit's running sum over every adopter's ties, searched as `searchsorted` does), so
every bit is what the numpy code gave. Arrays are idea-major as there: a flat cell is idea x actors + actor.
The open pairs are returned as one (5 x pairs) int64 array, rows `PAIR_CELL`, `PAIR_RECEIVER`, `PAIR_COLUMN`,
`PAIR_WEIGHS`, `PAIR_CANDIDATE` (a returned array costs a kernel call about as much as a numpy call: fewer
arrays, fewer costs).

Only candidates are computed tie by tie: a pair whose adoption uniform is above a bound on its chance
(:func:`chance_bound`, no transcendental function) cannot adopt, so its ties' and layers' logs are never needed
(about 9 pairs in 10 at the every-feature scale, 19 in 20 in plain diffusion). `open_pairs` keeps only the open
pairs below the base rate's bound (every cell hashed in SIMD), `tie_logs` bounds those again by their own factor.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels import bisect_right, kernel, keyed_bits
from tracktwo.model.randomness import GOLDEN, MIX_1, MIX_2, UNIT

__all__ = [
    "MINUS_TWO_53",
    "PAIR_CANDIDATE",
    "PAIR_CELL",
    "PAIR_COLUMN",
    "PAIR_RECEIVER",
    "PAIR_WEIGHS",
    "adopt_and_credit",
    "chance_bound",
    "chances",
    "mix_keys",
    "open_pairs",
    "tie_logs",
]

PAIR_CELL, PAIR_RECEIVER, PAIR_COLUMN, PAIR_WEIGHS, PAIR_CANDIDATE = range(5)  # the rows of open_pairs' pairs
P_CEILING = 1.0 - 1e-12  # keeps log(1 - p) finite when p = 1 (diffusion.P_CEILING)
MINUS_TWO_53 = -(2.0**53)  # P(adopt) x this = -(the bound a uniform's 53 bits are compared with)
_GOLDEN, _MIX_1, _MIX_2 = np.uint64(GOLDEN), np.uint64(MIX_1), np.uint64(MIX_2)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)


@kernel("void(uint64[:, :, ::1], uint64[:, ::1], uint64[::1], int64)")
def mix_keys(table, prefixes, keys, covered):
    """The step draws' idea keys of ideas `covered` .. keys.size - 1 at each (step, event) of a block (StepKeys).

    Each idea's key x GOLDEN plus the (step, event)'s `prefixes` entry, mixed as ``randomness.mix_array`` mixes it
    (SplitMix64's finaliser, keyed_bits' without its shift), into `table` (steps x events x ideas), all uint64.
    """
    for step in range(prefixes.shape[0]):
        for event in range(prefixes.shape[1]):
            prefix = prefixes[step, event]
            for idea in range(covered, keys.size):
                z = keys[idea] * _GOLDEN + prefix
                z ^= z >> _S30
                z *= _MIX_1
                z ^= z >> _S27
                z *= _MIX_2
                table[step, event, idea] = z ^ (z >> _S31)


@kernel("float64(float64, float64, float64, float64)")
def chance_bound(rate, most, count, scale):
    """An upper bound on a pair's P(adopt) x `scale` (2^53 x a margin): `count` advocates, shared factor `rate`.

    A tie's p is rate x the advocate's credibility (its standing, or 1) x trust, capped, so at most
    p_max = rate x `most` (the largest credibility x trust: open_pairs'), capped; and P(adopt) = 1 - prod(1 - p)
    <= sum(p) <= count x p_max. The margin covers the rounding of the exact chance (log1p, sums, expm1: relative
    errors near 1e-15) and of these products.
    """
    return count * min(rate * most, P_CEILING) * scale


@kernel(
    "Tuple((int64[:, ::1], float64[::1], float64))"
    "(float64[:, ::1], boolean[:, ::1], boolean[:, ::1], boolean[::1], boolean, float64[:, :], float64[::1],"
    " int64[::1], float64[::1], float64[:, :], boolean, float64, uint64[::1], uint64[:, :], float64)"
)
def open_pairs(total, holds, advocating, weighs_standing, any_weighs, novelty, aversion, sides, standing, trust,
               any_across, base_rate, golden, mixed, scale):  # fmt: skip
    """The open (idea, receiver) pairs that may adopt, their exponents, and the largest credibility x trust.

    A pair is open when its receiver has advocates (`total`, ideas x actors; `advocating`, the same shape, who
    advocates what) and does not hold the idea (`holds`, the same shape); it may adopt when its adoption uniform's
    53 bits (`golden`, each actor's id x GOLDEN, plus `mixed`'s row 0 at its column) are below
    :func:`chance_bound` of its advocates with this `scale` and `base_rate`, a bound on its shared factor when no
    exponent is positive (exp of one is at most 1; else the ceiling bounds every p). Returns those pairs (5 x
    pairs: flat cell, receiver, idea column, 1 if the receiver weighs standing and some receiver does
    (`any_weighs`), 1 for a candidate: tie_logs bounds each again by its own factor), in cell order; each pair's
    exponent of its shared factor, -aversion x novelty (the idea's novelty as the receiver's side sees it:
    `novelty` is (sides x columns), or (1 x columns) seen alike), empty when no idea is novel (every pair's shared
    factor is then the base rate); and the largest credibility x trust (at least 1; standing only when some
    receiver weighs it, `trust` (actors x sides) only when ties cross sides: `any_across`).

    Every cell of an idea someone advocates is hashed and compared without a branch (SIMD: a pass over the cells
    costs about what numpy's masks cost), into a flag per cell; the flagged cells are then found 8 flags at a time.
    """
    most = 1.0
    if any_weighs:
        for value in standing:
            most = max(most, value)
    if any_across:
        trusting = 1.0
        for r in range(trust.shape[0]):
            for s in range(trust.shape[1]):
                trusting = max(trusting, trust[r, s])
        most *= trusting
    novel, rising = False, False  # some idea is novel; some exponent may be positive (aversion or novelty < 0)
    for side in range(novelty.shape[0]):
        for c in range(novelty.shape[1]):
            novel |= novelty[side, c] != 0.0
            rising |= novelty[side, c] < 0.0
    if novel:
        for value in aversion:
            rising |= value < 0.0
    rate = np.inf if rising else base_rate  # (an infinite rate: the bound's p is the ceiling)
    n_ideas, n = total.shape
    width = n + 7 - (n + 7) % 8  # each idea's flags in whole words of 8
    flags = np.empty((n_ideas, width), np.uint8)
    found = np.zeros(n_ideas, np.int64)  # each idea's flags set
    advocated = advocating.view(np.uint8)  # (bytes: their OR is SIMD)
    for c in range(n_ideas):
        anyone = 0
        for r in range(n):
            anyone |= advocated[c, r]
        if anyone == 0:  # nobody advocates the idea: no pair of it is open (about half of them, in a run's months)
            continue
        key, here = mixed[0, c], 0
        for r in range(n):
            count = total[c, r]
            bits = np.float64(keyed_bits(golden[r] + key))
            flag = (count > 0.0) & (not holds[c, r]) & (bits < chance_bound(rate, most, count, scale))
            flags[c, r] = flag
            here += flag  # (a local sum: into found[c], not SIMD)
        flags[c, n:] = 0
        found[c] = here
    size = found.sum()
    at, places = 0, np.empty(size + 8, np.int64)  # (room for a word's 8 writes past the last place)
    words, flat = flags.reshape(-1).view(np.uint64), flags.reshape(-1)
    for c in range(n_ideas):
        if found[c]:
            for w in range(c * width // 8, (c + 1) * width // 8):
                if words[w]:
                    for place in range(8 * w, 8 * w + 8):  # (written whatever the flag: no branch to mispredict)
                        places[at] = place
                        at += flat[place]
    pairs = np.empty((5, size), np.int64)
    exponents = np.empty(size if novel else 0)
    by_side = novelty.shape[0] > 1
    for i in range(size):
        c, r = divmod(places[i], width)
        weighs = any_weighs and weighs_standing[r]
        pairs[0, i], pairs[1, i], pairs[2, i], pairs[3, i], pairs[4, i] = c * n + r, r, c, weighs, 1
        if novel:
            exponents[i] = -aversion[r] * novelty[sides[r] if by_side else 0, c]
    return pairs, exponents, most


@kernel(
    "Tuple((int64[:, ::1], float64[::1]))"
    "(int64[:, ::1], boolean[:, ::1], int32[::1], int32[::1], float64[::1], float64, float64[::1], int64[::1],"
    " float64[:, :], boolean, int64, float64[:, :], uint64[::1], uint64[:, :], float64, float64, boolean)"
)
def tie_logs(pairs, advocating, indptr, indices, growth, base_rate, standing, sides, trust, any_across, layers,
             total, golden, mixed, most, scale, by_rate):  # fmt: skip
    """The candidate pairs' advocate ties, and the arguments of the one log1p call their chances need.

    `pairs`: open_pairs' (the open pairs that may adopt). `growth`: each pair's exp(-aversion x novelty)
    (open_pairs' exponents, exponentiated), empty when none is novel; a pair's shared factor is base_rate x that
    (`Context.tie_probability`'s first product). A pair stays a candidate when its adoption uniform's 53 bits
    (`golden`, each actor's id x GOLDEN, plus `mixed`'s row 0 at its column) are below :func:`chance_bound` of its
    factor and advocates (`total`, ideas x actors) with `most` (open_pairs') and this `scale` (without `growth`,
    open_pairs' bound was this one); written to pairs' row PAIR_CANDIDATE (1 or 0). The candidates' ties
    (advocate, receiver) are listed pair by pair, advocates in index order (the CSR rows `indptr`, `indices` are
    sorted).
    Returns the ties (2 x ties: pair, advocate) and the arguments: first, with `by_rate` (else every advocate of
    a pair offers the same p: no pair weighs, no tie crosses sides), each tie's -p (the pair's factor x the
    advocate's credibility, its standing if the receiver weighs it, else 1, x the receiver's trust of its side
    when ties cross sides, capped: `Context.tie_probability`'s products in its order), then, for each candidate
    not weighing, its `layers` terms' -q x trust of side s (q the capped factor; with one layer, -q).
    """
    size = pairs.shape[1]
    slots, plain = 0, 0
    for i in range(size):
        r, c = pairs[1, i], pairs[2, i]
        if growth.size:  # bounded again by its own factor (open_pairs' bound is the base rate's)
            bits = keyed_bits(golden[r] + mixed[0, c])
            pairs[4, i] = np.float64(bits) < chance_bound(base_rate * growth[i], most, total[c, r], scale)
        if pairs[4, i]:
            slots += indptr[r + 1] - indptr[r]
            plain += pairs[3, i] == 0
    ties = np.empty((2, slots), np.int64)
    logs = np.empty((slots if by_rate else 0) + plain * layers)
    found = 0
    for i in range(size):
        if pairs[4, i] == 0:
            continue
        r, c, weighs = pairs[1, i], pairs[2, i], pairs[3, i] != 0
        rate = base_rate * growth[i] if growth.size else base_rate
        for e in range(indptr[r], indptr[r + 1]):
            s = indices[e]
            if advocating[c, s]:
                p = rate * (standing[s] if weighs else 1.0)
                if any_across:
                    p *= trust[r, sides[s]]
                ties[0, found], ties[1, found] = i, s
                if by_rate:
                    logs[found] = -min(p, P_CEILING)
                found += 1
    at = found if by_rate else 0
    for i in range(size):
        if pairs[4, i] != 0 and pairs[3, i] == 0:
            r = pairs[1, i]
            q = min(base_rate * growth[i] if growth.size else base_rate, P_CEILING)
            if layers == 1:
                logs[at] = -q
            else:
                for s in range(layers):
                    logs[at + s] = -q * trust[r, s]
            at += layers
    return ties[:, :found].copy(), logs[:at]


@kernel("float64[::1](int64[:, ::1], int64[:, ::1], float64[::1], float64[:, ::1])")
def chances(pairs, ties, logs, by_side):
    """Each open pair's log P(no advocate persuades), from tie_logs' logs (after log1p): to pass to expm1.

    A weighing candidate's: its ties' log(1 - p) summed in order from 0 (`bincount`'s sum); another candidate's:
    the sum over the counts' layers (`by_side`, layers x cells) of its advocates on the side x log(1 - q t_s), side
    by side (one layer: the pair's total x log(1 - q)); a pair not a candidate's: 0 (it cannot adopt).
    """
    size, found = pairs.shape[1], ties.shape[1]
    layers = by_side.shape[0]
    plain = 0
    for i in range(size):
        plain += pairs[4, i] != 0 and pairs[3, i] == 0
    log_none = np.zeros(size)
    for k in range(found):
        if pairs[3, ties[0, k]] != 0:
            log_none[ties[0, k]] += logs[k]
    at = logs.size - plain * layers  # the layers' terms, after the ties' (when listed)
    for i in range(size):
        if pairs[4, i] != 0 and pairs[3, i] == 0:
            cell = pairs[0, i]
            plain = by_side[0, cell] * logs[at]
            for s in range(1, layers):
                plain += by_side[s, cell] * logs[at + s]
            log_none[i] = plain
            at += layers
    return log_none


@kernel(
    "Tuple((int64[:, ::1], int64[:, ::1]))"
    "(float64[::1], int64[:, ::1], int64[:, ::1], float64[::1], uint64[::1], uint64[:, :], boolean, boolean)"
)
def adopt_and_credit(chance, pairs, ties, logs, golden, mixed, exposures, by_rate):
    """Who adopts, and whom each adopter credits: (adoptions, exposures).

    `chance`: each pair's expm1(log P(none)) = -P(adopt) (chances', after expm1); a pair adopts when its adoption
    uniform's 53 bits (keyed by its receiver and idea column: `golden`, each actor's id x GOLDEN, plus `mixed`'s
    row 0 at the column) are below P(adopt) x 2^53. Each adopter credits one of its advocates, advocate i with
    probability lambda_i / sum(lambda), lambda = -log(1 - p) (`logs`' ties, after log1p), read from its credit
    uniform (row 1): the running sum of lambda over every adopter's ties in order, and the first tie whose running
    sum exceeds offset + uniform x (the adopter's last running sum - offset), offset the running sum before its
    ties, found by bisection in the whole running sum (as numpy's `searchsorted`) and kept within the adopter's ties.
    Without `by_rate` (every advocate offers the same p), advocate number floor(uniform x count) of the
    adopter's, in index order (uniform < 1, so the product rounds below the count).
    Returns the adoptions (3 x adopters: receiver, idea column, credited advocate) and, with `exposures`, the
    adopters' advocate ties (3 x ties: advocate, receiver, idea column; else none).
    """
    size, found = pairs.shape[1], ties.shape[1]
    adopts = np.zeros(size, np.bool_)
    adopters = 0
    for i in range(size):
        if chance[i] == 0.0:  # a pair not a candidate (or of no chance): no uniform is below 0
            continue
        bits = keyed_bits(golden[pairs[1, i]] + mixed[0, pairs[2, i]])
        if np.float64(bits) < chance[i] * MINUS_TWO_53:
            adopts[i] = True
            adopters += 1
    kept = 0
    for k in range(found):
        kept += adopts[ties[0, k]]
    running = np.empty(kept)
    owner = np.empty(kept, np.int64)
    exposed = np.empty((3, kept if exposures else 0), np.int64)
    total = 0.0
    at = 0
    for k in range(found):
        i = ties[0, k]
        if adopts[i]:
            if by_rate:
                total += -logs[k]
            running[at], owner[at] = total, k
            if exposures:
                exposed[0, at], exposed[1, at], exposed[2, at] = ties[1, k], pairs[1, i], pairs[2, i]
            at += 1
    adoptions = np.empty((3, adopters), np.int64)
    start, j = 0, 0
    for i in range(size):
        if not adopts[i]:
            continue
        end = start + 1
        while end < kept and ties[0, owner[end]] == i:
            end += 1
        pick = np.float64(keyed_bits(golden[pairs[1, i]] + mixed[1, pairs[2, i]])) * UNIT
        if by_rate:
            offset = running[start - 1] if start > 0 else 0.0
            target = offset + pick * (running[end - 1] - offset)
            low = bisect_right(running, target, kept)  # the first running sum above the target
            chosen = min(max(low, start), end - 1)
        else:
            chosen = start + np.int64(pick * (end - start))
        adoptions[0, j], adoptions[1, j], adoptions[2, j] = pairs[1, i], pairs[2, i], ties[1, owner[chosen]]
        j += 1
        start = end
    return adoptions, exposed
