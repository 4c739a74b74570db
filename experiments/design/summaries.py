"""Summary statistics of a programme's records: the documented list a calibration spec picks from.

Records are the files `tracktwo run` writes (timeseries.csv, ideas.csv, events.csv), the
observation format: a real programme fills in the columns it kept and may leave the others empty.
Each statistic declares the columns it reads; the same function computes it from observed records
and from a simulated run's tables, so the two are compared like for like.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.model import ConfigError

__all__ = [
    "RECORD_FILES",
    "STATISTICS",
    "Records",
    "Statistic",
    "compute",
    "read_records",
    "statistic_names",
]

RECORD_FILES = ("timeseries", "ideas", "events")
_BOOLEAN_WORDS = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_TEXT_COLUMNS = {"origin", "route", "format", "initiative", "path"}
_BOOLEAN_COLUMNS = {"entered_ripe", "leaked", "workshop_idea"}
_BLANK_MEANS_NONE = {"route"}  # blank where no idea was taken up: a wholly blank column is a fact, not a gap


@dataclass(frozen=True)
class Records:
    """A programme's records (or a simulated run's tables), by file name, and the months they span."""

    tables: Mapping[str, pd.DataFrame]
    months: int

    def table(self, name: str) -> pd.DataFrame:
        """The table of a record file (empty if the records have none)."""
        return self.tables.get(name, pd.DataFrame())


@dataclass(frozen=True)
class Statistic:
    """One summary statistic: what it measures, the columns it reads, its smallest sensible sd, its options."""

    name: str
    description: str
    needs: tuple[tuple[str, str], ...]
    floor: float
    compute: Callable[[Records, Mapping[str, Any]], float]
    option: str | None = None  # route / format / month: the option this statistic requires

    @property
    def columns(self) -> str:
        """The columns it reads, as `file.csv:column` words."""
        return ", ".join(f"{file}.csv:{column}" for file, column in self.needs)


def _programme_ideas(records: Records) -> pd.DataFrame:
    ideas = records.table("ideas")
    return ideas[ideas["origin"] == "workshop"]


def _taken_up(records: Records) -> pd.DataFrame:
    ideas = _programme_ideas(records)
    return ideas[ideas["entered_step"] >= 0]


def _first_uptake(records: Records, _: Mapping[str, Any]) -> float:
    taken = _taken_up(records)
    return float(taken["entered_step"].min()) if len(taken) else float(records.months + 1)


def _uptake_delay(records: Records, _: Mapping[str, Any]) -> float:
    taken = _taken_up(records)
    if not len(taken):
        return float(records.months)
    return float((taken["entered_step"] - taken["origin_step"]).mean())


def _share(part: float, whole: float) -> float:
    return float(part / whole) if whole else 0.0


def _route_share(records: Records, options: Mapping[str, Any]) -> float:
    taken = _taken_up(records)
    return _share((taken["route"] == options["route"]).sum(), len(taken))


def _format_share(records: Records, options: Mapping[str, Any]) -> float:
    events = records.table("events")
    return _share((events["format"] == options["format"]).sum(), len(events))


def _uptake_by(records: Records, options: Mapping[str, Any]) -> float:
    taken = _taken_up(records)
    return float((taken["entered_step"] <= int(options["month"])).sum())


def _final(records: Records, column: str) -> float:
    series = records.table("timeseries")[column].dropna()
    return float(series.iloc[-1]) if len(series) else 0.0


STATISTICS: dict[str, Statistic] = {
    s.name: s
    for s in (
        Statistic(
            "meetings_held", "Meetings held (rows of events.csv)", (("events", "step"),), 1.0,
            lambda r, _: float(len(r.table("events"))),
        ),
        Statistic(
            "mean_participants", "Mean participants per meeting", (("events", "participants"),), 1.0,
            lambda r, _: float(r.table("events")["participants"].mean()) if len(r.table("events")) else 0.0,
        ),
        Statistic(
            "leaks", "Meetings that leaked", (("events", "leaked"),), 1.0,
            lambda r, _: float(r.table("events")["leaked"].sum()),
        ),
        Statistic(
            "ideas_recorded", "Ideas recorded from the programme's meetings (ideas.csv rows with origin workshop)",
            (("ideas", "origin"),), 1.0, lambda r, _: float(len(_programme_ideas(r))),
        ),
        Statistic(
            "ideas_taken_up", "Programme ideas officials took up (entered_step >= 0)",
            (("ideas", "origin"), ("ideas", "entered_step")), 1.0, lambda r, _: float(len(_taken_up(r))),
        ),
        Statistic(
            "share_taken_up", "Share of the programme's ideas officials took up",
            (("ideas", "origin"), ("ideas", "entered_step")), 0.05,
            lambda r, _: _share(len(_taken_up(r)), len(_programme_ideas(r))),
        ),
        Statistic(
            "first_uptake_month", "Month of the first uptake (months + 1 if none)",
            (("ideas", "origin"), ("ideas", "entered_step")), 3.0, _first_uptake,
        ),
        Statistic(
            "mean_uptake_delay", "Mean months from an idea's meeting to its uptake (the months recorded if none)",
            (("ideas", "origin"), ("ideas", "origin_step"), ("ideas", "entered_step")), 3.0, _uptake_delay,
        ),
        Statistic(
            "share_uptake_ripe", "Share of uptakes in ripe moments (0 if none)",
            (("ideas", "origin"), ("ideas", "entered_step"), ("ideas", "entered_ripe")), 0.05,
            lambda r, _: _share(_taken_up(r)["entered_ripe"].sum(), len(_taken_up(r))),
        ),
        Statistic(
            "route_share", "Share of uptakes by one route (option route: via_elites, ...; 0 if none)",
            (("ideas", "origin"), ("ideas", "entered_step"), ("ideas", "route")), 0.05, _route_share, "route",
        ),
        Statistic(
            "format_share", "Share of meetings of one format (option format: workshop, training, ...)",
            (("events", "format"),), 0.05, _format_share, "format",
        ),
        Statistic(
            "uptake_curve", "Programme ideas taken up by the end of a month (option months: [24, 60, ...])",
            (("ideas", "origin"), ("ideas", "entered_step")), 1.0, _uptake_by, "month",
        ),
        Statistic(
            "share_months_ripe", "Share of months Track One was ripe", (("timeseries", "ripe"),), 0.05,
            lambda r, _: float(r.table("timeseries")["ripe"].mean()) if len(r.table("timeseries")) else 0.0,
        ),
        Statistic(
            "final_cross_side_trust", "Mean cross-side trust in the last month recorded",
            (("timeseries", "mean_cross_side_trust"),), 0.01, lambda r, _: _final(r, "mean_cross_side_trust"),
        ),
    )
}  # fmt: skip


def statistic_names() -> list[str]:
    """The statistics a spec may pick."""
    return list(STATISTICS)


def compute(records: Records, name: str, options: Mapping[str, Any]) -> float:
    """One statistic of some records."""
    return STATISTICS[name].compute(records, options)


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, keep_default_na=True, dtype=str)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise ConfigError(f"records: {path} is not a readable CSV file ({str(error).splitlines()[0]})") from None


def _typed(file: str, column: str, values: pd.Series) -> pd.Series:
    """A column as the type the statistics expect; ConfigError naming the first malformed cell."""
    if column in _TEXT_COLUMNS:
        return values.fillna("")
    if column in _BOOLEAN_COLUMNS:
        mapped = values.str.strip().str.lower().map(_BOOLEAN_WORDS)
        expected = "true/false"
    else:
        mapped = pd.to_numeric(values, errors="coerce")
        expected = "a number"
    bad = values.notna() & mapped.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ConfigError(
            f"records: {file}.csv column {column!r} row {row + 2} holds {values.iloc[row]!r}; expected {expected}"
        )
    return mapped


def read_records(folder: Path, needs: Sequence[tuple[str, str]]) -> Records:
    """The records in a folder, checked for the columns the chosen statistics read.

    A needed file or column that is missing, or a needed column left wholly empty, or a cell that is
    not of the column's type, is a ConfigError of one line. Other columns may be absent or empty.
    """
    if not folder.is_dir():
        raise ConfigError(
            f"targets.records.folder: {folder} is not a folder of records (timeseries.csv, ideas.csv, events.csv)"
        )
    tables: dict[str, pd.DataFrame] = {}
    for file in dict.fromkeys(f for f, _ in needs):
        path = folder / f"{file}.csv"
        if not path.is_file():
            raise ConfigError(f"records: {path} is missing; the chosen statistics read {file}.csv")
        tables[file] = _read_csv(path)
    for file, column in needs:
        table = tables[file]
        if column not in table.columns:
            raise ConfigError(
                f"records: {file}.csv has no column {column!r}, which the chosen statistics read; "
                f"it has {', '.join(map(str, table.columns)) or 'no columns'}"
            )
        if len(table) and table[column].isna().all() and column not in _BLANK_MEANS_NONE:
            raise ConfigError(f"records: {file}.csv column {column!r} is empty, but a chosen statistic reads it")
    for file, table in tables.items():
        for column in {c for f, c in needs if f == file}:
            table[column] = _typed(file, column, table[column])
    return Records(tables, _months(folder, tables))


def _months(folder: Path, tables: Mapping[str, pd.DataFrame]) -> int:
    """The months the records span: the last step of timeseries.csv (else of events.csv), or 0."""
    for file in ("timeseries", "events"):
        table = tables.get(file)
        if table is None and (folder / f"{file}.csv").is_file():
            table = _read_csv(folder / f"{file}.csv")
        if table is not None and "step" in table.columns and len(table):
            steps = pd.to_numeric(table["step"], errors="coerce").dropna()
            if len(steps):
                return int(steps.max())
    return 0
