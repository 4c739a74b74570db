"""A calibration spec: what to fit (parameters and priors), to what (targets), how far to go (budget).

The file is read by pydantic (unknown keys and wrong types are refused with one line naming the
field, the value and what is allowed), then checked against the model: every parameter must be a
real-valued parameter the model declares, and its prior must stay inside the range the model
allows; every pattern must name a declared outcome; records must hold the columns their chosen
statistics read (experiments.design.summaries).

    name: patterns
    base: ../default.yaml           # optional: the model config the fitted keys are set on
    steps: 60                       # optional: months per run (records: the months they span)
    seed: 1
    parameters:                     # dotted key: prior
      diffusion.base_rate: [0.02, 0.3]                           # uniform on [low, high]
      transfer.threshold: {distribution: beta, a: 2, b: 5}       # any scipy.stats continuous distribution
    targets:
      patterns:                     # a declared outcome, its observed value and sd (mean over replicates)
        - {outcome: ideas_transferred, observed: 6, sd: 2}
      records:                      # a programme's records, compared through chosen statistics
        folder: records/
        statistics: [ideas_taken_up, {name: uptake_curve, months: [24, 48]}]
    replicates: 1                   # model runs per particle (patterns are means over them)
    population: 40                  # particles per generation
    distance: {p: 2}                # weighted Lp distance on (simulated - observed) / sd
    budget: {runs: 2000, minutes: 10, generations: 6, min_epsilon: 0, min_acceptance: 0.02}
"""

from __future__ import annotations

import hashlib
import json
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import annotated_types
import scipy.stats
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from tracktwo.experiments.design import keys as keys_module
from tracktwo.experiments.design import summaries
from tracktwo.experiments.design.config import read_yaml
from tracktwo.experiments.design.sweepfile import MAX_SEED, load_base, resolve_base_path, suggest
from tracktwo.model import OUTCOMES, ROUTES, ConfigError, Params, make_params, merge
from tracktwo.model.params import Kind, shorten

__all__ = [
    "MAX_PARAMETERS",
    "CalibrationSpec",
    "Prior",
    "Target",
    "load_calibration",
    "parameter_range",
]

MAX_PARAMETERS = 12
SPEC_KEYS = (
    "name",
    "description",
    "base",
    "steps",
    "seed",
    "parameters",
    "targets",
    "replicates",
    "population",
    "distance",
    "budget",
)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class PatternModel(_Spec):
    """A pattern target as written in the file."""

    outcome: str
    observed: float = Field(allow_inf_nan=False)
    sd: float = Field(gt=0, allow_inf_nan=False)
    name: str | None = Field(None, min_length=1)
    overrides: dict[str, Any] | None = Field(None, alias="set")


class StatisticModel(_Spec):
    """A records statistic as written in the file (a bare name is short for {name: NAME})."""

    name: str
    sd: float | None = Field(None, gt=0, allow_inf_nan=False)
    route: str | None = None
    format: str | None = None
    months: list[int] | None = None


class RecordsModel(_Spec):
    """A records target as written in the file."""

    folder: str
    statistics: list[StatisticModel | str] = Field(min_length=1)


class TargetsModel(_Spec):
    """The targets block."""

    patterns: list[PatternModel] = Field(default_factory=list)
    records: RecordsModel | None = None


class DistanceModel(_Spec):
    """The distance block."""

    p: float = Field(2.0, ge=1, allow_inf_nan=True)


class BudgetModel(_Spec):
    """When to stop: the first limit reached (checked between generations)."""

    runs: int = Field(2000, ge=1, le=10_000_000)
    minutes: float = Field(30.0, gt=0, allow_inf_nan=False)
    generations: int = Field(8, ge=1, le=1000)
    min_epsilon: float = Field(0.0, ge=0, allow_inf_nan=False)
    min_acceptance: float = Field(0.01, ge=0, le=1)


