"""Formats other than the problem-solving workshop, and the meeting spec every meeting is run from.

Functional forms (docs/ODD.md, "Formats"):

    training           a meeting with ideas x training_idea_factor; then each participant's
                       standing += training_standing_gain x (1 - standing), skill += training_skill_gain x (1 - skill)
    later meetings     candour x (1 + skill_candour_gain x mean skill of the room)
    knowledge product  the programme's product_ideas most-held ideas not yet in Track One reach each official of the
                       convened sides with chance product_reach; one adopts with chance
                       max(0, product_credibility - authors' mean standing) x exp(-aversion x novelty): the
                       credibility the product lends beyond its authors' own
    exposure trip      trip_size travellers (officials, or the mix's kinds); for trip_months their novelty aversion
                       x (1 - trip_aversion_cut); trust of the other sides on the trip += trip_trust_gain x (1 - trust)
    shuttle            one meeting per side (no other side in the room); the third party carries each side's ideas to
                       the other sides' participants, each taking one up with chance shuttle_carry
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from tracktwo.model.ideas import AUTHOR, IdeaStore
from tracktwo.model.workshops import WorkshopSeries, largest_remainder

if TYPE_CHECKING:
    from tracktwo.model.params import Formats


@dataclass(frozen=True)
class FormatState:
    """What the formats read of a run: the actors' arrays and the ideas (views, never the model itself).

    The formats write nothing here except through the IdeaStore's own methods (adoptions); what they
    change in the actors' arrays they return (TrustChange, the sides of an idea's carriers).
    """

    config: Formats
    ideas: IdeaStore
    side: np.ndarray  # each actor's side
    kind_of: np.ndarray  # each actor's kind
    officials: np.ndarray  # the officials (indices)
    standing: np.ndarray
    aversion: np.ndarray  # novelty aversion now
    trust: np.ndarray  # (actors x sides)
    excluded: np.ndarray  # actors an evaluation removed (bool)
    seats_empty: bool  # a removed actor's seat stays empty (evaluation.seats: empty)


@dataclass(frozen=True)
class TrustChange:
    """New trust for some (actor, side) cells: ``trust[rows, sides] = change.trust``."""

    rows: np.ndarray
    sides: np.ndarray
    trust: np.ndarray


@dataclass
class Meeting:
    """One meeting to run: its series (parameters, memory), participants, format and the factors on its process."""

    series: WorkshopSeries
    who: np.ndarray
    number: int  # the run's meeting number: keys its draws, and `evaluation.removed: workshop:N+1` removes it
    format: str = "workshop"
    candour_factor: float = 1.0  # third party's expertise, participants' process skills
    trust_bonus: float = 0.0  # share of the gap to full trust a local team closes
    idea_factor: float = 1.0  # training: few ideas; duplicates of another initiative's
    confidentiality_factor: float = 1.0  # proscribed participants: more leaks
    voice: np.ndarray | None = None  # each actor's voice (None: every participant authors every idea)
    voice_rng: np.random.Generator | None = None


def train(config: Formats, standing: np.ndarray, skill: np.ndarray, who: np.ndarray) -> None:
    """Capacity building: expert inputs raise the participants' standing and process skills."""
    standing[who] += config.training_standing_gain * (1.0 - standing[who])
    skill[who] += config.training_skill_gain * (1.0 - skill[who])


def skill_factor(config: Formats, skill: np.ndarray, who: np.ndarray) -> float:
    """Candour multiplier from the room's process skills (1 when nobody was trained)."""
    mean = float(skill[who].mean()) if who.size else 0.0
    return 1.0 + config.skill_candour_gain * mean


def first_author(ideas: IdeaStore, idea: int) -> int:
    """One author of an idea (the carrier a product or a shuttle names as its source)."""
    authors = np.flatnonzero((ideas.source[:, idea] == AUTHOR) & (ideas.first_adopted[:, idea] >= 0))
    return int(authors[0])


