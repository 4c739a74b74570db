"""The sweep runner: points from the sweep file, runs on an executor, each run committed as it finishes.

grid and random sweeps know all their points at the start. bayes proposes points in rounds of
`batch`, each round from the mean metric of every point before it, so its points depend on
finished results only, never on timing: the same file gives the same runs on any executor.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from experiments import points as engine
from experiments.evaluate import FAILED, Chunk, RunRecord, RunTask, run_chunk
from experiments.executors import Executor
from experiments.points import History, Point
from experiments.provenance import environment, write_json
from experiments.store import Store
from experiments.sweepfile import SweepSpec

DEFAULT_RESULTS = Path("results")
LOG_INTERVAL_S = 30.0  # progress lines in a log file (a batch job's stderr), not a redrawn bar


@dataclass
class SweepResult:
    """How a sweep went: runs planned, finished and failed, and where its tables are."""

    directory: Path
    planned: int
    finished: int
    failed: int
    ran_now: int
    elapsed_s: float
    tables: list[Path] = field(default_factory=list)
    swept_columns: list[str] = field(default_factory=list)
    failures: list[tuple[int, int, str]] = field(default_factory=list)


def default_out(spec: SweepSpec) -> Path:
    """results/<sweep name>/."""
    return DEFAULT_RESULTS / spec.name


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _echo(message: str) -> None:
    tqdm.write(message, file=sys.stderr)


class Progress:
    """A progress bar of runs done, failed, and time left (tqdm's estimate from this session's pace)."""

    def __init__(self, spec: SweepSpec, planned: int, done: int, failed: int, enabled: bool) -> None:
        self.failed = failed
        interactive = sys.stderr.isatty()
        self.bar = tqdm(
            total=planned,
            initial=done,
            desc=spec.name,
            unit="run",
            disable=not enabled,
            dynamic_ncols=True,
            file=sys.stderr,
            smoothing=0.1,
            mininterval=0.5 if interactive else LOG_INTERVAL_S,
        )
        self.bar.set_postfix(failed=failed)

    def update(self, records: Sequence[RunRecord]) -> None:
        """Count runs just recorded, and those of them that failed."""
        self.failed += sum(r.status == FAILED for r in records)
        self.bar.set_postfix(failed=self.failed, refresh=False)
        self.bar.update(len(records))

    def close(self) -> None:
        """Leave the bar as it ended."""
        self.bar.close()


class SweepRunner:
    """Runs one sweep into one store with one executor; `run()` finishes whatever is not yet recorded."""

    def __init__(self, spec: SweepSpec, store: Store, executor: Executor, progress: bool) -> None:
        self.spec = spec
        self.store = store
        self.executor = executor
        self.show_progress = progress
        self.ran_now = 0
        self.progress: Progress | None = None

    def planned_runs(self, n_points: int) -> int:
        """Runs the sweep will have done in all (bayes: the run_cap's worth of points)."""
        if self.spec.method == "grid":
            return n_points * self.spec.replicates
        return (self.spec.max_points or 0) * self.spec.replicates

    def run(self) -> None:
        """Propose what is missing, run what is not recorded, commit each run as it finishes."""
        known = self.store.points()
        if self.spec.method != "bayes" and not known:
            known = self._propose_all()
        counts = self.store.counts()
        self.progress = Progress(
            self.spec, self.planned_runs(len(known)), sum(counts.values()), counts[FAILED], self.show_progress
        )
        try:
            self._execute(known)
            if self.spec.method == "bayes":
                self._run_bayes(known)
        finally:
            self.progress.close()
            self.progress = None

    def _propose_all(self) -> list[Point]:
        """Every point of a grid or random sweep (or the points it lists), recorded before any run (resumes reuse them)."""
        spec = self.spec
        if spec.listed_points:
            values = [dict(v) for v in spec.listed_points]
        elif spec.method == "grid":
            values = engine.grid_values(spec.parameters, spec.max_points or engine.MAX_GRID_POINTS)
        else:
            values = [engine.random_values(spec.parameters, spec.seed, index) for index in range(spec.max_points or 0)]
        proposed = [Point(index, engine.with_derived(v, spec.derived_trees)) for index, v in enumerate(values)]
        self.store.add_points(proposed)
        return proposed

    def _run_bayes(self, known: list[Point]) -> None:
        """Rounds of `batch` points, each proposed from every earlier point's mean metric, until run_cap."""
        total = self.spec.max_points or 0
        while len(known) < total:
            history = self._history(known)
            fresh: list[Point] = []
            for index in range(len(known), min(total, len(known) + self.spec.batch)):
                pending = [self._swept(p) for p in fresh]
                values = engine.bayes_values(
                    self.spec.parameters, self.spec.metric or {}, self.spec.seed, index, history, pending
                )
                fresh.append(Point(index, engine.with_derived(values, self.spec.derived_trees)))
            self.store.add_points(fresh)
            known = known + fresh
            self._execute(fresh)

    def _swept(self, point: Point) -> dict[str, Any]:
        """A point's swept values without the derived ones (what the bayes engine proposed)."""
        return {key: point.values[key] for key in self.spec.parameters}

    def _history(self, known: Sequence[Point]) -> list[History]:
        """Each finished point's swept values and mean metric over its finished replicates."""
        metric = (self.spec.metric or {}).get("name", "")
        values = self.store.metric_values(metric)
        history = []
        for point in known:
            finished = values.get(point.index)
            finite = [v for v in finished or [] if v is not None and math.isfinite(v)]
            mean = sum(finite) / len(finite) if finite else (math.nan if finished else None)
            history.append(History(self._swept(point), mean))
        return history

    def _tasks(self, proposed: Sequence[Point], done: set[tuple[int, int]]) -> Iterator[RunTask]:
        """The runs of these points not yet recorded, each with its seed from (sweep seed, point, replicate)."""
        seed, common = self.spec.seed, self.spec.common_seeds
        return (
            RunTask(p.index, r, engine.run_seed(seed, p.index, r, common), p.values)
            for p in proposed
            for r in range(self.spec.replicates)
            if (p.index, r) not in done
        )

    def _execute(self, proposed: Sequence[Point]) -> None:
        """Run what is missing of these points in chunks, committing each chunk's records as it arrives.

        Tasks and chunks are made as the executor asks for them, so a sweep of a million runs holds
        only the chunks in flight, never a list of every run.
        """
        done = self.store.done()
        indices = {p.index for p in proposed}
        missing = len(proposed) * self.spec.replicates - sum(p in indices for p, _ in done)
        if missing <= 0:
            return
        size = self.executor.chunk_size(missing)
        tasks = self._tasks(proposed, done)
        chunks = (
            Chunk(self.spec.base, batch, self.spec.timeseries_every)
            for batch in iter(lambda: list(itertools.islice(tasks, size)), [])
        )
        for records in self.executor.map_unordered(run_chunk, chunks):
            self.store.add(records)
            self.ran_now += len(records)
            if self.progress is not None:
                self.progress.update(records)


# Manifest -------------------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _manifest(
    spec: SweepSpec,
    previous: dict[str, Any],
    session: dict[str, Any],
    env: dict[str, Any],
    status: str,
    counts: dict[str, int],
    planned: int,
) -> dict[str, Any]:
    """manifest.json: the sweep, its resolved base config, where and with what it ran, each session."""
    sessions = [s for s in previous.get("sessions", []) if s.get("started") != session["started"]] + [session]
    return {
        "sweep": spec.describe(),
        "base_config": spec.base,
        "status": status,
        "started": previous.get("started", session["started"]),
        "ended": session.get("ended"),
        "runs": {"planned": planned, **counts},
        "executor": session["executor"],
        "workers": session["workers"],
        **env,
        "sessions": sessions,
    }


