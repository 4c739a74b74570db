"""Sweep files: the Weights & Biases sweep format plus our keys, read and checked before any run starts.

A sweep file holds W&B's `method`, `metric` and `parameters` (keyed by the model's dotted keys,
as `--set` uses) and our own keys: `name`, `base`, `replicates`, `seed`, `steps`, `run_cap`,
`derived`, `timeseries`, `batch`, `paired`, `indifference`, `uncertain` and `scenarios` and, for
`replicates: auto`, `budget`, `confidence` and `initial_replicates`. A parameter may also be given
as `simplex: {kinds, step}`, shorthand for `values:` listing every mix of those kinds on a grid of
that step. Every problem raises
ConfigError with one line naming the file and the key.

Sweeps are paired by default (`paired: true`): replicate r of every point runs on the same seed
(common random numbers), so points differ by their values, not by luck. `replicates: auto` runs
`initial_replicates` per point, then sequential MCB elimination (experiments.analysis.bestset)
adds replicates to the points still in the best set until it is resolved at `confidence` or
`budget` runs are spent. With `uncertain:` ranges a replicate of a lever point is one seed run in
every scenario, and the elimination compares the levers' scenario-averaged outcomes.

`posterior: DIR` (a `tracktwo calibrate` results folder) draws the fitted parameters of replicate r
from the calibration's weighted particles, the same particle for every point (experiments.design.posterior);
it takes the place of `uncertain:` ranges, so a sweep has one or the other.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from tracktwo.experiments.design import keys, limits, points
from tracktwo.experiments.design.config import (
    DEFAULT_CONFIG,
    MAP_KEYS,
    load_checked,
    read_yaml,
    reject_unknown_keys,
    resolve_path,
    resolve_relative_paths,
)
from tracktwo.experiments.design.map_check import warn_about_map, warn_about_map_file
from tracktwo.experiments.design.outcome_names import check_outcome, outcome_names, suggest
from tracktwo.model import ConfigError, make_params, merge

if TYPE_CHECKING:
    from tracktwo.experiments.design.posterior import PosteriorSample

__all__ = [
    "AUTO_KEYS",
    "DEFAULT_BAYES_BATCH",
    "DEFAULT_CONFIDENCE",
    "DEFAULT_INITIAL_REPLICATES",
    "DEFAULT_SCENARIOS",
    "GOALS",
    "GRID_TYPES",
    "INTERIOR_QUANTILE",
    "KEY_PATTERN",
    "KNOWN_KEYS",
    "MAX_CORNERS",
    "MAX_SEED",
    "METHODS",
    "NAME_PATTERN",
    "OUR_KEYS",
    "SweepSpec",
    "check_derived",
    "check_integer",
    "check_name",
    "load_base",
    "load_sweep",
    "resolve_base_path",
    "suggest",
]

METHODS = ("grid", "random", "bayes")
GOALS = ("maximize", "minimize")
OUR_KEYS = (
    "name",
    "description",
    "base",
    "replicates",
    "seed",
    "steps",
    "run_cap",
    "derived",
    "timeseries",
    "batch",
    "paired",
    "budget",
    "confidence",
    "initial_replicates",
    "uncertain",
    "scenarios",
    "posterior",
    "indifference",
)
DEFAULT_SCENARIOS = 8  # Latin-hypercube scenarios of the uncertain parameters, shared by every lever point
AUTO_KEYS = ("budget", "confidence", "initial_replicates")  # only with replicates: auto
DEFAULT_CONFIDENCE = 0.95
DEFAULT_INITIAL_REPLICATES = 10
KNOWN_KEYS = ("method", "metric", "parameters", *OUR_KEYS)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")
MAX_SEED = 2**32 - 1
DEFAULT_BAYES_BATCH = 4
INTERIOR_QUANTILE = 0.3183  # probes a range inside as well as at its ends (catches a float range on an int field)
MAX_CORNERS = 4096
GRID_TYPES = ("param_categorical", "param_single_value", "param_int_uniform", "param_quniform")


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: the W&B part for the `sweeps` engine, our keys, and the resolved base config."""

    path: Path
    text: str
    name: str
    method: str
    parameters: dict[str, dict[str, Any]]
    base: dict[str, Any]
    base_path: Path
    replicates: int = 1
    seed: int = 0
    metric: dict[str, str] | None = None
    run_cap: int | None = None
    derived: dict[str, str] = field(default_factory=dict)
    timeseries_every: int = 1
    batch: int = DEFAULT_BAYES_BATCH
    description: str | None = None
    listed_points: tuple[
        dict[str, Any], ...
    ] = ()  # points given outright (e.g. programmes to compare), run instead of a grid
    common_seeds: bool = False  # replicate r of every point runs on the same seed (paired comparisons)
    auto_replicates: bool = False  # replicates: auto (sequential MCB elimination; `replicates` is the first look's)
    budget: int | None = None  # the most runs replicates: auto may spend
    confidence: float = DEFAULT_CONFIDENCE  # of the best set
    uncertain: dict[str, tuple[float, float]] = field(default_factory=dict)  # what the model cannot know: ranges
    scenarios: tuple[dict[str, Any], ...] = ()  # the shared Latin-hypercube sample of the uncertain ranges
    posterior: PosteriorSample | None = None  # a calibration's particles: replicate r's uncertain values, paired
    indifference: float = 0.0  # delta: differences in the metric smaller than this are practically equivalent

    @cached_property
    def derived_trees(self) -> dict[str, ast.Expression]:
        """The derived expressions, parsed (checked when the file was read)."""
        return {key: points.compile_expression(text) for key, text in self.derived.items()}

    @property
    def max_points(self) -> int | None:
        """The most points run_cap allows (each point runs `replicates` times); None without a cap."""
        return None if self.run_cap is None else self.run_cap // self.replicates

    def fingerprint(self) -> str:
        """A hash of everything that decides the runs and their results: a resume must match it."""
        decisive = {
            key: getattr(self, key)
            for key in (
                "method",
                "parameters",
                "metric",
                "derived",
                "replicates",
                "seed",
                "run_cap",
                "batch",
                "timeseries_every",
                "base",
            )
        }
        decisive.update({key: getattr(self, key) for key in ("listed_points", "common_seeds") if getattr(self, key)})
        if self.listed_points and self.method == "grid" and not self.auto_replicates:
            del decisive["metric"]  # it picks no run here: evaluate --resume with other --outcomes reuses the runs
        if self.uncertain:
            decisive.update({"uncertain": self.uncertain, "scenarios": self.scenarios})
        if self.posterior is not None:
            decisive["posterior"] = self.posterior.sha256
            decisive["posterior_block"] = self.posterior.block
        if self.auto_replicates:
            decisive.update({key: getattr(self, key) for key in ("auto_replicates", "budget", "confidence")})
            if self.indifference:
                decisive["indifference"] = self.indifference
        return hashlib.sha256(json.dumps(decisive, sort_keys=True, default=str).encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The sweep as read, for the manifest (the file's text and its parsed, expanded form)."""
        return {
            "path": str(self.path),
            "text": self.text,
            "name": self.name,
            "description": self.description,
            "method": self.method,
            "metric": self.metric,
            "parameters": self.parameters,
            "derived": self.derived,
            "replicates": self.replicates,
            "seed": self.seed,
            "run_cap": self.run_cap,
            "batch": self.batch,
            "timeseries_every": self.timeseries_every,
            "base_path": str(self.base_path),
            "fingerprint": self.fingerprint(),
            "listed_points": list(self.listed_points),
            "common_seeds": self.common_seeds,
            "auto_replicates": self.auto_replicates,
            "budget": self.budget,
            "confidence": self.confidence,
            "uncertain": {key: list(bounds) for key, bounds in self.uncertain.items()},
            "scenarios": list(self.scenarios),
            "posterior": self.posterior.describe() if self.posterior is not None else None,
            "indifference": self.indifference,
        }


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; ConfigError 'sweep FILE: problem' on the first problem found."""
    return load_checked(path, "sweep", _check)


def _check(file: Path, data: dict[str, Any]) -> SweepSpec:
    """Every check, cheapest first; the points are checked against the model last."""
    reject_unknown_keys(data, KNOWN_KEYS, "a sweep file")
    method = _method(data.get("method"))
    auto, replicates, budget, confidence = _replicates(data, method)
    run_cap = _run_cap(data.get("run_cap"), method, replicates)
    base_path = resolve_base_path(file, data.get("base"))
    base = load_base(base_path, data.get("steps"))
    parameters = _relative_maps(_parameters(data.get("parameters"), method, base), file)
    _warn_about_swept_maps(parameters, base)
    if method == "grid":
        limits.check_size("the grid", min(limits.grid_points(parameters), run_cap or math.inf), replicates)
    else:
        limits.check_size("run_cap", run_cap // replicates, replicates)
    spec = SweepSpec(
        path=file,
        text=file.read_text(encoding="utf-8"),
        name=check_name(data.get("name"), file),
        method=method,
        parameters=parameters,
        base=base,
        base_path=base_path,
        replicates=replicates,
        seed=check_integer(data, "seed", 0, minimum=0, maximum=MAX_SEED),
        metric=_metric(data.get("metric"), method, base),
        run_cap=run_cap,
        derived=check_derived(data.get("derived"), parameters),
        timeseries_every=_timeseries(data.get("timeseries", True)),
        batch=check_integer(data, "batch", DEFAULT_BAYES_BATCH, minimum=1),
        description=data.get("description"),
        common_seeds=_paired(data.get("paired", True)),
        auto_replicates=auto,
        budget=budget,
        confidence=confidence,
        indifference=_indifference(data.get("indifference", 0.0), data.get("metric")),
    )
    if auto and method == "grid" and budget < limits.grid_points(parameters) * replicates:
        raise ConfigError(
            f"budget: {budget} runs cannot give the {limits.grid_points(parameters)} points their first "
            f"{replicates} replicates (initial_replicates); raise it to at least "
            f"{limits.grid_points(parameters) * replicates}"
        )
    if "uncertain" in data or "scenarios" in data:
        spec = _with_scenarios(spec, data)
    if "posterior" in data:
        spec = _with_posterior_key(spec, data["posterior"], file)
    if auto and spec.metric is None:
        raise ConfigError("replicates: auto needs a metric to decide by: {name: <an outcome>, goal: maximize|minimize}")
    _schema(spec)
    if method == "grid":
        _check_grid_points(spec)
    else:
        _check_ranges(spec)
    return spec


# Our keys ------------------------------------------------------------------------------------


def check_name(value: Any, file: Path) -> str:
    """A results-folder name: the file's stem by default; letters, digits, '_', '-', '.'."""
    name = file.stem if value is None else value
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ConfigError(f"name: {name!r} must be letters, digits, '_', '-' or '.' (it names the results folder)")
    return name


def _method(value: Any) -> str:
    if value not in METHODS:
        raise ConfigError(f"method: expected one of {', '.join(METHODS)}, got {value!r}")
    return value


def check_integer(data: Mapping[str, Any], key: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """An integer field within its bounds; ConfigError naming the key otherwise."""
    value = data.get(key, default)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < minimum
        or (maximum is not None and value > maximum)
    ):
        bounds = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise ConfigError(f"{key}: expected an integer {bounds}, got {value!r}")
    return value


def _with_scenarios(spec: SweepSpec, data: Mapping[str, Any]) -> SweepSpec:
    """Levers x scenarios: every lever point of the grid runs in each of one shared Latin-hypercube sample.

    `uncertain: {key: [low, high]}` names what the model cannot know (ranges, beside the levers the
    sweep decides); `scenarios: N` (default DEFAULT_SCENARIOS) draws N scenarios, seeded by the sweep
    seed, the same for every lever point; with the sweep's common seeds every point also runs on the
    same seeds in every scenario.
    """
    from scipy.stats import qmc

    if "uncertain" not in data:
        raise ConfigError("scenarios: only used with uncertain: {key: [low, high], ...}")
    if spec.method != "grid":
        raise ConfigError(f"uncertain: works with method grid (every lever point in every scenario), not {spec.method}")
    value = data["uncertain"]
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(f"uncertain: expected a mapping of dotted keys to ranges [low, high], got {value!r}")
    ranges: dict[str, tuple[float, float]] = {}
    integers = set()
    for key, bounds in value.items():
        if key in spec.parameters or key in spec.derived:
            raise ConfigError(f"uncertain.{key}: it is also a lever (parameters) or derived; a key is one or the other")
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            or not bounds[0] < bounds[1]
        ):
            raise ConfigError(f"uncertain.{key}: expected a range [low, high] with low < high, got {bounds!r}")
        default = keys.get(spec.base, str(key)) if str(key) in keys.key_paths(spec.base) else None
        if isinstance(default, bool) or not isinstance(default, int | float):
            raise ConfigError(
                f"uncertain.{key}: not a numeric parameter of the model{suggest(str(key), keys.key_paths(spec.base))}"
            )
        if isinstance(default, int):
            integers.add(str(key))
        ranges[str(key)] = (float(bounds[0]), float(bounds[1]))
    count = check_integer(data, "scenarios", DEFAULT_SCENARIOS, minimum=2)
    unit = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(spec.seed)).random(count)
    scenarios = tuple(
        {
            key: (round(low + u * (high - low)) if key in integers else points.tidy(low + u * (high - low)))
            for (key, (low, high)), u in zip(ranges.items(), row, strict=True)
        }
        for row in unit
    )
    levers = points.grid_values(spec.parameters, spec.max_points or points.MAX_GRID_POINTS)
    limits.check_size("levers x scenarios", len(levers) * count, spec.replicates)
    if spec.auto_replicates and (spec.budget or 0) < len(levers) * count * spec.replicates:
        raise ConfigError(
            f"budget: {spec.budget} runs cannot give the {len(levers)} lever points x {count} scenarios their "
            f"first {spec.replicates} replicates (initial_replicates); raise it to at least "
            f"{len(levers) * count * spec.replicates}"
        )
    listed = tuple({**lever, **scenario} for lever in levers for scenario in scenarios)
    for index, scenario in enumerate(scenarios):
        try:
            _validate_point(spec, {**levers[0], **scenario})
        except ConfigError as error:
            raise ConfigError(
                f"uncertain: scenario {index} ({_compact(scenario)}): the model rejects it: {error}"
            ) from None
    return dataclasses.replace(spec, uncertain=ranges, scenarios=scenarios, listed_points=listed)