class SpecModel(_Spec):
    """The whole file."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str | None = None
    base: str | None = None
    steps: int | None = Field(None, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=MAX_SEED)
    parameters: dict[str, list[float] | dict[str, Any]] = Field(min_length=1, max_length=MAX_PARAMETERS)
    targets: TargetsModel
    replicates: int = Field(1, ge=1, le=1000)
    population: int = Field(40, ge=4, le=100_000)
    distance: DistanceModel = Field(default_factory=DistanceModel)
    budget: BudgetModel = Field(default_factory=BudgetModel)


def _format(error: ValidationError) -> str:
    """One line: the field, what is wrong, the value given, and what is allowed."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"] if not str(part).startswith(("list[", "dict[", "str")))
    if first["type"] == "extra_forbidden":
        return f"{location}: unknown key; allowed here: {_allowed_here(first['loc'][:-1])}"
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {shorten(value)})"
    return f"{location or 'spec'}: {first['msg'].removeprefix('Value error, ')}{shown}"


def _allowed_here(location: tuple) -> str:
    model: type[BaseModel] = SpecModel
    for part in location:
        annotation = model.model_fields.get(str(part))
        if annotation is None:
            continue
        inner = [a for a in (annotation.annotation, *typing.get_args(annotation.annotation)) if isinstance(a, type)]
        for candidate in inner:
            for arg in (candidate, *typing.get_args(candidate)):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    model = arg
    return ", ".join(model.model_fields)


# The model's declared parameters ---------------------------------------------------------------


def _field_model(annotation: Any) -> type[BaseModel] | None:
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _is_real(annotation: Any) -> bool:
    args = set(typing.get_args(annotation)) if isinstance(annotation, types.UnionType) else {annotation}
    return float in args


def parameter_range(key: str, base: Mapping[str, Any]) -> tuple[float, float, bool, bool]:
    """The range the model allows for a real-valued parameter: (low, high, low included, high included).

    A share of the workshop mix (`workshops.mix.KIND`, a kind in the base mix) is a share in [0, 1];
    the other kinds' shares are rescaled to make room. ConfigError for an unknown key or a
    parameter that is not real-valued (whole numbers, choices and switches are not fitted).
    """
    parts = key.split(".")
    if parts[:2] == ["workshops", "mix"] and len(parts) == 3:
        mix = base.get("workshops", {}).get("mix", {})
        if parts[2] not in mix:
            raise ConfigError(f"parameters.{key}: {parts[2]!r} is not in the base mix; the mix has {', '.join(mix)}")
        return 0.0, 1.0, True, True
    model: type[BaseModel] = Params
    for index, part in enumerate(parts):
        info = model.model_fields.get(part)
        if info is None:
            known = list(model.model_fields)
            raise ConfigError(
                f"parameters.{key}: unknown parameter {part!r}{suggest(part, known)}; `tracktwo params` lists them all"
            )
        if part == "kinds" and model is Params:
            if index + 1 >= len(parts) or parts[index + 1] not in base.get("kinds", {}):
                raise ConfigError(f"parameters.{key}: name a kind of the base config: {', '.join(base['kinds'])}")
            return _kind_range(key, parts[index + 2 :])
        last = index == len(parts) - 1
        nested = _field_model(info.annotation)
        if not last:
            if nested is None:
                raise ConfigError(f"parameters.{key}: {'.'.join(parts[: index + 1])} has no parameters under it")
            model = nested
            continue
        if nested is not None or not _is_real(info.annotation):
            raise ConfigError(
                f"parameters.{key}: not a real-valued parameter ({_type_name(info.annotation)}); "
                "calibration fits real numbers only"
            )
        return _bounds(info.metadata)
    raise ConfigError(f"parameters.{key}: not a parameter")


def _kind_range(key: str, rest: list[str]) -> tuple[float, float, bool, bool]:
    model: type[BaseModel] = Kind
    for index, part in enumerate(rest):
        info = model.model_fields.get(part)
        if info is None:
            raise ConfigError(
                f"parameters.{key}: unknown parameter {part!r}; a kind has {', '.join(model.model_fields)}"
            )
        nested = _field_model(info.annotation)
        if index < len(rest) - 1 and nested is not None:
            model = nested
            continue
        if nested is not None or not _is_real(info.annotation) or index != len(rest) - 1:
            raise ConfigError(f"parameters.{key}: not a real-valued parameter; calibration fits real numbers only")
        return _bounds(info.metadata)
    raise ConfigError(f"parameters.{key}: name a kind's parameter, e.g. kinds.elite.standing.mean")


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _bounds(metadata: list[Any]) -> tuple[float, float, bool, bool]:
    low, high, low_in, high_in = -math.inf, math.inf, False, False
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low, low_in = float(item.ge), True
        elif isinstance(item, annotated_types.Gt):
            low, low_in = float(item.gt), False
        elif isinstance(item, annotated_types.Le):
            high, high_in = float(item.le), True
        elif isinstance(item, annotated_types.Lt):
            high, high_in = float(item.lt), False
    return low, high, low_in, high_in


