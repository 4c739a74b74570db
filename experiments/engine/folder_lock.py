"""A results folder is used by one command at a time: a lock file held by the running process.

The lock is an `flock` on DIR/.tracktwo.lock, so the kernel lets it go when its holder ends in
any way (exit, Ctrl-C, kill -9): a lock file left behind by a dead process is stale and is simply
taken over. The file names its holder (pid, host, command, since when) for the message another
command prints when it finds the folder busy; `--resume` and `--overwrite` both respect it.

Commands that only read a folder and add their own files to it (plot, report, discover) share it:
they take the lock shared (`reading`), so several may read at once, none while a command writes
runs there, and no writer starts while one reads.
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

__all__ = ["LOCK_FILE", "FolderLock", "acquire", "held", "holder", "reading"]

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
        readers = _only_readers(directory / LOCK_FILE)
        os.close(handle)
        who = "a command reading it (plot, report or discover)" if readers else holder(directory)
        raise ConfigError(
            f"{directory} is in use by {who}; wait for it to finish or stop it, or use another --out"
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


def _only_readers(path: Path) -> bool:
    """Whether the holders of a busy lock only read (a shared hold can be taken beside theirs)."""
    try:
        other = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(other, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(other)
    return True


@contextmanager
def reading(directory: Path, command: str) -> Iterator[None]:
    """Hold `directory` shared while `command` reads it and adds its files: refused (one line) while a command writes.

    A folder that does not exist, or where no lock file can be made (read-only), is read without a hold.
    """
    if not Path(directory).is_dir():
        yield
        return
    try:
        handle = os.open(Path(directory) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConfigError(
                f"{directory} is being written by {holder(Path(directory))}; `tracktwo {command}` reads it once "
                "that finishes (or stop it)"
            ) from None
        yield
    finally:
        os.close(handle)
