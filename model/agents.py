"""The actors of a peace process, one Mesa agent class per behaviour.

An agent's numbers (autonomy, standing, trust of each side, the ideas it holds) live in the
model's arrays so that advocacy over ties is array work; the agent is its row (``index``) with
its side and kind. What differs between behaviours is expressed as class-level rules that the
model applies to all members of a class at once: how steeply it rejects novel ideas, whose
credibility it weighs, how fast it forgets, how far it is tied to official positions in a
workshop, whether it explores there, and whether holding an idea it co-authored puts the idea in
Track One.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import mesa
import numpy as np

if TYPE_CHECKING:
    from tracktwo.model.params import Params

__all__ = [
    "AGENT_CLASSES",
    "Actor",
    "ActorArrays",
    "AutonomousThinker",
    "GrassrootsActor",
    "InfluentialElite",
    "MiddleRangeLeader",
    "Official",
]


class ActorArrays(Protocol):
    """What an agent reads from its model: the arrays its numbers live in (the model is a mesa.Model too)."""

    standing: np.ndarray  # each actor's standing
    trust: np.ndarray  # (actors x sides) trust of each side
    n_sides: int
    ideas: Any  # the IdeaStore: held_count per actor


class Actor(mesa.Agent):
    """A person in the conflict system: a side, a kind, and a row in the model's arrays."""

    behaviour: ClassVar[str]
    track: ClassVar[str]
    weighs_standing: ClassVar[bool] = False

    model: ActorArrays  # a mesa.Model with the arrays (the TrackTwoModel)

    def __init__(self, model: mesa.Model, index: int, kind: str, side: int) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.side = side

    # State, read from the model's arrays (the arrays are the source of truth) ------------------

    @property
    def standing(self) -> float:
        """Credibility in the eyes of officials, now."""
        return float(self.model.standing[self.index])

    @property
    def trust(self) -> float:
        """Mean trust of the other sides, now (NaN with one side)."""
        model = self.model
        if model.n_sides < 2:
            return float("nan")
        row = model.trust[self.index]
        return float((row.sum() - row[self.side]) / (model.n_sides - 1))

    @property
    def ideas_held(self) -> int:
        """Ideas this actor holds now."""
        return int(self.model.ideas.held_count[self.index])

    # Behaviour rules, applied by the model to all members of the class at once ---------------

    @classmethod
    def novelty_aversion(cls, params: Params, autonomy: np.ndarray, ripe: bool, wary: bool) -> np.ndarray:
        """Aversion a: acceptance of an idea of novelty v is exp(-a v). Less autonomy, more aversion."""
        return params.diffusion.aversion * (1.0 - autonomy)

    @classmethod
    def forgetting_rate(cls, params: Params, ripe: bool) -> float:
        """Probability per step of dropping each idea held."""
        return params.forgetting.rate

    @classmethod
    def position_tie(cls, params: Params) -> float:
        """How far a participant of this class pulls a workshop into official positions, 0..1."""
        return 0.0

    @classmethod
    def explores(cls, params: Params) -> bool:
        """Whether the participant brings its own thinking (autonomy, diversity) to a workshop's ideas."""
        return True

    @classmethod
    def workshop_autonomy(cls, params: Params, autonomy: np.ndarray) -> np.ndarray:
        """How far the participant's thinking strays from official positions in the room."""
        return autonomy

    @classmethod
    def authors_for_track_one(cls, params: Params) -> bool:
        """Whether holding an idea it co-authored in a workshop counts toward the idea entering Track One."""
        return False


