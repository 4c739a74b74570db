"""Programmes files: candidate Track Two programmes, each a set of overrides on one base config.

    name: example                  # names the results folder (default: the file's name)
    description: Which programme gets ideas into Track One?
    base: ../default.yaml          # a model config, relative to this file (default: configs/default.yaml)
    steps: 120                     # months per run (default: the base config's)
    replicates: 100                # paired runs per programme: replicate r of every programme uses one seed
    seed: 0                        # the comparison's seed (run seeds derive from it)
    rank_by: ideas_transferred     # an outcome, or {name: time_to_first_transfer, goal: minimize}
    baseline: The usual suspects   # optional: differences and verdicts against this programme (default: the best)
    programmes:
      The usual suspects:
        description: Elites only, one workshop.
        overrides: {workshops.count: 1, workshops.mix: {elite: 1.0}}

A programmes file becomes a sweep whose points are the programmes, run on common seeds, so the
sweep engine runs, stores and resumes it like any other. Every problem raises ConfigError with
one line naming the file, and the programme where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracktwo.experiments.design import keys, limits
from tracktwo.experiments.design.config import MAP_KEYS, load_checked, reject_unknown_keys, resolve_path
from tracktwo.experiments.design.map_check import warn_about_map
from tracktwo.experiments.design.outcome_names import check_outcome, outcome_names
from tracktwo.experiments.design.sweepfile import (
    GOALS,
    KEY_PATTERN,
    MAX_SEED,
    SweepSpec,
    check_integer,
    check_name,
    load_base,
    resolve_base_path,
    suggest,
)
from tracktwo.model import ConfigError, make_params, merge, outcome_goal

__all__ = [
    "DEFAULT_RANK_BY",
    "DEFAULT_REPLICATES",
    "KNOWN_KEYS",
    "MIN_REPLICATES",
    "MISSING",
    "PROGRAMME_KEYS",
    "Programme",
    "ProgrammeSet",
    "check_baseline",
    "flatten_overrides",
    "load_programmes",
]

KNOWN_KEYS = (
    "name",
    "description",
    "base",
    "steps",
    "replicates",
    "seed",
    "rank_by",
    "baseline",
    "programmes",
    "posterior",
)
PROGRAMME_KEYS = ("description", "overrides")
DEFAULT_REPLICATES = 100  # about 20 s for three programmes of default runs on 2 cores
MIN_REPLICATES = 2  # a paired interval needs two pairs at least
DEFAULT_RANK_BY = "ideas_transferred"
MISSING = object()  # a key the base config does not set


@dataclass(frozen=True)
class Programme:
    """A candidate programme: its name, what it is, and its overrides as flat dotted keys."""

    name: str
    description: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class ProgrammeSet:
    """A checked programmes file: the programmes, the base config they modify, and how to run and rank them."""

    path: Path
    text: str
    name: str
    description: str | None
    base: dict[str, Any]
    base_path: Path
    programmes: tuple[Programme, ...]
    replicates: int
    seed: int
    rank_by: str
    goal: str
    baseline: str | None = None  # the programme others are compared with (None: the best)
    posterior: Path | None = None  # a calibrate results folder: replicate r's uncertain values, the same for all

    @property
    def names(self) -> list[str]:
        """Programme names in file order (point i of the sweep is programme i)."""
        return [programme.name for programme in self.programmes]

    def points(self) -> list[dict[str, Any]]:
        """Each programme's overrides, plus the base value of every key another programme overrides.

        Filling in the base values changes no run, but gives the runs table one column per key
        that differs between programmes, with every programme's value in it.
        """
        overridden = list(dict.fromkeys(key for programme in self.programmes for key in programme.overrides))
        filled = []
        for programme in self.programmes:
            point = dict(programme.overrides)  # its own keys first, in its own order (the order they merge in)
            for key in overridden:
                value = keys.get(self.base, key, MISSING)
                if value is not MISSING and not any(_overlap(key, own) for own in programme.overrides):
                    point[key] = value
            filled.append(point)
        return filled

    def sweep(self, replicates: int | None = None, posterior: Any = None, block: int | None = None) -> SweepSpec:
        """The sweep that runs every programme `replicates` times on common seeds (replicate r: one seed for all).

        `posterior` (a calibrate results folder; default the file's `posterior:`) draws replicate r's uncertain
        values from the calibration's particles, the same for every programme, one particle per `block` (m)
        replicates (default experiments.design.posterior.DEFAULT_BLOCK).
        """
        count = self.replicates if replicates is None else _replicates(replicates, "--replicates")
        limits.check_size("replicates", len(self.programmes), count)
        spec = SweepSpec(
            path=self.path,
            text=self.text,
            name=self.name,
            method="grid",
            parameters={},
            base=self.base,
            base_path=self.base_path,
            replicates=count,
            seed=self.seed,
            metric={"name": self.rank_by, "goal": self.goal},
            timeseries_every=0,
            description=self.description,
            listed_points=tuple(self.points()),
            common_seeds=True,
        )
        from tracktwo.experiments.design.posterior import with_block, with_posterior

        chosen = self.posterior if posterior is None else posterior
        if chosen is None:
            return spec if block is None else with_block(spec, block)  # refused: no posterior to block
        return with_posterior(spec, chosen, block=block)

    def describe(self) -> list[dict[str, Any]]:
        """The programmes as read, for the summary."""
        return [{"name": p.name, "description": p.description, "overrides": p.overrides} for p in self.programmes]


def load_programmes(path: str | Path) -> ProgrammeSet:
    """Read and check a programmes file; ConfigError 'programmes FILE: problem' on the first problem found."""
    return load_checked(path, "programmes", _check)


def _check(file: Path, data: dict[str, Any]) -> ProgrammeSet:
    """Every check, cheapest first; each programme is checked against the model last."""
    unknown = sorted(set(data) - set(KNOWN_KEYS), key=str)
    reject_unknown_keys(data, KNOWN_KEYS, "a programmes file", suggest(str(unknown[0]), KNOWN_KEYS) if unknown else "")
    replicates = _replicates(data.get("replicates", DEFAULT_REPLICATES), "replicates")
    seed = check_integer(data, "seed", 0, minimum=0, maximum=MAX_SEED)
    description = _text(data.get("description"), "description")
    listed = _listed(data.get("programmes"))
    base_path = resolve_base_path(file, data.get("base"))
    base = load_base(base_path, data.get("steps"))
    programmes = tuple(_programme(name, spec, base, file) for name, spec in listed.items())
    rank_by, goal = _rank_by(data.get("rank_by", DEFAULT_RANK_BY), base)
    names = [programme.name for programme in programmes]
    baseline = check_baseline(data.get("baseline"), names, "baseline")
    return ProgrammeSet(
        path=file,
        text=file.read_text(encoding="utf-8"),
        name=check_name(data.get("name"), file),
        description=description,
        base=base,
        base_path=base_path,
        programmes=programmes,
        replicates=replicates,
        seed=seed,
        rank_by=rank_by,
        goal=goal,
        baseline=baseline,
        posterior=_posterior_folder(data.get("posterior"), file),
    )


def _posterior_folder(value: Any, file: Path) -> Path | None:
    """`posterior: DIR`, relative to the programmes file (as given when only the working directory has it)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"posterior: expected a calibrate results folder, got {value!r}")
    folder = Path(value) if Path(value).is_absolute() else file.parent / value
    return folder if folder.exists() else Path(value)


