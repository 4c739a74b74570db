"""`tracktwo run`: one simulation, its summary, its time series and its timeline figure."""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from tracktwo.experiments.cli.options import add_config_arguments, folder
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides
from tracktwo.experiments.provenance import default_out, environment, write_atomic, write_json
from tracktwo.model import OUTCOMES, ROUTE_LABELS, simulate

__all__ = ["DEFAULT_OUT", "configure", "format_summary", "run_command"]

DEFAULT_OUT = default_out("run")


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo run`'s options."""
    add_config_arguments(parser)
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--steps", type=int, help="months to simulate (overrides the config)")
    parser.add_argument("--out", type=folder, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.set_defaults(handler=run_command)


def format_summary(outcomes: dict[str, float], seed: int, elapsed: float) -> str:
    """The run's outcomes by their declared labels, and its pathways into Track One."""

    def show(value: float) -> str:
        if isinstance(value, float) and math.isnan(value):
            return "-"
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    width = max(len(o.label) for o in OUTCOMES.values())
    lines = [f"tracktwo run (seed {seed}, {elapsed:.2f} s)"]
    lines += [f"  {declared.label:<{width}}  {show(outcomes[name])}" for name, declared in OUTCOMES.items()]
    routes = [f"{label}: {outcomes[f'transfers_{route}']}" for route, label in ROUTE_LABELS.items()]
    lines.append(f"  {'Pathways into Track One':<{width}}  " + ", ".join(routes))
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    """Run once, write summary.json, timeseries.csv, ideas.csv, events.csv and the timeline; print the summary."""
    from tracktwo.experiments.reporting import figures

    overrides = parse_overrides(args.overrides)
    if args.steps is not None:
        overrides["steps"] = args.steps
    params = load_params(args.config, overrides)
    start = time.perf_counter()
    result = simulate(params, args.seed)
    elapsed = time.perf_counter() - start
    out: Path = args.out
    write_json(
        out / "summary.json",
        {
            "seed": args.seed,
            "config": str(args.config or DEFAULT_CONFIG),
            "outcomes": result.outcomes,
            "params": params.model_dump(mode="json"),
            "wall_time_s": elapsed,
            **environment(),
        },
    )
    write_atomic(out / "timeseries.csv", result.timeseries.to_csv(index=False))
    write_atomic(out / "ideas.csv", result.ideas.to_csv(index=False))
    write_atomic(out / "events.csv", result.events.to_csv(index=False))  # each event and the state after it
    figures.save(figures.timeline(result.timeseries), out, "timeline")
    print(format_summary(result.outcomes, args.seed, elapsed))
    print(f"Wrote {out}/summary.json, timeseries.csv, ideas.csv, events.csv, timeline.png, timeline.svg")
    return 0
