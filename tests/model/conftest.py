"""Fixtures for the model's tests: textbook-diffusion configurations (shared runs: tests/conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def degenerate():
    """Overrides for textbook diffusion: one kind, one side, no workshops, novelty 0, no forgetting, no ripeness."""

    def make(n: int, mean_degree: float, p: float, span: int | None, holders: int, steps: int) -> dict[str, Any]:
        return {
            "sides": 1,
            "steps": steps,
            "kinds": {
                "official": None,
                "elite": None,
                "grassroots": None,
                "autonomous": {"behaviour": "autonomous", "count": n},
            },
            "workshops.count": 0,
            "workshops.mix": {"autonomous": 1.0},
            "initial_ideas": {"count": 1, "novelty": 0.0, "holders": holders},
            "forgetting.rate": 0.0,
            "ripeness.mode": "off",
            "diffusion.base_rate": p,
            "diffusion.advocacy_span": span,
            "network.type": "erdos_renyi",
            "network.mean_degree": mean_degree,
        }

    return make
