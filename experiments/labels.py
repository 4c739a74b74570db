"""Names in the domain's words for parameters, outcomes, routes and values: one place for every figure and report."""

from __future__ import annotations

import math
import re
from typing import Any

from model import OUTCOME_LABELS

PARAMETER_LABELS = {
    "steps": "Months simulated",
    "sides": "Parties to the conflict",
    "mode": "Kind of dialogue",
    "workshops.mix.elite": "Share of influential elites in workshops",
    "workshops.mix.autonomous": "Share of autonomous thinkers in workshops",
    "workshops.mix.grassroots": "Share of grassroots actors in workshops",
    "workshops.mix.official": "Share of officials in workshops",
    "workshops.count": "Workshops funded",
    "workshops.interval": "Months between workshops",
    "workshops.size": "Participants per workshop",
    "workshops.retention": "Share of participants invited again",
    "workshops.confidentiality": "Confidentiality (Chatham House discipline)",
    "workshops.facilitator_integrity": "Facilitator's integrity",
    "workshops.funder_conditionality": "Weight of the funder's conditions",
    "workshops.facilitator_policy": "Facilitator's answer to the funder's conditions",
    "workshops.idea_rate": "Ideas per workshop at full candour",
    "workshops.trust_gain": "Trust gained per workshop",
    "workshops.tie_formation": "Chance a workshop forms a cross-side tie",
    "workshops.standing_gain": "Standing gained per workshop",
    "workshops.candour.positional_penalty": "Candour lost to official positions",
    "workshops.novelty.autonomy_weight": "Novelty added by participants' autonomy",
    "workshops.novelty.diversity_weight": "Novelty added by a diverse group",
    "diffusion.base_rate": "Chance an idea passes along a tie per month",
    "diffusion.advocacy_span": "Months an adopter advocates an idea",
    "diffusion.official_aversion_unripe": "Officials' aversion to novelty outside ripe moments",
    "diffusion.official_aversion_ripe": "Officials' aversion to novelty in ripe moments",
    "diffusion.aversion": "Non-officials' aversion to novelty",
    "forgetting.rate": "Chance per month an idea is forgotten",
    "ripeness.mode": "How Track One ripens",
    "ripeness.baseline_hazard": "Chance per month a ripe moment opens unaided",
    "ripeness.exposure_weight": "Ripening from officials exposed to Track Two ideas",
    "ripeness.public_weight": "Ripening from public support (Track Three)",
    "ripeness.mean_window_length": "Mean length of a ripe moment (months)",
    "transfer.threshold": "Share of officials needed for an idea to enter Track One",
    "network.cross_side_factor": "Cross-side ties (fraction of within-side)",
}

ROUTE_LABELS = {
    "via_elites": "Via influential elites",
    "via_autonomous": "Via autonomous thinkers",
    "via_track_three": "Via Track Three pressure",
    "via_track_1_5": "Via Track 1.5 (officials in the room)",
    "direct": "Direct (backchannel)",
}

EXTRA_OUTCOME_LABELS = {
    "transfers_per_ripe_step": "Ideas entering Track One per ripe month",
    "transfers_per_unripe_step": "Ideas entering Track One per unripe month",
    "participants": "People who took part in a workshop",
    **{
        f"transfers_{route}": f"Ideas that entered Track One {label[0].lower()}{label[1:]}"
        for route, label in ROUTE_LABELS.items()
    },
}

VALUE_LABELS = {
    "mode": {"track2": "Track Two", "track1.5": "Track 1.5", "backchannel": "Backchannel"},
    "ripeness.mode": {
        "endogenous": "Ripens with Track Two and public support",
        "off": "Never ripe",
        "fixed": "Fixed ripe moments",
    },
    "workshops.facilitator_policy": {"accept": "Accepts them", "refuse": "Refuses them"},
}

KIND_LABELS = {
    "elite": "influential elites",
    "autonomous": "autonomous thinkers",
    "grassroots": "grassroots actors",
    "official": "officials",
}

_RANGE_SUFFIX = re.compile(r",\s*(?:[<>]=?\s*-?[\d.e]+|\(?[-\d.e]+\s*(?:\.\.|,)\s*<?[-\d.e]+\)?\]?)\.?\s*$")


def _field_description(key: str) -> str | None:
    """The model's own description of a parameter (pydantic field), without its range."""
    from pydantic import BaseModel

    from model import Params

    node: Any = Params
    description = None
    for part in key.split("."):
        fields = getattr(node, "model_fields", None) if isinstance(node, type) and issubclass(node, BaseModel) else None
        if not fields or part not in fields:
            return None
        field = fields[part]
        description = field.description
        node = field.annotation
    if not description:
        return None
    return _RANGE_SUFFIX.sub("", description).rstrip(".")


def parameter_label(key: str) -> str:
    """'Share of autonomous thinkers in workshops' for workshops.mix.autonomous; the model's description otherwise."""
    if key in PARAMETER_LABELS:
        return PARAMETER_LABELS[key]
    parts = key.split(".")
    if key.startswith("workshops.mix.") and len(parts) == 3:
        return f"Share of {_kind(parts[2])} in workshops"
    if parts[0] == "kinds" and len(parts) >= 3:
        if parts[2] == "count":
            return f"{_kind(parts[1]).capitalize()} per side"
        if len(parts) == 4 and parts[3] == "mean":
            return f"Mean {parts[2]} of {_kind(parts[1])}"
    if parts[:2] == ["network", "ties"] and len(parts) == 3:
        return f"Within-side tie chance, {parts[2].replace('_', '-')}"
    return _field_description(key) or key


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def outcome_label(name: str) -> str:
    """'Ideas that entered Track One' for ideas_transferred; readable words for the inclusion shares too."""
    if name in OUTCOME_LABELS:
        return OUTCOME_LABELS[name]
    if name in EXTRA_OUTCOME_LABELS:
        return EXTRA_OUTCOME_LABELS[name]
    for prefix, what in (
        ("participant_share_", "Share among participants"),
        ("author_share_", "Share among authors of transferred ideas"),
    ):
        if name.startswith(prefix):
            group = name[len(prefix) :].removeprefix("kind_")
            return f"{what}: {KIND_LABELS.get(group, group.replace('_', ' '))}"
    return name.replace("_", " ").capitalize()


def value_label(key: str, value: Any) -> str:
    """A swept value as a reader would say it: 'Track 1.5', '40%' for a share, '12' for a count."""
    if key in VALUE_LABELS and str(value) in VALUE_LABELS[key]:
        return VALUE_LABELS[key][str(value)]
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and math.isfinite(value) and is_share(key):
        return f"{value:.0%}"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def is_share(key: str) -> bool:
    """Whether a parameter is a share of something (shown as a percentage)."""
    return key.startswith("workshops.mix.") or key in ("workshops.retention", "transfer.threshold")


def describe_values(values: dict[str, Any]) -> str:
    """A point in words: 'Share of autonomous thinkers in workshops: 40%; Participants per workshop: 12'."""
    return "; ".join(f"{parameter_label(key)}: {value_label(key, value)}" for key, value in values.items())


def describe_mix(values: dict[str, Any]) -> str:
    """A workshop mix in words: '50% officials, 50% grassroots actors' (kinds with no seats left out)."""
    parts = []
    for key, share in values.items():
        if key.startswith("workshops.mix.") and isinstance(share, int | float) and share > 0:
            kind = key.rsplit(".", 1)[1]
            parts.append(f"{share:.0%} {KIND_LABELS.get(kind, kind.replace('_', ' '))}")
    return ", ".join(parts) or "no seats"
