"""The issue space's kernels (model/kernels/issues.py) and numpy's sum (model/kernels pairwise_sum) against numpy.

`_framing_side_by_side`, `_distances_side_by_side` and `_entered_side_by_side` are the numpy code
`IssueSpace._framing` and `after_transfer` ran before the kernels; every value is compared bit for bit
(array_equal), over dimensions (and sides) below and above numpy's 8-value block, so a change to the order of any
sum fails.
"""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels import bisect_right, pairwise_sum
from tracktwo.model.kernels.issues import (
    distances,
    entered_pull,
    framing_step,
    officials_holding,
    pull_weights,
    scale_pull,
)


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
        location = rng.normal(0, 5, (40, dimensions)) * 10 ** rng.uniform(-3, 3, (40, 1))
        mine = (position.copy(), influence.copy(), np.full((sides, 40), -1.0))
        framing_step(targets, factors, *mine[:2], location, 33, mine[2])
        _framing_side_by_side(targets, factors, position, influence)
        assert np.array_equal(mine[0], position) and np.array_equal(mine[1], influence)
        theirs = np.full((sides, 40), -1.0)
        _distances_side_by_side(location, 33, position, theirs)
        assert np.array_equal(mine[2], theirs)  # ideas 33 .. 39 untouched by both
        table = np.full((sides, 40), -1.0)
        distances(location, 33, position, table)
        assert np.array_equal(table, theirs)


def _scale_side_by_side(pulled, factor, capped):
    """The replaced numpy code of `IssueSpace._framing`: the pull capped, scaled, and whether some side is pulled."""
    factor = factor[None, :, None]
    if capped:
        pull = pulled[2, :, 0] * factor[0, :, 0]
        factor = np.where(pull > 1.0, 1.0 / np.maximum(pull, 1e-300), 1.0)[None, :, None] * factor
    pulled *= factor
    return np.count_nonzero(pulled[2]) > 0


@pytest.mark.parametrize("dimensions", [1, 3, 9])
def test_the_pulls_scaling_is_the_numpy_codes(dimensions: int) -> None:
    rng = np.random.default_rng(30 + dimensions)
    pulled_any = 0
    for sides in (1, 2, 4):
        for _ in range(30):
            holders = rng.integers(0, 8, (sides, 12)) * (rng.random((sides, 12)) < 0.4)
            weights = np.empty((4, 12, dimensions))
            weights[:2] = rng.normal(0, 2, (2, 12, dimensions)) * (rng.random((2, 12, 1)) < 0.7)
            weights[2:] = (weights[:2, :, :1] != 0).astype(float)
            pulled = np.matmul(holders, weights)
            factor = rng.random(sides) * rng.choice([0.0, 0.05, 1.0], sides)
            for capped in (False, True):
                mine, theirs = pulled.copy(), pulled.copy()
                assert scale_pull(mine, factor, capped) == _scale_side_by_side(theirs, factor, capped)
                assert np.array_equal(mine, theirs)
                pulled_any += bool(np.count_nonzero(theirs[2]))
    assert pulled_any > 20  # both answers met


def test_officials_holding_copies_and_compares_the_counts() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        sides, capacity = int(rng.integers(1, 5)), int(rng.integers(1, 30))
        counts = rng.integers(0, 4, (3 * sides, capacity))
        first, n = sides, int(rng.integers(0, capacity + 1))
        kept = np.full((sides, capacity + 3), -1.0)
        kept[:, :n] = counts[first : first + sides, :n] * (rng.random((sides, n)) < 0.9)  # mostly as they are
        before = kept.copy()
        changed = officials_holding(counts, first, n, kept)
        assert np.array_equal(kept[:, :n], counts[first : first + sides, :n])
        assert np.array_equal(kept[:, n:], before[:, n:])  # the columns beyond n untouched
        assert changed == (not np.array_equal(before[:, :n], kept[:, :n]))


