"""What the model reports: a per-step snapshot (the time series) and the per-run outcomes.

Metrics read a run through :class:`Observable`: the idea record, the workshop series, ripeness,
the population and a few summaries the model computes, nothing else.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from mesa import DataCollector
from tracktwo.model.agents import AGENT_CLASSES
from tracktwo.model.components import schedule
from tracktwo.model.ideas import AUTHOR, ORIGINS, SEEDED
from tracktwo.model.kernels.metrics import track_figures
from tracktwo.model.outcomes import (
    CHAIN_PREFIXES,
    COMPUTERS,
    ISSUE_PREFIXES,
    OUTCOMES,
    RIVAL_ORIGINS,
    ROUTES,
    computes,
)
from tracktwo.model.params import BEHAVIOURS, Params
from tracktwo.model.record import Record, chain_attribution, uptake_attribution
from tracktwo.model.voice import snake as _snake

if TYPE_CHECKING:
    from tracktwo.model.ideas import IdeaStore
    from tracktwo.model.initiatives import Programmes
    from tracktwo.model.issues import IssueSpace
    from tracktwo.model.network import Population
    from tracktwo.model.ripeness import RipenessProcess
    from tracktwo.model.workshops import WorkshopRecord, WorkshopSeries

__all__ = [
    "AGENT_REPORTERS",
    "GROUP_COLUMN_MAX_VALUES",
    "INCLUSION_PREFIXES",
    "TIMESERIES_COLUMNS",
    "TRACK_OF",
    "Observable",
    "SnapshotCollector",
    "chain_outcomes",
    "idea_outcomes",
    "inclusion",
    "issue_outcomes",
    "meeting_outcomes",
    "outcomes",
    "programme_outcomes",
    "relationship_outcomes",
    "ripeness_outcomes",
    "rival_outcomes",
    "route_outcomes",
    "step_snapshot",
]


class Observable(Protocol):
    """What metrics read from a run."""

    ideas: IdeaStore  # every idea, who holds it, the adoption record, entries into Track One
    series: WorkshopSeries  # workshops held, who took part, leaks
    programme: Programmes  # the initiatives, their events and the outcomes beyond Track One
    ripeness: RipenessProcess  # windows opened, current hazard
    ripe_history: list[bool]  # Track One ripe, per step so far
    population: Population  # kinds, sides and map columns of the actors
    members: dict[str, np.ndarray]  # actors of each behaviour
    per_track_member: np.ndarray  # 1 / actors in each track (NaN for an empty track)
    n_sides: int
    initial_trust: np.ndarray  # (actors x sides) trust at the start
    cross_side_ties_created: int
    officials_wary: bool
    snapshot_row: list[float]  # the time-series row of the step just run (TIMESERIES_COLUMNS' values)
    snapshot: dict[str, float]  # the same row by column
    params: Params
    record: Record | None  # the full record (evaluation.record), else None
    issues: IssueSpace | None  # the issue space (issues.enabled), else None

    def cross_side_trust(self, trust: np.ndarray | None = None) -> np.ndarray:
        """Each actor's mean trust of the other sides."""

    def mean_cross_side_trust(self) -> float:
        """The mean of cross_side_trust (NaN with one side)."""

    def advocates_made(self) -> int:
        """Non-officials whose standing was raised to the credible level."""


TRACK_OF = {behaviour: AGENT_CLASSES[behaviour].track for behaviour in BEHAVIOURS}  # in BEHAVIOURS order
TIMESERIES_COLUMNS: tuple[str, ...] = (
    "ripe",
    "opening_hazard",
    "workshop",
    "candour",
    "leak",
    "officials_wary",
    "new_ideas",
    "ideas_generated",
    "adoptions",
    "new_transfers",
    "ideas_transferred",
    "ideas_in_circulation",
    *(f"ideas_held_{track}" for track in TRACK_OF.values()),
    *(f"reach_{track}" for track in TRACK_OF.values()),
    "mean_cross_side_trust",
    "cross_side_ties_created",
)


