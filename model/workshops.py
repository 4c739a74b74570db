"""The third party's workshop series: who is convened, how candid it is, what ideas it yields.

Functional forms (docs/ODD.md, "Workshop"):

    candour  = confidentiality x integrity x (floor + (1 - floor) x mean trust of the other sides present)
               x (1 - positional_penalty x mean position tie) / (1 + size_penalty x seats beyond 12 / 12)
               x leak and conditions factors
    ideas    ~ Poisson(idea_rate x candour x (seats filled / 12)^elasticity)
    novelty  ~ Beta around  base + exploring share x (w_a x mean autonomy + w_d x diversity) of those exploring
               (x conditions factor)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from tracktwo.model.kernels.meetings import invited
from tracktwo.model.params import ConfigError, Params
from tracktwo.model.randomness import EventRandomness

__all__ = [
    "BEHAVIOUR_MIX_CATEGORIES",
    "BETA_MEAN_LIMITS",
    "IDEA_RATE_SEATS",
    "RoomShape",
    "WorkshopRecord",
    "WorkshopSeries",
    "accepted_conditionality",
    "candour",
    "effective_mix",
    "expected_ideas",
    "funded_workshops",
    "group_diversity",
    "largest_remainder",
    "normalised_entropy",
    "novelty_mean",
    "room_shape",
    "sample_novelty",
]

BETA_MEAN_LIMITS = (0.01, 0.99)
IDEA_RATE_SEATS = 12  # idea_rate is for a workshop of this many seats; larger ones lose candour


@dataclass
class WorkshopRecord:
    """One workshop held: who came, how candid it was, what it produced, whether it leaked."""

    number: int
    step: int
    participants: np.ndarray
    candour: float
    novelty_mean: float
    ideas: np.ndarray
    leaked: bool
    ties_created: int
    format: str = "workshop"


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


_FEW_SHARES = 8  # largest_remainder on Python floats up to this many shares (fewer calls than numpy's)


@functools.lru_cache(maxsize=256)
def _quotas(total: int, shares: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[int, ...], int] | None:
    """A few shares' quotas, their floors and the seats left over (None: no seats to give; nothing drawn).

    What :func:`largest_remainder` computes before its draw, the same arithmetic on Python floats; a series
    asks for the same (total, shares) at every meeting, so it is kept.
    """
    share_sum = np.add.reduce(np.array(shares, dtype=float))  # shares.sum() as numpy sums them
    if total <= 0 or share_sum <= 0:
        return None
    share_sum = float(share_sum)
    quota_list = tuple(total * share / share_sum for share in shares)
    floors = tuple(math.floor(quota) for quota in quota_list)
    return quota_list, floors, total - sum(floors)


def seat_list(total: int, shares: tuple[float, ...], rng: np.random.Generator) -> list[int]:
    """:func:`largest_remainder` for shares given as Python floats, as a list: the same seats and draws."""
    if len(shares) > _FEW_SHARES:
        return largest_remainder(total, np.array(shares, dtype=float), rng).tolist()
    found = _quotas(total, shares)
    if found is None:
        return [0] * len(shares)
    quota_list, floors, left = found
    ties = rng.random(len(shares)).tolist()  # drawn even when no seat is left over, as below
    seats = list(floors)
    if left > 0:  # lexsort's order: remainder (seats - quota) first, then the tie-break, then position
        by = sorted(range(len(shares)), key=lambda i: (floors[i] - quota_list[i], ties[i]))
        for i in by[:left]:
            seats[i] += 1
    return seats


def largest_remainder(total: int, shares: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer seats summing to total, proportional to shares; ties broken at random."""
    if shares.size <= _FEW_SHARES:  # a few kinds or sides: the same arithmetic and order on Python floats
        return np.array(seat_list(total, tuple(shares.tolist()), rng), dtype=np.int64)
    share_sum = np.add.reduce(shares)  # shares.sum(), once and without its wrapper
    if total <= 0 or share_sum <= 0:
        return np.zeros(shares.size, dtype=np.int64)
    quotas = total * shares / share_sum
    seats = np.floor(quotas).astype(np.int64)
    tie_break = rng.random(shares.size)  # drawn even when no seat is left over: the stream's later draws stay put
    left = total - int(np.add.reduce(seats))
    if left > 0:
        seats[np.lexsort((tie_break, seats - quotas))[:left]] += 1  # the largest remainders first
    return seats


def funded_workshops(params: Params, events: int | None = None) -> int:
    """The budget after the facilitator's policy: refusing conditions may lose part of it.

    Of ``workshops.count`` meetings, or of a schedule's `events`.
    """
    w = params.workshops
    planned = w.count if events is None else events
    if w.facilitator_policy == "refuse":
        return round(planned * (1.0 - w.refusal_budget_loss * w.funder_conditionality))
    return planned