class Official(Actor):
    """Track One. Weighs the sender's standing, wary of outside ideas unless the moment is ripe.

    In a workshop an official is either in a personal capacity (Track Two, Track 1.5: it explores,
    its tie to positions is below 1, and the ideas it carries out must still win over its
    colleagues) or under instructions (a backchannel: tied to positions, no exploration, and what it
    agrees is Track One's).
    """

    behaviour = "official"
    track = "track_one"
    weighs_standing = True

    @staticmethod
    def under_instructions(params: Params) -> bool:
        """Officials in the room speak for Track One: a backchannel (unless switched off as an ablation)."""
        return params.mode == "backchannel" and params.workshops.backchannel_under_instructions

    @classmethod
    def novelty_aversion(cls, params: Params, autonomy: np.ndarray, ripe: bool, wary: bool) -> np.ndarray:
        """Steep when unripe, mild when ripe, multiplied after a leak; the same for every official."""
        diffusion = params.diffusion
        base = diffusion.official_aversion_ripe if ripe else diffusion.official_aversion_unripe
        if wary:
            base *= 1.0 + diffusion.leak_wariness
        return np.full(autonomy.shape, base)

    @classmethod
    def forgetting_rate(cls, params: Params, ripe: bool) -> float:
        """Officials drop outside ideas faster when Track One is not looking for new approaches."""
        multiplier = 1.0 if ripe else params.forgetting.official_unripe_multiplier
        return min(1.0, params.forgetting.rate * multiplier)

    @classmethod
    def position_tie(cls, params: Params) -> float:
        """1 under instructions; lower in a personal capacity."""
        return 1.0 if cls.under_instructions(params) else params.workshops.candour.official_position_tie

    @staticmethod
    def room_position_tie(params: Params, official_share: float) -> float:
        """Tie to positions (for candour) in a personal capacity: rises with the officials' share of the room."""
        candour = params.workshops.candour
        tie = candour.official_position_tie
        return tie + (1.0 - tie) * candour.official_crowding * official_share

    @classmethod
    def explores(cls, params: Params) -> bool:
        """Under instructions an official restates positions: it adds no novelty."""
        return not cls.under_instructions(params)

    @classmethod
    def workshop_autonomy(cls, params: Params, autonomy: np.ndarray) -> np.ndarray:
        """In a personal capacity an official may explore: at least 1 - its position tie (0 under instructions)."""
        if cls.under_instructions(params):
            return np.zeros_like(autonomy)
        return np.maximum(autonomy, 1.0 - cls.position_tie(params))

    @classmethod
    def authors_for_track_one(cls, params: Params) -> bool:
        """Under instructions (or if configured so) the officials in the room are Track One deciding."""
        return cls.under_instructions(params) or params.transfer.personal_capacity_counts


class InfluentialElite(Actor):
    """Track Two's well-connected influentials: credible to officials, prone to official positions."""

    behaviour = "elite"
    track = "track_two_elite"

    @classmethod
    def position_tie(cls, params: Params) -> float:
        """Influentials drift into exchanging official positions."""
        return params.workshops.candour.elite_position_tie


class AutonomousThinker(Actor):
    """Track Two's independent thinkers: original, little standing with officials (until they earn it)."""

    behaviour = "autonomous"
    track = "track_two_autonomous"


class GrassrootsActor(Actor):
    """Track Three: the public whose support makes a moment ripe."""

    behaviour = "grassroots"
    track = "track_three"


class MiddleRangeLeader(Actor):
    """Lederach's middle range: religious, ethnic, academic and humanitarian leaders between elites and grassroots.

    Track Two's level in Lederach's pyramid (problem-solving workshops are its approach). Their
    ties reach down to the grassroots and up to elites and officials (``network.degree``'s
    ``middle_range_*``); their standing and autonomy are moderate (the kind's defaults). Novelty
    aversion follows their autonomy as for Track Two's others; they are partly tied to official
    positions in a room (they speak for constituencies, not governments) and keep ideas longer
    (their institutions hold them).
    """

    behaviour = "middle_range"
    track = "track_two_middle_range"

    @classmethod
    def forgetting_rate(cls, params: Params, ripe: bool) -> float:
        """Churches, universities and relief agencies keep an idea alive: the rate times their multiplier."""
        return min(1.0, params.forgetting.rate * params.middle_range.forgetting_multiplier)

    @classmethod
    def position_tie(cls, params: Params) -> float:
        """Between an elite's (0.9) and an autonomous thinker's (0): leaders of constituencies, not of states."""
        return params.middle_range.position_tie


AGENT_CLASSES: dict[str, type[Actor]] = {
    cls.behaviour: cls for cls in (Official, InfluentialElite, AutonomousThinker, GrassrootsActor, MiddleRangeLeader)
}
