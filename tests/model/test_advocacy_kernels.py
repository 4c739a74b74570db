"""Advocacy's adoption kernels (model/kernels/advocacy.py) give, bit for bit, what the numpy steps they replace gave.

The reference is diffusion's one pass as numpy computed it (session 15: the open pairs by array masks, the pairs'
shared factor, each tie's p by `_tie_p`, the chances by `bincount` and the counts' layers, the adoption and credit
uniforms hashed together, the credit searched in the running sum), copied here. It is checked against
`diffusion._adopt` (its kernels, with the bound on each pair's chance or without) on the inputs of real runs'
months and on random networks, advocacy and factors (three sides, trust and standing anywhere in [0, 1], ideas
novel or not, one idea or several).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import tracktwo.model.diffusion as diffusion
from tracktwo.model.kernels.advocacy import chances, open_pairs, tie_logs
from tracktwo.model.randomness import UNIT, EventRandomness, golden_ids
from tracktwo.model.simulate import simulate

P_CEILING = diffusion.P_CEILING


def _pair_rate(context, receivers, columns):
    """diffusion._pair_rate as numpy computed it: base_rate x exp(-aversion x novelty) per pair, or the base rate."""
    novelty = context.novelty
    if not np.count_nonzero(novelty):
        return context.base_rate
    if novelty.ndim == 2:
        sides = context.sides.take(receivers)
        if columns is None:
            novelty = novelty[:, 0].take(sides)
        else:
            sides *= novelty.shape[1]
            sides += columns
            novelty = novelty.take(sides)
    else:
        novelty = novelty[0] if novelty.size == 1 or columns is None else novelty.take(columns)
    return context.base_rate * np.exp(-context.aversion.take(receivers) * novelty)


def _tie_p(context, rate, owner, senders, receivers_t, weighs_t):
    """diffusion._tie_p: each tie's p from its pair's shared factor, credibility, trust, then the ceiling."""
    credibility = np.where(weighs_t, context.standing.take(senders), 1.0)
    if isinstance(rate, np.ndarray):
        p = rate.take(owner)
        p *= credibility
    else:
        p = rate * credibility
    if context.any_across:
        cells = receivers_t * context.trust.shape[1]
        cells += context.sides.take(senders)
        p *= context.trust.reshape(-1).take(cells)
    np.minimum(p, P_CEILING, out=p)
    return p


def _one_pass_numpy(draws, ties, advocating, holds, context, exposures, by_side, total):
    """diffusion._adopt's weighing case for every open pair in one pass, as the numpy code computed it.

    Returns _adopt's answer, and on the way each pair's threshold (P(adopt) x 2^53) and each tie's lambda.
    """
    flat = ((total > 0) > holds).reshape(-1).nonzero()[0]
    if advocating.shape[0] == 1:
        receivers, columns = flat, None
    else:
        columns, receivers = np.divmod(flat, advocating.shape[1])
    weighs = context.weighs_standing.take(receivers)
    owner, senders = diffusion._advocates(ties, advocating, flat, receivers)
    receivers_t = receivers.take(owner)
    rate = _pair_rate(context, receivers, columns)
    log_plain = diffusion._log_plain(context, by_side, total, flat, receivers, np.minimum(rate, P_CEILING))
    p = _tie_p(context, rate, owner, senders, receivers_t, weighs.take(owner))
    log_fail = np.log1p(-p)
    log_none = np.where(weighs, np.bincount(owner, weights=log_fail, minlength=flat.size), log_plain)
    both = draws.bits(slice(0, 2), receivers, columns)
    threshold = diffusion._threshold(log_none)
    adopt = both[0] < threshold
    on_the_way = (threshold, -log_fail)
    kept = adopt.take(owner).nonzero()[0]
    adopt_at = adopt.nonzero()[0]
    receivers = receivers.take(adopt_at)
    pair_columns, columns = columns, diffusion._columns(columns, receivers, None if columns is None else adopt_at)
    senders = senders.take(kept)
    owners = owner.take(kept)
    exposed = (senders, receivers_t.take(kept), diffusion._columns(pair_columns, owners, owners)) if exposures else None
    if receivers.size == 0:
        return (receivers, columns, np.empty(0, dtype=np.int64), exposed), *on_the_way
    pick = both[1].take(adopt_at) * UNIT
    owner = (adopt.cumsum() - 1).take(owners)
    sources = diffusion._credit_by_rate(owner, senders, -log_fail.take(kept), pick)
    return (receivers, columns, sources, exposed), *on_the_way


def _kernels_on_the_way(draws, ties, advocating, holds, context, exposures, by_side, total):
    """The kernels' thresholds and lambdas (_one_pass_numpy's), by the calls diffusion._adopt_one_pass makes.

    With no bound (an infinite margin), so every open pair's chance is computed.
    """
    golden = draws.golden if draws.golden is not None else golden_ids(ties.n)
    novelty = context.novelty
    pairs, growth, _ = open_pairs(
        total, holds, context.weighs_standing, True, novelty if novelty.ndim == 2 else novelty[None],
        context.aversion, context.sides,
    )  # fmt: skip
    np.exp(growth, out=growth)
    advocated, logs = tie_logs(
        pairs, advocating, ties.indptr, ties.indices, growth, context.base_rate, context.standing, context.sides,
        context.trust, context.any_across, by_side.shape[0], total, golden, draws.mixed(), np.inf,
    )  # fmt: skip
    np.log1p(logs, out=logs)
    chance = chances(pairs, advocated, logs, by_side)
    np.expm1(chance, out=chance)
    return chance * -(2.0**53), -logs[: advocated.shape[1]]


def _check(args, case) -> int:
    """The kernels against the numpy one pass on one month, on the way and at the end: how many adopted."""
    want, threshold, rates = _one_pass_numpy(*args)
    got_threshold, got_rates = _kernels_on_the_way(*args)
    assert got_threshold.tobytes() == threshold.tobytes(), case
    assert got_rates.tobytes() == rates.tobytes(), case
    _same(diffusion._adopt(*args), want, case)
    return want[0].size


def _same(got, want, case) -> None:
    """The two answers, array by array: the same values (sources and advocates of any integer type)."""
    for name, a, b in zip(("receivers", "columns", "sources"), got[:3], want[:3], strict=True):
        assert a.tolist() == b.tolist(), (case, name)
    assert (got[3] is None) == (want[3] is None), case
    if got[3] is not None:
        for a, b in zip(got[3], want[3], strict=True):
            assert a.tolist() == b.tolist(), (case, "exposures")


def _months(monkeypatch: pytest.MonkeyPatch, config: dict, seed: int) -> list[tuple]:
    """The inputs of every month's _adopt in a run in which some open pair's receiver weighs standing."""
    months, adopt = [], diffusion._adopt

    def keep(draws, *args):
        draws.mixed()  # the step's keys mixed now (the run's StepKeys give out views valid until their next call)
        months.append(copy.deepcopy((draws, *args)))
        return adopt(draws, *args)

    monkeypatch.setattr(diffusion, "_adopt", keep)
    simulate(dict(config), seed)
    monkeypatch.setattr(diffusion, "_adopt", adopt)
    return months


def _weighing(args) -> bool:
    """Whether some open pair's receiver weighs standing (the one pass's case)."""
    _, _, _, holds, context, _, _, total = args
    open_ = (total > 0) > holds
    return bool(context.any_weighs) and bool((open_ & context.weighs_standing[None, :]).any())


CONFIGS = {
    "default_record": {"evaluation.record": True},  # exposures kept
    "three_sides": {"sides": 3, "steps": 60},
    "seeded_no_novelty": {"workshops.count": 0, "initial_ideas.count": 5, "initial_ideas.holders": 12},
    "one_idea": {"workshops.count": 0, "initial_ideas.count": 1, "initial_ideas.holders": 20, "steps": 60},
}


@pytest.mark.parametrize("bound", [True, False])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_kernels_adopt_as_the_numpy_one_pass_on_a_runs_months(monkeypatch, name: str, bound: bool) -> None:
    months = [args for args in _months(monkeypatch, CONFIGS[name], 7) if _weighing(args)]
    assert len(months) > 20
    if not bound:
        monkeypatch.setattr(diffusion, "_BOUND_MARGIN", np.inf)
    assert sum(_check(args, case) for case, args in enumerate(months)) > 30


def _random_month(seed: int):
    """A random network's month: advocacy, holdings and factors drawn, counted as a run counts them."""
    rng = np.random.default_rng(seed)
    n, n_ideas, n_sides = 90, [1, 4][seed % 2], 1 + seed % 3
    sides = rng.integers(0, n_sides, n)
    sources, targets = rng.integers(0, n, 800), rng.integers(0, n, 800)
    ties = diffusion.TieIndex.build(n, sources[sources != targets], targets[sources != targets], sides)
    holds = rng.random((n, n_ideas)) < 0.3
    active = holds & (rng.random((n, n_ideas)) < 0.7)
    trust = rng.random((n, n_sides)) ** 2
    trust[np.arange(n), sides] = 1.0
    novelty = [np.zeros(n_ideas), rng.random(n_ideas), rng.random((n_sides, n_ideas))][seed % 3]
    context = diffusion.Context(
        float(rng.choice([0.2, 0.6, 1.5])), novelty, rng.random(n), rng.random(n) < 0.5, rng.random(n) * 4, sides,
        trust, any_across=ties.any_across,
    )  # fmt: skip
    counts = diffusion.AdvocateCounts(sides)
    _, total = counts.update(ties, active)
    by_side = counts.counts.reshape(counts.counts.shape[0], -1)
    draws = diffusion.StepDraws(EventRandomness(seed), 3, np.arange(n_ideas, dtype=np.uint64) * 7)
    return draws, ties, active.T, holds.T, context, seed % 2 == 0, by_side, total


@pytest.mark.parametrize("seed", range(12))
def test_the_kernels_adopt_as_the_numpy_one_pass_on_random_months(monkeypatch, seed: int) -> None:
    args = _random_month(seed)
    assert _weighing(args)
    for margin in (diffusion._BOUND_MARGIN, np.inf):
        monkeypatch.setattr(diffusion, "_BOUND_MARGIN", margin)
        assert _check(args, seed) > 10
