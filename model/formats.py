"""Formats other than the problem-solving workshop, and the meeting spec every meeting is run from.

Functional forms (docs/ODD.md, "Formats"):

    training           a meeting with ideas x training_idea_factor; then each participant's
                       standing += training_standing_gain x (1 - standing), skill += training_skill_gain x (1 - skill)
    later meetings     candour x (1 + skill_candour_gain x mean skill of the room)
    knowledge product  the programme's product_ideas most-held ideas not yet in Track One reach each official of the
                       convened sides with chance product_reach; a reader adopts with chance product_credibility
                       x its trust of the co-authors of other sides x exp(-aversion x novelty); one who does not
                       is closed to that idea for product_closure_months (neither advocacy nor a later product
                       wins it over): the product publicly fixes a worked-out idea, and a no is a no for a while
    exposure trip      trip_size travellers (officials, or the mix's kinds); for trip_months their novelty aversion
                       x (1 - trip_aversion_cut); trust of the other sides on the trip += trip_trust_gain x (1 - trust)
                       and, for good, each traveller's standing x (1 - trip_cooptation): colleagues read the trip as
                       co-optation by the other side, so the travellers' advocacy carries less with officials
    shuttle            one meeting per side (no other side in the room); the third party carries each side's ideas to
                       the other sides' participants, each taking one up with chance shuttle_carry
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from tracktwo.model.ideas import AUTHOR, IdeaStore
from tracktwo.model.params import FORMAT_NAMES
from tracktwo.model.workshops import WorkshopRecord, WorkshopSeries, largest_remainder

if TYPE_CHECKING:
    from tracktwo.model.params import Event, Formats, Params

__all__ = [
    "FORMATS",
    "Closures",
    "Footprint",
    "Format",
    "FormatState",
    "Meeting",
    "Occasion",
    "TrustChange",
    "carry",
    "first_author",
    "publish",
    "register",
    "sides_of",
    "skill_factor",
    "train",
    "travel",
    "travellers",
]


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
    issues: Any = None  # the issue space (model/issues.py): each side's novelty of an idea; None = drawn novelty


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
    partiality: np.ndarray | None = None  # per side: share of room trust its participants lose to a one-sided team
    idea_factor: float = 1.0  # training: few ideas; duplicates of another initiative's
    confidentiality_factor: float = 1.0  # proscribed participants: more leaks
    voice: np.ndarray | None = None  # each actor's voice (None: every participant authors every idea)
    voice_rng: np.random.Generator | None = None  # who authors each idea (None: keyed by the meeting when needed)


@dataclass(frozen=True)
class Closures:
    """Officials a knowledge product closed to its ideas: (actor, idea) pairs, each closed through a step."""

    actors: np.ndarray
    ideas: np.ndarray
    until: np.ndarray


@dataclass
class Footprint:
    """What one entry of the main programme's schedule did, for attribution (kept with the full record)."""

    meetings: list[int] = field(default_factory=list)  # numbers of the meetings it held
    adoptions: list[tuple[np.ndarray, np.ndarray, int]] = field(
        default_factory=list
    )  # a product's (readers, ideas, step)
    trips: list[tuple[np.ndarray, int, int]] = field(default_factory=list)  # travellers, first and last step of effect


def train(config: Formats, standing: np.ndarray, skill: np.ndarray, who: np.ndarray) -> None:
    """Capacity building: expert inputs raise the participants' standing and process skills."""
    standing[who] += config.training_standing_gain * (1.0 - standing[who])
    skill[who] += config.training_skill_gain * (1.0 - skill[who])


def skill_factor(config: Formats, skill: np.ndarray, who: np.ndarray) -> float:
    """Candour multiplier from the room's process skills (1 when nobody was trained)."""
    mean = float(np.add.reduce(skill.take(who)) / who.size) if who.size else 0.0  # skill[who].mean(), no wrapper
    return 1.0 + config.skill_candour_gain * mean


def first_author(ideas: IdeaStore, idea: int, authored: np.ndarray | None = None) -> int:
    """One author of an idea (the carrier a product or a shuttle names as its source).

    `authored`: ``ideas.source[:, idea] == AUTHOR``, when the caller has it.
    """
    return int(_authors(ideas, idea, authored)[0])


