"""The third party's workshop series: who is convened, how candid it is, what ideas it yields.

Functional forms (docs/ODD.md, "Workshop"):

    candour  = confidentiality x integrity x (floor + (1 - floor) x mean trust)
               x (1 - positional_penalty x mean position tie) x leak and conditions factors
    ideas    ~ Poisson(idea_rate x candour)
    novelty  ~ Beta around  base + w_a x mean autonomy + w_d x diversity  (x conditions factor)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.params import ConfigError, Params

BETA_MEAN_LIMITS = (0.01, 0.99)


@dataclass
class WorkshopRecord:
    number: int
    step: int
    participants: np.ndarray
    candour: float
    novelty_mean: float
    ideas: np.ndarray
    leaked: bool
    ties_created: int


def effective_mix(params: Params) -> dict[str, float]:
    """Seat shares by kind after the mode is applied (Track 1.5 adds officials; backchannel is officials only)."""
    officials = params.kinds_with("official")
    given = params.workshops.mix  # in the kinds' declared order, so the mix's key order never matters
    mix = {kind: given[kind] for kind in params.kinds if given.get(kind, 0) > 0}
    if params.mode == "backchannel":
        return {kind: 1.0 / len(officials) for kind in officials} if officials else {}
    if params.mode == "track1.5" and officials and not any(kind in officials for kind in mix):
        share = params.workshops.track15_official_share
        mix = {kind: value * (1.0 - share) for kind, value in mix.items()}
        mix.update({kind: share / len(officials) for kind in officials})
    return mix


def largest_remainder(total: int, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer seats summing to total, proportional to shares; ties broken at random."""
    if total <= 0 or shares.sum() <= 0:
        return np.zeros(shares.size, dtype=np.int64)
    quotas = total * shares / shares.sum()
    seats = np.floor(quotas).astype(np.int64)
    remainder = quotas - seats
    order = np.lexsort((rng.random(shares.size), -remainder))
    seats[order[: total - seats.sum()]] += 1
    return seats


def funded_workshops(params: Params) -> int:
    """The budget after the facilitator's policy: refusing conditions may lose part of it."""
    w = params.workshops
    if w.facilitator_policy == "refuse":
        return round(w.count * (1.0 - w.refusal_budget_loss * w.funder_conditionality))
    return w.count


def accepted_conditionality(params: Params) -> float:
    w = params.workshops
    return w.funder_conditionality if w.facilitator_policy == "accept" else 0.0


def normalised_entropy(labels: np.ndarray, categories: int) -> float:
    """Shannon entropy of labels divided by its maximum over `categories` categories, 0..1."""
    if categories <= 1 or labels.size == 0:
        return 0.0
    _, counts = np.unique(labels, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum() / np.log(categories))


def group_diversity(sides: np.ndarray, n_sides: int, behaviours: np.ndarray, autonomy: np.ndarray) -> float:
    """Mean of side balance, behaviour mix and autonomy spread, each on 0..1."""
    side_term = normalised_entropy(sides, n_sides)
    kind_term = normalised_entropy(behaviours, 4)
    spread_term = min(1.0, 2.0 * float(np.std(autonomy))) if autonomy.size else 0.0
    return (side_term + kind_term + spread_term) / 3.0


def candour(params: Params, trust: np.ndarray, position_tie: np.ndarray, after_leak: bool) -> float:
    """How candid a workshop is, 0..1, from its participants' trust and ties to official positions."""
    w = params.workshops
    c = w.candour
    value = w.confidentiality * w.facilitator_integrity
    value *= c.trust_floor + (1.0 - c.trust_floor) * float(trust.mean())
    value *= 1.0 - c.positional_penalty * float(position_tie.mean())
    if after_leak:
        value *= 1.0 - c.leak_penalty
    value *= 1.0 - c.conditions_penalty * accepted_conditionality(params)
    return float(np.clip(value, 0.0, 1.0))


def novelty_mean(params: Params, autonomy: np.ndarray, diversity: float) -> float:
    """Mean novelty of a group's ideas: rises with its mean autonomy and its diversity."""
    n = params.workshops.novelty
    mean = n.base + n.autonomy_weight * float(autonomy.mean()) + n.diversity_weight * diversity
    mean *= 1.0 - n.conditions_penalty * accepted_conditionality(params)
    return float(np.clip(mean, *BETA_MEAN_LIMITS))


def draw_novelty(rng: np.random.Generator, mean: float, concentration: float, k: int) -> np.ndarray:
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=k)


def familiarity(meetings: np.ndarray, half: float) -> np.ndarray:
    """How far repeated meetings have built the conditions for trust, 0..1 (half at `half` meetings)."""
    return meetings / (meetings + half) if half > 0 else np.ones_like(meetings, dtype=float)


class WorkshopSeries:
    """Schedules workshops and convenes participants by the mix, keeping a share of the last group."""

    def __init__(self, params: Params, kinds: np.ndarray, sides: np.ndarray, n_sides: int, ids: list[str]) -> None:
        self.params = params
        self.cohort = self._resolve_cohort(params.workshops.participants, ids)
        self.budget = funded_workshops(params)
        self.mix = effective_mix(params)
        self.kinds = kinds
        self.sides = sides
        self.n_sides = n_sides
        self.held = 0
        self.previous = np.empty(0, dtype=np.int64)
        self.after_leak = False
        self.records: list[WorkshopRecord] = []
        self.cells = {
            (kind, side): np.flatnonzero((kinds == kind) & (sides == side))
            for kind in self.mix
            for side in range(n_sides)
        }

    @staticmethod
    def _resolve_cohort(participants: list[str] | None, ids: list[str]) -> np.ndarray | None:
        if participants is None:
            return None
        position = {actor: i for i, actor in enumerate(ids)}
        unknown = [p for p in participants if p not in position]
        if unknown:
            raise ConfigError(
                f"workshops.participants: unknown actor id {unknown[0]!r}; ids come from the actor map (or are kind-side-index for synthetic networks)"
            )
        return np.sort(np.array([position[p] for p in participants], dtype=np.int64))

    def due(self, step: int) -> bool:
        w = self.params.workshops
        return (
            self.held < self.budget
            and (bool(self.mix) or self.cohort is not None)
            and step >= w.first_step
            and (step - w.first_step) % w.interval == 0
        )

    def convene(self, rng: np.random.Generator) -> np.ndarray:
        """Participants: seats by kind (largest remainder), split evenly across sides; retained first."""
        if self.cohort is not None:
            return self.cohort
        w = self.params.workshops
        kinds = list(self.mix)
        seats = largest_remainder(w.size, np.array([self.mix[k] for k in kinds]), rng)
        keep = round(w.retention * self.previous.size)
        retained = set(rng.permutation(self.previous)[:keep].tolist()) if keep else set()
        previous = set(self.previous.tolist())
        chosen: list[np.ndarray] = []
        for kind, kind_seats in zip(kinds, seats, strict=True):
            per_side = largest_remainder(int(kind_seats), np.ones(self.n_sides), rng)
            for side, cell_seats in enumerate(per_side):
                pool = self.cells[(kind, side)]
                if cell_seats == 0 or pool.size == 0:
                    continue
                order = rng.permutation(pool)
                rank = np.array([0 if a in retained else (2 if a in previous else 1) for a in order.tolist()])
                chosen.append(order[np.argsort(rank, kind="stable")][:cell_seats])
        return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)
