"""Choosing whom to invite: greedy selection with lazy evaluation (CELF), then swaps, under constraints.

The objective is the expected value of an outcome (impact by default) of a workshop series whose
cohort is the chosen group, estimated by Monte Carlo over common seeds. Greedy selection adds,
seat by seat, the feasible actor with the largest marginal gain; CELF keeps every candidate's
last gain as an upper bound and only re-evaluates those that could still be the best, which is
what makes it fast (Leskovec et al. 2007). Impact is not submodular (an idea needs enough
carriers on every side), so greedy can stop short of the best group: a local search then tries
swapping each invitee for each feasible outsider and keeps any swap that raises the objective,
until a full pass finds none (a 1-swap local optimum) or the pass budget runs out. Constraints are
rules over actor attributes (at least a share per side, quotas, caps); a candidate is feasible
only if the group can still be completed to a group that meets them all.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from tracktwo.experiments.analysis.stats import Interval, mean_interval
from tracktwo.experiments.design.config import read_yaml
from tracktwo.experiments.design.sweepfile import SweepSpec
from tracktwo.experiments.engine.runner import Session
from tracktwo.model import ConfigError

__all__ = [
    "GROWTH_TOLERANCE_SE",
    "RANDOM_GROUPS",
    "Constraints",
    "Objective",
    "Pick",
    "Quota",
    "Rule",
    "build_rules",
    "celf",
    "cohort_point",
    "compare_groups",
    "complete",
    "eligible",
    "explain_infeasible",
    "group_evaluator",
    "improve_by_swaps",
    "invitation_table",
    "load_constraints",
    "picks_along",
    "random_feasible_group",
    "satisfies",
    "selection_spec",
]


class Quota(BaseModel):
    """A rule on how many invitees have attribute == value: minimum and/or maximum, as counts or shares."""

    model_config = ConfigDict(extra="forbid")
    attribute: str = Field(description="An actor-map column (kind, side, gender, civil_society, ...).")
    value: str = Field(description="The value that counts, compared as text.")
    min_count: int | None = Field(None, ge=0)
    max_count: int | None = Field(None, ge=0)
    min_share: float | None = Field(None, ge=0, le=1)
    max_share: float | None = Field(None, ge=0, le=1)

    @field_validator("value", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError("YAML read this as true/false: quote it, e.g. value: 'yes'")
        return str(value) if isinstance(value, int | float) else value

    @model_validator(mode="after")
    def _some_bound(self) -> Quota:
        if all(v is None for v in (self.min_count, self.max_count, self.min_share, self.max_share)):
            raise ValueError("a quota needs min_count, max_count, min_share or max_share")
        return self


class Constraints(BaseModel):
    """Constraints on the invitation list (a YAML file given with --constraints)."""

    model_config = ConfigDict(extra="forbid")
    min_side_share: float = Field(0.0, ge=0, le=1, description="Every side gets at least this share of seats.")
    quotas: list[Quota] = Field(default_factory=list)
    eligible_kinds: list[str] | None = Field(None, description="Only these kinds may be invited (default: all).")


def load_constraints(path: str | Path | None) -> Constraints:
    """The constraints file (none: no constraints); ConfigError naming the field on a bad one."""
    if path is None:
        return Constraints()
    try:
        return Constraints.model_validate(read_yaml(path, "--constraints"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"--constraints {path}: {where}: {first['msg']} (got {first.get('input')!r})") from None


@dataclass(frozen=True)
class Rule:
    """At least `minimum` and at most `maximum` of the chosen actors are in `members`."""

    name: str
    members: np.ndarray  # bool over actors
    minimum: int
    maximum: int


def build_rules(actors: pd.DataFrame, constraints: Constraints, seats: int) -> list[Rule]:
    """Constraints as counting rules over the actor table; ConfigError for an unknown attribute."""
    rules: list[Rule] = []
    if constraints.min_side_share > 0:
        need = math.ceil(constraints.min_side_share * seats - 1e-9)
        for side in sorted(actors.side.unique()):
            rules.append(Rule(f"side {side} at least {need}", (actors.side == side).to_numpy(), need, seats))
    for quota in constraints.quotas:
        if quota.attribute not in actors.columns:
            allowed = ", ".join(c for c in actors.columns if c not in ("id", "label", "degree"))
            raise ConfigError(
                f"--constraints: quota attribute {quota.attribute!r} is not a column of the map; allowed: {allowed}"
            )
        members = (actors[quota.attribute].astype(str) == quota.value).to_numpy()
        lows = [quota.min_count or 0, math.ceil((quota.min_share or 0) * seats - 1e-9)]
        highs = [
            seats if quota.max_count is None else quota.max_count,
            seats if quota.max_share is None else math.floor(quota.max_share * seats + 1e-9),
        ]
        rules.append(
            Rule(f"{quota.attribute} = {quota.value}: {max(lows)} to {min(highs)}", members, max(lows), min(highs))
        )
    return rules


def eligible(actors: pd.DataFrame, constraints: Constraints) -> np.ndarray:
    """Which actors may be invited (bool over actors)."""
    if constraints.eligible_kinds is None:
        return np.ones(len(actors), dtype=bool)
    unknown = sorted(set(constraints.eligible_kinds) - set(actors.kind))
    if unknown:
        raise ConfigError(
            f"--constraints: eligible_kinds names {unknown}, not kinds on the map ({sorted(set(actors.kind))})"
        )
    return actors.kind.isin(constraints.eligible_kinds).to_numpy()


def complete(
    selected: Sequence[int], rules: Sequence[Rule], seats: int, pool: np.ndarray, rng: np.random.Generator | None = None
) -> list[int] | None:
    """Extend `selected` to `seats` actors meeting every rule, or None if this greedy completion fails.

    Each added actor is one that covers the most unmet minimums without breaking a maximum
    (at random among equals when rng is given, else the lowest index).
    """
    chosen = list(selected)
    counts = np.array([rule.members[chosen].sum() for rule in rules], dtype=int)
    if any(c > rule.maximum for c, rule in zip(counts, rules, strict=True)):
        return None
    available = pool.copy()
    available[chosen] = False
    membership = np.array([rule.members for rule in rules], dtype=bool).reshape(len(rules), pool.size)
    minimums = np.array([rule.minimum for rule in rules], dtype=int)
    maximums = np.array([rule.maximum for rule in rules], dtype=int)
    while len(chosen) < seats:
        allowed = available & ~(membership & (counts >= maximums)[:, None]).any(axis=0)
        if not allowed.any():
            return None
        deficits = np.maximum(minimums - counts, 0)
        cover = (membership & (deficits > 0)[:, None]).sum(axis=0) * allowed
        best = np.flatnonzero(allowed & (cover == cover.max()))
        pick = int(rng.choice(best)) if rng is not None else int(best[0])
        chosen.append(pick)
        available[pick] = False
        counts += membership[:, pick]
    return chosen if (counts >= minimums).all() else None


def explain_infeasible(rules: Sequence[Rule], seats: int, pool: np.ndarray) -> str:
    """Why no group of `seats` meets the rules, in the designer's words."""
    if pool.sum() < seats:
        return f"only {int(pool.sum())} eligible actors for {seats} seats"
    for rule in rules:
        if rule.minimum > seats:
            return f"rule '{rule.name}' needs {rule.minimum} of only {seats} seats"
        if rule.minimum > rule.maximum:
            return f"rule '{rule.name}' asks for at least {rule.minimum} and at most {rule.maximum}"
        if rule.minimum > (rule.members & pool).sum():
            available = int((rule.members & pool).sum())
            return f"rule '{rule.name}' needs {rule.minimum} but the map has only {available} eligible"
    return "the rules cannot all be met together with " + f"{seats} seats: " + "; ".join(rule.name for rule in rules)


