"""Calling the `tracktwo` command in this process (fast) or as a real process (exit codes, tracebacks),
and checking the bad-input contract: exit 0, or exit 2 with one line under 300 characters."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tracktwo.experiments.cli import main

ROOT = Path(__file__).resolve().parents[1]
MAX_LINE_CHARS = 300
TINY_SWEEP = """\
name: tiny
method: grid
steps: 6
replicates: 2
seed: 3
metric: {name: impact, goal: maximize}
parameters:
  workshops.size: {values: [6, 10]}
"""  # a sweep of 4 short runs: the bad-input tests' starting point


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def errors(self) -> list[str]:
        """stderr lines that are not warnings or progress."""
        return [line for line in self.stderr.splitlines() if line.strip() and ": warning: " not in line]


def tracktwo(*args: str | Path) -> Outcome:
    """`tracktwo ARGS` in this process, stdout and stderr captured; argparse's exits become codes."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else 2
    return Outcome(code, out.getvalue(), err.getvalue())


def tracktwo_process(*args: str | Path, timeout: float = 300, **kwargs) -> Outcome:
    """`tracktwo ARGS` as its own process (python -m tracktwo), from the project's root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tracktwo", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=kwargs.pop("cwd", ROOT),
        **kwargs,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def assert_contract(outcome: Outcome, *fragments: str, allow_failed_runs: bool = False) -> None:
    """Exit 0, or exit 2 with exactly one error line (< 300 characters, no traceback) naming what is wrong."""
    assert "Traceback" not in outcome.stderr, outcome.stderr[-3000:]
    allowed = (0, 1, 2) if allow_failed_runs else (0, 2)
    assert outcome.code in allowed, (outcome.code, outcome.stderr[-3000:])
    if outcome.code == 2:
        assert len(outcome.errors) == 1, outcome.stderr[-3000:]
        line = outcome.errors[0]
        assert len(line) < MAX_LINE_CHARS, line
        assert ": error: " in line, line
        for fragment in fragments:
            assert fragment in line, (fragment, line)
    if outcome.code == 1:
        assert "runs failed" in outcome.stderr or "none of the" in outcome.stderr, outcome.stderr[-3000:]


def folder_snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by relative path, with its bytes (the lock file aside)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".tracktwo.lock" and not p.name.startswith("sweep.sqlite-")
    }


def held_while_writing(monkeypatch, module, out) -> list[str]:
    """Patch a command's write_atomic to check, at each write, that the command still holds its folder."""
    import pytest
    from tracktwo.experiments.engine import folder_lock
    from tracktwo.model import ConfigError

    real, checked = module.write_atomic, []

    def write(path, text):
        with pytest.raises(ConfigError, match="in use by"):
            folder_lock.acquire(out)
        checked.append(path.name)
        return real(path, text)

    monkeypatch.setattr(module, "write_atomic", write)
    return checked
