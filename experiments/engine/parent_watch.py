"""Workers that notice their parent is gone and exit, so kill -9 of a sweep leaves no orphans.

A process-pool worker is a child of multiprocessing's fork server, not of the command, and it
waits on a queue that nobody will ever write to again once the command is killed: it, the fork
server (which lives while any worker holds its pipe) and the resource tracker would stay, holding
hundreds of megabytes. A daemon thread in each worker checks the command's pid and ends the worker
when it is gone; the fork server and resource tracker then see their pipes close and exit too.
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["PARENT_CHECK_INTERVAL_S", "exit_with_parent", "parent_alive"]

PARENT_CHECK_INTERVAL_S = 1.0  # how soon an orphaned worker exits


def parent_alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie, killed but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): os.kill said it exists


def exit_with_parent(pid: int, interval_s: float = PARENT_CHECK_INTERVAL_S) -> None:
    """Start a daemon thread that ends this process soon after process `pid` ends."""

    def watch() -> None:
        while parent_alive(pid):
            time.sleep(interval_s)
        os._exit(1)

    threading.Thread(target=watch, name="tracktwo-parent-watch", daemon=True).start()
