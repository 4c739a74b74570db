"""The scoreboard: one row per finished run, and the mean of many seeds with an interval.

A row says what a room compares presets on: ideas that entered Track One, impact (their summed
novelty) and the cross-side trust gained. `row_of_run` reads a finished run; `row_of_seeds` runs
the same settings on several seeds through `model.simulate` and gives each figure's mean with a
95% bootstrap interval (computed as the dilemma figure computes its bands).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tracktwo.app.runs import Settings
from tracktwo.experiments.analysis.stats import bootstrap_mean
from tracktwo.model import TrackTwoModel, simulate
from tracktwo.model.metrics import outcomes

SEEDS_PER_BATCH = 20
SCORED = ("ideas_generated", "ideas_transferred", "impact", "trust_change")
DIGITS = {"ideas_generated": 0, "ideas_transferred": 0, "impact": 2, "trust_change": 3}  # 0: a count
HEADINGS = {
    "label": "Run",
    "seeds": "Seeds",
    "ideas_generated": "Ideas generated",
    "ideas_transferred": "Ideas that entered Track One",
    "impact": "Impact",
    "trust_change": "Trust gained",
}


@dataclass(frozen=True)
class Score:
    """One figure: a run's value, or a mean over seeds with its interval (low, high)."""

    value: float
    low: float = math.nan
    high: float = math.nan

    def text(self, digits: int) -> str:
        """The value, and its interval when there is one: "2.31 (1.80-2.90)"."""
        if math.isnan(self.value):
            return "-"
        if math.isnan(self.low):
            return f"{self.value:.{digits}f}"
        return f"{self.value:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"


@dataclass(frozen=True)
class Row:
    """A scoreboard row: what was run, on which seeds, and its scores."""

    label: str
    seeds: str
    scores: dict[str, Score]

    def cells(self) -> dict[str, str]:
        """The row as the table shows it (counts whole when they come from one run)."""
        one_run = all(math.isnan(score.low) for score in self.scores.values())
        shown = {name: score.text(DIGITS[name] or (0 if one_run else 1)) for name, score in self.scores.items()}
        return {"label": self.label, "seeds": self.seeds, **shown}


def row_of_run(model: TrackTwoModel, label: str) -> Row:
    """A finished run as a row."""
    result = outcomes(model)
    return Row(label, str(model.seed), {name: Score(float(result[name])) for name in SCORED})


def score_of(values: np.ndarray) -> Score:
    """Mean with its 95% bootstrap interval (the dilemma figure's, seeded: reproducible rows)."""
    interval = bootstrap_mean(values, confidence=0.95)
    return Score(interval.estimate, interval.low, interval.high)


def batch_seeds(settings: Settings, count: int = SEEDS_PER_BATCH) -> Sequence[int]:
    """The seeds a batch runs: `count` seeds from the current one."""
    return range(settings.seed, settings.seed + count)


def row_of_seeds(
    settings: Settings,
    label: str,
    count: int = SEEDS_PER_BATCH,
    progress: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> Row | None:
    """The settings run on `count` seeds: each score's mean and interval (None if stopped early)."""
    params = settings.params()
    seeds = batch_seeds(settings, count)
    collected: dict[str, list[float]] = {name: [] for name in SCORED}
    for done, seed in enumerate(seeds, start=1):
        if stop is not None and stop():
            return None
        result = simulate(params, seed).outcomes
        for name in SCORED:
            collected[name].append(float(result[name]))
        if progress is not None:
            progress(done)
    scores = {name: score_of(np.array(values)) for name, values in collected.items()}
    return Row(f"{label}: mean of {count} seeds (95% interval)", f"{seeds[0]}-{seeds[-1]}", scores)
