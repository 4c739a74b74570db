"""The Track Two model: a Mesa Model whose step runs the brief's processes in order.

Each step (one month): (1) a workshop if one is due, (2) advocacy along ties, (3) forgetting,
(4) transfer into Track One, then data collection and (5) the ripeness update that governs the
next step. State that every agent has (autonomy, standing, trust, holdings) lives in arrays
indexed like the agents, so the hot path is array work; Python work scales with events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import scipy.sparse as sp

from model import metrics
from model.agents import AGENT_CLASSES, Actor
from model.diffusion import Ties, advocate, forget
from model.ideas import SEEDED, IdeaStore
from model.network import build_graph
from model.params import BEHAVIOURS, Params, make_params
from model.randomness import run_streams
from model.ripeness import RipenessDrivers, RipenessProcess
from model.workshops import (
    WorkshopRecord,
    WorkshopSeries,
    candour,
    draw_novelty,
    familiarity,
    group_diversity,
    novelty_mean,
)


def _beta(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    if sd == 0 or mean in (0.0, 1.0):
        return np.full(size, mean)
    concentration = mean * (1.0 - mean) / sd**2 - 1.0
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size=size)


class TrackTwoModel(mesa.Model):
    """Ideas from Track Two workshops travelling across the tracks of a peace process.

    Randomness: one SeedSequence from ``seed`` spawns a generator per process (network,
    attributes, workshops, diffusion, ripeness), so two programmes run on the same seed share
    their network and actors (common random numbers for paired comparisons).
    """

    def __init__(self, params: Params | Mapping[str, Any] | None = None, seed: int = 0) -> None:
        super().__init__(rng=int(seed))
        self.params = make_params(params)
        self.seed = int(seed)
        self.streams = run_streams(self.seed)
        p = self.params

        graph = build_graph(p, self.streams["network"])
        population = graph.population
        self.population = population
        self.n_actors = len(population.kinds)
        self.n_sides = population.n_sides
        self.kind_names = list(p.kinds)
        self.kind_index = np.array([self.kind_names.index(k) for k in population.kinds], dtype=np.int64)
        self.kind_of = np.array(population.kinds, dtype=object)
        self.side = population.sides
        self.behaviour = np.array([p.kinds[k].behaviour for k in population.kinds], dtype=object)
        self.members = {b: np.flatnonzero(self.behaviour == b) for b in BEHAVIOURS}
        self.track_index = np.array([BEHAVIOURS.index(b) for b in self.behaviour], dtype=np.int64)
        track_sizes = np.bincount(self.track_index, minlength=len(BEHAVIOURS)).astype(float)
        self.per_track_member = np.divide(
            1.0, track_sizes, out=np.full(track_sizes.size, np.nan), where=track_sizes > 0
        )
        self.per_track_member_or_zero = np.nan_to_num(self.per_track_member)
        self._draw_attributes()
        self.initial_trust = self.trust.copy()
        self.mean_trust = float(self.trust.mean())  # cross-side trust changes only in workshops
        self.weighs_standing = np.array([AGENT_CLASSES[b].weighs_standing for b in self.behaviour], dtype=bool)
        self.position_tie = np.zeros(self.n_actors)
        for behaviour, index in self.members.items():
            self.position_tie[index] = AGENT_CLASSES[behaviour].position_tie(p)

        self.actors: list[Actor] = [
            AGENT_CLASSES[self.behaviour[i]](self, i, population.kinds[i], int(self.side[i]))
            for i in range(self.n_actors)
        ]
        self.tie_index = Ties.build(self.n_actors, graph.sources, graph.targets, self.side)
        self.edge_count_initial = graph.sources.size
        self.officials_by_side = [
            np.intersect1d(self.members["official"], np.flatnonzero(self.side == s)) for s in range(self.n_sides)
        ]
        self._officials_everywhere = all(o.size for o in self.officials_by_side)  # else no idea can enter Track One
        self._official_adoptions_checked = 0  # officials' adoptions at the last transfer check
        self.ideas_entered = 0  # ideas that entered Track One so far (seeded ones included)

        # holdings are counted as ideas spread per group = (track, side): the time series and transfer read them
        self.ideas = IdeaStore(
            self.n_actors, self.track_index * self.n_sides + self.side, len(BEHAVIOURS) * self.n_sides
        )
        self.official_groups = BEHAVIOURS.index("official") * self.n_sides + np.arange(self.n_sides)
        self.officials_per_side = np.array([o.size for o in self.officials_by_side], dtype=float)
        self.series = WorkshopSeries(p, self.kind_of, self.side, self.n_sides, population.ids)
        self.meetings = np.zeros(self.n_actors)
        self.ever_participated = np.zeros(self.n_actors, dtype=bool)
        self.ripeness = RipenessProcess(p.ripeness)
        self.wary_until = -1  # officials are wary through this step (after a leak)
        self.cross_side_ties_created = 0
        self.leaks = 0
        self.ripe_history: list[bool] = []
        self.transfer_steps: list[int] = []
        self.aversion = np.zeros(self.n_actors)
        self.forgetting = np.zeros(self.n_actors)
        self._rules_for: tuple[bool, bool] | None = None
        self.snapshot: dict[str, float] = {}
        self._seed_ideas()
        self.datacollector = metrics.SnapshotCollector()

    # Setup ----------------------------------------------------------------------------------

    def _draw_attributes(self) -> None:
        rng = self.streams["attributes"]
        n = self.n_actors
        values = {name: np.zeros(n) for name in ("autonomy", "standing", "trust")}
        for k, name in enumerate(self.kind_names):
            index = np.flatnonzero(self.kind_index == k)
            kind = self.params.kinds[name]
            for attribute, array in values.items():
                spec = getattr(kind, attribute)
                array[index] = _beta(rng, spec.mean, spec.sd, index.size)
        for attribute, given in self.population.attributes.items():
            known = ~np.isnan(given)
            values[attribute][known] = given[known]
        self.autonomy, self.standing, self.trust = values["autonomy"], values["standing"], values["trust"]

    def _seed_ideas(self) -> None:
        seeded = self.params.initial_ideas
        if seeded.count == 0:
            return
        rng = self.streams["diffusion"]
        holders = min(seeded.holders, self.n_actors)
        authors = np.stack([rng.choice(self.n_actors, holders, replace=False) for _ in range(seeded.count)])
        ids = self.ideas.create(np.full(seeded.count, seeded.novelty), 0, -1, authors)
        self.ideas.source[authors, ids[:, None]] = SEEDED

    # Step -----------------------------------------------------------------------------------

    @property
    def ties(self) -> sp.csr_matrix:
        """The network now (symmetric CSR, ones): initial ties plus those formed in workshops."""
        return self.tie_index.all

    @property
    def ripe(self) -> bool:
        return self.ripeness.ripe

    @property
    def officials_wary(self) -> bool:
        return self.steps <= self.wary_until

    def step(self) -> None:
        t = self.steps
        ripe = self.ripeness.ripe
        self.ripe_history.append(ripe)
        self._apply_behaviour_rules(ripe)
        record = self.run_workshop(t) if self.series.due(t) else None
        adopted = self.advocacy(t)
        self.forgetting_step()
        transferred = self.check_transfer(t, ripe)
        self.snapshot = metrics.step_snapshot(self, record, adopted, transferred)
        self.datacollector.collect(self)
        drivers = self.ripeness_drivers() if self.params.ripeness.mode == "endogenous" else None
        self.ripeness.advance(self.streams["ripeness"], t + 1, drivers)
        if t >= self.params.steps:
            self.running = False

    def _apply_behaviour_rules(self, ripe: bool) -> None:
        wary = self.officials_wary
        if self._rules_for == (ripe, wary):
            return
        self._rules_for = (ripe, wary)
        for behaviour, index in self.members.items():
            cls = AGENT_CLASSES[behaviour]
            self.aversion[index] = cls.novelty_aversion(self.params, self.autonomy[index], ripe, wary)
            self.forgetting[index] = cls.forgetting_rate(self.params, ripe)
        self._anyone_forgets = bool(self.forgetting.any())

    def run_workshop(self, t: int) -> WorkshopRecord:
        """Convene, develop ideas, build trust, standing and cross-side ties; maybe leak."""
        p, w = self.params, self.params.workshops
        rng = self.streams["workshops"]
        series = self.series
        who = series.convene(rng)
        self.meetings[who] += 1
        self.ever_participated[who] = True
        value = candour(p, self.trust[who], self.position_tie[who], series.after_leak)
        diversity = group_diversity(self.side[who], self.n_sides, self.track_index[who], self.autonomy[who])
        mean = novelty_mean(p, self.autonomy[who], diversity)
        novelty = draw_novelty(rng, mean, w.novelty.concentration, int(rng.poisson(w.idea_rate * value)))
        ids = self.ideas.create(novelty, t, series.held, who) if novelty.size else np.empty(0, dtype=np.int64)
        gain = w.trust_gain * value * familiarity(self.meetings[who], w.familiarity_half)
        self.trust[who] += gain * (1.0 - self.trust[who])
        self.mean_trust = float(self.trust.mean())
        self.standing[who] += w.standing_gain * value * (1.0 - self.standing[who])
        ties = self._form_cross_side_ties(rng, who, w.tie_formation * value)
        leaked = bool(rng.random() >= w.confidentiality)
        if leaked:
            self.leaks += 1
            self.wary_until = t + p.diffusion.leak_wariness_steps
        record = WorkshopRecord(series.held, t, who, value, mean, ids, leaked, ties)
        series.records.append(record)
        series.after_leak = leaked
        series.previous = who
        series.held += 1
        return record

    def _form_cross_side_ties(self, rng: np.random.Generator, who: np.ndarray, probability: float) -> int:
        a, b = np.triu_indices(who.size, k=1)
        a, b = who[a], who[b]
        cross = self.side[a] != self.side[b]
        a, b = a[cross], b[cross]
        form = rng.random(a.size) < probability
        a, b = a[form], b[form]
        new = np.array(
            [
                b_ not in self.ties.indices[self.ties.indptr[a_] : self.ties.indptr[a_ + 1]]
                for a_, b_ in zip(a.tolist(), b.tolist(), strict=True)
            ],
            dtype=bool,
        )
        if not new.any():
            return 0
        self.tie_index = self.tie_index.with_ties(a[new], b[new], self.side)
        created = int(new.sum())
        self.cross_side_ties_created += created
        return created

    def advocacy(self, t: int) -> int:
        ideas = self.ideas
        adopted_at = ideas.adopted_at[:, : ideas.count]
        span = self.params.diffusion.advocacy_span
        active = ideas.held & (adopted_at < t)  # adopters advocate from the next step ...
        if span is not None:
            active &= adopted_at >= t - span  # ... for `span` steps
        adoptions = advocate(
            self.streams["diffusion"],
            self.tie_index,
            active,
            ideas.holds,
            ideas.novelty,
            self.params.diffusion.base_rate,
            self.standing,
            self.weighs_standing,
            self.aversion,
            self.side,
            self.trust,
        )
        ideas.adopt(adoptions.actors, adoptions.ideas, t, adoptions.sources)
        return int(adoptions.actors.size)

    def forgetting_step(self) -> None:
        if not self._anyone_forgets:
            return
        actors, ideas = forget(self.streams["diffusion"], self.ideas.held, self.forgetting)
        self.ideas.drop(actors, ideas)

    def check_transfer(self, t: int, ripe: bool) -> np.ndarray:
        """Ideas held by at least the threshold share of officials on every side enter Track One."""
        ideas = self.ideas
        official_adoptions = int(ideas.group_adoptions[self.official_groups].sum())
        if not self._officials_everywhere or official_adoptions == self._official_adoptions_checked:
            return np.empty(0, dtype=np.int64)  # shares only rise when officials adopt (the threshold is > 0)
        self._official_adoptions_checked = official_adoptions
        pending = np.flatnonzero(ideas.entered_step[: ideas.count] < 0)
        shares = ideas.group_holders[self.official_groups][:, pending] / self.officials_per_side[:, None]
        entered = pending[(shares >= self.params.transfer.threshold).all(axis=0)]
        self.ideas_entered += entered.size
        for idea in entered.tolist():
            ideas.entered_step[idea] = t
            ideas.entered_ripe[idea] = ripe
            path = self._first_official_path(idea)
            ideas.paths[idea] = path
            ideas.routes[idea] = self._route(path)
        return entered

    def _first_official_path(self, idea: int) -> list[int]:
        officials = self.members["official"]
        first = self.ideas.first_adopted[officials, idea]
        adopted = first >= 0
        earliest = officials[adopted][np.argmin(first[adopted])]
        return self.ideas.path_to(int(earliest), idea)

    def _route(self, path: list[int]) -> str:
        """How an idea reached its first official: the brief's transfer pathways."""
        if len(path) == 1:
            return "direct" if self.params.mode == "backchannel" else "via_track_1_5"
        if any(self.behaviour[a] == "grassroots" for a in path[:-1]):
            return "via_track_three"
        if self.behaviour[path[0]] == "official":
            return "direct" if self.params.mode == "backchannel" else "via_track_1_5"
        return "via_elites" if self.behaviour[path[-2]] == "elite" else "via_autonomous"

    def track_totals(self, per_group: np.ndarray) -> np.ndarray:
        """Sum (track, side) group counts over sides: one value per track, in BEHAVIOURS order."""
        return per_group.reshape(len(BEHAVIOURS), self.n_sides).sum(axis=1)

    def stage_ripe_window(self, months: int) -> None:
        """Make Track One ripe from the next step for `months` steps (an election, a ceasefire, now)."""
        if months < 1:
            raise ValueError(f"months: expected 1 or more, got {months}")
        self.ripeness.stage(self.steps + 1, int(months))

    def ripeness_drivers(self) -> RipenessDrivers:
        reached = self.track_totals(self.ideas.group_reached) * self.per_track_member_or_zero  # share holding ideas
        holding = self.ideas.held_count > 0
        credible = holding & ~self.weighs_standing & (self.standing >= self.params.ripeness.credible_standing)
        return RipenessDrivers(
            official_exposure=float(reached[BEHAVIOURS.index("official")]),
            credible_advocates=int(np.count_nonzero(credible)),
            public_support=float(reached[BEHAVIOURS.index("grassroots")]),
        )

    def run(self) -> None:
        """Run to params.steps."""
        while self.running and self.steps < self.params.steps:
            self.step()
