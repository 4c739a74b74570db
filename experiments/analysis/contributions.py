"""A programme's components evaluated as cooperative games: the families and the coalitions they need.

`tracktwo evaluate` (and `tracktwo.evaluate`) runs every coalition a family of components needs on common
seeds; this module plans those coalitions as sweep points. experiments.analysis.verdicts turns the runs
into the tables, verdicts and sentences.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass

import numpy as np
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.defaults import DEFAULT_OUTCOMES
from tracktwo.experiments.design import evaluation_checks
from tracktwo.experiments.messages import OptionError
from tracktwo.model import OUTCOMES, Params
from tracktwo.model.families import FAMILIES, family, is_family

__all__ = [
    "DEFAULT_OUTCOMES",
    "FAMILY_WORDS",
    "Family",
    "check_outcomes",
    "coalition_points",
    "family_words",
    "plan",
]


@dataclass
class Family:
    """One family of components evaluated together (one cooperative game): its keys, labels and coalitions."""

    name: str
    keys: list[str]
    labels: list[str]
    orders: np.ndarray | None  # sampled orders; None = exact
    coalitions: list[frozenset[int]]

    def removed(self, coalition: frozenset[int]) -> list[str]:
        """The keys a coalition leaves out (what its runs remove)."""
        return [key for i, key in enumerate(self.keys) if i not in coalition]


def plan(params: Params, names: list[str], orders: int, seed: int, replicates: int = 1) -> list[Family]:
    """The families asked for, each with its components and the coalitions its game needs."""
    evaluation_checks.check_settings(params)
    families = []
    for name in dict.fromkeys(names):
        if not is_family(name):
            raise OptionError("components", f"{name!r} is not a family; choose from {', '.join(FAMILIES)}")
        found = family(params, name, seed)
        if not found:
            raise OptionError("components", f"{name} has no components in this programme (nothing to evaluate)")
        keys, labels = [k for k, _ in found], [label for _, label in found]
        evaluation_checks.check_family_size(name, len(keys), orders, replicates)
        sampled = None if len(keys) <= evaluation.EXACT_MAX else evaluation.orders(len(keys), orders, seed)
        families.append(Family(name, keys, labels, sampled, evaluation.coalitions(len(keys), sampled)))
    evaluation_checks.check_columns([key for f in families for key in f.keys])
    for line in evaluation_checks.late_meetings(params, seed) if {"workshops", "events"} & set(names) else []:
        print(f"tracktwo evaluate: warning: {line}", file=sys.stderr)
    return families


def coalition_points(families: list[Family]) -> tuple[list[dict], dict[tuple[str, frozenset[int]], int]]:
    """Sweep points (overrides) for every coalition of every family, the full programme once, with its record on."""
    every_key = [key for f in families for key in f.keys]
    full = {"evaluation.removed": [], "evaluation.record": True, "evaluation.attribute": every_key}
    points: list[dict] = [full]
    index: dict[tuple[str, frozenset[int]], int] = {}
    seen = {json.dumps([], sort_keys=True): 0}
    for f in families:
        for coalition in f.coalitions:
            removed = f.removed(coalition)
            key = json.dumps(removed)
            if key not in seen:
                seen[key] = len(points)
                points.append({"evaluation.removed": removed})
            index[(f.name, coalition)] = seen[key]
    return points, index


def check_outcomes(names: list[str]) -> list[str]:
    """The outcomes asked for, each once, in order; ConfigError naming the first unknown one.

    Besides the declared outcomes, the issue space's per-dimension ones (influence_on_process_<side>_<dim>,
    outcome_transfer_<dim>, agenda_share_<dim>, generated_share_<dim>) are accepted here; their
    dimensions are checked against the config by evaluation_checks.check_issue_outcomes.
    """
    unknown = [n for n in names if n not in OUTCOMES and not n.startswith(evaluation_checks.ISSUE_FAMILIES)]
    if unknown:
        raise OptionError("outcomes", f"unknown outcome {unknown[0]!r}; known: {', '.join(OUTCOMES)}")
    return list(dict.fromkeys(names))


FAMILY_WORDS = {
    "workshops": "Meetings",
    "events": "Entries of the programme's schedule",
    "formats": "Formats",
    "routes": "Routes into Track One",
    "participants": "Participants",
}


def family_words(name: str) -> str:
    """A family in the domain's words, for a figure's title: 'Routes into Track One', 'Groups by gender'."""
    if name.startswith("groups:"):
        return f"Groups by {name.partition(':')[2].replace('_', ' ')}"
    return FAMILY_WORDS.get(name, name)