AGENT_REPORTERS: dict[str, str] = {  # Mesa agent reporters: each actor's row of the model's arrays
    "kind": "kind",
    "side": "side",
    "standing": "standing",
    "trust": "trust",
    "ideas_held": "ideas_held",
}


def _snapshot_value(model: Observable, column: str) -> float:
    return model.snapshot[column]


def _outcome_value(model, name: str) -> float:
    return model.outcomes()[name]


class _RunOutcome(Sequence):
    """A model reporter column for one of the run's outcomes, one entry per step collected.

    Outcomes describe the run so far, and computing them every month would cost more than the
    month itself: the entry of the latest step is computed when read (once per step, shared by
    every outcome), earlier entries are NaN. So ``mesa.batch_run`` (which reads the last step)
    and a DataCollector table read after the run carry the run's outcomes, at no cost to a run
    that never reads them.
    """

    def __init__(self, model, name: str, length_of: list) -> None:
        self._model, self._name, self._length_of = model, name, length_of

    def __len__(self) -> int:
        return len(self._length_of)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError(index)
        return _outcome_value(self._model, self._name) if position == size - 1 else math.nan


class _AgentsNow(Mapping):
    """Agent records for Mesa's agent reporters: the actors as they are now, read when asked for.

    Keyed by the current step (``mesa.batch_run`` reads ``model.steps - 1``, which gives the same
    records). Reading creates the model's Mesa agents if nobody asked for them before.
    """

    def __init__(self, model, collector: DataCollector) -> None:
        self._model, self._collector = model, collector
        self._cache: tuple[int, list[tuple]] | None = None

    def _records(self) -> list[tuple]:
        step = self._model.steps
        if self._cache is None or self._cache[0] != step:
            reporters = list(self._collector.agent_reporters.values())
            records = [(step, agent.unique_id, *(r(agent) for r in reporters)) for agent in self._model.actors]
            self._cache = (step, records)
        return self._cache[1]

    def __getitem__(self, step: int) -> list[tuple]:
        if self._model.steps > 0 and step in (self._model.steps, self._model.steps - 1):
            return self._records()
        raise KeyError(step)

    def __iter__(self):
        return iter([self._model.steps] if self._model.steps > 0 else [])

    def __len__(self) -> int:
        return int(self._model.steps > 0)


class SnapshotCollector(DataCollector):
    """Mesa's DataCollector, fed the step's ready-made snapshot row, with the run's outcomes and agents.

    It has one reporter per time-series column, so everything that reads a Mesa DataCollector
    works, but collecting appends the row's values directly: the row is computed once per step
    from shared arrays, and its values are fresh numbers, so no reporter calls or deep copies.
    Every declared outcome not named like a time-series column is a model reporter too (its value
    at the latest step is computed when read), and, with ``agents``, the agent reporters (kind,
    side, standing, trust of the other sides, ideas held) read the actors' arrays when read:
    neither costs a run anything until someone reads it.
    """

    def __init__(self, model=None, agents: bool = False) -> None:
        reporters = {c: functools.partial(_snapshot_value, column=c) for c in TIMESERIES_COLUMNS}
        run_level = [name for name in OUTCOMES if name not in reporters]
        reporters.update({name: functools.partial(_outcome_value, name=name) for name in run_level})
        with_agents = model is not None and agents
        super().__init__(model_reporters=reporters, agent_reporters=AGENT_REPORTERS if with_agents else None)
        self._lists = [self.model_vars[c] for c in TIMESERIES_COLUMNS]  # each column's list, in the row's order
        self._steps = getattr(self, "_collection_steps", None)  # Mesa 3.4+ only
        if model is not None:
            first = self.model_vars[TIMESERIES_COLUMNS[0]]
            for name in run_level:
                self.model_vars[name] = _RunOutcome(model, name, first)
            if with_agents:
                self._agent_records = _AgentsNow(model, self)
        else:
            for name in run_level:
                del self.model_vars[name], self.model_reporters[name]

    def collect(self, model: Observable) -> None:
        """Append the step's snapshot row (and, on Mesa 3.4+, its time, which batch_run reads rows by)."""
        for values, value in zip(self._lists, model.snapshot_row, strict=True):
            values.append(value)
        collected = self._steps
        if collected is not None:
            collected.append(getattr(model, "time", model.steps))


