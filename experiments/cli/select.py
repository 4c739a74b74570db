"""`tracktwo select MAP --seats K`: whom to invite from an actor map, chosen greedily (CELF), then improved by swaps."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from tracktwo.experiments.cli.options import add_execution_arguments, execution_options
from tracktwo.model import outcome_label

if TYPE_CHECKING:  # the API and the analysis load pandas and scipy: imported where the command runs
    import pandas as pd
    from tracktwo.experiments.analysis.selection import Constraints

__all__ = ["configure", "format_report", "select_command"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo select`'s options."""
    parser.description = (
        "From the actors on a map, choose the K workshop participants that maximise the expected "
        "outcome of the workshop series, subject to constraints over actor attributes."
    )
    parser.add_argument("map", type=Path, help="actor map: nodes .csv (edges beside it) or .graphml")
    parser.add_argument("--seats", type=int, required=True, help="how many participants to invite")
    parser.add_argument("--constraints", type=Path, help="YAML: min_side_share, quotas, eligible_kinds")
    parser.add_argument("--config", type=Path, help="base config (kinds the map uses, workshop schedule, ...)")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="override a parameter"
    )
    parser.add_argument("--objective", default="impact", help="outcome to maximise (default: impact)")
    parser.add_argument(
        "--swap-passes",
        type=int,
        default=1,
        help="after greedy selection, passes of one-for-one swaps that raise the objective; each "
        "pass tries every invitee against every feasible outsider and stops early when none "
        "helps (0 = greedy only; default 1)",
    )
    parser.add_argument("--replicates", type=int, default=16, help="Monte Carlo seeds per evaluated group (default 16)")
    parser.add_argument(
        "--seed", type=int, default=1, help="the selection's seed; run seeds derive from it (default 1)"
    )
    add_execution_arguments(parser, "selection", "results/select-<map name>/", fresh_by_default=True)
    parser.set_defaults(handler=select_command)


def select_command(args: argparse.Namespace) -> int:
    """Choose the invitation list, compare it with random groups and the usual suspects, write and print it all.

    Every evaluated group is a point of one store (sweep.sqlite in --out), its runs committed as
    they finish, so --resume picks up an interrupted selection without re-running a group.
    """
    from tracktwo.experiments import api  # here, not at the top: --help needs only the options

    result = api.select(
        args.map,
        seats=args.seats,
        constraints=args.constraints,
        config=args.config,
        set=args.overrides,
        objective=args.objective,
        swap_passes=args.swap_passes,
        replicates=args.replicates,
        seed=args.seed,
        **execution_options(args),
    )
    print(
        format_report(
            result.invitations,
            result.comparison,
            result.objective,
            result.evaluations,
            result.elapsed_s,
            result.constraints,
            result.swaps,
        )
    )
    print(
        f"Wrote {result.directory}/invitations.csv, comparison.csv, summary.json, selection.png, selection.svg "
        "(and the runs: runs.parquet, runs.csv, manifest.json, sweep.sqlite)"
    )
    return 0


def format_report(
    invitations: pd.DataFrame,
    comparison: pd.DataFrame,
    objective: str,
    evaluations: int,
    elapsed: float,
    constraints: Constraints,
    swaps: int = 0,
) -> str:
    """The invitation list, the chosen group against the alternatives, and what the search cost."""
    label = outcome_label(objective)
    lines = [f"Invitation list ({len(invitations)} seats), maximising: {label}", ""]
    lines.append(f"  {'#':>2}  {'actor':<40} {'kind':<12} {'side':<10} {'marginal gain [95% CI]':>26}")
    for row in invitations.itertuples():
        gain = f"{row.marginal_gain:+.2f} [{row.gain_low:+.2f}, {row.gain_high:+.2f}]"
        lines.append(f"  {row.order:>2}  {str(row.label)[:40]:<40} {row.kind:<12} {str(row.side)[:10]:<10} {gain:>26}")
    lines += ["", f"  Expected {label} [95% CI], on fresh seeds (not those the group was chosen on):"]
    for row in comparison.itertuples():
        note = "" if row.meets_constraints else "  (breaks the constraints)"
        lines.append(f"    {row.group:<46} {row.mean:6.2f} [{row.low:.2f}, {row.high:.2f}]{note}")
    in_sample = comparison.mean_on_selection_seeds.iloc[0]
    lines.append(
        f"    (on the seeds it was chosen on, the chosen group scored {in_sample:.2f}: "
        "a search's winner looks best there)"
    )
    swapped = f"{swaps} swap{'s' if swaps != 1 else ''} after greedy"
    lines.append(
        f"  {evaluations} groups evaluated (lazy greedy, CELF, then one-for-one swaps: {swapped}), {elapsed:.0f} s"
    )
    return "\n".join(lines)
