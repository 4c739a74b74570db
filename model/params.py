"""The model's parameters, declared once.

Every way of setting a parameter (YAML config, ``--set key=value``, sweep files, the app) goes
through :class:`Params`, so a bad value gets the same message everywhere. Field descriptions
carry the range and the unit; ``docs/ODD.md`` explains what each one models.
"""

from __future__ import annotations

import copy
import functools
import itertools
import math
import re
from collections.abc import Mapping
from importlib import import_module
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

__all__ = [
    "BEHAVIOURS",
    "BYTES_PER_ACTOR",
    "BYTES_PER_ACTOR_IDEA",
    "BYTES_PER_EXPOSURE",
    "BYTES_PER_TIE",
    "BYTES_PER_WAITING_EXPOSURE",
    "COMPONENT_KEY",
    "ECHO_CHARS",
    "FORMAT_NAMES",
    "ISSUE_DIMENSIONS",
    "ISSUE_SALIENCE",
    "MAX_RUN_BYTES",
    "RECORD_ROOM",
    "RECORD_WAITING",
    "ROUTE_COMPONENTS",
    "SHARE_TOLERANCE",
    "TIE_ORDER",
    "Attribute",
    "Behaviour",
    "Candour",
    "Competition",
    "ConfigError",
    "Diffusion",
    "Evaluation",
    "Event",
    "Forgetting",
    "Formats",
    "InitialIdeas",
    "Initiative",
    "Issues",
    "Kind",
    "LocalAgreements",
    "MiddleRange",
    "Network",
    "Novelty",
    "Params",
    "Programme",
    "Proscribed",
    "Ripeness",
    "Rivals",
    "ThirdParty",
    "ThirdPartyProfile",
    "ThirdPartyType",
    "TieDegrees",
    "TieProbabilities",
    "Transfer",
    "Voice",
    "Workshops",
    "block_probabilities",
    "check_shares",
    "component_syntax",
    "default_params_dict",
    "estimated_record_bytes",
    "estimated_run_bytes",
    "expected_ideas",
    "expected_ties",
    "expected_workshops",
    "initiative_workshops",
    "make_params",
    "merge",
    "regular_steps",
    "rival_room",
    "run_parts",
    "shorten",
    "with_overrides",
]

BEHAVIOURS = ("official", "elite", "autonomous", "grassroots", "middle_range")  # appended: indices are draws' keys
Behaviour = Literal["official", "elite", "autonomous", "grassroots", "middle_range"]
TIE_ORDER = ("middle_range", *BEHAVIOURS[:4])  # network.degree's a_b: ties an actor of the earlier has to the later
SHARE_TOLERANCE = 1e-6
ECHO_CHARS = 80  # an echoed value is cut to this many characters


class ConfigError(ValueError):
    """A parameter, config file or input that the model cannot accept; the message says why."""


_NUMERIC_FIELDS: dict[type, tuple[str, ...]] = {}  # per parameters class: its fields that take numbers


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @model_validator(mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, data: Any) -> Any:
        """Pydantic would read true as 1 for a number field (steps=true ran one step): refuse it."""
        if isinstance(data, Mapping):
            numeric = _NUMERIC_FIELDS.get(cls)
            if numeric is None:  # a class's number fields, found once (every run validates its parameters)
                numeric = _NUMERIC_FIELDS[cls] = tuple(
                    name
                    for name, field in cls.model_fields.items()
                    if {int, float} & {field.annotation, *getattr(field.annotation, "__args__", ())}
                )
            for name in numeric:
                if isinstance(data.get(name), bool):
                    raise ValueError(
                        f"{name} must be a number, got {str(data[name]).lower()} (true/false are not numbers)"
                    )
        return data


class Attribute(_Strict):
    """An agent attribute on 0..1, drawn from a Beta distribution with this mean and sd."""

    mean: float = Field(ge=0.0, le=1.0, description="Mean of the attribute, 0..1.")
    sd: float = Field(0.0, ge=0.0, le=0.5, description="Standard deviation, 0..0.5; 0 = constant.")

    @model_validator(mode="after")
    def _feasible(self) -> Attribute:
        if self.sd > 0 and self.sd**2 >= self.mean * (1.0 - self.mean):
            raise ValueError(
                f"sd={self.sd} is too large for mean={self.mean}: a Beta distribution needs "
                f"sd^2 < mean*(1-mean) = {self.mean * (1 - self.mean):.4f}"
            )
        return self


class Kind(_Strict):
    """An actor kind: a behaviour (one of the five agent classes) with its own numbers."""

    behaviour: Behaviour = Field(
        description="Which agent class it uses: official, elite, autonomous, grassroots, middle_range."
    )
    count: int = Field(ge=0, le=1_000_000, description="Actors of this kind on each side, 0..1e6.")
    autonomy: Attribute = Field(description="How far its thinking strays from official positions, 0..1.")
    standing: Attribute = Field(description="Credibility in the eyes of officials, 0..1.")
    trust: Attribute = Field(description="Initial trust of the other side, 0..1.")
    proscribed: float = Field(
        0.0,
        ge=0,
        le=1,
        description="Share of its actors who belong to a group proscribed as terrorist, 0..1 (0 = none).",
    )


def _default_kinds() -> dict[str, Kind]:
    def kind(behaviour: str, count: int, autonomy: float, standing: float, trust: float) -> Kind:
        return Kind(
            behaviour=behaviour,
            count=count,
            autonomy=Attribute(mean=autonomy, sd=0.05),
            standing=Attribute(mean=standing, sd=0.05),
            trust=Attribute(mean=trust, sd=0.05),
        )

    return {
        "official": kind("official", 20, 0.10, 0.90, 0.20),
        "elite": kind("elite", 15, 0.25, 0.75, 0.30),
        "autonomous": kind("autonomous", 25, 0.80, 0.15, 0.35),
        "grassroots": kind("grassroots", 60, 0.35, 0.10, 0.15),
        "middle_range": kind("middle_range", 0, 0.50, 0.45, 0.30),  # 0: F1-F15 were calibrated without them
    }


class TieProbabilities(_Strict):
    """Tie probabilities between two actors of the same side, by behaviour pair (the per-pair SBM option)."""

    official_official: float = Field(0.30, ge=0, le=1, description="Official-official, 0..1.")
    official_elite: float = Field(0.15, ge=0, le=1, description="Official-elite, 0..1.")
    official_autonomous: float = Field(0.01, ge=0, le=1, description="Official-autonomous thinker, 0..1.")
    official_grassroots: float = Field(0.005, ge=0, le=1, description="Official-grassroots, 0..1.")
    elite_elite: float = Field(0.20, ge=0, le=1, description="Elite-elite, 0..1.")
    elite_autonomous: float = Field(0.04, ge=0, le=1, description="Elite-autonomous thinker, 0..1.")
    elite_grassroots: float = Field(0.005, ge=0, le=1, description="Elite-grassroots, 0..1.")
    autonomous_autonomous: float = Field(0.10, ge=0, le=1, description="Autonomous-autonomous, 0..1.")
    autonomous_grassroots: float = Field(0.01, ge=0, le=1, description="Autonomous-grassroots, 0..1.")
    grassroots_grassroots: float = Field(0.04, ge=0, le=1, description="Grassroots-grassroots, 0..1.")
    middle_range_official: float = Field(0.05, ge=0, le=1, description="Middle-range leader-official, 0..1.")
    middle_range_elite: float = Field(0.13, ge=0, le=1, description="Middle-range leader-elite, 0..1.")
    middle_range_autonomous: float = Field(
        0.04, ge=0, le=1, description="Middle-range leader-autonomous thinker, 0..1."
    )
    middle_range_grassroots: float = Field(0.07, ge=0, le=1, description="Middle-range leader-grassroots, 0..1.")
    middle_range_middle_range: float = Field(
        0.17, ge=0, le=1, description="Middle-range leader-middle-range leader, 0..1."
    )

    def probability(self, first: str, second: str) -> float:
        """Tie probability for a behaviour pair, in either order."""
        a, b = sorted((first, second), key=TIE_ORDER.index)
        return getattr(self, f"{a}_{b}")


