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
from tracktwo.model.kernels.tracks import AGREEMENT, UPTAKE_THREE, observe
from tracktwo.model.params import BEHAVIOURS
from tracktwo.model.transfer import holders_needed

if TYPE_CHECKING:
    from tracktwo.model.ideas import IdeaStore
    from tracktwo.model.params import Params
    from tracktwo.model.workshops import WorkshopSeries

__all__ = ["LOCALITY_COLUMN", "TrackUptake"]

LOCALITY_COLUMN = "locality"
OFFICIAL, ELITE, GRASSROOTS = (BEHAVIOURS.index(b) for b in ("official", "elite", "grassroots"))


class TrackUptake:
    """Which ideas each track took up, and the local agreements formed, as the run goes."""

    def __init__(
        self,
        params: Params,
        members: dict[str, np.ndarray],
        side: np.ndarray,
        n_sides: int,
        columns: dict[str, list[str]],
        ideas: IdeaStore,
        series: WorkshopSeries,
        rng: np.random.Generator,
    ) -> None:
        """Reads the ideas and the main series (who took part) as the run goes; `columns` are the map's columns."""
        self.ideas, self.series, self.side, self.n_sides = ideas, series, side, n_sides
        self.threshold = params.transfer.threshold
        self.grassroots = members["grassroots"]
        self.elites = members["elite"]
        self.officials = members["official"]
        config = params.local_agreements
        mapped = columns.get(LOCALITY_COLUMN)
        if mapped is not None:
            labels = np.asarray(mapped, dtype=object)[self.grassroots]
            _, locality = np.unique(labels.astype(str), return_inverse=True)
        else:
            locality = rng.integers(0, config.localities, size=self.grassroots.size)
        self.localities = int(locality.max()) + 1 if locality.size else 0
        self.cell = locality * n_sides + side[self.grassroots]  # (locality, side) of each grassroots actor
        order = np.argsort(self.cell, kind="stable")
        self._by_cell = self.grassroots[order].astype(np.int64)  # the grassroots grouped by (locality, side) cell
        cells = self.cell[order]
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if cells.size else cells
        self._cell_starts = starts.astype(np.int64)
        self._cell_localities = (cells[starts] // n_sides).astype(np.int64)  # each cell's locality
        self.sides_needed = config.sides_needed
        self.agreed: set[tuple[int, int]] = set()  # (locality, idea) pairs that formed an agreement
        self.track_1_5: dict[int, int] = {}  # idea -> step taken up
        self.track_three: dict[int, int] = {}
        self._elite_sizes = np.bincount(side[self.elites], minlength=n_sides)
        self._grassroots_staffed = self._staffed(np.bincount(side[self.grassroots], minlength=n_sides))
        self._room_staffed = self._staffed(self._elite_sizes)
        self._meetings_seen = 0
        none = np.zeros(0, dtype=np.int64)
        self._room = (none, none)  # the officials in the room (Track 1.5 members), and their sides
        self._groups = np.array([GRASSROOTS, ELITE, OFFICIAL], dtype=np.int64) * n_sides  # each track's first group
        # the grassroots' and the room's adoptions at the last check, and the ideas _last holds the grassroots' of
        self._checked = np.zeros(3, dtype=np.int64)
        self._capacity = 0  # ideas the arrays below have room for (grown with the store's ideas)
        self._grow(ideas.capacity)

    def observe(self, t: int) -> None:
        """After the step's transfer check: record new uptakes and agreements (only when holdings there changed).

        One kernel reads what changed (model/kernels/tracks.py `observe`); the officials in the room are found again
        here when a meeting was held since.
        """
        ideas = self.ideas
        n = ideas.count
        if n == 0:
            return
        if n > self._capacity:
            self._grow(n)
        if len(self.series.records) != self._meetings_seen:
            self._officials_in_room()
        (three_staffed, three_needed), (room_staffed, room_needed) = self._grassroots_staffed, self._room_staffed
        found = observe(
            ideas.group_adoptions,
            ideas.group_holders,
            n,
            self._groups,
            self._checked,
            ideas.holds.T,
            three_staffed,
            three_needed,
            self._three_taken,
            room_staffed,
            room_needed,
            self._room_taken,
            *self._room,
            self._last,
            self._by_cell,
            self._cell_starts,
            self._cell_localities,
            self._agreed_cells,
            self.sides_needed,
        )
        if found.shape[1]:
            for kind, idea, locality in found.T.tolist():
                if kind == AGREEMENT:
                    self.agreed.add((locality, idea))
                else:
                    (self.track_three if kind == UPTAKE_THREE else self.track_1_5)[idea] = t

    def _grow(self, n: int) -> None:
        """Room for n ideas (at least double): the ideas taken up by each track, the holders last seen, the agreed."""
        old, new = self._capacity, max(n, 2 * self._capacity)
        grown = [np.zeros(new, dtype=bool), np.zeros(new, dtype=bool)]
        grown.append(np.zeros((self.n_sides, new), dtype=np.int64))
        grown.append(np.zeros((self.localities, new), dtype=bool))
        if old:
            before = (self._three_taken, self._room_taken, self._last, self._agreed_cells)
            for array, kept in zip(grown, before, strict=True):
                array[..., :old] = kept
        self._three_taken, self._room_taken, self._last, self._agreed_cells = grown
        self._capacity = new

    def _officials_in_room(self) -> None:
        """Officials who took part in a meeting (Track 1.5 members), and their sides: found when a meeting was held."""
        self._meetings_seen = len(self.series.records)
        in_room = self.officials[self.series.participated[self.officials]]
        sides = self.side[in_room]
        self._room = (in_room.astype(np.int64), sides.astype(np.int64))
        self._room_staffed = self._staffed(self._elite_sizes + np.bincount(sides, minlength=self.n_sides))

    def _staffed(self, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sides with members, and the holders each of them needs (made when sizes change).

        A side's share h / members reaches the threshold from that many holders on: the same quotients, computed
        once, so a month compares whole numbers.
        """
        staffed = sizes > 0
        needed = [holders_needed(members, self.threshold) for members in sizes[staffed].tolist()]
        return staffed, np.array(needed, dtype=np.int64)