def accepted_conditionality(params: Params) -> float:
    """Conditionality the facilitator took on (0 when it refuses conditions)."""
    w = params.workshops
    return w.funder_conditionality if w.facilitator_policy == "accept" else 0.0


BEHAVIOUR_MIX_CATEGORIES = 4  # the four tracks the behaviour mix was calibrated on; a fifth (middle range) caps at 1


@functools.lru_cache(maxsize=16)
def _log(categories: int) -> np.floating:
    """The numpy log of a whole number of categories (kept: the entropy's divisor at every meeting)."""
    return np.log(categories)


def normalised_entropy(labels: np.ndarray, categories: int, counts: np.ndarray | None = None) -> float:
    """Shannon entropy of labels divided by its maximum over `categories` categories, 0..1.

    `counts`: the labels' counts by value (``np.bincount(labels)``, any trailing zeros), when known already.
    """
    if categories <= 1 or labels.size == 0:
        return 0.0
    if counts is None:
        counts = np.bincount(labels) if labels.dtype.kind in "iu" else np.unique(labels, return_counts=True)[1]
    return _kept(_ENTROPIES, _entropy, counts, categories)  # rooms repeat their make-up: each entropy kept


_ENTROPIES: dict[tuple[bytes, str, int], float] = {}  # by counts (their bytes and type) and categories
_KEPT = 4096  # values kept at most in each table below (a run sees a few room patterns; a long sweep may bring more)


def _kept(table: dict, make: Callable[[np.ndarray, int], Any], array: np.ndarray, number: int) -> Any:
    """``make(array, number)``, kept in `table` by the array's contents (its bytes and type) and the number."""
    key = (array.tobytes(), array.dtype.char, number)
    found = table.get(key)
    if found is None:
        if len(table) >= _KEPT:
            table.clear()
        found = table[key] = make(array, number)
    return found


def _entropy(counts: np.ndarray, categories: int) -> float:
    """The normalised entropy of labels with these counts by value (zeros allowed)."""
    counts = counts[counts > 0]  # the labels present, in order (as np.unique counts them)
    p = counts / np.add.reduce(counts)
    return float(-np.add.reduce(p * np.log(p)) / _log(categories))


def _mean(values: np.ndarray) -> float:
    """The mean of a non-empty 1-D float array by ndarray.mean's own steps (the same bits), without its call."""
    return float(np.add.reduce(values) / values.size)


def _std(values: np.ndarray) -> float:
    """The standard deviation of a 1-D float array by numpy.std's own steps (the same bits), without its call."""
    deviation = values - np.add.reduce(values) / values.size
    return math.sqrt(np.add.reduce(deviation * deviation) / values.size)


def group_diversity(
    sides: np.ndarray, n_sides: int, behaviours: np.ndarray, autonomy: np.ndarray, side_counts: np.ndarray | None = None
) -> float:
    """Mean of side balance, behaviour mix and autonomy spread, each on 0..1 (`side_counts`: the sides' counts)."""
    side_term = normalised_entropy(sides, n_sides, side_counts)
    kind_term = normalised_entropy(behaviours, BEHAVIOUR_MIX_CATEGORIES)
    if kind_term > 1.0 and np.unique(behaviours).size > BEHAVIOUR_MIX_CATEGORIES:  # middle-range leaders too
        kind_term = 1.0
    spread_term = min(1.0, 2.0 * _std(autonomy)) if autonomy.size else 0.0
    return (side_term + kind_term + spread_term) / 3.0


def candour(params: Params, trust: np.ndarray, position_tie: np.ndarray, after_leak: bool) -> float:
    """How candid a workshop is, 0..1, from its participants' trust (of the other sides present) and position ties."""
    w = params.workshops
    c = w.candour
    value = w.confidentiality * w.facilitator_integrity
    value *= c.trust_floor + (1.0 - c.trust_floor) * _mean(trust)
    value *= 1.0 - c.positional_penalty * _mean(position_tie)
    value /= 1.0 + c.size_penalty * max(0, position_tie.size - IDEA_RATE_SEATS) / IDEA_RATE_SEATS
    if after_leak:
        value *= 1.0 - c.leak_penalty
    value *= 1.0 - c.conditions_penalty * accepted_conditionality(params)
    return min(max(value, 0.0), 1.0)  # np.clip's value, without its call


