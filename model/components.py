"""Components of a programme, by key, for evaluation: what a counterfactual run removes, and who belongs to what.

A component key is ``workshop:N`` (the N-th meeting scheduled in the run, counted from 1: with a
programme schedule or several initiatives, meetings of every initiative in the order they fall),
``event:N`` (the N-th entry of the main programme's schedule, ``programme.events``; the regular
series is entry 1), ``format:FORMAT`` (every entry of that format in the main programme),
``route:ROUTE`` (a route into Track One, closed), ``actor:ID`` (one actor, never invited) or
``group:COLUMN=VALUE`` (every actor whose actor-map column, or ``kind``, has that value, never
invited). Removing a workshop, an event or a format skips what it holds (the schedule keeps its
steps and the run its meeting numbering); removing actors gives their seats to the next people by
the same keyed priorities; closing a route takes one channel away (model.model.TrackTwoModel:
``route:via_elites``/``via_autonomous``/``via_middle_range``: those carriers have no credibility with officials;
``via_track_three``: grassroots pass no ideas on; ``via_track_1_5``: officials in a meeting take
none of its ideas). So a counterfactual run differs from the programme only where the removed
part reached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tracktwo.model.formats import FORMATS
from tracktwo.model.network import Population
from tracktwo.model.outcomes import KIND_LABELS, ROUTE_LABELS
from tracktwo.model.params import ConfigError, Event, Params

__all__ = [
    "GROUP_BY_KIND",
    "Component",
    "Removal",
    "actor_components",
    "column_fragment",
    "column_values",
    "distinct_fragments",
    "event_label",
    "group_components",
    "label",
    "members",
    "removal",
    "schedule",
    "workshop_components",
]

GROUP_BY_KIND = "kind"


@dataclass(frozen=True)
class Component:
    """One component: its key, what kind of thing it is, and what it names."""

    key: str
    kind: str  # workshop, actor or group
    name: str  # the workshop number (from 1), the actor id, or COLUMN=VALUE

    @classmethod
    def parse(cls, key: str) -> Component:
        """The component a key names (its syntax is checked by Params)."""
        kind, _, name = key.partition(":")
        return cls(key, kind, name)

    @property
    def slug(self) -> str:
        """The key as a column-name fragment: workshop_7, actor_A012, group_gender_f (column_fragment)."""
        return column_fragment(self.key)


def column_fragment(key: str) -> str:
    """A component key (or any label) as a column-name fragment, never the same for two distinct keys.

    Letters, digits and underscores are kept and the key's own separators (its first ':' and '=')
    become '_': group:gender=f -> group_gender_f. Any other character also becomes '_', and then a
    short hash of the whole key is appended (north-east -> ..._north_east_x1f2e3a), so north-east
    and north_east stay two columns. `distinct_fragments` refuses the rare pair this cannot split.
    """
    kind, colon, rest = key.partition(":")
    column, equals, value = rest.partition("=")
    parts = [kind, column, value] if equals else [kind, rest] if colon else [key]
    lossy = False
    cleaned = []
    for part in parts:
        text = "".join(c if c.isalnum() or c == "_" else "_" for c in part)
        lossy = lossy or text != part or not part.isascii()
        cleaned.append(text)
    fragment = "_".join(cleaned).strip("_")
    if lossy or not fragment:
        fragment = f"{fragment}_x{hashlib.sha1(key.encode('utf-8')).hexdigest()[:7]}"
    return fragment


def distinct_fragments(keys: Sequence[str]) -> dict[str, str]:
    """Each key's column fragment; ConfigError naming both keys if two distinct keys would share a column."""
    seen: dict[str, str] = {}
    for key in dict.fromkeys(keys):
        fragment = column_fragment(key)
        if fragment in seen:
            raise ConfigError(
                f"components {seen[fragment]!r} and {key!r} would share the column {fragment!r}; "
                "rename one of the values in the actor map"
            )
        seen[fragment] = key
    return {key: fragment for fragment, key in seen.items()}


def column_values(population: Population, column: str) -> np.ndarray:
    """Each actor's value of an actor-map column (or its kind), as strings; ConfigError naming the known columns."""
    if column == GROUP_BY_KIND:
        return np.asarray(population.kinds, dtype=object)
    if column not in population.extra:
        known = ", ".join([GROUP_BY_KIND, *population.extra])
        raise ConfigError(f"group column {column!r} is not in the actor map; known columns: {known}")
    return np.asarray([str(v) for v in population.extra[column]], dtype=object)