def step_snapshot(
    model: Observable, workshop: WorkshopRecord | None, adoptions: int, transferred: np.ndarray
) -> list[float]:
    """The time-series row for the step just run (TIMESERIES_COLUMNS' values, in order), from counts kept as it goes.

    Ideas held and members reached are counted per (track, side) group; a track's figure is the sum over
    its sides (whole numbers) times 1 / its actors (NaN for an empty track), in one kernel.
    """
    ideas = model.ideas
    circulating, figures = track_figures(ideas.group_holders, ideas.count, ideas.group_reached, model.per_track_member)
    if workshop is None:
        meeting = [0, math.nan, 0]
        made = 0
    else:
        meeting = [1, workshop.candour, int(workshop.leaked)]
        made = int(workshop.ideas.size)
    row = [int(model.ripe_history[-1]), model.ripeness.hazard, *meeting, int(model.officials_wary), made]
    row += (ideas.generated, adoptions, int(transferred.size), ideas.entered_count, circulating)  # held in some group
    row += figures.tolist()
    row += (model.mean_cross_side_trust(), model.cross_side_ties_created)
    return row


def _mean(values: np.ndarray) -> float:
    if not values.size:
        return math.nan
    return float(np.add.reduce(values) / values.size) if values.dtype.kind == "f" else float(values.mean())


def outcomes(model: Observable) -> dict[str, float]:
    """The brief's per-run outcomes, flat and snake_case; NaN where undefined (no ideas, no transfers).

    Each outcome is computed by the function declared with it (``@computes``, model/outcomes.py),
    in the order they are declared here.
    """
    result: dict[str, float] = {}
    for computer in COMPUTERS:
        result.update(computer.function(model))
    return result


def _entered(model: Observable) -> tuple[np.ndarray, np.ndarray]:
    """(generated, entered): the workshop ideas, and those of them that entered Track One."""
    ideas = model.ideas
    n = ideas.count
    generated = ideas.origin_workshop[:n] >= 0
    return generated, (ideas.entered_step[:n] >= 0) & generated


@computes(
    "ideas_generated",
    "mean_novelty_generated",
    "ideas_transferred",
    "transfer_rate",
    "mean_novelty_transferred",
    "impact",
    "any_transfer",
    "time_to_first_transfer",
)
def idea_outcomes(model: Observable) -> dict[str, float]:
    """The workshops' ideas: how many, how novel, how many entered Track One and when the first did."""
    ideas = model.ideas
    generated, entered = _entered(model)
    novelty = ideas.novelty[: ideas.count]
    first_transfer = ideas.entered_step[: ideas.count][entered]
    return {
        "ideas_generated": int(generated.sum()),
        "mean_novelty_generated": _mean(novelty[generated]),
        "ideas_transferred": int(entered.sum()),
        "transfer_rate": float(entered.sum() / generated.sum()) if generated.any() else math.nan,
        "mean_novelty_transferred": _mean(novelty[entered]),
        "impact": float(novelty[entered].sum()),
        "any_transfer": int(entered.any()),
        "time_to_first_transfer": float(first_transfer.min()) if first_transfer.size else math.nan,
    }


