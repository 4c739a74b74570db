"""Options several commands share: a config and --set overrides, where many runs execute, resume, counts."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tracktwo.experiments.design.config import DEFAULT_CONFIG
from tracktwo.experiments.engine.executors import EXECUTORS, Executor, make_executor
from tracktwo.experiments.provenance import default_out

if TYPE_CHECKING:
    from tracktwo.experiments.design.sweepfile import SweepSpec
    from tracktwo.experiments.engine.folder_lock import FolderLock
    from tracktwo.experiments.engine.runner import Session, SweepTally

__all__ = [
    "UsageError",
    "add_config_arguments",
    "add_execution_arguments",
    "add_posterior_argument",
    "command_session",
    "execution_options",
    "executor_from",
    "folder",
    "held_sweep",
    "overwrite_from",
    "positive",
    "seconds",
]


class UsageError(Exception):
    """Bad command-line input (exit 2)."""


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def folder(text: str) -> Path:
    """An argparse type: a folder path, not empty or blank (an empty --out would write into the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a folder, got {text!r} (an empty path)")
    return Path(text)


def seconds(text: str) -> float:
    """An argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def add_config_arguments(parser: argparse.ArgumentParser, every_run: bool = False) -> None:
    """An optional YAML config (default configs/default.yaml) and repeatable --set overrides."""
    parser.add_argument(
        "config", nargs="?", help=f"YAML config (default: {DEFAULT_CONFIG.relative_to(DEFAULT_CONFIG.parent.parent)})"
    )
    scope = " for every run" if every_run else ""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=f"override a parameter{scope} by its dotted key, e.g. --set workshops.mix.autonomous=0.7 (repeatable)",
    )


def add_execution_arguments(
    parser: argparse.ArgumentParser, noun: str, out_default: str, fresh_by_default: bool = False
) -> None:
    """The options every command that runs many simulations shares: where results go, where runs execute, resume.

    With `fresh_by_default` (quick commands such as `dilemma`) a new run replaces what --out holds
    unless --resume is given; otherwise an existing store needs --resume or --overwrite.
    """
    parser.add_argument("--out", type=folder, help=f"results folder (default: {out_default})")
    parser.add_argument(
        "--workers", type=positive, help="parallel workers (default: every core; with --scheduler: the cluster's)"
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
    replaced = " (the default)" if fresh_by_default else ""
    existing.add_argument(
        "--overwrite", action="store_true", help=f"discard a {noun} already in --out and start again{replaced}"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--force",
        action="store_true",
        help="run even past the size limits (100,000 points, 1,000,000 runs; README: Limits)",
    )
    parser.set_defaults(fresh_by_default=fresh_by_default)


def add_posterior_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """--posterior DIR: draw each replicate's uncertain parameters from a calibration's weighted particles."""
    parser.add_argument(
        "--posterior",
        type=folder,
        metavar="DIR",
        help=f"a `tracktwo calibrate` results folder: replicate r of every {what} runs at one particle drawn by "
        "weight (paired), so intervals include what the calibration left open (docs/how-to/posterior.md)",
    )
    parser.add_argument(
        "--posterior-block",
        type=int,
        default=None,
        metavar="M",
        help="with --posterior: replicates per particle (m >= 2, below --replicates; default 2): replicate r runs at "
        "the particle drawn for r // m, so the spread between particles is told from seed noise",
    )


@contextmanager
def held_sweep(args: argparse.Namespace, spec: SweepSpec, out_name: str) -> Iterator[tuple[Executor, SweepTally]]:
    """Run a command's sweep into --out (default results/<out_name>), holding the folder for its own files too.

    The command writes its tables and figures from the runs inside the block, so no other command can write there.
    """
    from tracktwo.experiments.engine import folder_lock

    out = args.out or default_out(out_name)
    with folder_lock.held(out) as lock:
        with command_session(args, spec, out, lock) as (executor, session):
            session.run()
        yield executor, session.tally


def execution_options(args: argparse.Namespace) -> dict[str, object]:
    """The execution options as the Python API's keyword arguments (out, executor, workers, ..., force)."""
    return {
        "out": args.out,
        "executor": args.executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "resume": args.resume,
        "overwrite": args.overwrite,
        "progress": not args.no_progress,
        "force": args.force,
    }


def executor_from(args: argparse.Namespace) -> Executor:
    """The executor the execution options ask for; use it as a context manager, so its workers stop."""
    return make_executor(args.executor, args.workers, args.scheduler)


def overwrite_from(args: argparse.Namespace) -> bool:
    """Whether to discard what --out holds: --overwrite, or (for quick commands) anything but --resume."""
    return bool(args.overwrite or (args.fresh_by_default and not args.resume))


@contextmanager
def command_session(
    args: argparse.Namespace, spec: SweepSpec, out: Path, lock: FolderLock
) -> Iterator[tuple[Executor, Session]]:
    """A command's executor and store session on `out`, whose lock the command holds (to write its own files after)."""
    from tracktwo.experiments.engine.runner import open_session

    with (
        executor_from(args) as executor,
        open_session(
            spec,
            out,
            executor,
            resume=args.resume,
            overwrite=overwrite_from(args),
            progress=not args.no_progress,
            lock=lock,
        ) as session,
    ):
        yield executor, session
