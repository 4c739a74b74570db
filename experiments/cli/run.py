"""`tracktwo run`: one simulation, its summary, its time series and its timeline figure."""

from __future__ import annotations

import argparse
import math

from tracktwo.experiments.cli.options import add_config_arguments, folder
from tracktwo.experiments.provenance import default_out
from tracktwo.model import OUTCOMES, ROUTE_LABELS

__all__ = ["DEFAULT_OUT", "configure", "format_summary", "run_command"]

DEFAULT_OUT = default_out("run")
ISSUE_LINES = (
    ("outcome_transfer_", "Track Two ideas adopted into Track One, by issue"),
    ("agenda_share_", "Agenda that entered Track One (share), by issue"),
    ("generated_share_", "Track Two ideas generated (share), by issue"),
    ("influence_on_process_", "Influence on the process, by side and issue"),
)


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
    for prefix, label in ISSUE_LINES:  # per dimension of the issue space (docs/ODD.md 7.11), when it is on
        found = [(name[len(prefix) :], value) for name, value in outcomes.items() if name.startswith(prefix)]
        if found:
            shown = ", ".join(f"{key.replace('_', ' ')}: {show(value)}" for key, value in found)
            lines.append(f"  {label:<{width}}  {shown}")
    return "\n".join(lines)


def run_command(args: argparse.Namespace) -> int:
    """Run once, write summary.json, timeseries.csv, ideas.csv, events.csv and the timeline; print the summary."""
    from tracktwo.experiments import api  # here, not at the top: `tracktwo run --help` needs only the options

    result = api.run(args.config, set=args.overrides, seed=args.seed, steps=args.steps, out=args.out)
    print(format_summary(result.outcomes, args.seed, result.elapsed_s))
    print(f"Wrote {result.directory}/summary.json, timeseries.csv, ideas.csv, events.csv, timeline.png, timeline.svg")
    return 0
