"""A sweep's results folder read back: its runs, what was swept, which factors varied, and its outcomes.

Figures, the report and scenario discovery all start here, so they agree on what a folder holds.
A *factor* is one thing that varied across points; columns that move in lockstep (a derived elite
share beside the swept autonomous share, or a whole workshop design swept as one value) are one
factor, named by its swept column.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments import labels
from tracktwo.experiments.analysis.defaults import EVALUATION_INFO, EVALUATION_TABLE
from tracktwo.experiments.engine.store import RUN_COLUMNS, TAIL_COLUMNS
from tracktwo.experiments.engine.worker import FINISHED
from tracktwo.experiments.provenance import read_manifest
from tracktwo.model import OUTCOMES, ConfigError

__all__ = [
    "EVALUATION_INFO",
    "EVALUATION_TABLE",
    "FIGURES",
    "FOLDER_KINDS",
    "MAX_DISCRETE_LEVELS",
    "SCENARIO_PREFIX",
    "SENSITIVITY_INFO",
    "SENSITIVITY_TABLE",
    "SWEEP_KINDS",
    "Factor",
    "ResultsFolder",
    "check_kind",
    "find_factors",
    "folder_kind",
    "load_results",
    "outcome_values",
    "paired_table",
    "read_csv_table",
    "read_json_file",
    "read_table",
]

FIGURES = "figures"
SENSITIVITY_TABLE = "sensitivity.csv"
SENSITIVITY_INFO = "sensitivity.json"
SCENARIO_PREFIX = "scenarios_"

# The kinds of results folder, each with the file only that command writes (its manifest's command word wins).
FOLDER_KINDS = {
    "evaluate": EVALUATION_INFO,
    "compare": "paired_differences.csv",
    "select": "invitations.csv",
    "dilemma": "dilemma.json",
    "sensitivity": SENSITIVITY_INFO,
    "sweep": "runs.parquet",
}
SWEEP_KINDS = ("sweep", "sensitivity")  # folders whose points vary swept parameters: discover and plot read these
_KIND_FIGURES = {"evaluate": "evaluation.png", "compare": "comparison.png", "select": "selection.png"}


@dataclass(frozen=True)
class Factor:
    """Something that varied across the sweep's points: its swept column and any columns in lockstep with it."""

    key: str
    columns: tuple[str, ...]
    swept: tuple[str, ...]
    numeric: bool
    levels: tuple[Any, ...]

    @property
    def label(self) -> str:
        """The factor in words (each swept column's label, joined when several move together)."""
        return " / ".join(labels.parameter_label(column) for column in self.swept)

    def tick(self, row: pd.Series | dict[str, Any]) -> str:
        """A level in words, e.g. '40%' or '1 / 48 / 48'."""
        return " / ".join(labels.value_label(column, row[column]) for column in self.swept)

    @property
    def continuous(self) -> bool:
        """True for a numeric factor with too many levels to show each one (a random or bayes sweep)."""
        return self.numeric and len(self.levels) > MAX_DISCRETE_LEVELS


MAX_DISCRETE_LEVELS = 12


