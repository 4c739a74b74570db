"""The Track Two model: a Mesa Model whose step runs the brief's processes in order.

Each step (one month): (1) a workshop if one is due, (2) advocacy along ties, (3) forgetting,
(4) transfer into Track One, then data collection and (5) the ripeness update that governs the
next step. State that every agent has (autonomy, standing, trust, holdings) lives in arrays
indexed like the agents, so the hot path is array work; Python work scales with events.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np
import pandas as pd
import scipy.sparse as sp
from tracktwo.model import metrics
from tracktwo.model.agents import AGENT_CLASSES, Actor, Official
from tracktwo.model.components import removal
from tracktwo.model.diffusion import (
    Adoptions,
    AdvocateCounts,
    Context,
    StepDraws,
    StepKeys,
    TieIndex,
    advocate,
    forget_cells,
    forget_thresholds,
    trust_by_side,
)
from tracktwo.model.formats import Meeting, TrustChange
from tracktwo.model.ideas import INITIAL_CAPACITY, ORIGINS, SEEDED, IdeaStore
from tracktwo.model.initiatives import Programmes
from tracktwo.model.issues import IssueSpace
from tracktwo.model.kernels.holdings import learn_trust_by_adopting
from tracktwo.model.kernels.meetings import meeting_gains, room_trust
from tracktwo.model.kernels.metrics import mean_cross_trust
from tracktwo.model.kernels.network import formed_ties
from tracktwo.model.kernels.ripeness import driver_counts
from tracktwo.model.kernels.rivals import marked_sides
from tracktwo.model.network import Graph, Population, build_graph
from tracktwo.model.params import BEHAVIOURS, ConfigError, Params, make_params, rival_room, with_overrides
from tracktwo.model.randomness import EventRandomness, golden_ids, run_streams
from tracktwo.model.record import Record
from tracktwo.model.ripeness import RipenessProcess
from tracktwo.model.rivals import RivalSources
from tracktwo.model.transfer import ROUTE_CARRIERS, TrackOneEntry
from tracktwo.model.voice import draw_authors
from tracktwo.model.workshops import (
    WorkshopRecord,
    candour,
    expected_ideas,
    group_diversity,
    novelty_mean,
    room_shape,
    sample_novelty,
)

__all__ = ["KeyedDrawsOnly", "TrackTwoModel", "nested_overrides", "resolve_seed"]

_KEPT_AT = 8192  # (idea, actor) cells from which advocacy and forgetting read the holdings' kept changes (below,
# the passes over every cell cost fewer instructions than the bookkeeping of the changes)
_DENSELY_HELD = 8  # more than a held cell in this many: forgetting hashes every cell (about 0.5 ns a cell, in SIMD)
# rather than the kept held cells (about 4 ns each, and their bookkeeping)
_FIRST_RIVAL = ORIGINS.index("track_one")  # the first origin of rival ideas (ideas.ORIGINS: Track Two's come first)
_FEW_SIDES = 8  # numpy adds fewer values than this one by one, in order (its pairwise summation starts at 8)
_IMPARTIAL = np.empty(0)  # a meeting's partiality when its team is impartial (as the room's kernel takes it)


def _beta(rng: np.random.Generator, mean: float, sd: float, size: int) -> np.ndarray:
    """An attribute drawn from a Beta with this mean and standard deviation (the mean itself when sd is 0)."""
    if sd == 0 or mean in (0.0, 1.0):
        return np.full(size, mean)
    return sample_novelty(rng, mean, mean * (1.0 - mean) / sd**2 - 1.0, size)


class KeyedDrawsOnly(RuntimeError):
    """A draw from Mesa's model.random or model.rng: this model's draws are keyed by event instead."""


class _NoStream:
    """Stands in for Mesa's ``model.random`` and ``model.rng``: using either fails loudly.

    Every draw of a run is keyed by the event it decides (model/randomness.py), so that two
    programmes on one seed share their luck wherever they do not differ; a draw from a Mesa
    stream would silently break that (and reproducibility across counterfactuals).
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        if attribute.startswith("__") or attribute == "_name":
            raise AttributeError(attribute)
        name = self.__dict__.get("_name", "random")
        raise KeyedDrawsOnly(
            f"model.{name}.{attribute}: TrackTwoModel draws nothing from Mesa's streams; every draw is "
            "keyed by the event it decides: use model.randomness.uniforms(event, number, ids) or "
            "model.randomness.generator(event, *numbers) (tracktwo.model.randomness)"
        )

    def __repr__(self) -> str:
        return f"<no Mesa stream: model.{self._name} is disabled; use model.randomness>"


def resolve_seed(seed: Any = None, rng: Any = None) -> int:
    """The run's seed from Mesa's ``rng`` or ``seed`` argument; neither: a fresh one from the OS's entropy.

    A whole number is the seed itself; a numpy Generator, BitGenerator or SeedSequence gives one draw.
    Fresh seeds are 63-bit, so they fit every table's integer column.
    """
    if seed is not None and rng is not None:
        raise ConfigError(f"rng and seed: pass one of them, not both (got rng={rng!r}, seed={seed!r})")
    value = rng if seed is None else seed
    name = "rng" if seed is None else "seed"
    if value is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
    if isinstance(value, np.random.SeedSequence):
        return int(value.generate_state(1, np.uint64)[0] >> 1)
    if isinstance(value, np.random.BitGenerator):
        value = np.random.Generator(value)
    if isinstance(value, np.random.Generator):
        return int(value.integers(2**63))
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 0:
        raise ConfigError(f"{name}: expected a whole number >= 0 (or a numpy Generator), got {value!r}")
    return int(value)