def check_baseline(value: Any, names: list[str], where: str) -> str | None:
    """A baseline must name one of the programmes; None means compare with the best."""
    if value is None:
        return None
    if not isinstance(value, str) or value not in names:
        raise ConfigError(f"{where}: {value!r} is not one of the programmes; expected one of {names}")
    return value


def _replicates(value: Any, key: str) -> int:
    return check_integer({key: value}, key, MIN_REPLICATES, minimum=MIN_REPLICATES)


def _text(value: Any, key: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{key}: expected text, got {value!r}")
    return value.strip() if value else None


def _listed(value: Any) -> dict[str, Any]:
    """The `programmes` mapping: two or more, each named by readable text."""
    example = "programmes: {Name: {description: ..., overrides: {workshops.count: 4}}, Other name: {...}}"
    if not isinstance(value, Mapping):
        raise ConfigError(f"programmes: expected a mapping of programme names to programmes, e.g. {example}")
    if len(value) < 2:
        raise ConfigError(f"programmes: a comparison needs two or more programmes, got {len(value)}")
    folded: dict[str, str] = {}
    for name in value:
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"programmes: {name!r} is not a programme name; names are text, e.g. 'Balanced series'")
        key = " ".join(name.split()).casefold()
        if key in folded:
            raise ConfigError(
                f"programmes: {folded[key]!r} and {name!r} differ only in case or spaces; give them distinct names"
            )
        folded[key] = name
    return dict(value)


