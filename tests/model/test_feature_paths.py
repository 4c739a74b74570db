"""The features' cheaper paths give exactly what the array code they replace gives (issue 22, speed).

An idea placed alone (some meetings' ideas) on Python scalars is checked against the array path
that places several at once (one row of weights for all, or a row per idea): locations, dimensions and every
side's novelty, bit for bit. The positions' pull toward entered ideas that every side took (on whole rows) is
checked against the pull on the rows of the sides that took them, and an entered idea's path and counted officials
against the masked argmin of its officials' first adoptions and their masked holdings. (The rival sources' month:
tests/model/test_rival_kernels.py.)
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from test_monthly_bookkeeping import EVERY_FEATURE
from test_transfer_kernels import path_to
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.issues import IssueSpace
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import Issues
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.simulate import make_params
from tracktwo.model.transfer import TrackOneEntry


def _space(case: int, n_sides: int, dimensions: int, config: Issues | None = None) -> IssueSpace:
    ideas = IdeaStore(10, dimensions=dimensions)
    return IssueSpace(
        config or Issues(),
        ideas,
        np.full((10, dimensions), 1.0 / dimensions),
        np.arange(10) % n_sides,
        n_sides,
        np.arange(n_sides),
        np.ones(n_sides),
        EventRandomness(case),
    )


def test_an_idea_placed_alone_is_placed_as_among_several() -> None:
    """place() of one idea (scalars, one row) equals place() of several (arrays), idea by idea, bit for bit."""
    cases = np.random.default_rng(2214)
    for case in range(300):
        n_sides, dimensions = int(cases.integers(1, 4)), 4
        k = int(cases.integers(2, 6))
        novelty = cases.random(k)
        weights = cases.random(dimensions) if case % 3 else np.full(dimensions, 1.0 / dimensions)
        if case % 5 == 0:
            weights[int(cases.integers(dimensions))] = 0.0
        position = cases.normal(size=(n_sides, dimensions))
        anchor = cases.normal(size=dimensions) if case % 4 else position[int(cases.integers(n_sides))].copy()
        moved = case % 6 != 0  # neutral: every side at the anchor sees the drawn novelty
        spaces = []
        for _ in range(2):
            space = _space(case, n_sides, dimensions)
            if moved:
                space.position = position.copy()
                space.moved = True
            space.ideas.create(novelty, 1, case, np.empty(0, dtype=np.int64))
            spaces.append(space)
        alone, together = spaces
        ids = np.arange(k)
        rows = case % 2 == 1  # weights as a row per idea (voiced authors'): a (1 x dimensions) row alone
        for idea in ids.tolist():
            alone.place(np.array([idea]), weights[None, :] if rows else weights, anchor)
        together.place(ids, np.tile(weights, (k, 1)) if rows else weights, anchor)  # the array path
        assert alone.ideas.location[:k].tobytes() == together.ideas.location[:k].tobytes()
        assert alone.dimension[:k].tolist() == together.dimension[:k].tolist()
        assert alone.table[:, :k].tobytes() == together.table[:, :k].tobytes()


def test_the_pull_toward_entered_ideas_on_whole_rows_equals_the_pull_on_the_sides_that_took_them() -> None:
    """after_transfer: an idea every side took pulls every row in place, as the gathered rows' pull would."""
    cases = np.random.default_rng(2215)
    for case in range(300):
        n_sides, dimensions, k = int(cases.integers(1, 5)), 4, int(cases.integers(1, 5))
        space = _space(case, n_sides, dimensions, Issues(adoption_pull=float(cases.random()), framing_pull=0.0))
        ideas = space.ideas
        ids = ideas.create(cases.random(k), 1, case, np.empty(0, dtype=np.int64))
        space.position = cases.normal(size=(n_sides, dimensions))
        space.moved = True
        space.place(ids, space.uniform, cases.normal(size=dimensions))
        taken = cases.random((n_sides, k)) < (0.5 if case % 2 else 1.0)  # every side, or some
        space.taken_by = lambda transfer, entered, taken=taken: taken  # the transfer's verdict, given
        want = space.position.copy()
        for column, idea in enumerate(ids.tolist()):  # the steps as after_transfer took them before
            sides = np.flatnonzero(taken[:, column])
            want[sides] += space.adoption_pull * (ideas.location[idea] - want[sides])
        space.after_transfer(ids, None)
        assert space.position.tobytes() == want.tobytes()


@pytest.mark.parametrize("officials_in_rooms", [False, True])  # (with officials who co-author: not counted)
def test_the_entry_path_starts_from_the_earliest_official_as_the_masked_argmin_finds(
    officials_in_rooms: bool, monkeypatch
) -> None:
    """An entered idea's path and counted officials (kernels/transfer.py `entry_paths`) are the numpy code's.

    The path starts from the first official to adopt, the masked argmin's; the officials who counted are those
    holding the idea as it entered, less its co-authors in a personal capacity, side by side.
    """
    mix = {"workshops.mix": {"autonomous": 0.3, "official": 0.4, "grassroots": 0.3}, "transfer.threshold": 0.1}
    config = {**copy.deepcopy(EVERY_FEATURE), **mix} if officials_in_rooms else copy.deepcopy(EVERY_FEATURE)
    model = TrackTwoModel(make_params(config), 0 if officials_in_rooms else 5)
    transfer, ideas, check, seen = model.transfer, model.ideas, TrackOneEntry.check, []

    def checked(entry: TrackOneEntry, step: int, ripe: bool, record) -> np.ndarray:
        entered = check(entry, step, ripe, record)
        for idea in entered.tolist():  # as the numpy code found them then
            officials = transfer.officials
            excluded = transfer._not_counting.get(idea)
            if excluded is not None:
                officials = np.setdiff1d(officials, excluded, assume_unique=True)
            first = ideas.first_adopted[officials, idea]  # the steps as path took them before
            adopted = first >= 0
            earliest = officials[adopted][np.argmin(first[adopted])]
            assert path_to(ideas, int(earliest), idea) == ideas.paths[idea]
            holding = transfer.officials[ideas.holds[transfer.officials, idea]]  # counted_officials' steps before
            if excluded is not None:
                holding = np.setdiff1d(holding, excluded, assume_unique=True)
            counted = record.counted[idea]
            assert list(counted) == transfer.needed.tolist()
            for side, officials_there in counted.items():
                assert officials_there.tolist() == holding[model.side[holding] == side].tolist()
            seen.append(excluded is not None)
        return entered

    monkeypatch.setattr(TrackOneEntry, "check", checked)
    model.run()
    assert seen
    assert any(seen) == officials_in_rooms
