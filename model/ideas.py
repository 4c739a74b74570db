"""Ideas and who holds them: novelty, origin, and the full adoption record.

Holdings are dense (actors x ideas) arrays that grow by doubling, so advocacy is array work;
every adoption is also appended to an event log (idea, actor, step, source), so transfer
pathways can be traced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

AUTHOR = -1  # adopted as an author of the idea, in a workshop
SEEDED = -2  # held from the start (seeded ideas)
INITIAL_CAPACITY = 16


@dataclass
class IdeaStore:
    n_actors: int
    capacity: int = INITIAL_CAPACITY
    count: int = 0
    holds: np.ndarray = field(init=False)
    adopted_at: np.ndarray = field(init=False)  # latest adoption step, -1 = never
    first_adopted: np.ndarray = field(init=False)  # first adoption step, -1 = never
    source: np.ndarray = field(init=False)  # who it was first adopted from (AUTHOR, SEEDED, actor)
    novelty: np.ndarray = field(init=False)
    origin_step: np.ndarray = field(init=False)
    origin_workshop: np.ndarray = field(init=False)  # -1 = seeded
    entered_step: np.ndarray = field(init=False)  # step it entered Track One, -1 = not (yet)
    entered_ripe: np.ndarray = field(init=False)
    routes: dict[int, str] = field(default_factory=dict)
    paths: dict[int, list[int]] = field(default_factory=dict)
    _log: list[tuple[np.ndarray, np.ndarray, int, np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        n, c = self.n_actors, self.capacity
        self.holds = np.zeros((n, c), dtype=bool)
        self.adopted_at = np.full((n, c), -1, dtype=np.int32)
        self.first_adopted = np.full((n, c), -1, dtype=np.int32)
        self.source = np.full((n, c), AUTHOR, dtype=np.int32)
        self.novelty = np.zeros(c)
        self.origin_step = np.zeros(c, dtype=np.int32)
        self.origin_workshop = np.full(c, -1, dtype=np.int32)
        self.entered_step = np.full(c, -1, dtype=np.int32)
        self.entered_ripe = np.zeros(c, dtype=bool)

    def _grow(self, needed: int) -> None:
        new = max(self.capacity * 2, needed)
        extra = new - self.capacity

        def widen(array: np.ndarray, fill) -> np.ndarray:
            pad = np.full((array.shape[0], extra) if array.ndim == 2 else (extra,), fill, dtype=array.dtype)
            return np.concatenate([array, pad], axis=array.ndim - 1)

        self.holds = widen(self.holds, False)
        self.adopted_at = widen(self.adopted_at, -1)
        self.first_adopted = widen(self.first_adopted, -1)
        self.source = widen(self.source, AUTHOR)
        self.novelty = widen(self.novelty, 0.0)
        self.origin_step = widen(self.origin_step, 0)
        self.origin_workshop = widen(self.origin_workshop, -1)
        self.entered_step = widen(self.entered_step, -1)
        self.entered_ripe = widen(self.entered_ripe, False)
        self.capacity = new

    def create(self, novelty: np.ndarray, step: int, workshop: int, authors: np.ndarray) -> np.ndarray:
        """Register new ideas; the authors adopt them now. Returns the new ids."""
        k = len(novelty)
        if self.count + k > self.capacity:
            self._grow(self.count + k)
        ids = np.arange(self.count, self.count + k)
        self.count += k
        self.novelty[ids] = novelty
        self.origin_step[ids] = step
        self.origin_workshop[ids] = workshop
        source = AUTHOR if workshop >= 0 else SEEDED
        for idea in ids:
            who = authors if authors.ndim == 1 else authors[idea - ids[0]]
            self.adopt(who, np.full(who.size, idea), step, np.full(who.size, source))
        return ids

    def adopt(self, actors: np.ndarray, ideas: np.ndarray, step: int, sources: np.ndarray) -> None:
        """Actors adopt ideas at step, from sources; keeps the first adoption's source."""
        if actors.size == 0:
            return
        first = self.first_adopted[actors, ideas] < 0
        self.first_adopted[actors[first], ideas[first]] = step
        self.source[actors[first], ideas[first]] = sources[first]
        self.holds[actors, ideas] = True
        self.adopted_at[actors, ideas] = step
        self._log.append((ideas.astype(np.int32), actors.astype(np.int32), step, sources.astype(np.int32)))

    def held_by(self, actor: int) -> set[int]:
        return {int(i) for i in np.flatnonzero(self.holds[actor, : self.count])}

    @property
    def held(self) -> np.ndarray:
        """Holdings of the ideas that exist (a view)."""
        return self.holds[:, : self.count]

    def adoption_log(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every adoption event: (idea, actor, step, source) arrays."""
        if not self._log:
            empty = np.empty(0, dtype=np.int32)
            return empty, empty, empty, empty
        ideas = np.concatenate([e[0] for e in self._log])
        actors = np.concatenate([e[1] for e in self._log])
        steps = np.concatenate([np.full(e[0].size, e[2], dtype=np.int32) for e in self._log])
        sources = np.concatenate([e[3] for e in self._log])
        return ideas, actors, steps, sources

    def path_to(self, actor: int, idea: int) -> list[int]:
        """Chain of actors from the idea's origin to actor, by first-adoption sources."""
        chain = [actor]
        while self.source[chain[-1], idea] >= 0 and len(chain) <= self.n_actors:
            chain.append(int(self.source[chain[-1], idea]))
        return chain[::-1]