class TieDegrees(_Strict):
    """Expected ties per actor within a side, by behaviour pair: the default SBM, invariant to population size.

    ``a_b`` is the expected number of ties an actor of behaviour ``a`` (the first in the order
    middle_range, official, elite, autonomous, grassroots: TIE_ORDER) has to actors of behaviour ``b`` on
    its own side; the reverse direction follows from the counts (an actor of ``b`` has ``a_b x n_a / n_b``
    ties to ``a``). A middle-range leader's ties are its own, so more of them bring more bridges.
    """

    official_official: float = Field(5.7, ge=0, le=1000, description="Ties an official has to officials, >=0.")
    official_elite: float = Field(2.25, ge=0, le=1000, description="Ties an official has to elites, >=0.")
    official_autonomous: float = Field(
        0.25, ge=0, le=1000, description="Ties an official has to autonomous thinkers, >=0."
    )
    official_grassroots: float = Field(0.3, ge=0, le=1000, description="Ties an official has to grassroots, >=0.")
    elite_elite: float = Field(2.8, ge=0, le=1000, description="Ties an elite has to elites, >=0.")
    elite_autonomous: float = Field(1.0, ge=0, le=1000, description="Ties an elite has to autonomous thinkers, >=0.")
    elite_grassroots: float = Field(0.3, ge=0, le=1000, description="Ties an elite has to grassroots, >=0.")
    autonomous_autonomous: float = Field(
        2.4, ge=0, le=1000, description="Ties an autonomous thinker has to autonomous thinkers, >=0."
    )
    autonomous_grassroots: float = Field(
        0.6, ge=0, le=1000, description="Ties an autonomous thinker has to grassroots, >=0."
    )
    grassroots_grassroots: float = Field(
        2.36, ge=0, le=1000, description="Ties a grassroots actor has to grassroots, >=0."
    )
    middle_range_official: float = Field(
        1.0, ge=0, le=1000, description="Ties a middle-range leader has to officials (up), >=0."
    )
    middle_range_elite: float = Field(
        2.0, ge=0, le=1000, description="Ties a middle-range leader has to influential elites (up), >=0."
    )
    middle_range_autonomous: float = Field(
        1.0, ge=0, le=1000, description="Ties a middle-range leader has to autonomous thinkers, >=0."
    )
    middle_range_grassroots: float = Field(
        4.0, ge=0, le=1000, description="Ties a middle-range leader has to grassroots (down), >=0."
    )
    middle_range_middle_range: float = Field(
        1.5, ge=0, le=1000, description="Ties a middle-range leader has to middle-range leaders, >=0."
    )

    def degree(self, first: str, second: str) -> float:
        """Expected ties of an actor of the earlier behaviour (in TIE_ORDER) to the other, in either order."""
        a, b = sorted((first, second), key=TIE_ORDER.index)
        return getattr(self, f"{a}_{b}")


class Network(_Strict):
    """The actors' ties: a stochastic block model over (kind x side), an Erdos-Renyi graph, or an actor map."""

    type: Literal["sbm", "erdos_renyi", "map"] = Field(
        "sbm", description="sbm (kind x side blocks), erdos_renyi (one block), or map (an actor map file)."
    )
    degree: TieDegrees = Field(
        default_factory=TieDegrees, description="Within-side SBM by expected ties per actor (the default)."
    )
    ties: TieProbabilities | None = Field(
        None, description="Within-side SBM by per-pair tie probabilities instead of degrees (null = use degree)."
    )
    cross_side_factor: float | list[list[float]] = Field(
        0.05,
        description=(
            "Cross-side ties as a fraction of the within-side ones: a number for every pair of sides, "
            "or a K x K symmetric matrix of 0..1 (diagonal ignored)."
        ),
        title="Cross-side ties (fraction of within-side)",
    )
    mean_degree: float = Field(8.0, gt=0, le=1000, description="Mean degree for erdos_renyi, >0.")
    map: str | None = Field(
        None, description="Path to an actor map: .graphml, or a nodes .csv with an edges .csv beside it."
    )
    edges: str | None = Field(
        None, description="Path to the edges .csv of a CSV actor map (default: <nodes>_edges.csv or edges.csv)."
    )

    @field_validator("cross_side_factor")
    @classmethod
    def _factor(cls, factor: float | list[list[float]]) -> float | list[list[float]]:
        rows = [[factor]] if isinstance(factor, int | float) else factor
        if any(len(row) != len(rows) for row in rows):
            raise ValueError("the cross-side factor must be a number or a square K x K matrix")
        if any(not 0.0 <= value <= 1.0 for row in rows for value in row):
            raise ValueError("cross-side factors must be in 0..1")
        if any(rows[i][j] != rows[j][i] for i in range(len(rows)) for j in range(len(rows))):
            raise ValueError("the cross-side factor matrix must be symmetric (ties are undirected)")
        return factor

    @model_validator(mode="after")
    def _map_needs_path(self) -> Network:
        if self.type == "map" and not self.map:
            raise ValueError("network.type is 'map' but network.map (the actor map's path) is not set")
        return self

    def cross_factor(self, first: int, second: int) -> float:
        """The cross-side factor between two (different) sides."""
        if isinstance(self.cross_side_factor, int | float):
            return float(self.cross_side_factor)
        return float(self.cross_side_factor[first][second])


class Candour(_Strict):
    """How open a workshop's exchanges are, 0..1, and what lowers it."""

    positional_penalty: float = Field(
        0.8,
        ge=0,
        le=1,
        description="Candour lost when every participant is tied to official positions, 0..1.",
        title="Candour lost to official positions",
    )
    elite_position_tie: float = Field(
        0.9,
        ge=0,
        le=1,
        description="How far an elite counts as tied to official positions, 0..1.",
    )
    official_position_tie: float = Field(
        0.6,
        ge=0,
        le=1,
        description=(
            "How far an official in a personal capacity (Track Two, Track 1.5) is tied to official positions, "
            "0..1; it explores with autonomy of at least 1 - this. Under instructions (backchannel) the tie is 1."
        ),
        title="Officials' tie to positions in a personal capacity",
    )
    official_crowding: float = Field(
        1.0,
        ge=0,
        le=1,
        description=(
            "How far a room of officials pulls those in a personal capacity back to official positions, 0..1: their "
            "tie (for candour) is t + (1 - t) x this x the officials' share of the seats (t: official_position_tie); "
            "0 = none."
        ),
        title="Officials' pull to positions in a room of officials",
    )
    size_penalty: float = Field(
        0.5,
        ge=0,
        le=10,
        description=(
            "Candour lost in large groups: x 1 / (1 + this x extra seats / 12) beyond 12 seats; 0 = none, >=0."
        ),
        title="Candour lost in large meetings",
    )
    trust_floor: float = Field(
        0.5, ge=0, le=1, description="Candour factor at zero mutual trust (rises linearly to 1 at full trust), 0..1."
    )
    leak_penalty: float = Field(
        0.5, ge=0, le=1, description="Share of candour lost at the workshop after a leak, 0..1."
    )
    conditions_penalty: float = Field(
        0.8, ge=0, le=1, description="Share of candour lost per unit of accepted funder conditionality, 0..1."
    )


class Novelty(_Strict):
    """Novelty of a workshop's ideas: Beta around a mean set by the group."""

    base: float = Field(
        0.05, ge=0, le=1, description="Mean novelty of a group with no autonomy and no diversity, 0..1."
    )
    autonomy_weight: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Added mean novelty per unit of mean participant autonomy, 0..1.",
        title="Novelty added by participants' autonomy",
    )
    diversity_weight: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Added mean novelty per unit of group diversity, 0..1.",
        title="Novelty added by a diverse group",
    )
    concentration: float = Field(8.0, gt=0, le=1000, description="Beta concentration (higher = less spread), >0.")
    conditions_penalty: float = Field(
        0.5, ge=0, le=1, description="Share of novelty lost per unit of accepted funder conditionality, 0..1."
    )


