"""The record's exposures (model/record.py, kernels/record.py) against the numpy code `note_exposures` ran before.

The numpy code kept a month's exposures of first adoptions as they came; the record now keeps them waiting and
writes them in batches (when `RECORD_WAITING` wait, or when read): the same table, read at any month.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from tracktwo.model import record
from tracktwo.model.record import Record


class _ExposuresSideBySide:
    """The replaced numpy code: first adoptions found by one gather when noted, the table grown as they come."""

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
            grown = np.empty((4, max(size, 2 * self._table.shape[1], 1024)), dtype=np.int32)
            grown[:, : self._size] = self._table[:, : self._size]
            self._table = grown
        block = self._table[:, self._size : size]
        block[0] = step
        block[1], block[2], block[3] = advocates, receivers, ideas
        self._size = size


@pytest.mark.parametrize("waiting", [1, 150, 1000, 1 << 16])  # written each month, every few, seldom, when read
@pytest.mark.parametrize("dropped", [0, 5])
@pytest.mark.parametrize("with_store", [True, False])
def test_the_written_exposures_are_the_numpy_codes(waiting: int, dropped: int, with_store: bool, monkeypatch) -> None:
    monkeypatch.setattr(record, "RECORD_WAITING", waiting)
    rng = np.random.default_rng(dropped + with_store + waiting)
    n_actors, n_ideas = 60, 30
    first_adopted = np.full((n_ideas, n_actors), -1, dtype=np.int32).T  # idea-major, as the store keeps it
    store = SimpleNamespace(n_actors=n_actors, dropped=0, first_adopted=first_adopted) if with_store else None
    mine, theirs = Record(ideas=store), _ExposuresSideBySide(store)
    given = 0
    for step in range(1, 80):
        if store is not None and step == 20:
            store.dropped = dropped  # from here on, some pairs not held were adopted before
        count = int(rng.integers(0, 120))  # past the first capacity within the run: the table grows
        exposures = tuple(rng.integers(0, high, count) for high in (n_actors, n_actors, n_ideas))
        given += count
        mine.note_exposures(step, exposures)
        theirs.note_exposures(step, exposures)
        # some of the pairs adopted now (a first adoption is set once, as the store sets it), some later
        actors, ideas = rng.integers(0, n_actors, 40), rng.integers(0, n_ideas, 40)
        first_adopted[actors, ideas] = np.where(first_adopted[actors, ideas] < 0, step, first_adopted[actors, ideas])
        if rng.random() < 0.1:  # read now and then: what waits is written first
            assert np.array_equal(np.stack(mine.exposures()), theirs._table[:, : theirs._size])
    assert np.array_equal(np.stack(mine.exposures()), theirs._table[:, : theirs._size])
    assert mine._size > 1024 and (mine._size < given) == (with_store and dropped > 0)  # some left out
    assert not mine._waiting and mine.nbytes == mine._table.nbytes


def test_waiting_exposures_are_counted_and_released() -> None:
    mine = Record(ideas=None)
    exposures = tuple(np.arange(50, dtype=np.int64) for _ in range(3))
    mine.note_exposures(3, exposures)
    assert mine.nbytes == 3 * 50 * 8  # waiting as given
    mine.release()
    assert mine.nbytes == 0 and mine.exposures()[0].size == 0


def test_openings_read_as_they_were_noted_are_the_eager_codes() -> None:
    """Openings kept with their drivers and read later (any number of times) give the shares found when noted."""
    from tracktwo.model.params import make_params
    from tracktwo.model.ripeness import HAZARD_TERMS, RipenessDrivers, hazard_terms

    config = make_params({}).ripeness
    rng = np.random.default_rng(2219)
    mine, expected = Record(ideas=None), []
    for step in range(1, 60):
        drivers = [float(rng.random()), float(rng.integers(0, 40)), float(rng.random())]  # a kernel row
        mine.note_opening(step, step % 3, config, drivers)
        terms = hazard_terms(config, RipenessDrivers(drivers[0], int(drivers[1]), drivers[2]))  # as noted before
        hazard = 0.0
        for term in terms.values():
            hazard += term
        expected.append((step, step % 3, hazard, {name: terms[name] / hazard for name in HAZARD_TERMS}))
        if step % 7 == 0:
            assert [(o.step, o.state, o.hazard, o.shares) for o in mine.openings] == expected
    assert [(o.step, o.state, o.hazard, o.shares) for o in mine.openings] == expected
    mine.release()
    assert mine.openings == []
