"""Advocacy along ties and forgetting, as array work over the network's CSR adjacency.

Along each tie from an advocate i to a neighbour j who does not hold idea k, j adopts with

    p = base_rate x credibility_j(i) x exp(-aversion_j x novelty_k) x trust_ij

where novelty_k is the idea's distance from the current position of j's side (model/issues.py; without
an issue space, its drawn novelty), credibility is i's standing if j weighs standing (officials) and 1
otherwise, and trust is j's trust of i's side (1 within a side: trust is held per pair of sides). Draws
are independent per tie, so a susceptible with advocating neighbours adopts with 1 - prod(1 - p). All draws use the
holdings at the start of the step (synchronous update).

Who is credited: each advocate's persuasion arrives at an exponential time with rate
lambda = -ln(1 - p) (so it arrives within the month with probability p); the first arrival
converts the receiver and is credited. Adoption is then exactly 1 - prod(1 - p), and the
credited source is advocate i with probability lambda_i / sum(lambda).

Draws are keyed by event (model/randomness.py): receiver j adopts idea k at step t when the
uniform keyed by (t, k, j) is below 1 - prod(1 - p), and the credited advocate is read from a
second uniform keyed the same way. So a receiver whose advocates are the same in two runs (a
programme and its counterfactual) makes the same choice in both, and more advocacy can only make
an adoption likelier on the same luck. The probability is computed from advocate counts: for
receivers who do not weigh standing, all advocates on one side offer the same p, so
1 - prod(1 - p) = 1 - prod_s (1 - q t_js)^m_s with the advocate counts m_s per side, kept from step
to step (AdvocateCounts); only receivers who weigh standing (officials) are computed tie by tie.
A uniform is compared through its 53-bit integer (uniform < p is bits < p x 2^53, exactly).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from tracktwo.model.kernels.advocacy import (
    MINUS_TWO_53,
    P_CEILING,
    adopt_and_credit,
    chances,
    mix_keys,
    open_pairs,
    tie_logs,
)
from tracktwo.model.kernels.holdings import forgotten, forgotten_at, recount, recount_cells, recount_held
from tracktwo.model.kernels.network import insert_ties
from tracktwo.model.randomness import UNIT, EventRandomness, golden_ids

__all__ = [
    "P_CEILING",
    "STEP_EVENTS",
    "Adoptions",
    "AdvocateCounts",
    "Context",
    "StepDraws",
    "StepKeys",
    "TieIndex",
    "advocate",
    "expand_rows",
    "forget",
    "forget_cells",
    "forget_thresholds",
    "trust_by_side",
]

STEP_EVENTS = ("adoption", "credit", "forgetting")  # the event classes a step draws for (actor, idea) pairs
_STEP_ROWS = {event: row for row, event in enumerate(STEP_EVENTS)}
_FORGETTING_ROW = _STEP_ROWS["forgetting"]
_PLUS_ONE = np.float64(1.0)
_BOUND_MARGIN = 1.0 + 1e-9  # a bound on P(adopt) past the rounding of the exact chance (relative errors near 1e-15)
_KEY_BLOCK = 16  # steps whose idea keys StepKeys mixes at once
_NOBODY = np.zeros(0, dtype=bool)  # no actor silenced (AdvocateCounts.update_held)
_NO_SUMS = np.zeros((0, 0))  # one count layer: no total kept beside it (the kernels' argument)


@dataclass
class Adoptions:
    """One step's adoptions: who adopted which idea, and the advocate credited."""

    actors: np.ndarray
    ideas: np.ndarray
    sources: np.ndarray
    exposures: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # each adoption's (advocate, receiver, idea)


