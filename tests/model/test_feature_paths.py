"""The features' cheaper paths give exactly what the array code they replace gives (issue 22, speed).

An idea placed alone (a rival idea, most meetings' ideas) on Python scalars is checked against the array path
that places several at once: locations, dimensions and every side's novelty, bit for bit.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.ideas import IdeaStore
from tracktwo.model.issues import IssueSpace
from tracktwo.model.params import Issues
from tracktwo.model.randomness import EventRandomness


def _space(case: int, n_sides: int, dimensions: int) -> IssueSpace:
    ideas = IdeaStore(10, dimensions=dimensions)
    return IssueSpace(
        Issues(),
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
        for idea in ids.tolist():
            alone.place(np.array([idea]), weights, anchor)
        together.place(ids, weights, anchor)  # the array path
        assert alone.ideas.location[:k].tobytes() == together.ideas.location[:k].tobytes()
        assert alone.dimension[:k].tolist() == together.dimension[:k].tolist()
        assert alone.table[:, :k].tobytes() == together.table[:, :k].tobytes()