def _with_posterior_key(spec: SweepSpec, value: Any, file: Path) -> SweepSpec:
    """`posterior: DIR` (a calibrate results folder, relative to the file): replicate r's uncertain values."""
    from tracktwo.experiments.design.posterior import load_posterior, with_posterior

    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"posterior: expected a calibrate results folder, got {value!r}")
    folder = Path(value) if Path(value).is_absolute() else file.parent / value
    return with_posterior(spec, load_posterior(folder if folder.exists() else Path(value)))


def _indifference(value: Any, metric: Any) -> float:
    """`indifference`: delta >= 0 in the metric's units; differences smaller are practically equivalent (best set)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
        raise ConfigError(f"indifference: expected a number >= 0 in the metric's units, e.g. 0.1, got {value!r}")
    if value and not metric:
        raise ConfigError("indifference: only used with a metric (it is the best set's indifference zone)")
    return float(value)


def _paired(value: Any) -> bool:
    """`paired`: true (default) runs replicate r of every point on one seed; false gives each point its own seeds."""
    if not isinstance(value, bool):
        raise ConfigError(f"paired: expected true (common seeds, the default) or false, got {value!r}")
    return value


def _replicates(data: Mapping[str, Any], method: str) -> tuple[bool, int, int | None, float]:
    """(auto, replicates of the first look, budget, confidence) from `replicates` and the keys of `replicates: auto`."""
    if data.get("replicates") != "auto":
        if isinstance(data.get("replicates"), str):
            raise ConfigError(f"replicates: expected an integer >= 1 or auto, got {data['replicates']!r}")
        for key in AUTO_KEYS:
            if key in data:
                given = data.get("replicates")
                raise ConfigError(f"{key}: only used with replicates: auto (got replicates: {given!r})")
        return False, check_integer(data, "replicates", 1, minimum=1), None, DEFAULT_CONFIDENCE
    if method == "bayes":
        raise ConfigError("replicates: auto works with method grid or random, not bayes (its points depend on means)")
    initial = check_integer(data, "initial_replicates", DEFAULT_INITIAL_REPLICATES, minimum=2)
    if "budget" not in data:
        raise ConfigError("budget: replicates: auto needs a budget (the most runs to spend), e.g. budget: 2000")
    budget = check_integer(data, "budget", 0, minimum=initial)
    try:
        limits.check_size("budget", 1, budget)  # the most runs it may spend, as for any sweep (--force lifts it)
    except ConfigError:
        raise ConfigError(
            f"budget: {budget:,} runs, over the limit of {limits.MAX_RUNS:,}; lower it or pass --force"
        ) from None
    confidence = data.get("confidence", DEFAULT_CONFIDENCE)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not 0.5 <= confidence < 1:
        raise ConfigError(f"confidence: expected a number in [0.5, 1), e.g. 0.95, got {confidence!r}")
    return True, initial, budget, float(confidence)


def _run_cap(value: Any, method: str, replicates: int) -> int | None:
    """The most runs in all: needed by random and bayes (they never run out of points), optional for grid."""
    if value is None:
        if method != "grid":
            raise ConfigError(f"run_cap: method {method} never runs out of points; set run_cap (the most runs to do)")
        return None
    cap = check_integer({"run_cap": value}, "run_cap", 0, minimum=1)
    if cap < replicates:
        raise ConfigError(f"run_cap: {cap} is less than replicates ({replicates}); not one point would run")
    return cap


def _timeseries(value: Any) -> int:
    """Which steps of each run's time series to keep: 1 = every step, N = every N-th and the last, 0 = none."""
    if value is True:
        return 1
    if value is False or value is None:
        return 0
    if isinstance(value, int) and value >= 1:
        return value
    raise ConfigError(f"timeseries: expected true, false or N (keep every N-th step), got {value!r}")


