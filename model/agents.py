"""The actors of a peace process, one Mesa agent class per behaviour.

An agent's numbers (autonomy, standing, trust, the ideas it holds) live in the model's arrays so
that advocacy over ties is array work; the agent reads and writes its own row. What differs
between behaviours is expressed as class-level rules that the model applies to all members of a
class at once: how steeply it rejects novel ideas, whose credibility it weighs, how fast it
forgets, and how far it is tied to official positions in a workshop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np

if TYPE_CHECKING:
    from model.model import TrackTwoModel
    from model.params import Params


class Actor(mesa.Agent):
    """A person in the conflict system: a side, a kind, and a row in the model's arrays."""

    behaviour: ClassVar[str]
    track: ClassVar[str]
    weighs_standing: ClassVar[bool] = False
    is_public: ClassVar[bool] = False

    def __init__(self, model: TrackTwoModel, index: int, kind: str, side: int) -> None:
        super().__init__(model)
        self.index = index
        self.kind = kind
        self.side = side

    @property
    def autonomy(self) -> float:
        return float(self.model.autonomy[self.index])

    @property
    def standing(self) -> float:
        return float(self.model.standing[self.index])

    @property
    def trust(self) -> float:
        """Trust of the other side(s), 0..1."""
        return float(self.model.trust[self.index])

    @property
    def ideas(self) -> set[int]:
        """Ids of the ideas this actor holds now."""
        return self.model.ideas.held_by(self.index)

    def adopted_at(self, idea: int) -> int | None:
        """Step at which this actor first adopted an idea, or None."""
        step = int(self.model.ideas.first_adopted[self.index, idea])
        return None if step < 0 else step

    # Behaviour rules, applied by the model to all members of the class at once ---------------

    @classmethod
    def novelty_aversion(cls, params: Params, autonomy: np.ndarray, ripe: bool, wary: bool) -> np.ndarray:
        """Aversion a: acceptance of an idea of novelty v is exp(-a v). Less autonomy, more aversion."""
        return params.diffusion.aversion * (1.0 - autonomy)

    @classmethod
    def forgetting_rate(cls, params: Params, ripe: bool) -> float:
        return params.forgetting.rate

    @classmethod
    def position_tie(cls, params: Params) -> float:
        """How far a participant of this class pulls a workshop into official positions, 0..1."""
        return 0.0


class Official(Actor):
    """Track One. Weighs the sender's standing, wary of outside ideas unless the moment is ripe."""

    behaviour = "official"
    track = "track_one"
    weighs_standing = True

    @classmethod
    def novelty_aversion(cls, params: Params, autonomy: np.ndarray, ripe: bool, wary: bool) -> np.ndarray:
        diffusion = params.diffusion
        base = diffusion.official_aversion_ripe if ripe else diffusion.official_aversion_unripe
        if wary:
            base *= 1.0 + diffusion.leak_wariness
        return np.full(autonomy.shape, base)

    @classmethod
    def forgetting_rate(cls, params: Params, ripe: bool) -> float:
        multiplier = 1.0 if ripe else params.forgetting.official_unripe_multiplier
        return min(1.0, params.forgetting.rate * multiplier)

    @classmethod
    def position_tie(cls, params: Params) -> float:
        return 1.0


class InfluentialElite(Actor):
    """Track Two's well-connected influentials: credible to officials, prone to official positions."""

    behaviour = "elite"
    track = "track_two_elite"

    @classmethod
    def position_tie(cls, params: Params) -> float:
        return params.workshops.candour.elite_position_tie


class AutonomousThinker(Actor):
    """Track Two's independent thinkers: original, little standing with officials."""

    behaviour = "autonomous"
    track = "track_two_autonomous"


class GrassrootsActor(Actor):
    """Track Three: the public whose support makes a moment ripe."""

    behaviour = "grassroots"
    track = "track_three"
    is_public = True


AGENT_CLASSES: dict[str, type[Actor]] = {
    cls.behaviour: cls for cls in (Official, InfluentialElite, AutonomousThinker, GrassrootsActor)
}
TRACKS: tuple[str, ...] = tuple(cls.track for cls in AGENT_CLASSES.values())