@dataclass
class TieIndex:
    """The network in the form advocacy needs: symmetric CSR adjacency, degrees, and whether any tie crosses sides.

    Held as the CSR arrays (`indptr`, `indices`, neighbours sorted within each row); the scipy matrix
    `all` is built from them only when something reads it (a sparse product, a caller), so adding a
    workshop's ties costs two array inserts, not a matrix's construction and checks.
    """

    indptr: np.ndarray  # int32, n + 1
    indices: np.ndarray  # int32, each row's neighbours in increasing order
    degree: np.ndarray
    any_across: bool = True  # some tie crosses sides
    parent: int | None = None  # the token of the network this one added ties to (with_ties)
    added: tuple[np.ndarray, np.ndarray] | None = None  # the (row, col) entries added to the parent, both ways
    token: int = field(default_factory=lambda: secrets.randbits(64))  # its identity (unique across processes)
    _matrix: sp.csr_matrix | None = field(default=None, init=False, repr=False, compare=False)
    _last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def n(self) -> int:
        """The number of actors."""
        return self.indptr.size - 1

    @property
    def all(self) -> sp.csr_matrix:
        """Symmetric CSR matrix of float32 ones (built on first use, then kept)."""
        if self._matrix is None:
            data = np.ones(self.indices.size, dtype=np.float32)
            self._matrix = sp.csr_matrix((data, self.indices, self.indptr), shape=(self.n, self.n))
        return self._matrix

    def entries(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows' degrees and their neighbours one row after another (:func:`expand_rows` without owners).

        The last rows asked for are kept: a month's adopters are the next month's new advocates, whose
        ties the advocate counts then expand again.
        """
        last = self._last
        if last is not None and last[0].size == rows.size and (last[0] == rows).all():
            return last[1], last[2]
        degrees, neighbours = _row_entries(self.indptr, self.indices, rows, self.degree)
        self._last = (rows, degrees, neighbours)
        return degrees, neighbours

    @classmethod
    def build(cls, n: int, sources: np.ndarray, targets: np.ndarray, sides: np.ndarray) -> TieIndex:
        """From an undirected edge list (duplicates merged)."""
        rows = np.concatenate([sources, targets]).astype(np.int64)
        cols = np.concatenate([targets, sources]).astype(np.int64)
        cells = np.sort(rows * n + cols)  # by row, then column, as CSR wants them ...
        cells = cells[np.concatenate(([True], cells[1:] != cells[:-1]))] if cells.size else cells  # ... once each
        rows, cols = np.divmod(cells, n)
        cross = sides[rows] != sides[cols]
        indptr = np.zeros(n + 1, dtype=np.int32)
        degree = np.bincount(rows, minlength=n).astype(np.int64)
        np.cumsum(degree, out=indptr[1:])
        return cls(indptr, cols.astype(np.int32), degree, bool(cross.any()))

    def with_ties(self, sources: np.ndarray, targets: np.ndarray, sides: np.ndarray) -> TieIndex:
        """The network with some new ties added (formed in a workshop; not already present, no self-ties).

        The few new entries are inserted into copies of the CSR arrays at their sorted places, so
        the result equals a rebuild from the whole edge list at a fraction of the cost.
        """
        ends = (np.ascontiguousarray(end, dtype=np.int64) for end in (sources, targets, sides))  # as the kernel takes
        rows, cols, indptr, indices, degree, cross = insert_ties(self.indptr, self.indices, self.degree, *ends)
        return TieIndex(indptr, indices, degree, self.any_across or cross, self.token, (rows, cols))


def expand_rows(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, degree: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """For each row, its neighbours: returns (position of the row in `rows`, neighbour).

    `degree`: every row's length (a TieIndex's), read instead of differencing `indptr` (fewer calls).
    """
    degrees, neighbours = _row_entries(indptr, indices, rows, degree)
    return np.arange(rows.size).repeat(degrees), neighbours


def _row_entries(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, degree: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`expand_rows` without the owners: (each row's degree, the rows' neighbours one row after another)."""
    starts = indptr[rows]
    degrees = indptr[rows + 1] - starts if degree is None else degree[rows]
    ends = degrees.cumsum()  # (array methods: numpy's function wrappers cost more than these small arrays)
    # position in `indices` = the row's start + the rank within the row = k + (start - first k of the row)
    return degrees, indices[np.arange(ends[-1] if ends.size else 0) + (starts - ends + degrees).repeat(degrees)]