@dataclass
class ResultsFolder:
    """Everything a results folder holds that the analysis needs."""

    directory: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame  # finished runs only
    failed: int
    swept: list[str]  # columns of swept values, then derived ones
    derived: list[str]
    outcomes: list[str]
    factors: list[Factor] = field(default_factory=list)
    scenario_runs: pd.DataFrame | None = None  # over `uncertain:` scenarios: every finished run (runs: lever means)

    @property
    def every_run(self) -> pd.DataFrame:
        """Every finished run: over scenarios, one per (lever, scenario, replicate); else `runs`."""
        return self.runs if self.scenario_runs is None else self.scenario_runs

    @property
    def name(self) -> str:
        """The sweep's name (its folder's, if the manifest has none)."""
        return str(self.sweep.get("name") or self.directory.name)

    @property
    def sweep(self) -> dict[str, Any]:
        """The sweep as the manifest recorded it."""
        return self.manifest.get("sweep", {})

    @property
    def metric(self) -> dict[str, str] | None:
        """The sweep's metric, if it names an outcome the runs report."""
        metric = self.sweep.get("metric")
        return metric if metric and metric.get("name") in self.outcomes else None

    @property
    def replicates(self) -> int:
        """Runs per point."""
        return int(self.sweep.get("replicates") or self.runs.groupby("point").size().max() or 0)

    @property
    def steps(self) -> int | None:
        """Months per run."""
        return self.manifest.get("base_config", {}).get("steps")

    @cached_property
    def points(self) -> pd.DataFrame:
        """One row per point: its index and swept (and derived) values."""
        return self.runs.drop_duplicates("point").set_index("point")[self.swept].sort_index()

    def values(self, point: int, derived: bool = False) -> dict[str, Any]:
        """A point's swept values by column (derived ones too if asked)."""
        row = self.points.loc[point]
        return {column: _plain(row[column]) for column in self.swept if derived or column not in self.derived}

    def describe(self, point: int) -> str:
        """A point in words: its mix, or its varying values."""
        values = self.values(point)
        varying = {c: v for c, v in values.items() if any(c in f.swept for f in self.factors)} or values
        if all(c.startswith("workshops.mix.") for c in varying):
            return labels.describe_mix(self.values(point, derived=True))
        return labels.describe_values(varying)

    @cached_property
    def timeseries(self) -> pd.DataFrame | None:
        """The kept steps of every run, or None when the sweep kept none."""
        path = self.directory / "timeseries.parquet"
        return read_table(path) if path.exists() else None

    @property
    def figures_dir(self) -> Path:
        """Where the figures go."""
        return self.directory / FIGURES


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def read_table(path: Path) -> pd.DataFrame:
    """A parquet table of a results folder; ConfigError with one line if it is truncated or not parquet."""
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError, TypeError, KeyError) as error:  # pyarrow's ArrowInvalid is a ValueError
        reason = " ".join(str(error).split())[:60]
        raise ConfigError(
            f"{path} is damaged or not a parquet table ({reason}...); `tracktwo sweep` with --resume writes it again"
        ) from None


def folder_kind(directory: Path, manifest: dict[str, Any] | None = None) -> str:
    """Which command wrote a results folder: its manifest's command word, else the file only that command writes."""
    manifest = read_manifest(directory / "manifest.json") if manifest is None else manifest
    argv = manifest.get("argv")
    words = [str(w) for w in argv[1:3]] if isinstance(argv, list) else []
    named = next((w for w in words if w in FOLDER_KINDS), None)
    if named:
        return named
    return next((kind for kind, name in FOLDER_KINDS.items() if (directory / name).exists()), "sweep")


def check_kind(directory: Path, kind: str, command: str, accepted: tuple[str, ...] = SWEEP_KINDS) -> None:
    """ConfigError (one line) if `command` does not read a folder of this kind, saying what it expects instead."""
    if kind in accepted:
        return
    figure = _KIND_FIGURES.get(kind)
    drawn = f" (its figure is {directory / figure})" if figure else ""
    raise ConfigError(
        f"{directory}: holds `tracktwo {kind}` results{drawn}; `tracktwo {command}` reads a sweep's folder "
        f"({' or '.join(SWEEP_KINDS)}); `tracktwo report {directory}` writes this folder's report"
    )


def _checked_manifest(path: Path) -> dict[str, Any]:
    """The manifest, with the parts the analysis reads checked for their types (ConfigError naming the file)."""
    manifest = read_manifest(path)
    sweep = manifest.get("sweep", {})
    for key, kind in (("parameters", dict), ("derived", dict), ("metric", dict), ("name", str)):
        value = sweep.get(key)
        if value is not None and not isinstance(value, kind):
            raise ConfigError(
                f"{path}: damaged (sweep.{key} is a {type(value).__name__}, expected a {kind.__name__}); "
                "rerun the command with --overwrite to write it again"
            )
    for key in ("base_config",):
        if not isinstance(manifest.get(key, {}), dict):
            raise ConfigError(f"{path}: damaged ({key} is not a mapping); rerun the command with --overwrite")
    return manifest


