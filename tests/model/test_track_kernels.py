"""The tracks' uptake kernels (model/kernels/tracks.py) against the numpy code `TrackUptake.observe` ran before them."""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels.tracks import newly_reached
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import make_params
from tracktwo.model.tracks import ELITE, GRASSROOTS, OFFICIAL, TrackUptake


def _reached_side_by_side(holders, staffed, needed, taken):
    """The replaced numpy code: the staffed sides' holders against their needs, new ideas only, marked."""
    reached = np.logical_and.reduce(holders[staffed] >= needed[:, None], axis=0)
    reached = np.greater(reached, taken[: reached.size])
    new = reached.nonzero()[0]
    taken[new] = True
    return new


def test_newly_reached_is_the_numpy_codes() -> None:
    rng = np.random.default_rng(4)
    found = 0
    for _ in range(200):
        sides, n = int(rng.integers(1, 6)), int(rng.integers(0, 40))
        holders = rng.integers(0, 6, (sides + 2, n + 3))[1 : sides + 1, :n]  # a strided view, as the model passes
        staffed = rng.random(sides) < 0.8
        staffed[int(rng.integers(0, sides))] = True
        needed = rng.integers(1, 5, int(staffed.sum()))
        taken = rng.random(n + int(rng.integers(0, 5))) < 0.2
        mine, theirs = taken.copy(), taken.copy()
        new = newly_reached(holders, staffed, needed, mine)
        assert np.array_equal(new, _reached_side_by_side(holders, staffed, needed, theirs))
        assert np.array_equal(mine, theirs)
        found += new.size
    assert found > 50  # the draws reach the threshold often enough to test the marking


