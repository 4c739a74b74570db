"""The meetings' cheaper paths give exactly what the array code they replace gives (issue 22, speed).

Seats on Python floats with kept quotas, the issue dimension by bisection, one adoption call for a
meeting's ideas and the entropy from known counts are each checked against the numpy steps they stand
for, on random cases, draws and generator states included.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_mechanisms import _largest_remainder_numpy as reference_seats  # the array steps, as before this round
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.issues import draw_dimensions
from tracktwo.model.workshops import largest_remainder, normalised_entropy, seat_list


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


@pytest.mark.parametrize("by_idea", [False, True])
def test_a_meetings_ideas_are_adopted_as_idea_by_idea_calls_would(by_idea: bool) -> None:
    n_actors, groups = 30, np.arange(30) % 6
    ours, theirs = IdeaStore(n_actors, groups, 6), IdeaStore(n_actors, groups, 6)
    rng = np.random.default_rng(5)
    for step in range(1, 12):  # several meetings, growing past the first capacity, actors holding several ideas
        k = int(rng.integers(0, 5))
        novelty = rng.random(k)
        if by_idea:
            authors = [np.sort(rng.choice(n_actors, int(rng.integers(0, 6)), replace=False)) for _ in range(k)]
        else:
            authors = np.sort(rng.choice(n_actors, 8, replace=False))
        ids = ours.create(novelty, step, step, authors)
        # the reference: the ideas registered, then each idea's authors adopting it in its own call
        first = theirs.count
        expected = theirs.create(novelty, step, step, [np.empty(0, dtype=np.int64)] * k)
        for idea in range(first, first + k):
            who = authors if isinstance(authors, np.ndarray) else authors[idea - first]
            theirs.adopt(who, np.full(who.size, idea), step, np.full(who.size, -1))
        np.testing.assert_array_equal(ids, expected)
    for got, want in zip(ours.adoption_log(), theirs.adoption_log(), strict=True):
        np.testing.assert_array_equal(got, want)
    for name in ("held_count", "group_reached", "group_adoptions", "key", "novelty"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    np.testing.assert_array_equal(ours.group_holders, theirs.group_holders)
    np.testing.assert_array_equal(ours.held, theirs.held)
    assert ours.generated == theirs.generated > 0


def test_entropy_from_known_counts_is_the_entropy_of_the_labels() -> None:
    rng = np.random.default_rng(7)
    for _ in range(500):
        categories = int(rng.integers(2, 6))
        labels = rng.integers(0, categories, int(rng.integers(1, 25)))
        counts = np.bincount(labels, minlength=categories)
        assert normalised_entropy(labels, categories, counts) == normalised_entropy(labels, categories)
    assert normalised_entropy(np.zeros(0, dtype=np.int64), 2, np.zeros(2, dtype=np.int64)) == 0.0
