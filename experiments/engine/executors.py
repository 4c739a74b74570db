"""Where runs execute: in this process, in a local process pool, or on a dask.distributed cluster.

Every executor takes a function and a list of payloads (chunks of runs) and yields each
payload's result as soon as it is done, in whatever order. The results do not depend on the
executor: seeds come from the sweep, and the store sorts what arrives.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from tracktwo.experiments.engine.parent_watch import exit_with_parent
from tracktwo.experiments.engine.process_start import start_quietly
from tracktwo.experiments.messages import OptionError

__all__ = [
    "EXECUTORS",
    "MAX_RUNS_PER_TASK",
    "TASKS_PER_WORKER",
    "WORKER_MODULES",
    "DaskExecutor",
    "Executor",
    "ExecutorError",
    "ProcessExecutor",
    "SerialExecutor",
    "available_cores",
    "chunk_size",
    "make_executor",
]

EXECUTORS = ("process", "serial", "dask")
MAX_RUNS_PER_TASK = 8  # a chunk amortises messaging; small enough that kill -9 loses little
TASKS_PER_WORKER = 4  # chunks queued per worker, so all finish together at the end of a round
WORKER_MODULES = ["tracktwo.experiments.engine.worker"]  # imported once in the fork server, inherited by every worker


class ExecutorError(RuntimeError):
    """A worker or the cluster died (out of memory, killed, lost): the runs recorded so far are kept."""


def _ignore_interrupts(parent_pid: int | None = None) -> None:
    """Worker initializer: Ctrl-C stops the sweep in the parent, which shuts the workers down cleanly.

    And if the parent is killed outright, the worker exits on its own (no orphans).
    """
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


class Executor(ABC):
    """Runs function(payload) for every payload and yields the results as they finish; a context manager.

    `with make_executor(...) as executor:` shuts the workers (or the cluster client) down on the way
    out, whatever happened inside.
    """

    name: str
    workers: int

    @abstractmethod
    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        """Yield function(payload) for every payload, in the order they finish; payloads are drawn as needed."""

    def chunk_size(self, n_runs: int) -> int:
        """Runs per task for this many runs on this executor's workers."""
        return chunk_size(n_runs, self.workers)

    def close(self) -> None:  # noqa: B027 - optional for subclasses: the serial executor holds nothing
        """Release the workers (nothing to release by default)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SerialExecutor(Executor):
    """Everything in this process, one run at a time: for debugging and as the reference result."""

    name = "serial"
    workers = 1

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        """Run each payload in turn, here."""
        for payload in payloads:
            yield function(payload)

    def chunk_size(self, n_runs: int) -> int:
        """One run per task: in one process there is no messaging to amortise."""
        return 1


class ProcessExecutor(Executor):
    """A local process pool from an explicit fork-server context (`import mesa` would force spawn otherwise)."""

    name = "process"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(WORKER_MODULES)
        start_quietly(context)  # an early Ctrl-C or a kill -9: no traceback or semaphore warning from the helpers
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_ignore_interrupts, initargs=(os.getpid(),)
        )

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        """Keep a few payloads per worker in the pool; yield results as workers finish them."""
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

    def close(self) -> None:
        """Stop the workers, dropping runs not yet started."""
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
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
                raise OptionError("scheduler", f"cannot reach a dask scheduler at {scheduler}: {error}") from None
        self.workers = max(1, sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()))

    def map_unordered(self, function: Callable[[Any], Any], payloads: Iterable[Any]) -> Iterator[Any]:
        """Keep a few payloads per worker on the cluster; yield results as they finish."""
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

    def close(self) -> None:
        """Disconnect from the cluster (and stop it if this executor started it)."""
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(name: str, workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor by name; `workers` defaults to every core this process may use."""
    if name not in EXECUTORS:
        raise OptionError("executor", f"expected one of {', '.join(EXECUTORS)}, got {name!r}")
    if workers is not None and workers < 1:
        raise OptionError("workers", f"expected 1 or more, got {workers}")
    if scheduler is not None and name != "dask":
        raise OptionError("scheduler", "only used with the dask executor")
    count = workers or available_cores()
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(count)
    return DaskExecutor(count, scheduler)
