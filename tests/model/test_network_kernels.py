"""The network's kernels (model/kernels/network.py) against the numpy computations they replaced.

`_formed_side_by_side` is the numpy code `TrackTwoModel._form_cross_side_ties` ran before its kernel: the keyed
uniforms of the seat pairs, then whether each forming pair is already tied. Inserting the ties is checked against a
rebuild of the network (test_mechanisms.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.diffusion import TieIndex, expand_rows
from tracktwo.model.kernels.network import formed_ties
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import room_shape


def _formed_side_by_side(randomness, number, who, seats, n, probability, ties):
    """The replaced numpy code: the pairs (a, b) that form a tie and had none."""
    a, b = who.take(seats[0]), who.take(seats[1])
    form = randomness.uniforms("cross_tie", number, a * n + b) < probability
    a, b = a[form], b[form]
    owner, neighbours = expand_rows(ties.indptr, ties.indices, a)
    new = np.bincount(owner[neighbours == b[owner]], minlength=a.size) == 0
    return a[new], b[new]


@pytest.mark.parametrize("probability", [0.0, 0.05, 0.4, 1.0])
def test_formed_ties_are_the_numpy_codes(probability: float) -> None:
    rng = np.random.default_rng(5)
    randomness = EventRandomness(77)
    formed = 0
    for number in range(60):
        n, n_sides = int(rng.integers(8, 120)), int(rng.integers(2, 4))
        sides = rng.integers(0, n_sides, n)
        ties = TieIndex.build(n, rng.integers(0, n, 4 * n), rng.integers(0, n, 4 * n), sides)
        who = rng.choice(n, size=int(rng.integers(2, min(n, 25))), replace=False).astype(np.int64)
        seats = room_shape(sides.take(who), n_sides).cross
        want = _formed_side_by_side(randomness, number, who, seats, n, probability, ties)
        prefix = randomness.key("cross_tie", number)
        got = formed_ties(who, *seats, n, prefix, probability, ties.indptr, ties.indices)
        assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))
        formed += got[0].size
    assert (formed > 0) == (probability > 0)  # the draws decide: none at 0, some above


def test_a_kernel_refuses_an_array_of_another_type() -> None:
    """An exact signature: an int32 room is refused, not compiled afresh in the middle of a run."""
    ties = TieIndex.build(4, np.array([0, 1]), np.array([2, 3]), np.array([0, 1, 0, 1]))
    seats = room_shape(np.array([0, 1]), 2).cross
    with pytest.raises(TypeError):
        formed_ties(np.array([0, 1], dtype=np.int32), *seats, 4, 1, 0.5, ties.indptr, ties.indices)
