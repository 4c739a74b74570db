"""The time-series row's kernels (model/kernels/metrics.py) against the numpy code they replaced, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels.metrics import held_by_group, mean_cross_trust


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


def test_held_by_group_is_the_numpy_codes() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        groups, capacity = int(rng.integers(1, 16)), int(rng.integers(1, 70))
        holders = rng.integers(0, 4, (groups, capacity)) * (rng.random((groups, capacity)) < 0.3)
        n = int(rng.integers(0, capacity + 1))
        held, circulating = held_by_group(holders, n)
        assert np.array_equal(held, np.add.reduce(holders[:, :n], axis=1))
        assert circulating == np.count_nonzero(np.add.reduce(holders[:, :n], axis=0))
