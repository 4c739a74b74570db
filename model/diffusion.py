"""Advocacy along ties and forgetting, as array work over the network's CSR adjacency.

Along each tie from an advocate i to a neighbour j who does not hold idea k, j adopts with

    p = base_rate x credibility_j(i) x exp(-aversion_j x novelty_k) x trust_ij

where credibility is i's standing if j weighs standing (officials) and 1 otherwise, and trust
is 1 within a side and j's trust of the other side across sides. Draws are independent per
tie, so a susceptible with advocating neighbours adopts with 1 - prod(1 - p). All draws use the
holdings at the start of the step (synchronous update).

Who is credited: each advocate's persuasion arrives at an exponential time with rate
lambda = -ln(1 - p) (so it arrives within the month with probability p); the first arrival
converts the receiver and is credited. Adoption is then exactly 1 - prod(1 - p), and the
credited source is advocate i with probability lambda_i / sum(lambda).

Two exact ways to draw a step, chosen by cost (the law is the same; the random stream differs):

- *push*: expand every advocate's ties and draw each tie; cost ~ advocate-ties, best when few
  actors advocate (the default model, where advocacy lasts six months);
- *count*: for receivers who do not weigh standing, all within-side advocates offer the same p
  and so do all cross-side ones, so 1 - prod(1 - p) = 1 - (1 - q)^m_w (1 - q t_j)^m_a with the
  advocate counts m from two sparse products; only receivers who weigh standing (officials) are
  drawn tie by tie. Cost ~ ties x ideas advocated, best when many advocate (SI on large graphs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

PUSH_COST_FACTOR = 12.0  # a pushed tie costs about this many sparse-product ties (benchmarks/bench_diffusion.py --methods)
P_CEILING = 1.0 - 1e-12  # keeps log(1 - p) finite when p = 1


@dataclass
class Adoptions:
    actors: np.ndarray
    ideas: np.ndarray
    sources: np.ndarray


@dataclass
class Ties:
    """The network in the forms advocacy needs: all ties, and the cross-side ones alone."""

    all: sp.csr_matrix  # symmetric, float32 ones
    across: sp.csr_matrix  # the cross-side ties only
    degree: np.ndarray

    @classmethod
    def build(cls, n: int, sources: np.ndarray, targets: np.ndarray, sides: np.ndarray) -> Ties:
        matrix = adjacency(n, sources, targets)
        coo = matrix.tocoo()
        cross = sides[coo.row] != sides[coo.col]
        across = sp.csr_matrix((coo.data[cross], (coo.row[cross], coo.col[cross])), shape=(n, n))
        return cls(matrix, across, np.diff(matrix.indptr))


def adjacency(n: int, sources: np.ndarray, targets: np.ndarray) -> sp.csr_matrix:
    """Symmetric CSR adjacency (float32 ones) of an undirected edge list."""
    rows = np.concatenate([sources, targets])
    cols = np.concatenate([targets, sources])
    matrix = sp.csr_matrix((np.ones(rows.size, dtype=np.float32), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def expand_rows(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its neighbours: returns (position of the row in `rows`, neighbour)."""
    starts = indptr[rows]
    degrees = indptr[rows + 1] - starts
    ends = np.cumsum(degrees)
    owner = np.repeat(np.arange(rows.size), degrees)
    # position in `indices` = the row's start + the rank within the row = k + (start - first k of the row)
    return owner, indices[np.arange(ends[-1] if ends.size else 0) + (starts - ends + degrees)[owner]]


@dataclass
class Context:
    """What a tie's adoption probability depends on, for one step."""

    base_rate: float
    novelty: np.ndarray  # per idea column being advocated
    standing: np.ndarray
    weighs_standing: np.ndarray
    aversion: np.ndarray
    sides: np.ndarray
    trust: np.ndarray

    any_weighs: bool = True  # some receiver weighs standing (skip the term when none does)
    any_across: bool = True  # some tie crosses sides (skip the trust term when none does)

    def tie_probability(self, senders: np.ndarray, receivers: np.ndarray, columns: np.ndarray) -> np.ndarray:
        p = self.base_rate * np.exp(-self.aversion[receivers] * self.novelty[columns])
        if self.any_weighs:
            weighs = self.weighs_standing[receivers]
            p[weighs] *= self.standing[senders[weighs]]
        if self.any_across:
            across = self.sides[senders] != self.sides[receivers]
            p[across] *= self.trust[receivers[across]]
        return np.minimum(p, P_CEILING)


def advocate(
    rng: np.random.Generator,
    ties: Ties,
    active: np.ndarray,
    holds: np.ndarray,
    novelty: np.ndarray,
    base_rate: float,
    standing: np.ndarray,
    weighs_standing: np.ndarray,
    aversion: np.ndarray,
    sides: np.ndarray,
    trust: np.ndarray,
    method: str = "auto",
) -> Adoptions:
    """One step of advocacy. `active` (actors x ideas) marks who advocates what this step."""
    columns = np.flatnonzero(active.any(axis=0)) if base_rate > 0 else np.empty(0, dtype=np.int64)
    if columns.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return Adoptions(empty, empty, empty)
    advocating = active[:, columns]
    context = Context(base_rate, novelty[columns], standing, weighs_standing, aversion, sides, trust,
                      any_weighs=bool(weighs_standing.any()), any_across=ties.across.nnz > 0)
    if method == "auto":
        pushed = float(ties.degree @ advocating.sum(axis=1))
        method = "push" if PUSH_COST_FACTOR * pushed < ties.all.nnz * columns.size else "count"
    if method == "push":
        receivers, picked, sources = _push(rng, ties.all, advocating, holds[:, columns], context)
    elif method == "count":
        receivers, picked, sources = _count(rng, ties, advocating, holds[:, columns], context)
    else:
        raise ValueError(f"method must be auto, push or count, got {method!r}")
    return Adoptions(receivers, columns[picked], sources)


