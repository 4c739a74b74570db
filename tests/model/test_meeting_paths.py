"""The meetings' cheaper paths give exactly what the array code they replace gives (issue 22, speed).

Seats on Python floats with kept quotas, one adoption call (and the
block path) for a meeting's ideas, the entropy from known counts, the kept shape of a room (its cross-side
pairs), kept entropies and the placing of ideas off the anchor are each checked against the numpy steps they
stand for, on random cases, draws and generator states included.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_mechanisms import _largest_remainder_numpy as reference_seats  # the array steps, as before this round
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.issues import IssueSpace
from tracktwo.model.params import Issues
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import largest_remainder, normalised_entropy, room_shape, seat_list


def test_seats_on_kept_quotas_match_the_array_steps_and_their_draws() -> None:
    cases = np.random.default_rng(2201)
    for case in range(2000):
        size = int(cases.integers(1, 13))  # up to 8 on Python floats, more by numpy
        shares = cases.random(size) if case % 3 else np.ones(size)  # the sides' even split: many exact ties
        if case % 7 == 0:
            shares[cases.integers(size)] = 0.0
        total = int(cases.integers(-1, 40))
        ours, theirs = np.random.default_rng(case), np.random.default_rng(case)
        got = seat_list(total, tuple(shares.tolist()), ours)
        want = reference_seats(total, shares, theirs)
        assert got == want.tolist(), (case, total, shares)
        assert ours.random() == theirs.random()  # the same number of draws
        again = np.random.default_rng(case)
        np.testing.assert_array_equal(largest_remainder(total, shares, again), want)


def test_seats_sum_to_the_total() -> None:
    rng = np.random.default_rng(3)
    assert sum(seat_list(16, (0.25, 0.2, 0.35, 0.2), rng)) == 16
    assert seat_list(0, (0.5, 0.5), rng) == [0, 0]


@pytest.mark.parametrize(("by_idea", "room"), [(False, 8), (False, 20), (True, 6)])
def test_a_meetings_ideas_are_adopted_as_idea_by_idea_calls_would(by_idea: bool, room: int) -> None:
    """One room authoring every idea takes a block path (IdeaStore._authored); by idea, one adopt call."""
    n_actors, groups = 30, np.arange(30) % 6
    ours, theirs = IdeaStore(n_actors, groups, 6), IdeaStore(n_actors, groups, 6)
    rng = np.random.default_rng(5)
    for step in range(1, 16):  # several meetings, growing past the first capacity, actors holding several ideas
        k = int(rng.integers(0, 6)) if step % 3 else 1  # one idea by idea: a rival idea's holders, one voiced idea
        novelty = rng.random(k)
        if by_idea:
            authors = [np.sort(rng.choice(n_actors, int(rng.integers(0, room)), replace=False)) for _ in range(k)]
        else:  # 20 authors x up to 5 ideas: past adopt's few-changes limit (64 pairs)
            authors = np.sort(rng.choice(n_actors, room, replace=False))
        ids = ours.create(novelty, step, step, authors)
        # the reference: the ideas registered, then each idea's authors adopting it in its own call
        first = theirs.count
        expected = theirs.create(novelty, step, step, [np.empty(0, dtype=np.int64)] * k)
        for idea in range(first, first + k):
            who = authors if isinstance(authors, np.ndarray) else authors[idea - first]
            theirs.adopt(who, np.full(who.size, idea), step, np.full(who.size, -1))
        np.testing.assert_array_equal(ids, expected)
        if step % 4 == 0:  # some holders forget (dropped > 0 after): authors may hold nothing before a meeting
            actors, ideas = ours.held.nonzero()
            pick = rng.random(actors.size) < 0.5
            ours.drop(actors[pick], ideas[pick])
            theirs.drop(actors[pick], ideas[pick])
    for got, want in zip(ours.adoption_log(), theirs.adoption_log(), strict=True):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype
    for name in ("held_count", "group_reached", "group_adoptions", "key", "novelty"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    for name in ("group_holders", "holds", "adopted_at", "first_adopted", "source"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert ours.dropped == theirs.dropped > 0
    assert ours.generated == theirs.generated > 0


def test_a_kept_room_shape_is_the_array_steps_of_its_sides() -> None:
    """room_shape (kept by the seats' sides) gives run_workshop's and the cross ties' array steps, read only."""
    cases = np.random.default_rng(2204)
    for _ in range(400):
        size, n_sides = int(cases.integers(0, 20)), int(cases.integers(1, 4))
        sides = np.sort(cases.integers(0, n_sides, size)) if cases.random() < 0.5 else cases.integers(0, n_sides, size)
        by_side = np.bincount(sides, minlength=n_sides)  # the steps as run_workshop took them before
        present = by_side.nonzero()[0]
        rows, columns = (present[None, :] != sides[:, None]).nonzero()
        i, j = np.triu_indices(size, k=1)
        for shape in (room_shape(sides, n_sides), room_shape(sides.copy(), n_sides)):  # made, then kept
            np.testing.assert_array_equal(shape.by_side, by_side)
            np.testing.assert_array_equal(shape.present, present)
            np.testing.assert_array_equal(shape.rows, rows)
            np.testing.assert_array_equal(shape.other_sides, present[columns])
            np.testing.assert_array_equal(shape.cross[0], i[sides[i] != sides[j]])
            np.testing.assert_array_equal(shape.cross[1], j[sides[i] != sides[j]])
            assert not shape.rows.flags.writeable
            np.testing.assert_array_equal(shape.sides_row, (by_side > 0)[None, :])
    # the same bytes in another type are another pattern
    assert room_shape(np.array([1, 0], dtype=np.int8), 2).by_side.tolist() == [1, 1]
    assert room_shape(np.array([1], dtype=np.int16), 2).by_side.tolist() == [0, 1]


def test_kept_entropies_are_the_entropy_steps() -> None:
    """normalised_entropy keeps each make-up's entropy: the value the array steps give, on a first and a later call."""
    cases = np.random.default_rng(2205)
    for _ in range(300):
        categories = int(cases.integers(2, 6))
        counts = cases.integers(0, 8, int(cases.integers(1, categories + 1)))
        if not counts.any():
            counts[0] = 1
        present = counts[counts > 0]
        p = present / present.sum()
        want = float(-np.sum(p * np.log(p)) / np.log(categories))
        labels = np.repeat(np.arange(counts.size), counts)
        for _ in range(2):
            assert normalised_entropy(labels, categories, counts) == want
            assert normalised_entropy(labels, categories) == want


def test_placing_ideas_off_the_anchor_gives_the_array_steps_table() -> None:
    """IssueSpace.place with moved positions: each side sees its distance, or the novelty if it sits at the anchor."""
    cases = np.random.default_rng(2206)
    for case in range(60):
        n_sides, dimensions = int(cases.integers(1, 4)), 4
        ideas = IdeaStore(10, dimensions=dimensions)
        space = IssueSpace(
            Issues(),
            ideas,
            np.full((10, dimensions), 0.25),
            np.arange(10) % n_sides,
            n_sides,
            np.arange(n_sides),
            np.ones(n_sides),
            EventRandomness(case),
        )
        space.position = cases.normal(size=(n_sides, dimensions))
        space.moved = True
        anchor = space.start[0]
        if case % 2:  # some side still at the anchor
            space.position[int(cases.integers(n_sides))] = anchor
        k = int(cases.integers(1, 5))
        ids = ideas.create(cases.random(k), 1, case, np.empty(0, dtype=np.int64))
        space.place(ids, space.uniform, anchor)
        here = (anchor[None, :] == space.position).all(axis=1)  # the steps as place took them before
        difference = ideas.location[ids][None, :, :] - space.position[:, None, :]
        distance = np.sqrt(np.einsum("sid,sid->si", difference, difference))
        want = np.where(here[:, None], ideas.novelty[ids][None, :], distance)
        np.testing.assert_array_equal(space.table[:, ids], want)
        assert here.any() == bool(case % 2)


def test_no_trust_bonus_leaves_the_room_trust_as_adding_zero_would() -> None:
    """run_workshop skips `room_trust += bonus x (1 - room_trust)` at bonus 0: the same bits as adding it."""
    cases = np.random.default_rng(2207)
    for _ in range(200):
        room_trust = cases.random(int(cases.integers(1, 20)))
        room_trust[cases.random(room_trust.size) < 0.2] = 0.0
        room_trust[cases.random(room_trust.size) < 0.2] = 1.0
        added = room_trust.copy()
        added += 0.0 * (1.0 - added)
        assert added.tobytes() == room_trust.tobytes()
