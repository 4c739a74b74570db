"""The tracks' uptake kernel (model/kernels/tracks.py) against the numpy code `TrackUptake._uptake` ran before it."""

from __future__ import annotations

import numpy as np
from tracktwo.model.kernels.tracks import newly_reached


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
