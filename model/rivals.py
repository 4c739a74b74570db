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
from typing import NamedTuple

import numpy as np
from tracktwo.model.kernels.rivals import drawn_holders, quiet_months
from tracktwo.model.params import Rivals
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.workshops import sample_novelty

__all__ = ["RivalMonth", "RivalSources"]

_AHEAD = 128  # months drawn at once (their quietness read in one kernel call), at most to the run's end
_MULTIPLIED_BELOW = 10.0  # numpy's Poisson draws by multiplication below this mean (PTRS from it)
_FLOYD_UP_TO = 10_000  # numpy's choice without replacement draws by Floyd's algorithm from pools up to this size
_NO_WORDS = np.empty(0, dtype=np.uint64)


class RivalMonth(NamedTuple):
    """One month's rival ideas: Track One's own first, then those from outside the programme."""

    own: int  # how many are Track One's own (origin "track_one"; the rest "outside": model.ideas.ORIGINS)
    novelty: np.ndarray  # each idea's (float64)
    holders: np.ndarray  # each idea's first holders, sorted, idea after idea (int64)
    starts: np.ndarray  # where each idea's holders start in `holders`, then where the last one's end (int64)


class RivalSources:
    """Track One's own ideas and ideas from outside the programme, month by month."""

    def __init__(self, config: Rivals, officials_by_side: list[np.ndarray], steps: int) -> None:
        self.config = config
        self._end = steps  # the run's months: drawn ahead up to its end
        self.by_side = [o for o in officials_by_side if o.size]
        self.officials = np.sort(np.concatenate(self.by_side)) if self.by_side else np.empty(0, dtype=np.int64)
        self.active = bool(self.officials.size) and (config.track_one_rate > 0 or config.outside_rate > 0)
        rates = [rate for rate in (config.track_one_rate, config.outside_rate) if rate > 0]
        # each drawn count's bound on its first uniform for 0 (C's exp, as numpy's Poisson computes it), if all
        # are drawn by multiplication; else None: no month is known quiet
        self._empty_below = (
            np.array([math.exp(-rate) for rate in rates]) if max(rates, default=0.0) < _MULTIPLIED_BELOW else None
        )
        self._ahead: tuple | None = None  # (the randomness, the first month, each month's ideas from it on)
        # two holders an idea from pools of 3 to 10,000 (numpy's choice by Floyd's algorithm): drawn from raw words
        pools = self.by_side if config.track_one_rate > 0 else []
        pools = [*pools, self.officials] if config.outside_rate > 0 else pools
        self._by_words = self.active and config.holders == 2 and all(3 <= p.size <= _FLOYD_UP_TO for p in pools)
        if self._by_words:
            self._side_pools = np.concatenate(self.by_side)
            self._pool_starts = np.cumsum([0] + [pool.size for pool in self.by_side], dtype=np.int64)
            self._own_draws = 3 + (len(self.by_side) > 1)  # 32-bit draws a Track One idea takes: its side, choice's 3
            self._pairs = np.arange(0, 2, 2)  # starts of the ideas' holders two by two (grown as needed)

    def month(self, randomness: EventRandomness, step: int) -> RivalMonth | None:
        """This month's rival ideas (None when there are none, the sources are off or there are no officials).

        Drawn ahead with the next months' (up to 128, to the run's end), as :meth:`_months` draws them: one loop
        over the months' draws costs about half what the same draws cost made a month at a time between the
        month's other work (their code stays in the caches).
        """
        if not self.active:
            return None
        ahead = self._ahead
        if ahead is None or ahead[0] is not randomness or not ahead[1] <= step < ahead[1] + len(ahead[2]):
            count = min(_AHEAD, self._end - step) if step >= 0 else 1  # (a month past the end: one at a time)
            ahead = self._ahead = (randomness, step, self._months(randomness, step, max(count, 1)))
        return ahead[2][step - ahead[1]]

    def _months(self, randomness: EventRandomness, first: int, count: int) -> list[RivalMonth | None]:
        """The ideas of `count` months from `first` on (None: none), each from its month's keyed generator.

        A quiet month (most) is known without making its generator: whether each source's count is 0 is read from
        its first Philox uniforms (kernels/rivals.py `quiet_months`, bit for bit), when every count is drawn by
        multiplication (means below 10). A month's holders are read from its generator's raw words when they can
        be (:meth:`_drawn_by_words`), else drawn by numpy's calls (:meth:`_drawn`).
        """
        if self._empty_below is None or first < 0:
            quiet = [False] * count
        else:
            keys = randomness.step_prefixes(("rivals",), first, count)[:, 0]  # each month's key("rivals", m)
            quiet = quiet_months(keys, self._empty_below).tolist()
        months: list[RivalMonth | None] = []
        for step in range(first, first + count):
            drawn = None
            if not quiet[step - first]:
                drawn = self._drawn_by_words(randomness, step) if self._by_words else None
                drawn = drawn or self._drawn(randomness, step)
            months.append(drawn)
        return months

    def _drawn_by_words(self, randomness: EventRandomness, step: int) -> RivalMonth | None:
        """The month's ideas as :meth:`_drawn` draws them, each one's two holders read from the generator's raw words.

        Numpy's bounded draws and Floyd's (kernels/rivals.py `drawn_holders`) from as many words as their 32-bit
        draws take, each source's after its count and novelty (which draw 64-bit words: half a word left by Track
        One's holders is the next 32-bit draw, taken after them). None when there is no idea, or where numpy
        would reject a bounded draw and draw again (about 1 in 10^9): :meth:`_drawn` draws the month then.
        """
        c = self.config
        rng = randomness.local_generator("rivals", "rivals", step)  # used only here and in _drawn: reset, not rebuilt
        raw = rng.bit_generator.random_raw
        own = int(rng.poisson(c.track_one_rate)) if c.track_one_rate > 0 else 0
        own_words, draws = _NO_WORDS, 0
        if own:
            novelty = sample_novelty(rng, c.track_one_novelty, c.concentration, own)
            draws = own * self._own_draws
            own_words = raw((draws + 1) // 2)
        outside = int(rng.poisson(c.outside_rate)) if c.outside_rate > 0 else 0
        if outside == 0:
            if own == 0:
                return None
            outside_words = _NO_WORDS
        else:
            from_outside = sample_novelty(rng, c.outside_novelty, c.concentration, outside)
            novelty = np.concatenate((novelty, from_outside)) if own else from_outside
            outside_words = raw((3 * outside - draws % 2 + 1) // 2)
        pools = (self._side_pools, self._pool_starts, self.officials)
        holders = drawn_holders(own_words, outside_words, own, outside, *pools)
        if holders.size == 0:
            return None
        if self._pairs.size <= own + outside:
            self._pairs = np.arange(0, 4 * (own + outside) + 2, 2)
        return RivalMonth(own, novelty, holders, self._pairs[: own + outside + 1])

    def _drawn(self, randomness: EventRandomness, step: int) -> RivalMonth | None:
        """The month's ideas from its keyed generator: per source its count (Poisson), novelty (Beta) and holders.

        A Track One idea's holders are officials of one side (drawn), an outside idea's any officials.
        """
        c = self.config
        rng = randomness.local_generator("rivals", "rivals", step)
        counts, novelty, holders = [], [], []
        sources = ((c.track_one_rate, c.track_one_novelty, True), (c.outside_rate, c.outside_novelty, False))
        for rate, mean, own in sources:
            count = int(rng.poisson(rate)) if rate > 0 else 0
            counts.append(count)
            if count == 0:
                continue
            novelty.append(sample_novelty(rng, mean, c.concentration, count))
            for _ in range(count):
                pool = self.by_side[int(rng.integers(len(self.by_side)))] if own else self.officials
                chosen = rng.choice(pool, min(c.holders, pool.size), replace=False)  # a new array: sorted in place
                chosen.sort()
                holders.append(chosen)
        if not holders:
            return None
        starts = np.cumsum([0] + [chosen.size for chosen in holders], dtype=np.int64)
        return RivalMonth(counts[0], np.concatenate(novelty), np.concatenate(holders), starts)