def resolve_base_path(file: Path, value: Any) -> Path:
    """The base config's path, relative to the sweep file's folder (default: configs/default.yaml)."""
    if value is None:
        return DEFAULT_CONFIG
    if not isinstance(value, str) or not value:
        raise ConfigError(f"base: expected the path of a model config, got {value!r}")
    path = Path(value)
    return path if path.is_absolute() else (file.resolve().parent / path).resolve()


def load_base(path: Path, steps: Any) -> dict[str, Any]:
    """The base config with every parameter, `steps` applied, validated by the model."""
    config = resolve_relative_paths(read_yaml(path, "base config"), path.resolve().parent)
    if steps is not None:
        config = merge(config, {"steps": steps})
    try:
        params = make_params(config)
        warn_about_map(params)
        return params.model_dump(mode="json")
    except ConfigError as error:
        if steps is not None and str(error).startswith("steps:"):
            raise
        raise ConfigError(f"base ({path}): {error}") from None


def _metric(value: Any, method: str, base: Mapping[str, Any]) -> dict[str, str] | None:
    """The metric to rank (and, for bayes, to optimise): an outcome of the model and a goal."""
    if value is None:
        if method == "bayes":
            raise ConfigError(
                "metric: method bayes needs a metric to optimise: {name: <an outcome>, goal: maximize|minimize}"
            )
        return None
    if not isinstance(value, Mapping) or set(value) - {"name", "goal"} or "name" not in value:
        raise ConfigError(f"metric: expected {{name: <an outcome>, goal: maximize|minimize}}, got {value!r}")
    goal = value.get("goal", "minimize")
    if goal not in GOALS:
        raise ConfigError(f"metric.goal: expected maximize or minimize, got {goal!r}")
    check_outcome("metric.name", value["name"], outcome_names(base))
    return {"name": value["name"], "goal": goal}


