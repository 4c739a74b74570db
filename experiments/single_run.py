"""`tracktwo run`: one simulation, its summary, its time series and its timeline figure."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from experiments import figures
from experiments.config import DEFAULT_CONFIG, load_params, parse_overrides
from experiments.provenance import environment, write_atomic, write_json
from model import OUTCOMES, make_params, simulate

DEFAULT_OUT = Path("results") / "run"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="Run the model once and write its summary, time series and timeline figure.",
        description="Run the model once and write its summary, time series and timeline figure.",
    )
    parser.add_argument(
        "config", nargs="?", help=f"YAML config (default: {DEFAULT_CONFIG.relative_to(DEFAULT_CONFIG.parent.parent)})"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument("--steps", type=int, help="months to simulate (overrides the config)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a parameter by its dotted key, e.g. --set workshops.mix.autonomous=0.7 (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.set_defaults(handler=run_command)


def format_summary(outcomes: dict[str, float], seed: int, elapsed: float) -> str:
    def show(value: float) -> str:
        if value != value:  # NaN
            return "-"
        return f"{value:.3g}" if isinstance(value, float) else str(value)

    width = max(len(o.label) for o in OUTCOMES.values())
    lines = [f"tracktwo run (seed {seed}, {elapsed:.2f} s)"]
    lines += [
        f"  {label:<{width}}  {show(outcomes[key])}" for key, label in ((k, o.label) for k, o in OUTCOMES.items())
    ]
    routes = {
        k.removeprefix("transfers_"): v
        for k, v in outcomes.items()
        if k.startswith("transfers_via") or k == "transfers_direct"
    }
    lines.append(
        f"  {'Pathways into Track One':<{width}}  "
        + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in routes.items())
    )
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    overrides = parse_overrides(args.overrides)
    if args.steps is not None:
        overrides["steps"] = args.steps
    params = load_params(args.config, overrides)
    make_params(params)
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
    figures.save(figures.timeline(result.timeseries), out, "timeline")
    print(format_summary(result.outcomes, args.seed, elapsed))
    print(f"Wrote {out}/summary.json, timeseries.csv, ideas.csv, timeline.png, timeline.svg")
    return 0
