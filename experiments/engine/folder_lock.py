"""A results folder is used by one command at a time: a lock file held by the running process.

The lock is an `flock` on DIR/.tracktwo.lock, so the kernel lets it go when its holder ends in
any way (exit, Ctrl-C, kill -9): a lock file left behind by a dead process is stale and is simply
taken over. The file names its holder (pid, host, command, since when) for the message another
command prints when it finds the folder busy; `--resume` and `--overwrite` both respect it.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracktwo.model import ConfigError

__all__ = ["LOCK_FILE", "FolderLock", "acquire", "held", "holder"]

LOCK_FILE = ".tracktwo.lock"


class FolderLock:
    """An exclusive hold on a results folder until `release()` (or the process ends)."""

    def __init__(self, directory: Path, handle: int) -> None:
        self.directory = directory
        self.handle = handle

    def release(self) -> None:
        """Let the folder go (the lock file stays: it is free once no process holds it)."""
        if self.handle >= 0:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            os.close(self.handle)
            self.handle = -1


def holder(directory: Path) -> str:
    """Who holds (or last held) a folder's lock, in words."""
    try:
        info = json.loads((directory / LOCK_FILE).read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def acquire(directory: Path) -> FolderLock:
    """Hold `directory` (made if missing) or raise ConfigError naming the process that holds it."""
    directory.mkdir(parents=True, exist_ok=True)
    handle = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise ConfigError(
            f"{directory} is in use by {holder(directory)}; wait for it to finish or stop it, or use another --out"
        ) from None
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join(["tracktwo", *sys.argv[1:]])[:200],
        "since": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(handle, 0)
    os.pwrite(handle, (json.dumps(info) + "\n").encode(), 0)
    return FolderLock(directory, handle)


@contextmanager
def held(directory: Path) -> Iterator[FolderLock]:
    """Hold `directory` for a whole command: its runs and the tables and figures it writes after them."""
    lock = acquire(directory)
    try:
        yield lock
    finally:
        lock.release()
