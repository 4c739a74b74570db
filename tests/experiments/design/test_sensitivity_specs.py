"""The shipped sensitivity specs vary each parameter around the model's default, not around a value it once had."""

from __future__ import annotations

from pathlib import Path

import pytest
from tracktwo.experiments.design import keys
from tracktwo.experiments.design.sensitivity import load_sensitivity

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = sorted((ROOT / "configs").glob("sensitivity*.yaml"))


def test_specs_are_shipped() -> None:
    """The glob below finds the specs (a renamed folder must not make the next test vacuous)."""
    assert {p.name for p in SHIPPED} >= {"sensitivity.yaml", "sensitivity_screening.yaml"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_range_contains_its_default(path: Path) -> None:
    """Every swept range holds its parameter's default in the spec's base config (so the analysis is local to it)."""
    spec = load_sensitivity(path)
    outside = [
        f"{key}: default {keys.get(spec.base, key)} outside [{low}, {high}]"
        for key, (low, high) in spec.parameters.items()
        if not low <= keys.get(spec.base, key) <= high
    ]
    assert not outside, f"{path.name}: " + "; ".join(outside)
