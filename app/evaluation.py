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
from tracktwo.app.runs import Settings, meeting_word
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.engine.budget import check_runs_fit
from tracktwo.model import ConfigError, Params, TrackTwoModel, simulate
from tracktwo.model.components import Component

EVALUATION_SEEDS = 10  # seeds of the "over several seeds" evaluation
PROCESS, OUTCOME = "influence_on_process", "ideas_transferred"  # as `tracktwo evaluate`'s process_outcome.csv
IMPACT_SHOWN = 0.005  # impact is shown to 2 decimals: a smaller change reads as none


def signed(impact: float) -> str:
    """An impact change with its sign, to 2 decimals, with no '-0.00'."""
    return f"{0.0 if abs(impact) < IMPACT_SHOWN else impact:+.2f}"


def _one_seed_verdict(change: float) -> str:
    """Without a test (one seed): 'no effect' for a change of exactly 0, 'inconclusive' for any other."""
    return evaluation.NO_EFFECT if change == 0 else evaluation.INCONCLUSIVE


@dataclass(frozen=True)
class Change:
    """What removing a meeting changes one outcome by: the mean, its 95% interval (several seeds) and the verdict."""

    change: float
    low: float = math.nan
    high: float = math.nan
    judged: str = ""  # the rule's verdict ("" = one seed)

    def verdict(self) -> str:
        """The rule's verdict; on one seed 'no effect' for exactly 0 and 'inconclusive' otherwise."""
        return self.judged or _one_seed_verdict(self.change)

    def text(self) -> str:
        """'-0.12 (-0.20 to -0.04)', or '-0.12' on one seed; no '-0.00'."""
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            return signed(self.change)
        return f"{signed(self.change)} ({signed(self.low)} to {signed(self.high)})"


@dataclass(frozen=True)
class MeetingEffect:
    """One meeting's attribution, its change when removed and its verdict (means over the seeds).

    The verdict is `tracktwo evaluate`'s rule (experiments.analysis.evaluation.judge): Holm across
    the meetings evaluated, two one-sided tests within `margin` for "no effect". On one seed there
    is no test: a change of exactly 0 is "no effect", any other change "inconclusive".
    """

    key: str  # workshop:N, as evaluation.removed names it
    label: str  # "Workshop 7 (month 27)"
    month: int
    share: float  # of the transferred impact, on the meeting's chains (NaN where no impact entered)
    chain_impact: float  # impact on its chains
    contribution: float  # impact with the meeting minus impact without it (minus the change when removed)
    share_low: float = math.nan
    share_high: float = math.nan
    contribution_low: float = math.nan
    contribution_high: float = math.nan
    judged: str = ""  # the verdict by the rule across the meetings ("" = one seed, or built by hand)
    margin: float = 0.0  # equivalence margin of the rule (impact units)
    process: Change | None = None  # removing it: influence on the process (positions moved without adoption)
    outcome: Change | None = None  # removing it: ideas transferred (adopted into Track One); both None without issues

    @property
    def change(self) -> float:
        """What removing the meeting changes the impact by (minus its contribution)."""
        return -self.contribution

    def has_intervals(self) -> bool:
        """Whether the figures come with intervals (an evaluation over several seeds)."""
        return math.isfinite(self.contribution_low) and math.isfinite(self.contribution_high)

    def verdict(self) -> str:
        """contributed, worked against, no effect, on the chain but substitutable, or inconclusive (the CLI's words)."""
        return self.judged or _one_seed_verdict(self.contribution)

    def sentence(self) -> str:
        """In plain words: 'Workshop 7 is on the chain of 40% of transferred impact, and removing it changes ...'."""
        change = signed(self.change)
        if self.has_intervals():
            change += f" [{signed(-self.contribution_high)}, {signed(-self.contribution_low)}]"
        share = "-" if not math.isfinite(self.share) else f"{self.share:.0%}"
        head = f"{self.label} is on the chain of {share} of transferred impact"
        verdict = self.verdict()
        one_seed = not self.has_intervals()
        return head + {
            evaluation.CONTRIBUTED: f", and removing it changes impact by {change}: it contributed.",
            evaluation.WORKED_AGAINST: f", yet removing it changes impact by {change}: it worked against impact "
            "(without it the run takes another course).",
            evaluation.SUBSTITUTABLE: f", but removing it changes impact by only {change} (within "
            f"+/-{self.margin:.2f}): on the chain but substitutable, others would have carried the same ideas.",
            evaluation.NO_EFFECT: f", and removing it changes impact by {change}: no effect.",
            evaluation.INCONCLUSIVE: f"; removing it changes impact by {change}: inconclusive"
            + (" on one seed (evaluate over several seeds for a verdict)." if one_seed else
               " (neither a clear change nor equivalence within the margin)."),
        }[verdict]  # fmt: skip


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
        carried_by_others = [m for m in by_share if m.verdict() == evaluation.SUBSTITUTABLE]
        chosen: list[MeetingEffect] = []
        for meeting in (*by_share[:1], *by_contribution[:1], *carried_by_others[:1], *by_share, *by_contribution):
            if meeting not in chosen and len(chosen) < count:
                chosen.append(meeting)
        return [meeting.sentence() for meeting in chosen]

    def process_sentence(self) -> str | None:
        """The meeting whose removal moves official positions most, beside what it changes in ideas transferred.

        Influence on the process (positions moved by Track Two ideas that were not adopted) and outcome
        transfer (ideas adopted) can part: a meeting may shape how officials think without any of its ideas
        entering Track One. None without the issue space.
        """
        judged = [m for m in self.meetings if m.process is not None and m.outcome is not None]
        if not judged:
            return None
        top = max(judged, key=lambda m: abs(m.process.change))
        return (
            f"{top.label}: removing it changes influence on the process (official positions moved without adoption) "
            f"by {top.process.text()}: {top.process.verdict()}; and ideas transferred by {top.outcome.text()}: "
            f"{top.outcome.verdict()}."
        )


