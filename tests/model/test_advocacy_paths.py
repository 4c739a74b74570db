"""Advocacy's shortcuts give the same adoptions, credits and exposures as the full computation, bit for bit.

Advocacy computes the chances of the pairs whose uniform is below a bound on their chance only: a run with the
bound equals a run with every open pair computed (adoptions with their credited sources, the full record's
exposures, the final trust officials learned from their adoptions). The kept listing of a set of rows' ties
equals expand_rows'.
"""

from __future__ import annotations

import numpy as np
import pytest
import tracktwo.model.diffusion as diffusion
from tracktwo.model.kernels.advocacy import chance_bound
from tracktwo.model.simulate import simulate

CONFIGS = {
    "default_record": {"evaluation.record": True},  # officials weigh standing: the tie-by-tie path; exposures kept
    "three_sides": {"sides": 3},  # more than two count layers
    "no_weighing": {"diffusion.officials_weigh_standing": False},  # counts only: adoption and credit uniforms
    "one_side": {"sides": 1, "diffusion.officials_weigh_standing": False},  # every advocate alike: the n-th credited
    "one_idea": {"workshops.count": 0, "initial_ideas.count": 1, "initial_ideas.holders": 20},  # no idea columns
    # seeded ideas of no novelty: every pair's shared factor is the base rate (a float), officials weighing
    "seeded_no_novelty": {"workshops.count": 0, "initial_ideas.count": 5, "initial_ideas.holders": 12},
    "one_idea_one_side": {
        "sides": 1,
        "diffusion.officials_weigh_standing": False,
        "workshops.count": 0,
        "initial_ideas.count": 1,
        "initial_ideas.holders": 20,
    },
}


def test_kept_expansions_list_each_row_as_the_csr_does() -> None:
    """A set of rows' ties listed in index order, as expand_rows lists them; the same rows again: the kept listing."""
    rng = np.random.default_rng(4)
    n = 80
    sources, targets = rng.integers(0, n, 300), rng.integers(0, n, 300)
    keep = sources != targets
    ties = diffusion.TieIndex.build(n, sources[keep], targets[keep], np.zeros(n, dtype=np.int64))
    rows = np.array([2, 5, 40, 79])
    degrees, listed = ties.entries(rows)
    owner, expanded = diffusion.expand_rows(ties.indptr, ties.indices, rows)
    assert listed.tolist() == expanded.tolist() and np.repeat(np.arange(rows.size), degrees).tolist() == owner.tolist()
    assert ties.entries(rows.copy())[1] is listed  # the same rows again: the kept expansion
    assert ties.entries(np.array([2, 5, 40, 78]))[1] is not listed


