"""Where runs execute: in this process, in a local process pool, or on a dask.distributed cluster.

Every executor takes a function and a list of payloads (chunks of runs) and yields each
payload's result as soon as it is done, in whatever order. The results do not depend on the
executor: seeds come from the sweep, and the store sorts what arrives.
"""

from __future__ import annotations

import argparse
import itertools
import math
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

from experiments.parent_watch import exit_with_parent
from model import ConfigError

EXECUTORS = ("process", "serial", "dask")
MAX_RUNS_PER_TASK = 8  # a chunk amortises messaging; small enough that kill -9 loses little
TASKS_PER_WORKER = 4  # chunks queued per worker, so all finish together at the end of a round
WORKER_MODULES = ["experiments.evaluate"]  # imported once in the fork server, inherited by every worker


class ExecutorError(RuntimeError):
    """A worker or the cluster died (out of memory, killed, lost): the runs recorded so far are kept."""


def _ignore_interrupts(parent_pid: int | None = None) -> None:
    """Worker initializer: Ctrl-C stops the sweep in the parent, which shuts the workers down cleanly;
    and if the parent is killed outright, the worker exits on its own (no orphans)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        exit_with_parent(parent_pid)


def available_cores() -> int:
    """Cores this process may use (respects CPU affinity, e.g. under a batch scheduler)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def chunk_size(n_runs: int, workers: int) -> int:
    """Runs per task: several per message, but enough tasks to keep every worker busy to the end."""
    return max(1, min(MAX_RUNS_PER_TASK, math.ceil(n_runs / (workers * TASKS_PER_WORKER))))


class Executor(Protocol):
    """Runs function(payload) for every payload and yields the results as they finish."""

    name: str
    workers: int

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]: ...

    def chunk_size(self, n_runs: int) -> int: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Everything in this process, one run at a time: for debugging and as the reference result."""

    name = "serial"
    workers = 1

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        for payload in payloads:
            yield function(payload)

    def chunk_size(self, n_runs: int) -> int:
        return 1

    def close(self) -> None:
        pass


class ProcessExecutor:
    """A local process pool from an explicit fork-server context (`import mesa` would force spawn otherwise)."""

    name = "process"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES)
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_ignore_interrupts, initargs=(os.getpid(),)
        )

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        queue = iter(payloads)
        in_flight = self.workers * TASKS_PER_WORKER * 2  # payloads are drawn as they are needed, never all at once
        pending: set[Future[Any]] = {self.pool.submit(function, p) for p in itertools.islice(queue, in_flight)}
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                pending |= {self.pool.submit(function, p) for p in itertools.islice(queue, len(done))}
                for future in done:
                    yield future.result()
        except BrokenProcessPool as error:
            raise ExecutorError(f"a worker process died ({error})") from None
        finally:
            for future in pending:
                future.cancel()

    def chunk_size(self, n_runs: int) -> int:
        return chunk_size(n_runs, self.workers)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A dask.distributed cluster: an existing one at `scheduler`, or a local one with `workers` processes."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        from dask.distributed import Client, LocalCluster

        self.cluster = None
        if scheduler is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        else:
            try:
                self.client = Client(scheduler, timeout="30s")
            except (OSError, ValueError) as error:
                raise ConfigError(f"--scheduler: cannot reach a dask scheduler at {scheduler}: {error}") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import KilledWorker, as_completed

        queue = iter(payloads)
        in_flight = self.workers * TASKS_PER_WORKER * 2  # as for the process pool: drawn as needed
        pending = set(self.client.map(function, list(itertools.islice(queue, in_flight)), pure=False))
        completed = as_completed(pending)
        try:
            for future in completed:
                pending.discard(future)
                for payload in itertools.islice(queue, 1):
                    submitted = self.client.submit(function, payload, pure=False)
                    pending.add(submitted)
                    completed.add(submitted)
                yield future.result()
        except KilledWorker as error:
            raise ExecutorError(f"dask workers died running a chunk of runs ({error})") from None
        finally:
            self.client.cancel(list(pending))

    def chunk_size(self, n_runs: int) -> int:
        return chunk_size(n_runs, self.workers)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor by name; `workers` defaults to every core this process may use."""
    if name not in EXECUTORS:
        raise ConfigError(f"--executor: expected one of {', '.join(EXECUTORS)}, got {name!r}")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers: expected 1 or more, got {workers}")
    if scheduler is not None and name != "dask":
        raise ConfigError("--scheduler: only used with --executor dask")
    count = workers or available_cores()
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(count)
    return DaskExecutor(count, scheduler)


def add_execution_arguments(parser: argparse.ArgumentParser, noun: str, out_default: str) -> None:
    """The options every command that runs many simulations shares: where results go, where runs execute, resume."""
    parser.add_argument("--out", type=Path, help=f"results folder (default: {out_default})")
    parser.add_argument(
        "--workers", type=int, help="parallel workers (default: every core; with --scheduler: the cluster's)"
    )
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="process",
        help="process: a local process pool (default); serial: this process; dask: a dask.distributed cluster",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="dask scheduler, e.g. tcp://10.0.0.5:8786 (default: start a local cluster)",
    )
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument(
        "--resume", action="store_true", help=f"finish an interrupted {noun} in --out without redoing its runs"
    )
    existing.add_argument("--overwrite", action="store_true", help=f"discard a {noun} already in --out and start again")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--force",
        action="store_true",
        help="run even past the size limits (100,000 points, 1,000,000 runs; README: Limits)",
    )