def nested_overrides(keywords: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword parameters as overrides: ``workshops__size=8`` is ``workshops.size`` (scikit-learn's convention)."""
    return {key.replace("__", "."): value for key, value in keywords.items()}


class TrackTwoModel(mesa.Model):
    """Ideas from Track Two workshops travelling across the tracks of a peace process.

    Built as a Mesa model is: ``TrackTwoModel(rng=3, steps=60, workshops__size=8)`` (nested
    parameters spelled with ``__``), or from ``params`` (Params or a mapping of overrides, dotted
    keys allowed) and ``seed``; keyword parameters override ``params``. Without a seed the model
    draws a fresh one, recorded in ``model.seed``. The run stops (``running = False``) after
    ``params.steps`` months; ``step()`` after that does nothing.

    Randomness (model/randomness.py): the network and the actors' attributes come from generators
    spawned from ``SeedSequence(seed)``; every draw during the run is keyed by the event it
    decides (step, idea, actor, workshop), so two programmes on the same seed share their network,
    actors and luck wherever they do not differ (common random numbers for counterfactuals).
    Mesa's ``model.random`` and ``model.rng`` are disabled (they raise :class:`KeyedDrawsOnly`).

    Mesa's agents (one :class:`~tracktwo.model.agents.Actor` per actor, reading its row of the
    arrays) are created the first time ``model.agents`` is asked for, so a run that never asks
    pays nothing for them. The DataCollector's model reporters are the time series and the run's
    outcomes; ``agent_reporters=True`` adds each actor's kind, side, standing, trust and ideas
    held (then ``mesa.batch_run`` gives one row per actor).
    """

    def __init__(
        self,
        params: Params | Mapping[str, Any] | None = None,
        seed: int | None = None,
        *,
        rng: Any = None,
        agent_reporters: bool = False,
        **parameters: Any,
    ) -> None:
        seed = resolve_seed(seed, rng)
        super().__init__(rng=seed)
        self.random = _NoStream("random")  # type: ignore[assignment]
        self.rng = _NoStream("rng")  # type: ignore[assignment]
        self._all_agents.random = self.random
        self._actors: list[Actor] | None = None
        self.params = with_overrides(params, nested_overrides(parameters)) if parameters else make_params(params)
        self.seed = seed
        self.streams = run_streams(self.seed)
        self.randomness = EventRandomness(self.seed)
        p = self.params

        graph = build_graph(p, self.streams["network"])
        self._set_population(graph.population)
        self._draw_attributes()
        self._set_behaviours()
        self._set_ties_and_groups(graph)
        self._set_processes()
        self._seed_ideas()
        self._outcomes: tuple[int, dict[str, float]] | None = None
        self.datacollector = metrics.SnapshotCollector(self, agents=agent_reporters)

    def _set_population(self, population: Population) -> None:
        """Who the actors are: kind, side, behaviour and track, as arrays indexed by actor."""
        p = self.params
        self.population = population
        self.n_actors = len(population.kinds)
        self.n_sides = population.n_sides
        self.kind_names = list(p.kinds)
        position = {name: k for k, name in enumerate(self.kind_names)}
        self.kind_index = np.array([position[k] for k in population.kinds], dtype=np.int64)
        self.kind_of = np.array(population.kinds, dtype=object)
        self.side = population.sides
        kind_behaviour = [p.kinds[k].behaviour for k in self.kind_names]  # per kind, then read per actor
        self.behaviour = np.array(kind_behaviour, dtype=object)[self.kind_index]
        self.members = {b: np.flatnonzero(self.behaviour == b) for b in BEHAVIOURS}
        self.track_index = np.array([BEHAVIOURS.index(b) for b in kind_behaviour], dtype=np.int64)[self.kind_index]
        track_sizes = np.bincount(self.track_index, minlength=len(BEHAVIOURS)).astype(float)
        self.per_track_member = np.divide(
            1.0, track_sizes, out=np.full(track_sizes.size, np.nan), where=track_sizes > 0
        )

    def _set_behaviours(self) -> None:
        """What behaviour makes of each actor (standing weighed, position ties, exploring); the starting trust kept."""
        p = self.params
        kind_behaviour = [p.kinds[k].behaviour for k in self.kind_names]
        self._rows = np.arange(self.n_actors)
        self._own_side_cells = self._rows * self.n_sides + self.side  # flat (actor, own side) cells of trust
        self._states = np.arange(self.ripeness_states(p))
        self.initial_trust = self.trust.copy()
        self.initial_standing = self.standing.copy()
        self.weighs_standing = np.array([AGENT_CLASSES[b].weighs_standing for b in kind_behaviour], dtype=bool)[
            self.kind_index
        ]
        self.credibility_weighed = self.weighs_standing & p.diffusion.officials_weigh_standing  # for advocacy
        # (actors x sides): the sides an official comes to trust more by adopting their ideas (those not its own;
        # none for the others), so _officials_learn_trust reads adopters' rows without picking out the officials
        self._learns_trust_of = (self.side[:, None] != np.arange(self.n_sides)) & self.weighs_standing[:, None]
        self._any_weighs = bool(self.credibility_weighed.any())
        # (1 - gain) ** k of officials' distrust kept for k = 0 .. 7 (a cell learnt k times in a month: rarely past 1)
        self._kept_distrust = np.power(1.0 - p.diffusion.official_trust_gain, np.arange(8))
        self._weighs_not = ~self.weighs_standing  # read each step (ripeness drivers)
        self._first_official = BEHAVIOURS.index("official") * self.n_sides  # the drivers' (track, side) groups
        self._first_grassroots = BEHAVIOURS.index("grassroots") * self.n_sides
        self._grassroots_track = self.track_index == BEHAVIOURS.index("grassroots")
        self.position_tie = np.zeros(self.n_actors)
        self.explores = np.ones(self.n_actors, dtype=bool)  # brings its own thinking to a workshop
        self.workshop_autonomy = np.zeros(self.n_actors)  # how far it strays from positions in the room
        for behaviour, index in self.members.items():
            self.position_tie[index] = AGENT_CLASSES[behaviour].position_tie(p)
            self.explores[index] = AGENT_CLASSES[behaviour].explores(p)
            self.workshop_autonomy[index] = AGENT_CLASSES[behaviour].workshop_autonomy(p, self.autonomy[index])
        self._everyone_explores = bool(self.explores.all())  # no one under instructions: a room's explorers are all
        self._is_official = self.behaviour == "official"  # compared once (behaviours are strings)
        self._officials_instructed = Official.under_instructions(p)

    def _set_ties_and_groups(self, graph: Graph) -> None:
        """The network's tie index, the (track, side) groups ideas are counted in, and Track One's entry."""
        p, population = self.params, graph.population
        self.tie_index = TieIndex.build(self.n_actors, graph.sources, graph.targets, self.side)
        self.advocate_counts = AdvocateCounts(self.side)  # advocating neighbours, kept from step to step
        officials = self.members["official"]
        self.officials_by_side = [officials[self.side[officials] == s] for s in range(self.n_sides)]
        # holdings are counted as ideas spread per group = (track, side): the time series and transfer read them
        self.groups = self.track_index * self.n_sides + self.side
        dimensions = len(p.issues.dimensions) if p.issues.enabled else 0
        room = INITIAL_CAPACITY + rival_room(p.rivals, p.steps)  # (a store grown in the run pays for fresh memory)
        self.ideas = IdeaStore(self.n_actors, self.groups, len(BEHAVIOURS) * self.n_sides, room, dimensions=dimensions)
        self._group_sizes = np.bincount(self.groups, minlength=len(BEHAVIOURS) * self.n_sides).reshape(
            len(BEHAVIOURS), self.n_sides
        )
        # per idea: sides among its authors (a row for each idea the store has room for: _author_room)
        self.author_sides = np.zeros((self.ideas.capacity, self.n_sides), dtype=bool)
        official_groups = BEHAVIOURS.index("official") * self.n_sides + np.arange(self.n_sides)
        self.transfer = TrackOneEntry(
            p, self.ideas, self.behaviour, self.side, self.n_sides, official_groups, population.side_labels
        )
        self.issues = IssueSpace.for_model(self) if p.issues.enabled else None  # model/issues.py

    def _set_processes(self) -> None:
        """Removed components, rival sources, the record, the programmes, ripeness and the run's counters."""
        p, population = self.params, self.population
        self.removal = removal(p, population)  # a counterfactual's missing parts (model/components.py)
        self._closed_carriers = self._carriers_closed()
        self._silenced = self.behaviour == "grassroots" if "via_track_three" in self.removal.routes else None
        self.rivals = RivalSources(p.rivals, self.officials_by_side, p.steps)
        self.record = Record(self.ideas) if p.evaluation.record else None
        self.programme = Programmes(self)  # the initiatives and their schedules of events (model/initiatives.py)
        self.series = self.programme.series  # the main programme's series: every meeting held, who took part
        per_side = p.ripeness.scope == "per_side"
        self.ripeness = RipenessProcess(p.ripeness, self._states.size)
        self._endogenous = p.ripeness.mode == "endogenous"  # drivers and draws each step
        self.ripeness_of = self.side if per_side else np.zeros(self.n_actors, dtype=np.int64)  # state per actor
        self._rule_cells = {
            (behaviour, state): index[self.ripeness_of[index] == state]
            for behaviour, index in self.members.items()
            for state in range(self.ripeness.states.size)
        }
        self._state_cells = [  # each state's actors, class by class: (all of them, then (class, its actors) each)
            (
                np.concatenate([index for (_, cell_state), index in self._rule_cells.items() if cell_state == state]),
                [
                    (AGENT_CLASSES[b], index)
                    for (b, cell_state), index in self._rule_cells.items()
                    if cell_state == state
                ],
            )
            for state in range(self.ripeness.states.size)
        ]
        self.wary_until = -1  # officials are wary through this step (after a leak)
        self.cross_side_ties_created = 0
        self.ripe_history: list[bool] = []
        self.aversion = np.zeros(self.n_actors)
        self.forgetting = np.zeros(self.n_actors)
        self._rules_for: tuple | None = None  # the (states, wary) the aversion and forgetting rates are set for
        self._rules: dict[tuple, tuple] = {}  # the rates by (states, wary), made once (and forget_thresholds')
        self._forget_thresholds: np.ndarray | None = None  # the forgetting rates as forget's thresholds
        self._rules_by_state: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}  # their parts by state
        self._draws: StepDraws | None = None
        self._golden_ids = golden_ids(self.n_actors)  # hashing's first step for every actor, once (advocacy's draws)
        self._step_keys = StepKeys(self.randomness)  # the ideas' keys mixed by blocks of steps (advocacy, forgetting)
        self._ripeness_table: tuple[int, list[list[float]]] | None = None  # (first month, its ripeness draws on)
        self._inside: tuple | None = None  # (meetings counted, each actor's inside slot, the groups' sizes outside)
        self.snapshot_row: list[float] = []  # the time-series row of the step just run (metrics.step_snapshot)

    @property
    def snapshot(self) -> dict[str, float]:
        """The time-series row of the step just run, by column (empty before the first step)."""
        return dict(zip(metrics.TIMESERIES_COLUMNS, self.snapshot_row, strict=False))

    # Mesa's agents, made when asked for ---------------------------------------------------------

    @property
    def actors(self) -> list[Actor]:
        """One Mesa agent per actor (by index), created on first use; each reads its row of the arrays."""
        if self._actors is None:
            kinds, sides = self.population.kinds, self.side.tolist()
            self._actors = [
                AGENT_CLASSES[behaviour](self, i, kinds[i], sides[i]) for i, behaviour in enumerate(self.behaviour)
            ]
            counters = getattr(mesa.Agent, "_ids", None)  # Mesa 3.3 keeps every model in this class-level counter
            if counters is not None:  # (no agent is added later); Mesa 3.4+ has none
                counters.pop(self, None)
        return self._actors

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Mesa's AgentSet of every actor (created on first use)."""
        _ = self.actors
        return self._all_agents

    @property
    def agents_by_type(self) -> dict[type, mesa.agent.AgentSet]:
        """Mesa's AgentSets by agent class (created on first use)."""
        _ = self.actors
        return self._agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent classes present (created on first use)."""
        _ = self.actors
        return list(self._agents_by_type)

    # Outcomes and the time series ------------------------------------------------------------

    def outcomes(self) -> dict[str, float]:
        """The run's outcomes as they stand now (computed when asked, once per step)."""
        if self._outcomes is None or self._outcomes[0] != self.steps:
            self._outcomes = (self.steps, metrics.outcomes(self))
        return self._outcomes[1]

    def timeseries(self) -> pd.DataFrame:
        """One row per month run: the time-series columns (metrics.TIMESERIES_COLUMNS), with the step."""
        columns = self.datacollector.model_vars
        if not columns[metrics.TIMESERIES_COLUMNS[0]]:  # nothing run yet: pandas' own empty columns
            table = pd.DataFrame({c: columns[c] for c in metrics.TIMESERIES_COLUMNS})
            table.insert(0, "step", np.arange(1, len(table) + 1))
            return table
        # each column as an array first (the dtype pandas would infer from the list, at a fraction of the cost)
        data = {"step": np.arange(1, len(columns[metrics.TIMESERIES_COLUMNS[0]]) + 1)}
        data.update((c, np.array(columns[c])) for c in metrics.TIMESERIES_COLUMNS)
        return pd.DataFrame(data)

    def timeseries_values(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """The time series' values (months x columns, float64, the step first) and its columns, without a table."""
        columns = self.datacollector.model_vars
        months = len(columns[metrics.TIMESERIES_COLUMNS[0]])
        values = np.empty((months, 1 + len(metrics.TIMESERIES_COLUMNS)))
        values[:, 0] = np.arange(1, months + 1)
        values[:, 1:] = np.array([columns[c] for c in metrics.TIMESERIES_COLUMNS], dtype=float).reshape(-1, months).T
        return values, ("step", *metrics.TIMESERIES_COLUMNS)

    def _wrapped_step(self, *args: Any, **kwargs: Any) -> None:
        """Mesa's step wrapper, except that a model that stopped does nothing more."""
        if self.running:
            super()._wrapped_step(*args, **kwargs)

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
        self.autonomy, self.standing = values["autonomy"], values["standing"]
        # trust of each side (actors x sides): the drawn trust of every other side, 1 for one's own
        self.trust = trust_by_side(values["trust"], self.side, self.n_sides)

    def _seed_ideas(self) -> None:
        seeded = self.params.initial_ideas
        if seeded.count == 0:
            return
        rng = self.randomness.generator("seeding")
        holders = min(seeded.holders, self.n_actors)
        authors = np.stack([rng.choice(self.n_actors, holders, replace=False) for _ in range(seeded.count)])
        ids = self.ideas.create(np.full(seeded.count, seeded.novelty), 0, -1, authors)
        self.ideas.source[authors, ids[:, None]] = SEEDED
        if self.issues is not None:
            self.issues.place_seeded(ids)
        self._author_room()  # (no sides: everyone holds them)

    def ripeness_states(self, p: Params) -> int:
        """Track One states: one per side with ``ripeness.scope: per_side``, else one."""
        return self.n_sides if p.ripeness.scope == "per_side" else 1

    # State read by metrics, the app and tests -------------------------------------------------

    @property
    def ties(self) -> sp.csr_matrix:
        """The network now (symmetric CSR, ones): initial ties plus those formed in workshops."""
        return self.tie_index.all

    @property
    def ripe(self) -> bool:
        """Track One is ripe (on every side, when ripeness is per side)."""
        return self.ripeness.ripe

    @property
    def officials_wary(self) -> bool:
        """Officials are wary of outside ideas (after a leak)."""
        return self.steps <= self.wary_until

    @property
    def meetings(self) -> np.ndarray:
        """Workshops each actor attended."""
        return self.series.meetings

    def cross_side_trust(self, trust: np.ndarray | None = None) -> np.ndarray:
        """Each actor's mean trust of the other sides (NaN with one side)."""
        trust = self.trust if trust is None else trust
        if self.n_sides < 2:
            return np.full(self.n_actors, np.nan)
        own = trust.reshape(-1).take(self._own_side_cells) if trust.flags.c_contiguous else trust[self._rows, self.side]
        if self.n_sides < _FEW_SIDES:  # numpy's row sums of under 8 values add them in order: column by column
            total = trust[:, 0] + trust[:, 1]
            for side in range(2, self.n_sides):
                total += trust[:, side]
        else:
            total = np.add.reduce(trust, axis=1)
        return (total - own) / (self.n_sides - 1)

    def mean_cross_side_trust(self) -> float:
        """The actors' mean trust of the other sides: the mean of :meth:`cross_side_trust` (NaN with one side).

        The same values and sum (numpy's, then one division) in one kernel call below 8 sides
        (:func:`~tracktwo.model.kernels.metrics.mean_cross_trust`).
        """
        trust, sides = self.trust, self.n_sides
        if sides < 2 or self.n_actors == 0:
            return math.nan
        if sides >= _FEW_SIDES or not trust.flags.c_contiguous or trust.dtype != np.float64:
            values = self.cross_side_trust()
            return float(np.add.reduce(values) / values.size)
        return mean_cross_trust(trust, self._own_side_cells)

    def advocates_made(self) -> int:
        """Non-officials who became credible advocates (standing raised to the credible level by taking part)."""
        level = self.params.ripeness.credible_standing
        made = ~self.weighs_standing & (self.initial_standing < level) & (self.standing >= level)
        return int(np.count_nonzero(made))

    # Step -----------------------------------------------------------------------------------

    def step(self) -> None:
        """One month: workshop if due, advocacy, forgetting, transfer, data collection, ripeness for next month.

        What is off costs nothing: no rival sources, no forgetting pass when nobody forgets, no issue space,
        and no ripeness drivers or draws unless ripeness is endogenous.
        """
        t = self.steps
        ripeness = self.ripeness
        ripe = ripeness.ripe
        self.ripe_history.append(ripe)
        self._apply_behaviour_rules()
        record = self.programme.run(t)
        if self.rivals.active:
            self.rival_ideas(t)
        adopted = self.advocacy(t)
        if self._anyone_forgets:
            self.forgetting_step(t)
        transferred = self.check_transfer(t, ripe)
        if self.issues is not None:
            self.issues.after_transfer(transferred, self.transfer)
        self.programme.observe(t)
        self.snapshot_row = metrics.step_snapshot(self, record, adopted, transferred)
        self.datacollector.collect(self)
        if self._endogenous:
            drivers = self.ripeness_drivers()
            draws = self._ripeness_draws(t + 1)  # Python floats
            windows = ripeness.windows_opened
            opened = ripeness.advance(draws, t + 1, drivers)
            if self.record is not None and ripeness.windows_opened != windows:  # (each window opened is counted)
                for state, was_opened in enumerate(opened.tolist()):
                    if was_opened:
                        self.record.note_opening(t + 1, state, self.params.ripeness, drivers[state])
        else:
            ripeness.advance(None, t + 1, None)
        if t >= self.params.steps:
            self.running = False  # the last month: step() does nothing more

    def _ripeness_draws(self, number: int) -> list[float]:
        """The ripeness uniforms at `number` (a month), one per Track One state, as Python floats.

        Read from a table of the run's months from `number` on, hashed in one pass when first needed: a month's own
        key and hashes on Python ints cost more than the run's table does.
        """
        table = self._ripeness_table
        if table is None or not table[0] <= number < table[0] + len(table[1]):
            count = max(self.params.steps + 2 - number, 1)  # the months left (step() draws for the next month)
            table = self._ripeness_table = (
                number,
                self.randomness.uniform_rows("ripeness", number, count, self._states.size),
            )
        return table[1][number - table[0]]

    def _apply_behaviour_rules(self, ripe: bool | None = None) -> None:
        """Set each actor's novelty aversion and forgetting rate from its class's rules (ripe: force every state)."""
        wary = self.officials_wary
        states = self.ripeness.states if ripe is None else np.full(self.ripeness.states.size, ripe)
        key = (tuple(states.tolist()), wary)
        if self._rules_for == key:
            return
        self._rules_for = key
        rules = self._rules.get(key)
        if rules is None:  # each (states, wary) once a run: the rules read only the parameters and autonomy
            aversion, forgetting = np.zeros(self.n_actors), np.zeros(self.n_actors)
            for state, state_ripe in enumerate(key[0]):
                members, state_aversion, state_forgetting = self._state_rules(state, state_ripe, wary)
                aversion[members] = state_aversion
                forgetting[members] = state_forgetting
            anyone = bool(np.count_nonzero(forgetting))  # and the rates as integer thresholds (forget_thresholds)
            thresholds = forget_thresholds(forgetting) if anyone else None
            rules = self._rules[key] = (aversion, forgetting, anyone, thresholds)
        np.copyto(self.aversion, rules[0])  # in place: the formats' state reads these arrays
        np.copyto(self.forgetting, rules[1])
        self._anyone_forgets = rules[2]
        self._forget_thresholds = rules[3]

    def _state_rules(self, state: int, ripe: bool, wary: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One Track One state's actors and their aversion and forgetting rates, made once per (state, ripe, wary).

        Each class's rules apply to its members elementwise, so a (states, wary) pair's rates are these parts.
        """
        key = (state, ripe, wary)
        rules = self._rules_by_state.get(key)
        if rules is None:  # written into the state's arrays class by class (each class's values as it gives them)
            members, cells = self._state_cells[state]
            aversion, forgetting = np.empty(members.size), np.empty(members.size)
            at = 0
            for cls, index in cells:
                aversion[at : at + index.size] = cls.novelty_aversion(self.params, self.autonomy[index], ripe, wary)
                forgetting[at : at + index.size] = cls.forgetting_rate(self.params, ripe)
                at += index.size
            rules = self._rules_by_state[key] = (members, aversion, forgetting)
        return rules

    # Changes the programmes' events ask for (model/initiatives.py: Host) -------------------------

    def apply_trust(self, change: TrustChange) -> None:
        """Set the trust of some (actor, side) cells (an exposure trip's)."""
        self.trust[change.rows, change.sides] = change.trust

    def _author_room(self) -> np.ndarray:
        """The author sides, grown to a row for each idea the store has room for (a new row: no side yet)."""
        sides = self.author_sides
        if sides.shape[0] < self.ideas.capacity:
            more = np.zeros((self.ideas.capacity - sides.shape[0], self.n_sides), dtype=bool)
            sides = self.author_sides = np.concatenate((sides, more))
        return sides

    def add_author_sides(self, idea: int, sides: np.ndarray) -> None:
        """An idea's carriers now include these sides (a shuttle carried it there)."""
        self.author_sides[idea, sides] = True

    def lower_aversion(self, who: np.ndarray, factor: float) -> None:
        """Multiply these actors' novelty aversion by factor; the class rules set every aversion afresh next step."""
        self.aversion[who] *= factor
        self._rules_for = None

    def run_workshop(self, t: int, meeting: Meeting) -> WorkshopRecord:
        """Run a convened meeting: develop ideas, build trust, standing and ties; maybe leak.

        Every draw is keyed by the meeting's number, so it does not depend on what happened before it.
        """
        series, who, number = meeting.series, meeting.who, meeting.number
        if who.size == 0:  # every seat fell to a kind the convened sides lack (or all declined): the room stays empty
            record = WorkshopRecord(number, t, who, 0.0, 0.0, np.empty(0, dtype=np.int64), False, 0, meeting.format)
            series.record(record)
            return record
        rng = self.randomness.local_generator("run_workshop", "workshop", number, 1)
        p = series.params
        w = p.workshops
        side_who = self.side.take(who)
        shape = room_shape(side_who, self.n_sides)  # what the sides' seating fixes, kept by the pattern
        rows, others = shape.rows, max(shape.present.size - 1, 1)  # (participant, another side present) pairs
        team = (meeting.trust_bonus, _IMPARTIAL if meeting.partiality is None else meeting.partiality)
        # each participant's mean trust of the other sides in the room (1 with one side present), and the team's part
        trusting = room_trust(who, side_who, rows, shape.other_sides, others, self.trust, *team)
        value = min(
            1.0, candour(p, trusting, self._room_position_ties(who), series.after_leak) * meeting.candour_factor
        )
        if self._everyone_explores:  # the room's explorers are the room (its side counts are known)
            explorers, explorer_sides = who, side_who
            side_counts = shape.by_side
        else:
            explorers = who[self.explores.take(who)]
            explorer_sides = self.side.take(explorers)
            side_counts = None
        thinking = self.workshop_autonomy.take(explorers)
        diversity = group_diversity(
            explorer_sides, self.n_sides, self.track_index.take(explorers), thinking, side_counts=side_counts
        )
        mean = novelty_mean(p, thinking, diversity, explorers.size / max(who.size, 1))
        count = int(rng.poisson(expected_ideas(p, value, who.size) * meeting.idea_factor))
        novelty = sample_novelty(rng, mean, w.novelty.concentration, count)
        ids = self._create_ideas(novelty, t, number, meeting)
        if ids.size:
            self._author_room()[ids[0] : ids[-1] + 1] = shape.sides_row  # each new idea: the sides in the room
            if not self.transfer.authors_count:  # officials' authorship is noted only where it does not count
                self.transfer.note_authors(ids, who)
        gains = (w.trust_gain * value, w.standing_gain * value)  # x familiarity, for each participant
        learned = (series.meetings, w.familiarity_half)  # meetings each attended, and the familiarity's half
        meeting_gains(who, rows, shape.other_sides, *learned, *gains, self.trust, self.standing)
        ties = self._form_cross_side_ties(number, who, w.tie_formation * value, shape.cross)
        leaked = bool(rng.random() >= w.confidentiality * meeting.confidentiality_factor)
        if leaked:
            self.wary_until = t + p.diffusion.leak_wariness_steps
        record = WorkshopRecord(number, t, who, value, mean, ids, leaked, ties, meeting.format)
        series.record(record)
        return record

    def _create_ideas(self, novelty: np.ndarray, t: int, number: int, meeting: Meeting) -> np.ndarray:
        """A meeting's new ideas: every participant authors each, or (with voice weights) those whose voice counts."""
        if novelty.size == 0:
            return np.empty(0, dtype=np.int64)
        if meeting.voice is None:
            authors: np.ndarray | list[np.ndarray] = meeting.who
        else:
            rng = meeting.voice_rng
            if rng is None:  # keyed by the meeting, made only for a meeting with ideas (none to author: no draw)
                rng = self.randomness.local_generator("voice", "voice", number)
            authors = draw_authors(rng, meeting.who, meeting.voice, novelty.size)
        if "via_track_1_5" in self.removal.routes:  # closed: officials in the room take none of its ideas
            keep = lambda who: who[self.behaviour[who] != "official"]  # noqa: E731
            authors = keep(authors) if isinstance(authors, np.ndarray) else [keep(a) for a in authors]
        ids = self.ideas.create(novelty, t, number, authors)
        if self.issues is not None:
            self.issues.place_authored(ids, authors, meeting.voice)
        return ids

    def _room_position_ties(self, who: np.ndarray) -> np.ndarray:
        """Participants' ties to official positions in this room, for candour.

        Officials in a personal capacity drift back to positions as the officials' share of the seats rises
        (docs/ODD.md 7.1, Candour: position ties).
        """
        tie = self.position_tie.take(who)  # a copy
        officials = self._is_official.take(who)
        count = int(np.add.reduce(officials))  # np.count_nonzero(officials), in one call
        if count and not self._officials_instructed:
            share = count / officials.size  # officials.mean(): the same quotient
            tie[officials] = Official.room_position_tie(self.params, share)
        return tie

    def _form_cross_side_ties(
        self, number: int, who: np.ndarray, probability: float, seats: tuple[np.ndarray, np.ndarray] | None = None
    ) -> int:
        """New ties between participants of different sides, each pair by its keyed uniform; returns how many.

        `seats`: the pairs of seats (i < j) whose sides differ, when known (the room's shape keeps them).
        """
        if seats is None:
            seats = room_shape(self.side.take(who), self.n_sides).cross
        ties = self.tie_index
        prefix = self.randomness.key("cross_tie", number)
        a, b = formed_ties(who, *seats, self.n_actors, prefix, probability, ties.indptr, ties.indices)
        if a.size:
            self.tie_index = ties.with_ties(a, b, self.side)
            self.cross_side_ties_created += a.size
        return a.size

    def _carriers_closed(self) -> np.ndarray | None:
        """Actors whose advocacy carries no credibility with officials (routes closed by an evaluation), or None."""
        closed = [b for b, route in ROUTE_CARRIERS.items() if route in self.removal.routes]
        return np.isin(self.behaviour, closed) if closed else None

    def _credibility(self) -> tuple[np.ndarray, np.ndarray]:
        """Each advocate's credibility with officials, and who weighs it; a closed route's carriers have none."""
        if self._closed_carriers is None:
            return self.standing, self.credibility_weighed
        weighed = self.params.diffusion.officials_weigh_standing
        credibility = np.where(self._closed_carriers, 0.0, self.standing if weighed else 1.0)
        return credibility, self.weighs_standing

    def advocacy(self, t: int) -> int:
        """Holders advocate their ideas along ties; returns the number of adoptions."""
        ideas = self.ideas
        n = ideas.count
        if n == 0 and self.record is None:
            return 0
        self._count_advocacy(t, n)
        credibility, weighs = self._credibility()
        context = Context(
            self.params.diffusion.base_rate,
            ideas.novelty[:n] if self.issues is None else self.issues.novelty(n),
            credibility,
            weighs,
            self.aversion,
            self.side,
            self.trust,
            any_weighs=self._any_weighs if weighs is self.credibility_weighed else None,
            any_across=self.tie_index.any_across,
        )
        draws = self._step_draws(t)
        exposures = self.record is not None
        counts = self.advocate_counts
        adoptions = advocate(draws, self.tie_index, counts.active[:n].T, ideas.holds, context, exposures, counts, True)
        if self.record is not None:
            self.record.note_exposures(t, adoptions.exposures)
        open_to = self.programme.open_to(adoptions.actors, adoptions.ideas, t)  # a knowledge product's refusals
        if open_to is not None:
            adoptions = Adoptions(adoptions.actors[open_to], adoptions.ideas[open_to], adoptions.sources[open_to])
        if adoptions.actors.size:
            ideas.adopt(adoptions.actors, adoptions.ideas, t, adoptions.sources)
            self._officials_learn_trust(adoptions.actors, adoptions.ideas)
        return int(adoptions.actors.size)

    def _count_advocacy(self, t: int, n: int) -> None:
        """Bring the advocate counts up to step t's advocacy.

        From the cells that can have changed, kept by the ideas' store (no pass over every cell), or, with
        few cells or nothing kept to compare with, from every cell's advocacy.
        """
        ideas, counts, span = self.ideas, self.advocate_counts, self.params.diffusion.advocacy_span
        changes = ideas.advocacy_changes(t, span) if n * self.n_actors >= _KEPT_AT else None
        if changes is not None:
            cells, now = changes
            if self._silenced is not None:  # route:via_track_three closed: grassroots pass no ideas on
                now &= ~self._silenced.take(cells % self.n_actors)
            if counts.update_cells(self.tie_index, n, cells, now):
                return
        counts.update_held(self.tie_index, ideas.adopted_at.T[:n], ideas.holds.T[:n], t, span, self._silenced)

    def _officials_learn_trust(self, actors: np.ndarray, ideas: np.ndarray) -> None:
        """Officials adopting an idea co-authored by people of another side come to trust that side more."""
        gain = self.params.diffusion.official_trust_gain
        if gain == 0 or actors.size == 0 or self.n_sides < 2:
            return
        # the (actor, side) cells of trust learnt: the authors' sides other than the adopter's own, for officials
        # only, each keeping (1 - gain) ** (times learnt) of its distrust: numpy's powers (its SIMD bits), kept
        learnt = (actors, ideas, self.author_sides, self._learns_trust_of, self.trust)
        needed = learn_trust_by_adopting(*learnt, self._kept_distrust)
        if needed:  # a cell learnt more often than the powers kept: more of them (rare), then learnt
            self._kept_distrust = np.power(1.0 - gain, np.arange(max(needed, 2 * self._kept_distrust.size)))
            learn_trust_by_adopting(*learnt, self._kept_distrust)

    def _step_draws(self, t: int) -> StepDraws:
        """The step's keyed draws over the ideas that exist (one per step: its keys are mixed once)."""
        draws = self._draws
        if draws is None or draws.step != t or draws.keys.size != self.ideas.count:
            draws = StepDraws(self.randomness, t, self.ideas.key[: self.ideas.count], self._golden_ids, self._step_keys)
            self._draws = draws
        return draws

    def forgetting_step(self, t: int) -> None:
        """Holders drop ideas at their forgetting rates."""
        if not self._anyone_forgets:
            return
        ideas, draws = self.ideas, self._step_draws(t)
        cells = ideas.count * self.n_actors
        if cells < _KEPT_AT or int(np.add.reduce(ideas.held_count)) * _DENSELY_HELD > cells:
            # few cells, or many of them held: found by a pass over every cell (in SIMD), not from the kept ones
            ideas.forget(draws.forgetting_keys(), self._forget_thresholds)
            return
        cells = ideas.held_cells()  # the held cells kept by the store (no pass over every cell), the dropped taken out
        ideas.drop_held(forget_cells(draws, cells, ideas.n_actors, self._forget_thresholds))

    def rival_ideas(self, t: int) -> None:
        """Track One's own ideas and ideas from outside the programme reach their first officials (model/rivals.py).

        A month's ideas are made, placed and authored in one kernel call each (model/kernels/rivals.py).
        """
        month = self.rivals.month(self.randomness, t)
        if month is None:
            return
        first = self.ideas.create_rivals(t, *month)
        if self.issues is not None:
            self.issues.place_rivals(first, month.own, month.holders, month.starts)
        marked_sides(self._author_room(), first, month.holders, month.starts, self.side)

    def check_transfer(self, t: int, ripe: bool) -> np.ndarray:
        """Ideas that enter Track One this step (see model/transfer.py); the record keeps who counted."""
        return self.transfer.check(t, ripe, self.record)

    def stage_ripe_window(self, months: int) -> None:
        """Make Track One ripe from the next step for `months` steps (an election, a ceasefire, now)."""
        if months < 1:
            raise ValueError(f"months: expected 1 or more, got {months}")
        self.ripeness.stage(self.steps + 1, int(months))

    def ripeness_drivers(self) -> list[list[float]]:
        """What drives each Track One toward ripeness: its officials' exposure, credible advocates, public support.

        Per state, a row of the three in RipenessDrivers' order (the credible advocates a whole number, as a float):
        what the hazards read, without a RipenessDrivers made a month. Public support counts the grassroots outside
        the workshops (the room's own participants are not the public). Counted in one kernel
        (model/kernels/ripeness.py) from the holdings the store keeps.
        """
        ideas, rivals = self.ideas, self.rivals.active
        slots, sizes = self._grassroots_inside()
        drivers = driver_counts(
            ideas.held_count,
            ideas.holds.T,
            ideas.origin[: ideas.count],  # rival ideas (from the first rival origin on) are not Track Two's
            _FIRST_RIVAL if rivals else -1,
            ideas.group_reached,
            self.groups,
            self.standing,
            self._weighs_not,
            self.params.ripeness.credible_standing,
            slots,
            self.ripeness_of,
            sizes,
            self.ripeness.states.size,
            self.n_sides,
            self._first_official,
            self._first_grassroots,
        )
        return drivers.tolist()

    def _grassroots_inside(self) -> tuple[np.ndarray, np.ndarray]:
        """Each actor's inside slot, and the (track, side) group sizes without the grassroots inside (flat).

        The slot is 1 + its side for grassroots who took part in a meeting, else 0.

        Kept until a meeting is recorded (taking part is noted only as a meeting is, in the record every initiative
        shares, and never undone: the count of meetings says when).
        """
        held = len(self.series.records)
        cached = self._inside
        if cached is None or cached[0] != held:
            inside = np.flatnonzero(self.series.participated & self._grassroots_track)
            sides = self.side[inside]
            sizes = self._group_sizes
            slots = np.zeros(self.n_actors, dtype=np.int64)
            if inside.size:
                sizes = sizes.copy()
                sizes[BEHAVIOURS.index("grassroots")] -= np.bincount(sides, minlength=self.n_sides)
                slots[inside] = sides + 1
            cached = self._inside = (held, slots, sizes.reshape(-1).astype(np.int64))
        return cached[1], cached[2]

    def run(self) -> None:
        """Run to params.steps."""
        while self.running and self.steps < self.params.steps:
            self.step()
