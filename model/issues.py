"""Ideas with content: an issue space, salience per kind, official positions that move (docs/ODD.md 7.11).

The space has D named dimensions. Each side's official position is a point in it; so is each idea.
An idea is placed when it is made: at its *anchor* (the mean start position of the sides in the
room, fixed) plus its drawn novelty (its magnitude, the draw of the model before Part V, unchanged)
along one dimension, picked with probability proportional to its authors' mean salience (weighted by
their voice: presence without voice changes seats, not content). Track One's own ideas lie near its
current position, on the dimensions its officials weigh; ideas from outside the programme and
seeded ideas on any dimension equally.

Novelty is emergent: an idea's novelty to a side is its distance from that side's *current*
position (``novelty_table``, sides x ideas). A side's position moves toward each idea its Track One
takes (``adoption_pull``) and, each month, more weakly toward the ideas its officials hold without
adoption (``framing_pull`` x the share of its officials holding each): so a stream of transfers lowers
the novelty of similar later ideas. With both pulls 0 and every side starting at the same point, every
side sees every idea at its drawn novelty, and the model is the model before Part V, draw for draw
(direction draws come from their own keyed stream, ``issue_direction``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
from tracktwo.model.ideas import ORIGINS, IdeaStore
from tracktwo.model.kernels.issues import (
    distances,
    entered_pull,
    framing_step,
    officials_holding,
    pull_weights,
    scale_pull,
)
from tracktwo.model.kernels.meetings import placed
from tracktwo.model.kernels.rivals import placed_rivals
from tracktwo.model.params import BEHAVIOURS, ConfigError, Issues
from tracktwo.model.randomness import EventRandomness
from tracktwo.model.voice import snake

if TYPE_CHECKING:
    from tracktwo.model.transfer import TrackOneEntry

__all__ = ["IssueSpace", "dimension_keys", "salience_rows"]

_WORKSHOP = ORIGINS.index("workshop")  # the origin of ideas born in a meeting (Track Two's own)


def dimension_keys(config: Issues) -> list[str]:
    """The dimensions' names as outcome keys (snake case): ``outcome_transfer_<key>``."""
    return [snake(name) for name in config.dimensions]


def salience_rows(config: Issues, kind_names: list[str], kind_behaviour: list[str]) -> np.ndarray:
    """(kinds x dimensions) salience, each row summing to 1: a kind's own weights, else its behaviour's, else equal.

    Raises ConfigError for a salience entry naming neither a kind nor a behaviour.
    """
    dimensions = len(config.dimensions)
    known = set(kind_names) | set(BEHAVIOURS)
    unknown = sorted(set(config.salience) - known)
    if unknown:
        raise ConfigError(
            f"issues.salience: unknown kind {unknown[0]!r}; allowed: the kinds {', '.join(kind_names)} "
            f"or a behaviour ({', '.join(BEHAVIOURS)})"
        )
    rows = np.full((len(kind_names), dimensions), 1.0 / dimensions)
    if not config.salience_weighted:
        return rows
    for row, (name, behaviour) in enumerate(zip(kind_names, kind_behaviour, strict=True)):
        weights = config.salience.get(name, config.salience.get(behaviour))
        if weights:
            values = np.array([float(weights.get(d, 0.0)) for d in config.dimensions])
            rows[row] = values / values.sum()
    return rows


