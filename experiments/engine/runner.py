"""The sweep runner: points from a design, runs on an executor, each run committed as it finishes.

Every command that runs the model many times comes through here (`sweep`, `sensitivity`,
`compare`, `dilemma`, `select`): one store, one executor, one progress bar, one seeding.
grid and random sweeps know all their points at the start. bayes proposes points in rounds of
`batch`, each round from the mean metric of every point before it, so its points depend on
finished results only, never on timing: the same file gives the same runs on any executor.
Adaptive designs (the dilemma's seed budget, the selection's greedy search) ask a session for
the points they need as they go (`Session.run_points`), and read their values back from the store.
"""

from __future__ import annotations

import datetime
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm
from tracktwo.experiments.analysis import bestset
from tracktwo.experiments.design import points as design
from tracktwo.experiments.design.points import History, Point
from tracktwo.experiments.design.posterior import DRAWS_FILE, check_resume, draws_table
from tracktwo.experiments.design.sweepfile import SweepSpec
from tracktwo.experiments.engine import estimate
from tracktwo.experiments.engine.budget import check_sweep_fits
from tracktwo.experiments.engine.executors import Executor
from tracktwo.experiments.engine.folder_lock import FolderLock
from tracktwo.experiments.engine.store import Store, drop_previous, restore_previous
from tracktwo.experiments.engine.worker import FAILED, Chunk, RunRecord, RunTask, run_chunk
from tracktwo.experiments.provenance import default_out, environment, read_manifest, write_atomic, write_json
from tracktwo.model import ConfigError

__all__ = ["Progress", "Session", "SweepTally", "open_session", "run_sweep"]

LOG_INTERVAL_S = 30.0  # progress lines in a log file (a batch job's stderr), not a redrawn bar


@dataclass
class SweepTally:
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
    looks: dict[bytes, bestset.BestSet] = field(default_factory=dict)  # replicates: auto's decided looks


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _echo(message: str) -> None:
    tqdm.write(message, file=sys.stderr)


def _key(values: Mapping[str, Any]) -> str:
    return json.dumps(values, sort_keys=True)


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

    def plan(self, more: int) -> None:
        """Add runs an adaptive design has just asked for to the bar's total."""
        self.bar.total = (self.bar.total or 0) + more
        self.bar.refresh()

    def note(self, text: str) -> None:
        """Show what the design is doing beside the counts (e.g. the seat a selection just filled); it stays shown."""
        self.text = text
        self.bar.set_postfix_str(f"failed={self.failed}, {text}")

    def update(self, records: Sequence[RunRecord]) -> None:
        """Count runs just recorded, and those of them that failed."""
        self.failed += sum(r.status == FAILED for r in records)
        shown = f"failed={self.failed}" + (f", {self.text}" if getattr(self, "text", "") else "")
        self.bar.set_postfix_str(shown, refresh=False)
        self.bar.update(len(records))

    def close(self) -> None:
        """Leave the bar as it ended."""
        self.bar.close()