def _warn_if_code_changed(previous: dict[str, Any], now: str | None, echo: Callable[[str], None]) -> None:
    """Say so when a sweep is finished by other code than started it (its runs may then disagree)."""
    before = previous.get("git_commit")
    if previous and before != now:
        echo(
            f"note: resuming a sweep started at commit {before}; the code is now at {now}. "
            "If the model changed, runs before and after differ; use --overwrite to redo them all."
        )


# Entry point ----------------------------------------------------------------------------------


def run_sweep(
    spec: SweepSpec,
    out: Path | None,
    executor: Executor,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = _echo,
) -> SweepResult:
    """Run (or finish) a sweep into `out`, then write runs.parquet, runs.csv, timeseries.parquet and the manifest."""
    directory = out or default_out(spec)
    start = time.perf_counter()
    store = Store.open(directory, spec.name, spec.fingerprint(), resume=resume, overwrite=overwrite)
    manifest_path = directory / "manifest.json"
    previous = _read_manifest(manifest_path) if resume else {}
    env = environment()
    if resume:
        _warn_if_code_changed(previous, env["git_commit"], echo)
    session = {
        "started": _now(),
        "ended": None,
        "executor": executor.name,
        "workers": executor.workers,
        "host": env["host"],
        "git_commit": env["git_commit"],
    }
    runner = SweepRunner(spec, store, executor, progress)
    try:
        write_json(
            manifest_path,
            _manifest(
                spec, previous, session, env, "running", store.counts(), runner.planned_runs(len(store.points()))
            ),
        )
        runner.run()
        tables = store.export()
        session["ended"] = _now()
        counts = store.counts()
        planned = runner.planned_runs(len(store.points()))
        write_json(manifest_path, _manifest(spec, previous, session, env, "complete", counts, planned))
        return SweepResult(
            directory,
            planned,
            counts["finished"],
            counts["failed"],
            runner.ran_now,
            time.perf_counter() - start,
            [*tables, manifest_path],
            store.swept_columns(),
            store.failures(),
        )
    finally:
        store.close()
