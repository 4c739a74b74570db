"""The record's exposure kernel (model/kernels/record.py) against the numpy code `Record.note_exposures` ran before."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from tracktwo.model.record import _FIRST_CAPACITY, Record


class _ExposuresSideBySide:
    """The replaced numpy code: first adoptions found by one gather, the table grown to what they need (doubling)."""

    def __init__(self, ideas) -> None:
        self.ideas, self._table, self._size = ideas, np.empty((4, 0), dtype=np.int32), 0

    def note_exposures(self, step: int, exposures) -> None:
        advocates, receivers, ideas = exposures
        if advocates.size == 0:
            return
        if self.ideas is not None and self.ideas.dropped:
            cells = ideas * self.ideas.n_actors
            cells += receivers
            first = (self.ideas.first_adopted.T.reshape(-1).take(cells) < 0).nonzero()[0]
            if first.size != cells.size:
                advocates, receivers, ideas = advocates.take(first), receivers.take(first), ideas.take(first)
        size = self._size + advocates.size
        if size > self._table.shape[1]:
            grown = np.empty((4, max(size, 2 * self._table.shape[1], _FIRST_CAPACITY)), dtype=np.int32)
            grown[:, : self._size] = self._table[:, : self._size]
            self._table = grown
        block = self._table[:, self._size : size]
        block[0] = step
        block[1], block[2], block[3] = advocates, receivers, ideas
        self._size = size


@pytest.mark.parametrize("dropped", [0, 5])
@pytest.mark.parametrize("with_store", [True, False])
def test_note_exposures_is_the_numpy_codes(dropped: int, with_store: bool) -> None:
    rng = np.random.default_rng(dropped + with_store)
    n_actors, n_ideas = 60, 30
    first_adopted = np.full((n_ideas, n_actors), -1, dtype=np.int32).T  # idea-major, as the store keeps it
    store = SimpleNamespace(n_actors=n_actors, dropped=dropped, first_adopted=first_adopted) if with_store else None
    mine, theirs = Record(ideas=store), _ExposuresSideBySide(store)
    given = 0
    for step in range(1, 80):
        count = int(rng.integers(0, 120))  # past the first capacity within the run: the table grows
        exposures = tuple(rng.integers(0, high, count) for high in (n_actors, n_actors, n_ideas))
        given += count
        mine.note_exposures(step, exposures)
        theirs.note_exposures(step, exposures)
        assert mine._table.shape == theirs._table.shape  # grown alike
        assert np.array_equal(mine._table[:, : mine._size], theirs._table[:, : theirs._size])
        first_adopted[rng.integers(0, n_actors, 40), rng.integers(0, n_ideas, 40)] = step  # some pairs adopted
    assert mine._size > _FIRST_CAPACITY and (mine._size < given) == (with_store and dropped > 0)  # some left out