def _authors(ideas: IdeaStore, idea: int, authored: np.ndarray | None = None) -> np.ndarray:
    """The actors who authored an idea and hold it still (`authored`: the source test, when the caller has it)."""
    if authored is None:
        authored = ideas.source[:, idea] == AUTHOR
    return np.flatnonzero(authored & (ideas.first_adopted[:, idea] >= 0))


def sides_of(side: np.ndarray, actors: np.ndarray) -> np.ndarray:
    """``np.unique(side[actors])`` on Python ints (a few actors: a set costs less than unique's sort)."""
    return np.array(sorted(set(side.take(actors).tolist())), dtype=side.dtype)


def publish(
    state: FormatState,
    rng: np.random.Generator,
    own_ideas: list[int],
    sides: list[int],
    t: int,
    closed: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, Closures]:
    """A joint knowledge product: the group's most-held ideas reach officials, who take them up or close to them.

    A reader adopts with the product's own credibility x its trust of the co-authors on other sides x
    exp(-aversion x novelty); one uniform per (official, idea) decides both whether the product reached
    the official and whether it convinced. A reader it did not convince is closed to the idea for
    ``product_closure_months``: the product helps where officials trust the other side enough to read it,
    and costs where they do not (advocacy, and the next product, can no longer win the readers over).
    An official still closed by an earlier product (``closed`` says who is open) neither takes the idea
    up nor refuses it again. Returns the adoptions, (official, idea) arrays, and the closures. An idea
    nobody authored (its room's officials took none of it when the Track 1.5 route is closed) has no
    author to name and is left out.
    """
    config = state.config
    ideas = state.ideas
    empty = np.empty(0, dtype=np.int64)
    none = Closures(empty, empty, empty)
    pending = np.array([i for i in own_ideas if ideas.entered_step[i] < 0], dtype=np.int64)
    if pending.size:
        pending = pending[(ideas.source[:, pending] == AUTHOR).any(axis=0)]
    if pending.size == 0:
        return empty, empty, none
    holders = ideas.holds[:, pending].sum(axis=0)
    order = np.lexsort((-ideas.novelty[pending], -holders))
    carried = pending[order[: config.product_ideas]]
    officials = state.officials
    convened = np.zeros(state.trust.shape[1], dtype=bool)  # np.isin(side, sides) as a lookup by side (isin: ~100 us)
    convened[sides] = True
    officials = officials[convened.take(state.side.take(officials))]
    adopted: list[tuple[np.ndarray, np.ndarray]] = [(empty, empty)]
    refusals: list[tuple[np.ndarray, np.ndarray]] = [(empty, empty)]
    for idea in carried.tolist():
        novelty = ideas.novelty[idea] if state.issues is None else state.issues.seen(idea)[state.side[officials]]
        chance = config.product_reach * config.product_credibility * np.exp(-state.aversion[officials] * novelty)
        chance *= _joint_trust(state, officials, idea)
        draw = rng.random(officials.size)
        holds = ideas.holds[officials, idea]
        if closed is not None:  # an earlier product's refusals: closed readers neither adopt nor refuse again
            holds = holds | ~closed(officials, np.full(officials.size, idea))
        takes = (draw < chance) & ~holds
        actors = officials[takes]
        ideas.adopt(actors, np.full(actors.size, idea), t, np.full(actors.size, first_author(ideas, idea)))
        adopted.append((actors, np.full(actors.size, idea)))
        if config.product_closure_months:
            refused = officials[(draw < config.product_reach) & ~takes & ~holds]
            refusals.append((refused, np.full(refused.size, idea)))
    readers, read = (np.concatenate([a[k] for a in adopted]).astype(np.int64) for k in (0, 1))
    who, which = (np.concatenate([c[k] for c in refusals]).astype(np.int64) for k in (0, 1))
    return readers, read, Closures(who, which, np.full(who.size, t + config.product_closure_months))


def _joint_trust(state: FormatState, officials: np.ndarray, idea: int) -> np.ndarray:
    """Each official's trust of the other sides among an idea's authors (1 when only its own side wrote it).

    A joint product is the other side's as much as one's own: an official reads it through its trust of
    them, as it hears an advocate of another side.
    """
    present = sides_of(state.side, _authors(state.ideas, idea))
    trust = state.trust[officials[:, None], present[None, :]]  # np.ix_'s cells, without its checks
    others = state.side[officials][:, None] != present[None, :]
    counted = others.sum(axis=1)
    return np.where(counted > 0, (trust * others).sum(axis=1) / np.maximum(counted, 1), 1.0)


