"""The meetings' cheaper paths give exactly what the array code they replace gives (issue 22, speed).

Seats on Python floats with kept quotas, the issue dimension by bisection, one adoption call (and the
block path) for a meeting's ideas, the entropy from known counts, a convening's two classes of keyed
draws in one pass and the kept cross-side pairs of seats are each checked against the numpy steps they
stand for, on random cases, draws and generator states included.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_mechanisms import _largest_remainder_numpy as reference_seats  # the array steps, as before this round
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.issues import draw_dimensions
from tracktwo.model.model import _cross_pairs, _keep_cross_pairs
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import keyed_pair, largest_remainder, normalised_entropy, seat_list


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


def test_the_dimension_by_bisection_is_searchsorted_on_the_cumulative_weights() -> None:
    cases = np.random.default_rng(2202)
    for case in range(1500):
        dimensions = int(cases.integers(1, 7))
        weights = cases.random(dimensions)
        weights[cases.random(dimensions) < 0.3] = 0.0  # equal cumulative steps: side right matters
        if not weights.any():
            weights[0] = 1.0
        draws = cases.random(int(cases.integers(1, 9)))
        if case % 5 == 0:
            draws[0] = 0.0
        cumulative = np.cumsum(weights)
        want = np.minimum(np.searchsorted(cumulative, draws * cumulative[-1], side="right"), dimensions - 1)
        np.testing.assert_array_equal(draw_dimensions(weights, draws, dimensions), want)
        rows = cases.random((draws.size, dimensions))
        per_row = np.cumsum(rows, axis=-1)
        want_rows = np.minimum(np.add.reduce(per_row <= (draws * per_row[:, -1])[:, None], axis=1), dimensions - 1)
        np.testing.assert_array_equal(draw_dimensions(rows, draws, dimensions), want_rows)


@pytest.mark.parametrize(("by_idea", "room"), [(False, 8), (False, 20), (True, 6)])
def test_a_meetings_ideas_are_adopted_as_idea_by_idea_calls_would(by_idea: bool, room: int) -> None:
    """One room authoring every idea takes a block path (IdeaStore._authored); by idea, one adopt call."""
    n_actors, groups = 30, np.arange(30) % 6
    ours, theirs = IdeaStore(n_actors, groups, 6), IdeaStore(n_actors, groups, 6)
    rng = np.random.default_rng(5)
    for step in range(1, 16):  # several meetings, growing past the first capacity, actors holding several ideas
        k = int(rng.integers(0, 6))
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


def test_two_classes_of_draws_in_one_pass_are_the_two_calls() -> None:
    """keyed_pair (retention and invitation draws of a convening) gives randomness.uniforms' values, bit for bit."""
    cases = np.random.default_rng(2203)
    for case in range(300):
        randomness = EventRandomness(int(cases.integers(0, 2**31)))
        number = int(cases.integers(0, 500))
        first = cases.choice(400, int(cases.integers(0, 14)), replace=False)  # a few: uniforms' Python-int path
        second = np.sort(cases.choice(400, int(cases.integers(0, 120)), replace=False))
        got = keyed_pair(randomness, number, ("retention", first), ("invitation", second))
        assert got[0].tobytes() == randomness.uniforms("retention", number, first).astype(float).tobytes(), case
        assert got[1].tobytes() == randomness.uniforms("invitation", number, second).astype(float).tobytes(), case


def test_kept_cross_side_pairs_are_the_pairs_of_seats_across_sides() -> None:
    """The kept cross pairs of a room's side pattern are the np.triu_indices pairs whose sides differ."""
    cases = np.random.default_rng(2204)
    for _ in range(400):
        size, n_sides = int(cases.integers(0, 20)), int(cases.integers(1, 4))
        sides = np.sort(cases.integers(0, n_sides, size)) if cases.random() < 0.5 else cases.integers(0, n_sides, size)
        i, j = np.triu_indices(size, k=1)
        want = (i[sides[i] != sides[j]], j[sides[i] != sides[j]])
        kept = _cross_pairs(sides.tobytes(), size)
        if kept is None:
            cross = sides.take(i) != sides.take(j)
            kept = _keep_cross_pairs(sides.tobytes(), size, i[cross], j[cross])
        again = _cross_pairs(sides.tobytes(), size)
        for got in (kept, again):
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])


def test_entropy_from_known_counts_is_the_entropy_of_the_labels() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        categories = int(rng.integers(2, 6))
        labels = rng.integers(0, categories, int(rng.integers(1, 25)))
        counts = np.bincount(labels, minlength=categories)
        assert normalised_entropy(labels, categories, counts) == normalised_entropy(labels, categories)
    assert normalised_entropy(np.zeros(0, dtype=np.int64), 2, np.zeros(2, dtype=np.int64)) == 0.0
