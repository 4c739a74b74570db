"""Objectives beyond Track One: ideas taken up in Track 1.5 and Track Three, and local-level agreements.

An idea is *taken up in a track* the first step at least ``transfer.threshold`` of that track's
members hold it on every side that has members (Track 1.5: influential elites and officials who
took part in a meeting in a personal capacity; Track Three: grassroots). A *local-level agreement*
forms the first step grassroots of at least ``local_agreements.sides_needed`` sides in one locality
hold the same idea; each grassroots actor lives in a locality (an actor map's ``locality`` column, or
drawn uniformly from ``local_agreements.localities``). Both are read from the holdings after the
step's transfer check, and recomputed only when the tracks' holdings changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.params import BEHAVIOURS

if TYPE_CHECKING:
    from model.model import TrackTwoModel

LOCALITY_COLUMN = "locality"


class TrackUptake:
    """Which ideas each track took up, and the local agreements formed, as the run goes."""

    def __init__(self, model: TrackTwoModel, rng: np.random.Generator) -> None:
        self.model = model
        self.threshold = model.params.transfer.threshold
        self.grassroots = model.members["grassroots"]
        self.elites = model.members["elite"]
        self.officials = model.members["official"]
        config = model.params.local_agreements
        mapped = model.population.extra.get(LOCALITY_COLUMN)
        if mapped is not None:
            labels = np.asarray(mapped, dtype=object)[self.grassroots]
            _, locality = np.unique(labels.astype(str), return_inverse=True)
        else:
            locality = rng.integers(0, config.localities, size=self.grassroots.size)
        self.localities = int(locality.max()) + 1 if locality.size else 0
        self.cell = locality * model.n_sides + model.side[self.grassroots]  # (locality, side) of each grassroots actor
        self.sides_needed = config.sides_needed
        self.agreed: set[tuple[int, int]] = set()  # (locality, idea) pairs that formed an agreement
        self.track_1_5: dict[int, int] = {}  # idea -> step taken up
        self.track_three: dict[int, int] = {}
        self._checked = -1

    def observe(self, t: int) -> None:
        """After the step's transfer check: record new uptakes and agreements."""
        ideas = self.model.ideas
        grassroots = BEHAVIOURS.index("grassroots") * self.model.n_sides
        elite = BEHAVIOURS.index("elite") * self.model.n_sides
        adoptions = int(ideas.group_adoptions.sum())
        if adoptions == self._checked or ideas.count == 0:
            return
        self._checked = adoptions
        n, sides = ideas.count, self.model.n_sides
        self._uptake(
            self.track_three, ideas.group_holders[grassroots : grassroots + sides, :n], self._sizes("grassroots"), t
        )
        in_room = self.officials[self.model.series.participated[self.officials]]
        holders = ideas.group_holders[elite : elite + sides, :n].copy()
        sizes = self._sizes("elite") + np.bincount(self.model.side[in_room], minlength=sides)
        if in_room.size:
            np.add.at(holders, self.model.side[in_room], ideas.holds[in_room, :n])
        self._uptake(self.track_1_5, holders, sizes, t)
        if self.grassroots.size and self.localities:
            self._agreements(n)

    def _sizes(self, behaviour: str) -> np.ndarray:
        members = self.model.members[behaviour]
        return np.bincount(self.model.side[members], minlength=self.model.n_sides)

    def _uptake(self, taken: dict[int, int], holders: np.ndarray, sizes: np.ndarray, t: int) -> None:
        staffed = sizes > 0
        if not staffed.any():
            return
        shares = holders[staffed] / sizes[staffed, None]
        for idea in np.flatnonzero((shares >= self.threshold).all(axis=0)).tolist():
            taken.setdefault(idea, t)

    def _agreements(self, n: int) -> None:
        holds = self.model.ideas.holds[self.grassroots, :n]
        sides = self.model.n_sides
        counts = np.zeros((self.localities * sides, n), dtype=np.int64)
        np.add.at(counts, self.cell, holds)
        holding_sides = (counts.reshape(self.localities, sides, n) > 0).sum(axis=1)
        for locality, idea in zip(*np.nonzero(holding_sides >= self.sides_needed), strict=True):
            self.agreed.add((int(locality), int(idea)))