def check_derived(value: Any, parameters: Mapping[str, Any]) -> dict[str, str]:
    """Derived values as key: expression over swept keys, e.g. the elite share as 1 - the autonomous share."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(f"derived: expected a mapping of key: expression, got {value!r}")
    derived: dict[str, str] = {}
    for key, text in value.items():
        if key in parameters:
            raise ConfigError(f"derived.{key}: it is also a swept parameter; a value is either swept or derived")
        try:
            tree = points.compile_expression(text)
        except ConfigError as error:
            raise ConfigError(f"derived.{key}: {error}") from None
        for name in points.expression_names(tree):
            if not _readable(name, parameters, derived):
                raise ConfigError(f"derived.{key}: {name!r} is not a swept parameter or an earlier derived value")
        derived[str(key)] = str(text)
    return derived


def _readable(name: str, parameters: Mapping[str, Any], derived: Mapping[str, Any]) -> bool:
    return name in parameters or name in derived or any(name.startswith(f"{key}.") for key in parameters)


# Parameters ----------------------------------------------------------------------------------


def _parameters(value: Any, method: str, base: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The swept parameters by dotted key, each a checked W&B spec."""
    if not isinstance(value, Mapping) or not value:
        raise ConfigError(
            "parameters: expected a mapping of the model's dotted keys to W&B parameter specs (values, min/max, ...)"
        )
    parameters = {}
    for key, spec in value.items():
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ConfigError(f"parameters: {key!r} is not a dotted parameter key such as workshops.size")
        parameters[key] = _parameter(key, spec, method, base)
    _check_known(parameters, base)
    return parameters