class Workshops(_Strict):
    """The third party's workshop series."""

    count: int = Field(
        20, ge=0, le=10_000, description="Number of workshops funded (the budget), 0..10000.", title="Workshops funded"
    )
    first_step: int = Field(3, ge=1, description="Step (month) of the first workshop, >=1.")
    interval: int = Field(
        4, ge=1, description="Steps (months) between workshops, >=1.", title="Months between workshops"
    )
    size: int = Field(
        12, ge=2, le=100_000, description="Participants per workshop, >=2.", title="Participants per workshop"
    )
    retention: float = Field(
        0.6,
        ge=0,
        le=1,
        description="Share of last workshop's participants invited again, 0..1.",
        title="Share of participants invited again",
    )
    mix: dict[str, float] = Field(
        default_factory=lambda: {"elite": 0.5, "autonomous": 0.5},
        description="Share of seats by actor kind; shares in 0..1 summing to 1.",
    )
    track15_official_share: float = Field(
        0.25, ge=0, lt=1, description="Official share used in mode track1.5 when the mix has no officials, 0..<1."
    )
    sides: list[int] | None = Field(
        None,
        description="Sides convened (numbers 1..K; [1, 2]: a bilateral session of a 3-party conflict); null = all.",
        title="Sides convened",
    )
    backchannel_under_instructions: bool = Field(
        True,
        description=(
            "Officials in a backchannel are under instructions: tied to positions (1), they do not explore "
            "(no novelty) and they are Track One; false treats them as in a personal capacity (an ablation)."
        ),
    )
    confidentiality: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Chatham House discipline; a leak follows a workshop with probability 1 - this, 0..1.",
        title="Confidentiality (Chatham House discipline)",
    )
    facilitator_integrity: float = Field(
        0.9,
        ge=0,
        le=1,
        description="The third party's integrity, a factor of candour, 0..1.",
        title="Facilitator's integrity",
    )
    funder_conditionality: float = Field(
        0.0,
        ge=0,
        le=1,
        description="How heavy the funder's conditions are, 0..1.",
        title="Weight of the funder's conditions",
    )
    facilitator_policy: Literal["accept", "refuse"] = Field(
        "refuse",
        description="accept conditions (candour, novelty, trust suffer) or refuse them (budget may be lost).",
        title="Facilitator's answer to the funder's conditions",
    )
    refusal_budget_loss: float = Field(
        0.5, ge=0, le=1, description="Share of the workshop budget lost per unit of refused conditionality, 0..1."
    )
    idea_rate: float = Field(
        3.0,
        ge=0,
        le=100,
        description="Mean ideas of a 12-seat workshop at full candour (Poisson), 0..100.",
        title="Ideas per workshop at full candour",
    )
    idea_size_elasticity: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "How ideas per workshop grow with seats filled: x (seats / 12)^this; 0 = the same whatever the size, "
            "1 = proportional (no production blocking), 0..1."
        ),
    )
    trust_gain: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Trust of the other side gained per workshop at full candour and familiarity, 0..1.",
        title="Trust gained per workshop",
    )
    familiarity_half: float = Field(
        2.0, ge=0, le=100, description="Meetings attended at which trust gain reaches half its maximum, >=0."
    )
    standing_gain: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Standing gained per workshop at full candour and familiarity (credible advocates), 0..1.",
        title="Standing gained per workshop",
    )
    tie_formation: float = Field(
        0.15,
        ge=0,
        le=1,
        description="Probability a cross-side pair of participants forms a tie, at full candour, 0..1.",
        title="Chance a workshop forms a cross-side tie",
    )
    participants: list[str] | None = Field(
        None,
        description=(
            "A fixed cohort invited to every workshop, by actor id (overrides mix, size and retention); "
            "null = convene by the mix."
        ),
    )
    candour: Candour = Field(default_factory=Candour)
    novelty: Novelty = Field(default_factory=Novelty)

    @field_validator("participants")
    @classmethod
    def _cohort(cls, participants: list[str] | None) -> list[str] | None:
        if participants is not None and not participants:
            raise ValueError("a cohort needs at least 1 participant (use workshops.count: 0 for no workshops)")
        if participants is not None and len(set(participants)) != len(participants):
            raise ValueError("participants lists an actor more than once")
        return participants

    @field_validator("sides")
    @classmethod
    def _sides(cls, sides: list[int] | None) -> list[int] | None:
        if sides is not None and (not sides or len(set(sides)) != len(sides)):
            raise ValueError("workshops.sides needs distinct side numbers (null = all sides)")
        return sides

    @field_validator("mix")
    @classmethod
    def _shares(cls, mix: dict[str, float]) -> dict[str, float]:
        return check_shares(mix)


def check_shares(mix: dict[str, float]) -> dict[str, float]:
    """Seat shares by kind: each in 0..1, summing to 1."""
    for kind, share in mix.items():
        if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
            raise ValueError(f"share of {kind!r} is {share}; shares must be in 0..1")
    total = sum(mix.values())
    if mix and abs(total - 1.0) > SHARE_TOLERANCE:
        raise ValueError(f"shares sum to {total:.6g}; they must sum to 1")
    return mix


class Diffusion(_Strict):
    """Advocacy along ties: who passes an idea to whom."""

    base_rate: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Adoption probability per tie per step before the other factors, 0..1.",
        title="Chance an idea passes along a tie per month",
    )
    advocacy_span: int | None = Field(
        6,
        ge=1,
        description="Steps an adopter advocates an idea (null = for ever: SI; 1 = independent cascade).",
        title="Months an adopter advocates an idea",
    )
    official_aversion_unripe: float = Field(
        5.0,
        ge=0,
        le=100,
        description="Officials' novelty aversion when not ripe (acceptance = exp(-aversion x novelty)), >=0.",
        title="Officials' aversion to novelty outside ripe moments",
    )
    official_aversion_ripe: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Officials' novelty aversion in a ripe moment, >=0.",
        title="Officials' aversion to novelty in ripe moments",
    )
    aversion: float = Field(
        5.0,
        ge=0,
        le=100,
        description="Non-officials' novelty aversion at zero autonomy (scaled by 1 - autonomy), >=0.",
        title="Non-officials' aversion to novelty",
    )
    officials_weigh_standing: bool = Field(
        True,
        description="Officials weigh the sender's standing (false: every sender is fully credible; an ablation).",
    )
    leak_wariness: float = Field(
        1.0, ge=0, le=100, description="Extra officials' aversion after a leak (multiplies by 1 + this), >=0."
    )
    leak_wariness_steps: int = Field(6, ge=0, description="Steps that officials stay wary after a leak, >=0.")
    official_trust_gain: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Trust of a side an official gains on adopting an idea co-authored by people of that side, 0..1.",
        title="Officials' trust gained from jointly authored ideas",
    )


class Forgetting(_Strict):
    """Holders dropping ideas."""

    rate: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Probability per step that a holder drops an idea, 0..1.",
        title="Chance per month an idea is forgotten",
    )
    official_unripe_multiplier: float = Field(
        3.0, ge=0, le=1000, description="Officials forget this many times faster when not ripe, >=0."
    )


