"""Track One's entry kernels (model/kernels/transfer.py) against the numpy code `TrackOneEntry.check` ran before."""

from __future__ import annotations

import numpy as np
import pytest
from tracktwo.model.kernels.transfer import counted_holders
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import make_params
from tracktwo.model.transfer import TrackOneEntry, holders_needed

OFFICIALS_IN_THE_ROOM = {"workshops.mix": {"autonomous": 0.3, "official": 0.4, "grassroots": 0.3}}
CASES = [
    {**OFFICIALS_IN_THE_ROOM, "transfer.threshold": 0.2},  # officials who co-authored do not count
    {**OFFICIALS_IN_THE_ROOM, "sides": 3, "transfer.quorum": 2, "transfer.threshold": 0.25},
    {"sides": 3, "transfer.threshold": 0.15},
    {**OFFICIALS_IN_THE_ROOM, "transfer.personal_capacity_counts": True, "transfer.threshold": 0.2},
]


class _EntrySideBySide:
    """The replaced numpy code: the counting holders gathered and the excluded authors taken out, side by side."""

    def __init__(self, entry: TrackOneEntry) -> None:
        self.entry, self.checked = entry, 0
        needed = [holders_needed(int(o), entry.threshold) for o in entry.officials_per_side.tolist()]
        self.needed = np.array(needed, dtype=np.int64)[:, None]

    def counting_holders(self, pending: np.ndarray) -> np.ndarray:
        e = self.entry
        holders = e.ideas.group_holders[e.groups].take(pending, axis=1)
        for column, idea in enumerate(pending.tolist()):
            authors = e._not_counting.get(idea)
            if authors is not None:
                holding = authors[e.ideas.holds[authors, idea]]
                np.subtract.at(holders[:, column], np.searchsorted(e.needed, e.side[holding]), 1)
        return holders

    def entering(self) -> list[int]:
        ideas = self.entry.ideas
        adoptions = int(ideas.group_adoptions[self.entry.groups].sum())
        if adoptions == self.checked:
            return []
        self.checked = adoptions
        pending = (ideas.entered_step[: ideas.count] < 0).nonzero()[0]
        reached = self.counting_holders(pending) >= self.needed
        if self.entry.quorum == reached.shape[0]:
            return pending[np.logical_and.reduce(reached, axis=0)].tolist()
        return pending[np.add.reduce(reached, axis=0) >= self.entry.quorum].tolist()


@pytest.mark.parametrize("config", CASES)
def test_entry_is_the_replaced_numpy_codes_month_by_month(config: dict, monkeypatch) -> None:
    """Each month's entries, counting holders and the sides that took the entered ideas, as the numpy code found them.

    The counting holders of every idea not entered; the sides, as `IssueSpace.taken_by` found them from the shares.
    """
    check = TrackOneEntry.check
    seen = {"entered": 0, "excluded": 0}

    def checking(entry: TrackOneEntry, step: int, ripe: bool, record=None) -> np.ndarray:
        reference, ideas = entry._reference, entry.ideas
        pending = (ideas.entered_step[: ideas.count] < 0).nonzero()[0]
        counted = counted_holders(ideas.group_holders, entry._rows, pending, *entry._excluded, ideas.holds.T)
        assert counted.tolist() == reference.counting_holders(pending).tolist()
        expected = reference.entering()
        entered = check(entry, step, ripe, record)
        assert entered.tolist() == expected
        n_sides = int(entry.side.max()) + 2  # (one side more, taking nothing)
        taken = np.zeros((n_sides, entered.size), dtype=bool)
        if entered.size and entry.needed.size:
            shares = reference.counting_holders(entered) / entry.officials_per_side[:, None]
            taken[entry.needed] = shares >= entry.threshold
        assert entry.sides_taking(entered, n_sides).tolist() == taken.tolist()
        seen["entered"] += len(expected)
        seen["excluded"] = max(seen["excluded"], len(entry._not_counting))
        return entered

    monkeypatch.setattr(TrackOneEntry, "check", checking)
    model = TrackTwoModel(make_params({**config, "steps": 120}), 4)
    model.transfer._reference = _EntrySideBySide(model.transfer)
    model.run()
    assert seen["entered"] > 0  # ideas entered: the comparison is on something
    excluding = "workshops.mix" in config and not config.get("transfer.personal_capacity_counts")
    assert (seen["excluded"] > 0) == excluding  # officials who co-authored, excluded, where they should be


