"""Advocacy's adoption kernels (model/kernels/advocacy.py) give, bit for bit, what the numpy steps they replace gave.

The reference is diffusion's one pass as numpy computed it (session 15: the open pairs by array masks, the pairs'
shared factor, each tie's p by `_tie_p`, the chances by `bincount` and the counts' layers, the adoption and credit
uniforms hashed together, the credit searched in the running sum), copied here. It is checked against
`diffusion._adopt` (its kernels, with the bound on each pair's chance or without) on the inputs of real runs'
months and on random networks, advocacy and factors (three sides, trust and standing anywhere in [0, 1], ideas
novel or not, one idea or several). `open_pairs`' pairs are checked apart against the open cells whose uniform
is below the base rate's bound (or the ceiling's, when some exponent may be positive).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import tracktwo.model.diffusion as diffusion
from tracktwo.model.kernels.advocacy import chances, open_pairs, tie_logs
from tracktwo.model.randomness import UNIT, EventRandomness, golden_ids
from tracktwo.model.simulate import simulate

P_CEILING, _MINUS_TWO_53 = diffusion.P_CEILING, -(2.0**53)


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


def _columns(columns: np.ndarray | None, like: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
    """Idea columns as an array: `columns` (taken `at`), or column 0 for each of `like` (one idea: None)."""
    if columns is None:
        return np.zeros(like.size, dtype=np.int64)
    return columns if at is None else columns.take(at)


def _threshold(log_none: np.ndarray) -> np.ndarray:
    """P(adopt) = 1 - exp(log P(no advocate persuades)) times 2^53, to compare with a uniform's 53 bits.

    A uniform is bits x 2^-53 exactly, so `uniform < p` is `bits < p x 2^53`: a power-of-two scaling, exact.
    Overwrites `log_none`.
    """
    np.expm1(log_none, out=log_none)
    log_none *= _MINUS_TWO_53
    return log_none


def _log_plain(context, by_side, total, flat, receivers, q) -> np.ndarray:
    """The log of P(no advocate persuades) of each open pair whose receiver does not weigh standing, from the counts.

    Every advocate on one side offers the same p = q x trust, so the log is sum_s m_s log(1 - q t_s).
    """
    if by_side.shape[0] > 1:
        layers = by_side.shape[0]
        trust = context.trust.take(receivers, axis=0)  # (take: much cheaper than fancy indexing beside a slice)
        if trust.shape[1] != layers:
            trust = trust[:, :layers]
        terms = by_side.reshape(layers, -1).take(flat, axis=1) * np.log1p(-q * trust.T)
        log_plain = terms[0] + terms[1]  # summed side by side, in order
        for term in terms[2:]:
            log_plain += term
        return log_plain
    return total.reshape(-1).take(flat) * np.log1p(-q)


def _advocates(ties, advocating: np.ndarray, cells: np.ndarray, receivers: np.ndarray):
    """The advocates of each open (receiver, idea) pair: (pair index, advocate) arrays, advocates in index order.

    `cells` are the pairs' flat idea-major cells (idea x actors + receiver). A receiver of an open pair does not
    hold the idea, so it does not advocate it. (The numpy code also read a padded neighbour table, with the same
    result; the kernels read the CSR rows.)
    """
    degrees, senders = ties.entries(receivers)
    owner = np.arange(receivers.size).repeat(degrees)
    if advocating.shape[0] == 1:
        kept = advocating[0].take(senders).nonzero()[0]
    else:
        kept = advocating.reshape(-1).take((cells - receivers).repeat(degrees) + senders).nonzero()[0]
    return owner.take(kept), senders.take(kept)


def _nth_advocate(ties, advocating, cells, receivers, counts, pick) -> np.ndarray:
    """Each adopter's credited advocate when every advocate offers the same p: number floor(pick x count) of them.

    Numbered from 0 in index order, so advocate i with probability 1 / count; `counts`: each adopter's advocates.
    pick <= 1 - 2^-53, so pick x count rounds below count: the number is always one of the adopter's advocates.
    """
    advocates = counts.astype(np.int64)
    number = (pick * counts).astype(np.int64)
    degrees, neighbours = ties.entries(receivers)
    if advocating.shape[0] == 1:
        at = advocating[0].take(neighbours).nonzero()[0]
    else:
        at = advocating.reshape(-1).take((cells - receivers).repeat(degrees) + neighbours).nonzero()[0]
    return neighbours.take(at.take(advocates.cumsum() - advocates + number))


def _credit_by_rate(owner: np.ndarray, senders: np.ndarray, rates: np.ndarray, pick: np.ndarray) -> np.ndarray:
    """The credited advocate of each adoption: (owner, sender) ties grouped by adoption, one uniform each.

    `rates`: each tie's lambda = -log(1 - p).
    """
    advocates = np.bincount(owner, minlength=pick.size)
    ends = advocates.cumsum()
    starts = ends - advocates
    sums = np.empty(rates.size + 1)  # the running sum after a leading 0: an adoption's offset and total are gathers
    sums[0] = 0.0
    running = rates.cumsum(out=sums[1:])
    offset = sums.take(starts)
    target = offset + pick * (sums.take(ends) - offset)
    ends -= 1  # each adoption's last tie
    return senders.take(np.minimum(np.maximum(running.searchsorted(target, side="right"), starts), ends))


def _numpy_adopt(draws, ties, advocating, holds, context, exposures, by_side, total):
    """diffusion._adopt as the numpy code computed it: the one pass when some open pair weighs, else by counts.

    Returns _adopt's answer, and on the way each open pair's threshold (P(adopt) x 2^53) and (the one pass) each
    tie's lambda (else None).
    """
    flat = ((total > 0) > holds).reshape(-1).nonzero()[0]
    if advocating.shape[0] == 1:
        receivers, columns = flat, None
    else:
        columns, receivers = np.divmod(flat, advocating.shape[1])
    weighs = context.weighs_standing.take(receivers) if context.any_weighs else None
    if weighs is not None and weighs.any():
        return _one_pass_numpy(draws, ties, advocating, context, exposures, by_side, total, flat, receivers, columns)
    rate = _pair_rate(context, receivers, columns)
    threshold = _threshold(_log_plain(context, by_side, total, flat, receivers, np.minimum(rate, P_CEILING)))
    bits = draws.bits(slice(0, 2), receivers, columns)
    adopt = (bits[0] < threshold).nonzero()[0]
    if adopt.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return (empty, empty, empty, (empty, empty, empty) if exposures else None), threshold, None
    receivers, cells = receivers.take(adopt), flat.take(adopt)
    columns = None if columns is None else columns.take(adopt)
    pick = bits[1].take(adopt) * UNIT
    if not (exposures or context.any_weighs or context.any_across):  # every advocate offers the same p: no ties
        sources = _nth_advocate(ties, advocating, cells, receivers, total.reshape(-1).take(cells), pick)
        return (receivers, _columns(columns, receivers), sources, None), threshold, None
    owner, senders = _advocates(ties, advocating, cells, receivers)
    exposed = (senders, receivers.take(owner), _columns(columns, owner, owner)) if exposures else None
    if not (context.any_weighs or context.any_across):
        advocates = np.bincount(owner, minlength=receivers.size)
        starts = advocates.cumsum() - advocates
        sources = senders[starts + (pick * advocates).astype(np.int64)]  # pick < 1: below the count, as rounded
        return (receivers, _columns(columns, receivers), sources, exposed), threshold, None
    columns = _columns(columns, receivers)
    p = context.tie_probability(senders, receivers.take(owner), columns.take(owner))
    return (receivers, columns, _credit_by_rate(owner, senders, -np.log1p(-p), pick), exposed), threshold, None


def _one_pass_numpy(draws, ties, advocating, context, exposures, by_side, total, flat, receivers, columns):
    """diffusion._adopt's weighing case for every open pair in one pass (_numpy_adopt's answer)."""
    weighs = context.weighs_standing.take(receivers)
    owner, senders = _advocates(ties, advocating, flat, receivers)
    receivers_t = receivers.take(owner)
    rate = _pair_rate(context, receivers, columns)
    log_plain = _log_plain(context, by_side, total, flat, receivers, np.minimum(rate, P_CEILING))
    p = _tie_p(context, rate, owner, senders, receivers_t, weighs.take(owner))
    log_fail = np.log1p(-p)
    log_none = np.where(weighs, np.bincount(owner, weights=log_fail, minlength=flat.size), log_plain)
    both = draws.bits(slice(0, 2), receivers, columns)
    threshold = _threshold(log_none)
    adopt = both[0] < threshold
    on_the_way = (threshold, -log_fail)
    kept = adopt.take(owner).nonzero()[0]
    adopt_at = adopt.nonzero()[0]
    receivers = receivers.take(adopt_at)
    pair_columns, columns = columns, _columns(columns, receivers, None if columns is None else adopt_at)
    senders = senders.take(kept)
    owners = owner.take(kept)
    exposed = (senders, receivers_t.take(kept), _columns(pair_columns, owners, owners)) if exposures else None
    if receivers.size == 0:
        return (receivers, columns, np.empty(0, dtype=np.int64), exposed), *on_the_way
    pick = both[1].take(adopt_at) * UNIT
    owner = (adopt.cumsum() - 1).take(owners)
    sources = _credit_by_rate(owner, senders, -log_fail.take(kept), pick)
    return (receivers, columns, sources, exposed), *on_the_way


def _kernels_on_the_way(draws, ties, advocating, holds, context, exposures, by_side, total):
    """The kernels' thresholds and lambdas (_numpy_adopt's), by the calls diffusion._adopt makes.

    With no bound (an infinite margin), so every open pair's chance is computed.
    """
    golden = draws.golden if draws.golden is not None else golden_ids(ties.n)
    advocating, holds = np.ascontiguousarray(advocating), np.ascontiguousarray(holds)
    novelty = context.novelty if context.novelty.ndim == 2 else context.novelty[None]
    mixed = draws.mixed()
    pairs, growth, most = open_pairs(
        total, holds, advocating, context.weighs_standing, bool(context.any_weighs), novelty, context.aversion,
        context.sides, context.standing, context.trust, context.any_across, context.base_rate, golden, mixed, np.inf,
    )  # fmt: skip
    np.exp(growth, out=growth)
    advocated, logs = tie_logs(
        pairs, advocating, ties.indptr, ties.indices, growth, context.base_rate, context.standing, context.sides,
        context.trust, context.any_across, by_side.shape[0], total, golden, mixed, most, np.inf, True,
    )  # fmt: skip
    np.log1p(logs, out=logs)
    chance = chances(pairs, advocated, logs, by_side)
    np.expm1(chance, out=chance)
    return chance * _MINUS_TWO_53, -logs[: advocated.shape[1]]


def _check(args, case) -> int:
    """The kernels against the numpy code on one month, on the way and at the end: how many adopted."""
    want, threshold, rates = _numpy_adopt(*args)
    got_threshold, got_rates = _kernels_on_the_way(*args)
    assert got_threshold.tobytes() == threshold.tobytes(), case
    if rates is not None:
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
    """The inputs of every month's _adopt in a run that has open pairs."""
    months, adopt = [], diffusion._adopt

    def keep(draws, *args):
        draws.mixed()  # the step's keys mixed now (the run's StepKeys give out views valid until their next call)
        if ((args[-1] > 0) > args[2]).any():
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
    "no_weighing": {"diffusion.officials_weigh_standing": False, "steps": 60},  # by counts, credit by rate
    "one_side": {"sides": 1, "diffusion.officials_weigh_standing": False, "steps": 60},  # credit by number
    "one_side_record": {"sides": 1, "diffusion.officials_weigh_standing": False, "evaluation.record": True},
}


