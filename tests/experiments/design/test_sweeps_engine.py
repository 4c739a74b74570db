"""The `sweeps` engine on the numpy the lock installs: grid, random and bayes, seeded as sweeps seed it.

`sweeps` 0.3.0 declares numpy<2, a stale cap that pyproject.toml overrides (`[tool.uv]
override-dependencies`). These tests catch a numpy or sweeps release that breaks the engine, say when
the override can go (sweeps lifts its cap), and fail if the override hides another package's numpy bound.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import math

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from scipy import stats
from tracktwo.experiments.design.points import History, bayes_values, grid_values, import_sweeps, random_values

SWEEP_SEED = 20261201
RANDOM_DRAWS = 300
ALPHA = 0.01
PLANTED_OPTIMUM = {"x": 0.3, "y": 0.7}
BAYES_POINTS = 24
BAYES_TAIL = 8  # the last proposals, once the engine has learnt the surface


def installed_numpy_bounds() -> dict[str, str]:
    """Every installed distribution's numpy requirement (extras left out), by distribution name."""
    bounds: dict[str, str] = {}
    for dist in importlib.metadata.distributions():
        for line in dist.requires or []:
            requirement = Requirement(line)
            applies = requirement.marker is None or requirement.marker.evaluate({"extra": ""})
            if canonicalize_name(requirement.name) == "numpy" and applies:
                bounds[canonicalize_name(dist.metadata["Name"])] = str(requirement.specifier)
    return bounds


def test_numpy_2_is_installed_and_the_override_hides_only_sweeps_cap() -> None:
    numpy_version = Version(np.__version__)
    assert numpy_version.major >= 2
    violated = {
        name: bound
        for name, bound in installed_numpy_bounds().items()
        if not Requirement(f"numpy{bound}").specifier.contains(numpy_version, prereleases=True)
    }
    # When sweeps no longer declares numpy<2 this fails: drop the override in pyproject.toml.
    assert set(violated) == {"sweeps"}, f"numpy {numpy_version} breaks these declared bounds: {violated}"


def test_grid_is_the_whole_product_and_the_engine_then_stops() -> None:
    parameters = {
        "size": {"values": [8, 12]},
        "share": {"values": [0.0, 0.25, 0.5]},
        "mode": {"values": ["track2", "track1.5"]},
        "span": {"min": 1, "max": 3},
        "fixed": {"value": 0.9},
    }
    grid = grid_values(parameters)
    product = set(itertools.product([8, 12], [0.0, 0.25, 0.5], ["track2", "track1.5"], [1, 2, 3]))
    assert len(grid) == len(product)
    assert {(p["size"], p["share"], p["mode"], p["span"]) for p in grid} == product
    assert all(p["fixed"] == 0.9 for p in grid)
    assert grid_values(parameters) == grid  # a fixed order, run after run

    sweeps = import_sweeps()
    done = [
        sweeps.SweepRun(config={k: {"value": v} for k, v in p.items()}, state=sweeps.RunState.finished) for p in grid
    ]
    assert sweeps.next_run({"method": "grid", "parameters": parameters}, done) is None


RANDOM_PARAMETERS = {
    "rate": {"distribution": "uniform", "min": 0.1, "max": 0.6},
    "scale": {"distribution": "log_uniform_values", "min": 1e-3, "max": 10.0},
    "size": {"distribution": "int_uniform", "min": 4, "max": 9},
    "mode": {"values": ["track2", "track1.5", "backchannel"]},
    "noise": {"distribution": "normal", "mu": 2.0, "sigma": 0.5},
}


@pytest.fixture(scope="module")
def random_draws() -> list[dict]:
    return [random_values(RANDOM_PARAMETERS, SWEEP_SEED, index) for index in range(RANDOM_DRAWS)]


