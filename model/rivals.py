"""Rival sources: ideas that reach Track One without the programme (docs/ODD.md 7.6).

Track One's own bureaucracy generates ideas of low novelty: a Poisson number per month, each
held at first by a few officials of one side (drawn at random). Other initiatives send ideas of
their own: a Poisson number per month, each reaching a few officials of any side. Both then
travel like any idea and may enter Track One, so the share of what Track One got that can be
attributed to the programme falls below 100%. Draws are keyed by the month, so a programme and
its counterfactual meet the same rival ideas.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from tracktwo.model.kernels.rivals import quiet_months
from tracktwo.model.params import Rivals
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import sample_novelty

__all__ = ["RivalIdeas", "RivalSources"]

_QUIET_BLOCK = 128  # months whose quietness is read at once
_MULTIPLIED_BELOW = 10.0  # numpy's Poisson draws by multiplication below this mean (PTRS from it)
_FLOYD_UP_TO = 10_000  # numpy's choice without replacement draws by Floyd's algorithm from pools up to this size
_LOW_32 = 0xFFFFFFFF


def _bounded(word: int, top: int) -> int | None:
    """A bounded draw of 0 .. top as numpy makes it (Lemire's, from one 32-bit word); None where numpy draws again."""
    excluded = top + 1
    scaled = word * excluded
    left = scaled & _LOW_32
    if left < excluded and left < (_LOW_32 - top) % excluded:
        return None
    return scaled >> 32


def _two_of(rng: np.random.Generator, pool: np.ndarray) -> np.ndarray | None:
    """Two of `pool` (3 to 10,000 values) as ``rng.choice(pool, 2, replace=False)`` draws them, in some order.

    One call for choice's three 32-bit draws (two by Floyd's algorithm, one for its shuffle, which only orders the
    two); choice's own checks cost ten times as much. None (the draws taken) where numpy would draw again.
    """
    words = rng.integers(0, 1 << 32, size=3, dtype=np.uint32).tolist()
    first, second = _bounded(words[0], pool.size - 2), _bounded(words[1], pool.size - 1)
    if first is None or second is None:
        return None
    return pool.take([first, pool.size - 1 if second == first else second])


@dataclass
class RivalIdeas:
    """One month's ideas from one rival source: their origin, novelty and first holders."""

    origin: str  # "track_one" or "outside" (model.ideas.ORIGINS)
    novelty: np.ndarray
    holders: list[np.ndarray]


class RivalSources:
    """Track One's own ideas and ideas from outside the programme, month by month."""

    def __init__(self, config: Rivals, officials_by_side: list[np.ndarray]) -> None:
        self.config = config
        self.by_side = [o for o in officials_by_side if o.size]
        self.officials = np.sort(np.concatenate(self.by_side)) if self.by_side else np.empty(0, dtype=np.int64)
        self.active = bool(self.officials.size) and (config.track_one_rate > 0 or config.outside_rate > 0)
        rates = [rate for rate in (config.track_one_rate, config.outside_rate) if rate > 0]
        # each drawn count's bound on its first uniform for 0 (C's exp, as numpy's Poisson computes it), if all
        # are drawn by multiplication; else None: no month is known quiet
        self._empty_below = (
            np.array([math.exp(-rate) for rate in rates]) if max(rates, default=0.0) < _MULTIPLIED_BELOW else None
        )
        self._quiet: tuple | None = None  # (the randomness, first month, whether each month from it is quiet)

    def month(self, randomness: EventRandomness, step: int) -> list[RivalIdeas]:
        """This month's rival ideas (none when the sources are off or there are no officials)."""
        if not self.active or self._is_quiet(randomness, step):
            return []
        batches = self._batches(randomness, step, True)
        if batches is None:  # a bounded draw numpy would reject and draw again (about 1 in 10^8): as numpy draws
            batches = self._batches(randomness, step, False)
        return batches

    def _batches(self, randomness: EventRandomness, step: int, shortcut: bool) -> list[RivalIdeas] | None:
        """The month's ideas from its keyed generator; `shortcut`: two holders of a pool drawn by :func:`_two_of`.

        None when the shortcut met a draw it cannot follow (then the month is drawn again without it).
        """
        c = self.config
        rng = randomness.local_generator("rivals", "rivals", step)  # used only here: reset, not rebuilt
        batches = []
        for origin, rate, mean in (
            ("track_one", c.track_one_rate, c.track_one_novelty),
            ("outside", c.outside_rate, c.outside_novelty),
        ):
            count = int(rng.poisson(rate)) if rate > 0 else 0
            if count == 0:
                continue
            novelty = sample_novelty(rng, mean, c.concentration, count)
            holders = []
            for _ in range(count):
                pool = self.by_side[int(rng.integers(len(self.by_side)))] if origin == "track_one" else self.officials
                size = min(c.holders, pool.size)
                if shortcut and size == 2 and 3 <= pool.size <= _FLOYD_UP_TO:
                    chosen = _two_of(rng, pool)
                    if chosen is None:
                        return None
                else:
                    chosen = rng.choice(pool, size, replace=False)  # a new array: sorted in place
                chosen.sort()
                holders.append(chosen)
            batches.append(RivalIdeas(origin, novelty, holders))
        return batches

    def _is_quiet(self, randomness: EventRandomness, step: int) -> bool:
        """Whether the month draws no rival idea (most months), read from a table of months hashed at once.

        The month's generator is not made for it: its counts' first uniforms are Philox's (a kernel's, bit for bit).
        """
        if self._empty_below is None or step < 0:
            return False
        table = self._quiet
        if table is None or table[0] is not randomness or not table[1] <= step < table[1] + table[2].size:
            keys = randomness.step_prefixes(("rivals",), step, _QUIET_BLOCK)[:, 0]  # each month's key("rivals", m)
            table = self._quiet = (randomness, step, quiet_months(keys, self._empty_below))
        return bool(table[2][step - table[1]])
