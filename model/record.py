"""The record of a run (``evaluation.record``): what attribution reads, and no more.

- per transferred idea and per side, the officials who counted toward the threshold when it
  entered Track One; its adoption trees from its authors to them (each hop: the credited
  source, the adopter, the step of the adopter's first adoption) are read from the idea store's
  first-adoption sources when asked, never copied;
- the exposures a chain may need: for each first adoption, every advocate tied to the adopter
  who was advocating the idea that step (the credited source among them), kept as one compact
  int32 table (16 bytes an exposure) that grows by doubling. A month's exposures wait as advocacy
  gave them (at most ``RECORD_WAITING`` of them, 24 bytes each) and are written to the table in one
  kernel call when that many wait or the table is read: a run whose table nobody reads (attribution
  does not) writes it seldom;
- at each ripe window's opening, its drivers: each one's share of the opening hazard is found when read.

Advocacy that persuaded nobody, and adoptions after the first (after forgetting), are not kept:
no chain passes through them. The record lives with its model and goes when the run's outcomes
(its attribution) are computed and the model is dropped; ``release()`` frees it earlier.

Trees follow first-adoption sources: an official's source held the idea before the official
first adopted it and was tied to the official then (ties are only ever added), so every hop is
a tie and steps increase from the authors to the officials.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from tracktwo.model.components import Component, members
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.kernels.record import first_exposures
from tracktwo.model.network import Population
from tracktwo.model.params import RECORD_WAITING, Ripeness
from tracktwo.model.ripeness import HAZARD_TERMS, RipenessDrivers, hazard_terms

if TYPE_CHECKING:
    from tracktwo.model.formats import Footprint

__all__ = ["EXPOSURE_BYTES", "Hop", "Opening", "Record", "chain_attribution"]

EXPOSURE_BYTES = 16  # one kept exposure: step, advocate, receiver, idea as int32
_FIRST_CAPACITY = 1024
_NONE = np.zeros(0, dtype=np.int32)  # no first adoptions to read


@dataclass
class Opening:
    """A ripe window opening: when, which Track One state, and each driver's share of the hazard that opened it."""

    step: int
    state: int
    hazard: float
    shares: dict[str, float]

    @property
    def driver(self) -> str:
        """The driver with the largest share of the hazard."""
        return max(self.shares, key=self.shares.get)


@dataclass
class Hop:
    """One hop of an adoption tree: `source` passed `idea` to `adopter`, who first adopted it at `step`."""

    idea: int
    side: int
    source: int
    adopter: int
    step: int