def novelty_mean(params: Params, autonomy: np.ndarray, diversity: float, exploring_share: float = 1.0) -> float:
    """Mean novelty of a group's ideas: rises with the mean autonomy and diversity of those who explore.

    `autonomy` and `diversity` are those of the participants who explore (not under instructions);
    `exploring_share` is their share of the room: a room of officials under instructions adds nothing to the base.
    """
    n = params.workshops.novelty
    explored = n.autonomy_weight * _mean(autonomy) + n.diversity_weight * diversity if autonomy.size else 0.0
    mean = n.base + exploring_share * explored
    mean *= 1.0 - n.conditions_penalty * accepted_conditionality(params)
    return float(min(max(mean, BETA_MEAN_LIMITS[0]), BETA_MEAN_LIMITS[1]))  # np.clip's value, without its call


def sample_novelty(rng: np.random.Generator, mean: float, concentration: float, k: int) -> np.ndarray:
    """Novelty of k new ideas: Beta with this mean and concentration (the model's one Beta draw)."""
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=k)


def expected_ideas(params: Params, candour_value: float, seats_filled: int) -> float:
    """Mean number of ideas a workshop yields: proportional to its candour, less than proportional to its size."""
    w = params.workshops
    return w.idea_rate * candour_value * (seats_filled / IDEA_RATE_SEATS) ** w.idea_size_elasticity


class RoomShape(NamedTuple):
    """What a room's seating by side fixes (read-only arrays): the same for every room of that pattern."""

    by_side: np.ndarray  # participants of each side
    present: np.ndarray  # the sides in the room
    rows: np.ndarray  # (participant, another side present) pairs: the participant's seat ...
    other_sides: np.ndarray  # ... and the other side, in row-major order (np.nonzero's)
    cross: tuple[np.ndarray, np.ndarray]  # the pairs of seats (i < j, np.triu_indices order) of different sides
    sides_row: np.ndarray  # (1 x sides) bool: the sides present, as a row of the ideas' author sides


_SHAPES: dict[tuple[bytes, str, int], RoomShape] = {}  # by the seats' sides (their bytes and type) and the sides


def room_shape(side_who: np.ndarray, n_sides: int) -> RoomShape:
    """The shape of a room whose seats (participants in order) are on sides `side_who`, kept by that pattern.

    Rooms repeat their pattern of sides (a series seats the same quotas), so the array steps below run once
    per pattern: each participant's pairs with the other sides present, and the cross-side pairs of seats.
    """
    return _kept(_SHAPES, _room_shape, side_who, n_sides)