def test_entry_paths_are_the_replaced_numpy_codes_on_random_holdings() -> None:
    """Paths (long ones, and cycles cut at the actors + 1, as path_to cut them) and counted officials, side by side."""
    from tracktwo.model.ideas import IdeaStore
    from tracktwo.model.kernels.transfer import entry_paths

    rng = np.random.default_rng(2216)
    for _ in range(300):
        n_actors, n_ideas, n_sides = int(rng.integers(3, 40)), int(rng.integers(1, 8)), int(rng.integers(1, 4))
        store = IdeaStore(n_actors)
        store.create(rng.random(n_ideas), 0, 0, np.empty(0, dtype=np.int64))
        side = rng.integers(0, n_sides, n_actors)
        officials = np.flatnonzero(rng.random(n_actors) < 0.5)
        if officials.size < 2:
            continue
        needed = np.unique(side[officials])
        entered = np.sort(rng.choice(n_ideas, int(rng.integers(1, n_ideas + 1)), replace=False)).astype(np.int64)
        shape = (n_actors, n_ideas)
        store.holds[:, :n_ideas] = rng.random(shape) < 0.6
        store.first_adopted[:, :n_ideas] = np.where(rng.random(shape) < 0.3, rng.integers(0, 9, shape), -1)
        store.source[:, :n_ideas] = np.where(rng.random(shape) < rng.random(), -1, rng.integers(0, n_actors, shape))
        not_counting = {}
        for idea in entered.tolist():
            if rng.random() < 0.4:  # co-authors in a personal capacity, not every official
                not_counting[idea] = rng.choice(officials, int(rng.integers(1, officials.size)), replace=False)
            counting = np.setdiff1d(officials, not_counting.get(idea, []))
            store.first_adopted[rng.choice(counting), idea] = int(rng.integers(0, 9))  # it entered: one adopted
        pairs = [(i, o) for i, chosen in not_counting.items() for o in chosen.tolist()]
        excluded = (np.array([i for i, _ in pairs], dtype=np.int64), np.array([o for _, o in pairs], dtype=np.int64))
        arrays = (store.first_adopted.T, store.holds.T, store.source.T)
        paths, ends, counted, counted_ends = entry_paths(entered, officials, side, needed, *arrays, *excluded, True)
        start, counted_start = 0, 0
        for j, idea in enumerate(entered.tolist()):
            first = store.first_adopted[:, idea].take(officials)  # path's numpy code
            holds = store.holds[:, idea].take(officials)  # counted_officials'
            if idea in not_counting:
                at = np.searchsorted(officials, not_counting[idea])
                first[at], holds[at] = -1, False
            adopted = (first >= 0).nonzero()[0]
            earliest = officials[adopted[first.take(adopted).argmin()]]
            assert paths[start : ends[j]].tolist() == path_to(store, int(earliest), idea)
            start = ends[j]
            holding = officials[holds]
            for r, s in enumerate(needed.tolist()):
                end = counted_ends[j * needed.size + r]
                assert counted[counted_start:end].tolist() == holding[side[holding] == s].tolist()
                counted_start = end
        assert start == paths.size and counted_start == counted.size


def path_to(ideas, actor: int, idea: int) -> list[int]:
    """The replaced `IdeaStore.path_to`: the chain of first-adoption sources from the idea's origin to actor."""
    chain = [actor]
    while ideas.source[chain[-1], idea] >= 0 and len(chain) <= ideas.n_actors:
        chain.append(int(ideas.source[chain[-1], idea]))
    return chain[::-1]
