"""A programme's components evaluated as cooperative games: the plan of coalitions, the tables, the verdicts.

`tracktwo evaluate` (and `tracktwo.evaluate`) runs every coalition a family of components needs on common
seeds; this module plans those coalitions and turns the runs into the tidy evaluation table (attribution,
contribution and Shapley value per component and outcome), the total effects and plain-language sentences.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import evaluation
from tracktwo.model import OUTCOMES, ConfigError, Params, outcome_label
from tracktwo.model.components import Component, family

__all__ = [
    "DEFAULT_OUTCOMES",
    "FAMILY_WORDS",
    "Family",
    "check_outcomes",
    "coalition_points",
    "family_words",
    "plan",
    "sentence",
    "tables",
    "verdict",
]

DEFAULT_OUTCOMES = ("impact", "ideas_transferred")


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


def plan(params: Params, names: list[str], orders: int, seed: int) -> list[Family]:
    """The families asked for, each with its components and the coalitions its game needs."""
    families = []
    for name in dict.fromkeys(names):
        found = family(params, name, seed)
        if not found:
            raise ConfigError(f"--components: {name} has no components in this programme (nothing to evaluate)")
        keys, labels = [k for k, _ in found], [label for _, label in found]
        sampled = None if len(keys) <= evaluation.EXACT_MAX else evaluation.orders(len(keys), orders, seed)
        families.append(Family(name, keys, labels, sampled, evaluation.coalitions(len(keys), sampled)))
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
    """The outcomes asked for, each once, in order; ConfigError naming the first unknown one."""
    unknown = [n for n in names if n not in OUTCOMES]
    if unknown:
        raise ConfigError(f"--outcomes: unknown outcome {unknown[0]!r}; known: {', '.join(OUTCOMES)}")
    return list(dict.fromkeys(names))


def tables(
    runs: pd.DataFrame, families: list[Family], index: dict, outcomes: list[str], seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy evaluation table (a row per component and outcome) and the total effects (per family and outcome)."""
    finished = runs[runs["status"] == "finished"]
    rows, totals = [], []
    full = finished[finished["point"] == 0].sort_values("replicate")
    total_impact = (full["impact"] + full["rival_impact"]).to_numpy()
    for f in families:
        slugs = [Component.parse(k).slug for k in f.keys]
        shares = evaluation.attribution([full[f"chain_impact_{s}"].to_numpy() for s in slugs], total_impact)
        idea_total = full["ideas_transferred"] + full["transfers_from_track_one"] + full["transfers_from_outside"]
        idea_shares = evaluation.attribution(
            [full[f"chain_ideas_{s}"].to_numpy() for s in slugs], idea_total.to_numpy()
        )
        for outcome in outcomes:
            table = finished.pivot_table(index="point", columns="replicate", values=outcome, aggfunc="first")
            points = {c: index[(f.name, c)] for c in f.coalitions}
            table = table.loc[sorted(set(points.values()))].dropna(axis=1)  # replicates where every coalition ran
            game = evaluation.Game(len(f.keys), {c: table.loc[p].to_numpy(dtype=float) for c, p in points.items()})
            effect = game.total_effect()
            shapley = evaluation.shapley(game, f.orders, seed=seed)
            contribution = evaluation.contributions(game)
            interval = evaluation.mean_interval(effect)
            totals.append(
                {
                    "family": f.name,
                    "outcome": outcome,
                    "total_effect": interval.estimate,
                    "total_effect_low": interval.low,
                    "total_effect_high": interval.high,
                    "with_programme": float(game.value(game.everyone).mean()),
                    "without_components": float(game.value(frozenset()).mean()),
                    "replicates": table.shape[1],
                    "shapley_sum": float(shapley["shapley"].sum()),
                }
            )
            merged = shapley.merge(contribution, on="player").merge(shares, on="player")
            merged = merged.merge(
                idea_shares.rename(columns=lambda c: c.replace("attribution", "attribution_ideas")), on="player"
            )
            for row in merged.to_dict("records"):
                i = row.pop("player")
                rows.append(
                    {
                        "family": f.name,
                        "component": f.keys[i],
                        "label": f.labels[i],
                        "outcome": outcome,
                        **row,
                        "replicates": table.shape[1],
                    }
                )
    return pd.DataFrame(rows), pd.DataFrame(totals)


def _excludes_zero(low: float, high: float) -> bool:
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))


def verdict(row: pd.Series) -> str:
    """contributed, merely on the chain, or neither (from the intervals)."""
    if _excludes_zero(row["contribution_low"], row["contribution_high"]):
        return "contributed"
    if row["attribution"] > 0 and np.isfinite(row["attribution_low"]) and row["attribution_low"] > 0:
        return "merely on the chain"
    return "no clear effect"


def sentence(row: pd.Series) -> str:
    """'Workshop 7 is on the chain of 40% of transferred impact, but removing it changes ... by only ...'."""
    what = outcome_label(row["outcome"]).lower()
    share = "-" if not np.isfinite(row["attribution"]) else f"{row['attribution']:.0%}"
    change = f"{-row['contribution']:+.2f} [{-row['contribution_high']:+.2f}, {-row['contribution_low']:+.2f}]"
    shapley = f"{row['shapley']:+.2f} [{row['shapley_low']:+.2f}, {row['shapley_high']:+.2f}]"
    route = str(row["component"]).startswith("route:")
    if route:
        head = f"{row['label']} carried {share} of transferred impact; closing it changes {what} by {change}"
    else:
        head = f"{row['label']} is on the chain of {share} of transferred impact; removing it changes {what} by"
        head += f" {change}"
    tail = {
        "contributed": ": it contributed",
        "merely on the chain": (
            ": the other routes would have carried the same ideas (no clear contribution)"
            if route
            else ": others would have carried the same ideas (on the chain, no clear contribution)"
        ),
        "no clear effect": ": no clear effect either way",
    }[verdict(row)]
    return f"{head}{tail}; its Shapley share of the total effect is {shapley}."


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
