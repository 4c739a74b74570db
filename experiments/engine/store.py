"""The results store: an SQLite file in WAL mode that commits each run as it finishes, then tidy tables.

Runs arrive in whatever order the workers finish them; each is committed at once, so `kill -9`
loses only the runs in flight and `--resume` knows exactly what is done. The exported tables are
sorted by (point, replicate), so they are identical whatever the order of arrival.
"""

from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tracktwo.experiments.design.keys import flatten
from tracktwo.experiments.design.points import Point
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.engine.worker import FAILED, FINISHED, RunRecord
from tracktwo.experiments.provenance import write_atomic
from tracktwo.model import ConfigError

__all__ = [
    "DATABASE",
    "EXPORT_BATCH_RUNS",
    "PREVIOUS",
    "RUN_COLUMNS",
    "SCHEMA",
    "TABLES",
    "TAIL_COLUMNS",
    "Store",
    "drop_previous",
    "restore_previous",
    "set_aside",
    "store_name",
]

DATABASE = "sweep.sqlite"
TABLES = ("runs.parquet", "runs.csv", "timeseries.parquet", "summary.csv", "manifest.json")
EXPORT_BATCH_RUNS = 500  # runs per parquet row group when streaming the time series out
RUN_COLUMNS = ("point", "replicate", "seed")
TAIL_COLUMNS = ("wall_time_s", "status", "error")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (point INTEGER PRIMARY KEY, vals TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    point INTEGER NOT NULL, replicate INTEGER NOT NULL, seed INTEGER NOT NULL,
    status TEXT NOT NULL, error TEXT, wall_time_s REAL NOT NULL, outcomes TEXT NOT NULL,
    ts_columns TEXT, ts_rows INTEGER, ts_data BLOB,
    PRIMARY KEY (point, replicate)
);
"""


def _connect(path: Path) -> sqlite3.Connection:
    """The store's database: WAL (readers never block the writer), every commit synced to disk."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")  # a commit survives kill -9 and power loss
    connection.executescript(SCHEMA)
    return connection


def _remove(directory: Path, names: Iterable[str]) -> None:
    """Delete a sweep's files (and SQLite's -wal and -shm beside its database) for --overwrite."""
    for name in names:
        for path in (directory / name, directory / f"{name}-wal", directory / f"{name}-shm"):
            path.unlink(missing_ok=True)


PREVIOUS = ".tracktwo-previous"  # --overwrite: the earlier results, set aside until the new command stores a run


def _files(directory: Path, names: Iterable[str]) -> list[Path]:
    return [
        path
        for name in names
        for path in (directory / name, directory / f"{name}-wal", directory / f"{name}-shm")
        if path.is_file()
    ]


def set_aside(directory: Path) -> None:
    """--overwrite: move the earlier results into DIR/.tracktwo-previous/ (renames; kept until `drop_previous`).

    A set-aside left by an overwrite that was killed before its first run is put back first, so the
    results it holds are never the ones deleted.
    """
    backup = directory / PREVIOUS
    if backup.is_dir() and not (directory / DATABASE).exists():
        restore_previous(directory)
    drop_previous(directory)
    files = _files(directory, (DATABASE, *TABLES))
    if files:
        backup.mkdir()
        for path in files:
            path.replace(backup / path.name)


def restore_previous(directory: Path) -> None:
    """Put the set-aside results back (the new command stored no run): its own partial files are removed first."""
    backup = directory / PREVIOUS
    if not backup.is_dir():
        return
    _remove(directory, (DATABASE, *TABLES))
    for path in backup.iterdir():
        path.replace(directory / path.name)
    backup.rmdir()


def drop_previous(directory: Path) -> None:
    """Delete the set-aside results (the new command has stored a run, or there were none)."""
    backup = directory / PREVIOUS
    if backup.is_dir():
        for path in backup.iterdir():
            path.unlink()
        backup.rmdir()