@computes(
    "ripe_windows",
    "share_time_ripe",
    "transfers_in_ripe_windows",
    "share_transfers_in_ripe_windows",
    "transfers_per_ripe_step",
    "transfers_per_unripe_step",
)
def ripeness_outcomes(model: Observable) -> dict[str, float]:
    """Track One's ripe moments, and the entries that fell in them."""
    _, entered = _entered(model)
    ripe = np.array(model.ripe_history, dtype=bool)
    steps = ripe.size
    entered_ripe = model.ideas.entered_ripe[: model.ideas.count][entered]
    ripe_steps = int(ripe.sum())
    return {
        "ripe_windows": model.ripeness.windows_opened,
        "share_time_ripe": float(ripe.mean()) if steps else math.nan,
        "transfers_in_ripe_windows": int(entered_ripe.sum()),
        "share_transfers_in_ripe_windows": _mean(entered_ripe.astype(float)),
        "transfers_per_ripe_step": entered_ripe.sum() / ripe_steps if ripe_steps else math.nan,
        "transfers_per_unripe_step": (~entered_ripe).sum() / (steps - ripe_steps) if steps > ripe_steps else math.nan,
    }


@computes("trust_change", "official_trust_change", "cross_side_ties_created", "grassroots_reach")
def relationship_outcomes(model: Observable) -> dict[str, float]:
    """Trust across the sides, the ties workshops made, and how far Track Two ideas reached the grassroots."""
    trust_change = model.cross_side_trust() - model.cross_side_trust(model.initial_trust)
    series = model.series
    grassroots = model.members["grassroots"]
    outside = grassroots[~series.participated[grassroots]]  # the public beyond the workshops
    _, actors, _, sources = model.ideas.adoption_log()
    reached = np.zeros(series.participated.size, dtype=bool)
    reached[actors[sources != SEEDED]] = True
    return {
        "trust_change": _mean(trust_change),
        "official_trust_change": _mean(trust_change[model.members["official"]]),
        "cross_side_ties_created": model.cross_side_ties_created,
        "grassroots_reach": float(reached[outside].mean()) if outside.size else math.nan,
    }


@computes("workshops_held", "leaks", "mean_candour", "participants", "credible_advocates_made")
def meeting_outcomes(model: Observable) -> dict[str, float]:
    """The meetings held: how many, their leaks and candour, who took part and who became a credible advocate."""
    series = model.series
    workshops = series.records
    return {
        "workshops_held": len(workshops),
        "leaks": series.leaks,
        "mean_candour": _mean(np.array([w.candour for w in workshops])),
        "participants": int(series.participated.sum()),
        "credible_advocates_made": model.advocates_made(),
    }


@computes(*(f"transfers_{route}" for route in ROUTES))
def route_outcomes(model: Observable) -> dict[str, float]:
    """The workshop ideas that entered Track One, by the route that carried them."""
    _, entered = _entered(model)
    routes = [model.ideas.routes[i] for i in np.flatnonzero(entered).tolist()]
    return {f"transfers_{route}": routes.count(route) for route in ROUTES}


@computes(*(f"transfers_from_{origin}" for origin in RIVAL_ORIGINS), "rival_impact", "share_impact_from_programme")
def rival_outcomes(model: Observable) -> dict[str, float]:
    """Transfers from rival sources, their impact, and the share of all impact attributable to the programme."""
    ideas = model.ideas
    n = ideas.count
    _, programme = _entered(model)
    programme_impact = float(ideas.novelty[:n][programme].sum())
    entered = ideas.entered_step[:n] >= 0
    origin = ideas.origin[:n]
    result: dict[str, float] = {}
    rival_impact = 0.0
    for name in RIVAL_ORIGINS:
        mine = entered & (origin == ORIGINS.index(name))
        result[f"transfers_from_{name}"] = int(mine.sum())
        rival_impact += float(ideas.novelty[:n][mine].sum())
    result["rival_impact"] = rival_impact
    total = programme_impact + rival_impact
    result["share_impact_from_programme"] = programme_impact / total if total > 0 else math.nan
    return result