def publish(
    state: FormatState, rng: np.random.Generator, own_ideas: list[int], sides: list[int], t: int
) -> tuple[np.ndarray, np.ndarray]:
    """A joint knowledge product: the group's most-held ideas reach officials with the product's own credibility.

    Returns the adoptions it made: (official, idea) arrays. An idea nobody authored (its room's
    officials took none of it when the Track 1.5 route is closed) has no author to name and is left out.
    """
    config = state.config
    ideas = state.ideas
    pending = np.array([i for i in own_ideas if ideas.entered_step[i] < 0], dtype=np.int64)
    if pending.size:
        pending = pending[(ideas.source[:, pending] == AUTHOR).any(axis=0)]
    if pending.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    holders = ideas.holds[:, pending].sum(axis=0)
    order = np.lexsort((-ideas.novelty[pending], -holders))
    carried = pending[order[: config.product_ideas]]
    officials = state.officials
    officials = officials[np.isin(state.side[officials], sides)]
    adopted: list[tuple[np.ndarray, np.ndarray]] = [(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))]
    for idea in carried.tolist():
        novelty = ideas.novelty[idea]
        authors = np.flatnonzero((ideas.source[:, idea] == AUTHOR) & (ideas.first_adopted[:, idea] >= 0))
        lift = max(0.0, config.product_credibility - float(state.standing[authors].mean()))
        chance = config.product_reach * lift * np.exp(-state.aversion[officials] * novelty)
        takes = (rng.random(officials.size) < chance) & ~ideas.holds[officials, idea]
        actors = officials[takes]
        ideas.adopt(actors, np.full(actors.size, idea), t, np.full(actors.size, first_author(ideas, idea)))
        adopted.append((actors, np.full(actors.size, idea)))
    return tuple(np.concatenate([a[k] for a in adopted]).astype(np.int64) for k in (0, 1))


def travellers(
    state: FormatState, rng: np.random.Generator, kinds: list[str], sides: list[int], size: int
) -> np.ndarray:
    """Who goes on an exposure trip: `size` actors of these kinds, split evenly across the sides."""
    per_side = largest_remainder(size, np.ones(len(sides)), rng)
    chosen = []
    for side, seats in zip(sides, per_side, strict=True):
        empty = state.seats_empty  # removed actors keep their place, then stay home
        pool = np.flatnonzero(np.isin(state.kind_of, kinds) & (state.side == side) & (empty | ~state.excluded))
        picked = rng.permutation(pool)[:seats]
        chosen.append(picked[~state.excluded[picked]] if empty else picked)
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)


def travel(state: FormatState, who: np.ndarray, until: np.ndarray, t: int) -> TrustChange:
    """An exposure trip: the travellers' aversion falls for a while (``until``); their trust of the trip's sides rises.

    The new trust is returned, for the model to set.
    """
    config = state.config
    until[who] = t + config.trip_months
    present = np.unique(state.side[who])
    rows, sides, values = [], [], []
    for side in present.tolist():
        others = who[state.side[who] != side]
        rows.append(others)
        sides.append(np.full(others.size, side, dtype=np.int64))
        values.append(state.trust[others, side] + config.trip_trust_gain * (1.0 - state.trust[others, side]))
    if not rows:
        empty = np.empty(0, dtype=np.int64)
        return TrustChange(empty, empty, np.empty(0))
    return TrustChange(np.concatenate(rows), np.concatenate(sides), np.concatenate(values))


def carry(
    state: FormatState, rng: np.random.Generator, rounds: list[tuple[np.ndarray, np.ndarray]], t: int
) -> tuple[int, list[tuple[int, np.ndarray]]]:
    """Shuttle: each side's ideas carried to the other sides' participants.

    Returns the adoptions and, per idea carried, the sides of those who took it up (the model adds
    them to the idea's author sides).
    """
    chance = state.config.shuttle_carry
    ideas = state.ideas
    adopted = 0
    carriers: list[tuple[int, np.ndarray]] = []
    for index, (_, ideas_here) in enumerate(rounds):
        others = [who for j, (who, _) in enumerate(rounds) if j != index]
        if not others or ideas_here.size == 0:
            continue
        receivers = np.concatenate(others)
        for idea in ideas_here.tolist():
            if not (ideas.source[:, idea] == AUTHOR).any():  # nobody authored it (route:via_track_1_5 closed)
                continue
            takes = (rng.random(receivers.size) < chance) & ~ideas.holds[receivers, idea]
            actors = receivers[takes]
            ideas.adopt(actors, np.full(actors.size, idea), t, np.full(actors.size, first_author(ideas, idea)))
            carriers.append((idea, np.unique(state.side[actors])))
            adopted += actors.size
    return adopted, carriers
