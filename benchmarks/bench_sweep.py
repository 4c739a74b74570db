"""How fast does the sweep engine run a standard small sweep, serially, on 2 processes and on dask?

The standard sweep is the Autonomy Dilemma's shape: the autonomous share at 0, 0.25, ..., 1 (elites
take the rest) x 16 replicates = 80 runs of the default config. Prints runs per second for

1. a plain loop calling ``model.simulate`` on the same configs and seeds (no engine at all);
2. the engine with the serial executor (store commits, tables, manifest included);
3. the engine on a local process pool of 2 workers (fork server, chunks of runs);
4. the engine on a dask LocalCluster of 2 worker processes;

each the best of --repeats timings (other work on the machine only slows a run down), with the
speed-up over serial, the start-up cost of each parallel executor (measured apart, on a warm-up
sweep), and the engine's overhead: a fixed cost per sweep (store, manifest, tables) and a cost per
run (bookkeeping, the durable commit of each run's record), both measured inside the serial engine
as time outside model.simulate, then the serial engine's time against the plain loop. The load
average is printed too: another busy process on a 2-core machine halves any parallel figure.

    .venv/bin/python benchmarks/bench_sweep.py              # about two minutes on 2 cores
    .venv/bin/python benchmarks/bench_sweep.py --quick      # smoke run, seconds
    .venv/bin/python benchmarks/bench_sweep.py --replicates 40 --steps 36
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from tracktwo.experiments.design.points import grid_values, run_seed, with_derived
from tracktwo.experiments.design.sweepfile import SweepSpec, load_sweep
from tracktwo.experiments.engine.executors import Executor, make_executor
from tracktwo.experiments.engine.runner import run_sweep
from tracktwo.model import merge, simulate

WARMUP_RUNS = 5  # the warm-up sweep: one replicate of each point, 2 months each
SWEEP = """
name: bench_{replicates}x{steps}
method: grid
replicates: {replicates}
seed: 1
steps: {steps}
timeseries: true
parameters:
  workshops.mix.autonomous: {{values: [0.0, 0.25, 0.5, 0.75, 1.0]}}
derived:
  workshops.mix.elite: 1 - workshops.mix.autonomous
"""


def standard_sweep(folder: Path, replicates: int, steps: int) -> SweepSpec:
    """The benchmark's sweep file, written to folder and read like any other."""
    path = folder / "bench.yaml"
    path.write_text(SWEEP.format(replicates=replicates, steps=steps), encoding="utf-8")
    return load_sweep(path)


def plain_loop(spec: SweepSpec) -> float:
    """Seconds to call model.simulate on every run of the sweep, with no engine around it."""
    runs = [
        (p, r, with_derived(values, spec.derived_trees))
        for p, values in enumerate(grid_values(spec.parameters))
        for r in range(spec.replicates)
    ]
    start = time.perf_counter()
    for point, replicate, values in runs:
        simulate(merge(spec.base, values), run_seed(spec.seed, point, replicate))
    return time.perf_counter() - start


def best_of(repeats: int, measure: Callable[[], float]) -> float:
    """The fastest of several timings: other work on the machine only ever slows a run down."""
    return min(measure() for _ in range(repeats))


def engine(spec: SweepSpec, executor: Executor, out: Path) -> float:
    """Seconds for run_sweep, from opening the store to the last table written."""
    start = time.perf_counter()
    run_sweep(spec, out, executor, overwrite=True, progress=False)
    return time.perf_counter() - start


def outside_runs(spec: SweepSpec, out: Path) -> float:
    """Seconds a serial sweep spends outside model.simulate: store, manifest, tables, per-run bookkeeping.

    Measured within one sweep (its total less its runs' own wall times), so other work on the
    machine slows both sides alike.
    """
    seconds = engine(spec, make_executor("serial"), out)
    return seconds - float(pd.read_parquet(out / "runs.parquet")["wall_time_s"].sum())