def _programme(name: str, spec: Any, base: Mapping[str, Any], file: Path) -> Programme:
    """One programme, its overrides flattened to dotted keys and checked by the model (its message, naming it)."""
    where = f"programme {name!r}"
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: expected {{description: ..., overrides: {{dotted.key: value}}}}, got {spec!r}")
    unknown = sorted(set(spec) - set(PROGRAMME_KEYS), key=str)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {unknown}{suggest(str(unknown[0]), PROGRAMME_KEYS)}; "
            f"a programme may hold {' and '.join(PROGRAMME_KEYS)}"
        )
    description = _text(spec.get("description"), f"{where}: description") or ""
    raw = spec.get("overrides") or {}
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"{where}: overrides: expected a mapping of dotted keys to values (e.g. workshops.count: 4), got {raw!r}"
        )
    overrides = _relative_maps(flatten_overrides(raw, where), file)
    try:
        params = make_params(merge(base, overrides))
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    if any(key in MAP_KEYS for key in overrides):
        warn_about_map(params)  # a programme on its own actor map: the same warnings as a config's
    return Programme(name=" ".join(name.split()), description=description, overrides=overrides)


def flatten_overrides(overrides: Mapping[Any, Any], where: str = "overrides") -> dict[str, Any]:
    """Nested or dotted overrides as flat dotted keys (a mix stays whole: it is one distribution); same merge result."""

    def check(key: Any) -> None:
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            raise ConfigError(
                f"{where}: {key!r} is not a parameter key such as workshops.size (`tracktwo params` lists them)"
            )

    return keys.flatten(overrides, whole=lambda dotted: dotted.rsplit(".", 1)[-1] == "mix", check=check)


def _relative_maps(overrides: dict[str, Any], file: Path) -> dict[str, Any]:
    """An actor-map path in a programme's overrides is relative to the programmes file, as in a config."""
    folder = file.resolve().parent
    return {key: resolve_path(value, folder) if key in MAP_KEYS else value for key, value in overrides.items()}


def _rank_by(value: Any, base: Mapping[str, Any]) -> tuple[str, str]:
    """The outcome that ranks the programmes, and whether more or less of it is better."""
    if isinstance(value, str):
        name, goal = value, outcome_goal(value)
    elif isinstance(value, Mapping) and set(value) <= {"name", "goal"} and "name" in value:
        name, goal = value["name"], value.get("goal", "maximize")
    else:
        raise ConfigError(
            f"rank_by: expected an outcome (e.g. ideas_transferred) or {{name: <outcome>, goal: maximize|minimize}}, "
            f"got {value!r}"
        )
    if goal not in GOALS:
        raise ConfigError(f"rank_by.goal: expected maximize or minimize, got {goal!r}")
    check_outcome("rank_by", name, outcome_names(base))
    return name, goal


def _overlap(key: str, other: str) -> bool:
    """Whether two dotted keys set the same value or one lies inside the other (workshops.mix, workshops.mix.elite)."""
    return key == other or key.startswith(f"{other}.") or other.startswith(f"{key}.")
