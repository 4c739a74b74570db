"""Where results go and where they came from: results folders, package versions, git commit, host, atomic writes."""

from __future__ import annotations

import json
import math
import os
import platform
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from tracktwo.model import ConfigError

__all__ = [
    "PROJECT_ROOT",
    "RESULTS_DIR",
    "default_out",
    "environment",
    "git_commit",
    "jsonable",
    "read_manifest",
    "tracktwo_version",
    "versions",
    "write_atomic",
    "write_json",
]

PACKAGES = (
    "tracktwo",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pydantic",
    "sweeps",
    "scikit-learn",
    "dask",
    "distributed",
    "pyarrow",
    "SALib",
)  # scikit-learn fits the bayes sweeps' Gaussian process
PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path("results")  # relative to the working directory, as every command's --out


def default_out(name: str) -> Path:
    """A command's default results folder: results/<name>/ (a sweep's name, run, dilemma, compare-<name>...)."""
    return RESULTS_DIR / name


def read_manifest(path: Path) -> dict[str, Any]:
    """A results folder's manifest.json; {} if there is none, ConfigError naming the file if it is not JSON."""
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ConfigError(f"{path}: not valid JSON ({error})") from None


def tracktwo_version() -> str:
    """The installed package's version (package metadata); "0+unknown" in a source tree never installed."""
    try:
        return metadata.version("tracktwo")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def versions() -> dict[str, str]:
    """Python's and every package's version that decides a result."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def git_commit() -> str | None:
    """The project's commit, with '+dirty' if the work tree has changes; None outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("+dirty" if dirty else "")


def environment() -> dict[str, Any]:
    """Versions, commit, host, platform and command line: what a manifest records about where it ran."""
    return {
        "tracktwo_version": tracktwo_version(),
        "versions": versions(),
        "git_commit": git_commit(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "argv": sys.argv,
    }


def jsonable(value: Any) -> Any:
    """NaN and inf become null; numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write a file so that a crash leaves either the old file or the new one, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    mode = "wb" if isinstance(data, bytes) else "w"
    try:
        with open(partial, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:  # a full disk, Ctrl-C: no half-written partial file left beside the old one
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return path


def write_json(path: Path, payload: Any) -> Path:
    """Write JSON atomically (NaN as null)."""
    return write_atomic(path, json.dumps(jsonable(payload), indent=2, allow_nan=False) + "\n")