class Ripeness(_Strict):
    """Track One's readiness for new approaches."""

    mode: Literal["endogenous", "fixed", "off"] = Field(
        "endogenous",
        description="endogenous hazards, fixed windows, or off (never ripe).",
        title="How Track One ripens",
    )
    scope: Literal["shared", "per_side"] = Field(
        "shared",
        description="shared (one Track One state for all sides) or per_side (each side's Track One ripens on its own).",
        title="Whose Track One ripens",
    )
    initially_ripe: bool = Field(False, description="Whether Track One starts ripe (endogenous mode).")
    baseline_hazard: float = Field(
        0.005,
        ge=0,
        le=10,
        description="Opening hazard per step with no Track Two influence, >=0.",
        title="Chance per month a ripe moment opens unaided",
    )
    exposure_weight: float = Field(
        0.03,
        ge=0,
        le=10,
        description="Added hazard per unit share of officials holding Track Two ideas, >=0.",
        title="Ripening from officials exposed to Track Two ideas",
    )
    advocate_weight: float = Field(
        0.02, ge=0, le=10, description="Added hazard at saturation of credible advocates holding Track Two ideas, >=0."
    )
    advocate_scale: float = Field(
        10.0, gt=0, description="Credible advocates at which the advocate term reaches 1 - 1/e, >0."
    )
    credible_standing: float = Field(
        0.5, ge=0, le=1, description="Standing from which a non-official is a credible advocate, 0..1."
    )
    public_weight: float = Field(
        0.6,
        ge=0,
        le=10,
        description="Added hazard per unit share of grassroots outside the workshops holding Track Two ideas, >=0.",
        title="Ripening from public support (Track Three)",
    )
    mean_window_length: float = Field(
        12.0,
        ge=1,
        description="Mean length of a ripe window in steps (closing hazard 1/this), >=1.",
        title="Mean length of a ripe moment (months)",
    )
    windows: list[tuple[int, int]] = Field(
        default_factory=list, description="Fixed ripe windows as [start, end) step pairs (mode fixed)."
    )

    @field_validator("windows")
    @classmethod
    def _ordered(cls, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
        for start, end in windows:
            if not 1 <= start < end:
                raise ValueError(f"window [{start}, {end}) must have 1 <= start < end")
        return windows


class Transfer(_Strict):
    """When an idea counts as entering Track One."""

    threshold: float = Field(
        0.25,
        gt=0,
        le=1,
        description="Share of a side's officials who must hold an idea for that side's Track One to take it, (0, 1].",
        title="Share of officials needed for an idea to enter Track One",
    )
    quorum: int | None = Field(
        None,
        ge=1,
        description="Sides whose Track One must take an idea (a coalition); null = every side that has officials.",
        title="Sides needed for an idea to enter Track One",
    )
    sides_without_officials: Literal["error", "not_needed"] = Field(
        "error",
        description=(
            "A side with no officials (while others have some) is an error, or a party whose Track One is "
            "not needed for transfer."
        ),
    )
    personal_capacity_counts: bool = Field(
        False,
        description=(
            "Whether officials who co-authored an idea in a personal capacity (Track Two, Track 1.5) count "
            "toward the threshold; false: they carry it out and it must still win over their colleagues."
        ),
        title="Officials in the room count as Track One",
    )


class InitialIdeas(_Strict):
    """Ideas seeded before step 1 (for textbook-diffusion checks and staged demonstrations)."""

    count: int = Field(0, ge=0, le=1000, description="Seeded ideas, 0..1000.")
    novelty: float = Field(0.0, ge=0, le=1, description="Their novelty, 0..1.")
    holders: int = Field(1, ge=1, description="Random initial holders of each, >=1.")


# ----------------------------------------------------------------------------------------------
# The "new" Track Two (docs/ODD.md 7.9): formats as scheduled events, third parties, voice,
# several initiatives, proscribed actors, local agreements. Every default is neutral: a config
# that does not mention them runs exactly today's regular series.

FORMAT_NAMES: dict[str, str] = {}  # every format a schedule may name -> what it is (model/formats.py registers them)


def format_names() -> dict[str, str]:
    """FORMAT_NAMES, the built-in formats registered: model/formats.py is imported here if nothing has yet.

    (Validating a config needs them before any run: `tracktwo.make_params` in a fresh interpreter.)
    """
    if not FORMAT_NAMES:
        import_module("tracktwo.model.formats")
    return FORMAT_NAMES


ThirdPartyType = Literal["scholar_practitioner", "ngo_mediator", "private_citizen"]


def regular_steps(first: int, count: int, interval: int) -> list[int]:
    """The steps of `count` events `interval` apart from `first` (an event's repeats, the regular series)."""
    return [first + i * interval for i in range(count)]


class Event(_Strict):
    """One entry of a programme's schedule: a format held at a step, once or repeated."""

    format: str = Field(
        "workshop",
        description=(
            "A registered format (model/formats.py): workshop (problem-solving), training (capacity building), "
            "knowledge_product (a joint report), exposure_trip (study tour), shuttle (one side at a time, "
            "through the third party)."
        ),
    )
    step: int = Field(ge=1, description="Step (month) it is held, the first of its repeats, >=1.")
    count: int = Field(1, ge=1, le=10_000, description="Times it is held, >=1.")
    interval: int = Field(1, ge=1, description="Steps (months) between its repeats, >=1.")
    mode: Literal["track2", "track1.5"] | None = Field(
        None, description="track2 or track1.5 (officials in a personal capacity beside the mix); null = the run's."
    )
    mix: dict[str, float] | None = Field(
        None, description="Share of seats by actor kind for this event, summing to 1; null = workshops.mix."
    )
    size: int | None = Field(None, ge=2, le=100_000, description="Participants, >=2; null = workshops.size.")
    audience: Literal["officials", "track_two"] = Field(
        "officials", description="Who goes on an exposure trip: officials (Track One) or the mix (Track Two)."
    )

    @field_validator("format")
    @classmethod
    def _registered(cls, name: str) -> str:
        if name not in format_names():
            raise ValueError(f"Input should be {_one_of(list(FORMAT_NAMES))}")
        return name

    @field_validator("mix")
    @classmethod
    def _shares(cls, mix: dict[str, float] | None) -> dict[str, float] | None:
        return None if mix is None else check_shares(mix)

    def steps(self) -> list[int]:
        """The steps it is held at."""
        return regular_steps(self.step, self.count, self.interval)


class Formats(_Strict):
    """What the formats other than the problem-solving workshop do (used only when a programme schedules them)."""

    training_idea_factor: float = Field(
        0.2, ge=0, le=1, description="Ideas of a training as a share of a workshop's at the same candour, 0..1."
    )
    training_standing_gain: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Standing a training's participants gain toward 1 (expert inputs, credentials), 0..1.",
    )
    training_skill_gain: float = Field(
        0.5, ge=0, le=1, description="Process skill a training's participants gain toward 1, 0..1."
    )
    skill_candour_gain: float = Field(
        1.0,
        ge=0,
        le=10,
        description="Later workshops' candour x (1 + this x the room's mean process skill), >=0.",
    )
    product_credibility: float = Field(
        0.7,
        ge=0,
        le=1,
        description=(
            "Chance a knowledge product convinces an official who reads it, at novelty 0 and full trust of its "
            "co-authors (its own credibility), 0..1."
        ),
    )
    product_closure_months: int = Field(
        12,
        ge=0,
        le=1000,
        description=(
            "Months an official who read a knowledge product and did not take up an idea stays closed to it "
            "(a worked-out idea, publicly fixed, was said no to), >=0; 0 = never closed (an ablation)."
        ),
    )
    product_reach: float = Field(
        0.8, ge=0, le=1, description="Chance a knowledge product reaches each official of the sides convened, 0..1."
    )
    product_ideas: int = Field(
        2, ge=1, le=100, description="Ideas a knowledge product carries (the group's most held), >=1."
    )
    trip_size: int = Field(16, ge=1, le=100_000, description="People on an exposure trip, >=1.")
    trip_aversion_cut: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Share of the travellers' novelty aversion lost while the trip's effect lasts, 0..1.",
    )
    trip_months: int = Field(12, ge=0, le=1000, description="Months an exposure trip's effect on aversion lasts, >=0.")
    trip_trust_gain: float = Field(
        0.3, ge=0, le=1, description="Trust of the other sides on the trip each traveller gains toward 1, 0..1."
    )
    trip_cooptation: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of each traveller's standing lost for good: colleagues read the trip as co-optation, 0..1.",
    )
    shuttle_carry: float = Field(
        0.7,
        ge=0,
        le=1,
        description="Chance each participant on another side takes up an idea the third party carries across, 0..1.",
    )
    outreach_size: int = Field(
        6,
        ge=0,
        le=100_000,
        description="Grassroots per side a Track-Three-linking third party brings each meeting's ideas to, >=0.",
    )
    outreach_exposure: float = Field(
        0.2,
        ge=0,
        le=1,
        description=(
            "Share of a meeting's confidentiality lost per unit of its third party's Track Three link while "
            "outreach is on (ideas carried to the public are harder to keep quiet), 0..1."
        ),
    )


class ThirdPartyProfile(_Strict):
    """What distinguishes a type of third party (docs/ODD.md 7.9, Third parties)."""

    integrity: float = Field(1.0, ge=0, le=1, description="Factor on workshops.facilitator_integrity, 0..1.")
    process_expertise: float = Field(
        0.0, ge=0, le=1, description="Process design and technical expertise, 0..1 (raises candour)."
    )
    armed_group_access: float = Field(
        0.2, ge=0, le=1, description="Chance an invited member of a proscribed group comes, 0..1."
    )
    official_access: float = Field(
        1.0, ge=0, le=1, description="Chance an invited official comes (convening Track 1.5), 0..1."
    )
    track_three_link: float = Field(
        0.0, ge=0, le=1, description="Share of formats.outreach_size it reaches in Track Three each meeting, 0..1."
    )
    funder_dependence: float = Field(
        1.0, ge=0, le=5, description="Factor on the funder's conditionality it faces, 0..5 (capped at 1)."
    )


def _default_profiles() -> dict[str, ThirdPartyProfile]:
    return {
        "scholar_practitioner": ThirdPartyProfile(),
        "ngo_mediator": ThirdPartyProfile(
            integrity=0.95,
            process_expertise=0.6,
            armed_group_access=0.7,
            official_access=1.0,
            track_three_link=0.6,
            funder_dependence=1.5,
        ),
        "private_citizen": ThirdPartyProfile(
            integrity=1.0,
            process_expertise=0.2,
            armed_group_access=0.4,
            official_access=0.6,
            track_three_link=0.2,
            funder_dependence=0.5,
        ),
    }


