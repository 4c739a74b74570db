"""Programmes as schedules of events, run by third parties; several initiatives on one conflict.

The main programme is ``programme.events`` (null: today's regular series, from the workshops
section) run by ``programme.third_party``; each entry of ``initiatives`` is a further programme
with its own third party, workshops overrides and schedule. Each step, every initiative holds
the events due (in the order of the config). Initiatives compete for the same participants
(docs/ODD.md, "Several initiatives"):

    P(invitee comes) x= 1 - fatigue_decline    if it met another initiative in the last fatigue_months
                     = 0                       if another initiative seated it this month
    ideas           x= 1 - duplicate_share x (share of the room that met another initiative)   (uncoordinated)
    meetings held   one in 1 / coordination_cost is given up to coordinating                    (coordinated)

Coordinated initiatives share invitation lists (an invitee who declines is replaced by one of the
same kind and side who is free), sequence their meetings (an event that falls in a month another
initiative already meets moves to the next free month) and share results (no duplicates).

Random numbers: every meeting has a number from the run's count (the main series keeps it, and
``evaluation.removed: workshop:N`` skips the N-th), and its convening and process draw from
generators keyed by that number (model/randomness.py), as the regular series does; so do its
declines (keyed by meeting and invitee), replacements, outreach, voice and the funder's
withdrawal. An event that is not a meeting (a trip, a product, a shuttle's carrying) draws from a
generator keyed by (step, initiative, its place among the initiative's events that step). A
feature left at its neutral default draws nothing, and removing an event or a meeting leaves
every other event's luck as it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from tracktwo.model import formats, thirdparty
from tracktwo.model.formats import Footprint, FormatState, Meeting, TrustChange
from tracktwo.model.kernels.initiatives import attending, open_cells, outreach_pairs
from tracktwo.model.params import BEHAVIOURS, Event, Params, ThirdParty, Workshops, initiative_workshops, regular_steps
from tracktwo.model.randomness import EventRandomness, purpose_stream
from tracktwo.model.tracks import TrackUptake
from tracktwo.model.voice import group_keys, voice_weights
from tracktwo.model.workshops import WorkshopRecord, WorkshopSeries, accepted_conditionality, funded_workshops

if TYPE_CHECKING:
    from tracktwo.model.components import Removal
    from tracktwo.model.ideas import IdeaStore
    from tracktwo.model.network import Population

__all__ = ["MAIN", "Footprint", "Host", "Programmes", "Running"]

MAIN = "main programme"
_NOBODY = np.zeros(0, dtype=bool)  # no actor proscribed (the invitations' kernel)
_NO_ROWS = np.zeros(0, dtype=np.int64)  # no other initiative (the invitations' kernel)
_NO_CELLS = np.zeros(0, dtype=np.int64)  # no (idea, actor) cell closed by a knowledge product


@dataclass
class Running:
    """One initiative as it runs: its third party, conveners, schedule, reputation and what it did."""

    name: str
    params: Params  # the run's parameters as its third party's series sees them
    third_party: ThirdParty
    series: WorkshopSeries  # its default convener (the regular series' parameters)
    plan: dict[int, list[tuple[int, Event]]]  # step -> (entry of the schedule, event) held that step
    reputation: float
    conveners: dict[tuple, WorkshopSeries] = field(default_factory=dict)
    ideas: list[int] = field(default_factory=list)
    ended: int | None = None  # step the series ended (turnout too low, funding withdrawn)
    withdrawn: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    coordination_owed: float = 0.0  # meetings' worth of the budget owed to coordinating (coordinated initiatives)
    factors: tuple = ()  # its third party's (candour factor, trust bonus, partiality, outreach reach): fixed a run


class Host(Protocol):
    """What the programmes read of the run they are part of, and the changes they ask it to make.

    The programmes write nothing into the model: a meeting is run by the model (``run_workshop``),
    and what an event changes in the actors' arrays goes back through ``apply_trust``,
    ``add_author_sides`` and ``lower_aversion``.
    """

    params: Params
    seed: int
    n_actors: int
    n_sides: int
    side: np.ndarray  # each actor's side
    kind_of: np.ndarray  # each actor's kind
    kind_names: list[str]
    kind_index: np.ndarray
    behaviour: np.ndarray  # each actor's behaviour
    members: dict[str, np.ndarray]  # actors of each behaviour
    population: Population
    removal: Removal  # what a counterfactual removes
    randomness: EventRandomness
    record: object | None  # the full record (model/record.py), when evaluation.record is on
    ideas: IdeaStore
    standing: np.ndarray
    aversion: np.ndarray
    trust: np.ndarray

    def run_workshop(self, t: int, meeting: Meeting) -> WorkshopRecord:
        """Run one meeting: ideas, trust, standing, ties, leaks."""

    def cross_side_trust(self) -> np.ndarray:
        """Each actor's mean trust of the other sides."""

    def mean_cross_side_trust(self) -> float:
        """The mean of :meth:`cross_side_trust` (the same sum and quotient)."""

    def apply_trust(self, change: TrustChange) -> None:
        """Set the trust of some (actor, side) cells."""

    def add_author_sides(self, idea: int, sides: np.ndarray) -> None:
        """An idea's carriers now include these sides."""

    def lower_aversion(self, who: np.ndarray, factor: float) -> None:
        """Multiply these actors' novelty aversion by factor (until the class rules set it afresh)."""