def timed_executor(name: str, workers: int | None, warmup: SweepSpec, folder: Path) -> tuple[Executor, float]:
    """An executor and the seconds it took to start and run a 2-run warm-up sweep (start-up cost)."""
    start = time.perf_counter()
    executor = make_executor(name, workers)
    engine(warmup, executor, folder / f"warmup_{name}")
    return executor, time.perf_counter() - start


def same_tables(a: Path, b: Path) -> bool:
    """Whether two sweeps' runs tables agree in everything but wall time."""
    runs_a, runs_b = (pd.read_parquet(d / "runs.parquet").drop(columns="wall_time_s") for d in (a, b))
    return runs_a.equals(runs_b)


def failures(out: Path) -> list[str]:
    """The distinct errors of a sweep's failed runs (a benchmark of failing runs measures nothing)."""
    runs = pd.read_parquet(out / "runs.parquet")
    return sorted(set(runs.loc[runs["status"] != "finished", "error"]))


def main() -> None:
    """Time the sweep engine on each executor and print runs/s and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=16, help="replicates per point (5 points; default 16)")
    parser.add_argument("--steps", type=int, default=120, help="months per run (default 120, the default config)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timings of each, the best kept (default 3)")
    parser.add_argument("--quick", action="store_true", help="2 replicates of 24 months, once: a smoke run")
    args = parser.parse_args()
    replicates, steps, repeats = (2, 24, 1) if args.quick else (args.replicates, args.steps, args.repeats)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        spec = standard_sweep(folder, replicates, steps)
        (folder / "warmup").mkdir()
        warmup = standard_sweep(folder / "warmup", 1, 2)
        runs = 5 * replicates
        outside_runs(warmup, folder / "small")  # warm-up: first parquet and SQLite use, imports
        small_s = best_of(repeats, lambda: outside_runs(warmup, folder / "small"))  # 5 runs
        outside_s = best_of(repeats, lambda: outside_runs(spec, folder / "outside"))
        simulate(merge(spec.base, {}), 0)  # warm-up: imports and caches, as every measured run below has had
        loop_s = best_of(repeats, lambda: plain_loop(spec))
        serial_s = best_of(repeats, lambda: engine(spec, make_executor("serial"), folder / "serial"))
        results = {"plain simulate loop": (loop_s, 0.0), "engine, serial": (serial_s, 0.0)}
        for name in ("process", "dask"):
            executor, startup_s = timed_executor(name, args.workers, warmup, folder)
            try:
                seconds = best_of(repeats, lambda executor=executor, name=name: engine(spec, executor, folder / name))
                results[f"engine, {name} x{args.workers}"] = (seconds, startup_s)
            finally:
                executor.close()
        identical = all(same_tables(folder / "serial", folder / name) for name in ("process", "dask"))
        errors = {name: failures(folder / name) for name in ("serial", "process", "dask")}

    print(
        f"Standard sweep: 5 points x {replicates} replicates = {runs} runs of {steps} months; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    print(f"{'executor':<24}{'seconds':>9}{'runs/s':>9}{'vs serial':>11}{'start-up s':>12}")
    for name, (seconds, startup) in results.items():
        print(f"{name:<24}{seconds:>9.2f}{runs / seconds:>9.1f}{serial_s / seconds:>10.2f}x{startup:>12.2f}")
    per_run_ms = (outside_s - small_s) / (runs - WARMUP_RUNS) * 1000  # two sweep sizes: a line's slope and intercept
    fixed_s = small_s - WARMUP_RUNS * per_run_ms / 1000
    loop_ms = loop_s / runs * 1000
    print(
        f"Engine overhead: {fixed_s:.2f} s per sweep (store, manifest, tables) + {per_run_ms:.2f} ms per run "
        f"({per_run_ms / loop_ms:.1%} of a {loop_ms:.0f} ms run), measured inside the serial engine; "
        f"serial engine vs plain loop: {(serial_s - loop_s) / runs * 1000:+.1f} ms per run"
    )
    print(f"Tables identical across serial, process and dask: {identical}")
    for name, found in errors.items():
        if found:
            print(f"WARNING: failed runs on {name}: {found}")


if __name__ == "__main__":
    main()