@dataclass
class Context:
    """What a tie's adoption probability depends on, for one step."""

    base_rate: float
    novelty: np.ndarray  # per idea column being advocated, or (sides x idea columns): as the receiver's side sees it
    standing: np.ndarray
    weighs_standing: np.ndarray
    aversion: np.ndarray
    sides: np.ndarray
    trust: np.ndarray  # (actors x sides): each actor's trust of each side, 1 for its own

    any_weighs: bool | None = None  # some receiver weighs standing (skip the term when none does); None: look
    any_across: bool = True  # some tie crosses sides (skip the trust term when none does)

    def __post_init__(self) -> None:
        if self.trust.ndim == 1:  # one trust of every other side per actor
            self.trust = trust_by_side(self.trust, self.sides)
        if self.any_weighs is None:
            self.any_weighs = bool(self.weighs_standing.any())

    def tie_probability(self, senders: np.ndarray, receivers: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Adoption probability along each (sender, receiver, idea column) tie this step."""
        receiver_sides = self.sides[receivers]
        novelty = self.novelty[columns] if self.novelty.ndim == 1 else self.novelty[receiver_sides, columns]
        p = self.base_rate * np.exp(-self.aversion[receivers] * novelty)
        # terms that apply to some ties only, as factors of exactly 1 on the others (whole arrays: fewer calls)
        if self.any_weighs:
            p *= np.where(self.weighs_standing[receivers], self.standing[senders], 1.0)
        if self.any_across:
            sender_sides = self.sides[senders]
            p *= np.where(sender_sides != receiver_sides, self.trust[receivers, sender_sides], 1.0)
        return np.minimum(p, P_CEILING)


def trust_by_side(trust: np.ndarray, sides: np.ndarray, n_sides: int | None = None) -> np.ndarray:
    """Trust as (actors x sides): a 1-D trust of 'the other side' is copied to every other side; own side 1."""
    if trust.ndim == 2:
        return trust
    n_sides = n_sides or (int(sides.max()) + 1 if sides.size else 1)
    return np.where(sides[:, None] == np.arange(n_sides), 1.0, trust[:, None])


class StepKeys:
    """STEP_EVENTS' idea keys mixed for a block of steps at once, kept by a run for its StepDraws.

    The numbers of ``EventRandomness.mixed_keys(STEP_EVENTS, step, keys)``: a block's prefixes (the events
    at its steps) are mixed in one pass, its ideas in another, and ideas created within the block are mixed
    for its steps as they come, so a step reads a view instead of mixing its keys (a dozen array calls).
    A run's ideas only grow (their keys never change); keys that do not extend those mixed start a new block.
    """

    def __init__(self, randomness: EventRandomness, block: int = _KEY_BLOCK) -> None:
        self.randomness = randomness
        self.block = block
        self.first = 0  # the block's first step
        self.prefixes = np.zeros((0, len(STEP_EVENTS)), dtype=np.uint64)  # (steps x events): no block yet
        self.table = np.zeros((0, len(STEP_EVENTS), 0), dtype=np.uint64)  # (steps x events x ideas, room for more)
        self.covered = 0  # the ideas mixed for the block
        self.last = 0  # the key of the last of them

    def at(self, step: int, keys: np.ndarray) -> np.ndarray:
        """The mixed keys of `step` (events x ideas): a view, valid until the next call."""
        n, covered = keys.size, self.covered
        row = step - self.first
        if not 0 <= row < self.prefixes.shape[0] or n < covered or (covered and int(keys[covered - 1]) != self.last):
            if step < 0:
                return self.randomness.mixed_keys(STEP_EVENTS, step, keys)
            self.first, row, covered = step, 0, 0
            self.prefixes = self.randomness.step_prefixes(STEP_EVENTS, step, self.block)
            self.table = np.empty((self.block, len(STEP_EVENTS), n), dtype=np.uint64)  # (views given out stay valid)
        if n > covered:
            if n > self.table.shape[2]:  # room for more ideas (doubling)
                table = np.empty((self.block, len(STEP_EVENTS), max(n, 2 * self.table.shape[2])), dtype=np.uint64)
                table[:, :, :covered] = self.table[:, :, :covered]
                self.table = table
            mix_keys(self.table, self.prefixes, keys.astype(np.uint64, copy=False), covered)  # (one kernel call)
            self.covered, self.last = n, int(keys[n - 1])
        return self.table[row, :, :n]


@dataclass
class StepDraws:
    """The keyed draws of one step: the run's event randomness, the step, and each idea column's key."""

    randomness: EventRandomness
    step: int
    keys: np.ndarray  # per idea column: the idea's key (stable across counterfactual runs)
    golden: np.ndarray | None = None  # each actor's id x GOLDEN (randomness.golden_ids), kept by the run
    step_keys: StepKeys | None = None  # the run's keys mixed by blocks of steps (else mixed here, once)
    _mixed: np.ndarray | None = field(default=None, init=False, repr=False)  # STEP_EVENTS' mixed keys

    def uniforms(self, event: str, actors: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """One uniform per (actor, idea column) event of this class at this step.

        The step's classes (STEP_EVENTS) have their idea keys mixed together, once, on first use.
        """
        row = _STEP_ROWS.get(event)
        if row is None:
            return self.randomness.uniforms(event, self.step, actors, self.keys, columns)
        if actors.size == 0:
            return np.empty(0)
        return self.randomness.keyed_bits(self.mixed()[row], actors, columns, self.golden) * UNIT

    def mixed(self) -> np.ndarray:
        """STEP_EVENTS' idea keys mixed for this step, one row per class (mixed once, on first use)."""
        if self._mixed is None:
            if self.step_keys is None:
                self._mixed = self.randomness.mixed_keys(STEP_EVENTS, self.step, self.keys)
            else:
                self._mixed = self.step_keys.at(self.step, self.keys)
        return self._mixed

    def forgetting_keys(self) -> np.ndarray:
        """The step's forgetting keys, one per idea column (what :func:`forget` and the store's forgetting draw on)."""
        return self.mixed()[_FORGETTING_ROW]

    def bits(self, rows: int | slice, actors: np.ndarray, columns: np.ndarray | None) -> np.ndarray:
        """The 53-bit integers behind the uniforms of STEP_EVENTS' `rows` (a row, or a slice: one row per class).

        A uniform is its bits x 2^-53, exactly. `columns` None: every event's idea is column 0.
        """
        return self.randomness.keyed_bits(self.mixed()[rows], actors, columns, self.golden)