class _UptakeSideBySide:
    """The replaced numpy code of `TrackUptake.observe` (its `_uptake`, `_agreements`, `_enough_sides` and
    `_officials_in_room`), reading the model's store and a TrackUptake's fixed arrays, keeping its own state."""

    def __init__(self, uptake: TrackUptake) -> None:
        self.u = uptake
        n_sides = uptake.n_sides
        order = np.argsort(uptake.cell, kind="stable")
        cells = uptake.cell[order]
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if cells.size else cells
        self._by_cell, self._cell_starts = uptake.grassroots[order], starts
        held_cells = cells[starts]
        self._cell_locality = np.zeros((held_cells.size, uptake.localities), dtype=np.uint8)
        self._cell_locality[np.arange(held_cells.size), held_cells // n_sides] = 1
        self.agreed: set[tuple[int, int]] = set()
        self._agreed_cells = np.zeros((uptake.localities, 0), dtype=bool)
        self.track_1_5: dict[int, int] = {}
        self.track_three: dict[int, int] = {}
        self._taken = {track: np.zeros(0, dtype=bool) for track in ("track_1_5", "track_three")}
        self._checked_grassroots = self._checked_room = self._meetings_seen = 0
        self._elite_sizes = np.bincount(uptake.side[uptake.elites], minlength=n_sides)
        self._grassroots_staffed = uptake._staffed(np.bincount(uptake.side[uptake.grassroots], minlength=n_sides))
        self._room_staffed = uptake._staffed(self._elite_sizes)
        self._last_holders = np.zeros((n_sides, 0), dtype=np.int64)
        self._in_room: dict[int, np.ndarray] = {}
        self._room_columns = None

    def observe(self, t: int) -> None:
        u, ideas = self.u, self.u.ideas
        n, sides = ideas.count, u.n_sides
        if n == 0:
            return
        adoptions = ideas.group_adoptions.tolist()
        grassroots_adoptions = sum(adoptions[GRASSROOTS * sides : (GRASSROOTS + 1) * sides])
        if grassroots_adoptions != self._checked_grassroots:
            self._checked_grassroots = grassroots_adoptions
            holders = ideas.group_holders[GRASSROOTS * sides : (GRASSROOTS + 1) * sides, :n]
            self._uptake("track_three", holders, self._grassroots_staffed, t)
            if u.localities:
                self._agreements(holders)
        room_adoptions = sum(adoptions[ELITE * sides : (ELITE + 1) * sides]) + sum(
            adoptions[OFFICIAL * sides : (OFFICIAL + 1) * sides]
        )
        if room_adoptions != self._checked_room:
            self._checked_room = room_adoptions
            holders = ideas.group_holders[ELITE * sides : (ELITE + 1) * sides, :n]
            if self._officials_in_room():
                holders = holders.copy()
                order, starts, room_sides = self._room_columns
                counts = np.add.reduceat(ideas.holds.T[:n].take(order, axis=1), starts, axis=1, dtype=np.int64)
                holders[room_sides] += counts.T
            self._uptake("track_1_5", holders, self._room_staffed, t)

    def _officials_in_room(self) -> dict[int, np.ndarray]:
        u = self.u
        held = len(u.series.records)
        if held != self._meetings_seen:
            self._meetings_seen = held
            in_room = u.officials[u.series.participated[u.officials]]
            sides = u.side[in_room]
            self._in_room = {int(side): in_room[sides == side] for side in np.unique(sides).tolist()}
            if self._in_room:
                self._room_columns = (
                    np.concatenate(list(self._in_room.values())),
                    np.cumsum([0] + [o.size for o in self._in_room.values()])[:-1],
                    np.array(list(self._in_room), dtype=np.int64),
                )
            self._room_staffed = u._staffed(self._elite_sizes + np.bincount(sides, minlength=u.n_sides))
        return self._in_room

    def _uptake(self, track: str, holders: np.ndarray, staffed_needed: tuple, t: int) -> None:
        staffed, needed = staffed_needed
        if needed.size == 0:
            return
        taken, mask = getattr(self, track), self._taken[track]
        if mask.size < holders.shape[1]:
            mask = self._taken[track] = np.concatenate([mask, np.zeros(max(holders.shape[1], mask.size), dtype=bool)])
        for idea in _reached_side_by_side(holders, staffed, needed, mask).tolist():
            taken[idea] = t

    def _agreements(self, holders: np.ndarray) -> None:
        n = holders.shape[1]
        last = self._last_holders
        if last.shape[1] == n:
            gained = np.logical_or.reduce(holders > last, axis=0)
        else:
            gained = np.ones(n, dtype=bool)
            gained[: last.shape[1]] = np.logical_or.reduce(holders[:, : last.shape[1]] > last, axis=0)
        self._last_holders = holders.copy()
        if self.u.sides_needed == self.u.n_sides:
            gained &= np.logical_and.reduce(holders, axis=0)
        candidates = gained.nonzero()[0]
        if candidates.size == 0:
            return
        holding = self.u.ideas.holds.T.take(candidates, axis=0).take(self._by_cell, axis=1)
        held = np.logical_or.reduceat(holding, self._cell_starts, axis=1)
        enough = np.matmul(held.view(np.uint8), self._cell_locality) >= self.u.sides_needed
        if self._agreed_cells.shape[1] < n:
            grown = np.zeros((self.u.localities, max(n, 2 * self._agreed_cells.shape[1])), dtype=bool)
            grown[:, : self._agreed_cells.shape[1]] = self._agreed_cells
            self._agreed_cells = grown
        new = np.greater(enough.T, self._agreed_cells.take(candidates, axis=1))
        localities, columns = new.nonzero()
        if localities.size:
            ideas = candidates.take(columns)
            self._agreed_cells[localities, ideas] = True
            self.agreed.update(zip(localities.tolist(), ideas.tolist(), strict=True))


UPTAKE_CASES = [
    {"sides": 2, "local_agreements.localities": 3},
    {"sides": 3, "local_agreements.localities": 40, "transfer.threshold": 0.1},  # cells without grassroots
    {"sides": 3, "local_agreements.localities": 5, "local_agreements.sides_needed": 2, "transfer.threshold": 0.1},
    {"sides": 4, "local_agreements.localities": 2, "local_agreements.sides_needed": 2, "transfer.threshold": 0.05},
    {"sides": 2, "workshops.mix": {"autonomous": 0.3, "official": 0.4, "grassroots": 0.3}, "transfer.threshold": 0.1},
    {"sides": 5, "local_agreements.localities": 4, "local_agreements.sides_needed": 3, "transfer.threshold": 0.08},
]


@pytest.mark.parametrize("config", UPTAKE_CASES)
def test_observe_is_the_replaced_numpy_codes_month_by_month(config: dict) -> None:
    """The one-kernel observe gives the numpy code's uptakes (and their months) and agreements every month, on runs
    with few and many localities, every or some sides needed, and officials in the rooms."""
    model = TrackTwoModel(make_params({**config, "steps": 120}), 7)
    uptake = model.programme.uptake
    reference = _UptakeSideBySide(uptake)
    for _ in range(120):
        model.step()
        reference.observe(model.steps)  # the month just run (Mesa counts it before step)
        assert uptake.track_three == reference.track_three
        assert uptake.track_1_5 == reference.track_1_5
        assert uptake.agreed == reference.agreed
    assert uptake.track_three or uptake.track_1_5 or uptake.agreed  # something to compare was found
