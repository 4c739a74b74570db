"""Fixtures for the model's tests: textbook-diffusion configurations and runs shared across a session."""

from __future__ import annotations

import os
from typing import Any

import pytest
from replicates import SharedRuns, code_key, prune


@pytest.fixture(scope="session")
def shared_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SharedRuns:
    """Outcome tables by (parameters, seeds), simulated once whichever xdist worker asks first.

    Kept across sessions in pytest's cache folder (.pytest_cache) under a key of the model's code; with
    TRACKTWO_TEST_CACHE=off, or without pytest's cache plugin, only in this session's temporary folder.
    """
    key = code_key()
    cache = getattr(request.config, "cache", None)
    if cache is not None and os.environ.get("TRACKTWO_TEST_CACHE", "on") != "off":
        root = cache.mkdir("tracktwo-runs")
        if os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":  # one process prunes; the others only read
            prune(root, key)
        return SharedRuns(root / key)
    base = tmp_path_factory.getbasetemp()
    return SharedRuns((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "tracktwo-runs" / key)


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