def advocate(
    draws: StepDraws,
    ties: TieIndex,
    active: np.ndarray,
    holds: np.ndarray,
    context: Context,
    exposures: bool = False,
    counts: AdvocateCounts | None = None,
    counted: bool = False,
) -> Adoptions:
    """One step of advocacy. `active` (actors x ideas) marks who advocates what this step.

    `holds` (actors x at least as many ideas) is who holds what (an actor advocates only ideas it holds);
    `context` is what a tie's probability depends on, its `novelty` per idea (at least as many as `active`
    has columns); `draws.keys` per idea.
    With `exposures`, the result also lists every (advocate, receiver, idea) tie along which an idea
    was advocated to someone not holding it (the full record). `counts` keeps the advocate counts
    from step to step (a run's), so only the advocacy that changed is counted again; `counted`: `counts` has
    counted `active` already (the caller brought them up to date: :meth:`AdvocateCounts.update_cells`).

    The work is done on idea-major views of whole arrays (no copies per idea advocated): an idea
    nobody advocates has no advocating neighbours anywhere, so it costs nothing but its cells.
    """
    advocacy = counts.counted if counted else np.count_nonzero(active)
    if context.base_rate <= 0 or not advocacy:
        empty = np.empty(0, dtype=np.int64)
        return Adoptions(empty, empty, empty, (empty, empty, empty) if exposures else None)
    n_ideas = active.shape[1]
    if context.novelty.shape[-1] != n_ideas or context.any_across != ties.any_across:
        context = replace(context, novelty=context.novelty[..., :n_ideas], any_across=ties.any_across)
    counter = counts or AdvocateCounts(context.sides)
    _, total = counter.current(n_ideas) if counted else counter.update(ties, active)
    by_side = counter.counts.reshape(counter.counts.shape[0], -1)  # (layers x cells): a view, whatever the room
    # idea-major (ideas x actors) arrays: one idea's cells are contiguous and flat cells are views
    held = holds.T[:n_ideas]
    receivers, ideas, sources, exposed = _adopt(draws, ties, active.T, held, context, exposures, by_side, total)
    return Adoptions(receivers, ideas, sources, exposed)