def travellers(
    state: FormatState, rng: np.random.Generator, kinds: list[str], sides: list[int], size: int
) -> np.ndarray:
    """Who goes on an exposure trip: `size` actors of these kinds, split evenly across the sides."""
    per_side = largest_remainder(size, np.ones(len(sides)), rng)
    chosen = []
    empty = state.seats_empty  # removed actors keep their place, then stay home
    eligible = np.isin(state.kind_of, kinds) & (empty | ~state.excluded)  # the same on every side: made once
    for side, seats in zip(sides, per_side, strict=True):
        pool = np.flatnonzero(eligible & (state.side == side))
        rng.shuffle(pool)  # rng.permutation's draws and order, on the array made here (no copy)
        picked = pool[:seats]
        chosen.append(picked[~state.excluded[picked]] if empty else picked)
    return np.sort(np.concatenate(chosen)) if chosen else np.empty(0, dtype=np.int64)


def travel(state: FormatState, who: np.ndarray, until: np.ndarray, t: int) -> TrustChange:
    """An exposure trip: the travellers' aversion falls for a while (``until``); their trust of the trip's sides rises.

    The new trust is returned, for the model to set.
    """
    config = state.config
    until[who] = t + config.trip_months
    rows, sides, values = [], [], []
    for side in sides_of(state.side, who).tolist():
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
            authored = ideas.source[:, idea] == AUTHOR
            if not np.logical_or.reduce(authored):  # nobody authored it (route:via_track_1_5 closed)
                continue
            takes = (rng.random(receivers.size) < chance) & ~ideas.holds[receivers, idea]
            actors = receivers[takes]
            source = first_author(ideas, idea, authored)
            ideas.adopt(actors, np.full(actors.size, idea), t, np.full(actors.size, source))
            carriers.append((idea, sides_of(state.side, actors)))
            adopted += actors.size
    return adopted, carriers


# ----------------------------------------------------------------------------------------------
# The formats as plug-ins: one class per format, registered once


@dataclass
class Occasion:
    """One event being held, as its format sees it: the event, the run's state and what the programme offers.

    ``meet(side)`` convenes and runs one meeting of the event (all convened sides, or one side) and
    returns its record (None when it was not held: removed, or too few came). The format notes in
    ``row`` what the events table shows of it, and in ``traced`` (the full record on) what it did.
    """

    event: Event
    t: int
    params: Params  # the run's parameters
    state: FormatState
    rng: np.random.Generator | None  # the event's own draws (None for a meeting format: its draws are the meeting's)
    sides: list[int]  # the sides the initiative convenes
    mix: Callable[[], dict[str, float]]  # the convener's seat shares by kind (the event's mix, else the initiative's)
    own_ideas: list[int]  # ideas born in the initiative's meetings so far
    skill: np.ndarray  # each actor's process skills (capacity building raises them)
    trip_until: np.ndarray  # step each actor's exposure-trip effect lasts through
    meet: Callable[[int | None], WorkshopRecord | None]
    apply_trust: Callable[[TrustChange], None]
    add_author_sides: Callable[[int, np.ndarray], None]
    close: Callable[[Closures], None] = lambda closures: None  # officials a product closed to its ideas
    is_open: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None  # (actor, idea) pairs no product closed
    row: dict[str, Any] = field(default_factory=dict)
    traced: Footprint | None = None


class Format:
    """A kind of event a programme holds. A new format is one subclass registered with :func:`register`.

    ``name`` is what ``programme.events`` says (``format: NAME``) and the component key
    ``format:NAME`` removes; ``words`` (singular, plural) and ``mark`` (on the app's plots; None:
    not marked) are its labels; ``meeting`` formats hold meetings (their draws are keyed by the
    meeting's number), the others draw from the event's generator. ``hold`` does what the format
    does to the room, the ideas and the state, and returns the meetings it held. A ``plain`` format's
    event is one meeting of all the convened sides and nothing more (``hold`` is ``occasion.meet(None)``):
    the programme holds it without making an Occasion.
    """

    name: ClassVar[str]
    words: ClassVar[tuple[str, str]]
    description: ClassVar[str]
    mark: ClassVar[str | None] = None
    meeting: ClassVar[bool] = False
    plain: ClassVar[bool] = False

    def rooms(self, sides: int) -> int:
        """Meetings one event of this format holds, with `sides` convened sides (the run's meeting count)."""
        return 1 if self.meeting else 0

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        """Hold the event; returns the meetings held (none for an event that is not a meeting)."""
        raise NotImplementedError