def _relative_maps(parameters: dict[str, dict[str, Any]], file: Path) -> dict[str, dict[str, Any]]:
    """Actor maps swept over are named relative to the sweep file, as in a config, and must exist."""
    folder = file.resolve().parent
    for key in MAP_KEYS:
        spec = parameters.get(key)
        for entry in ("values", "value") if spec else ():
            if entry not in spec:
                continue
            given = spec[entry] if entry == "values" else [spec[entry]]
            resolved = [resolve_path(v, folder) for v in given]
            for before, after in zip(given, resolved, strict=True):
                if isinstance(after, str) and after and not Path(after).is_file():
                    raise ConfigError(
                        f"parameters.{key}.{entry}: no file {before!r} (relative paths are read from "
                        f"the sweep file's folder, {folder})"
                    )
            spec[entry] = resolved if entry == "values" else resolved[0]
    return parameters


def _warn_about_swept_maps(parameters: Mapping[str, Mapping[str, Any]], base: Mapping[str, Any]) -> None:
    """Each actor map the sweep runs on besides the base's gets the same warnings as a config's map, once."""
    spec = parameters.get("network.map") or {}
    given = [*spec.get("values", []), *([spec["value"]] if "value" in spec else [])]
    edges = (parameters.get("network.edges") or {}).get("value", base["network"]["edges"])
    for path in dict.fromkeys(v for v in given if isinstance(v, str) and v and v != base["network"]["map"]):
        warn_about_map_file(path, edges)


