"""One-click teaching scenarios: what each sets, and what a trainer should tell the room to watch for.

A preset changes a few settings on top of the model's defaults and keeps the seed, so moving
between presets replays the same conflict (same actors, same network) with a different programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.runs import Settings


@dataclass(frozen=True)
class Preset:
    """A named scenario: setting changes on the defaults, and a paragraph on what to watch for."""

    name: str
    explanation: str
    changes: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, current: Settings) -> Settings:
        """The model's defaults with this preset's changes, keeping the current seed and run length."""
        return Settings.default().replace(seed=current.seed, steps=current.steps, **self.changes)

    def matches(self, current: Settings) -> bool:
        return self.apply(current) == current


PRESETS: tuple[Preset, ...] = (
    Preset(
        name="The usual suspects",
        changes=MappingProxyType({"autonomous_share": 0.0, "grassroots_share": 0.0}),
        explanation=(
            "Every Track Two seat goes to influential elites: retired senior officials and others who have "
            "the ear of the ministers. Watch the Track One panel: ideas enter Track One readily, because "
            "officials know and trust these people. Then look at the novelty plot: the dots sit low. The "
            "usual suspects think alike and drift into exchanging official positions, so what transfers is "
            "rarely new. Ask the room: is the quick transfer of a familiar idea a success?"
        ),
    ),
    Preset(
        name="Autonomous thinkers",
        changes=MappingProxyType({"autonomous_share": 1.0, "grassroots_share": 0.0}),
        explanation=(
            "Every Track Two seat goes to autonomous thinkers: scholars, civil-society leaders, people "
            "outside the bureaucracy. Watch the novelty plot: the ideas are far more novel, but many dots "
            "stay hollow (never entering Track One). In the network, the ringed holders of the leading "
            "idea gather among autonomous thinkers and the grassroots while few officials join them: "
            "officials do not know or trust the authors, and are wary of ideas from outside. New thinking "
            "without a path into Track One has little impact, unless a ripe moment opens the door."
        ),
    ),
    Preset(
        name="A balanced mix",
        changes=MappingProxyType({"autonomous_share": 0.5, "grassroots_share": 0.15}),
        explanation=(
            "Half the Track Two seats go to autonomous thinkers and half to influential elites, with a few "
            "grassroots leaders in the room. Watch how ideas travel: autonomous thinkers raise the novelty, "
            "elites carry ideas to the officials they know, and grassroots participants spread them to the "
            "public, whose support helps Track One ripen. This is the practitioner's way through the "
            "Autonomy Dilemma: impact (novelty that actually enters Track One) peaks at a mix, not at "
            "either extreme. Compare it with the two presets before it on the same seed, or open the "
            "Side by side view."
        ),
    ),
    Preset(
        name="Backchannel",
        changes=MappingProxyType({"mode": "backchannel"}),
        explanation=(
            "Not Track Two at all: officials under instructions meet quietly. Watch the Track One panel: "
            "ideas enter Track One almost at once, since their authors are officials themselves. But the "
            "novelty plot stays near the floor: people speaking for their governments bring few new "
            "options, and the trust and ties built in the room stay among a few officials. A backchannel "
            "can close a deal; it rarely changes what the deal can be."
        ),
    ),
    Preset(
        name="A ripe moment",
        changes=MappingProxyType({"ripeness": "staged", "window_start": 13, "window_months": 24}),
        explanation=(
            "Track One is looking for new approaches: an election, a ceasefire or a hurting stalemate opens "
            "a window from month 13 to month 36 (shaded in the plots once it opens). Watch the ideas held in Track One "
            "climb inside the window: officials accept far more novel ideas when the moment is ripe, and "
            "ideas Track Two has already developed are there to be picked up. Outside the window officials "
            "are wary again and forget faster. Track Two's work between ripe moments is to have ideas and "
            "credible advocates ready, and to help create the moment. Try 'Stage a ripe moment now' at "
            "any point of any run."
        ),
    ),
)

PRESETS_BY_NAME: Mapping[str, Preset] = MappingProxyType({preset.name: preset for preset in PRESETS})


def active_preset(current: Settings) -> Preset | None:
    """The preset that the current settings are exactly, if any."""
    return next((preset for preset in PRESETS if preset.matches(current)), None)