@pytest.mark.parametrize("name", ["default_record", "three_sides", "seeded_no_novelty"])
def test_the_bound_on_chances_decides_as_every_pairs_exact_chance(monkeypatch: pytest.MonkeyPatch, name: str):
    """The one pass with every open pair a candidate (no bound: an infinite margin) gives the run the bound gives."""
    bounded = simulate(dict(CONFIGS[name]), 5)
    monkeypatch.setattr(diffusion, "_BOUND_MARGIN", np.inf)
    exact = simulate(dict(CONFIGS[name]), 5)
    assert len(bounded.adoptions()) > 50
    assert bounded.adoptions().equals(exact.adoptions())
    assert np.array_equal(bounded.model.trust, exact.model.trust)
    if exact.model.record is not None:
        for a, b in zip(bounded.model.record.exposures(), exact.model.record.exposures(), strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_is_never_below_a_pairs_exact_chance(seed: int) -> None:
    """The kernel chance_bound against the exact chance: tie by tie for the weighing pairs, by counts for the
    others, as the kernels compute them.

    Trust anywhere in [0, 1], standing too (or beyond: the bound reads the largest), rates up to past the ceiling,
    1-40 advocates on several sides, some advocates the actor of the largest standing.
    """
    rng = np.random.default_rng(seed)
    n, sides, ideas, pairs = 60, 3, 10, 400
    side = rng.integers(0, sides, n)
    trust = rng.random((n, sides)) ** (1 + seed % 3)
    trust[np.arange(n), side] = 1.0
    standing = rng.random(n) ** (1 + seed % 4) * (1.0 + 0.5 * (seed % 3))
    weighs = rng.random(n) < 0.4
    flat = np.sort(rng.permutation(ideas * n)[:pairs])  # distinct (idea, receiver) cells
    receivers = flat % n
    advocates = rng.integers(1, 41, pairs)
    owner = np.arange(pairs).repeat(advocates)
    senders = np.where(rng.random(owner.size) < 0.3, int(standing.argmax()), rng.integers(0, n, owner.size))
    by_side = np.zeros((sides, ideas * n))
    np.add.at(by_side, (side.take(senders), flat.take(owner)), 1.0)
    total = by_side.sum(axis=0)
    rate = rng.random(pairs) ** (3 + seed) * (1.0 if seed % 2 else 2.0)  # some beyond the ceiling
    pair_weighs = weighs.take(receivers)
    credibility = np.where(pair_weighs.take(owner), standing.take(senders), 1.0)  # the kernel tie_logs' products
    p = np.minimum(
        rate.take(owner) * credibility * trust[receivers.take(owner), side.take(senders)], diffusion.P_CEILING
    )
    by_ties = np.bincount(owner, weights=np.log1p(-p), minlength=pairs)
    q = np.minimum(rate, diffusion.P_CEILING)  # the counts' layers, side by side (the kernel chances' sums)
    terms = by_side.take(flat, axis=1) * np.log1p(-q * trust.take(receivers, axis=0).T)
    by_counts = terms[0] + terms[1] + terms[2]
    exact = np.expm1(np.where(pair_weighs, by_ties, by_counts)) * -(2.0**53)
    most = max(float(standing.max()), 1.0) * max(float(trust.max()), 1.0)  # as open_pairs finds it (weighing, across)
    scale = 2.0**53 * diffusion._BOUND_MARGIN
    counts = total.take(flat).tolist()
    bound = np.array([chance_bound(r, most, m, scale) for r, m in zip(rate.tolist(), counts, strict=True)])
    assert pair_weighs.sum() > 50 and (~pair_weighs).sum() > 50
    assert (bound >= exact).all()
    assert (bound < 2.0**53).mean() > 0.25  # below 1 for many pairs: some uniforms ruled out (not trivially wide)


def test_exposures_kept_while_nothing_was_dropped_skip_no_first_adoption(monkeypatch: pytest.MonkeyPatch) -> None:
    """While no holding was dropped, the record keeps a step's exposures unread (every open pair's adoption is its
    first): the same table as checking each pair's first adoption step every step."""
    from tracktwo.model.record import Record

    note, unread = Record.note_exposures, []

    def checked(record: Record, step: int, exposures) -> None:
        dropped = record.ideas.dropped
        unread.append(dropped == 0)
        record.ideas.dropped = dropped or 1  # the check's way (the count is read only as "any dropped")
        note(record, step, exposures)
        record.ideas.dropped = dropped

    config = {"evaluation.record": True, "forgetting.rate": 0.0002}  # the first drops come late
    fast = simulate(dict(config), 4)
    monkeypatch.setattr(Record, "note_exposures", checked)
    slow = simulate(dict(config), 4)
    assert sum(unread) > 10 and not all(unread)
    assert len(fast.adoptions()) > 50 and fast.adoptions().equals(slow.adoptions())
    for a, b in zip(fast.model.record.exposures(), slow.model.record.exposures(), strict=True):
        assert a.size > 0 and np.array_equal(a, b) and a.dtype == b.dtype


@pytest.mark.parametrize("seed", range(3))
def test_officials_learn_trust_from_their_adoptions_only(seed: int) -> None:
    """_officials_learn_trust reads every adopter's row of the sides it learns to trust (none: not an official)
    and gives the trust of picking out the officials and counting, per (official, other side of an author),
    how many of their adoptions had an author of that side: 1 - (1 - t)(1 - gain)^count, bit for bit."""
    model = simulate({"sides": 3}, seed).model
    rng = np.random.default_rng(seed)
    actors = rng.integers(0, model.n_actors, 200)
    ideas = rng.integers(0, model.ideas.count, 200)
    gain = model.params.diffusion.official_trust_gain
    counts = np.zeros(model.trust.shape, dtype=np.int64)
    for actor, idea in zip(actors.tolist(), ideas.tolist(), strict=True):
        if model.weighs_standing[actor]:
            for side in range(model.n_sides):
                counts[actor, side] += bool(model.author_sides[idea, side]) and side != model.side[actor]
    learnt = counts > 0
    expected = model.trust.copy()
    expected[learnt] = 1.0 - (1.0 - expected[learnt]) * (1.0 - gain) ** counts[learnt]
    assert gain > 0 and learnt.sum() > 10 and (~model.weighs_standing[actors]).sum() > 10
    model._officials_learn_trust(actors, ideas)
    assert model.trust.tobytes() == expected.tobytes()