@pytest.mark.parametrize("bound", [True, False])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_the_kernels_adopt_as_the_numpy_code_on_a_runs_months(monkeypatch, name: str, bound: bool) -> None:
    months = _months(monkeypatch, CONFIGS[name], 7)
    assert len(months) > 20 and (not name.startswith(("one_side", "no_")) or not any(map(_weighing, months)))
    if not bound:
        monkeypatch.setattr(diffusion, "_BOUND_MARGIN", np.inf)
    assert sum(_check(args, case) for case, args in enumerate(months)) > 30


def _random_month(seed: int):
    """A random network's month: advocacy, holdings and factors drawn, counted as a run counts them.

    Officials (who weigh standing) in seeds 0-11, none beyond (by counts; with one side, credit by number).
    """
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
        float(rng.choice([0.2, 0.6, 1.5])), novelty, rng.random(n), rng.random(n) < (0.5 if seed < 12 else 0.0),
        rng.random(n) * 4, sides,
        trust, any_across=ties.any_across,
    )  # fmt: skip
    counts = diffusion.AdvocateCounts(sides)
    _, total = counts.update(ties, active)
    by_side = counts.counts.reshape(counts.counts.shape[0], -1)
    draws = diffusion.StepDraws(EventRandomness(seed), 3, np.arange(n_ideas, dtype=np.uint64) * 7)
    return draws, ties, active.T, holds.T, context, seed % 2 == 0, by_side, total


