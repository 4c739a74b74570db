"""`tracktwo dilemma`: the Autonomy Dilemma frontier figure for a slide, in under a minute.

Runs the model over autonomous shares 0, 0.1, ..., 1 of the workshop seats (influential elites
take the rest), the same seeds for every mix, in worker processes; writes the runs, a summary
with 95% bootstrap intervals, and the figure (PNG and SVG).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from experiments import dilemma, figures
from experiments.config import DEFAULT_CONFIG, load_params, parse_overrides
from experiments.parent_watch import exit_with_parent
from experiments.provenance import environment, write_atomic, write_json
from model import make_params

DEFAULT_OUT = Path("results") / "dilemma"
DEFAULT_BUDGET_S = 40.0  # for the runs, so that the whole command stays under a minute on a 2-core laptop
MIN_REPLICATES = 10  # first round; every mix gets at least these seeds
MAX_REPLICATES = 50  # more seeds than this add little to a slide
RUNS_PER_TASK = 10  # several runs per task, so process overhead stays small
FIGURE_STEM = "dilemma"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dilemma",
        help="Draw the Autonomy Dilemma frontier figure (PNG and SVG) for a slide.",
        description="Run the model over the share of autonomous thinkers in workshops (0, 10%, ..., 100%; "
        "influential elites take the rest), the same seeds for every mix, and draw novelty, transfer "
        "and impact with 95% bootstrap intervals.",
    )
    parser.add_argument(
        "config", nargs="?", help=f"YAML config (default: {DEFAULT_CONFIG.relative_to(DEFAULT_CONFIG.parent.parent)})"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--replicates",
        type=positive,
        help=f"runs (seeds) per mix (default: as many as fit in --budget, {MIN_REPLICATES} to {MAX_REPLICATES})",
    )
    parser.add_argument(
        "--budget",
        type=seconds,
        default=DEFAULT_BUDGET_S,
        help=f"seconds to spend on runs when --replicates is not given (default: {DEFAULT_BUDGET_S:g})",
    )
    parser.add_argument("--steps", type=positive, help="months per run (default: the config's)")
    parser.add_argument(
        "--seed", type=int, default=1, help="first seed; mixes share seeds seed..seed+replicates-1 (default: 1)"
    )
    parser.add_argument(
        "--workers", type=positive, default=os.cpu_count() or 1, help="worker processes (default: one per core)"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter for every run, e.g. --set workshops.size=16 (repeatable)",
    )
    parser.set_defaults(handler=dilemma_command)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


class Runner:
    """Runs batches of runs in worker processes started by forkserver (Mesa's import sets 'spawn' globally)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["model", "experiments.dilemma"])
            self.pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)
            )

    def run(self, runs: list[dilemma.Run]) -> list[dict[str, float]]:
        tasks = dilemma.batches(runs, RUNS_PER_TASK)
        results = self.pool.map(dilemma.run_batch, tasks) if self.pool else map(dilemma.run_batch, tasks)
        return [record for result in results for record in result]

    def close(self) -> None:
        if self.pool:
            self.pool.shutdown()


def run_rounds(base: dict, args: argparse.Namespace) -> tuple[pd.DataFrame, int]:
    """All runs; with no --replicates, a first round times the model and a second fills the budget."""
    runner = Runner(args.workers)
    try:
        first = args.replicates or MIN_REPLICATES
        start = time.perf_counter()
        records = runner.run(dilemma.plan(base, first, args.seed))
        replicates = first
        if args.replicates is None:
            elapsed = time.perf_counter() - start
            per_seed = elapsed / first  # wall time to add one seed to every mix
            more = min(MAX_REPLICATES - first, int(max(args.budget - elapsed, 0.0) / per_seed))
            if more > 0:
                records += runner.run(dilemma.plan(base, more, args.seed + first))
                replicates += more
    finally:
        runner.close()
    return pd.DataFrame(records), replicates


def dilemma_command(args: argparse.Namespace) -> int:
    overrides = parse_overrides(args.overrides)
    if args.steps is not None:
        overrides["steps"] = args.steps
    params = load_params(args.config, overrides)
    base = params.model_dump(mode="json")
    for share in dilemma.AUTONOMOUS_SHARES:  # every mix must be valid before any worker starts
        make_params(dilemma.mix_overrides(base, share))
    seeds = args.replicates or f"{MIN_REPLICATES}-{MAX_REPLICATES} (as fit in {args.budget:g} s)"
    print(
        f"tracktwo dilemma: {len(dilemma.AUTONOMOUS_SHARES)} mixes x {seeds} seeds, {params.steps} months a run, "
        f"on {args.workers} worker(s)...",
        flush=True,
    )
    start = time.perf_counter()
    results, replicates = run_rounds(base, args)
    elapsed = time.perf_counter() - start
    summary = dilemma.summarise(results)
    out: Path = args.out
    write_atomic(out / "dilemma_runs.csv", results.to_csv(index=False))
    write_atomic(out / "dilemma_summary.csv", summary.to_csv(index=False))
    paths = figures.save(dilemma.frontier_figure(summary, replicates, params.steps), out, FIGURE_STEM)
    share, impact, interior = dilemma.optimum(summary)
    write_json(
        out / "dilemma.json",
        {
            "replicates": replicates,
            "first_seed": args.seed,
            "steps": params.steps,
            "shares": list(dilemma.AUTONOMOUS_SHARES),
            "peak_impact_share": share,
            "peak_impact": impact,
            "peak_is_interior": interior,
            "wall_time_s": elapsed,
            "config": str(args.config or DEFAULT_CONFIG),
            "params": base,
            **environment(),
        },
    )
    print(summary.pivot_table(index="autonomous_share", columns="outcome", values="mean").round(3).to_string())
    where = "an interior mix" if interior else "an end of the range (no interior peak with these parameters)"
    print(
        f"Peak impact {impact:.3g} at {share:.0%} autonomous thinkers: {where}. {len(results)} runs ({replicates} per mix) took {elapsed:.1f} s."
    )
    print(f"Wrote {', '.join(str(p) for p in paths)}, {out}/dilemma_runs.csv, dilemma_summary.csv, dilemma.json")
    return 0