def test_pairwise_sum_is_numpys_sum_bit_for_bit() -> None:
    rng = np.random.default_rng(8)
    for n in [*range(40), 127, 128, 129, 135, 256, 300, 1001]:
        values = rng.standard_normal(n) * 10 ** rng.uniform(-8, 8, n)
        assert pairwise_sum(values) == np.add.reduce(values), n
    values = np.array([1e16, 1.0, -1e16] + [1.0] * 7)  # an order-sensitive sum: in order it would lose the 1.0s
    assert pairwise_sum(values) == np.add.reduce(values) != sum(values.tolist())


def _weights_side_by_side(entered_step, origin, location, n, workshop):
    """The replaced numpy code of `IssueSpace._framing`: the open ideas' masks times their locations, and the masks."""
    still_open = entered_step[:n] < 0
    track_two = still_open & (origin[:n] == workshop)
    masks = np.array([still_open, track_two], dtype=float)[:, :, None]
    weights = np.empty((4, n, location.shape[1]))
    np.multiply(masks, location[:n], out=weights[:2])
    weights[2:] = masks
    return weights


@pytest.mark.parametrize("dimensions", [1, 4, 9])
def test_pull_weights_are_the_numpy_codes(dimensions: int) -> None:
    rng = np.random.default_rng(dimensions)
    for n in (0, 1, 7, 40):
        entered_step = np.where(rng.random(50) < 0.3, rng.integers(0, 100, 50), -1).astype(np.int32)
        origin = rng.integers(0, 4, 50).astype(np.int8)
        location = rng.normal(0, 3, (50, dimensions)) * (rng.random((50, 1)) < 0.9)  # some at the origin: -0.0 kept
        mine = pull_weights(entered_step, origin, location, n, 1)
        theirs = _weights_side_by_side(entered_step, origin, location, n, 1)
        assert mine.tobytes() == theirs.tobytes()  # bit for bit, signed zeros too


def test_bisect_right_is_numpys_searchsorted_to_the_right() -> None:
    rng = np.random.default_rng(9)
    for size in (0, 1, 2, 7, 8, 33):
        values = np.sort(rng.integers(0, 6, size + 3).astype(float))  # repeated values: the side matters
        for target in (-1.0, 0.0, 2.0, 2.5, 5.0, 9.0):
            assert bisect_right(values, target, size) == np.searchsorted(values[:size], target, side="right")


def _entered_side_by_side(entered, taken, table, entered_novelty, location, position, pull) -> None:
    """IssueSpace.after_transfer's entered ideas as it took them before the kernel."""
    seen = np.where(taken, table[:, entered], 0.0)
    entered_novelty[entered] = np.add.reduce(seen, axis=0) / np.maximum(np.add.reduce(taken, axis=0), 1)
    if pull > 0:
        for idea, took in zip(entered.tolist(), taken.T.tolist(), strict=True):
            if all(took):
                position += pull * (location[idea] - position)
                continue
            sides = [side for side, taking in enumerate(took) if taking]
            position[sides] += pull * (location[idea] - position[sides])


@pytest.mark.parametrize("sides", [1, 2, 3, 7, 8, 9, 13])  # below and above numpy's 8-value block
def test_the_entered_ideas_kernel_is_the_numpy_code(sides: int) -> None:
    rng = np.random.default_rng(sides)
    for case in range(200):
        dimensions, k = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        table = rng.random((sides, 30)) * 10 ** rng.uniform(-3, 3, (sides, 30))
        location, position = rng.normal(0, 5, (30, dimensions)), rng.normal(0, 2, (sides, dimensions))
        entered = rng.choice(30, k, replace=False).astype(np.int64)
        taken = rng.random((sides, k)) < rng.choice([0.5, 1.0])
        pull = float(rng.choice([0.0, rng.random()]))
        mine, theirs = (np.full(30, np.nan), position.copy()), (np.full(30, np.nan), position.copy())
        entered_pull(entered, taken, table, *mine[:1], location, mine[1], pull)
        _entered_side_by_side(entered, taken, table, *theirs[:1], location, theirs[1], pull)
        assert mine[0].tobytes() == theirs[0].tobytes() and mine[1].tobytes() == theirs[1].tobytes(), case