@pytest.mark.parametrize("seed", range(18))
def test_the_kernels_adopt_as_the_numpy_code_on_random_months(monkeypatch, seed: int) -> None:
    args = _random_month(seed)
    assert _weighing(args) == (seed < 12)
    for margin in (diffusion._BOUND_MARGIN, np.inf):
        monkeypatch.setattr(diffusion, "_BOUND_MARGIN", margin)
        assert _check(args, seed) > 10


@pytest.mark.parametrize("seed", [1, 2, 4, 5])
def test_the_bound_holds_when_a_pairs_factor_exceeds_the_base_rate(monkeypatch, seed: int) -> None:
    """open_pairs bounds a pair's factor by the base rate when no exponent is positive; some aversion below 0 (a
    novel idea's factor above the base rate) falls back to the ceiling, with the same adoptions as numpy's."""
    draws, ties, advocating, holds, context, exposures, by_side, total = _random_month(seed)
    context.aversion = context.aversion - 3.0  # most exponents positive: factors up to e^3 the base rate
    args = draws, ties, advocating, holds, context, exposures, by_side, total
    for margin in (diffusion._BOUND_MARGIN, np.inf):
        monkeypatch.setattr(diffusion, "_BOUND_MARGIN", margin)
        assert _check(args, seed) > 10