@dataclass
class Record:
    """The record of one run, kept as the run goes: who counted, each first adoption's advocates, openings.

    `ideas` is the run's idea store: exposures are kept for first adoptions only (found from its first
    adoption steps); without it, every adoption's exposures are kept.
    """

    ideas: IdeaStore | None = None
    counted: dict[int, dict[int, np.ndarray]] = field(default_factory=dict)  # idea -> side -> officials counted
    _openings: list[Opening] = field(default_factory=list)
    _opened: list[tuple[int, int, Ripeness, Sequence[float]]] = field(default_factory=list)  # not yet in _openings
    _table: np.ndarray = field(default_factory=lambda: np.empty((4, 0), dtype=np.int32))  # step, adv, recv, idea
    _size: int = 0
    # the months' exposures not yet written: (step, whether to check first adoptions, advocates, receivers, ideas)
    _waiting: list[tuple[int, bool, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    _waiting_count: int = 0

    @property
    def nbytes(self) -> int:
        """Bytes the record holds (its exposure table, allocated, those waiting, and the officials who counted)."""
        officials = sum(a.nbytes for by_side in self.counted.values() for a in by_side.values())
        waiting = sum(a.nbytes for batch in self._waiting for a in batch[2:])
        return int(self._table.nbytes + waiting + officials)

    def note_exposures(self, step: int, exposures: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        """Keep a step's exposures of first adoptions: (advocate, receiver, idea) arrays, before adoption.

        They wait as given (the store's count of dropped holdings noted now) until :meth:`_write` keeps the first
        adoptions' among them.
        """
        if exposures is None:
            return
        advocates, receivers, ideas = exposures
        if advocates.size == 0:
            return
        store = self.ideas  # first adoptions only, when anything was dropped (else every pair not held is one)
        self._waiting.append((step, store is not None and store.dropped > 0, advocates, receivers, ideas))
        self._waiting_count += advocates.size
        if self._waiting_count >= RECORD_WAITING:
            self._write()

    def _write(self) -> None:
        """Write the waiting exposures of first adoptions to the table, in the order they came (doubling it first).

        A pair's first adoption step never changes once set, and an exposure's pair was not held when noted (only
        pairs not held are adopted): so its pair had no first adoption then exactly when it has none now or one
        from that step on (kernels/record.py `first_exposures`).
        """
        waiting = self._waiting
        if not waiting:
            return
        steps, checked, advocates, receivers, ideas = zip(*waiting, strict=True)
        store = self.ideas
        first_adopted, n_actors = (store.first_adopted.T.reshape(-1), store.n_actors) if any(checked) else (_NONE, 0)
        size, needed = self._size, self._size + self._waiting_count
        if needed > self._table.shape[1]:  # room for every one of them first (doubling), then the first kept
            grown = np.empty((4, max(needed, 2 * self._table.shape[1], _FIRST_CAPACITY)), dtype=np.int32)
            grown[:, :size] = self._table[:, :size]
            self._table = grown
        written = (np.concatenate(advocates), np.concatenate(receivers), np.concatenate(ideas))
        months = (np.array(steps, dtype=np.int64), np.array(checked), np.cumsum([a.size for a in advocates]))
        self._size = first_exposures(*written, *months, first_adopted, n_actors, self._table, size)
        self._waiting, self._waiting_count = [], 0

    def note_entry(self, idea: int, counted: dict[int, np.ndarray]) -> None:
        """Keep the officials (per side) who counted toward the threshold when an idea entered Track One."""
        self.counted[idea] = counted

    def note_opening(self, step: int, state: int, config: Ripeness, drivers: Sequence[float]) -> None:
        """Keep a window's opening and its drivers (a RipenessDrivers or its row): their shares are found when read."""
        self._opened.append((step, state, config, drivers))

    @property
    def openings(self) -> list[Opening]:
        """Each window's opening so far, with each driver's share of the hazard that opened it."""
        for step, state, config, (exposure, credible, public) in self._opened:
            terms = hazard_terms(config, RipenessDrivers(exposure, int(credible), public))
            hazard = 0.0  # summed in order, as opening_hazard does (sum() compensates float sums from Python 3.12)
            for term in terms.values():
                hazard += term
            shares = {name: (terms[name] / hazard if hazard > 0 else 0.0) for name in HAZARD_TERMS}
            self._openings.append(Opening(step, state, hazard, shares))
        self._opened = []
        return self._openings

    def exposures(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every kept exposure: (step, advocate, receiver, idea) arrays (views of the record's table)."""
        self._write()
        table = self._table[:, : self._size]
        return table[0], table[1], table[2], table[3]

    def release(self) -> None:
        """Free the record (once the run's attribution is computed): nothing of it is kept after."""
        self._table = np.empty((4, 0), dtype=np.int32)
        self._size = 0
        self._waiting, self._waiting_count = [], 0
        self.counted = {}
        self._openings, self._opened = [], []
        self.ideas = None

    def trees(self, ideas: IdeaStore) -> list[Hop]:
        """Per transferred idea and side, the hops from its authors to the officials who counted (each hop once)."""
        return [Hop(idea, *row) for idea, rows in self._walk(ideas).items() for row in rows]

    def _walk(self, ideas: IdeaStore) -> dict[int, list[tuple[int, int, int, int]]]:
        """:meth:`trees`' hops by idea as plain (side, source, adopter, step) tuples, in the same order."""
        walked: dict[int, list[tuple[int, int, int, int]]] = {}
        for idea, by_side in self.counted.items():
            rows = walked[idea] = []
            sources = ideas.source[:, idea].tolist()  # the idea's column, read once: the walk is in Python
            first: list[int] | None = None
            for side, officials in by_side.items():
                seen: set[int] = set()
                for actor in officials.tolist():
                    while actor not in seen and sources[actor] >= 0:
                        if first is None:
                            first = ideas.first_adopted[:, idea].tolist()
                        seen.add(actor)
                        source = sources[actor]
                        rows.append((side, source, actor, first[actor]))
                        actor = source
        return walked

    def _counted_actors(self) -> dict[int, set[int]]:
        """Per transferred idea, the officials who counted (every side)."""
        return {
            idea: {int(a) for officials in by_side.values() for a in officials.tolist()}
            for idea, by_side in self.counted.items()
        }

    def _chain_actors(self, walked: dict[int, list[tuple[int, int, int, int]]]) -> dict[int, set[int]]:
        """Per transferred idea, every actor on its trees (authors, carriers and the officials who counted).

        `walked`: :meth:`_walk`'s hops.
        """
        actors = self._counted_actors()
        for idea, rows in walked.items():
            if rows:
                _, sources, adopters, _ = zip(*rows, strict=True)
                actors[idea].update(sources)
                actors[idea].update(adopters)
        return actors


def chain_attribution(
    record: Record,
    ideas: IdeaStore,
    keys: list[str],
    population: Population,
    participated: np.ndarray,
    footprints: Mapping[int, Footprint],
    entry_formats: Sequence[str],
) -> dict[str, float]:
    """Per component, the transferred ideas (any origin) and their impact whose recorded chains pass through it.

    A chain passes through a workshop when the idea was born there; through an actor or a group
    when someone it names who took part in the programme is on the idea's trees (an author, a
    carrier or an official who counted); through an entry of the schedule (``event:N``) when the
    idea was born in one of its meetings, a hop of its trees is an adoption the entry made (a
    product's reader), or a hop's adopter was on one of its trips while the trip lowered their
    aversion; through a format when it passes through an entry of that format; through a route
    when the idea entered Track One by it.
    """
    walked: dict[int, list[tuple[int, int, int, int]]] | None = None
    chains: dict[int, set[int]] | None = None

    def hops() -> dict[int, list[tuple[int, int, int, int]]]:
        """(side, source, adopter, step) by idea, what Hops hold: walked once, and only if a component reads them."""
        nonlocal walked
        if walked is None:
            walked = record._walk(ideas)
        return walked

    entered = np.array(sorted(record.counted), dtype=np.int64)  # the ideas with trees (chains' keys)
    result: dict[str, float] = {}
    for key in keys:
        component = Component.parse(key)
        if component.kind == "workshop":
            on_chain = ideas.origin_workshop[entered] == int(component.name) - 1
        elif component.kind in ("event", "format"):
            entries = (
                [int(component.name) - 1]
                if component.kind == "event"
                else [i for i, f in enumerate(entry_formats) if f == component.name]
            )
            traces = [footprints[i] for i in entries if i in footprints]
            walk = hops() if any(t.adoptions or t.trips for t in traces) else {}  # meetings alone: no hop read
            on_chain = np.array([_passes(i, ideas, walk.get(i, []), traces) for i in entered.tolist()], dtype=bool)
        elif component.kind == "route":
            on_chain = np.array(  # the programme's ideas: a rival idea's route is no route of the programme
                [ideas.origin_workshop[i] >= 0 and ideas.routes.get(i) == component.name for i in entered.tolist()],
                dtype=bool,
            )
        else:
            if chains is None:
                chains = record._chain_actors(hops())
            named = members(component, population) & participated
            on_chain = np.array([bool(named[list(chains[i])].any()) for i in entered.tolist()], dtype=bool)
        result[f"chain_ideas_{component.slug}"] = int(on_chain.sum())
        result[f"chain_impact_{component.slug}"] = (
            float(ideas.novelty[entered[on_chain]].sum()) if entered.size else 0.0
        )
    return result


def _passes(idea: int, ideas: IdeaStore, hops: list[tuple[int, int, int, int]], traces: list[Footprint]) -> bool:
    """Whether an idea's chain (its (side, source, adopter, step) hops) passes through these entries' footprints."""
    born = int(ideas.origin_workshop[idea])
    for trace in traces:
        if born in trace.meetings:
            return True
        for readers, read, step in trace.adoptions:
            if any(
                hop_step == step and ((readers == adopter) & (read == idea)).any() for _, _, adopter, hop_step in hops
            ):
                return True
        for travellers, first, last in trace.trips:
            if any(first <= hop_step <= last and (travellers == adopter).any() for _, _, adopter, hop_step in hops):
                return True
    return False


# Chains of the outcomes counted by idea beyond Track One (issue 25; additive) ------------------


def uptake_attribution(
    ideas: IdeaStore,
    keys: list[str],
    track_1_5: Mapping[int, int],
    track_three: Mapping[int, int],
    agreed: set[tuple[int, int]],
) -> dict[str, float]:
    """Per meeting (``workshop:N`` keys only): the uptakes and local agreements whose idea was born in it.

    The chain of the uptakes in Track 1.5 and Track Three and of the local agreements through a
    meeting, as for Track One (an idea born there). Only meetings: the record keeps adoption trees
    for Track One alone, so no other component has a chain for these outcomes (the evaluation says
    "no chain for this outcome").
    """
    counted = {
        "track_1_5": np.array(sorted(track_1_5), dtype=np.int64),
        "track_three": np.array(sorted(track_three), dtype=np.int64),
        "local_agreements": np.array([idea for _, idea in agreed], dtype=np.int64),
    }
    result: dict[str, float] = {}
    for key in keys:
        component = Component.parse(key)
        if component.kind != "workshop":
            continue
        meeting = int(component.name) - 1
        for name, idea_ids in counted.items():
            born = ideas.origin_workshop[idea_ids] == meeting if idea_ids.size else np.zeros(0, dtype=bool)
            result[f"chain_{name}_{component.slug}"] = int(born.sum())
    return result