FORMATS: dict[str, Format] = {}  # every format a schedule may name, by name (in registration order)


def register(cls: type[Format]) -> type[Format]:
    """Register a format (a class decorator): schedules may name it, evaluations remove it, labels read it."""
    if cls.name in FORMATS:
        raise ValueError(f"format {cls.name!r} is registered already")
    FORMATS[cls.name] = cls()
    FORMAT_NAMES[cls.name] = cls.description
    return cls


@register
class Workshop(Format):
    """The problem-solving workshop: a meeting whose ideas, trust and ties the model develops."""

    name = "workshop"
    words = ("workshop", "workshops")
    description = "workshop (problem-solving)"
    meeting = True
    plain = True

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        record = occasion.meet(None)
        return [record] if record is not None else []


@register
class Training(Workshop):
    """Capacity building: a meeting with few ideas; then the participants' standing and process skills rise."""

    name = "training"
    words = ("capacity-building training", "capacity-building trainings")
    description = "training (capacity building)"
    mark = "training"
    plain = False  # the participants are trained after the meeting

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        record = occasion.meet(None)
        if record is None:
            return []
        train(occasion.params.formats, occasion.state.standing, occasion.skill, record.participants)
        return [record]


@register
class KnowledgeProduct(Format):
    """A joint report: the group's most-held ideas reach officials; those it does not convince close to them."""

    name = "knowledge_product"
    words = ("joint knowledge product", "joint knowledge products")
    description = "knowledge_product (a joint report)"
    mark = "joint report"

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        readers, read, closures = publish(
            occasion.state, occasion.rng, occasion.own_ideas, occasion.sides, occasion.t, occasion.is_open
        )
        occasion.close(closures)
        occasion.row["officials_reached"] = int(readers.size)
        occasion.row["officials_closed"] = int(closures.actors.size)
        if occasion.traced is not None:
            occasion.traced.adoptions.append((readers, read, occasion.t))
        return []


@register
class ExposureTrip(Format):
    """A study tour: the travellers' novelty aversion falls for a while, their trust of the other sides rises.

    Its cost: colleagues read the trip as co-optation, so each traveller loses trip_cooptation of its standing.
    """

    name = "exposure_trip"
    words = ("exposure trip", "exposure trips")
    description = "exposure_trip (study tour)"
    mark = "exposure trip"

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        event, params, t = occasion.event, occasion.params, occasion.t
        kinds = params.kinds_with("official") if event.audience == "officials" else list(occasion.mix())
        size = event.size or params.formats.trip_size
        who = travellers(occasion.state, occasion.rng, kinds, occasion.sides, size)
        occasion.apply_trust(travel(occasion.state, who, occasion.trip_until, t))
        occasion.state.standing[who] *= 1.0 - params.formats.trip_cooptation  # marked as co-opted at home
        occasion.row["participants"] = int(who.size)
        if occasion.traced is not None:
            occasion.traced.trips.append((who, t, t + params.formats.trip_months))
        return []


@register
class Shuttle(Format):
    """Shuttle diplomacy: one meeting per side, the third party carrying each side's ideas to the others."""

    name = "shuttle"
    words = ("shuttle round", "shuttle rounds")
    description = "shuttle (one side at a time, through the third party)"
    mark = "shuttle"

    def rooms(self, sides: int) -> int:
        return sides

    def hold(self, occasion: Occasion) -> list[WorkshopRecord]:
        records = [r for r in (occasion.meet(side) for side in occasion.sides) if r is not None]
        rounds = [(r.participants, r.ideas) for r in records]
        occasion.row["carried"], carried = carry(occasion.state, occasion.rng, rounds, occasion.t)
        for idea, sides in carried:
            occasion.add_author_sides(idea, sides)
        return records