class Store:
    """One sweep's durable record: its points and every finished or failed run."""

    def __init__(
        self, directory: Path, connection: sqlite3.Connection, lock: folder_lock.FolderLock, owns_lock: bool = True
    ) -> None:
        self.directory = directory
        self.connection = connection
        self.lock = lock
        self.owns_lock = owns_lock  # False: the command holds the folder beyond the store (writes after its runs)

    @classmethod
    def open(
        cls,
        directory: Path,
        name: str,
        fingerprint: str,
        resume: bool = False,
        overwrite: bool = False,
        lock: folder_lock.FolderLock | None = None,
    ) -> Store:
        """Open DIR's store: a new sweep, or (with resume) the same sweep's earlier runs; refuse anything else.

        `lock`: the folder's lock when the caller already holds it (it then stays held after the store closes).
        """
        path = directory / DATABASE
        owns_lock = lock is None
        if lock is None:
            lock = folder_lock.acquire(directory)  # before --overwrite deletes anything: never under a running sweep
        try:
            if overwrite:
                set_aside(directory)  # deleted once the new command stores a run; put back if it stores none
            elif path.exists() and not resume:
                raise ConfigError(
                    f"{directory} already holds a sweep; pass --resume to finish it or --overwrite to start again"
                )
            try:
                store = cls(directory, _connect(path), lock, owns_lock)
                recorded = store.meta("fingerprint")
            except sqlite3.DatabaseError as error:
                raise ConfigError(
                    f"{path} is not a readable sweep store ({error}); --overwrite starts the sweep again"
                ) from None
        except BaseException:
            if owns_lock:
                lock.release()
            raise
        if recorded is None:
            store.set_meta({"fingerprint": fingerprint, "name": name})
        elif recorded != fingerprint:
            store.close()
            raise ConfigError(
                f"{directory} holds a different sweep ({store_name(path)}) made with other settings: the sweep file, "
                "its base config or the command's options changed since it started; use another --out, or "
                "--overwrite to start again"
            )
        return store

    def close(self) -> None:
        """Close the database (everything is already committed) and let the folder go."""
        self.connection.close()
        if self.owns_lock:
            self.lock.release()

    # Metadata and points -------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A stored fact about the sweep (its fingerprint, its name), or None."""
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, values: dict[str, str]) -> None:
        """Record facts about the sweep."""
        with self.connection:
            self.connection.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", values.items())

    def points(self) -> list[Point]:
        """The points proposed so far, by index."""
        rows = self.connection.execute("SELECT point, vals FROM points ORDER BY point").fetchall()
        return [Point(index, json.loads(values)) for index, values in rows]

    def add_points(self, points: Iterable[Point]) -> None:
        """Record points as they are proposed (so a resumed bayes sweep reuses them, not new ones)."""
        with self.connection:
            self.connection.execute("BEGIN")
            self.connection.executemany(
                "INSERT INTO points VALUES (?, ?)", ((p.index, json.dumps(p.values)) for p in points)
            )

    # Runs ----------------------------------------------------------------------------------

    def add(self, records: Iterable[RunRecord]) -> None:
        """Commit finished runs in one transaction (a duplicate (point, replicate) is an error)."""
        rows = [_row(record) for record in records]
        with self.connection:
            self.connection.execute("BEGIN")
            self.connection.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def done(self) -> set[tuple[int, int]]:
        """(point, replicate) of every recorded run, finished or failed: a resume skips them."""
        return set(self.connection.execute("SELECT point, replicate FROM runs").fetchall())

    def counts(self) -> dict[str, int]:
        """Runs recorded by status."""
        counts = dict(self.connection.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())
        return {FINISHED: counts.get(FINISHED, 0), FAILED: counts.get(FAILED, 0)}

    def metric_values(self, metric: str) -> dict[int, list[float]]:
        """Each point's finished runs' values of an outcome (what bayes averages)."""
        values: dict[int, list[float]] = {}
        rows = self.connection.execute(
            "SELECT point, outcomes FROM runs WHERE status = ? ORDER BY point, replicate", (FINISHED,)
        )
        for point, outcomes in rows:
            values.setdefault(point, []).append(json.loads(outcomes).get(metric, float("nan")))
        return values

    def outcome_values(self, outcome: str, points: Sequence[int], replicates: Sequence[int]) -> dict[int, np.ndarray]:
        """Each of these points' outcome at each of these replicates, in that order; NaN where not finished."""
        position = {replicate: i for i, replicate in enumerate(replicates)}
        found = {point: np.full(len(position), np.nan) for point in points}
        wanted = ",".join(str(int(p)) for p in found) or "NULL"
        rows = self.connection.execute(
            f"SELECT point, replicate, outcomes FROM runs WHERE status = ? AND point IN ({wanted})",
            (FINISHED,),
        )
        for point, replicate, outcomes in rows:
            if replicate in position:
                value = json.loads(outcomes).get(outcome)
                found[point][position[replicate]] = np.nan if value is None else value
        return found

    def failures(self) -> list[tuple[int, int, str]]:
        """(point, replicate, error) of every failed run."""
        return self.connection.execute(
            "SELECT point, replicate, error FROM runs WHERE status = ? ORDER BY point, replicate", (FAILED,)
        ).fetchall()

    # Tables --------------------------------------------------------------------------------

    def swept_columns(self) -> list[str]:
        """The runs table's columns of swept and derived values (a swept mix gives one per kind)."""
        return _union(flatten(p.values) for p in self.points())

    def runs_table(self) -> pd.DataFrame:
        """One row per run, sorted: point, replicate, seed, swept values, outcomes, wall time, status, error."""
        values = {p.index: flatten(p.values) for p in self.points()}
        rows = []
        for point, replicate, seed, status, error, wall, outcomes in self.connection.execute(
            "SELECT point, replicate, seed, status, error, wall_time_s, outcomes FROM runs ORDER BY point, replicate"
        ):
            rows.append(
                (
                    {"point": point, "replicate": replicate, "seed": seed},
                    values.get(point, {}),
                    json.loads(outcomes),
                    {"wall_time_s": wall, "status": status, "error": error},
                )
            )
        columns = [*RUN_COLUMNS, *_union(r[1] for r in rows), *_union(r[2] for r in rows), *TAIL_COLUMNS]
        return pd.DataFrame([{**a, **b, **c, **d} for a, b, c, d in rows], columns=columns)

    def export(self) -> list[Path]:
        """Write runs.parquet, runs.csv and timeseries.parquet (atomically: a crash leaves old or new)."""
        runs = self.runs_table()
        written = [self.directory / "runs.parquet", self.directory / "runs.csv"]
        _replace_with(written[0], lambda partial: runs.to_parquet(partial, index=False))
        write_atomic(written[1], runs.to_csv(index=False))
        timeseries = self.directory / "timeseries.parquet"
        if _replace_with(timeseries, self._write_timeseries):
            written.append(timeseries)
        return written

    def _timeseries_batches(self) -> Iterator[pa.RecordBatch]:
        cursor = self.connection.execute(
            "SELECT point, replicate, ts_columns, ts_rows, ts_data FROM runs "
            "WHERE ts_data IS NOT NULL ORDER BY point, replicate"
        )
        while rows := cursor.fetchmany(EXPORT_BATCH_RUNS):
            yield _timeseries_batch(rows)

    def _write_timeseries(self, path: Path) -> bool:
        """Stream every stored time series into one parquet file, a row group per batch; False if none."""
        writer = None
        for batch in self._timeseries_batches():
            if writer is None:
                writer = pq.ParquetWriter(path, batch.schema)
            writer.write_batch(batch)
        if writer is None:
            return False
        writer.close()
        return True


