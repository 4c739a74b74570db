"""The third party: its type's profile, its facilitation team, and a reputation that conditions and leaks erode.

Functional forms (docs/ODD.md, "Third parties"):

    integrity     = workshops.facilitator_integrity x profile.integrity x (1 - local_integrity_loss if local only)
    conditions    = min(1, funder_conditionality x profile.funder_dependence)
    candour      x= 1 + expertise_candour_gain x profile.process_expertise
    room trust   += local_trust_bonus x (1 - room trust)                 (local or hybrid teams: access)
    room trust   x= 1 - local_one_sidedness     for participants not of local_side (local or hybrid: partiality)
    confidentiality x= 1 - formats.outreach_exposure x profile.track_three_link   (outreach on: talk made public)
    reputation   -= conditions_reputation_loss x accepted conditions     (each meeting held)
                    + leak_reputation_loss (+ proscribed.leak_cost with proscribed participants)  (each leak)
    P(invitee comes) = min(1, reputation / decline_below) x official_access (officials)
                       x armed_group_access (members of proscribed groups)

Scholar-practitioner with an outside team (the defaults) is today's third party: every factor is neutral.
"""

from __future__ import annotations

import numpy as np
from tracktwo.model.params import ConfigError, Formats, Params, ThirdParty, Workshops

__all__ = [
    "attendance",
    "candour_factor",
    "exposure_factor",
    "facilitated_params",
    "partiality",
    "reputation_after",
    "trust_bonus",
]


def facilitated_params(params: Params, workshops: Workshops, third_party: ThirdParty) -> Params:
    """The run's parameters as this third party's series sees them (the same object when nothing changes)."""
    profile = third_party.profile
    integrity = workshops.facilitator_integrity * profile.integrity
    if third_party.facilitation == "local":
        integrity *= 1.0 - third_party.local_integrity_loss
    conditionality = min(1.0, workshops.funder_conditionality * profile.funder_dependence)
    update = {}
    if integrity != workshops.facilitator_integrity:
        update["facilitator_integrity"] = integrity
    if conditionality != workshops.funder_conditionality:
        update["funder_conditionality"] = conditionality
    if not update and workshops is params.workshops:
        return params
    return params.model_copy(update={"workshops": workshops.model_copy(update=update)})


def candour_factor(third_party: ThirdParty) -> float:
    """Candour multiplier from the third party's process expertise."""
    return 1.0 + third_party.expertise_candour_gain * third_party.profile.process_expertise


def exposure_factor(third_party: ThirdParty, formats: Formats) -> float:
    """Confidentiality multiplier from linking Track Three: outreach makes the room's talk public, so it leaks more."""
    if formats.outreach_size == 0:
        return 1.0
    return 1.0 - formats.outreach_exposure * third_party.profile.track_three_link


def trust_bonus(third_party: ThirdParty) -> float:
    """Share of the gap to full trust in the room that a local team closes."""
    return third_party.local_trust_bonus if third_party.facilitation in ("local", "hybrid") else 0.0


def partiality(third_party: ThirdParty, n_sides: int) -> np.ndarray | None:
    """Per side, the share of room trust its participants lose to a local team from another side (None: none).

    A local team brings access and the trust of those who know it; the other sides see it as one side's
    people, in proportion to how one-sided it is. An outside team, or an even local one, is partial to nobody.
    """
    if third_party.facilitation == "outside" or third_party.local_one_sidedness == 0 or n_sides < 2:
        return None
    if third_party.local_side > n_sides:
        raise ConfigError(
            f"third_party.local_side: side {third_party.local_side} does not exist; sides are numbered 1..{n_sides}"
        )
    lost = np.full(n_sides, third_party.local_one_sidedness)
    lost[third_party.local_side - 1] = 0.0
    return lost


def attendance(third_party: ThirdParty, reputation: float) -> float:
    """Chance an invitee comes, from the third party's reputation alone."""
    if third_party.decline_below <= 0 or reputation >= third_party.decline_below:
        return 1.0
    return reputation / third_party.decline_below


def reputation_after(
    third_party: ThirdParty, reputation: float, accepted_conditions: float, leaked: bool, extra_leak_cost: float
) -> float:
    """Reputation after one meeting: accepted conditions and a leak traced to the third party erode it."""
    loss = third_party.conditions_reputation_loss * accepted_conditions
    if leaked:
        loss += third_party.leak_reputation_loss + extra_leak_cost
    return max(0.0, reputation - loss)