class Session:
    """One sweep's runs into one store with one executor.

    `run()` finishes whatever a sweep file's design has not yet recorded; an adaptive design calls
    `run_points` with the points it needs now and reads their values with `values`.
    """

    def __init__(self, spec: SweepSpec, store: Store, executor: Executor, progress: bool) -> None:
        self.spec = spec
        self.store = store
        self.executor = executor
        self.show_progress = progress
        self.ran_now = 0
        self.adaptive = False
        self.progress: Progress | None = None
        self.tally: SweepTally | None = None
        self.looks: dict[bytes, bestset.BestSet] = {}  # each look's best set, decided once (the looks are replayed)
        self._known = {_key(p.values): p for p in store.points()}

    def planned_runs(self, n_points: int) -> int:
        """Runs the sweep will have done in all (bayes: the run_cap's worth of points; adaptive: those asked for)."""
        if self.adaptive:
            return sum(self.store.counts().values())
        if self.spec.auto_replicates:
            return max(n_points * self.spec.replicates, sum(self.store.counts().values()))
        if self.spec.method == "grid":
            return n_points * self.spec.replicates
        return (self.spec.max_points or 0) * self.spec.replicates

    def run(self) -> None:
        """Propose what is missing, run what is not recorded, commit each run as it finishes."""
        known = self.store.points()
        if self.spec.method != "bayes" and not known:
            known = self._propose_all()
        self._start_progress(self.planned_runs(len(known)))
        self._execute(known)
        if self.spec.method == "bayes":
            self._run_bayes(known)
        if self.spec.auto_replicates:
            self._run_sequential(known)

    def _run_sequential(self, known: Sequence[Point]) -> None:
        """replicates: auto: more replicates for the points still in the best set, look by look (bestset).

        With `uncertain:` scenarios the contenders are lever points, compared on (replicate, scenario)
        columns stratified by scenario (bestset.by_scenario); a contender's next replicates run in
        every scenario.
        """
        spec, metric = self.spec, (self.spec.metric or {}).get("name", "")
        scenarios = len(spec.scenarios) or 1
        while True:
            done = self.store.done()
            width = 1 + max((r for _, r in done), default=0)
            found = self.store.outcome_values(metric, [p.index for p in known], list(range(width)))
            y = np.array([found[p.index] for p in known], dtype=float).reshape(len(known), width)
            ran = np.array([[(p.index, r) in done for r in range(width)] for p in known], dtype=bool)
            strata = None
            if spec.scenarios:
                y, ran, strata = bestset.by_scenario(y, ran, scenarios)
            levers = [p.index for p in known][::scenarios]
            state = bestset.sequential_state(
                y, levers, spec.metric["goal"], spec.confidence, spec.replicates * scenarios, spec.budget or 0,
                spec.common_seeds, spec.seed, ran=ran, indifference=spec.indifference, strata=strata, memo=self.looks,
            )  # fmt: skip
            self.note(f"look {state.look + 1}/{len(state.looks)}, {len(state.contenders)} in the best set")
            if not state.wanted:
                return
            chosen = set(state.contenders)
            points = [p for p in known if p.index - p.index % scenarios in chosen]
            missing, tasks = self._tasks(points, range(state.wanted // scenarios))
            if missing <= 0:  # nothing left to run (cannot happen with a consistent store; never loop on it)
                return
            if self.progress is not None:
                self.progress.plan(missing)
            self._run_tasks(missing, tasks)

    def _start_progress(self, planned: int) -> Progress:
        if self.progress is None:
            counts = self.store.counts()
            todo = max(planned - sum(counts.values()), 0)
            if self.show_progress and todo:  # the first line: runs and an estimated time, before any run
                probe = estimate.probe_seconds(self.spec.base) if self.spec.base else None
                _echo(estimate.estimate_line(self.spec.name, todo, self.executor.workers, probe))
            self.progress = Progress(self.spec, planned, sum(counts.values()), counts[FAILED], self.show_progress)
        return self.progress

    def close(self) -> None:
        """Close the progress bar (the runs are already committed)."""
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def run_points(self, values: Sequence[Mapping[str, Any]], replicates: Sequence[int] | None = None) -> list[Point]:
        """The points with these values, each run at `replicates` (default: the spec's); recorded runs are reused.

        A point already in the store (asked for before, or in an interrupted session) keeps its
        index, so its seeds and runs are the same; new values become new points.
        """
        self.adaptive = True
        progress = self._start_progress(sum(self.store.counts().values()))
        fresh, wanted = [], []
        for entry in values:
            key = _key(entry)
            if key not in self._known:
                self._known[key] = Point(len(self._known), dict(entry))
                fresh.append(self._known[key])
            wanted.append(self._known[key])
        if fresh:
            self.store.add_points(fresh)
        replicates = range(self.spec.replicates) if replicates is None else replicates
        missing, tasks = self._tasks(list({p.index: p for p in wanted}.values()), replicates)
        progress.plan(missing)
        self._run_tasks(missing, tasks)
        return wanted

    def note(self, text: str) -> None:
        """Show what an adaptive design is doing beside the progress bar's counts."""
        if self.progress is not None:
            self.progress.note(text)

    def values(
        self, points: Sequence[Point], outcome: str, replicates: Sequence[int] | None = None
    ) -> list[np.ndarray]:
        """Each point's outcome by replicate (NaN for a failed run), in the order of `points`."""
        replicates = list(range(self.spec.replicates) if replicates is None else replicates)
        found = self.store.outcome_values(outcome, [p.index for p in points], replicates)
        return [found[p.index] for p in points]

    def _propose_all(self) -> list[Point]:
        """Every point of a grid or random sweep (or the points it lists), recorded before any run (for resumes)."""
        spec = self.spec
        if spec.listed_points:
            values = [dict(v) for v in spec.listed_points]
        elif spec.method == "grid":
            values = design.grid_values(spec.parameters, spec.max_points or design.MAX_GRID_POINTS)
        else:
            values = [design.random_values(spec.parameters, spec.seed, index) for index in range(spec.max_points or 0)]
        proposed = [Point(index, design.with_derived(v, spec.derived_trees)) for index, v in enumerate(values)]
        self.store.add_points(proposed)
        self._known.update({_key(p.values): p for p in proposed})
        return proposed

    def _run_bayes(self, known: list[Point]) -> None:
        """Rounds of `batch` points, each proposed from every earlier point's mean metric, until run_cap."""
        total = self.spec.max_points or 0
        while len(known) < total:
            history = self._history(known)
            fresh: list[Point] = []
            for index in range(len(known), min(total, len(known) + self.spec.batch)):
                pending = [self._swept(p) for p in fresh]
                values = design.bayes_values(
                    self.spec.parameters, self.spec.metric or {}, self.spec.seed, index, history, pending
                )
                fresh.append(Point(index, design.with_derived(values, self.spec.derived_trees)))
            self.store.add_points(fresh)
            self._known.update({_key(p.values): p for p in fresh})
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

    def _tasks(
        self, proposed: Sequence[Point], replicates: Sequence[int] | None = None
    ) -> tuple[int, Iterator[RunTask]]:
        """How many runs of these points are not yet recorded, and those runs, made as they are drawn.

        Each run's seed comes from (sweep seed, point, replicate). The runs are a generator, so a
        sweep of a million runs holds only the chunks in flight, never a list of every run.
        """
        done = self.store.done()
        seed, common = self.spec.seed, self.spec.common_seeds
        count = len(self.spec.scenarios)
        wanted = range(self.spec.replicates) if replicates is None else replicates
        indices = {p.index for p in proposed}
        recorded = sum(p in indices and r in wanted for p, r in done)
        missing = len(proposed) * len(wanted) - recorded
        posterior = self.spec.posterior
        tasks = (
            RunTask(
                p.index,
                r,
                design.run_seed(seed, p.index, r, common, p.index % count if count else None),
                p.values if posterior is None else {**p.values, **posterior.draw(seed, r)},
            )
            for p in proposed
            for r in wanted
            if (p.index, r) not in done
        )
        return missing, tasks

    def _execute(self, proposed: Sequence[Point]) -> None:
        """Run what is missing of these points."""
        self._run_tasks(*self._tasks(proposed))

    def _run_tasks(self, missing: int, tasks: Iterator[RunTask]) -> None:
        """Run these `missing` tasks in chunks drawn as the executor asks, committing each chunk as it arrives.

        Each chunk is sized for the runs still to draw (guided scheduling): full chunks while many are
        left, smaller ones at the end, so no worker sits idle while another finishes a long last chunk
        (a sweep's looks and the end of every command wait for the last run).
        """
        if missing <= 0:
            return
        left = [missing]

        def next_batch() -> list[RunTask]:
            batch = list(itertools.islice(tasks, self.executor.chunk_size(max(left[0], 1))))
            left[0] -= len(batch)
            return batch

        chunks = (Chunk(self.spec.base, batch, self.spec.timeseries_every) for batch in iter(next_batch, []))
        for records in self.executor.map_unordered(run_chunk, chunks):
            self.store.add(records)
            self.ran_now += len(records)
            if self.progress is not None:
                self.progress.update(records)


# Manifest -------------------------------------------------------------------------------------


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


def _readable_manifest(path: Path) -> dict[str, Any]:
    """The manifest, or {} when it cannot be read (the store's own checks then speak)."""
    try:
        return read_manifest(path)
    except (ConfigError, OSError, ValueError):
        return {}


def _warn_if_code_changed(previous: dict[str, Any], now: str | None, echo: Callable[[str], None]) -> None:
    """Say so when a sweep is finished by other code than started it (its runs may then disagree)."""
    before = previous.get("git_commit")
    if previous and before != now:
        echo(
            f"note: resuming a sweep started at commit {before}; the code is now at {now}. "
            "If the model changed, runs before and after differ; use --overwrite to redo them all."
        )


# Entry points ---------------------------------------------------------------------------------


@contextmanager
def open_session(
    spec: SweepSpec,
    out: Path | None,
    executor: Executor,
    *,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = _echo,
    lock: FolderLock | None = None,
) -> Iterator[Session]:
    """Open (or reopen, with resume) the store in `out`; on a clean exit write the tables and the manifest.

    The session's `tally` (a SweepTally) is set once the tables are written. `lock`: the folder's lock when the
    command holds it itself, to write its own files after the runs.
    """
    directory = out or default_out(spec.name)
    start = time.perf_counter()
    check_sweep_fits(spec, executor.workers)  # before --overwrite removes anything: refused runs lose nothing
    manifest_path = directory / "manifest.json"
    if resume and manifest_path.is_file():  # a different posterior: say so before the store's general refusal
        check_resume(spec, _readable_manifest(manifest_path))
    store = Store.open(directory, spec.name, spec.fingerprint(), resume=resume, overwrite=overwrite, lock=lock)
    try:
        previous = read_manifest(manifest_path) if resume else {}
        env = environment()
        if resume:
            _warn_if_code_changed(previous, env["git_commit"], echo)
        record = {
            "started": _now(),
            "ended": None,
            "executor": executor.name,
            "workers": executor.workers,
            "host": env["host"],
            "git_commit": env["git_commit"],
        }
        session = Session(spec, store, executor, progress)
        planned = session.planned_runs(len(store.points()))
        write_json(manifest_path, _manifest(spec, previous, record, env, "running", store.counts(), planned))
        try:
            yield session
        finally:
            session.close()
        tables = store.export()
        if spec.posterior is not None:  # which particle each replicate ran at
            replicates = sorted({r for _, r in store.done()})
            draws = draws_table(spec.posterior, spec.seed, replicates)
            tables = [*tables, write_atomic(directory / DRAWS_FILE, draws.to_csv(index=False))]
        record["ended"] = _now()
        counts = store.counts()
        planned = session.planned_runs(len(store.points()))
        write_json(manifest_path, _manifest(spec, previous, record, env, "complete", counts, planned))
        session.tally = SweepTally(
            directory,
            planned,
            counts["finished"],
            counts["failed"],
            session.ran_now,
            time.perf_counter() - start,
            [*tables, manifest_path],
            store.swept_columns(),
            store.failures(),
            session.looks,
        )
    finally:
        stored = sum(store.counts().values()) > 0 if overwrite else False
        store.close()
        if overwrite:  # the earlier results go only once a new run is stored; else they are put back
            (drop_previous if stored else restore_previous)(directory)


def run_sweep(
    spec: SweepSpec,
    out: Path | None,
    executor: Executor,
    *,
    overwrite: bool = False,
    resume: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = _echo,
) -> SweepTally:
    """Run (or finish) a sweep into `out`, then write runs.parquet, runs.csv, timeseries.parquet and the manifest."""
    with open_session(spec, out, executor, resume=resume, overwrite=overwrite, progress=progress, echo=echo) as session:
        session.run()
    return session.tally
