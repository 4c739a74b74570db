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
import threading
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
    """SIGINT ignored inside the block (a process started there inherits SIG_IGN), then restored: none is lost.

    SIGINT is blocked first, so a Ctrl-C landing inside the block waits (Linux keeps a blocked signal pending even
    while its action is SIG_IGN) and reaches the restored handler as the block ends: ignored alone, it was dropped
    and the command ran to its end with status 0 (seen once in CI's leg, a Ctrl-C 1.5 s into a compare). The
    processes started here inherit SIGINT blocked as well as ignored; the parent alone stops the pool.
    """
    if threading.current_thread() is not threading.main_thread():  # only the main thread sets handlers
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # before SIG_IGN: nothing slips by
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C held meanwhile reaches the handler now


def start_quietly(context: BaseContext) -> None:
    """Start the resource tracker (stderr to /dev/null) and, for a fork-server context, the fork server (no Ctrl-C)."""
    with _stderr_to_devnull():
        resource_tracker.ensure_running()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with _interrupts_ignored(), _stderr_to_devnull():  # a worker forked as the parent is interrupted
            forkserver.ensure_running()  # would print its start-up traceback; a run's own error is in its record