class ThirdParty(_Strict):
    """Who runs a programme: a type of third party, its facilitation team and its reputation."""

    type: ThirdPartyType = Field(
        "scholar_practitioner", description="scholar_practitioner, ngo_mediator or private_citizen."
    )
    facilitation: Literal["outside", "local", "hybrid"] = Field(
        "outside",
        description="outside (integrity, expertise), local (trust and access), or hybrid (both, in partnership).",
    )
    profiles: dict[ThirdPartyType, ThirdPartyProfile] = Field(
        default_factory=_default_profiles, description="What each type of third party brings."
    )
    expertise_candour_gain: float = Field(
        0.3, ge=0, le=10, description="Candour x (1 + this x process expertise), >=0."
    )
    local_trust_bonus: float = Field(
        0.3,
        ge=0,
        le=1,
        description="A local team closes this share of the gap to full trust in the room (local, hybrid), 0..1.",
    )
    local_one_sidedness: float = Field(
        0.5,
        ge=0,
        le=1,
        description=(
            "How one-sided a local or hybrid team is, 0..1: 0 = drawn evenly from every side, 1 = wholly from "
            "local_side; participants of the other sides lose this share of their trust in the room (partiality)."
        ),
    )
    local_side: int = Field(1, ge=1, le=20, description="The side a one-sided local team comes from, 1..sides.")
    local_integrity_loss: float = Field(
        0.2, ge=0, le=1, description="Integrity lost by a local team without outside partners (local), 0..1."
    )
    initial_reputation: float = Field(1.0, ge=0, le=1, description="Reputation at the start, 0..1.")
    conditions_reputation_loss: float = Field(
        0.05, ge=0, le=1, description="Reputation lost per meeting held under a unit of accepted conditionality, 0..1."
    )
    leak_reputation_loss: float = Field(
        0.05, ge=0, le=1, description="Reputation lost per leak traced to the third party, 0..1."
    )
    decline_below: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "Reputation below which invitees decline (each comes with chance reputation / this); 0 = never decline."
        ),
    )
    min_turnout: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A meeting fewer than this share of invitees attend is not held, and the series ends, 0..1.",
    )

    @property
    def profile(self) -> ThirdPartyProfile:
        """The profile of this third party's type."""
        return self.profiles[self.type]


class Initiative(_Strict):
    """A further programme on the same conflict, with its own third party and schedule."""

    name: str = Field(min_length=1, max_length=80, description="Its name in the outputs.")
    third_party: ThirdParty = Field(default_factory=ThirdParty)
    workshops: dict[str, Any] = Field(
        default_factory=dict, description="Overrides on the run's workshops section for its own series."
    )
    events: list[Event] | None = Field(None, description="Its schedule; null = a regular series from its workshops.")


class Competition(_Strict):
    """How initiatives on one conflict compete for the same few participants (used only with initiatives)."""

    coordination: Literal["none", "coordinated"] = Field(
        "none",
        description=(
            "none (uncoordinated), or coordinated: shared invitation lists (tired invitees replaced), "
            "sequencing (no two meetings in one month) and shared results (no duplicate ideas)."
        ),
    )
    fatigue_months: int = Field(
        6, ge=0, le=1000, description="Months a meeting of another initiative tires a participant, >=0."
    )
    fatigue_decline: float = Field(
        0.3, ge=0, le=1, description="Chance a participant tired by another initiative declines an invitation, 0..1."
    )
    duplicate_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of a meeting's ideas duplicating another initiative's, per unit share of shared seats.",
    )
    coordination_cost: float = Field(
        0.1,
        ge=0,
        le=1,
        description=(
            "Share of each coordinated initiative's meetings given up to coordinating (the third parties' time "
            "and budget spent aligning lists, calendars and results), 0..1."
        ),
    )


class Voice(_Strict):
    """Presence is not voice: how far each group takes part in authoring a meeting's ideas."""

    weights: dict[str, float] = Field(
        default_factory=dict,
        description=(
            "Chance a participant of a group co-authors each idea, by group (kind_<name>, or <map column>_<value>, "
            "as in the inclusion outcomes), 0..1; groups not named have 1."
        ),
    )

    weighted: bool = Field(
        True, description="Authorship follows the voice weights (false: everyone present co-authors; an ablation)."
    )

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        for group, weight in weights.items():
            if not (isinstance(weight, int | float) and not isinstance(weight, bool) and 0.0 <= weight <= 1.0):
                raise ValueError(f"voice of {group!r} is {weight!r}; voice weights must be in 0..1")
        return weights


class Proscribed(_Strict):
    """Engaging groups proscribed as terrorist: channels that exist nowhere else, and risks."""

    withdrawal_risk: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Chance per meeting, per unit share of proscribed participants, that the funder withdraws, 0..1.",
    )
    leak_risk: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Confidentiality x (1 - this x proscribed share of the room): more leaks, 0..1.",
    )
    leak_cost: float = Field(
        0.2, ge=0, le=1, description="Extra reputation lost when a meeting with proscribed participants leaks, 0..1."
    )


class LocalAgreements(_Strict):
    """Local-level agreements: grassroots of different sides in one locality holding a shared idea."""

    localities: int = Field(
        6, ge=1, le=100_000, description="Localities grassroots are drawn into (a map's locality column wins), >=1."
    )
    sides_needed: int = Field(
        2, ge=2, le=20, description="Sides whose grassroots in a locality must hold the idea, >=2."
    )


class Programme(_Strict):
    """The main programme's schedule and third party."""

    events: list[Event] | None = Field(
        None,
        description="The schedule, a list of events; null = today's regular series from the workshops section.",
    )
    third_party: ThirdParty = Field(default_factory=ThirdParty)


ROUTE_COMPONENTS = (  # routes a run can close
    "via_elites",
    "via_autonomous",
    "via_track_three",
    "via_track_1_5",
    "via_middle_range",
)
COMPONENT_KEY = (
    r"^(workshop:[1-9][0-9]*|event:[1-9][0-9]*"
    r"|format:(?P<format>.+)|route:(" + "|".join(ROUTE_COMPONENTS) + r")"
    r"|actor:.+|group:[^=]+=.*)$"
)


def _one_of(names: list[str]) -> str:
    """'a', 'b' or 'c'."""
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def component_syntax() -> str:
    """What a component key may be, with the formats registered now."""
    return (
        f"workshop:N, event:N (N >= 1), format:FORMAT ({', '.join(format_names())}), "
        f"route:ROUTE ({', '.join(ROUTE_COMPONENTS)}), actor:ID or group:COLUMN=VALUE"
    )


class Rivals(_Strict):
    """Ideas that reach Track One from outside the programme (rival sources; docs/ODD.md 7.6). Off by default."""

    track_one_rate: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Mean ideas per month Track One's own bureaucracy generates (Poisson), 0..10; 0 = none.",
        title="Track One's own ideas per month",
    )
    track_one_novelty: float = Field(
        0.05, gt=0, lt=1, description="Mean novelty of Track One's own ideas (Beta), (0, 1): low, by nature."
    )
    outside_rate: float = Field(
        0.0,
        ge=0,
        le=10,
        description="Mean ideas per month reaching officials from other initiatives (Poisson), 0..10; 0 = none.",
        title="Ideas from outside the programme per month",
    )
    outside_novelty: float = Field(
        0.3, gt=0, lt=1, description="Mean novelty of ideas from outside the programme (Beta), (0, 1)."
    )
    holders: int = Field(
        2, ge=1, le=1000, description="Officials who first hold a rival idea (one side for Track One's own), >=1."
    )
    concentration: float = Field(8.0, gt=0, le=1000, description="Beta concentration of rival novelty, >0.")