def _show_range(low: float, high: float, low_in: bool, high_in: bool) -> str:
    return f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"


# Priors and targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """A parameter's prior: a scipy.stats continuous distribution with its arguments (uniform: loc, scale)."""

    key: str
    distribution: str
    arguments: dict[str, float]

    def frozen(self) -> Any:
        """The frozen scipy distribution."""
        return getattr(scipy.stats, self.distribution)(**self.arguments)

    def support(self) -> tuple[float, float]:
        """Where the prior puts its mass: (ppf(0), ppf(1))."""
        low, high = self.frozen().support()
        return float(low), float(high)

    def describe(self) -> str:
        """E.g. uniform(0.02, 0.3) or beta(a=2, b=5)."""
        if self.distribution == "uniform":
            loc, scale = self.arguments["loc"], self.arguments["scale"]
            return f"uniform({loc:g}, {loc + scale:g})"
        return f"{self.distribution}(" + ", ".join(f"{k}={v:g}" for k, v in self.arguments.items()) + ")"


def _prior(key: str, value: Any, allowed: tuple[float, float, bool, bool]) -> Prior:
    where = f"parameters.{key}"
    if isinstance(value, list):
        if len(value) != 2 or not all(math.isfinite(v) for v in value) or value[0] >= value[1]:
            raise ConfigError(f"{where}: a uniform prior is [low, high] with low < high, got {value}")
        prior = Prior(key, "uniform", {"loc": float(value[0]), "scale": float(value[1] - value[0])})
    else:
        arguments = dict(value)
        name = arguments.pop("distribution", None)
        if not isinstance(name, str):
            raise ConfigError(f"{where}: expected [low, high] or {{distribution: NAME, ...}}, got {shorten(value)}")
        candidate = getattr(scipy.stats, name, None)
        if not isinstance(candidate, scipy.stats.rv_continuous):
            raise ConfigError(
                f"{where}.distribution: {name!r} is not a scipy.stats continuous distribution "
                "(e.g. uniform, beta, truncnorm, loguniform, gamma)"
            )
        bad = [k for k, v in arguments.items() if isinstance(v, bool) or not isinstance(v, int | float)]
        if bad:
            raise ConfigError(f"{where}.{bad[0]}: expected a number, got {shorten(arguments[bad[0]])}")
        try:
            frozen = candidate(**arguments)
            median = float(frozen.median())
        except TypeError as error:
            raise ConfigError(f"{where}: {name} does not take these arguments ({error})") from None
        if not math.isfinite(median):
            raise ConfigError(f"{where}: {name} with {arguments} is not a valid distribution (check its shapes)")
        prior = Prior(key, name, {k: float(v) for k, v in arguments.items()})
    low, high = prior.support()
    # a continuous prior puts no mass on a single point, so an open end of the allowed range may be its support's end
    if not (allowed[0] <= low and high <= allowed[1]):
        raise ConfigError(
            f"{where}: the prior {prior.describe()} spans [{low:g}, {high:g}], outside what the model allows "
            f"for {key}: {_show_range(*allowed)}"
        )
    return prior


@dataclass(frozen=True)
class Target:
    """One summary statistic compared with an observation: its name, observed value, sd and how it is computed."""

    name: str
    observed: float
    sd: float
    kind: Literal["pattern", "records"]
    source: str  # the outcome name (pattern) or the statistic name (records)
    options: dict[str, Any] = field(default_factory=dict)
    overrides: dict[str, Any] = field(default_factory=dict)  # a pattern of another configuration: its `set:`

    @property
    def setting(self) -> str:
        """The configuration it is measured in, as a stable key ('' for the base with the fitted values)."""
        return json.dumps(self.overrides, sort_keys=True) if self.overrides else ""