def random_feasible_group(
    rules: Sequence[Rule], seats: int, pool: np.ndarray, rng: np.random.Generator
) -> list[int] | None:
    """A random group meeting the rules: random fill, then repair unmet minimums by random completion."""
    for _ in range(50):
        order = rng.permutation(np.flatnonzero(pool))
        group: list[int] = []
        for actor in order:
            if len(group) == seats:
                break
            if complete([*group, int(actor)], rules, seats, pool) is not None:
                group.append(int(actor))
        if len(group) == seats:
            return sorted(group)
    return None


def satisfies(group: Sequence[int], rules: Sequence[Rule]) -> bool:
    """Whether a group meets every rule."""
    return all(rule.minimum <= rule.members[list(group)].sum() <= rule.maximum for rule in rules)


@dataclass
class Pick:
    """One invitation: who, the marginal gain (paired over common seeds) and the group's value after."""

    actor: int
    gain: Interval
    value: Interval
    evaluations: int


Evaluator = Callable[[list[tuple[int, ...]]], list[np.ndarray]]


class Objective:
    """Monte Carlo values of groups over common seeds, cached so no group is run twice."""

    def __init__(
        self,
        evaluate: Evaluator,
        known: dict[tuple[int, ...], np.ndarray] | None = None,
        on_evaluated: Callable[[tuple[int, ...], np.ndarray], None] | None = None,
    ) -> None:
        self._evaluate = evaluate
        self._on_evaluated = on_evaluated
        self.cache: dict[tuple[int, ...], np.ndarray] = dict(known or {})

    def values(self, groups: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Each group's values over the common seeds, evaluating only groups not seen before."""
        keys = [tuple(sorted(g)) for g in groups]
        missing = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if missing:
            for key, values in zip(missing, self._evaluate(missing), strict=True):
                self.cache[key] = np.asarray(values, dtype=float)
                if self._on_evaluated:
                    self._on_evaluated(key, self.cache[key])
        return [self.cache[k] for k in keys]

    @property
    def evaluations(self) -> int:
        """Groups evaluated so far."""
        return len(self.cache)


def celf(
    candidates: Sequence[int],
    seats: int,
    rules: Sequence[Rule],
    pool: np.ndarray,
    objective: Objective,
    batch: int = 1,
    on_pick: Callable[[Pick], None] | None = None,
) -> list[Pick]:
    """Greedy selection of `seats` actors by marginal gain, never breaking a rule.

    Gains are re-evaluated lazily (CELF): a candidate's last gain bounds its next one, which
    holds while returns diminish. Impact does not always have diminishing returns (an idea needs
    enough carriers on every side, so a participant's gain can grow with the group), so each
    lazy round checks the bounds it re-evaluates: when a gain has grown beyond its noise, that
    round falls back to evaluating every candidate (plain greedy).
    """
    selected: list[int] = []
    current = objective.values([()])[0]
    heap: list[tuple[float, int, int]] = [(-math.inf, int(c), -1) for c in candidates]
    picks: list[Pick] = []
    for round_number in range(seats):
        chosen = _lazy_best(heap, selected, rules, seats, pool, objective, current, round_number, max(1, batch))
        if chosen is None:
            break
        selected.append(chosen)
        after = objective.values([tuple(selected)])[0]
        pick = Pick(chosen, mean_interval(after - current), mean_interval(after), objective.evaluations)
        picks.append(pick)
        if on_pick:
            on_pick(pick)
        current = after
    return picks


def improve_by_swaps(
    picks: list[Pick],
    candidates: Sequence[int],
    rules: Sequence[Rule],
    pool: np.ndarray,
    objective: Objective,
    max_passes: int,
    on_swap: Callable[[int, int, float], None] | None = None,
) -> list[Pick]:
    """Local search from the greedy group: swap one invitee for one outsider while that raises the objective.

    Each pass visits the seats in order; for a seat, every feasible outsider is evaluated at once
    (a batch for the executor) and the best swap is kept if it beats the current group's mean over
    the common seeds. Stops after a pass without a swap (a 1-swap local optimum) or `max_passes`.
    Returns the final group as picks in greedy order within it, with gains recomputed along that order.
    """
    group = [p.actor for p in picks]
    if not group or max_passes < 1:
        return picks
    value = float(objective.values([tuple(group)])[0].mean())
    for _ in range(max_passes):
        swapped = False
        for seat in range(len(group)):
            others = group[:seat] + group[seat + 1 :]
            options = [int(c) for c in candidates if c not in group and pool[c] and satisfies([*others, int(c)], rules)]
            if not options:
                continue
            values = [float(v.mean()) for v in objective.values([(*others, c) for c in options])]
            best = int(np.argmax(values))
            if values[best] > value:
                if on_swap:
                    on_swap(group[seat], options[best], values[best] - value)
                group[seat], value, swapped = options[best], values[best], True
        if not swapped:
            break
    if group == [p.actor for p in picks]:
        return picks
    return picks_along(group, objective)


def picks_along(group: Sequence[int], objective: Objective) -> list[Pick]:
    """Picks for a group, ordered greedily within it: each one's gain over those before it, paired over the seeds."""
    remaining, ordered = list(group), []
    while remaining:
        values = objective.values([(*ordered, actor) for actor in remaining])
        ordered.append(remaining.pop(int(np.argmax([v.mean() for v in values]))))
    group = ordered
    prefixes = objective.values([tuple(group[:k]) for k in range(len(group) + 1)])
    return [
        Pick(actor, mean_interval(prefixes[k + 1] - prefixes[k]), mean_interval(prefixes[k + 1]), objective.evaluations)
        for k, actor in enumerate(group)
    ]


GROWTH_TOLERANCE_SE = (
    0.0  # a re-evaluated gain above its old bound by more than this many standard errors breaks laziness
)


def _gain(values: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """Mean paired gain over the common seeds and its standard error."""
    difference = values - current
    se = float(difference.std(ddof=1) / math.sqrt(difference.size)) if difference.size > 1 else 0.0
    return float(difference.mean()), se


def _lazy_best(
    heap: list[tuple[float, int, int]],
    selected: list[int],
    rules: Sequence[Rule],
    seats: int,
    pool: np.ndarray,
    objective: Objective,
    current: np.ndarray,
    round_number: int,
    batch: int,
) -> int | None:
    """Pop the feasible candidate whose gain, evaluated this round, beats every other bound (CELF)."""
    heapq.heapify(heap)
    set_aside: list[tuple[float, int, int]] = []
    best = None
    while heap:
        stale: list[tuple[float, int, int]] = []
        fresh = None
        while heap and len(stale) < batch:
            entry = heapq.heappop(heap)
            if complete([*selected, entry[1]], rules, seats, pool) is None:
                set_aside.append(entry)
            elif entry[2] == round_number:
                fresh = entry
                break
            else:
                stale.append(entry)
        if not stale:
            best = fresh
            break
        grew = False
        for (old_key, actor, _), values in zip(
            stale, objective.values([(*selected, a) for _, a, _ in stale]), strict=True
        ):
            gain, se = _gain(values, current)
            grew |= math.isfinite(old_key) and gain > -old_key + GROWTH_TOLERANCE_SE * se
            heapq.heappush(heap, (-gain, actor, round_number))
        if fresh is not None:
            heapq.heappush(heap, fresh)
        if grew:  # returns are not diminishing here: every bound is suspect, so evaluate them all
            heap[:] = [
                (key if evaluated == round_number else -math.inf, actor, evaluated) for key, actor, evaluated in heap
            ]
            heapq.heapify(heap)
    heap.extend(set_aside)
    return None if best is None else best[1]


# Evaluating groups through the sweep engine ---------------------------------------------------


def cohort_point(ids: Sequence[str], group: Sequence[int], base: Mapping[str, Any]) -> dict[str, Any]:
    """A group of actors (indices into `ids`) as a sweep point: the fixed cohort of every workshop.

    The empty group is the programme without workshops (the baseline a first pick is measured from); a
    programme given as a schedule of events (``programme.events``) keeps its schedule, the cohort invited to
    every meeting, and without a group holds none. Other initiatives run either way.
    """
    if not group:
        events = (base.get("programme") or {}).get("events")
        return {"workshops.participants": None, "workshops.count": 0, **({"programme.events": []} if events else {})}
    return {"workshops.participants": [ids[a] for a in group], "workshops.count": base["workshops"]["count"]}


def selection_spec(
    base: dict[str, Any], objective: str, replicates: int, seed: int, name: str, path: Path, base_path: Path
) -> SweepSpec:
    """The sweep a selection adds its groups to: common seeds (replicate r of every group on one seed)."""
    return SweepSpec(
        path=Path(path),
        text="",
        name=name,
        method="grid",
        parameters={},
        base=base,
        base_path=Path(base_path),
        replicates=replicates,
        seed=seed,
        metric={"name": objective, "goal": "maximize"},
        timeseries_every=0,
        description=f"Whom to invite: groups of actors on {Path(path).name}, by {objective}",
        common_seeds=True,
    )


def group_evaluator(session: Session, ids: Sequence[str], objective: str, replicates: Sequence[int]) -> Evaluator:
    """An Objective's evaluator: each group's objective at these replicates, run (or read back) through `session`."""

    def evaluate(groups: list[tuple[int, ...]]) -> list[np.ndarray]:
        points = session.run_points([cohort_point(ids, g, session.spec.base) for g in groups], replicates)
        return session.values(points, objective, replicates)

    return evaluate


RANDOM_GROUPS = 10  # random feasible groups the chosen group is compared with


def compare_groups(
    actors: pd.DataFrame,
    rules,
    pool: np.ndarray,
    seats: int,
    picks: list[Pick],
    objective: Objective,
    fresh: Objective,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The chosen group against random feasible groups and the usual suspects (best-connected elites).

    Estimates and intervals come from `fresh` seeds, not those the group was chosen on: scored on
    its own selection seeds, the winner of a search looks better than it is (the winner's curse).
    That in-sample mean is kept beside them (`mean_on_selection_seeds`) to show the gap.
    """
    chosen = tuple(sorted(p.actor for p in picks))
    randoms = [g for g in (random_feasible_group(rules, seats, pool, rng) for _ in range(RANDOM_GROUPS)) if g]
    elites = actors.index[actors.behaviour == "elite"].to_numpy()
    suspects = tuple(sorted(elites[np.argsort(-actors.degree.to_numpy()[elites], kind="stable")][:seats].tolist()))
    groups = [chosen, *map(tuple, randoms), suspects]
    table = []
    for name, (values, selection_values), feasible in zip(
        ("Chosen group", f"Random feasible groups ({len(randoms)})", "The usual suspects (best-connected elites)"),
        (_pooled(fresh.values(g), objective.values(g)) for g in ([groups[0]], groups[1:-1], [groups[-1]])),
        (True, True, satisfies(suspects, rules)),
        strict=True,
    ):
        interval = mean_interval(values)
        table.append(
            {
                "group": name,
                "mean": interval.estimate,
                "low": interval.low,
                "high": interval.high,
                "runs": interval.n,
                "meets_constraints": feasible,
                "mean_on_selection_seeds": float(selection_values.mean()) if selection_values.size else float("nan"),
            }
        )
    return pd.DataFrame(table)


def _pooled(fresh: list[np.ndarray], selection: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    empty = np.array([])
    return (np.concatenate(fresh) if fresh else empty), (np.concatenate(selection) if selection else empty)


def invitation_table(actors: pd.DataFrame, picks: list[Pick]) -> pd.DataFrame:
    """The invitation list in order: each actor's map columns, degree, marginal gain with its interval."""
    rows = []
    for order, pick in enumerate(picks, start=1):
        actor = actors.iloc[pick.actor]
        rows.append(
            {
                "order": order,
                **{k: actor[k] for k in actors.columns if k not in ("degree",)},
                "degree": int(actor.degree),
                "marginal_gain": pick.gain.estimate,
                "gain_low": pick.gain.low,
                "gain_high": pick.gain.high,
                "group_value": pick.value.estimate,
            }
        )
    return pd.DataFrame(rows)
