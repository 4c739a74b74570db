"""Evaluate this run: which meetings were on the chain of what reached Track One, and what removing each changes.

For the trainer's current settings, the programme is run once with the full record on
(``evaluation.record``) to read each meeting's *attribution*: the share of the transferred impact
whose recorded chains pass through it (``evaluation.attribute``). Then each meeting is removed in
turn (``evaluation.removed: [workshop:N]``) and the run replayed on the same seed: every draw is
keyed by the event it decides, so the replay meets the same actors and the same luck except where
the missing meeting reached, and the difference in impact is that meeting's *contribution* (common
random numbers). Over several seeds, the same two figures get 95% intervals from
`experiments.analysis.evaluation`, the functions `tracktwo evaluate` uses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from tracktwo.app.runs import MEETING_WORDS, Settings
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.engine.budget import check_runs_fit
from tracktwo.model import ConfigError, Params, TrackTwoModel, simulate
from tracktwo.model.components import Component

EVALUATION_SEEDS = 10  # seeds of the "over several seeds" evaluation
IMPACT_SHOWN = 0.005  # impact is shown to 2 decimals: a smaller change reads as none
KEPT_SHARE_OF_CHAIN = 0.5  # removing a meeting loses less than this share of its chains' impact: others carried them


def signed(impact: float) -> str:
    """An impact change with its sign, to 2 decimals, with no '-0.00'."""
    return f"{0.0 if abs(impact) < IMPACT_SHOWN else impact:+.2f}"


@dataclass(frozen=True)
class MeetingEffect:
    """One meeting's attribution and contribution (means over the seeds; intervals NaN for one seed)."""

    key: str  # workshop:N, as evaluation.removed names it
    label: str  # "Workshop 7 (month 27)"
    month: int
    share: float  # of the transferred impact, on the meeting's chains (NaN where no impact entered)
    chain_impact: float  # impact on its chains
    contribution: float  # impact with the meeting minus impact without it
    share_low: float = math.nan
    share_high: float = math.nan
    contribution_low: float = math.nan
    contribution_high: float = math.nan

    @property
    def change(self) -> float:
        """What removing the meeting changes the impact by (minus its contribution)."""
        return -self.contribution

    def has_intervals(self) -> bool:
        """Whether the figures come with intervals (an evaluation over several seeds)."""
        return math.isfinite(self.contribution_low) and math.isfinite(self.contribution_high)

    def verdict(self) -> str:
        """contributed, merely on the chain, another course, no effect (one seed) or no clear effect (several).

        Over several seeds the intervals decide, as in `tracktwo evaluate`. On one seed a meeting
        contributed when removing it loses at least KEPT_SHARE_OF_CHAIN of the impact on its chains;
        a change that rounds to 0.00 (IMPACT_SHOWN) is none.
        """
        if self.has_intervals():
            if self.contribution_low > 0:
                return "contributed"
            if self.contribution_high < 0:
                return "another course"
            return "merely on the chain" if self.share_low > 0 else "no clear effect"
        if self.contribution < -IMPACT_SHOWN:
            return "another course"
        if self.contribution > IMPACT_SHOWN and self.contribution >= KEPT_SHARE_OF_CHAIN * self.chain_impact:
            return "contributed"
        return "merely on the chain" if self.chain_impact > 0 else "no effect"

    def sentence(self) -> str:
        """In plain words: 'Workshop 7 is on the chain of 40% of transferred impact, but removing it changes ...'."""
        change = signed(self.change)
        if self.has_intervals():
            change += f" [{signed(-self.contribution_high)}, {signed(-self.contribution_low)}]"
        share = "-" if not math.isfinite(self.share) else f"{self.share:.0%}"
        head = f"{self.label} is on the chain of {share} of transferred impact"
        return (
            head
            + {
                "contributed": f", and removing it changes impact by {change}: it contributed.",
                "merely on the chain": f", but removing it changes impact by only {change}: others would have carried "
                "the same ideas.",
                "another course": f", yet without it impact changes by {change}: the run takes another course (trust, "
                "ties, ripeness and timing change).",
                "no effect": f", and removing it changes impact by {change}: no effect on this run.",
                "no clear effect": f"; removing it changes impact by {change}: no clear effect either way.",
            }[self.verdict()]
        )