class IssueSpace:
    """Where ideas and official positions lie, each side's novelty of each idea, and how positions move.

    Args:
        config: the ``issues`` parameters.
        ideas: the run's ideas (their ``location`` is written here).
        salience: (actors x dimensions) each actor's salience, rows summing to 1.
        side: each actor's side.
        n_sides: the sides.
        official_groups: each side's (official, side) holding counter in ``ideas.group_holders`` (consecutive).
        officials_per_side: officials on each side.
        randomness: the run's event randomness (directions are keyed by idea).
    """

    def __init__(
        self,
        config: Issues,
        ideas: IdeaStore,
        salience: np.ndarray,
        side: np.ndarray,
        n_sides: int,
        official_groups: np.ndarray,
        officials_per_side: np.ndarray,
        randomness: EventRandomness,
    ) -> None:
        self.config = config
        self.ideas = ideas
        self.salience = salience
        self.side = side
        self.n_sides = n_sides
        self.dimensions = len(config.dimensions)
        self.keys = dimension_keys(config)
        starts = config.start_positions
        if starts is not None and len(starts) != n_sides:
            raise ConfigError(
                f"issues.start_positions: {len(starts)} positions given for {n_sides} sides; give one per side"
            )
        self.start = np.zeros((n_sides, self.dimensions)) if starts is None else np.array(starts, dtype=float)
        self.position = self.start.copy()
        self.equal_starts = bool((self.start == self.start[:1]).all())
        self.moved = False  # some position has left its start
        self._pull: tuple | None = None  # the framing pull's weights, kept while officials' holdings stay the same
        self._weights = np.zeros((4, 0, self.dimensions))  # the pull's weights by idea (see _framing), kept
        self.per_official = np.divide(
            1.0, officials_per_side, out=np.zeros(n_sides), where=officials_per_side > 0
        )  # a side's share of officials per holder
        self._direction = randomness.key("issue_direction", 0)  # the directions' key (each idea's draw adds its own)
        self.adoption_pull, self.framing_pull = config.adoption_pull, config.framing_pull
        self._factor = self.framing_pull * self.per_official  # pull per official holding, by side
        self._first_official_row = int(official_groups[0])  # the officials' (track, side) counters, one per side
        self._holding = np.full((n_sides, ideas.capacity), -1.0)  # the officials' holdings last pulled by (none yet)
        self.uniform = np.full(self.dimensions, 1.0 / self.dimensions)
        self.dimension = np.zeros(ideas.capacity, dtype=np.int64)  # each idea's dimension
        self.table = np.zeros((n_sides, ideas.capacity))  # (sides x ideas): each side's novelty of each idea now
        self.entered_novelty = np.full(ideas.capacity, np.nan)  # mean novelty to the sides that took it, at entry
        self.influence = np.zeros((n_sides, self.dimensions))  # movement by framing from Track Two ideas
        self._outside_anchor: np.ndarray | None = None  # the ideas from outside the programme's (every side's start)

    # Placing ideas -----------------------------------------------------------------------------

    def _room(self) -> None:
        """Grow the per-idea arrays with the idea store."""
        capacity = self.ideas.capacity
        extra = capacity - self.dimension.size
        if extra > 0:
            self.dimension = np.concatenate([self.dimension, np.zeros(extra, dtype=np.int64)])
            self.table = np.concatenate([self.table, np.zeros((self.n_sides, extra))], axis=1)
            self.entered_novelty = np.concatenate([self.entered_novelty, np.full(extra, np.nan)])

    def anchor(self, sides: np.ndarray) -> np.ndarray:
        """The mean start position of these sides (exactly the common start when every side starts alike)."""
        if self.equal_starts:
            return self.start[0]
        return self.start[sides].mean(axis=0)

    def place(self, ids: np.ndarray, weights: np.ndarray, anchor: np.ndarray) -> None:
        """Place new ideas: anchor + drawn novelty along a dimension drawn from `weights` (ideas x dimensions).

        `weights` may be one row for every idea; `anchor` is one point. The draws and the places in one kernel
        call (model/kernels/meetings.py); then each side's novelty of each idea.
        """
        if ids.size == 0:
            return
        if self.dimension.size < self.ideas.capacity:
            self._room()
        ideas = self.ideas
        rows = weights.reshape(-1, self.dimensions)  # one row for every idea, or a row per idea
        placed(ids, rows, anchor, ideas.key, self._direction, ideas.novelty, ideas.location, self.dimension)
        if ids.size == 1:  # one idea (most meetings'): fewer, scalar calls
            self._seen_one(int(ids[0]), anchor)
            return
        novelty = ideas.novelty.take(ids)
        if self.neutral:  # every side is at the anchor: each sees the drawn novelty
            self.table[:, ids] = novelty
            return
        # a side at the idea's anchor sees its drawn novelty exactly; any other its distance
        point = anchor.tolist()
        here = [side == point for side in self.position.tolist()]  # per side: every coordinate equal (as ==, .all)
        location = ideas.location[ids]
        difference = location[None, :, :] - self.position[:, None, :]
        distance = np.sqrt(np.einsum("sid,sid->si", difference, difference))
        if any(here):
            distance = np.where(np.array(here)[:, None], novelty[None, :], distance)
        self.table[:, ids] = distance

    def _seen_one(self, idea: int, anchor: np.ndarray) -> None:
        """Each side's novelty of one idea placed: place()'s distances, read and written as scalars and one row."""
        novelty = self.ideas.novelty[idea]
        if self.neutral:
            self.table[:, idea] = novelty
            return
        difference = (self.ideas.location[idea] - self.position)[:, None, :]  # (sides x 1 idea x dimensions)
        distance = np.sqrt(np.einsum("sid,sid->si", difference, difference))[:, 0]
        point = anchor.tolist()
        for side, position in enumerate(self.position.tolist()):
            if position == point:  # a side at the idea's anchor sees its drawn novelty exactly
                distance[side] = novelty
        self.table[:, idea] = distance

    def place_authored(self, ids: np.ndarray, authors: np.ndarray | list[np.ndarray], voice: np.ndarray | None) -> None:
        """A meeting's ideas: around the sides in the room, on the dimensions its voice-weighted authors weigh."""
        if ids.size == 0:
            return
        one = isinstance(authors, np.ndarray) and authors.ndim == 1
        if one:
            weights = self._authors_salience(authors, voice)
        else:
            weights = np.array([self._authors_salience(who, voice) for who in authors])
        if self.equal_starts:
            anchor = self.start[0]
        else:
            everyone = authors if one else np.concatenate(list(authors))
            anchor = self.anchor(np.unique(self.side[everyone]) if everyone.size else np.arange(self.n_sides))
        self.place(ids, weights, anchor)

    def _authors_salience(self, who: np.ndarray, voice: np.ndarray | None) -> np.ndarray:
        """The voice-weighted salience of some authors, summed (proportional to their mean; equal when none)."""
        if who.size == 0:
            return self.uniform
        if voice is None:
            return np.add.reduce(self.salience[who], axis=0)
        weight = voice[who]
        if np.logical_or.reduce(weight):  # weight.any(), without its wrapper
            return weight @ self.salience[who]
        return np.add.reduce(self.salience[who], axis=0)

    def place_rivals(self, first: int, own: int, holders: np.ndarray, starts: np.ndarray) -> None:
        """A month's rival ideas from id `first` on, and each side's novelty of each: :meth:`place` of each.

        Track One's `own` (the first) near its current position, on the dimensions their first holders weigh; the
        others anywhere, equally. In one kernel call (model/kernels/rivals.py).
        """
        if self.dimension.size < self.ideas.capacity:
            self._room()
        if self._outside_anchor is None:
            self._outside_anchor = self.anchor(np.arange(self.n_sides))
        ideas = self.ideas
        placed_rivals(
            first,
            own,
            holders,
            starts,
            self.side,
            self.salience,
            self.uniform,
            self._outside_anchor,
            self.position,
            self.neutral,
            ideas.key,
            self._direction,
            ideas.novelty,
            ideas.location,
            self.dimension,
            self.table,
        )

    def place_seeded(self, ids: np.ndarray) -> None:
        """Ideas held from the start: on any dimension, around every side's start."""
        self.place(ids, self.uniform, self.anchor(np.arange(self.n_sides)))

    # Novelty as each side sees it ----------------------------------------------------------------

    @property
    def neutral(self) -> bool:
        """Every side sees every idea at its drawn novelty (equal starts, nothing moved)."""
        return self.equal_starts and not self.moved

    def novelty(self, n: int) -> np.ndarray:
        """Novelty of the first n ideas for advocacy: per idea when neutral, else (sides x ideas)."""
        return self.ideas.novelty[:n] if self.neutral else self.table[:, :n]

    def seen(self, idea: int) -> np.ndarray:
        """An idea's novelty to each side now."""
        return self.table[:, idea]

    # Positions that move ---------------------------------------------------------------------------

    @classmethod
    def for_model(cls, model: Any) -> IssueSpace:
        """The issue space of a model being built (its population, ideas, officials and randomness)."""
        p = model.params
        kind_behaviour = [p.kinds[k].behaviour for k in model.kind_names]
        rows = salience_rows(p.issues, model.kind_names, kind_behaviour)
        officials = np.array([group.size for group in model.officials_by_side], dtype=float)
        official_groups = BEHAVIOURS.index("official") * model.n_sides + np.arange(model.n_sides)
        return cls(
            p.issues,
            model.ideas,
            rows[model.kind_index],
            model.side,
            model.n_sides,
            official_groups,
            officials,
            model.randomness,
        )

    def taken_by(self, transfer: TrackOneEntry, entered: np.ndarray) -> np.ndarray:
        """(sides x entered ideas): the sides whose Track One took each idea as it entered."""
        return transfer.sides_taking(entered, self.n_sides)

    def after_transfer(self, entered: np.ndarray, transfer: TrackOneEntry) -> None:
        """A month's end: note entered ideas' novelty, pull positions toward them, then framing by held ideas."""
        if entered.size:  # their novelty at entry and the pull toward them, idea by idea, in one kernel call
            taken = self.taken_by(transfer, entered)
            entered_pull(
                entered, taken, self.table, self.entered_novelty, self.ideas.location, self.position, self.adoption_pull
            )
            self.moved = self.moved or self.adoption_pull > 0
        if self.framing_pull > 0 and self._framing(bool(entered.size)):
            return  # the framing step found every idea's novelty from the new positions
        if entered.size and self.adoption_pull > 0:
            distances(self.ideas.location, self.ideas.count, self.position, self.table)  # every idea's, from now

    def _framing(self, entered: bool) -> bool:
        """Each side's position moves toward the ideas its officials hold that Track One has not adopted.

        Then every idea's novelty is found from the new positions. Returns whether any side moved.

        The pull's weights change only when officials' holdings or the adopted ideas do: kept until then (the
        holdings, kept as floats, compared in the kernel that copies them). Each side's targets (its officials'
        holdings of the open ideas, and of the open Track Two ideas, times their locations) and totals (the
        holdings summed) come from one product with kept (ideas x dimensions) weights: the open ideas' locations
        (0 elsewhere: the products and sums of the holdings times the 0/1 masks, so the same bits) and, for the
        totals, the masks repeated along the dimensions (whole numbers: exact in any order). Each total is then in
        every dimension's column, so one multiplication scales both and a step needs no column.
        """
        ideas = self.ideas
        n = ideas.count
        kept = self._holding
        if kept.shape[1] < n:  # room for more ideas (doubling); the new columns differ from any holding (-1)
            kept = np.full((self.n_sides, max(n, 2 * kept.shape[1])), -1.0)
            kept[:, : self._holding.shape[1]] = self._holding
            self._holding = kept
        changed = officials_holding(ideas.group_holders, self._first_official_row, n, kept)
        cached = self._pull
        if entered or changed or cached is None:
            weights = self._weights
            if entered or weights.shape[1] != n:  # which ideas pull (not adopted; from Track Two): changes rarely
                weights = self._weights = pull_weights(ideas.entered_step, ideas.origin, ideas.location, n, _WORKSHOP)
            pulled = np.matmul(kept[:, :n], weights)  # (all open, Track Two open) x sides x dimensions: targets, totals
            pulling = scale_pull(pulled, self._factor, self.framing_pull * n > 1.0)
            cached = self._pull = (pulled[:2], pulled[2:], pulling)
        if not cached[2]:
            return False
        framing_step(cached[0], cached[1], self.position, self.influence, ideas.location, n, self.table)
        self.moved = True
        return True

    # What entered ----------------------------------------------------------------------------------

    def outcomes(self, side_labels: list[str]) -> dict[str, float]:
        """Influence on the process, outcome transfer and the agenda per dimension, emergent novelty of transfers."""
        ideas = self.ideas
        n = ideas.count
        workshop = ideas.origin[:n] == ORIGINS.index("workshop")
        entered = workshop & (ideas.entered_step[:n] >= 0)
        dimension = self.dimension[:n]
        generated = np.bincount(dimension[workshop], minlength=self.dimensions)
        transferred = np.bincount(dimension[entered], minlength=self.dimensions)
        result: dict[str, float] = {"influence_on_process": float(self.influence.sum())}
        for s, label in enumerate(side_labels):
            for d, key in enumerate(self.keys):
                result[f"influence_on_process_{snake(str(label))}_{key}"] = float(self.influence[s, d])
        total = transferred.sum()
        shares = transferred / total if total else np.full(self.dimensions, math.nan)
        for d, key in enumerate(self.keys):
            result[f"outcome_transfer_{key}"] = int(transferred[d])
            result[f"agenda_share_{key}"] = float(shares[d])
            result[f"generated_share_{key}"] = float(generated[d] / generated.sum()) if generated.sum() else math.nan
        positive = shares[shares > 0]
        result["agenda_breadth"] = float(np.exp(-(positive * np.log(positive)).sum())) if total else math.nan
        novelty = self.entered_novelty[:n][entered]
        result["mean_emergent_novelty_transferred"] = float(novelty.mean()) if novelty.size else math.nan
        return result