def _patterns(patterns: list[PatternModel], base: Mapping[str, Any], fitted: list[str]) -> list[Target]:
    targets = []
    for index, pattern in enumerate(patterns):
        where = f"targets.patterns.{index}"
        if pattern.outcome not in OUTCOMES:
            raise ConfigError(
                f"{where}.outcome: {pattern.outcome!r} is not an outcome of the model"
                f"{suggest(pattern.outcome, OUTCOMES)}; outcomes: {', '.join(OUTCOMES)}"
            )
        overrides = dict(pattern.overrides or {})
        for key in overrides:
            clash = [f for f in fitted if f == key or f.startswith(f"{key}.") or key.startswith(f"{f}.")]
            if clash:
                raise ConfigError(f"{where}.set: {key} is fitted ({clash[0]}); a pattern may set only other parameters")
        if overrides:
            try:
                make_params(merge(base, overrides))
            except ConfigError as error:
                raise ConfigError(f"{where}.set: the model rejects it: {error}") from None
        shown = ", ".join(f"{k}={json.dumps(v, separators=(',', ':'))}" for k, v in overrides.items())
        name = pattern.name or (f"{pattern.outcome} [{shown}]" if overrides else pattern.outcome)
        targets.append(Target(name, pattern.observed, pattern.sd, "pattern", pattern.outcome, overrides=overrides))
    return targets


def _statistic_options(where: str, item: StatisticModel) -> list[tuple[str, dict[str, Any]]]:
    """The statistic's names and options (uptake_curve becomes one statistic per month)."""
    if item.name not in summaries.STATISTICS:
        raise ConfigError(
            f"{where}.name: {item.name!r} is not a records statistic{suggest(item.name, summaries.STATISTICS)}; "
            f"statistics: {', '.join(summaries.STATISTICS)}"
        )
    statistic = summaries.STATISTICS[item.name]
    given = {k: v for k, v in (("route", item.route), ("format", item.format), ("months", item.months)) if v}
    wanted = {"route": "route", "format": "format", "month": "months"}.get(statistic.option or "")
    extra = sorted(set(given) - {wanted})
    if extra:
        raise ConfigError(f"{where}.{extra[0]}: {item.name} takes no {extra[0]} option")
    if wanted and wanted not in given:
        raise ConfigError(f"{where}: {item.name} needs the option {wanted} ({statistic.description})")
    if wanted == "route":
        if item.route not in ROUTES:
            raise ConfigError(f"{where}.route: {item.route!r} is not a route; routes: {', '.join(ROUTES)}")
        return [(f"route_share_{item.route}", {"route": item.route})]
    if wanted == "format":
        return [(f"format_share_{item.format}", {"format": item.format})]
    if wanted == "months":
        if any(m < 1 for m in item.months or []):
            raise ConfigError(f"{where}.months: months are 1 or more, got {item.months}")
        return [(f"uptake_by_month_{m}", {"month": m}) for m in dict.fromkeys(item.months or [])]
    return [(item.name, {})]


