"""Families of components: what a question about "which part mattered" ranges over, read from a built model.

A family is a list of (key, label) pairs of removable components (model/components.py): the
meetings funded, the schedule's events, its formats, the routes into Track One, the participants,
or the groups of an actor-map column. Some families need the model built (who the cohort is, who
took part in the programme's run on a seed), so they live here, above both the components and the model.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.components import (
    Component,
    actor_components,
    event_label,
    group_components,
    label,
    schedule,
    workshop_components,
)
from tracktwo.model.model import TrackTwoModel
from tracktwo.model.params import ROUTE_COMPONENTS, ConfigError, Params

__all__ = ["FAMILIES", "family", "is_family"]


FAMILIES = ("workshops", "events", "formats", "routes", "participants", "groups:COLUMN")


def is_family(name: str) -> bool:
    """Whether `name` names a family of components (``groups:`` needs a column after it)."""
    return name in FAMILIES[:-1] or (name.startswith("groups:") and bool(name.partition(":")[2]))


def family(params: Params, name: str, seed: int = 0) -> list[tuple[str, str]]:
    """A family of components as (key, label) pairs.

    ``workshops``: every meeting funded; ``events``: every entry of the main programme's schedule;
    ``formats``: each format the schedule uses; ``routes``: each route into Track One a run can close
    (``via_middle_range`` only with middle-range leaders in the population);
    ``participants`` are the fixed cohort, else everyone who took part in the programme's run on
    `seed`; ``groups:COLUMN`` are the values of an actor-map column (or ``kind``) among the
    actors the programme could invite. ConfigError for an unknown family or column.
    """
    probe = TrackTwoModel(params, seed)
    population = probe.population
    if name == "workshops":
        meetings = probe.programme.meetings_scheduled()
        found = workshop_components(len(meetings))
        if params.programme.events is not None or params.initiatives:  # a schedule: say which meeting is which
            return [
                (c.key, f"Meeting {c.name}: {kind.replace('_', ' ')}, {name}, month {step}")
                for c, (step, name, kind) in zip(found, meetings, strict=True)
            ]
    elif name == "events":
        return [(f"event:{n}", event_label(n, e)) for n, e in enumerate(schedule(params), start=1)]
    elif name == "formats":
        used = dict.fromkeys(e.format for e in schedule(params))
        found = [Component.parse(f"format:{f}") for f in used]
    elif name == "routes":
        carried = probe.members["middle_range"].size > 0  # without middle-range leaders their route is not a part
        found = [Component.parse(f"route:{r}") for r in ROUTE_COMPONENTS if carried or r != "via_middle_range"]
    elif name == "participants":
        if probe.series.cohort is not None:
            who = probe.series.cohort
        else:
            probe.run()
            who = np.flatnonzero(probe.series.participated)
        found = actor_components([population.ids[i] for i in who.tolist()])
    elif name.startswith("groups:") and name.partition(":")[2]:
        invitable = np.isin(probe.kind_of, list(probe.series.mix))
        if probe.series.cohort is not None:
            invitable = np.zeros(invitable.size, dtype=bool)
            invitable[probe.series.cohort] = True
        found = group_components(population, name.partition(":")[2], invitable)
    else:
        raise ConfigError(f"components: {name!r} is not a family; choose from {', '.join(FAMILIES)}")
    return [(c.key, label(c, population)) for c in found]