def outcome_values(runs: pd.DataFrame, outcome: str, steps: int | None) -> pd.Series:
    """An outcome's values by run, undefined ones handled as documented (docs: "Undefined outcomes").

    A time to an event (an outcome declared `undefined="censored"`) that did not happen in a run is
    censored at the run's length: read as `steps` months, a lower bound. Any other undefined value
    (a mean over no transferred idea, a share of no ripe month) stays missing (NaN): analyses pair
    or drop those runs and say how many they left out.
    """
    values = pd.to_numeric(runs[outcome], errors="coerce").astype(float)
    declared = OUTCOMES.get(outcome)
    if declared is not None and declared.undefined == "censored" and steps is not None:
        values = values.fillna(float(steps))
    return values


def paired_table(runs: pd.DataFrame, outcome: str, points: list[int], steps: int | None) -> pd.DataFrame:
    """An outcome by point (rows) and replicate (columns), kept where every point has a defined value.

    Undefined values follow `outcome_values`; a replicate missing at any point is left out of the
    pairing. ConfigError (one line) if no replicate is left.
    """
    frame = runs.assign(**{outcome: outcome_values(runs, outcome, steps)})
    table = frame.pivot_table(index="point", columns="replicate", values=outcome, aggfunc="first", dropna=False)
    table = table.reindex(points).dropna(axis=1)  # replicates where every point ran and the outcome is defined
    if table.shape[1] == 0:
        raise ConfigError(
            f"--outcomes: {outcome} is undefined (e.g. no idea entered Track One) in every replicate of at least one "
            "coalition; the runs are saved: rerun with --resume and other --outcomes (each is reused, none repeated)"
        )
    return table


