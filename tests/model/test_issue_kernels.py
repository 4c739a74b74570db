"""The issue space's kernels (model/kernels/issues.py) and numpy's sum (model/kernels pairwise_sum) against numpy.

`_framing_side_by_side` and `_distances_side_by_side` are the numpy code `IssueSpace._framing` and
`after_transfer` ran before the kernels; every value is compared bit for bit (array_equal), over dimensions
below and above numpy's 8-value block, so a change to the order of any sum fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels import pairwise_sum
from tracktwo.model.kernels.issues import distances, framing_step


def _framing_side_by_side(targets, factors, position, influence):
    step = targets - factors * position
    influence += np.abs(step[1])
    position += step[0]


def _distances_side_by_side(location, n, position, table):
    difference = location[None, :n, :] - position[:, None, :]
    difference *= difference
    np.sqrt(np.add.reduce(difference, axis=2), out=table[:, :n])


@pytest.mark.parametrize("dimensions", [1, 2, 4, 7, 8, 9, 12])
def test_the_issue_kernels_are_the_numpy_codes(dimensions: int) -> None:
    rng = np.random.default_rng(dimensions)
    for sides in (1, 2, 3, 5):
        position = rng.normal(0, 2, (sides, dimensions))
        influence = rng.random((sides, dimensions))
        targets, factors = rng.normal(0, 3, (2, sides, dimensions)), rng.random((2, sides, dimensions))
        mine = (position.copy(), influence.copy())
        framing_step(targets, factors, *mine)
        _framing_side_by_side(targets, factors, position, influence)
        assert np.array_equal(mine[0], position) and np.array_equal(mine[1], influence)
        location = rng.normal(0, 5, (40, dimensions)) * 10 ** rng.uniform(-3, 3, (40, 1))
        table, theirs = np.full((sides, 40), -1.0), np.full((sides, 40), -1.0)
        distances(location, 33, position, table)
        _distances_side_by_side(location, 33, position, theirs)
        assert np.array_equal(table, theirs)  # ideas 33 .. 39 untouched by both


def test_pairwise_sum_is_numpys_sum_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    for n in [*range(40), 127, 128, 129, 135, 256, 300, 1001]:
        values = rng.standard_normal(n) * 10 ** rng.uniform(-8, 8, n)
        assert pairwise_sum(values) == np.add.reduce(values), n
    values = np.array([1e16, 1.0, -1e16] + [1.0] * 7)  # an order-sensitive sum: in order it would lose the 1.0s
    assert pairwise_sum(values) == np.add.reduce(values) != sum(values.tolist())
