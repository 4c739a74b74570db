"""How fast does the sweep engine run a standard small sweep, serially, on 2 processes and on dask?

The standard sweep is the Autonomy Dilemma's shape: the autonomous share at 0, 0.25, ..., 1 (elites
take the rest) x 16 replicates = 80 runs of the default config. Prints runs per second for

1. a plain loop calling ``model.simulate`` on the same configs and seeds (no engine at all);
2. the engine with the serial executor (store commits, tables, manifest included);
3. the engine on a local process pool of 2 workers (fork server, chunks of runs);
4. the engine on a dask LocalCluster of 2 worker processes;

with the speed-up over serial, the start-up cost of each parallel executor (measured apart, on a
warm-up sweep), and the engine's overhead against the plain loop: a fixed cost per sweep (store,
manifest, tables) and a cost per run (messages, the durable commit of each run's record). The load average is
printed too: another busy process on a 2-core machine halves any parallel figure.

    .venv/bin/python benchmarks/bench_sweep.py              # about a minute on 2 cores
    .venv/bin/python benchmarks/bench_sweep.py --quick      # smoke run, seconds
    .venv/bin/python benchmarks/bench_sweep.py --replicates 40 --steps 36
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd

from experiments.executors import Executor, make_executor
from experiments.points import grid_values, run_seed, with_derived
from experiments.sweep import run_sweep
from experiments.sweepfile import SweepSpec, load_sweep
from model import merge, simulate

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
    runs = [(p, r, with_derived(values, spec.derived_trees)) for p, values in enumerate(grid_values(spec.parameters))
            for r in range(spec.replicates)]
    simulate(merge(spec.base, runs[0][2]), 0)  # warm-up: imports and caches, as the engine's serial run has had
    start = time.perf_counter()
    for point, replicate, values in runs:
        simulate(merge(spec.base, values), run_seed(spec.seed, point, replicate))
    return time.perf_counter() - start


def engine(spec: SweepSpec, executor: Executor, out: Path) -> float:
    """Seconds for run_sweep, from opening the store to the last table written."""
    start = time.perf_counter()
    run_sweep(spec, out, executor, overwrite=True, progress=False)
    return time.perf_counter() - start


def fixed_cost(spec: SweepSpec, out: Path) -> float:
    """Seconds a serial sweep spends outside its runs (store, manifest with git and versions, tables)."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=16, help="replicates per point (5 points; default 16)")
    parser.add_argument("--steps", type=int, default=120, help="months per run (default 120, the default config)")
    parser.add_argument("--workers", type=int, default=2, help="parallel workers (default 2)")
    parser.add_argument("--quick", action="store_true", help="2 replicates of 24 months: a smoke run")
    args = parser.parse_args()
    replicates, steps = (2, 24) if args.quick else (args.replicates, args.steps)

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        spec = standard_sweep(folder, replicates, steps)
        (folder / "warmup").mkdir()
        warmup = standard_sweep(folder / "warmup", 1, 2)
        runs = 5 * replicates
        fixed_s = fixed_cost(warmup, folder / "fixed")
        loop_s = plain_loop(spec)
        serial_s = engine(spec, make_executor("serial"), folder / "serial")
        results = {"plain simulate loop": (loop_s, 0.0), "engine, serial": (serial_s, 0.0)}
        for name in ("process", "dask"):
            executor, startup_s = timed_executor(name, args.workers, warmup, folder)
            try:
                results[f"engine, {name} x{args.workers}"] = (engine(spec, executor, folder / name), startup_s)
            finally:
                executor.close()
        identical = all(same_tables(folder / "serial", folder / name) for name in ("process", "dask"))

    print(f"Standard sweep: 5 points x {replicates} replicates = {runs} runs of {steps} months; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'executor':<24}{'seconds':>9}{'runs/s':>9}{'vs serial':>11}{'start-up s':>12}")
    for name, (seconds, startup) in results.items():
        print(f"{name:<24}{seconds:>9.2f}{runs / seconds:>9.1f}{serial_s / seconds:>10.2f}x{startup:>12.2f}")
    overhead_ms = (serial_s - loop_s - fixed_s) / runs * 1000
    print(f"Engine overhead: {fixed_s:.2f} s per sweep (store, manifest, tables) + {overhead_ms:.2f} ms per run "
          f"({overhead_ms / (loop_s / runs * 1000):.1%} of a {loop_s / runs * 1000:.0f} ms run; serial engine vs plain loop)")
    print(f"Tables identical across serial, process and dask: {identical}")


if __name__ == "__main__":
    main()
