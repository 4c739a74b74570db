"""Ideas and who holds them: novelty, origin, and the full adoption record.

Holdings are dense (actors x ideas) arrays that grow by doubling, so advocacy is array work.
They are stored idea by idea (column-major), so one idea's holders, and the holdings of the ideas
that exist, are contiguous blocks;
every adoption is also appended to an event log (idea, actor, step, source), so transfer
pathways can be traced. Counts read every step (ideas per actor; holders of each idea in each
group of actors, e.g. officials of one side; members of each group holding any idea) are kept
up to date event by event, so a step's bookkeeping costs in proportion to its adoptions, not
to the population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from tracktwo.model.kernels.holdings import adopt_pairs, advocating_cells, drop_held_pairs, drop_pairs, forget_held
from tracktwo.model.kernels.meetings import authored_pairs
from tracktwo.model.kernels.rivals import registered_rivals

__all__ = [
    "AUTHOR",
    "INITIAL_CAPACITY",
    "KEY_NUMBER_SHIFT",
    "KEY_ORIGIN_SHIFT",
    "ORIGINS",
    "SEEDED",
    "IdeaStore",
    "idea_keys",
]

AUTHOR = -1  # adopted as an author of the idea, in a workshop (or, for a rival idea, its first official holder)
SEEDED = -2  # held from the start (seeded ideas)
INITIAL_CAPACITY = 16
ORIGINS = ("seeded", "workshop", "track_one", "outside")  # where an idea came from (Track Two: "workshop")
KEY_ORIGIN_SHIFT = 56  # an idea's key: origin << 56 | number (workshop or step) << 20 | rank within it
KEY_NUMBER_SHIFT = 20
_TRACK_ONE, _OUTSIDE = ORIGINS.index("track_one"), ORIGINS.index("outside")


def idea_keys(origin: str, number: int, count: int) -> np.ndarray:
    """Keys of `count` ideas born together (one workshop, one month of rival ideas): the same in any counterfactual."""
    base = (ORIGINS.index(origin) << KEY_ORIGIN_SHIFT) | (int(number) << KEY_NUMBER_SHIFT)
    return np.arange(base, base + count, dtype=np.uint64)  # (whole numbers below 2^63: exact, in one call)


def _by_idea(n_actors: int, capacity: int, fill, dtype) -> np.ndarray:
    """An (actors x ideas) array stored idea by idea (Fortran order)."""
    return np.full((capacity, n_actors), fill, dtype=dtype).T


def _cells(array: np.ndarray) -> np.ndarray:
    """A flat view (not a copy: the array is Fortran-ordered) of an idea-major array: cell = idea x actors + actor."""
    return array.T.reshape(-1)


@dataclass
class IdeaStore:
    """Every idea (novelty, place in the issue space, origin, entry into Track One) and who holds it.

    Counts are kept event by event.
    """

    n_actors: int
    groups: np.ndarray | None = None  # group of each actor (e.g. its track) for per-group counts; None = one group
    n_groups: int = 1
    capacity: int = INITIAL_CAPACITY
    count: int = 0
    dimensions: int = 0  # of the issue space (model/issues.py); 0 = ideas have no place in it
    holds: np.ndarray = field(init=False)
    adopted_at: np.ndarray = field(init=False)  # latest adoption step, -1 = never
    first_adopted: np.ndarray = field(init=False)  # first adoption step, -1 = never
    source: np.ndarray = field(init=False)  # who it was first adopted from (AUTHOR, SEEDED, actor)
    novelty: np.ndarray = field(init=False)  # drawn at birth: the idea's distance from where it was anchored
    location: np.ndarray = field(init=False)  # (ideas x dimensions) its place in the issue space
    origin_step: np.ndarray = field(init=False)
    origin_workshop: np.ndarray = field(init=False)  # -1 = not from a workshop
    origin: np.ndarray = field(init=False)  # index into ORIGINS
    key: np.ndarray = field(init=False)  # uint64 identity for event-keyed draws (idea_keys)
    entered_step: np.ndarray = field(init=False)  # step it entered Track One, -1 = not (yet)
    entered_ripe: np.ndarray = field(init=False)
    held_count: np.ndarray = field(init=False)  # ideas each actor holds now
    group_holders: np.ndarray = field(init=False)  # (groups x ideas) members of each group holding each idea now
    group_reached: np.ndarray = field(init=False)  # members of each group holding at least one idea now
    group_adoptions: np.ndarray = field(init=False)  # adoptions by each group's members so far
    generated: int = 0  # ideas created in workshops (not seeded)
    dropped: int = 0  # holdings dropped so far (forgetting): while 0, every adoption is its pair's first
    entered_count: int = 0  # ideas that entered Track One (entered_step >= 0), kept by model/transfer.py
    routes: dict[int, str] = field(default_factory=dict)
    paths: dict[int, list[int]] = field(default_factory=dict)
    _log: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = field(default_factory=list)
    # the holdings' changes kept from month to month, so no month passes over every (idea, actor) cell for them:
    _held: np.ndarray | None = field(default=None, repr=False)  # flat cells of every holding, in no set order
    _pending: list[np.ndarray] = field(default_factory=list, repr=False)  # cells adopted since _held was merged
    _by_step: dict[int, list[np.ndarray]] = field(default_factory=dict, repr=False)  # cells adopted at each step
    _dropped_since: list[np.ndarray] = field(default_factory=list, repr=False)  # cells dropped since advocacy_changes
    _changes_step: int | None = field(default=None, repr=False)  # the step advocacy_changes was last asked for
    _keeping: bool = field(default=False, repr=False)  # advocacy's changes noted (from advocacy_changes' first call)

    def __post_init__(self) -> None:
        n, c = self.n_actors, self.capacity
        self.holds = _by_idea(n, c, False, bool)
        self.adopted_at = _by_idea(n, c, -1, np.int32)
        self.first_adopted = _by_idea(n, c, -1, np.int32)
        self.source = _by_idea(n, c, AUTHOR, np.int32)
        self.novelty = np.zeros(c)
        self.location = np.zeros((c, self.dimensions))
        self.origin_step = np.zeros(c, dtype=np.int32)
        self.origin_workshop = np.full(c, -1, dtype=np.int32)
        self.origin = np.zeros(c, dtype=np.int8)
        self.key = np.zeros(c, dtype=np.uint64)
        self.entered_step = np.full(c, -1, dtype=np.int32)
        self.entered_ripe = np.zeros(c, dtype=bool)
        self.held_count = np.zeros(n, dtype=np.int64)
        if self.groups is None:
            self.groups = np.zeros(n, dtype=np.int64)
        self.group_holders = np.zeros((self.n_groups, c), dtype=np.int64)
        self.group_reached = np.zeros(self.n_groups, dtype=np.int64)
        self.group_adoptions = np.zeros(self.n_groups, dtype=np.int64)
        self._keep_flat_views()

    def __getstate__(self) -> dict:
        """Pickled without the flat views (a pickled view is a copy): they are made again on loading."""
        state = dict(self.__dict__)
        state.pop("_flat", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._keep_flat_views()

    def _keep_flat_views(self) -> None:
        """Flat (idea x actors + actor) views of the holdings arrays, made again whenever they grow."""
        self._flat = tuple(_cells(a) for a in (self.holds, self.adopted_at, self.first_adopted, self.source))

    def _grow(self, needed: int) -> None:
        new = max(self.capacity * 2, needed)
        extra = new - self.capacity

        def widen(array: np.ndarray, fill) -> np.ndarray:  # more ideas: rows of the idea-major storage
            if array.ndim == 1:
                return np.concatenate([array, np.full(extra, fill, dtype=array.dtype)])
            if array is self.location:
                return np.concatenate([array, np.full((extra, array.shape[1]), fill, dtype=array.dtype)])
            if array is self.group_holders:
                return np.concatenate([array, np.full((array.shape[0], extra), fill, dtype=array.dtype)], axis=1)
            return np.concatenate([array.T, np.full((extra, array.shape[0]), fill, dtype=array.dtype)]).T

        self.holds = widen(self.holds, False)
        self.adopted_at = widen(self.adopted_at, -1)
        self.first_adopted = widen(self.first_adopted, -1)
        self.source = widen(self.source, AUTHOR)
        self.novelty = widen(self.novelty, 0.0)
        self.location = widen(self.location, 0.0)
        self.origin_step = widen(self.origin_step, 0)
        self.origin_workshop = widen(self.origin_workshop, -1)
        self.origin = widen(self.origin, 0)
        self.key = widen(self.key, 0)
        self.entered_step = widen(self.entered_step, -1)
        self.entered_ripe = widen(self.entered_ripe, False)
        self.group_holders = widen(self.group_holders, 0)
        self.capacity = new
        self._keep_flat_views()

    def create(
        self,
        novelty: np.ndarray,
        step: int,
        workshop: int,
        authors: np.ndarray | Sequence[np.ndarray],
        origin: str | None = None,
    ) -> np.ndarray:
        """Register new ideas; the authors adopt them now. Returns the new ids.

        `authors` are everyone's (one array), or each idea's (a row or array per idea, e.g. by voice).

        `origin` defaults to "workshop" for a workshop number >= 0, else "seeded"; rival ideas
        (Track One's own, from outside the programme) name theirs and are numbered by their step.
        """
        k = len(novelty)
        if self.count + k > self.capacity:
            self._grow(self.count + k)
        first = self.count
        ids = np.arange(first, first + k)
        self.count += k
        new = slice(first, first + k)  # the new ideas' rows: a slice costs less than indexing by ids
        origin = origin or ("workshop" if workshop >= 0 else "seeded")
        self.novelty[new] = novelty
        self.origin_step[new] = step
        self.origin_workshop[new] = workshop
        self.origin[new] = ORIGINS.index(origin)
        number = {"workshop": workshop, "seeded": 0}.get(origin, step)
        self.key[new] = idea_keys(origin, number, k)
        source = SEEDED if origin == "seeded" else AUTHOR
        self.generated += k if origin == "workshop" else 0
        # every idea's authors adopt it in one call, idea by idea (the adoption log's order, as k calls would be)
        if k == 1 and not (isinstance(authors, np.ndarray) and authors.ndim == 1):
            authors = np.asarray(authors[0])  # one idea's authors (a rival idea's holders, one voiced idea)
        if isinstance(authors, np.ndarray) and authors.ndim == 1:
            if authors.size and k:  # one room authoring every new idea: the same cells and counts by a block
                self._authored(authors, first, k, step, source)
                return ids
            actors = authors if k == 1 else np.tile(authors, k)
            ideas = ids.repeat(authors.size)
        else:
            rows = [np.asarray(authors[i]) for i in range(k)]
            actors = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
            ideas = ids.repeat([row.size for row in rows]) if rows else np.empty(0, dtype=np.int64)
        if actors.size:
            self.adopt(actors, ideas, step, np.full(actors.size, source))
        return ids

    def create_rivals(self, step: int, own: int, novelty: np.ndarray, holders: np.ndarray, starts: np.ndarray) -> int:
        """Register a month's rival ideas: :meth:`create` of Track One's `own` (the first), then of the others.

        Their first holders (`holders` from `starts`, idea by idea) adopt them now, as authors. One kernel call
        (model/kernels/rivals.py): the same rows, keys, cells, counts and adoption log. Returns the first new id.
        """
        k = novelty.size
        if self.count + k > self.capacity:
            self._grow(self.count + k)
        first = self.count
        self.count += k
        keys = (
            (_TRACK_ONE << KEY_ORIGIN_SHIFT) | (step << KEY_NUMBER_SHIFT),
            (_OUTSIDE << KEY_ORIGIN_SHIFT) | (step << KEY_NUMBER_SHIFT),
        )
        cells, logged = registered_rivals(
            first,
            step,
            own,
            novelty,
            holders,
            starts,
            *keys,
            _TRACK_ONE,
            _OUTSIDE,
            self.n_actors,
            self.dropped > 0,
            self.novelty,
            self.origin_step,
            self.origin_workshop,
            self.origin,
            self.key,
            *self._flat,
            *self._counts(),
            self.group_adoptions,
        )
        self._note_adopted(cells, step)
        self._log.append((logged[0], logged[1], step, logged[2]))
        return first

    def _authored(self, authors: np.ndarray, first: int, k: int, step: int, source: int) -> None:
        """The distinct `authors` adopt the k new ideas from `first` on: what :meth:`adopt` does with every pair.

        One kernel call (model/kernels/meetings.py) makes the pairs, idea by idea, and adopts them.
        """
        holds, adopted_at, first_adopted, sources = self._flat
        cells, logged = authored_pairs(
            authors.astype(np.int64, copy=False),
            first,
            k,
            step,
            source,
            self.n_actors,
            holds,
            adopted_at,
            first_adopted,
            sources,
            *self._counts(),
            self.group_adoptions,
        )
        self._note_adopted(cells, step)
        self._log.append((logged[0], logged[1], step, logged[2]))

    def adopt(self, actors: np.ndarray, ideas: np.ndarray, step: int, sources: np.ndarray) -> None:
        """Actors adopt ideas (distinct pairs, not held now) at step, from sources (the first source is kept)."""
        if actors.size == 0:
            return
        holds, adopted_at, first_adopted, source = self._flat
        cells, logged = adopt_pairs(
            actors.astype(np.int64, copy=False),
            ideas.astype(np.int64, copy=False),
            sources.astype(np.int64, copy=False),
            step,
            self.n_actors,
            self.dropped > 0,  # nothing dropped: a pair not held never was (its first adoption is this one)
            holds,
            adopted_at,
            first_adopted,
            source,
            self.held_count,
            self.groups,
            self.group_holders,
            self.group_reached,
            self.group_adoptions,
        )
        self._note_adopted(cells, step)
        self._log.append((logged[0], logged[1], step, logged[2]))

    def drop(self, actors: np.ndarray, ideas: np.ndarray) -> None:
        """Actors stop holding ideas (distinct pairs, held now): forgetting. The adoption record is kept."""
        if actors.size == 0:
            return
        cells = drop_pairs(actors, ideas, self._flat[0], *self._counts())
        self._held = None  # (drop_held keeps it: its positions are known)
        self._note_dropped(cells)

    def forget(self, keys: np.ndarray, thresholds: np.ndarray) -> None:
        """Holders drop ideas: :meth:`drop` of the held cells whose forgetting draw is under their actor's threshold.

        The draws are keyed by the step's forgetting `keys`, one per idea (diffusion.forget); the held cells are
        found by a pass over every cell, and dropped in the same kernel call.
        """
        if self.count == 0:
            return
        cells = forget_held(self.holds.T[: self.count], keys, thresholds, *self._counts())
        if cells.size:
            self._held = None
            self._note_dropped(cells)

    def drop_held(self, at: np.ndarray) -> None:
        """Drop the holdings at positions `at` (increasing) of :meth:`held_cells`' last answer: :meth:`drop`.

        The kept cells lose those positions (no pass over every cell next month either). The pairs come in the
        kept cells' order, which the counts do not depend on (whole numbers, each pair once).
        """
        if at.size == 0:
            return
        self._held, cells = drop_held_pairs(self._held, at, self._flat[0], *self._counts())
        self._note_dropped(cells)

    def _counts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The counts a drop changes, as the kernels take them: per actor, the groups, per group and idea, reached."""
        return self.held_count, self.groups, self.group_holders, self.group_reached

    def _note_dropped(self, cells: np.ndarray) -> None:
        """Count the dropped cells and keep them (once asked, for :meth:`advocacy_changes`)."""
        if self._keeping:
            self._dropped_since.append(cells)
        self.dropped += cells.size

    def held_cells(self) -> np.ndarray:
        """The flat cells (idea x actors + actor) of every holding now, in no set order; kept, not read afresh.

        Found once by a pass over every cell, then kept: the cells adopted since are added, those dropped by
        :meth:`drop_held` taken out (any other drop makes it found afresh).
        """
        if self._held is None:
            self._held = self.holds.T.reshape(-1)[: self.count * self.n_actors].nonzero()[0]
            self._pending.clear()
        elif self._pending:
            self._held = np.concatenate([self._held, *self._pending])
            self._pending.clear()
        return self._held

    def advocacy_changes(self, t: int, span: int | None) -> tuple[np.ndarray, np.ndarray] | None:
        """The cells whose advocacy at step t may differ from step t - 1's, and whether each advocates now.

        An actor advocates an idea it holds from the step after adopting it, for `span` steps (None: for ever).
        From step t - 1 to t that changes only for the cells adopted at t - 1 (they start), those adopted at
        t - 1 - span (they stop) and those dropped since (they stop): so these cells (some maybe twice), with
        their advocacy read from the holdings. None when the last call was not for step t - 1 (nothing kept
        to compare with: the caller finds every cell's advocacy).

        The changes are noted only from the first call on (a run that never asks pays nothing for them): that
        call finds the cells adopted from the first step a later call will read (t, or t - span) in the log.
        """
        if not self._keeping:
            self._keep_from(t if span is None else t - span)
        last, self._changes_step = self._changes_step, t
        dropped, self._dropped_since = self._dropped_since, []
        started = self._by_step.get(t - 1, []) if span is not None else self._by_step.pop(t - 1, [])
        stopped = self._by_step.pop(t - 1 - span, []) if span is not None else []
        if last != t - 1:
            return None
        parts = [*started, *stopped, *dropped]
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, np.empty(0, dtype=bool)
        cells = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return cells, advocating_cells(cells, self._flat[0], self._flat[1], t, -1 if span is None else span)

    def _keep_from(self, first: int) -> None:
        """Start noting advocacy's changes, with the cells adopted from step `first` on found in the log."""
        self._keeping = True
        n = self.n_actors
        for ideas, actors, step, _ in self._log:
            if step >= first:
                self._by_step.setdefault(step, []).append(ideas.astype(np.int64) * n + actors)

    def _note_adopted(self, cells: np.ndarray, step: int) -> None:
        """Keep the cells adopted at `step` (for :meth:`held_cells` and, once asked, :meth:`advocacy_changes`)."""
        if self._keeping:
            self._by_step.setdefault(step, []).append(cells)
        if self._held is not None:
            self._pending.append(cells)

    @property
    def held(self) -> np.ndarray:
        """Holdings of the ideas that exist (a view)."""
        return self.holds[:, : self.count]

    def adoption_log(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every adoption event: (idea, actor, step, source) arrays."""
        if not self._log:
            empty = np.empty(0, dtype=np.int32)
            return empty, empty, empty, empty
        ideas, actors, steps, sources = zip(*self._log, strict=True)  # the log's columns, one pass
        sizes = [batch.size for batch in ideas]
        ideas = np.concatenate(ideas)
        return ideas, np.concatenate(actors), np.repeat(np.array(steps, dtype=np.int32), sizes), np.concatenate(sources)