def read_csv_table(path: Path, columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV table of a results folder, with `columns` at least; ConfigError with one line naming it if damaged."""
    rerun = "rerun the command that wrote it with --overwrite"
    try:
        table = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        reason = " ".join(str(error).split())[:60]
        raise ConfigError(f"{path} is damaged or not a CSV table ({reason}); {rerun}") from None
    missing = [c for c in columns if c not in table]
    if missing:
        raise ConfigError(f"{path} is damaged (no {missing[0]!r} column); {rerun}")
    return table


def read_json_file(path: Path, kind: type = dict) -> Any:
    """A JSON file of a results folder ({} or [] if absent); ConfigError with one line naming it if damaged."""
    if not path.exists():
        return kind()
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        reason = " ".join(str(error).split())[:60]
        raise ConfigError(f"{path} is damaged or not JSON ({reason}); rerun the command that wrote it") from None
    if not isinstance(value, kind):
        raise ConfigError(
            f"{path} is damaged (a {type(value).__name__}, expected a {'mapping' if kind is dict else 'list'}); "
            "rerun the command that wrote it"
        )
    return value


def load_results(
    directory: str | Path, command: str | None = None, accepted: tuple[str, ...] | None = None
) -> ResultsFolder:
    """Read RESULTS_DIR (runs.parquet and manifest.json); ConfigError with one line if it is not a sweep's results.

    With `command`, the folder's kind (folder_kind) must be among `accepted` (default: every kind).
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such results folder (a sweep writes one: tracktwo sweep FILE --out {folder})")
    manifest = _checked_manifest(folder / "manifest.json")
    if command is not None and accepted is not None:
        check_kind(folder, folder_kind(folder, manifest), command, accepted)
    table = folder / "runs.parquet"
    if not table.is_file():
        raise ConfigError(
            f"{folder}: not a sweep's results folder (no runs.parquet); run `tracktwo sweep` into it first"
        )
    everything = read_table(table)
    if "point" not in everything:
        raise ConfigError(f"{table}: damaged (no 'point' column); rerun the command with --overwrite")
    finished = everything["status"] == FINISHED if "status" in everything else pd.Series(True, index=everything.index)
    runs = everything[finished].reset_index(drop=True)
    if runs.empty:
        raise ConfigError(f"{folder}: no finished runs to analyse ({len(everything)} recorded, all failed)")
    swept, derived = _swept_columns(list(everything.columns), manifest)
    listed = [c for c in swept if c in runs and runs[c].map(lambda v: isinstance(v, list | np.ndarray)).any()]
    runs = runs.assign(**{c: runs[c].map(_level_text) for c in listed})  # list values as levels: their text
    skip = {*RUN_COLUMNS, *swept, *TAIL_COLUMNS}
    outcomes = [
        c
        for c in everything.columns
        if c not in skip
        and pd.api.types.is_numeric_dtype(everything[c])
        and not pd.api.types.is_bool_dtype(everything[c])
    ]
    scenario_runs = None
    uncertain = list(manifest.get("sweep", {}).get("uncertain") or {})
    if uncertain and manifest.get("sweep", {}).get("scenarios"):  # levers x scenarios: analysed by lever
        from tracktwo.experiments.analysis.robust import over_scenarios  # robust -> discovery -> this module

        scenario_runs, runs = runs, over_scenarios(runs, manifest["sweep"])
        swept = [c for c in swept if c not in uncertain]
    results = ResultsFolder(folder, manifest, runs, len(everything) - len(runs), swept, derived, outcomes)
    results.scenario_runs = scenario_runs
    results.factors = find_factors(results.points.reset_index(), swept, derived, _origins(swept, derived, manifest))
    return results


def _swept_columns(columns: list[str], manifest: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The runs table's swept columns (manifest's parameters and derived keys, a swept mapping giving several)."""
    sweep = manifest.get("sweep", {})
    parameters = [*sweep.get("parameters", {}), *(sweep.get("uncertain") or {})]  # levers and uncertainties
    derived_keys = list(sweep.get("derived", {}))
    if not parameters:  # no manifest: the columns between the run's ids and its first outcome
        start = columns.index("seed") + 1 if "seed" in columns else 0
        end = columns.index("ideas_generated") if "ideas_generated" in columns else start
        return columns[start:end], []

    def under(keys: list[str]) -> list[str]:
        return [c for c in columns if any(c == k or c.startswith(f"{k}.") for k in keys)]

    derived = under(derived_keys)
    swept = [c for c in under(parameters) if c not in derived]
    return swept + derived, derived


def _origins(swept: list[str], derived: list[str], manifest: dict[str, Any]) -> dict[str, str | None]:
    """Which swept key each swept column comes from (a swept mapping gives several columns); None if derived."""
    keys = list(manifest.get("sweep", {}).get("parameters", {}))
    origins: dict[str, str | None] = {}
    for column in swept:
        origins[column] = (
            None if column in derived else next((k for k in keys if column == k or column.startswith(f"{k}.")), column)
        )
    return origins


def find_factors(
    points: pd.DataFrame, swept: list[str], derived: list[str], origins: dict[str, str | None] | None = None
) -> list[Factor]:
    """The varying columns grouped into factors.

    Columns that determine each other one-to-one and come from one swept key (a swept mapping),
    or are derived, are one factor. Separately swept keys are always separate factors.
    """
    varying = [c for c in swept if not (points[c].astype(str) == str(points[c].iloc[0])).all()]
    origins = origins or {}
    factors: list[Factor] = []
    grouped: set[str] = set()
    for column in varying:
        if column in grouped:
            continue

        def joins(other: str, column: str = column) -> bool:
            same = origins.get(other) is None or origins.get(other) == origins.get(column) or not origins
            return other != column and other not in grouped and same and _one_to_one(points[column], points[other])

        together = [column] + [other for other in varying if joins(other)]
        grouped.update(together)
        swept_columns = tuple(c for c in together if c not in derived) or (column,)
        key = swept_columns[0]
        numeric = pd.api.types.is_numeric_dtype(points[key]) and not pd.api.types.is_bool_dtype(points[key])
        levels = tuple(sorted(points[key].dropna().unique().tolist(), key=_order))
        factors.append(Factor(key, tuple(together), swept_columns, numeric, levels))
    return factors


def _level_text(value: Any) -> Any:
    """A list value as one comparable level: its items joined by commas."""
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple | np.ndarray) else value


def _order(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, int | float) and not isinstance(value, bool) else (1, str(value))


def _one_to_one(a: pd.Series, b: pd.Series) -> bool:
    pairs = pd.DataFrame({"a": a.astype(str), "b": b.astype(str)}).drop_duplicates()
    return len(pairs) == pairs["a"].nunique() == pairs["b"].nunique()
