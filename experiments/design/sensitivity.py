"""Global sensitivity analysis with SALib, run through the sweep engine (parallel, distributed, resumable).

A sensitivity file names parameter ranges, outcomes and a method: `sobol` (variance-based indices
with their interactions; N x (parameters + 2) points) or `morris` (elementary-effects screening,
for many parameters; trajectories x (parameters + 1) points). SALib draws the points; they become
a sweep of listed points, run on common seeds (replicate r of every point shares a seed) by the
same runner, executors and store as any sweep, so `--resume` finishes an interrupted analysis.
Each point's outcome is the mean of its replicates; SALib then gives the indices with 95%
bootstrap intervals, written to sensitivity.csv (and drawn by experiments.plots).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from tracktwo.experiments.design import keys, limits
from tracktwo.experiments.design.config import load_checked, reject_unknown_keys
from tracktwo.experiments.design.outcome_names import check_outcome, outcome_names
from tracktwo.experiments.design.points import compile_expression, tidy, with_derived
from tracktwo.experiments.design.sweepfile import (
    MAX_SEED,
    SweepSpec,
    check_derived,
    check_integer,
    check_name,
    load_base,
    resolve_base_path,
)
from tracktwo.model import ConfigError, make_params, merge

__all__ = [
    "CONFIDENCE",
    "DEFAULT_LEVELS",
    "INTEGER_MARGIN",
    "KNOWN_KEYS",
    "METHODS",
    "RESAMPLES",
    "SALIB_NOISE",
    "SensitivitySpec",
    "load_sensitivity",
    "quiet_salib",
]

METHODS = ("sobol", "morris")
KNOWN_KEYS = (
    "name",
    "description",
    "method",
    "base",
    "steps",
    "samples",
    "levels",
    "replicates",
    "seed",
    "outcomes",
    "parameters",
    "derived",
)
DEFAULT_LEVELS = 4
RESAMPLES = 1000  # SALib's bootstrap resamples for the intervals
CONFIDENCE = 0.95
INTEGER_MARGIN = (
    0.499  # an integer range lo..hi is sampled on [lo - this, hi + this] and rounded: every value equally likely
)
SALIB_NOISE = "unique with argument that is not not a Series"  # pandas FutureWarning raised inside SALib, not ours


@dataclass(frozen=True)
class SensitivitySpec:
    """A checked sensitivity analysis: ranges, outcomes, method and sample size, and the base config."""

    name: str
    method: str
    parameters: dict[str, tuple[float, float]]
    outcomes: tuple[str, ...]
    base: dict[str, Any]
    samples: int
    levels: int = DEFAULT_LEVELS
    replicates: int = 1
    seed: int = 0
    integers: frozenset[str] = frozenset()
    derived: dict[str, str] = field(default_factory=dict)
    path: Path = Path("sensitivity.yaml")
    text: str = ""
    base_path: Path = Path("configs/default.yaml")
    description: str | None = None

    @property
    def problem(self) -> dict[str, Any]:
        """SALib's problem: names and bounds (integer ranges widened by INTEGER_MARGIN so rounding is fair)."""
        bounds = [
            [lo - INTEGER_MARGIN, hi + INTEGER_MARGIN] if key in self.integers else [lo, hi]
            for key, (lo, hi) in self.parameters.items()
        ]
        return {"num_vars": len(self.parameters), "names": list(self.parameters), "bounds": bounds}

    @cached_property
    def sample(self) -> np.ndarray:
        """SALib's design, one row per point, seeded: the same file always gives the same points."""
        with quiet_salib():
            if self.method == "sobol":
                from SALib.sample import sobol

                return sobol.sample(self.problem, self.samples, calc_second_order=False, seed=self.seed)
            from SALib.sample import morris

            return morris.sample(self.problem, self.samples, num_levels=self.levels, seed=self.seed)

    @cached_property
    def points(self) -> tuple[dict[str, Any], ...]:
        """The design's rows as sweep points by dotted key (integers rounded), derived values added."""
        trees = {key: compile_expression(text) for key, text in self.derived.items()}
        rows = []
        for row in self.sample:
            values = {
                key: (round(float(v)) if key in self.integers else tidy(float(v)))
                for key, v in zip(self.parameters, row, strict=True)
            }
            rows.append(with_derived(values, trees))
        return tuple(rows)

    def sweep_spec(self) -> SweepSpec:
        """The analysis as a sweep of listed points on common seeds (so the store, executors and --resume apply)."""
        ranges = {key: {"min": lo, "max": hi} for key, (lo, hi) in self.parameters.items()}
        return SweepSpec(
            path=self.path,
            text=self.text,
            name=self.name,
            method=self.method,
            parameters=ranges,
            base=self.base,
            base_path=self.base_path,
            replicates=self.replicates,
            seed=self.seed,
            run_cap=len(self.points) * self.replicates,
            derived=dict(self.derived),
            timeseries_every=0,
            description=self.description,
            listed_points=self.points,
            common_seeds=True,
        )

    def describe(self) -> dict[str, Any]:
        """The analysis as read, for sensitivity.json."""
        return {
            "name": self.name,
            "method": self.method,
            "samples": self.samples,
            "levels": self.levels,
            "replicates": self.replicates,
            "seed": self.seed,
            "outcomes": list(self.outcomes),
            "parameters": {k: list(v) for k, v in self.parameters.items()},
            "integers": sorted(self.integers),
            "derived": self.derived,
            "points": len(self.points),
            "runs": len(self.points) * self.replicates,
            "path": str(self.path),
        }