@dataclass(frozen=True)
class RunEvaluation:
    """The evaluation of one setting: the seeds it ran on, the programme's impact and each meeting's effect."""

    settings: Settings
    seeds: tuple[int, ...]
    impact: float  # mean transferred impact of the full programme
    meetings: tuple[MeetingEffect, ...]

    def headlines(self, count: int = 3) -> list[str]:
        """The sentences a room should hear first: the meetings most on the chain and those that contributed most."""
        by_share = sorted(self.meetings, key=lambda m: -m.chain_impact)
        by_contribution = sorted(self.meetings, key=lambda m: -m.contribution)
        carried_by_others = [m for m in by_share if m.verdict() == "merely on the chain"]
        chosen: list[MeetingEffect] = []
        for meeting in (*by_share[:1], *by_contribution[:1], *carried_by_others[:1], *by_share, *by_contribution):
            if meeting not in chosen and len(chosen) < count:
                chosen.append(meeting)
        return [meeting.sentence() for meeting in chosen]


def meeting_label(number: int, step: int, kind: str, schedule: bool) -> str:
    """'Workshop 7 (month 27)' in the plain series; 'Meeting 2 (capacity-building training, month 7)' else."""
    if not schedule:
        return f"Workshop {number} (month {step})"
    return f"Meeting {number} ({MEETING_WORDS.get(kind, kind.replace('_', ' '))}, month {step})"


def _with(params: Params, **evaluation_fields) -> Params:
    return params.model_copy(update={"evaluation": params.evaluation.model_copy(update=evaluation_fields)})


def evaluate(
    settings: Settings,
    seeds: Sequence[int] | None = None,
    keys: Sequence[str] | None = None,
    progress: Callable[[float], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> RunEvaluation | None:
    """Attribution and contribution of each meeting, on `seeds` (default: the settings' own seed).

    `keys` are the meetings to evaluate (default: every meeting scheduled within the run's months).
    Returns None if `stop` says so before the end.
    """
    seeds = tuple(seeds if seeds is not None else (settings.seed,))
    params = settings.params()
    schedule = TrackTwoModel(params, seeds[0]).programme.meetings_scheduled()  # the same on every seed
    if keys is None:
        keys = [f"workshop:{n}" for n, (step, _, _) in enumerate(schedule, start=1) if step <= params.steps]
    keys = list(keys)
    check_runs_fit("Evaluate", [("the run with its record", _with(params, record=True, attribute=keys))], workers=1)
    runs = len(seeds) * (len(keys) + 1)
    full_impact, total, chain, without = [], [], [[] for _ in keys], [[] for _ in keys]
    done = 0
    for seed in seeds:
        if stop is not None and stop():
            return None
        full = simulate(_with(params, record=True, attribute=keys), seed).outcomes
        full_impact.append(full["impact"])
        total.append(full["impact"] + full["rival_impact"])
        for i, key in enumerate(keys):
            chain[i].append(full[f"chain_impact_{Component.parse(key).slug}"])
        done += 1
        for i, key in enumerate(keys):
            if stop is not None and stop():
                return None
            without[i].append(simulate(_with(params, removed=[key]), seed).outcomes["impact"])
            done += 1
            if progress is not None:
                progress(done / runs)
    everyone = frozenset(range(len(keys)))
    game = evaluation.Game(
        len(keys),
        {everyone: np.array(full_impact), **{everyone - {i}: np.array(without[i]) for i in range(len(keys))}},
    )
    contributions = evaluation.contributions(game)
    shares = evaluation.attribution([np.array(c) for c in chain], np.array(total))
    meetings = []
    for i, key in enumerate(keys):
        number = int(Component.parse(key).name)
        if number > len(schedule):
            raise ConfigError(f"component {key!r}: the programme schedules {len(schedule)} meetings")
        step, _, kind = schedule[number - 1]
        row, share = contributions.iloc[i], shares.iloc[i]
        one_seed = len(seeds) == 1
        meetings.append(
            MeetingEffect(
                key=key,
                label=meeting_label(number, step, kind, params.programme.events is not None),
                month=step,
                share=float(share["attribution"]),
                chain_impact=float(np.mean(chain[i])),
                contribution=float(row["contribution"]),
                share_low=math.nan if one_seed else float(share["attribution_low"]),
                share_high=math.nan if one_seed else float(share["attribution_high"]),
                contribution_low=math.nan if one_seed else float(row["contribution_low"]),
                contribution_high=math.nan if one_seed else float(row["contribution_high"]),
            )
        )
    return RunEvaluation(settings, seeds, float(np.mean(full_impact)), tuple(meetings))


def evaluation_seeds(settings: Settings, count: int = EVALUATION_SEEDS) -> range:
    """The seeds an evaluation over several seeds runs: `count` from the current one."""
    return range(settings.seed, settings.seed + count)
