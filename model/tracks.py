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
from tracktwo.model.kernels.tracks import newly_reached
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
        self._by_cell = self.grassroots[order]  # the grassroots grouped by (locality, side) cell
        cells = self.cell[order]
        self._cell_starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if cells.size else cells
        # (cell with grassroots x locality): 1 where the cell lies, so a product counts each locality's sides holding
        held_cells = cells[self._cell_starts]
        self._cell_locality = np.zeros((held_cells.size, self.localities), dtype=np.uint8)
        self._cell_locality[np.arange(held_cells.size), held_cells // n_sides] = 1
        self.sides_needed = config.sides_needed
        self.agreed: set[tuple[int, int]] = set()  # (locality, idea) pairs that formed an agreement
        self._agreed_cells = np.zeros((self.localities, 0), dtype=bool)  # the same pairs as (locality x idea) cells
        self.track_1_5: dict[int, int] = {}  # idea -> step taken up
        self.track_three: dict[int, int] = {}
        self._taken = {track: np.zeros(0, dtype=bool) for track in ("track_1_5", "track_three")}  # as masks
        self._checked_grassroots = 0
        self._grassroots_sizes = np.bincount(side[self.grassroots], minlength=n_sides)
        self._elite_sizes = np.bincount(side[self.elites], minlength=n_sides)
        self._room_sizes = self._elite_sizes
        self._grassroots_staffed = self._staffed(self._grassroots_sizes)
        self._room_staffed = self._staffed(self._room_sizes)
        self._meetings_seen = 0
        self._last_holders = np.zeros((n_sides, 0), dtype=np.int64)  # grassroots holders at the last check
        self._in_room: dict[int, np.ndarray] = {}
        self._room_columns: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # in-room officials by side
        self._checked_room = 0

    def observe(self, t: int) -> None:
        """After the step's transfer check: record new uptakes and agreements (only when holdings there changed)."""
        ideas = self.ideas
        n = ideas.count
        if n == 0:
            return
        sides = self.n_sides
        adoptions = ideas.group_adoptions.tolist()  # by (track, side) group: a few whole numbers, summed here
        grassroots_adoptions = sum(adoptions[GRASSROOTS * sides : (GRASSROOTS + 1) * sides])
        if grassroots_adoptions != self._checked_grassroots:
            self._checked_grassroots = grassroots_adoptions
            holders = ideas.group_holders[GRASSROOTS * sides : (GRASSROOTS + 1) * sides, :n]
            self._uptake("track_three", holders, self._grassroots_staffed, t)
            if self.localities:
                self._agreements(holders)
        room_adoptions = sum(adoptions[ELITE * sides : (ELITE + 1) * sides]) + sum(
            adoptions[OFFICIAL * sides : (OFFICIAL + 1) * sides]
        )
        if room_adoptions != self._checked_room:
            self._checked_room = room_adoptions
            holders = ideas.group_holders[ELITE * sides : (ELITE + 1) * sides, :n]
            in_room = self._officials_in_room()
            if in_room:  # and the officials in the room, each side's counted in one pass
                holders = holders.copy()
                order, starts, room_sides = self._room_columns
                counts = np.add.reduceat(ideas.holds.T[:n].take(order, axis=1), starts, axis=1, dtype=np.int64)
                holders[room_sides] += counts.T
            self._uptake("track_1_5", holders, self._room_staffed, t)

    def _officials_in_room(self) -> dict[int, np.ndarray]:
        """Officials who took part in a meeting (Track 1.5 members), by side; recomputed when a meeting was held."""
        held = len(self.series.records)
        if held != self._meetings_seen:
            self._meetings_seen = held
            in_room = self.officials[self.series.participated[self.officials]]
            sides = self.side[in_room]
            self._in_room = {int(side): in_room[sides == side] for side in np.unique(sides).tolist()}
            if self._in_room:  # the same officials by side, as columns to count in one pass
                self._room_columns = (
                    np.concatenate(list(self._in_room.values())),
                    np.cumsum([0] + [o.size for o in self._in_room.values()])[:-1],
                    np.array(list(self._in_room), dtype=np.int64),
                )
            self._room_sizes = self._elite_sizes + np.bincount(sides, minlength=self.n_sides)
            self._room_staffed = self._staffed(self._room_sizes)
        return self._in_room

    def _staffed(self, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sides with members, and the holders each of them needs (made when sizes change).

        A side's share h / members reaches the threshold from that many holders on: the same quotients, computed
        once, so a month compares whole numbers.
        """
        staffed = sizes > 0
        needed = [holders_needed(members, self.threshold) for members in sizes[staffed].tolist()]
        return staffed, np.array(needed, dtype=np.int64)

    def _uptake(self, track: str, holders: np.ndarray, staffed_needed: tuple, t: int) -> None:
        """Note when each idea reached the threshold's share of `track`'s members on every side."""
        staffed, needed = staffed_needed
        if needed.size == 0:
            return
        taken, mask = getattr(self, track), self._taken[track]  # the ideas taken, and as a mask: only new ones are read
        if mask.size < holders.shape[1]:
            mask = self._taken[track] = np.concatenate([mask, np.zeros(max(holders.shape[1], mask.size), dtype=bool)])
        for idea in newly_reached(holders, staffed, needed, mask).tolist():
            taken[idea] = t

    def _agreements(self, holders: np.ndarray) -> None:
        """Agreements among ideas that gained grassroots holders since the last check and that enough sides hold."""
        n = holders.shape[1]
        last = self._last_holders
        if last.shape[1] == n:
            gained = np.logical_or.reduce(holders > last, axis=0)
        else:  # ideas born since the last check gained their holders
            gained = np.ones(n, dtype=bool)
            gained[: last.shape[1]] = np.logical_or.reduce(holders[:, : last.shape[1]] > last, axis=0)
        self._last_holders = holders.copy()
        # the test by locality implies a test of sides holding overall: made first only when every side is needed
        # (the default, two of two: one call prunes many), else it costs more than the few more candidates do
        if self.sides_needed == self.n_sides:
            gained &= np.logical_and.reduce(holders, axis=0)
        candidates = gained.nonzero()[0]
        if candidates.size == 0:
            return
        enough = self._enough_sides(candidates)
        if self._agreed_cells.shape[1] < n:  # room for the ideas born since
            grown = np.zeros((self.localities, max(n, 2 * self._agreed_cells.shape[1])), dtype=bool)
            grown[:, : self._agreed_cells.shape[1]] = self._agreed_cells
            self._agreed_cells = grown
        # (locality x candidate): enough sides hold it there and it was not agreed there before (True > False only)
        new = np.greater(enough.T, self._agreed_cells.take(candidates, axis=1))
        localities, columns = new.nonzero()
        if localities.size:
            ideas = candidates.take(columns)
            self._agreed_cells[localities, ideas] = True
            self.agreed.update(zip(localities.tolist(), ideas.tolist(), strict=True))

    def _enough_sides(self, candidates: np.ndarray) -> np.ndarray:
        """(candidate x locality): the grassroots of at least `sides_needed` sides there hold the idea.

        The sides holding are counted in one product with the cells' localities (bytes: whole numbers below 256
        sides), not gathered into every (locality, side) cell and summed over a short axis: fewer calls.
        """
        holding = self.ideas.holds.T.take(candidates, axis=0).take(self._by_cell, axis=1)  # (candidate x grassroots)
        held = np.logical_or.reduceat(holding, self._cell_starts, axis=1)  # (candidate x cell): someone there holds
        return np.matmul(held.view(np.uint8), self._cell_locality) >= self.sides_needed
