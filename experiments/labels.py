"""Names in the domain's words for parameters, outcomes, routes and values: one place for every figure and report."""

from __future__ import annotations

import math
import re
from typing import Any

from tracktwo.model import KIND_LABELS, ROUTE_LABELS, outcome_label

__all__ = [
    "KIND_LABELS",
    "ROUTE_LABELS",
    "VALUE_LABELS",
    "describe_mix",
    "describe_values",
    "is_share",
    "outcome_label",
    "parameter_label",
    "value_label",
]

VALUE_LABELS = {
    "mode": {"track2": "Track Two", "track1.5": "Track 1.5", "backchannel": "Backchannel"},
    "ripeness.mode": {
        "endogenous": "Ripens with Track Two and public support",
        "off": "Never ripe",
        "fixed": "Fixed ripe moments",
    },
    "workshops.facilitator_policy": {"accept": "Accepts them", "refuse": "Refuses them"},
}

_RANGE_SUFFIX = re.compile(r",\s*(?:[<>]=?\s*-?[\d.e]+|\(?[-\d.e]+\s*(?:\.\.|,)\s*<?[-\d.e]+\)?\]?)\.?\s*$")


def _field(key: str) -> Any:
    """The model's declaration (pydantic field) of a dotted parameter key, or None."""
    from pydantic import BaseModel
    from tracktwo.model import Params

    node: Any = Params
    field = None
    for part in key.split("."):
        fields = getattr(node, "model_fields", None) if isinstance(node, type) and issubclass(node, BaseModel) else None
        if not fields or part not in fields:
            return None
        field = fields[part]
        node = field.annotation
    return field


def _field_description(key: str) -> str | None:
    """The model's own description of a parameter, without its range."""
    field = _field(key)
    if field is None or not field.description:
        return None
    return _RANGE_SUFFIX.sub("", field.description).rstrip(".")


def parameter_label(key: str) -> str:
    """'Share of autonomous thinkers in workshops' for workshops.mix.autonomous; the model's description otherwise."""
    field = _field(key)
    if field is not None and field.title:
        return field.title
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
