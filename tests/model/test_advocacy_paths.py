"""Advocacy's ways of computing a step give the same adoptions, credits and exposures, bit for bit.

model/diffusion.py chooses by size between one pass over every open (receiver, idea) pair's
advocates and a split pass (the weighing receivers' advocates, then the adopters'), and between
hashing the adoption and credit uniforms together or the credit ones for the adopters only, and
between a padded neighbour table and expand_rows for a set of actors' ties. The
choice is a cost, never a result: a run with every threshold forced one way equals a run with
every threshold forced the other way (adoptions with their credited sources, the full record's
exposures, the final trust officials learned from their adoptions).
"""

from __future__ import annotations

import numpy as np
import pytest
import tracktwo.model.diffusion as diffusion
from tracktwo.model.simulate import simulate

CONFIGS = {
    "default_record": {"evaluation.record": True},  # officials weigh standing: the tie-by-tie path; exposures kept
    "three_sides": {"sides": 3},  # more than two count layers
    "no_weighing": {"diffusion.officials_weigh_standing": False},  # counts only: adoption and credit uniforms
    "one_side": {"sides": 1, "diffusion.officials_weigh_standing": False},  # every advocate alike: the n-th credited
    "one_idea": {"workshops.count": 0, "initial_ideas.count": 1, "initial_ideas.holders": 20},  # no idea columns
    "one_idea_one_side": {
        "sides": 1,
        "diffusion.officials_weigh_standing": False,
        "workshops.count": 0,
        "initial_ideas.count": 1,
        "initial_ideas.holders": 20,
    },
}


def _run(monkeypatch: pytest.MonkeyPatch, config: dict, seed: int, one_pass: bool):
    """A run with advocacy forced to one pass, uniforms hashed together and the padded table (or the other ways)."""
    monkeypatch.setattr(diffusion, "_SPLIT_AT", 10**9 if one_pass else -1)
    monkeypatch.setattr(diffusion, "_BOTH_AT", 10**9 if one_pass else -1)
    monkeypatch.setattr(diffusion, "_FEW_TIES", 10**9 if one_pass else -1)
    monkeypatch.setattr(diffusion, "_PAD_FACTOR", 10**9 if one_pass else 0)  # padded neighbour table, or expand_rows
    monkeypatch.setattr(diffusion, "_PAD_SLOTS", 10**9 if one_pass else 0)
    return simulate(dict(config), seed)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_one_pass_and_split_advocacy_give_identical_runs(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    for seed in (3, 11):
        fused = _run(monkeypatch, CONFIGS[name], seed, one_pass=True)
        split = _run(monkeypatch, CONFIGS[name], seed, one_pass=False)
        adoptions = fused.adoptions()
        assert len(adoptions) > 50, "the runs must adopt enough to compare"
        assert adoptions.equals(split.adoptions())
        assert fused.outcomes.keys() == split.outcomes.keys()
        for key, value in fused.outcomes.items():  # NaN (one side has no cross-side trust) equals NaN
            assert value == split.outcomes[key] or (value != value and split.outcomes[key] != split.outcomes[key])
        assert np.array_equal(fused.model.trust, split.model.trust)
        assert np.array_equal(fused.model.ideas.source, split.model.ideas.source)
        if fused.model.record is not None:
            exposures = fused.model.record.exposures()
            assert exposures[0].size > 0
            for a, b in zip(exposures, split.model.record.exposures(), strict=True):
                assert np.array_equal(a, b) and a.dtype == b.dtype


@pytest.mark.parametrize("seed", range(5))
def test_a_few_credits_in_python_floats_equal_the_array_search(monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """Random adoptions with 1-6 advocates each, rates spanning decades and picks near 0 and 1: same advocates."""
    rng = np.random.default_rng(seed)
    advocates = rng.integers(1, 7, size=12)
    owner = np.repeat(np.arange(advocates.size), advocates)
    senders = rng.permutation(1000)[: owner.size].astype(np.int32)
    rates = -np.log1p(-np.minimum(rng.random(owner.size) ** 4, diffusion.P_CEILING))
    pick = np.concatenate([rng.random(advocates.size - 2), [0.0, 1.0 - 2.0**-53]])
    few = diffusion._credit_few(owner, senders, rates, pick)
    monkeypatch.setattr(diffusion, "_FEW_TIES", -1)
    searched = diffusion._credit_by_rate(owner, senders, rates, pick)
    assert few.dtype == searched.dtype == np.int32
    assert few.tolist() == searched.tolist()
    assert len(set(few.tolist())) > 1