ISSUE_DIMENSIONS = ["security", "political_arrangements", "economy_and_resources", "justice_and_social_issues"]
# what each behaviour's default kind tends to raise (docs/ODD.md 7.11: defaults argued there, not findings)
ISSUE_SALIENCE = {
    "official": {
        "security": 0.4,
        "political_arrangements": 0.35,
        "economy_and_resources": 0.15,
        "justice_and_social_issues": 0.1,
    },
    "elite": {
        "security": 0.3,
        "political_arrangements": 0.4,
        "economy_and_resources": 0.2,
        "justice_and_social_issues": 0.1,
    },
    "autonomous": {
        "security": 0.25,
        "political_arrangements": 0.25,
        "economy_and_resources": 0.25,
        "justice_and_social_issues": 0.25,
    },
    "grassroots": {
        "security": 0.15,
        "political_arrangements": 0.1,
        "economy_and_resources": 0.3,
        "justice_and_social_issues": 0.45,
    },
    "middle_range": {
        "security": 0.2,
        "political_arrangements": 0.3,
        "economy_and_resources": 0.2,
        "justice_and_social_issues": 0.3,
    },
}


class Issues(_Strict):
    """Ideas with content: an issue space, salience per kind, official positions that move (docs/ODD.md 7.11)."""

    enabled: bool = Field(
        True, description="Ideas have a place in the issue space (false: an idea is its novelty only, as before)."
    )
    dimensions: list[str] = Field(
        default_factory=lambda: list(ISSUE_DIMENSIONS),
        description="Names of the issue space's dimensions (1..12, distinct).",
    )
    salience: dict[str, dict[str, float]] = Field(
        default_factory=lambda: copy.deepcopy(ISSUE_SALIENCE),
        description=(
            "Weight each kind (or behaviour) gives each dimension when it authors an idea, >=0; a kind not named "
            "takes its behaviour's, else equal weights; a new kind's dimensions not named weigh 0. The shipped "
            "weights apply to the shipped dimensions (others: equal weights unless given)."
        ),
    )
    salience_weighted: bool = Field(
        True, description="Authors raise the dimensions they weigh (false: every dimension equally; an ablation)."
    )
    start_positions: list[list[float]] | None = Field(
        None,
        description="Each side's official position at the start, one value per dimension, -10..10; null = all at 0.",
    )
    adoption_pull: float = Field(
        0.1,
        ge=0,
        le=1,
        description="Share of the way a side's position moves toward an idea its Track One takes, 0..1.",
    )
    framing_pull: float = Field(
        0.01,
        ge=0,
        le=1,
        description="Monthly pull toward ideas its officials hold without adoption, x their share holding, 0..1.",
    )

    @field_validator("dimensions")
    @classmethod
    def _dimensions(cls, dimensions: list[str]) -> list[str]:
        if not 1 <= len(dimensions) <= 12:
            raise ValueError(f"{len(dimensions)} dimensions given; give 1 to 12 names")
        cleaned = [re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_") for name in dimensions]
        if "" in cleaned or len(set(cleaned)) != len(cleaned):
            raise ValueError(f"dimension names must be distinct words, got {dimensions}")
        return dimensions

    @field_validator("start_positions")
    @classmethod
    def _positions(cls, positions: list[list[float]] | None) -> list[list[float]] | None:
        for row in positions or []:
            if not all(math.isfinite(v) and -10 <= v <= 10 for v in row):
                raise ValueError(f"start position {row} has a value outside -10..10")
        return positions

    @model_validator(mode="after")
    def _salience_fits(self) -> Issues:
        if self.salience == ISSUE_SALIENCE and self.dimensions != ISSUE_DIMENSIONS:
            self.__dict__["salience"] = {}  # the shipped weights name the shipped dimensions: weigh others equally
        for kind, weights in self.salience.items():
            unknown = sorted(set(weights) - set(self.dimensions))
            if unknown:
                raise ValueError(
                    f"salience of {kind!r} names unknown dimension {unknown[0]!r}; "
                    f"dimensions: {', '.join(self.dimensions)}"
                )
            if any(not (math.isfinite(w) and w >= 0) for w in weights.values()) or not any(weights.values()):
                raise ValueError(f"salience of {kind!r} is {weights}; weights must be >= 0, at least one above 0")
        for number, row in enumerate(self.start_positions or []):
            if len(row) != len(self.dimensions):
                raise ValueError(
                    f"start position of side {number + 1} has {len(row)} values; give one per dimension "
                    f"({len(self.dimensions)})"
                )
        return self


class Evaluation(_Strict):
    """Monitoring and evaluation: the full record, and components removed for a counterfactual run.

    A component is named by a key: ``workshop:N`` (the N-th meeting scheduled, from 1, skipped),
    ``event:N`` (the N-th entry of ``programme.events``, or the regular series, not held),
    ``format:FORMAT`` (every event of that format in the main programme, not held),
    ``route:ROUTE`` (a route into Track One closed: elites, autonomous thinkers or middle-range
    leaders carry no credibility with officials, grassroots pass no ideas on, officials take no ideas from the room),
    ``actor:ID`` (an actor, by id, never invited) or ``group:COLUMN=VALUE`` (every actor with that
    value in an actor-map column, or ``kind``, never invited). docs/ODD.md, "Removable components".
    """

    record: bool = Field(
        False,
        description=(
            "Keep the full record: every exposure, per transferred idea and side the adoption trees to the "
            "officials who counted, and the ripeness drivers at each opening (slower; off in sweeps)."
        ),
    )
    removed: list[str] = Field(
        default_factory=list,
        description=(
            "Components removed from the programme (workshop:N, event:N, format:FORMAT, route:ROUTE, actor:ID, "
            "group:COLUMN=VALUE)."
        ),
    )
    attribute: list[str] = Field(
        default_factory=list,
        description=(
            "Components whose attribution the run reports (the transferred ideas and impact whose recorded "
            "chains pass through each); needs record: true."
        ),
    )
    seats: Literal["refill", "empty"] = Field(
        "refill",
        description=(
            "What removed actors' seats become (the counterfactual for actor: and group: components): refill = "
            "the next actor of the same kind and side in the same invitation order takes it (empty only when that "
            "pool runs out); empty = it stays empty, every other seat as in the full programme. A named cohort "
            "(workshops.participants) has no pool: its removed members' seats stay empty either way."
        ),
    )

    @field_validator("removed", "attribute")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        for key in keys:
            match = re.match(COMPONENT_KEY, key) if isinstance(key, str) else None
            if match is None or (match["format"] is not None and match["format"] not in format_names()):
                raise ValueError(f"component {shorten(key)} is not {component_syntax()}")
        return keys

    @model_validator(mode="after")
    def _attribution_needs_record(self) -> Evaluation:
        if self.attribute and not self.record:
            raise ValueError("evaluation.attribute needs evaluation.record: true (attribution reads the record)")
        return self


class MiddleRange(_Strict):
    """Lederach's middle-range leaders' own rules (behaviour ``middle_range``; docs/ODD.md 2 and 7.2)."""

    position_tie: float = Field(
        0.45,
        ge=0,
        le=1,
        description="How far one pulls a workshop into official positions, 0..1 (elites 0.9, autonomous 0).",
        title="Middle-range leaders' tie to official positions",
    )
    forgetting_multiplier: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Forgetting rate relative to others', >=0: their institutions keep ideas.",
        title="Middle-range leaders' forgetting (times others')",
    )
    bridges: bool = Field(
        True,
        description="Keep their ties down to grassroots and up to elites and officials (false: cut, the ablation).",
        title="Middle-range leaders' bridging ties kept",
    )