class Programmes:
    """Every initiative on the conflict, their events each step, and the outcomes beyond Track One."""

    def __init__(self, model: Host) -> None:
        self.model = model
        p = model.params
        seed = model.seed
        n = model.n_actors
        self.skill = np.zeros(n)  # process skills from capacity building
        self.trip_until = np.full(n, -1)  # exposure trips lower aversion through this step
        self._last_trip_month = -1  # the latest step any trip's effect lasts through
        self.proscribed = self._draw_proscribed(purpose_stream(seed, "proscribed"))
        keys = group_keys(model.kind_of, model.population.extra)
        self.voice = voice_weights(p.voice, keys, n)
        main = self._start(MAIN, p.workshops, p.programme.third_party, p.programme.events, model.removal.workshops)
        self.initiatives = [main]
        self.series = main.series
        self.uptake = TrackUptake(
            p, model.members, model.side, model.n_sides, model.population.extra, model.ideas, self.series,
            purpose_stream(seed, "localities"),
        )  # fmt: skip
        self.convened_by: dict[int, int] = {}  # meeting number -> the initiative that convened it (issue 25)
        for spec in p.initiatives:
            running = self._start(spec.name, initiative_workshops(p, spec), spec.third_party, spec.events)
            running.series.participated, running.series.records = main.series.participated, main.series.records
            self.initiatives.append(running)
        self.last_met = np.full((len(self.initiatives), n), -(10**9))  # step each actor last met each initiative
        self.met = np.zeros((len(self.initiatives), n), dtype=bool)
        count = len(self.initiatives)  # each initiative's others, as a column (rows of last_met and met)
        self._others = [np.array([j for j in range(count) if j != i], dtype=np.int64)[:, None] for i in range(count)]
        self.coordinated = p.competition.coordination == "coordinated" and len(self.initiatives) > 1
        if self.coordinated:
            self._sequence()
        self._due = frozenset(step for running in self.initiatives for step in running.plan)  # steps with events
        self._any_proscribed = bool(self.proscribed.any())
        self._formats_state: FormatState | None = None  # the formats' view of the run, made at the first event
        self._grassroots_places: np.ndarray | None = None  # each grassroots actor's locality: at outreach
        self._officials = model.behaviour == "official"  # behaviours are strings: compared once
        self._grassroots_groups = slice(
            BEHAVIOURS.index("grassroots") * model.n_sides, (BEHAVIOURS.index("grassroots") + 1) * model.n_sides
        )  # the ideas' (grassroots, side) counters of members holding any idea
        self.log: list[dict[str, Any]] = []
        self.footprints: dict[int, Footprint] | None = {} if model.record is not None else None
        self.declined = 0
        self.duplicates = 0.0
        self.proscribed_engaged = np.zeros(n, dtype=bool)
        self.closures: list[formats.Closures] = []  # officials knowledge products closed to their ideas
        self._closed_through = -1  # the last step any of them is closed through
        self._closed = (_NO_CELLS, _NO_CELLS)  # their (idea, actor) cells, sorted, each with its last step closed

    # Setup ------------------------------------------------------------------------------------

    def _draw_proscribed(self, rng: np.random.Generator) -> np.ndarray:
        model = self.model
        shares = np.array([model.params.kinds[k].proscribed for k in model.kind_names])[model.kind_index]
        if not shares.any():
            return np.zeros(model.n_actors, dtype=bool)
        return rng.random(model.n_actors) < shares

    def _start(
        self,
        name: str,
        workshops: Workshops,
        third_party: ThirdParty,
        events: list[Event] | None,
        removed: frozenset[int] = frozenset(),
    ) -> Running:
        model = self.model
        thirdparty.partiality(third_party, model.n_sides)  # a local team's side must exist
        params = thirdparty.facilitated_params(model.params, workshops, third_party)
        series = self._series(params, removed)
        if events is None:  # the regular series: workshops.count at first_step + i x interval
            w = params.workshops
            convenes = bool(series.mix) or series.cohort is not None
            steps = regular_steps(w.first_step, series.budget, w.interval) if convenes else []
            # the defaults, valid by construction: built without validating each (a run has dozens)
            template = Event.model_construct(format="workshop", step=steps[0]) if steps else None
            scheduled = [(step, 0, template.model_copy(update={"step": step})) for step in steps]  # same fields set
        else:
            entries = ((step, index, event) for index, event in enumerate(events) for step in event.steps())
            scheduled = sorted(entries, key=lambda x: x[0])
            scheduled = scheduled[: funded_workshops(params, len(scheduled))]
        plan: dict[int, list[tuple[int, Event]]] = {}
        for step, index, event in scheduled:
            plan.setdefault(step, []).append((index, event))
        running = Running(name, params, third_party, series, plan, third_party.initial_reputation)
        running.conveners[self._key(None)] = series
        running.factors = (
            thirdparty.candour_factor(third_party),
            thirdparty.trust_bonus(third_party),
            thirdparty.partiality(third_party, model.n_sides),
            round(third_party.profile.track_three_link * model.params.formats.outreach_size),
        )
        return running

    def _series(self, params: Params, removed: frozenset[int] = frozenset()) -> WorkshopSeries:
        """A convener on these parameters; actors an evaluation removes are never invited."""
        model = self.model
        return WorkshopSeries(
            params, model.kind_of, model.side, model.n_sides, model.population.ids, model.removal.excluded, removed
        )

    def _sequence(self) -> None:
        """Coordinated initiatives: an event in a month another initiative meets moves to the next free month."""
        taken: set[int] = set()
        for running in self.initiatives:
            moved: dict[int, list[Event]] = {}
            for step in sorted(running.plan):
                new = step
                while new in taken:
                    new += 1
                moved.setdefault(new, []).extend(running.plan[step])
            running.plan = moved
            taken |= set(moved)

    @staticmethod
    def _key(event: Event | None, side: int | None = None) -> tuple:
        """Which convener an event uses: its mix, size, mode and (shuttle) side; all None = the initiative's own."""
        if event is None:
            return (None, None, None, side)
        mix = tuple(sorted(event.mix.items())) if event.mix else None
        return (mix, event.size, event.mode, side)

    def convener(self, running: Running, event: Event, side: int | None = None) -> WorkshopSeries:
        """The series object that invites for this event: the initiative's own, or one with the event's mix and size."""
        key = self._key(event, side)
        if key in running.conveners:
            return running.conveners[key]
        base = running.params
        w = base.workshops
        size = event.size or w.size
        update: dict[str, Any] = {"mix": event.mix or w.mix, "size": size}
        if side is not None:
            update["sides"] = [side + 1]
            update["size"] = max(2, round(size / len(running.series.convened_sides)))
        params = base.model_copy(update={"workshops": w.model_copy(update=update), "mode": event.mode or base.mode})
        convener = self._series(params)
        main = running.series
        convener.meetings, convener.participated, convener.records = main.meetings, main.participated, main.records
        running.conveners[key] = convener
        return convener

    def meetings_scheduled(self) -> list[tuple[int, str, str]]:
        """(step, initiative, format) of each meeting the schedules hold if no series ends early, by run number.

        The order is run()'s: step by step, initiative by initiative, a shuttle's rooms side by side.
        """
        steps = sorted({step for running in self.initiatives for step in running.plan})
        return [
            (step, running.name, event.format)
            for step in steps
            for running in self.initiatives
            for _, event in running.plan.get(step, [])
            for _ in range(self._rooms(running, event))
        ]

    def main_schedule(self) -> list[tuple[int, str]]:
        """(step, format) of each event the main programme holds if its series does not end early, by step."""
        plan = self.initiatives[0].plan
        return [(step, event.format) for step in sorted(plan) for _, event in plan[step]]

    @staticmethod
    def _rooms(running: Running, event: Event) -> int:
        """Meetings an event holds (its format says: one for a workshop or training, one per side for a shuttle)."""
        return formats.FORMATS[event.format].rooms(len(running.series.convened_sides))

    # Each step --------------------------------------------------------------------------------

    def run(self, t: int) -> WorkshopRecord | None:
        """Hold every event due this step; returns the first meeting held (for the time series)."""
        if self._last_trip_month >= t:  # someone is on a trip's effect (never, unless a trip was taken)
            self._trips_lower_aversion(t)
        if t not in self._due:  # no initiative holds an event this step (most steps)
            return None
        first = None
        for number, running in enumerate(self.initiatives):
            for position, (index, event) in enumerate(running.plan.get(t, [])):
                if running.ended is not None:
                    break
                if number == 0 and self.model.removal.skips(index, event.format):
                    for _ in range(self._rooms(running, event)):  # not held; later meetings keep their numbers
                        self.series.next_number()
                    continue
                traced = (
                    self.footprints.setdefault(index, Footprint())
                    if number == 0 and self.footprints is not None
                    else None
                )
                record = self._hold(number, running, event, t, position, traced)
                first = first or record
        return first

    def _close(self, closures: formats.Closures) -> None:
        """Keep a product's closures, and every closed cell (idea x actors + actor) with the last step it is closed."""
        if closures.actors.size:
            self.closures.append(closures)
            self._closed_through = max(self._closed_through, int(closures.until.max()))
            cells = np.concatenate([self._closed[0], closures.ideas * self.model.n_actors + closures.actors])
            until = np.concatenate([self._closed[1], closures.until])
            order = np.lexsort((until, cells))  # by cell, then step: a cell's last is its latest
            cells, until = cells.take(order), until.take(order)
            last = np.ones(cells.size, dtype=bool)
            np.not_equal(cells[1:], cells[:-1], out=last[:-1])
            self._closed = (cells[last], until[last])

    def _is_open(self, actors: np.ndarray, ideas: np.ndarray, t: int) -> np.ndarray:
        found = self.open_to(actors, ideas, t)
        return np.ones(actors.size, dtype=bool) if found is None else found

    def open_to(self, actors: np.ndarray, ideas: np.ndarray, t: int) -> np.ndarray | None:
        """Which (actor, idea) adoptions no knowledge product has closed at step t (None: every one; the usual case).

        A pair is closed when some product closed its cell through t or later: its cell found by bisection among
        the closed ones (~np.isin's machinery costs ~100 us a call), which keep each cell's latest step, in one
        kernel call.
        """
        if self._closed_through < t:  # no product's refusals last this month (the usual case): nothing to read
            if self.closures:  # (every one ended: let them go)
                self.closures = []
                self._closed = (_NO_CELLS, _NO_CELLS)
            return None
        if actors.size == 0:
            return None
        return open_cells(actors, ideas, self.model.n_actors, *self._closed, t)

    def observe(self, t: int) -> None:
        """After the transfer check: uptake by the other tracks and local agreements."""
        self.uptake.observe(t)

    def _trips_lower_aversion(self, t: int) -> None:
        if self._last_trip_month < t:  # nobody is on a trip's effect (and none was ever taken: the common case)
            return
        away = self.trip_until >= t
        if away.any():
            self.model.lower_aversion(away, 1.0 - self.model.params.formats.trip_aversion_cut)

    def _hold(
        self, number: int, running: Running, event: Event, t: int, position: int, traced: Footprint | None
    ) -> WorkshopRecord | None:
        """Hold one event through its format (model/formats.py); `traced` (the full record on) notes what it left."""
        kind = event.format
        held = formats.FORMATS[kind]
        running.counts[kind] = running.counts.get(kind, 0) + 1
        row: dict[str, Any] = {"step": t, "initiative": running.name, "format": kind}
        if held.plain:  # one meeting and nothing more (a workshop): held without an Occasion
            record = self._meet(number, running, self.convener(running, event), kind, t)
            records = [] if record is None else [record]
        else:
            records = held.hold(self._occasion(number, running, event, t, position, row, traced))
            if self.trip_until.size:  # the latest step any trip's effect lasts through (a trip may have been taken)
                self._last_trip_month = max(self._last_trip_month, int(self.trip_until.max()))
        if traced is not None:
            traced.meetings.extend(r.number for r in records)
        if len(records) == 1:  # one meeting (a workshop, a training): its own figures
            record = records[0]
            row.update(
                participants=int(record.participants.size),
                new_ideas=int(record.ideas.size),
                candour=float(record.candour),
                leaked=record.leaked,
            )
        elif records:
            row.update(
                participants=int(sum(r.participants.size for r in records)),
                new_ideas=int(sum(r.ideas.size for r in records)),
                candour=float(np.mean([r.candour for r in records])),
                leaked=any(r.leaked for r in records),
            )
        row.update(self._state(running))
        self.log.append(row)
        return records[0] if records else None

    def _occasion(
        self, number: int, running: Running, event: Event, t: int, position: int, row: dict, traced: Footprint | None
    ) -> formats.Occasion:
        """The event as its format sees it (`row`: its line of the events table); one not a meeting has a generator."""
        model = self.model
        kind = event.format
        rng = None  # a meeting's draws are the meeting's
        if not formats.FORMATS[kind].meeting:
            rng = model.randomness.local_generator("format", "format", t, number, position)
        return formats.Occasion(
            event=event,
            t=t,
            params=model.params,
            state=self._formats_state or self._keep_format_state(),
            rng=rng,
            sides=running.series.convened_sides,
            mix=lambda: self.convener(running, event).mix,
            own_ideas=running.ideas,
            skill=self.skill,
            trip_until=self.trip_until,
            meet=lambda side: self._meet(number, running, self.convener(running, event, side), kind, t),
            apply_trust=model.apply_trust,
            add_author_sides=model.add_author_sides,
            close=self._close,
            is_open=lambda actors, ideas: self._is_open(actors, ideas, t),
            row=row,
            traced=traced,
        )

    def _meet(
        self, initiative: int, running: Running, convener: WorkshopSeries, kind: str, t: int
    ) -> WorkshopRecord | None:
        """Convene (with declines), run the meeting, then its consequences for the third party and Track Three."""
        model = self.model
        config = model.params
        invited: list[int] = []
        meeting_number = self.series.next_number()  # the run's meeting count, kept by the main series
        if meeting_number is None:  # removed (a counterfactual): not held, the schedule goes on
            return None
        if self.coordinated and self._coordinating(running):  # its budget went to coordination: not held
            return None
        self.convened_by[meeting_number] = initiative
        accept = lambda who: self._accept(initiative, running, who, t, invited, meeting_number)  # noqa: E731
        who = convener.convene(model.randomness, meeting_number, accept=accept)
        floor = max(2.0, running.third_party.min_turnout * invited[0])
        if invited[0] != who.size and who.size < floor:
            running.ended = t  # invitees decline: the series cannot continue
            return None
        share_proscribed = 0.0  # the mean of proscribed[who]
        if self._any_proscribed and who.size:
            here = self.proscribed[who]
            share_proscribed = int(np.count_nonzero(here)) / who.size  # (add.reduce would cast the booleans)
            self.proscribed_engaged[who[here]] = True
        idea_factor = config.formats.training_idea_factor if kind == "training" else 1.0
        overlap = self._overlap(initiative, who)
        if overlap and not self.coordinated:
            idea_factor *= 1.0 - config.competition.duplicate_share * overlap
        candour_factor, trust_bonus, partiality, _ = running.factors
        candour_factor *= formats.skill_factor(config.formats, self.skill, who)
        meeting = Meeting(
            series=convener,
            who=who,
            number=meeting_number,
            format=kind,
            candour_factor=candour_factor,
            trust_bonus=trust_bonus,
            partiality=partiality,
            idea_factor=idea_factor,
            confidentiality_factor=(1.0 - config.proscribed.leak_risk * share_proscribed)
            * thirdparty.exposure_factor(running.third_party, config.formats),
            voice=self.voice,  # its generator is keyed by the meeting when it has ideas to author (run_workshop)
        )
        record = model.run_workshop(t, meeting)
        if overlap and not self.coordinated and idea_factor > 0:
            self.duplicates += record.ideas.size * (1.0 / idea_factor - 1.0)
        self._after(initiative, running, convener, record, share_proscribed, t, meeting_number)
        return record

    def _after(
        self,
        number: int,
        running: Running,
        convener: WorkshopSeries,
        record: WorkshopRecord,
        proscribed: float,
        t: int,
        meeting: int,
    ) -> None:
        """Share the meeting's memory across the initiative's conveners; reputation, funding and outreach."""
        for other in running.conveners.values():
            if other is not convener:
                other.previous, other.after_leak = convener.previous, convener.after_leak
        if record.leaked and convener is not self.series:
            self.series.leaks += 1  # the run's leaks are counted on the main series
        running.ideas.extend(record.ideas.tolist())
        if len(self.initiatives) > 1:  # read only where initiatives compete (_accept, _replace, _overlap)
            self.last_met[number, record.participants] = t
            self.met[number, record.participants] = True
        tp = running.third_party
        extra = self.model.params.proscribed.leak_cost if proscribed > 0 else 0.0
        conditions = accepted_conditionality(convener.params)
        running.reputation = thirdparty.reputation_after(tp, running.reputation, conditions, record.leaked, extra)
        if proscribed > 0 and (
            self.model.randomness.uniforms("withdrawal", meeting, np.array([number]))[0]
            < self.model.params.proscribed.withdrawal_risk * proscribed
        ):
            running.withdrawn = True
            running.ended = t
        self._outreach(running, record, t, meeting)

    def _accept(
        self, number: int, running: Running, who: np.ndarray, t: int, invited: list[int], meeting: int
    ) -> np.ndarray:
        """Invitees who come: reputation, access to officials and to proscribed groups, other initiatives' demands.

        Whether invitee j comes to meeting m is decided by the uniform keyed by (m, j); the chances and draws in one
        kernel call (model/kernels/initiatives.py).
        """
        invited.append(int(who.size))
        profile = running.third_party.profile
        attendance = thirdparty.attendance(running.third_party, running.reputation)
        competing = len(self.initiatives) > 1
        if attendance >= 1.0 and profile.official_access >= 1.0 and not self._any_proscribed and not competing:
            return who  # every chance is 1.0: all of them come, no draw (as below)
        competition = self.model.params.competition
        comes, every = attending(
            who.astype(np.int64, copy=False),
            attendance,
            self._officials,
            profile.official_access,
            self.proscribed if self._any_proscribed else _NOBODY,
            profile.armed_group_access,
            self.last_met,
            self._others[number][:, 0] if competing else _NO_ROWS,
            t - competition.fatigue_months,
            1.0 - competition.fatigue_decline,
            t,
            self.model.randomness.key("decline", meeting),
        )
        if every:  # every chance is 1.0: all of them
            return who
        self.declined += who.size - int(np.count_nonzero(comes))  # (~comes).sum()
        kept = who[comes]
        if self.coordinated:
            kept = self._replace(number, who[~comes], kept, t, meeting)
        kept.sort()  # a new array: np.sort's result, in place
        return kept

    def _coordinating(self, running: Running) -> bool:
        """Coordination has a price: each meeting owes coordination_cost of a meeting; a whole one owed is not held."""
        running.coordination_owed += self.model.params.competition.coordination_cost
        if running.coordination_owed < 1.0 - 1e-9:
            return False
        running.coordination_owed -= 1.0
        return True

    def _replace(self, number: int, declined: np.ndarray, kept: np.ndarray, t: int, meeting: int) -> np.ndarray:
        """Shared invitation lists: each decliner is replaced by a free actor of its kind and side, if there is one."""
        model = self.model
        others = self.last_met[self._others[number][:, 0]]  # np.delete(last_met, number, axis=0)
        free = ~(others >= t - model.params.competition.fatigue_months).any(axis=0) & ~model.removal.excluded
        free[kept] = False
        free[declined] = False
        rng = model.randomness.local_generator("replacement", "replacement", meeting)
        chosen = [kept]
        for actor in declined.tolist():
            pool = np.flatnonzero(free & (model.kind_of == model.kind_of[actor]) & (model.side == model.side[actor]))
            if pool.size:
                pick = int(rng.choice(pool))
                free[pick] = False
                chosen.append(np.array([pick]))
        return np.concatenate(chosen)

    def _overlap(self, number: int, who: np.ndarray) -> float:
        """Share of the room who have met another initiative (their ideas may be that initiative's already)."""
        if len(self.initiatives) == 1 or who.size == 0:
            return 0.0
        met = np.logical_or.reduce(self.met[self._others[number], who], axis=0)  # met any other initiative
        return float(int(np.count_nonzero(met)) / met.size)  # its mean: the same quotient

    def _outreach(self, running: Running, record: WorkshopRecord, t: int, meeting: int) -> None:
        """A third party that links Track Three brings the meeting's ideas to grassroots outside the room.

        For each side in the room, its grassroots outside the room, from the meeting's locality first, in an order
        drawn at random, adopt the ideas; each from a participant of their side drawn at random. One kernel call
        (model/kernels/initiatives.py), on the outreach generator's raw words: numpy's draws (its integers and
        shuffles) bit for bit.
        """
        model = self.model
        reach = running.factors[3]  # round(track_three_link x outreach_size)
        if reach == 0 or record.ideas.size == 0:
            return
        rng = model.randomness.local_generator("outreach", "outreach", meeting)
        uptake = self.uptake
        if self._grassroots_places is None:  # each grassroots actor's locality: fixed for the run
            self._grassroots_places = uptake.cell // model.n_sides
        ideas = record.ideas.astype(np.int64, copy=False)
        # words for about twice the draws the shuffles take on average, and one per adoption (more if they run out)
        count = uptake.grassroots.size + (reach * ideas.size * model.n_sides) // 2 + 8
        words = rng.bit_generator.random_raw(count)
        while True:
            adopted, enough = outreach_pairs(
                words, uptake.localities, reach, uptake.grassroots, self._grassroots_places, model.side,
                model.series.participated, record.participants, ideas, model.ideas.holds.T, model.n_sides,
            )  # fmt: skip
            if enough:
                break
            words = np.concatenate((words, rng.bit_generator.random_raw(words.size)))
        if adopted.shape[1]:  # the sides' adopters are distinct: one call, the adoption log in the sides' order
            model.ideas.adopt(adopted[0], adopted[1], t, adopted[2])

    def _keep_format_state(self) -> FormatState:
        """The formats' view, made once: the model never replaces the arrays it holds (it changes them in place)."""
        self._formats_state = self.format_state()
        return self._formats_state

    def format_state(self) -> FormatState:
        """The run's arrays as the formats read them."""
        model = self.model
        return FormatState(
            config=model.params.formats,
            ideas=model.ideas,
            side=model.side,
            kind_of=model.kind_of,
            officials=model.members["official"],
            standing=model.standing,
            aversion=model.aversion,
            trust=model.trust,
            excluded=model.removal.excluded,
            seats_empty=model.params.evaluation.seats == "empty",
            issues=model.issues,
        )

    def _state(self, running: Running) -> dict[str, Any]:
        """What the run stands at after an event (the events table's before-and-after columns)."""
        model = self.model
        ideas = model.ideas
        grassroots = model.members["grassroots"]
        mean_trust = np.nan
        if model.n_sides > 1:
            # numpy's nanmean without NaNs is the plain mean (mean_cross_side_trust's, in fewer calls); trust is
            # finite, so a NaN mean means a NaN inside
            mean_trust = model.mean_cross_side_trust()
            if math.isnan(mean_trust) and model.n_actors:
                mean_trust = float(np.nanmean(model.cross_side_trust()))
        reached = sum(ideas.group_reached[self._grassroots_groups].tolist())  # grassroots holding any idea
        return {
            "reputation": running.reputation,
            "ideas_transferred": ideas.entered_count,
            "mean_cross_side_trust": mean_trust,
            "reach_track_three": reached / grassroots.size if grassroots.size else np.nan,
            "local_agreements": len(self.uptake.agreed),
        }

    # Outcomes ---------------------------------------------------------------------------------

    def outcomes(self) -> dict[str, float]:
        """The per-run outcomes of the "new" Track Two (declared in model/outcomes.py)."""

        def held(kind: str) -> int:
            return sum(r.counts.get(kind, 0) for r in self.initiatives)

        found = {
            "transfers_track_1_5": len(self.uptake.track_1_5),
            "transfers_track_three": len(self.uptake.track_three),
            "local_agreements": len(self.uptake.agreed),
            "third_party_reputation": self.initiatives[0].reputation,
            "series_ended": int(any(r.ended is not None for r in self.initiatives)),
            "funding_withdrawn": int(any(r.withdrawn for r in self.initiatives)),
            "invitations_declined": self.declined,
            "duplicate_ideas": self.duplicates,
            "trainings_held": held("training"),
            "knowledge_products": held("knowledge_product"),
            "exposure_trips": held("exposure_trip"),
            "proscribed_engaged": int(self.proscribed_engaged.sum()),
        }
        found.update(self.per_initiative())
        return found

    def per_initiative(self) -> dict[str, float]:
        """With several initiatives, each one's own ideas that entered Track One and their impact (issue 25).

        An initiative's ideas are those born in the meetings it convened, so the pooled totals
        split by who convened: ``ideas_transferred_initiative_N`` and ``impact_initiative_N`` (N from 1,
        the main programme first). Nothing with one initiative.
        """
        if len(self.initiatives) < 2:
            return {}
        ideas = self.model.ideas
        entered = ideas.entered_step[: ideas.count] >= 0
        found: dict[str, float] = {}
        for index in range(len(self.initiatives)):
            number = index + 1
            born = [r.ideas for r in self.series.records if self.convened_by.get(r.number) == index and r.ideas.size]
            own = np.unique(np.concatenate(born)).astype(np.int64) if born else np.empty(0, dtype=np.int64)
            own = own[entered[own]]
            found[f"ideas_transferred_initiative_{number}"] = int(own.size)
            found[f"impact_initiative_{number}"] = float(ideas.novelty[own].sum())
        return found
