"""Starting a process pool's helpers so that an early Ctrl-C or a kill -9 prints nothing but tracktwo's own line.

A fork-server context starts two helper processes beside the workers: the fork server (which
imports the worker modules, then forks each worker) and multiprocessing's resource tracker.
Both share the terminal, so a Ctrl-C in the first seconds reached the fork server mid-import
(about 30 lines of KeyboardInterrupt traceback), and after a kill -9 of tracktwo the tracker
printed a "leaked semaphore" warning. Here the fork server starts with Ctrl-C ignored (workers
inherit that; the parent alone stops the pool), and the tracker's and the fork server's stderr is
/dev/null: the tracker only reports cleanup of the semaphores it then removes, and a worker being
forked while the parent is interrupted found the parent's semaphore gone and printed a traceback
(seen on Python 3.13). A run's own error is kept in its record, and a worker that dies is
reported by the parent (ExecutorError), so nothing a user needs is lost.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from multiprocessing import resource_tracker
from multiprocessing.context import BaseContext

__all__ = ["start_quietly"]


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    """Fd 2 is /dev/null inside the block (the processes spawned there keep it); Python's sys.stderr is untouched."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """SIGINT ignored inside the block (a process started there inherits SIG_IGN), then restored."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_quietly(context: BaseContext) -> None:
    """Start the resource tracker (stderr to /dev/null) and, for a fork-server context, the fork server (no Ctrl-C)."""
    with _stderr_to_devnull():
        resource_tracker.ensure_running()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _interrupts_ignored(), _stderr_to_devnull():  # a worker forked as the parent is interrupted
            forkserver.ensure_running()  # would print its start-up traceback; a run's own error is in its record