def _parameter(key: str, spec: Any, method: str, base: Mapping[str, Any]) -> dict[str, Any]:
    """One parameter's W&B spec (a `simplex` expanded to `values`), checked against the method."""
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"parameters.{key}: expected a spec such as {{values: [...]}} or {{min: 0.0, max: 1.0}}, got {spec!r}"
        )
    if "parameters" in spec:
        raise ConfigError(
            f"parameters.{key}: nested parameters are not used here; name the key in full, e.g. {key}.size"
        )
    spec = _expand_simplex(key, spec) if "simplex" in spec else dict(spec)
    kind = _engine_type(key, spec)
    if method == "grid" and kind not in GRID_TYPES:
        raise ConfigError(
            f"parameters.{key}: a grid cannot run over a continuous range ({_show(spec)}); "
            "give values: [...], or integer min/max, or a step q with distribution: q_uniform"
        )
    if kind == "param_int_uniform" and isinstance(keys.get(base, key), float):
        raise ConfigError(
            f"parameters.{key}: integer min/max make W&B draw whole numbers only, but {key} is continuous; "
            "write the bounds as decimals (e.g. min: 0.0, max: 1.0)"
        )
    return spec


def _expand_simplex(key: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    """`simplex: {kinds: [a, b, c], step: 0.25}` as `values:` listing every mix of a, b, c in steps of 0.25."""
    simplex = spec["simplex"]
    if set(spec) != {"simplex"} or not isinstance(simplex, Mapping) or set(simplex) != {"kinds", "step"}:
        raise ConfigError(f"parameters.{key}: expected simplex: {{kinds: [kind, ...], step: 0.25}} and nothing else")
    kinds, step = simplex["kinds"], simplex["step"]
    if (
        not isinstance(kinds, list)
        or len(kinds) < 2
        or len(set(kinds)) != len(kinds)
        or not all(isinstance(k, str) for k in kinds)
    ):
        raise ConfigError(f"parameters.{key}.simplex.kinds: expected two or more distinct kind names, got {kinds!r}")
    divisions = round(1 / step) if isinstance(step, int | float) and 0 < step <= 1 else 0
    if divisions == 0 or not math.isclose(divisions * step, 1.0, abs_tol=1e-9):
        raise ConfigError(
            f"parameters.{key}.simplex.step: expected a share that divides 1 (0.5, 0.25, 0.2, 0.1...), got {step!r}"
        )
    limits.check_size(f"parameters.{key}.simplex", limits.simplex_points(len(kinds), divisions))
    mixes = limits.compositions(divisions, len(kinds))
    return {
        "values": [
            {kind: points.tidy(count / divisions) for kind, count in zip(kinds, counts, strict=True)}
            for counts in mixes
        ]
    }


def _engine_type(key: str, spec: dict[str, Any]) -> str:
    """The `sweeps` engine's name for a spec (param_categorical, param_uniform, ...), or ConfigError."""
    points.import_sweeps()
    from sweeps.params import HyperParameter

    if "values" in spec and (not isinstance(spec["values"], list) or not spec["values"]):
        raise ConfigError(f"parameters.{key}.values: expected a non-empty list, got {spec['values']!r}")
    try:
        return HyperParameter(key, spec).type
    except Exception as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ConfigError(f"parameters.{key}: not a valid W&B parameter spec ({_show(spec)}): {reason}") from None


def _schema(spec: SweepSpec) -> None:
    """The W&B JSON schema as a backstop for whatever the checks above do not name."""
    points.import_sweeps()
    from sweeps.config import schema_violations_from_proposed_config

    config = {"method": spec.method, "parameters": spec.parameters, **({"metric": spec.metric} if spec.metric else {})}
    violations = schema_violations_from_proposed_config(config)
    if violations:
        raise ConfigError(f"not a valid W&B sweep: {violations[0]}")


def _check_known(parameters: Mapping[str, Any], base: Mapping[str, Any]) -> None:
    """An unknown key fails here, with a suggestion; a new mix share or kind is known to the model."""
    known = keys.key_paths(base)
    for key, spec in parameters.items():
        if key in known:
            continue
        try:
            make_params(merge(base, {key: _probes(key, spec)[0]}))
        except ConfigError as error:
            if str(error).startswith(f"{key}: "):  # the model blames the key itself, not a value under it
                raise ConfigError(
                    f"parameters.{key}: unknown parameter{suggest(key, known)}; `tracktwo params` lists them all"
                ) from None


# Checking points against the model -----------------------------------------------------------


def _probes(key: str, spec: Mapping[str, Any]) -> list[Any]:
    """Values that stand for a parameter's range: its values, or its ends and an interior point."""
    if "value" in spec and "values" not in spec:
        return [spec["value"]]
    if "values" in spec:
        return list(spec["values"])
    points.import_sweeps()
    from sweeps.params import HyperParameter

    quantiles = np.array([0.0, INTERIOR_QUANTILE, 1.0])
    drawn = [points.tidy(v) for v in np.asarray(HyperParameter(key, dict(spec)).ppf(quantiles)).tolist()]
    if not all(math.isfinite(v) for v in drawn):
        raise ConfigError(
            f"parameters.{key}: {spec.get('distribution')} is unbounded, so some runs would fall outside "
            "the model's ranges; use a bounded distribution (uniform, log_uniform_values, beta) or values"
        )
    return drawn


def _corners(probes: list[Any]) -> list[Any]:
    numbers = [p for p in probes if isinstance(p, int | float) and not isinstance(p, bool)]
    return [min(numbers), max(numbers)] if len(numbers) == len(probes) and len(probes) > 2 else probes


def _compact(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={json.dumps(value)}" for key, value in values.items())


def _validate_point(spec: SweepSpec, values: dict[str, Any]) -> None:
    """ConfigError (the model's own message) unless the point, derived values included, is a valid config."""
    point = points.with_derived(values, spec.derived_trees)
    make_params(merge(spec.base, point))


def _check_grid_points(spec: SweepSpec) -> None:
    """Every grid point (up to run_cap) must be a valid model config."""
    grid = points.grid_values(spec.parameters, spec.max_points or points.MAX_GRID_POINTS)
    for index, values in enumerate(grid):
        try:
            _validate_point(spec, values)
        except ConfigError as error:
            raise ConfigError(f"point {index} ({_compact(values)}): the model rejects it: {error}") from None


def _check_ranges(spec: SweepSpec) -> None:
    """Random and bayes points are not known yet: check each range's probes, then the corners of the box."""
    probes = {key: _probes(key, value) for key, value in spec.parameters.items()}
    reference = {key: values[0] for key, values in probes.items()}
    for key, values in probes.items():
        for value in values:
            try:
                _validate_point(spec, {**reference, key: value})
            except ConfigError as error:
                raise ConfigError(
                    f"parameters.{key}: {json.dumps(value)} is outside what the model allows: {error}"
                ) from None
    corners = [_corners(values) for values in probes.values()]
    if math.prod(len(c) for c in corners) > MAX_CORNERS:
        return
    for combination in itertools.product(*corners):
        values = dict(zip(probes, combination, strict=True))
        try:
            _validate_point(spec, values)
        except ConfigError as error:
            raise ConfigError(
                f"the point {_compact(values)} (a corner of the swept ranges): the model rejects it: {error}"
            ) from None


def _show(spec: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}: {json.dumps(v)}" for k, v in spec.items())