# The checked spec --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSpec:
    """A checked calibration: priors, targets, the base config, sizes, budget and where it came from."""

    name: str
    priors: dict[str, Prior]
    targets: list[Target]
    base: dict[str, Any]
    seed: int
    replicates: int
    population: int
    p: float
    budget: BudgetModel
    records: summaries.Records | None = None
    path: Path | None = None
    text: str = ""
    description: str | None = None

    @property
    def keys(self) -> list[str]:
        """The fitted parameters' dotted keys."""
        return list(self.priors)

    @property
    def runs_per_particle(self) -> int:
        """Model runs per particle: the replicates in each configuration the targets are measured in."""
        return self.replicates * len({target.setting for target in self.targets})

    @cached_property
    def fingerprint(self) -> str:
        """What a resumed calibration must share with the one it continues."""
        digest = hashlib.sha256()
        digest.update(repr((self.name, sorted(self.base.items(), key=str), self.seed, self.replicates)).encode())
        digest.update(
            repr(
                (self.population, self.p, [(p.key, p.distribution, p.arguments) for p in self.priors.values()])
            ).encode()
        )
        digest.update(repr([(t.name, t.observed, t.sd, t.setting) for t in self.targets]).encode())
        return digest.hexdigest()[:16]

    def base_value(self, key: str) -> float | None:
        """The base config's value of a fitted key (a mix share included), or None."""
        value = keys_module.get(self.base, key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    def config(self, values: Mapping[str, float]) -> dict[str, Any]:
        """The model config for one particle: the base with the fitted keys set (a mix share rescales the rest)."""
        overrides: dict[str, Any] = {}
        for key, value in values.items():
            if key.startswith("workshops.mix."):
                kind = key.rpartition(".")[2]
                mix = dict(overrides.get("workshops.mix") or self.base["workshops"]["mix"])
                rest = sum(v for k, v in mix.items() if k != kind)
                share = float(value)
                mix = {k: (share if k == kind else (v / rest * (1 - share) if rest else 0.0)) for k, v in mix.items()}
                overrides["workshops.mix"] = mix
            else:
                overrides[key] = float(value)
        return merge(self.base, overrides)


def load_calibration(spec: str | Path | Mapping[str, Any], *, base_dir: Path | None = None) -> CalibrationSpec:
    """A calibration spec from a YAML file or a mapping, checked whole; ConfigError of one line otherwise."""
    if isinstance(spec, str | Path):
        path = Path(spec)
        data = read_yaml(path, "calibration spec")
        try:
            return _check(data, path.resolve().parent, path, path.read_text(encoding="utf-8"))
        except ConfigError as error:
            raise ConfigError(f"calibration spec {path}: {error}") from None
    if not isinstance(spec, Mapping):
        raise ConfigError(f"spec: expected a path or a mapping, got {type(spec).__name__}")
    return _check(dict(spec), base_dir or Path.cwd(), None, "")


def _check(data: dict[str, Any], folder: Path, path: Path | None, text: str) -> CalibrationSpec:
    unknown = sorted(set(data) - set(SPEC_KEYS), key=str)
    if unknown:
        raise ConfigError(
            f"{unknown[0]}: unknown key{suggest(str(unknown[0]), SPEC_KEYS)}; a spec may hold {', '.join(SPEC_KEYS)}"
        )
    try:
        model = SpecModel.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format(error)) from None
    if not model.targets.patterns and model.targets.records is None:
        raise ConfigError("targets: name at least one pattern or a records folder")
    records, record_targets = None, []
    steps = model.steps
    if model.targets.records is not None:
        records, record_targets = _records(model.targets.records, folder)
        if steps is None and records.months:
            steps = records.months
    base = load_base(resolve_base_path(path or folder / "spec.yaml", model.base), steps)
    priors = {}
    for key, value in model.parameters.items():
        priors[key] = _prior(key, value, parameter_range(key, base))
    if sum(k.startswith("workshops.mix.") for k in priors) > 1:
        raise ConfigError("parameters: fit at most one share of workshops.mix (the others are rescaled to sum to 1)")
    spec = CalibrationSpec(
        name=model.name,
        priors=priors,
        targets=_patterns(model.targets.patterns, base, list(priors)) + record_targets,
        base=base,
        seed=model.seed,
        replicates=model.replicates,
        population=model.population,
        p=model.distance.p,
        budget=model.budget,
        records=records,
        path=path,
        text=text,
        description=model.description,
    )
    names = [t.name for t in spec.targets]
    if len(set(names)) < len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise ConfigError(f"targets: {twice} is named twice")
    _check_corners(spec)
    return spec


def _records(block: RecordsModel, folder: Path) -> tuple[summaries.Records, list[Target]]:
    chosen: list[tuple[str, str, dict[str, Any], float | None]] = []
    for index, item in enumerate(block.statistics):
        statistic = StatisticModel(name=item) if isinstance(item, str) else item
        for name, options in _statistic_options(f"targets.records.statistics.{index}", statistic):
            chosen.append((name, statistic.name, options, statistic.sd))
    needs = [need for _, source, _, _ in chosen for need in summaries.STATISTICS[source].needs]
    where = Path(block.folder)
    records = summaries.read_records(where if where.is_absolute() else folder / where, needs)
    targets = []
    for name, source, options, sd in chosen:
        observed = summaries.compute(records, source, options)
        scale = sd if sd is not None else max(0.2 * abs(observed), summaries.STATISTICS[source].floor)
        targets.append(Target(name, observed, scale, "records", source, options))
    return records, targets


def _check_corners(spec: CalibrationSpec) -> None:
    """The model must accept the priors' central values (a fitted key it rejects is named here)."""
    values = {key: float(prior.frozen().median()) for key, prior in spec.priors.items()}
    try:
        make_params(spec.config(values))
    except ConfigError as error:
        raise ConfigError(f"parameters: the model rejects the priors' medians: {error}") from None
