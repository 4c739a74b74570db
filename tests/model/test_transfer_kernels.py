"""Track One's entry kernels (model/kernels/transfer.py) against the numpy code `TrackOneEntry.check` ran before."""

from __future__ import annotations

import numpy as np
import pytest
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
    """Each month's entries, and the counting holders of every idea not entered, as the numpy code found them."""
    check = TrackOneEntry.check
    seen = {"entered": 0, "excluded": 0}

    def checking(entry: TrackOneEntry, step: int, ripe: bool) -> np.ndarray:
        reference = entry._reference
        pending = (entry.ideas.entered_step[: entry.ideas.count] < 0).nonzero()[0]
        assert entry.counting_holders(pending).tolist() == reference.counting_holders(pending).tolist()
        expected = reference.entering()
        entered = check(entry, step, ripe)
        assert entered.tolist() == expected
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