class AdvocateCounts:
    """Each actor's advocating neighbours, per idea (and per advocate's side when ties cross sides).

    Kept from step to step: only the (actor, idea) advocacy that started or stopped since the last
    step is counted again along the actor's ties, so a step costs in proportion to the change; the
    ties a network gained (a workshop) are counted for the advocacy already counted; a network never
    counted (the first step) counts all its advocacy as started.
    Stored idea-major, (sides x ideas x actors), with room for more ideas (grown by doubling). With
    several layers their total (ideas x actors) is kept beside them, counted along the same ties (whole
    numbers: the same values as summing the layers, without a pass over every cell each step).
    """

    def __init__(self, sides: np.ndarray) -> None:
        self.sides = sides.astype(np.int64, copy=False)  # as the kernels take them
        self.n_sides = int(sides.max()) + 1 if sides.size else 1
        self.ties: TieIndex | None = None
        self.active = np.zeros((0, sides.size), dtype=bool)  # (ideas x actors) advocacy last counted
        self.counted = 0  # its (actor, idea) cells advocating
        self.counts = np.zeros((1, 0, sides.size))  # whole numbers, float64 as the products they enter
        self.sums: np.ndarray | None = None  # with several layers, their total (ideas x actors), kept beside them

    def _room(self, n_ideas: int, layers: int) -> None:
        """Make room for n_ideas ideas in `layers` count layers (zeros beyond what was counted)."""
        capacity = self.counts.shape[1]
        if n_ideas <= capacity and layers == self.counts.shape[0]:
            return
        new = max(n_ideas, 2 * capacity)  # (no spare room at first: fresh memory costs a page fault per page touched)
        counts = np.zeros((layers, new, self.sides.size))
        active = np.zeros((new, self.sides.size), dtype=bool)
        sums = None if layers == 1 else np.zeros((new, self.sides.size))
        if layers == self.counts.shape[0]:
            counts[:, :capacity] = self.counts
            active[:capacity] = self.active
            if sums is not None and capacity:
                sums[:capacity] = self.sums
        self.counts, self.active, self.sums = counts, active, sums

    def update(self, ties: TieIndex, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Counts for this step's advocacy, and their total (ideas x actors).

        Counts are (layers x ideas x actors): one layer per side, or one for all when no tie crosses.
        """
        n_ideas = active.shape[1]
        self._follow(ties, n_ideas)
        advocating = np.ascontiguousarray(active.T)  # idea-major (a view when `active` is the transposed idea-major)
        self.counted = recount(advocating, self.active[:n_ideas], *self._along(ties))
        return self.current(n_ideas)

    def update_held(
        self,
        ties: TieIndex,
        adopted_at: np.ndarray,
        holds: np.ndarray,
        t: int,
        span: int | None,
        silenced: np.ndarray | None,
    ) -> None:
        """:meth:`update` for step t's advocacy read from idea-major holdings (ideas x actors, the ideas counted).

        An actor advocates an idea it holds from the step after adopting it, for `span` steps (None: for ever),
        unless `silenced` (a mask over the actors, or None) -- read cell by cell, so no advocacy array is made.
        """
        self._follow(ties, holds.shape[0])
        self.counted = recount_held(
            adopted_at,
            holds,
            t,
            -1 if span is None else span,
            _NOBODY if silenced is None else silenced,
            self.active[: holds.shape[0]],
            *self._along(ties),
        )

    def update_cells(self, ties: TieIndex, n_ideas: int, cells: np.ndarray, now: np.ndarray) -> bool:
        """:meth:`update` when only the flat `cells` (idea x actors + actor, some maybe twice) may have changed.

        `now`: whether each advocates now; every other cell's advocacy is as last counted. So no pass over every
        cell: the cells that changed are found (each once) and counted alike. False, counting nothing, when the
        network's advocacy was never counted (the caller then counts it all: :meth:`update`).
        """
        kept = self._follow(ties, n_ideas)
        if kept:
            self.counted += recount_cells(cells, now, self.active[:n_ideas], *self._along(ties))
        return kept

    def current(self, n_ideas: int) -> tuple[np.ndarray, np.ndarray]:
        """The counts as last counted, and their total (:meth:`update`'s answer)."""
        by_side = self.counts[:, :n_ideas]
        return by_side, (by_side[0] if self.sums is None else self.sums[:n_ideas])

    def _follow(self, ties: TieIndex, n_ideas: int) -> bool:
        """Follow the network to `ties` and make room for n_ideas ideas: whether the counts were kept.

        Ties added to the network last counted (a workshop) are counted for the advocacy already counted; a
        network not counted (the first step) starts from no advocacy (counts not kept).
        """
        layers = self.n_sides if ties.any_across else 1
        kept = ties is self.ties or self._extends(ties, layers)
        if not kept:
            n = self.sides.size
            self.counts = np.zeros((layers, 0, n))
            self.active = np.zeros((0, n), dtype=bool)
            self.sums = None
            self.counted = 0
        self.ties = ties
        self._room(n_ideas, layers)
        return kept

    def _along(self, ties: TieIndex) -> tuple:
        """What the kernels count along ties with: the sides, the CSR arrays, the counts and their total (if kept)."""
        return self.sides, ties.indptr, ties.indices, self.counts, _NO_SUMS if self.sums is None else self.sums

    def _extends(self, ties: TieIndex, layers: int) -> bool:
        """Count the ties `ties` added to the network last counted, if it is its parent; False if not."""
        if ties.parent is None or self.ties is None or ties.parent != self.ties.token:
            return False
        if layers != self.counts.shape[0]:  # the first cross-side tie: count everything afresh
            return False
        receivers, advocates = ties.added
        counted = self.active[:, advocates]  # (ideas x new entries): what each new advocate advocated
        ideas, entry = np.nonzero(counted)
        if ideas.size:
            n = self.sides.size
            cells = ideas * n + receivers[entry]
            if layers > 1:
                np.add.at(self.sums.reshape(-1), cells, _PLUS_ONE)
                cells += self.sides[advocates[entry]] * (self.counts.shape[1] * n)
            np.add.at(self.counts.reshape(-1), cells, _PLUS_ONE)
        return True


def _adopt(
    draws: StepDraws,
    ties: TieIndex,
    advocating: np.ndarray,
    holds: np.ndarray,
    context: Context,
    exposures: bool,
    by_side: np.ndarray,
    total: np.ndarray,
):
    """Adoption from advocate counts (per side); tie by tie only for receivers who weigh standing: four kernels.

    Arrays are idea-major (ideas x actors): a flat cell is idea x actors + actor. `by_side` is
    (layers x cells), a layer's flat cells first (it may have room for more ideas beyond them).
    Returns the adopters, their idea columns, their credited advocates and (with `exposures`) the
    adopters' advocate ties as (advocate, receiver, idea column).

    Each open (idea, receiver) pair's chance is bounded first (without a transcendental function): a pair whose
    adoption uniform is above the bound cannot adopt, and the others' chances are computed from their ties
    (weighing receivers) or counts (the others), their adopters' credit and exposures from their ties. Each tie's
    probability is the pair's shared factor, base_rate x exp(-aversion x novelty) (computed once per pair), times
    the advocate's credibility and trust, the same products in the same order as :meth:`Context.tie_probability`.
    numpy's exp, log1p and expm1 run between the kernels (model/kernels/advocacy.py).
    """
    novelty = context.novelty if context.novelty.ndim == 2 else context.novelty[None]  # (sides or 1) x columns
    # (the kernels index C-ordered arrays faster: a run's are, so these copy nothing there)
    advocating, holds = np.ascontiguousarray(advocating), np.ascontiguousarray(holds)
    golden = draws.golden if draws.golden is not None else golden_ids(ties.n)
    mixed = draws.mixed()
    any_weighs, any_across, rate = bool(context.any_weighs), bool(context.any_across), float(context.base_rate)
    scale = -MINUS_TWO_53 * _BOUND_MARGIN
    pairs, growth, most = open_pairs(  # open (idea, receiver) pairs that may adopt: advocated to, not held
        total, holds, advocating, context.weighs_standing, any_weighs, novelty, context.aversion, context.sides,
        context.standing, context.trust, any_across, rate, golden, mixed, scale,
    )  # fmt: skip
    if pairs.shape[1] == 0:
        return _nobody(exposures)
    if growth.size:  # each pair's exp(-aversion x novelty), in place
        np.exp(growth, out=growth)
    by_rate = any_weighs or any_across  # else every advocate of a pair offers the same p
    advocated, logs = tie_logs(
        pairs, advocating, ties.indptr, ties.indices, growth, rate, context.standing, context.sides, context.trust,
        any_across, by_side.shape[0], total, golden, mixed, most, scale, by_rate,
    )  # fmt: skip
    np.log1p(logs, out=logs)
    chance = chances(pairs, advocated, logs, by_side)
    np.expm1(chance, out=chance)
    adoptions, exposed = adopt_and_credit(chance, pairs, advocated, logs, golden, mixed, exposures, by_rate)
    # (rows by index: iterating a 2-D array costs twice as much)
    return adoptions[0], adoptions[1], adoptions[2], (exposed[0], exposed[1], exposed[2]) if exposures else None


def _nobody(exposures: bool):
    """_adopt's answer when nobody adopts."""
    empty = np.empty(0, dtype=np.int64)
    return empty, empty, empty, (empty, empty, empty) if exposures else None


def forget_thresholds(rate: np.ndarray) -> np.ndarray:
    """Each rate as the 53-bit integers below which a keyed uniform falls under it: ceil(rate x 2^53), uint64.

    A uniform is its bits x 2^-53 (exactly), so "uniform < rate" is "bits < rate x 2^53" (a power-of-two
    scaling: exact), and, bits being whole, "bits < ceil(rate x 2^53)". Rates are probabilities (0 to 1).
    """
    return np.ceil(np.asarray(rate, dtype=float) * 2.0**53).astype(np.uint64)


def forget(
    draws: StepDraws, held: np.ndarray, rate: np.ndarray, thresholds: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Holdings dropped this step: each (actor, idea) held is dropped with the actor's rate, keyed by the event.

    Returns the (actors, ideas) dropped, idea by idea. `thresholds`: :func:`forget_thresholds` of `rate`, when the
    caller keeps them (computed here otherwise). The held cells are found by a pass over every cell
    (:func:`forget_cells` takes them kept).
    """
    thresholds = forget_thresholds(rate) if thresholds is None else thresholds
    cells = np.ascontiguousarray(held.T)  # idea by idea: a view when held is stored so (the model's is)
    return forgotten(cells, draws.forgetting_keys(), thresholds)


def forget_cells(draws: StepDraws, cells: np.ndarray, n_actors: int, thresholds: np.ndarray) -> np.ndarray:
    """:func:`forget` of the held flat cells (idea x n_actors + actor) `cells`: the positions of those dropped.

    The positions are in increasing order.
    """
    return forgotten_at(cells, n_actors, draws.forgetting_keys(), thresholds)