def store_name(path: Path) -> str:
    """The name of the sweep recorded in a store file (for messages)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        row = connection.execute("SELECT value FROM meta WHERE key = 'name'").fetchone()
    return row[0] if row else "unnamed"


def _row(record: RunRecord) -> tuple[Any, ...]:
    """A run as a database row: outcomes as JSON (NaN kept), the time series as zlib-packed float32."""
    series = record.timeseries
    blob = zlib.compress(np.ascontiguousarray(series, dtype=np.float32).tobytes()) if series is not None else None
    return (
        record.point,
        record.replicate,
        record.seed,
        record.status,
        record.error,
        record.wall_time_s,
        json.dumps(record.outcomes),
        json.dumps(list(record.columns)) if series is not None else None,
        int(series.shape[0]) if series is not None else None,
        blob,
    )


def _timeseries_batch(rows: list[tuple[Any, ...]]) -> pa.RecordBatch:
    """Stored runs' time series as one Arrow batch: point, replicate, step (int32), then float32 columns."""
    columns = json.loads(rows[0][2])
    arrays, points, replicates = [], [], []
    for point, replicate, names, n_rows, blob in rows:
        if json.loads(names) != columns:
            raise ValueError(f"run ({point}, {replicate}) has time-series columns {names}, unlike {columns}")
        arrays.append(np.frombuffer(zlib.decompress(blob), dtype=np.float32).reshape(n_rows, len(columns)))
        points.append(np.full(n_rows, point, dtype=np.int32))
        replicates.append(np.full(n_rows, replicate, dtype=np.int32))
    data = np.concatenate(arrays)
    fields = {"point": np.concatenate(points), "replicate": np.concatenate(replicates)}
    for index, name in enumerate(columns):
        fields[name] = data[:, index].astype(np.int32) if name == "step" else data[:, index]
    return pa.RecordBatch.from_pydict({name: pa.array(values) for name, values in fields.items()})


def _replace_with(path: Path, write: Any) -> bool:
    """Call write(partial) and move the partial file over `path`; remove `path` if nothing was written."""
    partial = path.with_name(f".{path.name}.partial")
    wrote = write(partial) is not False
    if wrote:
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(path)
    else:
        partial.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
    return wrote


def _union(dicts: Iterable[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for item in dicts:
        seen.update(dict.fromkeys(item))
    return list(seen)
