"""The time-series row's kernels (model/kernels/metrics.py) against the numpy code they replaced, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels.metrics import mean_cross_trust, track_figures


def _mean_side_by_side(trust: np.ndarray, own_cells: np.ndarray) -> float:
    """The replaced numpy code of `TrackTwoModel.mean_cross_side_trust` (fewer than 8 sides)."""
    total = np.add(trust[:, 0], trust[:, 1])
    for side in range(2, trust.shape[1]):
        total += trust[:, side]
    total -= trust.reshape(-1).take(own_cells)
    if trust.shape[1] > 2:
        total /= trust.shape[1] - 1
    return float(np.add.reduce(total)) / trust.shape[0]


@pytest.mark.parametrize("sides", [2, 3, 5, 7])
def test_mean_cross_trust_is_the_numpy_codes(sides: int) -> None:
    rng = np.random.default_rng(sides)
    for actors in (1, 7, 8, 9, 130, 300, 1100):
        trust = rng.random((actors, sides)) * 10 ** rng.uniform(-6, 0, (actors, 1))
        side = rng.integers(0, sides, actors)
        own_cells = np.arange(actors) * sides + side
        trust.reshape(-1)[own_cells] = 1.0
        assert mean_cross_trust(trust, own_cells) == _mean_side_by_side(trust, own_cells)


def _figures_side_by_side(holders: np.ndarray, n: int, reached: np.ndarray, per_member: np.ndarray) -> tuple:
    """The replaced code of `metrics.step_snapshot`: the groups' sums in numpy, each track's summed in Python."""
    held = np.add.reduce(holders[:, :n], axis=1).tolist()
    circulating = int(np.count_nonzero(np.add.reduce(holders[:, :n], axis=0)))
    sides = len(held) // per_member.size
    figures_held, figures_reach = [], []
    for track, per in enumerate(per_member.tolist()):
        first, last = track * sides, (track + 1) * sides
        figures_held.append(sum(held[first:last]) * per)
        figures_reach.append(sum(reached.tolist()[first:last]) * per)
    return circulating, figures_held + figures_reach


def test_track_figures_are_the_replaced_codes() -> None:
    rng = np.random.default_rng(2)
    for _ in range(80):
        tracks, sides, capacity = int(rng.integers(1, 6)), int(rng.integers(1, 5)), int(rng.integers(1, 70))
        groups = tracks * sides
        holders = rng.integers(0, 4, (groups, capacity)) * (rng.random((groups, capacity)) < 0.3)
        reached = rng.integers(0, 50, groups)
        members = rng.integers(0, 3, tracks) * rng.integers(1, 500, tracks)  # some empty tracks: NaN
        per_member = np.divide(1.0, members, out=np.full(tracks, np.nan), where=members > 0)
        n = int(rng.integers(0, capacity + 1))
        circulating, figures = track_figures(holders, n, reached, per_member)
        expected = _figures_side_by_side(holders, n, reached, per_member)
        assert circulating == expected[0]
        np.testing.assert_array_equal(figures, np.array(expected[1]))  # NaN where NaN, else bit for bit