def members(component: Component, population: Population) -> np.ndarray:
    """Actors (a boolean mask) an actor or group component names; ConfigError if it names nobody known."""
    if component.kind == "actor":
        if component.name not in population.ids:
            raise ConfigError(f"component {component.key!r}: no actor has id {component.name!r}")
        return np.asarray(population.ids, dtype=object) == component.name
    column, _, value = component.name.partition("=")
    return column_values(population, column) == value


@dataclass(frozen=True)
class Removal:
    """What ``evaluation.removed`` takes out of a run: meetings, schedule entries, formats, routes, actors."""

    workshops: frozenset[int]  # meeting numbers, from 0
    events: frozenset[int]  # entries of the main programme's schedule, from 0 (the regular series is entry 0)
    formats: frozenset[str]  # formats the main programme does not hold
    routes: frozenset[str]  # routes into Track One closed
    excluded: np.ndarray  # actors never invited (a mask)

    def skips(self, index: int, fmt: str) -> bool:
        """Whether the main programme's schedule entry `index` (of format `fmt`) is not held."""
        return index in self.events or fmt in self.formats


def removal(params: Params, population: Population) -> Removal:
    """What ``evaluation.removed`` takes out of the programme."""
    found: dict[str, set] = {"workshop": set(), "event": set(), "format": set(), "route": set()}
    excluded = np.zeros(len(population.ids), dtype=bool)
    for key in params.evaluation.removed:
        component = Component.parse(key)
        if component.kind in ("workshop", "event"):
            found[component.kind].add(int(component.name) - 1)
        elif component.kind in ("format", "route"):
            found[component.kind].add(component.name)
        else:
            excluded |= members(component, population)
    return Removal(
        frozenset(found["workshop"]),
        frozenset(found["event"]),
        frozenset(found["format"]),
        frozenset(found["route"]),
        excluded,
    )


def workshop_components(meetings: int) -> list[Component]:
    """Every meeting the programme schedules (the regular series: each workshop funded), as components."""
    return [Component.parse(f"workshop:{n}") for n in range(1, meetings + 1)]


def group_components(population: Population, column: str, invited: np.ndarray | None = None) -> list[Component]:
    """One component per value of a column, among the actors who could be invited (`invited`, default everyone)."""
    values = column_values(population, column)
    pool = values if invited is None else values[invited]
    return [Component.parse(f"group:{column}={value}") for value in sorted(set(pool.tolist()))]


def actor_components(ids: Sequence[str]) -> list[Component]:
    """One component per actor id."""
    return [Component.parse(f"actor:{actor}") for actor in ids]


def schedule(params: Params) -> list[Event]:
    """The main programme's schedule entries (``event:N`` is the N-th): its events, or the regular series as one."""
    if params.programme.events is not None:
        return list(params.programme.events)
    w = params.workshops
    return [Event(format="workshop", step=w.first_step, count=w.count, interval=w.interval)] if w.count else []


def event_label(number: int, event: Event) -> str:
    """'Event 2: 10 workshops (track1.5) from month 9'."""
    singular, plural = FORMATS[event.format].words
    what = f"1 {singular}" if event.count == 1 else f"{event.count} {plural}"
    mode = f" ({event.mode})" if event.mode else ""
    when = f"in month {event.step}" if event.count == 1 else f"from month {event.step}"
    return f"Event {number}: {what}{mode} {when}"


def label(component: Component, population: Population | None = None) -> str:
    """The component in the domain's words: 'Workshop 7', 'Elias (official, Northland)', 'gender: f'."""
    if component.kind == "workshop":
        return f"Workshop {component.name}"
    if component.kind == "event":
        return f"Event {component.name}"
    if component.kind == "format":
        return FORMATS[component.name].words[1].capitalize()
    if component.kind == "route":
        return ROUTE_LABELS[component.name]
    if component.kind == "actor":
        if population is not None and component.name in population.ids:
            return population.labels[population.ids.index(component.name)]
        return component.name
    column, _, value = component.name.partition("=")
    if column == GROUP_BY_KIND:
        return KIND_LABELS.get(value, value.replace("_", " ")).capitalize()
    return f"{column.replace('_', ' ')}: {value}"