@functools.lru_cache(maxsize=64)
def _seat_pairs(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of `size` seats, in np.triu_indices order (rooms have few sizes: kept, read only)."""
    i, j = np.triu_indices(size, k=1)
    i.flags.writeable = j.flags.writeable = False
    return i, j


def _room_shape(side_who: np.ndarray, n_sides: int) -> RoomShape:
    """The array steps a room's shape stands for."""
    by_side = np.bincount(side_who, minlength=n_sides)
    present = by_side.nonzero()[0]
    other = present[None, :] != side_who[:, None]  # (participant, side present): another side
    rows, columns = other.nonzero()
    i, j = _seat_pairs(side_who.size)
    cross = side_who.take(i) != side_who.take(j)
    sides_row = np.zeros((1, n_sides), dtype=bool)
    sides_row[:, present] = True
    rows = np.ascontiguousarray(rows)  # (nonzero's rows are a strided view) as the meeting's kernels take it
    arrays = (by_side, present, rows, present.take(columns), i[cross], j[cross], sides_row)
    for array in arrays:
        array.flags.writeable = False
    return RoomShape(*arrays[:4], arrays[4:6], sides_row)


class WorkshopSeries:
    """The third party's series: schedules workshops, convenes participants and records what each one did.

    Participants are convened by the mix, keeping a share of the last group, from the sides the
    series convenes (all, or a subset such as a bilateral session). The series keeps its own
    record: workshops held, meetings each actor attended, who ever took part, leaks.
    """

    def __init__(
        self,
        params: Params,
        kinds: np.ndarray,
        sides: np.ndarray,
        n_sides: int,
        ids: list[str],
        excluded: np.ndarray | None = None,
        removed: frozenset[int] = frozenset(),
    ) -> None:
        self.params = params
        self.excluded = np.zeros(kinds.size, dtype=bool) if excluded is None else excluded  # never invited
        self.removed = removed  # scheduled workshops (by number) that are not held: a counterfactual
        self.cohort = self._resolve_cohort(params.workshops.participants, ids)
        if self.cohort is not None:
            self.cohort = self.cohort[~self.excluded[self.cohort]]
        self.budget = funded_workshops(params)
        self.mix = effective_mix(params)
        self.kinds = kinds
        self.sides = sides
        self.n_sides = n_sides
        self.convened_sides = self._resolve_sides(params.workshops.sides, n_sides)
        self.scheduled = 0  # workshops due so far, held or removed: the next one's number
        self.previous = np.empty(0, dtype=np.int64)
        self.after_leak = False
        self.records: list[WorkshopRecord] = []
        self.meetings = np.zeros(kinds.size)  # workshops each actor attended
        self.participated = np.zeros(kinds.size, dtype=bool)
        self.leaks = 0
        self.empty_seats = params.evaluation.seats == "empty"  # removed actors keep their place, then sit out
        found = {kind: kinds == kind for kind in self.mix}  # kinds are objects: compared once each
        removed = not self.empty_seats and bool(self.excluded.any())  # removed actors are not in the pool
        is_kind = {kind: of_kind & ~self.excluded for kind, of_kind in found.items()} if removed else found
        on_side = {side: sides == side for side in self.convened_sides}
        self.cells = {
            (kind, side): np.flatnonzero(is_kind[kind] & on_side[side])
            for kind in self.mix
            for side in self.convened_sides
        }
        self._pool = np.concatenate([np.empty(0, dtype=np.int64), *self.cells.values()])  # everyone invitable
        sizes = [pool.size for pool in self.cells.values()]
        self._starts = np.cumsum([0, *sizes], dtype=np.int64)  # each cell's first place in the pool, and the end
        self._mix_shares = np.array([self.mix[k] for k in self.mix], dtype=float)  # seat shares by kind, in order
        self._rank = np.ones(kinds.size, dtype=np.int8)  # scratch: each actor's rank at the meeting being convened
        # someone (removed or not) of a kind the mix invites on a side convened: the pool, or before the removal
        invitable = self._pool.size > 0 or (
            removed and any((f & s).any() for f in found.values() for s in on_side.values())
        )
        if self.cohort is None and self.mix and not invitable:
            convened = ", ".join(str(side + 1) for side in self.convened_sides)
            raise ConfigError(
                f"workshops.mix invites only kinds ({', '.join(self.mix)}) that side(s) {convened} have no actors of; "
                "invite a kind these sides have, or convene other sides (workshops.sides)"
            )

    @staticmethod
    def _resolve_sides(sides: list[int] | None, n_sides: int) -> list[int]:
        if sides is None:
            return list(range(n_sides))
        bad = [s for s in sides if not 1 <= s <= n_sides]
        if bad:
            raise ConfigError(f"workshops.sides: side {bad[0]} does not exist; sides are numbered 1..{n_sides}")
        return sorted(s - 1 for s in sides)

    @staticmethod
    def _resolve_cohort(participants: list[str] | None, ids: list[str]) -> np.ndarray | None:
        if participants is None:
            return None
        position = {actor: i for i, actor in enumerate(ids)}
        unknown = [p for p in participants if p not in position]
        if unknown:
            raise ConfigError(
                f"workshops.participants: unknown actor id {unknown[0]!r}; ids come from the actor map "
                "(or are kind-side-index for synthetic networks)"
            )
        return np.sort(np.array([position[p] for p in participants], dtype=np.int64))

    def next_number(self) -> int | None:
        """Number the workshop now due; None when it is removed (a counterfactual without it)."""
        number = self.scheduled
        self.scheduled += 1
        return None if number in self.removed else number

    def convene(
        self,
        randomness: EventRandomness,
        number: int,
        accept: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> np.ndarray:
        """Participants: seats by kind (largest remainder), split evenly across the sides convened; retained first.

        Who gets a seat is decided by priorities keyed by (workshop, actor), so removing one actor
        from the pool changes the room only where that actor would have sat. ``accept`` keeps the
        invitees who come (model/initiatives.py). Counts the meeting for each participant.
        """
        who = self.cohort if self.cohort is not None else self._invite(randomness, number)
        if accept is not None:
            who = accept(who)
        self.meetings[who] += 1
        self.participated[who] = True
        return who

    def record(self, record: WorkshopRecord) -> None:
        """Close a workshop: keep its record; its participants and leak shape the next one."""
        self.records.append(record)
        self.previous = record.participants
        self.after_leak = record.leaked
        self.leaks += int(record.leaked)

    def _invite(self, randomness: EventRandomness, number: int) -> np.ndarray:
        """Seats by kind and side, the last group's retained first, then priorities keyed by (workshop, actor).

        One kernel call (model/kernels/meetings.py), its tie-breaks drawn there from the convening's generator
        (the Philox keyed by the workshop: ``randomness.generator("workshop", number, 0)``'s draws).
        """
        w = self.params.workshops
        previous = self.previous
        return invited(
            self._pool,
            self._starts,
            previous,
            round(w.retention * previous.size),
            randomness.key("retention", number),
            randomness.key("invitation", number),
            w.size,
            self._mix_shares,
            len(self.convened_sides),
            randomness.key("workshop", number, 0),
            self._rank,
            self.excluded,
            self.empty_seats,
        )
