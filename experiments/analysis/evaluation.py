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
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis.stats import DEFAULT_CONFIDENCE, mean_interval, paired_difference

__all__ = [
    "EXACT_MAX",
    "Game",
    "attribution",
    "coalitions",
    "contributions",
    "orders",
    "shapley",
    "shapley_exact",
    "shapley_sampled",
]

EXACT_MAX = 10  # exact Shapley values (2^n coalitions) up to this many components; sampled orders beyond
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


def shapley(
    game: Game, sampled_orders: np.ndarray | None = None, confidence: float = DEFAULT_CONFIDENCE, seed: int = 0
) -> pd.DataFrame:
    """Per player: Shapley value and interval; `sampled_orders` None = exact (interval over replicates)."""
    if sampled_orders is None:
        per_replicate = shapley_exact(game)
        rows = []
        for i in range(game.players):
            interval = mean_interval(per_replicate[:, i], confidence)
            rows.append((i, interval.estimate, interval.low, interval.high, "exact"))
        return pd.DataFrame(rows, columns=["player", "shapley", "shapley_low", "shapley_high", "shapley_method"])
    marginal = shapley_sampled(game, sampled_orders)
    estimate = marginal.mean(axis=(0, 1))
    rng = np.random.default_rng(seed)
    m, r = marginal.shape[:2]
    resampled = np.empty((ORDER_RESAMPLES, game.players))
    for b in range(ORDER_RESAMPLES):  # orders and replicates resampled independently: both sources of error
        resampled[b] = marginal[rng.integers(0, m, m)][:, rng.integers(0, r, r)].mean(axis=(0, 1))
    tail = (1 - confidence) / 2
    low, high = np.quantile(resampled, [tail, 1 - tail], axis=0)
    method = f"sampled ({m} orders)"
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
    chain_impact: Sequence[np.ndarray], total_impact: np.ndarray, confidence: float = DEFAULT_CONFIDENCE
) -> pd.DataFrame:
    """Per player: mean share of the impact that entered Track One whose chains pass through it (runs with impact)."""
    total = np.asarray(total_impact, dtype=float)
    rows = []
    for i, impact in enumerate(chain_impact):
        shares = np.where(total > 0, np.asarray(impact, dtype=float) / np.where(total > 0, total, 1.0), np.nan)
        interval = mean_interval(shares, confidence)  # a share: its interval is clipped to 0..1
        rows.append((i, interval.estimate, max(0.0, interval.low), min(1.0, interval.high)))
    return pd.DataFrame(rows, columns=["player", "attribution", "attribution_low", "attribution_high"])
