"""Fixtures for the model's tests: textbook-diffusion configurations and runs shared across a session."""

from __future__ import annotations

import os
from typing import Any

import pytest
from replicates import SharedRuns


@pytest.fixture(scope="session")
def shared_runs(tmp_path_factory: pytest.TempPathFactory) -> SharedRuns:
    """Outcome tables by (overrides, seeds), computed once per session whichever xdist worker asks first."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "tracktwo-runs"
    folder.mkdir(exist_ok=True)
    return SharedRuns(folder)


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