@computes(families=tuple(prefix for prefix, _, _ in CHAIN_PREFIXES))
def chain_outcomes(model: Observable) -> dict[str, float]:
    """The transferred ideas and impact whose chains pass through each component (full record and attribute on).

    The chains of the outcomes beyond Track One too (issue 25).
    """
    if model.record is None or not model.params.evaluation.attribute:
        return {}
    ideas = model.ideas
    result = chain_attribution(
        model.record,
        ideas,
        model.params.evaluation.attribute,
        model.population,
        model.series.participated,
        model.programme.footprints or {},
        [event.format for event in schedule(model.params)],
    )
    uptake = model.programme.uptake  # chains of the outcomes beyond Track One, through meetings (issue 25)
    result.update(
        uptake_attribution(
            ideas, model.params.evaluation.attribute, uptake.track_1_5, uptake.track_three, uptake.agreed
        )
    )
    return result


GROUP_COLUMN_MAX_VALUES = 8
INCLUSION_PREFIXES = ("participant_share_", "author_share_", "authorship_share_", "seat_share_")


@computes(families=INCLUSION_PREFIXES)
def inclusion(model: Observable) -> dict[str, float]:
    """Share of each group among participants and among authors of ideas that entered Track One.

    Groups: actor kind, and every actor-map column with at most GROUP_COLUMN_MAX_VALUES values
    (gender, civil society, region, ...), so a designer sees whether inclusion is real or token.
    """
    ideas = model.ideas
    n = ideas.count
    _, entered = _entered(model)
    authored = (ideas.source[:, :n] == AUTHOR) & (ideas.first_adopted[:, :n] >= 0)
    participants = model.series.participated
    authors = authored[:, entered].any(axis=1) if entered.any() else np.zeros(participants.size, dtype=bool)
    authorships = authored[:, entered].sum(axis=1)  # ideas in Track One each actor co-authored (voice: model/voice.py)
    records = model.series.records
    seats = (
        np.bincount(np.concatenate([r.participants for r in records]), minlength=participants.size) if records else 0
    )
    groups = {"kind": np.asarray(model.population.kinds, dtype=object)}
    for column, values in model.population.extra.items():
        if len(set(values)) <= GROUP_COLUMN_MAX_VALUES:
            groups[_snake(column)] = np.asarray(values, dtype=object)
    shares: dict[str, float] = {}
    for column, values in groups.items():
        for value in sorted(set(values.tolist())):
            member = values == value
            key = f"{column}_{_snake(str(value))}"
            shares[f"participant_share_{key}"] = float(member[participants].mean()) if participants.any() else math.nan
            shares[f"author_share_{key}"] = float(member[authors].mean()) if authors.any() else math.nan
            total = authorships.sum()
            shares[f"authorship_share_{key}"] = float(authorships[member].sum() / total) if total else math.nan
            filled = seats.sum() if records else 0
            shares[f"seat_share_{key}"] = float(seats[member].sum() / filled) if filled else math.nan
    return shares


@computes(
    "transfers_track_1_5",
    "transfers_track_three",
    "local_agreements",
    "third_party_reputation",
    "series_ended",
    "funding_withdrawn",
    "invitations_declined",
    "duplicate_ideas",
    "trainings_held",
    "knowledge_products",
    "exposure_trips",
    "proscribed_engaged",
    families=("ideas_transferred_initiative_", "impact_initiative_"),
)
def programme_outcomes(model: Observable) -> dict[str, float]:
    """The outcomes beyond Track One, of the third parties, formats and initiatives (model/initiatives.py)."""
    return model.programme.outcomes()


@computes(
    "influence_on_process",
    "agenda_breadth",
    "mean_emergent_novelty_transferred",
    families=tuple(prefix for prefix, _, _ in ISSUE_PREFIXES),
)
def issue_outcomes(model: Observable) -> dict[str, float]:
    """Influence on the process and outcome transfer per side and dimension, the agenda of what entered."""
    if model.issues is None:
        return {"influence_on_process": 0.0, "agenda_breadth": math.nan, "mean_emergent_novelty_transferred": math.nan}
    return model.issues.outcomes(model.population.side_labels)