def _pairs_below_the_bound(args, margin: float):
    """open_pairs' pairs as numpy finds them: the open cells (in cell order) whose adoption uniform's bits are below
    count x min(rate x most, ceiling) x 2^53 x margin, rate the base rate (the ceiling's when an exponent may be
    positive), most the largest standing (weighing) x the largest trust (across), at least 1; and their exponents."""
    draws, _, _, holds, context, _, _, total = args
    novelty = context.novelty if context.novelty.ndim == 2 else context.novelty[None]
    flat = ((total > 0) > holds).reshape(-1).nonzero()[0]
    columns, receivers = np.divmod(flat, total.shape[1])
    most = max(1.0, float(context.standing.max())) if context.any_weighs else 1.0
    most *= max(1.0, float(context.trust.max())) if context.any_across else 1.0
    rising = (novelty < 0).any() or (novelty.any() and (context.aversion < 0).any())
    rate = np.inf if rising else context.base_rate
    bound = total.reshape(-1)[flat] * min(rate * most, P_CEILING) * (2.0**53 * margin)
    kept = draws.bits(0, receivers, columns) < bound
    flat, receivers, columns = flat[kept], receivers[kept], columns[kept]
    weighs = context.weighs_standing[receivers] & bool(context.any_weighs)
    sides = context.sides[receivers] if novelty.shape[0] > 1 else 0
    exponents = -context.aversion[receivers] * novelty[sides, columns] if novelty.any() else np.empty(0)
    return np.array([flat, receivers, columns, weighs, np.ones(flat.size)], dtype=np.int64), exponents, most


@pytest.mark.parametrize("seed", range(18))
@pytest.mark.parametrize("rising", [False, True])
def test_open_pairs_keeps_the_open_pairs_below_the_base_rates_bound(seed: int, rising: bool) -> None:
    args = _random_month(seed)
    draws, ties, advocating, holds, context, _, _, total = args
    context.base_rate = 0.02  # (the random months' rates let every open pair through)
    if rising:
        context.aversion = context.aversion - 3.0
    novelty = context.novelty if context.novelty.ndim == 2 else context.novelty[None]
    margin = diffusion._BOUND_MARGIN
    want = _pairs_below_the_bound(args, margin)
    got = open_pairs(
        total, np.ascontiguousarray(holds), np.ascontiguousarray(advocating), context.weighs_standing,
        bool(context.any_weighs), novelty, context.aversion, context.sides, context.standing, context.trust,
        context.any_across, context.base_rate, golden_ids(ties.n), draws.mixed(), 2.0**53 * margin,
    )  # fmt: skip
    assert got[0].tolist() == want[0].tolist(), seed
    assert got[1].tobytes() == want[1].tobytes() and got[2] == want[2], seed
    opened = ((total > 0) > holds).sum()
    kept = want[0].shape[1]
    assert kept == opened if rising and novelty.any() else 0 < kept < opened  # (the ceiling's bound keeps them all)