class Params(_Strict):
    """All parameters of one run. Defaults reproduce the stylized facts (docs/ODD.md)."""

    steps: int = Field(
        120, ge=1, le=100_000, description="Steps to simulate (one step is one month), >=1.", title="Months simulated"
    )
    sides: int = Field(2, ge=1, le=20, description="Parties to the conflict, 1..20.", title="Parties to the conflict")
    mode: Literal["track2", "track1.5", "backchannel"] = Field(
        "track2",
        description=(
            "track2 (unofficial), track1.5 (with officials in a personal capacity), "
            "backchannel (officials under instructions)."
        ),
        title="Kind of dialogue",
    )
    kinds: dict[str, Kind] = Field(default_factory=_default_kinds, description="Actor kinds by name.")
    network: Network = Field(default_factory=Network)
    workshops: Workshops = Field(default_factory=Workshops)
    diffusion: Diffusion = Field(default_factory=Diffusion)
    forgetting: Forgetting = Field(default_factory=Forgetting)
    ripeness: Ripeness = Field(default_factory=Ripeness)
    transfer: Transfer = Field(default_factory=Transfer)
    initial_ideas: InitialIdeas = Field(default_factory=InitialIdeas)
    programme: Programme = Field(default_factory=Programme)
    formats: Formats = Field(default_factory=Formats)
    initiatives: list[Initiative] = Field(
        default_factory=list, description="Further initiatives on the same conflict, each with its own third party."
    )
    competition: Competition = Field(default_factory=Competition)
    voice: Voice = Field(default_factory=Voice)
    proscribed: Proscribed = Field(default_factory=Proscribed)
    local_agreements: LocalAgreements = Field(default_factory=LocalAgreements)
    rivals: Rivals = Field(default_factory=Rivals)
    issues: Issues = Field(default_factory=Issues)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    middle_range: MiddleRange = Field(default_factory=MiddleRange)

    @model_validator(mode="after")
    def _consistent(self) -> Params:
        if not self.kinds:
            raise ValueError("kinds is empty; define at least one actor kind")
        unknown = sorted(set(self.workshops.mix) - set(self.kinds))
        if unknown:
            raise ValueError(f"workshops.mix names unknown kind(s) {unknown}; known kinds: {sorted(self.kinds)}")
        if self.network.type != "map" and sum(k.count for k in self.kinds.values()) == 0:
            raise ValueError("kinds: every count is 0; the network would be empty")
        factor = self.network.cross_side_factor
        if isinstance(factor, list) and self.network.type != "map" and len(factor) != self.sides:
            raise ValueError(
                f"network.cross_side_factor is a {len(factor)} x {len(factor)} matrix but there are "
                f"{self.sides} sides; give a {self.sides} x {self.sides} matrix or one number"
            )
        sides = self.workshops.sides
        if sides is not None and self.network.type != "map" and not all(1 <= s <= self.sides for s in sides):
            raise ValueError(f"workshops.sides is {sides}; sides are numbered 1..{self.sides}")
        if self.transfer.quorum is not None and self.network.type != "map" and self.transfer.quorum > self.sides:
            raise ValueError(f"transfer.quorum is {self.transfer.quorum} but there are only {self.sides} sides")
        invited = [kind for kind, share in self.workshops.mix.items() if share > 0]
        if self.mode == "track1.5" and not set(invited) & set(self.kinds_with("official")):
            invited += self.kinds_with("official")  # track 1.5 seats officials beside the mix
        empty = self.mode != "backchannel" and self.network.type != "map" and self.workshops.participants is None
        if empty and invited and all(self.kinds[kind].count == 0 for kind in invited):
            raise ValueError(f"workshops.mix invites only kinds with no actors ({', '.join(invited)}: count 0)")
        self._check_programmes()
        return self

    def _check_programmes(self) -> None:
        """Events name known kinds, backchannel runs keep their mode, each initiative's workshops are valid."""
        schedules = [("programme.events", self.programme.events)]
        for number, initiative in enumerate(self.initiatives):
            where = f"initiatives.{number}"
            try:
                initiative_workshops(self, initiative)
            except ValidationError as error:
                raise ValueError(f"{where}.workshops: {_format_error(error)}") from None
            schedules.append((f"{where}.events", initiative.events))
        for where, events in schedules:
            for number, event in enumerate(events or []):
                unknown = sorted(set(event.mix or {}) - set(self.kinds))
                if unknown:
                    raise ValueError(
                        f"{where}.{number}.mix names unknown kind(s) {unknown}; known: {sorted(self.kinds)}"
                    )
                if event.mode is not None and self.mode == "backchannel":
                    raise ValueError(f"{where}.{number}.mode is {event.mode!r} but the run is a backchannel; drop it")
        names = [initiative.name for initiative in self.initiatives]
        if len(set(names)) != len(names):
            raise ValueError(f"initiatives: names must differ, got {names}")

    @model_validator(mode="after")
    def _fits_in_memory(self) -> Params:
        needed = estimated_run_bytes(self)
        if needed > MAX_RUN_BYTES:
            raise ValueError(
                f"one run would need about {needed / 2**30:.1f} GiB ({run_parts(self)}), over the "
                f"{MAX_RUN_BYTES / 2**30:.0f} GiB a run may use; lower kinds.*.count, network.degree, "
                "workshops.size, workshops.count x idea_rate or rivals.*_rate x steps (README: Limits)"
            )
        return self

    def kinds_with(self, behaviour: str) -> list[str]:
        """Names of the kinds that use a behaviour."""
        return [name for name, kind in self.kinds.items() if kind.behaviour == behaviour]


def initiative_workshops(params: Params, initiative: Initiative) -> Workshops:
    """A further initiative's workshops: the run's, with its own overrides (none: the run's, as validated)."""
    if not initiative.workshops:  # the round trip would give equal fields, at a deep copy and a validation's cost
        return params.workshops
    return Workshops.model_validate(merge(params.workshops.model_dump(mode="json"), initiative.workshops))


# ----------------------------------------------------------------------------------------------
# Resource limits: one run's memory, estimated from the parameters before anything is built

MAX_RUN_BYTES = 4 * 2**30  # one run may use at most this much memory (a laptop has 8-16 GiB)
BYTES_PER_ACTOR = 1_000  # attributes, agents and per-actor state (measured ~720 B: README, Limits)
BYTES_PER_TIE = 100  # edge arrays, the CSR adjacency both ways and sampling scratch (measured ~100 B)
BYTES_PER_ACTOR_IDEA = 30  # the actors x ideas tables (13 B a cell) with room to grow (measured ~8 B)
BYTES_PER_EXPOSURE = 16  # one exposure kept by the evaluation record (step, advocate, receiver, idea as int32)
RECORD_ROOM = 1.5  # the record's table grows by doubling: on average half again what it holds
RECORD_WAITING = 1 << 16  # exposures the record keeps as advocacy gave them before writing them to its table
BYTES_PER_WAITING_EXPOSURE = 24  # one of those (advocate, receiver, idea as int64)


def run_parts(params: Params) -> str:
    """What a run's memory estimate counts, in words (for a refusal)."""
    if params.evaluation.record:
        return f"population, ties, ideas and {estimated_record_bytes(params) / 2**30:.1f} GiB of evaluation record"
    return "population, ties and ideas"


def expected_ties(params: Params) -> float:
    """Expected ties of the synthetic network (SBM or Erdos-Renyi) plus those workshops may form.

    The SBM's ties come from the same block probabilities the network is drawn with (from
    ``network.degree`` or ``network.ties``): p_xy times the pairs between blocks x and y.
    """
    per_side = [kind.count for kind in params.kinds.values()]
    actors = params.sides * sum(per_side)
    if params.network.type == "erdos_renyi":
        ties = actors * min(params.network.mean_degree, max(actors - 1, 0)) / 2
    else:
        sizes = [count for count in per_side for _ in range(params.sides)]  # block = kind index x sides + side
        probability = block_probabilities(params)
        pairs = sum(
            probability[x, y] * (n * (n - 1) / 2 if x == y else n * m)
            for x, n in enumerate(sizes)
            for y, m in enumerate(sizes[x:], start=x)
        )
        ties = float(pairs)
    seats = min(params.workshops.size, actors)
    formed = expected_workshops(params) * params.workshops.tie_formation * (seats / 2) ** 2
    return ties + min(formed, actors * (actors - 1) / 2)


def block_probabilities(params: Params) -> np.ndarray:
    """Tie probability between (kind x side) blocks, block = kind index x sides + side.

    By default from expected ties per actor (``network.degree``): an actor of behaviour a (the
    earlier in TIE_ORDER) has on average d_ab ties to the actors of behaviour b on its own
    side, and d_ab x f_st to those on side t, so p = d_ab f_st / n_b (n_b: actors of behaviour b on
    a side, less one within a behaviour) and an actor's contacts do not grow with the population.
    With ``network.ties`` set, the per-pair probabilities are used as given (times f_st across).
    """
    network, k = params.network, params.sides
    behaviours = [params.kinds[name].behaviour for name in params.kinds]
    per_side = {b: sum(kind.count for kind in params.kinds.values() if kind.behaviour == b) for b in BEHAVIOURS}
    n_kinds = len(behaviours)
    within, across = np.zeros((n_kinds, n_kinds)), np.zeros((n_kinds, n_kinds))  # p by kind pair, same or other side
    for kx, ky in itertools.product(range(n_kinds), repeat=2):
        first, second = sorted((behaviours[kx], behaviours[ky]), key=TIE_ORDER.index)
        if network.ties is not None:
            within[kx, ky] = across[kx, ky] = network.ties.probability(first, second)
            continue
        degree = network.degree.degree(first, second)
        for table, others in ((within, per_side[second] - (first == second)), (across, per_side[second])):
            table[kx, ky] = degree / others if others > 0 else 0.0
    factor = np.array([[1.0 if sx == sy else network.cross_factor(sx, sy) for sy in range(k)] for sx in range(k)])
    same_side = np.eye(k, dtype=bool)[None, :, None, :]
    p = np.where(same_side, within[:, None, :, None], across[:, None, :, None])  # (kind x, side x, kind y, side y)
    return np.minimum(1.0, p * factor[None, :, None, :]).reshape(n_kinds * k, n_kinds * k)  # x 1.0 within: exact