class quiet_salib(warnings.catch_warnings):
    """SALib calls pandas in a way pandas now warns about; silence exactly that warning, nothing else."""

    def __enter__(self) -> Any:
        entered = super().__enter__()
        warnings.filterwarnings("ignore", message=SALIB_NOISE, category=FutureWarning)
        return entered


# Reading a sensitivity file -------------------------------------------------------------------


def load_sensitivity(path: str | Path) -> SensitivitySpec:
    """Read and check a sensitivity file; ConfigError 'sensitivity FILE: problem' on the first problem."""
    return load_checked(path, "sensitivity", _check)


def _check(file: Path, data: dict[str, Any]) -> SensitivitySpec:
    reject_unknown_keys(data, KNOWN_KEYS, "a sensitivity file")
    method = data.get("method", "sobol")
    if method not in METHODS:
        raise ConfigError(f"method: expected sobol (indices with interactions) or morris (screening), got {method!r}")
    base_path = resolve_base_path(file, data.get("base"))
    base = load_base(base_path, data.get("steps"))
    parameters, integers = _ranges(data.get("parameters"), base)
    if len(parameters) < 2:
        raise ConfigError(
            "parameters: give at least two parameter ranges (sensitivity ranks parameters against each other)"
        )
    samples = check_integer(data, "samples", 0, minimum=2)
    if method == "sobol" and samples & (samples - 1):
        raise ConfigError(f"samples: Sobol sampling needs a power of 2 (64, 128, 256...), got {samples}")
    levels = check_integer(data, "levels", DEFAULT_LEVELS, minimum=2)
    per_sample = len(parameters) + (2 if method == "sobol" else 1)  # SALib's rows per sample
    limits.check_size("samples", samples * per_sample, check_integer(data, "replicates", 1, minimum=1))
    if method == "sobol" and "levels" in data:
        raise ConfigError("levels: only used by method morris")
    spec = SensitivitySpec(
        name=check_name(data.get("name"), file),
        method=method,
        parameters=parameters,
        outcomes=_outcomes(data.get("outcomes"), base),
        base=base,
        samples=samples,
        levels=levels,
        replicates=check_integer(data, "replicates", 1, minimum=1),
        seed=check_integer(data, "seed", 0, minimum=0, maximum=MAX_SEED),
        integers=frozenset(integers),
        derived=check_derived(data.get("derived"), parameters),
        path=file,
        text=file.read_text(encoding="utf-8"),
        base_path=base_path,
        description=data.get("description"),
    )
    _check_points(spec)
    return spec


def _ranges(value: Any, base: Mapping[str, Any]) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Each parameter's [low, high] (a list or {min, max}); integer parameters (by the model's default) noted."""
    if not isinstance(value, Mapping) or not value:
        raise ConfigError("parameters: expected dotted keys with ranges, e.g. workshops.retention: [0.0, 1.0]")
    ranges, integers = {}, []
    for key, spec in value.items():
        bounds = [spec.get("min"), spec.get("max")] if isinstance(spec, Mapping) else spec
        if (
            not isinstance(bounds, list | tuple)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b) for b in bounds)
            or bounds[0] >= bounds[1]
        ):
            raise ConfigError(f"parameters.{key}: expected a range [low, high] with low < high, got {spec!r}")
        default = keys.get(base, str(key))
        if isinstance(default, bool) or not isinstance(default, int | float | type(None)):
            raise ConfigError(f"parameters.{key}: {default!r} is not a number; sensitivity varies numeric parameters")
        if isinstance(default, int):
            if not all(float(b).is_integer() for b in bounds):
                raise ConfigError(f"parameters.{key}: a whole-number parameter needs whole-number bounds, got {bounds}")
            integers.append(str(key))
        ranges[str(key)] = (float(bounds[0]), float(bounds[1]))
    return ranges, integers


def _outcomes(value: Any, base: Mapping[str, Any]) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConfigError("outcomes: expected a list of the model's outcomes, e.g. [impact, any_transfer]")
    known = outcome_names(base)
    for name in value:
        check_outcome("outcomes", name, known)
    return tuple(dict.fromkeys(value))


def _check_points(spec: SensitivitySpec) -> None:
    """Every point of the design must be a valid model config (the model's message names the problem)."""
    for index, point in enumerate(spec.points):
        try:
            make_params(merge(spec.base, point))
        except ConfigError as error:
            shown = ", ".join(f"{k}={v}" for k, v in point.items())
            raise ConfigError(f"point {index} ({shown}): the model rejects it: {error}") from None
