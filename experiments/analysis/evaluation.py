"""Contribution, attribution and Shapley values of a programme's components, from runs on common random numbers.

The runs are a cooperative game: v_r(S) is an outcome of replicate r (one seed) when only the
components in S are kept. Because every draw is keyed by the event it decides, v_r(S) and v_r(T)
differ only where S and T differ, so:

- *contribution* of i: v_r(N) - v_r(N without i), paired over replicates, with a paired
  bootstrap interval (a component that cannot matter gets exactly 0);
- *Shapley value* of i: its marginal contribution averaged over the orders in which the
  components could be added: exact (every coalition) up to ``EXACT_MAX`` components, else over
  sampled orders, with an interval from a two-way bootstrap over orders and replicates. Either way
  the values sum to v(N) - v(empty), the programme's total effect, in every replicate and order;
- *attribution* of i: the share of the impact that entered Track One whose recorded chains pass
  through i (reported by the full programme's runs, with the record on).

With a calibration's posterior, replicates run in blocks of m at one particle per block; every
function here that takes `blocks` (each replicate's block) then gives the random-effects interval
of experiments.analysis.input_uncertainty, which keeps the posterior's spread instead of dividing
it by sqrt(replicates), and its tests use the same standard error.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats
from tracktwo.experiments.analysis.defaults import (
    CORRECTIONS,
    DEFAULT_ALPHA,
    DEFAULT_CORRECTION,
    DEFAULT_MARGIN_SHARE,
    EXACT_MAX,
)
from tracktwo.experiments.analysis.input_uncertainty import random_effects
from tracktwo.experiments.analysis.stats import DEFAULT_CONFIDENCE, mean_interval, paired_difference

__all__ = [
    "CORRECTIONS",
    "DEFAULT_MARGIN_SHARE",
    "EXACT_MAX",
    "VERDICTS",
    "VERDICT_RULES",
    "Game",
    "PairedTest",
    "Rule",
    "adjust",
    "attribution",
    "coalitions",
    "contributions",
    "detectable_effect",
    "detectable_from_se",
    "judge",
    "no_negative_zero",
    "orders",
    "paired_test",
    "paired_tests",
    "plain",
    "shapley",
    "shapley_exact",
    "shapley_sampled",
]

ORDER_RESAMPLES = 2000  # two-way bootstrap resamples of (orders, replicates) for sampled Shapley intervals


@dataclass(frozen=True)
class Game:
    """Outcome values of coalitions (which components are kept) by replicate: the runs as a cooperative game."""

    players: int
    worth: dict[frozenset[int], np.ndarray]  # coalition kept -> value per replicate (same replicates throughout)

    def value(self, coalition: frozenset[int]) -> np.ndarray:
        """v(coalition) by replicate."""
        return self.worth[coalition]

    @property
    def everyone(self) -> frozenset[int]:
        """The full programme."""
        return frozenset(range(self.players))

    def total_effect(self) -> np.ndarray:
        """v(N) - v(empty) by replicate: the programme's effect against the programme with every component removed."""
        return self.value(self.everyone) - self.value(frozenset())


