"""The one place command-line values are checked, before any command runs or writes anything.

argparse checks types; this checks what every command shares by name: seeds on 0..2^32-1 (as
sweep files allow), counts of at least one, an output folder that can be written, a dask
scheduler address, and a flag that contradicts a `--set` of the same parameter.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from tracktwo.experiments.design.sweepfile import MAX_SEED  # a sweep file's `seed` range: every --seed takes the same
from tracktwo.model import ConfigError
from tracktwo.model.params import shorten

__all__ = [
    "FLAG_PARAMETERS",
    "MAX_ERROR_CHARS",
    "NOT_NEGATIVE",
    "POSITIVE",
    "SCHEDULER",
    "check_arguments",
    "check_writable_folder",
    "one_line",
]

POSITIVE = ("replicates", "seats", "workers")  # options that count something, at least one
NOT_NEGATIVE = ("swap_passes",)
FLAG_PARAMETERS = {"steps": "--steps"}  # options that set a parameter `--set` could also set
SCHEDULER = re.compile(r"^((tcp|tls|ucx|ws|wss|inproc)://)?[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")
MAX_ERROR_CHARS = 299  # an error is one line a person reads, under 300 characters


PATH = re.compile(r"(?<![\w.])/[^\s:,;()'\"]+")  # an absolute path in a message (up to a space or punctuation)
KEPT_PATH_PARTS = 2  # a long path keeps its last parts: the file and its folder


def _short_path(match: re.Match) -> str:
    parts = match.group(0).split("/")
    return match.group(0) if len(parts) <= KEPT_PATH_PARTS + 2 else "…/" + "/".join(parts[-KEPT_PATH_PARTS:])


def one_line(message: str) -> str:
    """An error as one line of at most MAX_ERROR_CHARS characters.

    Too long, its absolute paths keep only their file and folder first (a deep temporary folder must not push
    what is wrong and what is allowed off the end), and only then is the end cut.
    """
    flat = " ".join(message.split())
    if len(flat) > MAX_ERROR_CHARS:
        flat = PATH.sub(_short_path, flat)
    return flat if len(flat) <= MAX_ERROR_CHARS else flat[: MAX_ERROR_CHARS - 1] + "…"


def check_arguments(args: argparse.Namespace) -> None:
    """ConfigError naming the option, the value and what is allowed, for the first bad one."""
    seed = getattr(args, "seed", None)
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"--seed: expected an integer 0..{MAX_SEED}, got {shorten(seed)}")
    for name in POSITIVE:
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise ConfigError(f"--{name.replace('_', '-')}: expected 1 or more, got {value}")
    for name in NOT_NEGATIVE:
        value = getattr(args, name, None)
        if value is not None and value < 0:
            raise ConfigError(f"--{name.replace('_', '-')}: expected 0 or more, got {value}")
    overridden = {pair.partition("=")[0].strip() for pair in getattr(args, "overrides", None) or []}
    for name, flag in FLAG_PARAMETERS.items():
        if getattr(args, name, None) is not None and name in overridden:
            raise ConfigError(f"{flag} and --set {name}=... both set {name}; give one of them")
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None and not SCHEDULER.match(scheduler):
        raise ConfigError(
            f"--scheduler: {shorten(scheduler)} is not a dask scheduler address; expected e.g. tcp://10.0.0.5:8786"
        )
    out = getattr(args, "out", None)
    if isinstance(out, Path):
        check_writable_folder(out, "--out")


def check_writable_folder(path: Path, option: str) -> None:
    """The folder exists or can be made, and can be written: else ConfigError (before any run starts)."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option}: {path} is a file, not a folder; give a folder for the results")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{option}: {path} cannot be made: {existing} is a file, not a folder")
    try:  # root passes os.access everywhere, so try: a folder made and removed at once
        os.rmdir(tempfile.mkdtemp(prefix=".tracktwo-probe-", dir=existing))
    except OSError as error:
        raise ConfigError(
            f"{option}: cannot write in {existing} ({error.strerror or error}); choose another folder"
        ) from None