def expected_workshops(params: Params) -> int:
    """Workshops that fall within the run's steps."""
    w = params.workshops
    return 0 if params.steps < w.first_step else min(w.count, (params.steps - w.first_step) // w.interval + 1)


def expected_ideas(params: Params) -> float:
    """Ideas a run may hold: seeded, its workshops' (with room), the rival ideas (with room), the first capacity."""
    workshops = 1.5 * params.workshops.idea_rate * expected_workshops(params)
    return params.initial_ideas.count + workshops + rival_room(params.rivals, params.steps) + 16


def rival_room(rivals: Rivals, steps: int) -> int:
    """Room for rival ideas (the idea store's from the start): `steps` months' mean count and 3 standard deviations.

    (Poisson.) Growing the store in the run costs more: fresh memory and copies, three or four times.
    """
    mean = (rivals.track_one_rate + rivals.outside_rate) * steps
    return math.ceil(mean + 3.0 * math.sqrt(mean))


def estimated_record_bytes(params: Params) -> float:
    """The evaluation record's peak memory (0 when ``evaluation.record`` is off), at most, from the parameters.

    The record keeps, per first adoption, one exposure (BYTES_PER_EXPOSURE) for each advocating
    neighbour of the adopter (model/record.py): at most every actor-idea cell adopted from all of
    its ties, i.e. twice the ties times the ideas, with the table's room to double; and the exposures
    waiting to be written to it (RECORD_WAITING of them, as advocacy gave them).
    """
    if not params.evaluation.record or params.network.type == "map":
        return 0.0
    table = 2 * expected_ties(params) * expected_ideas(params) * BYTES_PER_EXPOSURE * RECORD_ROOM
    return table + RECORD_WAITING * BYTES_PER_WAITING_EXPOSURE


def estimated_run_bytes(params: Params) -> float:
    """A run's peak memory, roughly (within a factor of two), from the parameters alone (the record included)."""
    if params.network.type == "map":
        return 0.0  # an actor map's size is the file's: it was read already
    actors = params.sides * sum(kind.count for kind in params.kinds.values())
    ideas = expected_ideas(params)
    plain = actors * BYTES_PER_ACTOR + expected_ties(params) * BYTES_PER_TIE + actors * ideas * BYTES_PER_ACTOR_IDEA
    return plain + estimated_record_bytes(params)


# ----------------------------------------------------------------------------------------------
# Building Params from overrides, with one clear message on failure


def _format_error(error: ValidationError) -> str:
    """One line: where, what is wrong, the value given, and what is allowed."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "params"
    value = first.get("input")
    if first["type"] == "extra_forbidden":
        parent = ".".join(str(part) for part in first["loc"][:-1])
        allowed = _allowed_keys(first["loc"][:-1])
        where = f" under {parent!r}" if parent else ""
        message = f"unknown parameter {first['loc'][-1]!r}{where}; allowed: {', '.join(allowed)}"
        return f"{location}: {message}"
    message = first["msg"].removeprefix("Value error, ")
    shown = "" if isinstance(value, dict) else f" (got {shorten(value)})"
    more = len(error.errors()) - 1
    tail = f"; and {more} more problem(s)" if more else ""
    return f"{location}: {message}{shown}{tail}"


def shorten(value: Any, limit: int = ECHO_CHARS) -> str:
    """repr(value) cut to `limit` characters, saying how long it was, so an error line stays readable."""
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's 4,300-digit limit for printing (or a container holding one)
        if isinstance(value, int):
            return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
        return f"a {type(value).__name__} holding an integer too long to print"
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


def _allowed_keys(location: tuple) -> list[str]:
    """Field names of the sub-model at a location (kinds' names are free, so skip them)."""
    model: type[BaseModel] = Params
    parts = list(location)
    while parts:
        part = parts.pop(0)
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        annotation = field.annotation
        if part == "kinds":
            if parts:
                parts.pop(0)
            annotation = Kind
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            model = annotation
        else:
            return []
    return list(model.model_fields)


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    """The defaults as a plain nested dict, built once (callers get copies)."""
    return Params().model_dump(mode="json")


def default_params_dict() -> dict[str, Any]:
    """The defaults as a plain nested dict (what configs/default.yaml holds)."""
    return copy.deepcopy(_defaults())


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge overrides into base; dotted keys address nested fields ('workshops.size').

    ``workshops.mix`` is replaced whole (a mix is one distribution); other mappings merge key
    by key.
    """
    merged = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        parts = key.split(".") if isinstance(key, str) else [key]
        target = merged
        for part in parts[:-1]:
            node = target.get(part)
            if not isinstance(node, dict):
                node = {}
                target[part] = node
            target = node
        leaf = parts[-1]
        if isinstance(value, Mapping) and isinstance(target.get(leaf), dict) and leaf != "mix":
            target[leaf] = merge(target[leaf], value)
        else:
            target[leaf] = copy.deepcopy(value)
    return merged


def with_overrides(params: Params | Mapping[str, Any] | None, overrides: Mapping[str, Any]) -> Params:
    """Params with overrides (dotted keys) applied on top: of a Params object, or of a mapping of overrides."""
    if not isinstance(params, Params):
        if params is not None and not isinstance(params, Mapping):
            raise ConfigError(f"params: expected a mapping of parameter overrides, got {type(params).__name__}")
        return make_params({**(params or {}), **overrides})
    try:
        data = _overlay(params.model_dump(mode="json"), overrides)
        if isinstance(data.get("kinds"), dict):
            data["kinds"] = _complete_kinds(data["kinds"])
        return Params.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_error(error)) from None


def _overlay(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """merge() for validation only: the same result, but untouched parts of `base` are shared, not copied.

    Only the dicts on an override's path are copied (the result is read, never written, by validation).
    """
    merged = dict(base)
    for key, value in overrides.items():
        parts = key.split(".") if isinstance(key, str) else [key]
        target = merged
        for part in parts[:-1]:
            node = target.get(part)
            node = dict(node) if isinstance(node, dict) else {}
            target[part] = node
            target = node
        leaf = parts[-1]
        if isinstance(value, Mapping) and isinstance(target.get(leaf), dict) and leaf != "mix":
            target[leaf] = _overlay(target[leaf], value)
        else:
            target[leaf] = copy.deepcopy(value)
    return merged


def make_params(overrides: Mapping[str, Any] | Params | None = None) -> Params:
    """Validate overrides on the defaults into Params; raises ConfigError with a one-line reason.

    A kind set to null is removed; a new kind takes the attribute distributions of the default
    kind of its behaviour for whatever it does not set.
    """
    if isinstance(overrides, Params):
        return overrides
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ConfigError(f"params: expected a mapping of parameter overrides, got {type(overrides).__name__}")
    try:
        data = _overlay(_defaults(), overrides or {})
        if isinstance(data.get("kinds"), dict):
            data["kinds"] = _complete_kinds(data["kinds"])
        return Params.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_error(error)) from None


@functools.lru_cache(maxsize=1)
def _kinds_by_behaviour() -> dict[str, dict[str, Any]]:
    """Each behaviour's default kind as a plain dict, built once (read, never written: _overlay shares it)."""
    return {k.behaviour: k.model_dump(mode="json") for k in _default_kinds().values()}


def _complete_kinds(kinds: dict[str, Any]) -> dict[str, Any]:
    """Drop kinds set to null; fill a new kind's missing fields from its behaviour's default.

    The result is for validation only (read, never written), so the defaults' untouched parts are shared (_overlay).
    """
    by_behaviour = _kinds_by_behaviour()
    completed: dict[str, Any] = {}
    for name, spec in kinds.items():
        if spec is None:
            continue
        if isinstance(spec, Mapping) and isinstance(spec.get("behaviour"), str) and spec["behaviour"] in by_behaviour:
            completed[name] = _overlay(by_behaviour[spec["behaviour"]], spec)
        else:
            completed[name] = spec
    return completed