def test_random_points_depend_only_on_sweep_seed_and_index(random_draws) -> None:
    assert [random_values(RANDOM_PARAMETERS, SWEEP_SEED, i) for i in (7, 3, 7)] == [
        random_draws[7],
        random_draws[3],
        random_draws[7],
    ]
    other_seed = [random_values(RANDOM_PARAMETERS, SWEEP_SEED + 1, i) for i in range(20)]
    assert sum(a["rate"] == b["rate"] for a, b in zip(other_seed, random_draws, strict=False)) == 0
    assert len({d["rate"] for d in random_draws}) == RANDOM_DRAWS


def test_random_points_follow_their_declared_distributions(random_draws) -> None:
    column = {name: np.array([d[name] for d in random_draws]) for name in RANDOM_PARAMETERS}
    rate, scale, noise = column["rate"], column["scale"], column["noise"]
    assert rate.min() >= 0.1 and rate.max() <= 0.6
    assert stats.kstest(rate, stats.uniform(0.1, 0.5).cdf).pvalue > ALPHA
    assert scale.min() >= 1e-3 and scale.max() <= 10.0
    log_range = math.log(10.0) - math.log(1e-3)
    assert stats.kstest(np.log(scale), stats.uniform(math.log(1e-3), log_range).cdf).pvalue > ALPHA
    assert stats.kstest(noise, stats.norm(2.0, 0.5).cdf).pvalue > ALPHA
    sizes = np.bincount(column["size"].astype(int), minlength=10)[4:]
    assert column["size"].dtype.kind == "i" and sizes.min() > 0 and sizes.sum() == RANDOM_DRAWS
    assert stats.chisquare(sizes).pvalue > ALPHA
    modes = [int((column["mode"] == m).sum()) for m in RANDOM_PARAMETERS["mode"]["values"]]
    assert sum(modes) == RANDOM_DRAWS and stats.chisquare(modes).pvalue > ALPHA


def planted_surface(point: dict) -> float:
    """A smooth hill with its top at PLANTED_OPTIMUM (metric 0 there, negative elsewhere)."""
    return -sum((point[k] - v) ** 2 for k, v in PLANTED_OPTIMUM.items())


def distance_to_optimum(point: dict) -> float:
    return math.dist([point[k] for k in PLANTED_OPTIMUM], list(PLANTED_OPTIMUM.values()))


UNIT_SQUARE = {k: {"distribution": "uniform", "min": 0.0, "max": 1.0} for k in PLANTED_OPTIMUM}


def bayes_run(sweep_seed: int, n_points: int = BAYES_POINTS) -> list[dict]:
    """A bayes search on the planted surface, one point at a time as a sweep proposes them."""
    metric = {"name": "impact", "goal": "maximize"}
    finished: list[History] = []
    for index in range(n_points):
        point = bayes_values(UNIT_SQUARE, metric, sweep_seed, index, finished, [])
        finished.append(History(values=point, metric=planted_surface(point)))
    return [h.values for h in finished]


@pytest.fixture(scope="module")
def bayes_points() -> list[dict]:
    return bayes_run(SWEEP_SEED)


def test_bayes_converges_to_the_planted_optimum(bayes_points) -> None:
    assert min(distance_to_optimum(p) for p in bayes_points) < 0.05
    # learning, not luck: its late proposals sit nearer the optimum than random search's points do
    late = [distance_to_optimum(p) for p in bayes_points[-BAYES_TAIL:]]
    unlearnt = [distance_to_optimum(random_values(UNIT_SQUARE, SWEEP_SEED, i)) for i in range(3 * BAYES_POINTS)]
    assert stats.mannwhitneyu(late, unlearnt, alternative="less").pvalue < ALPHA


def test_bayes_proposals_are_reproducible_from_the_sweep_seed(bayes_points) -> None:
    assert bayes_run(SWEEP_SEED, 6) == bayes_points[:6]
    assert bayes_run(SWEEP_SEED + 1, 6) != bayes_points[:6]
