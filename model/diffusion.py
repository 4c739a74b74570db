"""Advocacy along ties and forgetting, as array work over the network's CSR adjacency.

Along each tie from an advocate i to a neighbour j who does not hold idea k, j adopts with

    p = base_rate x credibility_j(i) x exp(-aversion_j x novelty_k) x trust_ij

where credibility is i's standing if j weighs standing (officials) and 1 otherwise, and trust
is 1 within a side and j's trust of the other side across sides. Draws are independent per
tie, so a susceptible with m advocating neighbours adopts with 1 - prod(1 - p). All draws use
the holdings at the start of the step (synchronous update).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class Adoptions:
    actors: np.ndarray
    ideas: np.ndarray
    sources: np.ndarray


def adjacency(n: int, sources: np.ndarray, targets: np.ndarray) -> sp.csr_matrix:
    """Symmetric CSR adjacency of an undirected edge list."""
    rows = np.concatenate([sources, targets])
    cols = np.concatenate([targets, sources])
    matrix = sp.csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(n, n))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def expand_ties(indptr: np.ndarray, indices: np.ndarray, senders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each sender, its ties: returns (position of the sender in `senders`, receiver)."""
    starts = indptr[senders]
    degrees = indptr[senders + 1] - starts
    total = int(degrees.sum())
    owner = np.repeat(np.arange(senders.size), degrees)
    offsets = np.arange(total) - np.repeat(np.cumsum(degrees) - degrees, degrees)
    return owner, indices[np.repeat(starts, degrees) + offsets]


def advocate(
    rng: np.random.Generator,
    ties: sp.csr_matrix,
    active: np.ndarray,
    holds: np.ndarray,
    novelty: np.ndarray,
    base_rate: float,
    standing: np.ndarray,
    weighs_standing: np.ndarray,
    aversion: np.ndarray,
    sides: np.ndarray,
    trust: np.ndarray,
) -> Adoptions:
    """One step of advocacy. `active` (actors x ideas) marks who advocates what this step."""
    senders, ideas = np.nonzero(active)
    if senders.size == 0 or base_rate == 0:
        empty = np.empty(0, dtype=np.int64)
        return Adoptions(empty, empty, empty)
    owner, receivers = expand_ties(ties.indptr, ties.indices, senders)
    senders, ideas = senders[owner], ideas[owner]
    open_to = ~holds[receivers, ideas]
    senders, ideas, receivers = senders[open_to], ideas[open_to], receivers[open_to]
    probability = base_rate * np.exp(-aversion[receivers] * novelty[ideas])
    weighs = weighs_standing[receivers]
    probability[weighs] *= standing[senders[weighs]]
    across = sides[senders] != sides[receivers]
    probability[across] *= trust[receivers[across]]
    success = rng.random(probability.size) < probability
    senders, ideas, receivers = senders[success], ideas[success], receivers[success]
    if receivers.size == 0:
        return Adoptions(receivers, ideas, senders)
    # one adoption per (receiver, idea); the credited source is a random successful sender
    order = rng.permutation(receivers.size)
    key = receivers[order].astype(np.int64) * holds.shape[1] + ideas[order]
    _, first = np.unique(key, return_index=True)
    pick = order[first]
    return Adoptions(receivers[pick], ideas[pick], senders[pick])


def forget(rng: np.random.Generator, held: np.ndarray, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Holdings dropped this step: each (actor, idea) held is dropped with the actor's rate."""
    if not rate.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    actors, ideas = np.nonzero(held)
    dropped = rng.random(actors.size) < rate[actors]
    return actors[dropped], ideas[dropped]
