"""A five-parameter calibration, timed, then killed with `kill -9` and resumed (issue 24's done-when).

1. Runs `tracktwo calibrate configs/calibration/patterns-five.yaml --workers 2` uninterrupted into
   OUT/whole, timing its wall time and CPU time (the command and its pool workers).
2. Runs it again into OUT/cut in its own process group, waits until at least one generation is
   stored, then partway through the next generation (half that generation's wall time in the
   uninterrupted run) sends SIGKILL to the whole group: the command and its pool workers.
3. Resumes OUT/cut with `--resume` and checks that the two folders hold the same posterior: the
   weighted particles (posterior.parquet), the generations table (wall times aside), every
   generation's particles and weights in the history, and the posterior predictive check.

Prints the figures and exits 1 on a mismatch, or if the uninterrupted run took more than
--limit-minutes (30) of wall time; CPU time / workers is printed beside it, as the machine may be
shared. Linux only (it reads /proc for the killed processes' CPU time).

    .venv/bin/python benchmarks/calibration_resume.py            # the shipped spec, 2 workers (~45 min, loaded machine)
    .venv/bin/python benchmarks/calibration_resume.py --quick    # smoke: 12 particles, 3 generations, 48 months
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "configs" / "calibration" / "patterns-five.yaml"
QUICK = {"population": 12, "steps": 48, "budget": {"generations": 3, "runs": 3000, "minutes": 10}}
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Session:
    """One `tracktwo calibrate` process: its wall and CPU time (command and workers), exit code."""

    wall_s: float
    cpu_s: float
    code: int


def _command(spec: Path, out: Path, workers: int) -> list[str]:
    return [sys.executable, "-m", "tracktwo", "calibrate", str(spec), "--out", str(out), "--workers", str(workers)]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(spec: Path, out: Path, workers: int, *extra: str) -> Session:
    """Run the command to the end (CPU time: it and every worker it reaped); its output goes to OUT.log."""
    cpu, start = _children_cpu(), time.perf_counter()
    with out.with_suffix(".log").open("a", encoding="utf-8") as log:
        command = [*_command(spec, out, workers), "--no-progress", *extra]
        process = subprocess.run(command, cwd=ROOT, check=False, stdout=log, stderr=subprocess.STDOUT)
    return Session(time.perf_counter() - start, _children_cpu() - cpu, process.returncode)


def stored_generations(folder: Path) -> int:
    """Generations the history in a folder holds (0 while it is being created)."""
    history = folder / "history.db"
    if not history.is_file():
        return 0
    try:
        with sqlite3.connect(history, timeout=1) as db:
            return int(db.execute("select count(*) from populations where t >= 0").fetchone()[0])
    except sqlite3.Error:
        return 0


def group_members(group: int) -> dict[int, float]:
    """The processes of a process group, each with its CPU seconds so far (from /proc)."""
    members = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": state ppid pgrp ...
        if int(fields[2]) == group and fields[0] != "Z":
            members[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    return members


def cut(spec: Path, out: Path, workers: int, after: int, into_s: float, timeout_s: float) -> tuple[Session, dict]:
    """Start the command in its own process group; `into_s` after `after` generations are stored, kill -9 it all."""
    start = time.perf_counter()
    cpu = _children_cpu()
    process = subprocess.Popen(
        [*_command(spec, out, workers), "--no-progress", "--overwrite"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the pool workers inherit it
    )
    deadline = start + timeout_s
    while stored_generations(out) < after and process.poll() is None and time.perf_counter() < deadline:
        time.sleep(0.05)
    stored_at = time.perf_counter()
    while time.perf_counter() < stored_at + into_s and process.poll() is None:
        time.sleep(0.05)
    if process.poll() is not None:
        raise SystemExit(f"the calibration ended (exit {process.returncode}) before it could be killed")
    members = group_members(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for _ in range(100):  # the killed workers are reaped by init
        if not group_members(process.pid):
            break
        time.sleep(0.05)
    survivors = group_members(process.pid)
    own = _children_cpu() - cpu  # the command's own CPU (its killed workers were never reaped by it)
    workers_cpu = sum(seconds for pid, seconds in members.items() if pid != process.pid)
    facts = {
        "stored": stored_generations(out),
        "into_s": time.perf_counter() - stored_at,
        "processes": len(members),
        "survivors": len(survivors),
    }
    return Session(time.perf_counter() - start, own + workers_cpu, -signal.SIGKILL), facts


def compare(whole: Path, resumed: Path) -> list[str]:
    """What differs between two calibration folders' posteriors ([] if nothing)."""
    from tracktwo.experiments.engine.calibration import open_history

    problems = []

    def check(what: str, left: pd.DataFrame, right: pd.DataFrame) -> None:
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=True)
        except AssertionError as error:
            problems.append(f"{what}: {str(error).splitlines()[0]}")

    check(
        "posterior.parquet",
        pd.read_parquet(whole / "posterior.parquet"),
        pd.read_parquet(resumed / "posterior.parquet"),
    )
    check(
        "generations.csv",
        pd.read_csv(whole / "generations.csv").drop(columns="wall_time_s"),
        pd.read_csv(resumed / "generations.csv").drop(columns="wall_time_s"),
    )
    if (whole / "predictive_check.csv").is_file():
        check(
            "predictive_check.csv",
            pd.read_csv(whole / "predictive_check.csv"),
            pd.read_csv(resumed / "predictive_check.csv"),
        )
    one, two = open_history(whole), open_history(resumed)
    if one.max_t != two.max_t:
        problems.append(f"history: {one.max_t + 1} generations against {two.max_t + 1}")
    else:
        for t in range(int(one.max_t) + 1):
            (left, w_left), (right, w_right) = one.get_distribution(m=0, t=t), two.get_distribution(m=0, t=t)
            check(f"history generation {t} particles", left.reset_index(drop=True), right.reset_index(drop=True))
            check(f"history generation {t} weights", pd.DataFrame({"w": w_left}), pd.DataFrame({"w": w_right}))
    return problems


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def main() -> int:
    """Time the uninterrupted run, cut one with kill -9, resume it, compare; 1 on a mismatch or over the limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=SPEC)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: " + yaml.safe_dump(QUICK, default_flow_style=True).strip()
    )
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "calibration-resume")
    parser.add_argument("--limit-minutes", type=float, default=30.0, help="wall time the uninterrupted run must fit")
    parser.add_argument("--kill-after", type=int, help="generations stored before the kill (default: half the run's)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    spec_path = args.spec.resolve()
    if args.quick:
        spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        spec.update({**QUICK, "name": f"{spec['name']}-quick"})
        spec_path = args.out / "spec-quick.yaml"
        spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    whole, resumed = args.out / "whole", args.out / "cut"
    for folder in (whole, resumed):
        folder.with_suffix(".log").unlink(missing_ok=True)
    print(f"spec {spec_path}, {args.workers} workers, results in {args.out}", flush=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    first = run(spec_path, whole, args.workers, "--overwrite")
    if first.code:
        print(f"FAIL: the uninterrupted run exited {first.code}")
        return 1
    table = pd.read_csv(whole / "generations.csv")
    print(
        f"\nuninterrupted: {_minutes(first.wall_s)} wall, {_minutes(first.cpu_s)} CPU "
        f"({_minutes(first.cpu_s / args.workers)} CPU / {args.workers} workers)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))
    sampling = table["wall_time_s"].sum()
    print(
        f"ABC generations {_minutes(sampling)} of the wall time; {int(table['model_runs'].sum())} model runs "
        "(plus the first epsilon's and the predictive check's)"
    )

    generations = len(table)
    after = args.kill_after if args.kill_after is not None else max(1, generations // 2)
    if not 1 <= after < generations:
        print(f"FAIL: --kill-after {after}: expected 1..{generations - 1} (the run has {generations} generations)")
        return 1
    into = 0.5 * float(table["wall_time_s"].iloc[after])
    killed, facts = cut(spec_path, resumed, args.workers, after, into, timeout_s=3 * 60 * args.limit_minutes)
    print(
        f"\nkill -9 of the process group {facts['into_s']:.1f} s after generation {after} was stored "
        f"({facts['stored']} generations stored, {facts['processes']} processes killed, "
        f"{facts['survivors']} left): {_minutes(killed.wall_s)} wall, {_minutes(killed.cpu_s)} CPU"
    )
    refused = subprocess.run(
        [*_command(spec_path, resumed, args.workers), "--no-progress"], cwd=ROOT, capture_output=True, text=True
    )
    second = run(spec_path, resumed, args.workers, "--resume")
    print(f"--resume: {_minutes(second.wall_s)} wall, {_minutes(second.cpu_s)} CPU, exit {second.code}")

    failures = []
    if facts["survivors"]:
        failures.append(f"{facts['survivors']} processes of the killed group survived")
    if not 1 <= facts["stored"] < generations:
        failures.append(f"the kill found {facts['stored']} generations stored, expected 1..{generations - 1}")
    if refused.returncode != 2 or "--resume" not in refused.stderr:
        failures.append(f"a rerun without --resume exited {refused.returncode}, not 2 naming --resume")
    if second.code:
        failures.append(f"--resume exited {second.code}")
    else:
        failures += compare(whole, resumed)
    if not failures:
        print(
            "resume check: the posterior (particles and weights), every generation in the history, the "
            "generations table and the predictive check are identical"
        )
    if first.wall_s > 60 * args.limit_minutes:
        failures.append(f"the uninterrupted run took {_minutes(first.wall_s)}, over {args.limit_minutes:g} minutes")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("PASS" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
