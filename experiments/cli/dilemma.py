"""`tracktwo dilemma`: the Autonomy Dilemma frontier figure for a slide, in under a minute.

Runs the model over autonomous shares 0, 0.1, ..., 1 of the workshop seats (influential elites
take the rest), the same seeds for every mix, through the sweep engine (any executor, the durable
store, --resume); writes the runs, a summary with 95% bootstrap intervals, and the figure.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tracktwo.experiments.cli.batch import headline
from tracktwo.experiments.cli.options import (
    add_config_arguments,
    add_execution_arguments,
    command_session,
    positive,
    seconds,
)
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides
from tracktwo.experiments.design.dilemma import AUTONOMOUS_SHARES, NAME, dilemma_spec, mix_point
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.provenance import default_out, environment, write_atomic, write_json
from tracktwo.model import make_params, merge

__all__ = ["configure", "dilemma_command"]

DEFAULT_OUT = default_out(NAME)
DEFAULT_BUDGET_S = 40.0  # for the runs, so that the whole command stays under a minute on a 2-core laptop
MIN_REPLICATES = 10  # first round; every mix gets at least these seeds
MAX_REPLICATES = 50  # more seeds than this add little to a slide
FIGURE_STEM = "dilemma"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo dilemma`'s options."""
    parser.description = (
        "Run the model over the share of autonomous thinkers in workshops (0, 10%, ..., 100%; "
        "influential elites take the rest), the same seeds for every mix, and draw novelty, transfer "
        "and impact with 95% bootstrap intervals."
    )
    add_config_arguments(parser, every_run=True)
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
        "--seed", type=int, default=1, help="the dilemma's seed: run r of every mix gets one seed from it (default: 1)"
    )
    add_execution_arguments(parser, "dilemma", str(DEFAULT_OUT), fresh_by_default=True)
    parser.set_defaults(handler=dilemma_command)


def dilemma_command(args: argparse.Namespace) -> int:
    """Check every mix, run them in rounds (a first one times the model), summarise, draw, write."""
    import pandas as pd  # here, not at the top: --help needs only the options
    from tracktwo.experiments.analysis import dilemma

    overrides = parse_overrides(args.overrides)
    if args.steps is not None:
        overrides["steps"] = args.steps
    params = load_params(args.config, overrides)
    base = params.model_dump(mode="json")
    mixes = [mix_point(share) for share in AUTONOMOUS_SHARES]
    for mix in mixes:  # every mix must be valid before any run starts
        make_params(merge(base, mix))
    config = Path(args.config) if args.config else DEFAULT_CONFIG
    spec = dilemma_spec(base, args.seed, args.replicates or MAX_REPLICATES, config)
    out: Path = args.out or DEFAULT_OUT
    seeds = args.replicates or f"{MIN_REPLICATES}-{MAX_REPLICATES} (as fit in {args.budget:g} s)"
    print(f"tracktwo dilemma: {len(mixes)} mixes x {seeds} seeds, {params.steps} months a run...", flush=True)
    with folder_lock.held(out) as lock:  # the runs, then the tables and figures made from them
        start = time.perf_counter()
        with command_session(args, spec, out, lock) as (executor, session):
            first = args.replicates or MIN_REPLICATES
            session.run_points(mixes, range(first))
            replicates = first
            if args.replicates is None:
                elapsed = time.perf_counter() - start
                per_seed = max(elapsed / first, 1e-9)  # wall time to add one seed to every mix
                more = min(MAX_REPLICATES - first, int(max(args.budget - elapsed, 0.0) / per_seed))
                if more > 0:
                    session.run_points(mixes, range(first, first + more))
                    replicates += more
        tally = session.tally
        elapsed = time.perf_counter() - start
        results = dilemma.frontier_runs(pd.read_parquet(out / "runs.parquet"))
        summary = dilemma.summarise(results)
        write_atomic(out / "dilemma_runs.csv", results.to_csv(index=False))
        write_atomic(out / "dilemma_summary.csv", summary.to_csv(index=False))
        from tracktwo.experiments.reporting import figures

        paths = figures.save(figures.frontier_figure(summary, replicates, params.steps), out, FIGURE_STEM)
        share, impact, interior = dilemma.optimum(summary)
        write_json(
            out / "dilemma.json",
            {
                "replicates": replicates,
                "seed": args.seed,
                "steps": params.steps,
                "shares": list(AUTONOMOUS_SHARES),
                "peak_impact_share": share,
                "peak_impact": impact,
                "peak_is_interior": interior,
                "wall_time_s": elapsed,
                "config": str(config),
                "params": base,
                **environment(),
            },
        )
        print(headline(NAME, f"{len(mixes)} mixes x {replicates} seeds", tally, executor.name, executor.workers))
        print(summary.pivot_table(index="autonomous_share", columns="outcome", values="mean").round(3).to_string())
        where = "an interior mix" if interior else "an end of the range (no interior peak with these parameters)"
        print(f"Peak impact {impact:.3g} at {share:.0%} autonomous thinkers: {where}.")
        print(f"Wrote {', '.join(str(p) for p in paths)}, {out}/dilemma_runs.csv, dilemma_summary.csv, dilemma.json")
        return 0