def meeting_label(number: int, step: int, kind: str, schedule: bool) -> str:
    """'Workshop 7 (month 27)' in the plain series; 'Meeting 2 (capacity-building training, month 7)' else."""
    if not schedule:
        return f"Workshop {number} (month {step})"
    return f"Meeting {number} ({meeting_word(kind)}, month {step})"


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
    content = params.issues.enabled  # influence on the process exists with the issue space
    parts = (PROCESS, OUTCOME) if content else ()
    full_parts = {name: [] for name in parts}
    without_parts = {name: [[] for _ in keys] for name in parts}
    done = 0
    for seed in seeds:
        if stop is not None and stop():
            return None
        full = simulate(_with(params, record=True, attribute=keys), seed).outcomes
        full_impact.append(full["impact"])
        for name in parts:
            full_parts[name].append(full[name])
        total.append(full["impact"] + full["rival_impact"])
        for i, key in enumerate(keys):
            chain[i].append(full[f"chain_impact_{Component.parse(key).slug}"])
        done += 1
        for i, key in enumerate(keys):
            if stop is not None and stop():
                return None
            removed = simulate(_with(params, removed=[key]), seed).outcomes
            without[i].append(removed["impact"])
            for name in parts:
                without_parts[name][i].append(removed[name])
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
    margin = abs(float(np.mean(full_impact))) * evaluation.DEFAULT_MARGIN_SHARE
    judged = evaluation.judge(
        np.column_stack([np.array(w) - np.array(full_impact) for w in without]),
        evaluation.Rule(margin=margin),
        shares["attribution_low"].to_numpy(dtype=float),
    )
    one_seed = len(seeds) == 1
    changes = {name: _changes(full_parts[name], without_parts[name], one_seed) for name in parts}
    meetings = []
    for i, key in enumerate(keys):
        number = int(Component.parse(key).name)
        if number > len(schedule):
            raise ConfigError(f"component {key!r}: the programme schedules {len(schedule)} meetings")
        step, _, kind = schedule[number - 1]
        row, share = contributions.iloc[i], shares.iloc[i]
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
                judged="" if one_seed else str(judged["verdict"].iloc[i]),
                margin=margin,
                process=changes[PROCESS][i] if content else None,
                outcome=changes[OUTCOME][i] if content else None,
            )
        )
    return RunEvaluation(settings, seeds, float(np.mean(full_impact)), tuple(meetings))


def _changes(full: list[float], without: list[list[float]], one_seed: bool) -> list[Change]:
    """Per meeting: the change when removed (paired over seeds), its interval and the rule's verdict.

    Judged as `tracktwo evaluate` judges any outcome (process_outcome.csv): Holm across the meetings at
    5%, paired t intervals, 'no effect' by two one-sided tests within 5% of the full programme's mean.
    """
    differences = np.column_stack([np.array(w, dtype=float) - np.array(full, dtype=float) for w in without])
    means = differences.mean(axis=0)
    if one_seed:
        return [Change(float(m)) for m in means]
    margin = abs(float(np.mean(full))) * evaluation.DEFAULT_MARGIN_SHARE
    judged = evaluation.judge(differences, evaluation.Rule(margin=margin))
    return [
        Change(float(row["change_when_removed"]), float(row["change_when_removed_low"]),
               float(row["change_when_removed_high"]), str(row["verdict"]))
        for _, row in judged.iterrows()
    ]  # fmt: skip


def evaluation_seeds(settings: Settings, count: int = EVALUATION_SEEDS) -> range:
    """The seeds an evaluation over several seeds runs: `count` from the current one."""
    return range(settings.seed, settings.seed + count)