def _push(rng: np.random.Generator, ties: sp.csr_matrix, advocating: np.ndarray, holds: np.ndarray, context: Context):
    """Draw every tie from an advocate to a non-holder: arrival times; the earliest within the month wins."""
    senders, columns = np.nonzero(advocating)
    owner, receivers = expand_rows(ties.indptr, ties.indices, senders)
    senders, columns = senders[owner], columns[owner]
    open_to = ~holds.ravel()[receivers * holds.shape[1] + columns]
    senders, columns, receivers = senders[open_to], columns[open_to], receivers[open_to]
    p = context.tie_probability(senders, receivers, columns)
    arrival = np.log(rng.random(p.size)) / np.log1p(-p)  # Exp(-ln(1 - p)): before 1 with probability p
    success = arrival < 1.0
    senders, columns, receivers, arrival = senders[success], columns[success], receivers[success], arrival[success]
    order = np.argsort(arrival, kind="stable")
    key = receivers[order].astype(np.int64) * advocating.shape[1] + columns[order]
    _, first = np.unique(key, return_index=True)
    pick = order[first]
    return receivers[pick], columns[pick], senders[pick]


def _count(rng: np.random.Generator, ties: Ties, advocating: np.ndarray, holds: np.ndarray, context: Context):
    """Adoption from advocate counts (sparse products); tie by tie only for receivers who weigh standing."""
    counts = advocating.astype(np.float32)
    total = ties.all @ counts
    flat = np.flatnonzero((total > 0) & ~holds)  # flat (receiver, idea) cells: 1-D indexing is much cheaper
    receivers, columns = np.divmod(flat, advocating.shape[1])
    weighs = context.weighs_standing[receivers]
    any_weigh = bool(weighs.any())
    plain = flat[~weighs] if any_weigh else flat
    plain_r, plain_c = (receivers[~weighs], columns[~weighs]) if any_weigh else (receivers, columns)
    q = np.minimum(context.base_rate * np.exp(-context.aversion[plain_r] * context.novelty[plain_c]), P_CEILING)
    log_plain = total.ravel()[plain] * np.log1p(-q)
    if ties.across.nnz:
        across = (ties.across @ counts).ravel()[plain]  # within = total - across
        log_plain += across * (np.log1p(-q * context.trust[plain_r]) - np.log1p(-q))
    if any_weigh:
        log_none = np.empty(receivers.size)
        log_none[~weighs] = log_plain
        log_none[weighs] = _log_no_adoption(ties.all, advocating, receivers[weighs], columns[weighs], context)
    else:
        log_none = log_plain
    adopt = rng.random(receivers.size) < -np.expm1(log_none)
    receivers, columns = receivers[adopt], columns[adopt]
    return receivers, columns, _credit_sources(rng, ties.all, advocating, receivers, columns, context)


def _incoming(ties: sp.csr_matrix, advocating: np.ndarray, receivers: np.ndarray, columns: np.ndarray):
    """The advocates of each (receiver, idea) pair: (pair index, advocate) arrays."""
    owner, senders = expand_rows(ties.indptr, ties.indices, receivers)
    advocates = advocating.ravel()[senders * advocating.shape[1] + columns[owner]]
    return owner[advocates], senders[advocates]


def _log_no_adoption(ties, advocating, receivers, columns, context) -> np.ndarray:
    """log prod(1 - p) over each pair's advocates, tie by tie."""
    owner, senders = _incoming(ties, advocating, receivers, columns)
    p = context.tie_probability(senders, receivers[owner], columns[owner])
    return np.bincount(owner, weights=np.log1p(-p), minlength=receivers.size)


def _credit_sources(rng, ties, advocating, receivers, columns, context) -> np.ndarray:
    """For each adoption, the advocate whose persuasion arrived first: i with probability lambda_i / sum(lambda)."""
    if receivers.size == 0:
        return np.empty(0, dtype=np.int64)
    owner, senders = _incoming(ties, advocating, receivers, columns)
    p = context.tie_probability(senders, receivers[owner], columns[owner])
    running = np.cumsum(-np.log1p(-p))
    starts = np.searchsorted(owner, np.arange(receivers.size))
    ends = np.append(starts[1:], owner.size)
    offset = np.concatenate([[0.0], running])[starts]
    target = offset + rng.random(receivers.size) * (running[ends - 1] - offset)
    return senders[np.clip(np.searchsorted(running, target, side="right"), starts, ends - 1)]


def forget(rng: np.random.Generator, held: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Holdings dropped this step: each (actor, idea) held is dropped with the actor's rate."""
    if not rate.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    actors, ideas = np.nonzero(held)
    dropped = rng.random(actors.size) < rate[actors]
    return actors[dropped], ideas[dropped]