def orders(players: int, count: int, seed: int) -> np.ndarray:
    """`count` orders of the players (each a permutation), drawn from the seed; antithetic pairs halve the variance."""
    rng = np.random.default_rng(seed)
    drawn = [rng.permutation(players) for _ in range((count + 1) // 2)]
    paired = [order for first in drawn for order in (first, first[::-1])]
    return np.array(paired[:count], dtype=np.int64).reshape(count, players)


def coalitions(players: int, sampled_orders: np.ndarray | None = None) -> list[frozenset[int]]:
    """The coalitions to run: every one (exact), or each order's prefixes, plus the full programme less each player."""
    if sampled_orders is None:
        return [frozenset(c) for size in range(players + 1) for c in itertools.combinations(range(players), size)]
    found = {frozenset(), frozenset(range(players))}
    found.update(frozenset(range(players)) - {i} for i in range(players))
    for order in sampled_orders.tolist():
        found.update(frozenset(order[:k]) for k in range(1, players))
    return sorted(found, key=lambda c: (len(c), sorted(c)))


def shapley_exact(game: Game) -> np.ndarray:
    """Exact Shapley values by replicate (replicates x players): weighted marginal contributions, every coalition."""
    n = game.players
    weights = [math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n) for k in range(n)]
    replicates = game.value(frozenset()).size
    values = np.zeros((replicates, n))
    for coalition, worth in game.worth.items():
        for i in range(n):
            if i not in coalition:
                values[:, i] += weights[len(coalition)] * (game.value(coalition | {i}) - worth)
    return values


def shapley_sampled(game: Game, sampled_orders: np.ndarray) -> np.ndarray:
    """Marginal contributions along each order, (orders x replicates x players); their mean is the Shapley estimate."""
    replicates = game.value(frozenset()).size
    marginal = np.zeros((len(sampled_orders), replicates, game.players))
    for m, order in enumerate(sampled_orders.tolist()):
        before = frozenset()
        for player in order:
            after = before | {player}
            marginal[m, :, player] = game.value(after) - game.value(before)
            before = after
    return marginal


def _with_input_spread(
    values: np.ndarray, blocks: np.ndarray, confidence: float, mean_variance: float | None = None
) -> tuple[float, float, float]:
    """(estimate, low, high): the random-effects interval of one player's per-replicate values.

    `mean_variance` replaces the ANOVA's Monte Carlo part Var(grand mean) (sampled orders: the bootstrap's).
    """
    split = random_effects(values, blocks)
    if split.blocks < 2:
        return split.estimate, math.nan, math.nan
    monte_carlo = split.mean_variance if mean_variance is None else mean_variance
    half = float(scipy_stats.t.ppf(0.5 + confidence / 2, split.df)) * math.sqrt(split.input_variance + monte_carlo)
    return split.estimate, split.estimate - half, split.estimate + half


def shapley(
    game: Game,
    sampled_orders: np.ndarray | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int = 0,
    blocks: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per player: Shapley value and interval; `sampled_orders` None = exact (interval over replicates).

    With `blocks` (a posterior's block of each replicate) the interval is the random-effects one: for
    sampled orders its Monte Carlo part is the two-way bootstrap's variance (orders, and blocks as
    clusters), its input part sigma2_I of the order-averaged values by replicate.
    """
    if sampled_orders is None:
        per_replicate = shapley_exact(game)
        rows = []
        for i in range(game.players):
            if blocks is not None:
                rows.append((i, *_with_input_spread(per_replicate[:, i], blocks, confidence), "exact"))
                continue
            interval = mean_interval(per_replicate[:, i], confidence)
            rows.append((i, interval.estimate, interval.low, interval.high, "exact"))
        return pd.DataFrame(rows, columns=["player", "shapley", "shapley_low", "shapley_high", "shapley_method"])
    marginal = shapley_sampled(game, sampled_orders)
    estimate = marginal.mean(axis=(0, 1))
    rng = np.random.default_rng(seed)
    m, r = marginal.shape[:2]
    clusters = [np.arange(r)] if blocks is None else [np.flatnonzero(blocks == b) for b in np.unique(blocks)]
    resampled = np.empty((ORDER_RESAMPLES, game.players))
    for b in range(ORDER_RESAMPLES):  # orders and replicates resampled independently: both sources of error
        if blocks is None:
            picked = rng.integers(0, r, r)
        else:  # whole blocks, as the replicates of a block share a particle
            picked = np.concatenate([clusters[k] for k in rng.integers(0, len(clusters), len(clusters))])
        resampled[b] = marginal[rng.integers(0, m, m)][:, picked].mean(axis=(0, 1))
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
    method = f"sampled ({m} orders)"
    if blocks is not None:  # the bootstrap's variance is the Monte Carlo part; the input part is added unshrunk
        by_replicate, bootstrap_variance = marginal.mean(axis=0), resampled.var(axis=0, ddof=1)
        for i in range(game.players):
            _, low[i], high[i] = _with_input_spread(by_replicate[:, i], blocks, confidence, bootstrap_variance[i])
    return pd.DataFrame(
        {
            "player": range(game.players),
            "shapley": estimate,
            "shapley_low": np.minimum(low, estimate),
            "shapley_high": np.maximum(high, estimate),
            "shapley_method": method,
        }
    )


def contributions(game: Game, confidence: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Per player: v(N) - v(N without it), paired over replicates (common random numbers), with its interval."""
    full = game.value(game.everyone)
    rows = []
    for i in range(game.players):
        difference = paired_difference(full, game.value(game.everyone - {i}), confidence)
        rows.append((i, difference.estimate, difference.low, difference.high))
    return pd.DataFrame(rows, columns=["player", "contribution", "contribution_low", "contribution_high"])


def attribution(
    chain_impact: Sequence[np.ndarray],
    total_impact: np.ndarray,
    confidence: float = DEFAULT_CONFIDENCE,
    blocks: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per player: mean share of the impact that entered Track One whose chains pass through it (runs with impact).

    With `blocks` (a posterior's block of each replicate) the interval is the random-effects one.
    """
    total = np.asarray(total_impact, dtype=float)
    rows = []
    for i, impact in enumerate(chain_impact):
        shares = np.where(total > 0, np.asarray(impact, dtype=float) / np.where(total > 0, total, 1.0), np.nan)
        if blocks is not None:
            estimate, low, high = _with_input_spread(shares, blocks, confidence)
        else:
            interval = mean_interval(shares, confidence)
            estimate, low, high = interval.estimate, interval.low, interval.high
        rows.append((i, estimate, max(0.0, low), min(1.0, high)))  # a share: its interval is clipped to 0..1
    return pd.DataFrame(rows, columns=["player", "attribution", "attribution_low", "attribution_high"])


# Verdicts: a stated rule (sign, multiplicity, equivalence) ---------------------------------------
#
# One sign convention everywhere: the *change when removed*, v(N without i) - v(N), per replicate.
# A negative change means the outcome falls without the component (it contributed to the outcome).

DEFAULT_POWER = 0.80
CONTRIBUTED, WORKED_AGAINST, NO_EFFECT, SUBSTITUTABLE, INCONCLUSIVE = (
    "contributed",
    "worked against",
    "no effect",
    "on the chain but substitutable",
    "inconclusive",
)
VERDICTS = (CONTRIBUTED, WORKED_AGAINST, NO_EFFECT, SUBSTITUTABLE, INCONCLUSIVE)
VERDICT_RULES = {
    CONTRIBUTED: "removing it lowers the outcome (corrected p < alpha)",
    WORKED_AGAINST: "removing it raises the outcome (corrected p < alpha)",
    NO_EFFECT: "its change when removed is within the margin (two one-sided tests, corrected p < alpha), "
    "or identical to zero in every replicate",
    SUBSTITUTABLE: "no effect (as above) although a share of the outcome's recorded chains passes through it "
    "(chain share's lower bound above 0): others would carry the same ideas",
    INCONCLUSIVE: "neither a corrected difference nor equivalence within the margin",
}


@dataclass(frozen=True)
class Rule:
    """The stated verdict rule: correction across the components, level, equivalence margin (outcome units)."""

    correction: str = DEFAULT_CORRECTION
    alpha: float = DEFAULT_ALPHA
    margin: float = 0.0

    def __post_init__(self) -> None:
        if self.correction not in CORRECTIONS:
            raise ValueError(f"correction: {self.correction!r} is not one of {', '.join(CORRECTIONS)}")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha: {self.alpha} is not between 0 and 1")
        if not (self.margin >= 0 and math.isfinite(self.margin)):
            raise ValueError(f"margin: {self.margin} is not a finite number >= 0")

    def describe(self) -> str:
        """The rule in one sentence, for every table and report."""
        return (
            f"{CORRECTIONS[self.correction]} correction across the components at alpha = {self.alpha:g}; "
            f"'no effect' = equivalence within +/-{plain(self.margin, 3)} by two one-sided tests (TOST)"
        )


def plain(value: float, digits: int = 3, signed: bool = False) -> str:
    """A number as printed everywhere: rounded first, so no negative zero ('-0.000') can appear."""
    if value is None or not math.isfinite(float(value)):
        return "-"
    rounded = round(float(value), digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.{digits}f}" if signed else f"{rounded:.{digits}f}"


def no_negative_zero(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every -0.0 of its float columns turned into 0.0 (for the CSV and JSON)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column] + 0.0
    return out


def adjust(p_values: Sequence[float] | np.ndarray, correction: str = DEFAULT_CORRECTION) -> np.ndarray:
    """Adjusted p-values across a family of tests: Holm's step-down or Benjamini-Hochberg's step-up.

    Holm controls the family-wise error rate (the chance of any false "contributed"/"worked against")
    at alpha under any dependence; Benjamini-Hochberg controls the expected share of false discoveries
    (valid under independence or positive dependence). NaN p-values stay NaN and do not count.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.flatnonzero(np.isfinite(p))
    m = finite.size
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    ranked = p[order]
    if correction == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    elif correction == "bh":
        adjusted = np.minimum.accumulate((m / np.arange(1, m + 1) * ranked)[::-1])[::-1]
        adjusted = np.minimum(1.0, adjusted)
    else:
        raise ValueError(f"correction: {correction!r} is not one of {', '.join(CORRECTIONS)}")
    out[order] = adjusted
    return out


@dataclass(frozen=True)
class PairedTest:
    """The paired t-test of a change when removed against 0, and TOST against +/-margin."""

    change: float
    low: float
    high: float
    sd: float
    n: int
    p_difference: float  # two-sided, H0: mean change = 0
    p_equivalence: float  # TOST, H0: |mean change| >= margin
    identical: bool  # the change is exactly 0 in every replicate (the removal reached no run)
    se: float = math.nan  # the standard error of the interval and the tests
    df: float = math.nan  # their degrees of freedom
    posterior_sd: float = math.nan  # with a posterior: sqrt(sigma2_I), the spread of E[change | parameters]


def paired_test(
    changes: Sequence[float] | np.ndarray,
    margin: float,
    confidence: float = DEFAULT_CONFIDENCE,
    blocks: np.ndarray | None = None,
) -> PairedTest:
    """Paired t-test and two one-sided tests (TOST) on per-replicate changes; a t interval beside them."""
    return paired_tests(np.asarray(changes, dtype=float).reshape(-1, 1), margin, confidence, blocks)[0]


def paired_tests(
    changes: np.ndarray, margin: float, confidence: float = DEFAULT_CONFIDENCE, blocks: np.ndarray | None = None
) -> list[PairedTest]:
    """`paired_test` for every column of `changes` (replicates x components), vectorised; NaN pairs left out.

    Without `blocks`: standard error sd / sqrt(n) on n - 1 degrees of freedom. With `blocks` (each
    replicate's posterior block): the random-effects standard error sqrt(sigma2_I + Var(mean)) on
    B - 1 (experiments.analysis.input_uncertainty), for the interval and both tests alike.
    """
    found = []
    for i in range(changes.shape[1]):
        column = changes[:, i]
        finite = np.isfinite(column)
        d = column[finite]
        n = d.size
        if n == 0:
            found.append(PairedTest(math.nan, math.nan, math.nan, math.nan, 0, math.nan, math.nan, False))
            continue
        mean, identical = float(d.mean()), bool(np.all(d == 0))
        if n == 1:
            found.append(PairedTest(mean, math.nan, math.nan, math.nan, 1, 1.0, math.nan, identical))
            continue
        sd = float(d.std(ddof=1))
        if sd == 0:  # the same change in every replicate: no sampling error left (common random numbers)
            p_eq = 0.0 if (abs(mean) < margin or identical) else 1.0
            spread = 0.0 if blocks is not None else math.nan
            found.append(
                PairedTest(mean, mean, mean, 0.0, n, 1.0 if mean == 0 else 0.0, p_eq, identical, 0.0, n - 1, spread)
            )
            continue
        if blocks is None:
            se, df, spread = sd / math.sqrt(n), n - 1, math.nan
        else:
            split = random_effects(d, np.asarray(blocks)[finite])
            se, df, spread = split.se, split.df, math.sqrt(split.input_variance) if split.blocks > 1 else math.nan
        found.append(PairedTest(mean, math.nan, math.nan, sd, n, math.nan, math.nan, identical, se, df, spread))
    todo = [i for i, t in enumerate(found) if t.n > 1 and t.sd > 0 and math.isfinite(t.se) and t.df >= 1]
    if todo:
        mean = np.array([found[i].change for i in todo])
        se = np.array([found[i].se for i in todo])
        df = np.array([found[i].df for i in todo])
        half = scipy_stats.t.ppf(0.5 + confidence / 2, df) * se
        p_diff = 2 * scipy_stats.t.sf(np.abs(mean) / se, df)
        p_above = scipy_stats.t.sf((mean + margin) / se, df)  # H0: mean <= -margin
        p_below = scipy_stats.t.cdf((mean - margin) / se, df)  # H0: mean >= +margin
        p_eq = np.maximum(p_above, p_below)
        for k, i in enumerate(todo):
            found[i] = dataclasses.replace(
                found[i],
                low=float(found[i].change - half[k]),
                high=float(found[i].change + half[k]),
                p_difference=float(p_diff[k]),
                p_equivalence=float(p_eq[k]),
            )
    return found


def judge(
    changes: np.ndarray,
    rule: Rule,
    chain_low: Sequence[float] | np.ndarray | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    blocks: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per component (columns of `changes`, replicates x components): the tests, corrected p-values, the verdict.

    The correction runs across the components of the family (the columns), for the difference
    tests and for the equivalence tests alike. "On the chain but substitutable" needs equivalence
    *and* evidence of being on the chain (`chain_low`, the chain share's lower bound, above 0).
    With `blocks` (a posterior's block of each replicate) intervals and tests carry the posterior's
    spread (`paired_tests`); `posterior_sd` is that spread (NaN without a posterior).
    """
    changes = np.asarray(changes, dtype=float)
    tests = paired_tests(changes, rule.margin, confidence, blocks)
    p_diff = adjust([t.p_difference for t in tests], rule.correction)
    p_eq = adjust([t.p_equivalence for t in tests], rule.correction)
    rows = []
    for i, test in enumerate(tests):
        on_chain = chain_low is not None and np.isfinite(chain_low[i]) and chain_low[i] > 0
        if test.identical and not on_chain:
            verdict = NO_EFFECT
        elif np.isfinite(p_diff[i]) and p_diff[i] < rule.alpha and test.change != 0:
            verdict = CONTRIBUTED if test.change < 0 else WORKED_AGAINST
        elif test.identical or (np.isfinite(p_eq[i]) and p_eq[i] < rule.alpha):
            verdict = SUBSTITUTABLE if on_chain else NO_EFFECT
        else:
            verdict = INCONCLUSIVE
        rows.append(
            {
                "change_when_removed": test.change,
                "change_when_removed_low": test.low,
                "change_when_removed_high": test.high,
                "paired_sd": test.sd,
                "p_value": test.p_difference,
                "p_adjusted": p_diff[i],
                "p_equivalence": test.p_equivalence,
                "p_equivalence_adjusted": p_eq[i],
                "posterior_sd": test.posterior_sd,
                "standard_error": test.se,
                "df": test.df,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def detectable_effect(
    paired_sd: float,
    replicates: int,
    tests: int = 1,
    alpha: float = DEFAULT_ALPHA,
    power: float = DEFAULT_POWER,
) -> float:
    """The smallest change when removed a paired t-test detects with `power`, at the corrected level.

    MDE = (t[1 - alpha'/2, n-1] + t[power, n-1]) * sd / sqrt(n), with alpha' = alpha / tests (the
    first step of Holm, and the level Benjamini-Hochberg needs for a single true effect among
    `tests`): conservative for both corrections. Infinite with fewer than 2 replicates.
    """
    if replicates < 2 or not math.isfinite(paired_sd):
        return math.inf
    return detectable_from_se(paired_sd / math.sqrt(replicates), replicates - 1, tests, alpha, power)


def detectable_from_se(
    se: float, df: float, tests: int = 1, alpha: float = DEFAULT_ALPHA, power: float = DEFAULT_POWER
) -> float:
    """`detectable_effect` from a standard error and its degrees of freedom.

    With a posterior they are the random-effects ones, which do not shrink below the posterior's
    spread however many replicates run.
    """
    if not (math.isfinite(se) and math.isfinite(df) and df >= 1):
        return math.inf
    level = alpha / max(1, tests)
    return float(scipy_stats.t.ppf(1 - level / 2, df) + scipy_stats.t.ppf(power, df)) * se
