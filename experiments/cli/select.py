"""`tracktwo select MAP --seats K`: whom to invite from an actor map, chosen greedily (CELF), then improved by swaps."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis.selection import (
    Constraints,
    Objective,
    Pick,
    build_rules,
    celf,
    complete,
    eligible,
    explain_infeasible,
    group_evaluator,
    improve_by_swaps,
    load_constraints,
    random_feasible_group,
    satisfies,
    selection_spec,
)
from tracktwo.experiments.analysis.stats import mean_interval
from tracktwo.experiments.cli.options import add_execution_arguments, command_session
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides, with_command_settings
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.provenance import default_out, environment, write_atomic, write_json
from tracktwo.model import ConfigError, actor_table, edge_table, outcome_label, simulate

__all__ = ["compare_groups", "configure", "format_report", "invitation_table", "select_command"]

RANDOM_GROUPS = 10


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
    if args.replicates < 2:  # --seats and --swap-passes are checked with every command's options (cli.checks)
        raise ConfigError(f"--replicates: expected 2 or more, got {args.replicates}")
    chosen = {"network.type": "map", "network.map": str(args.map.resolve())}
    overrides = with_command_settings(parse_overrides(args.overrides), chosen, "select's MAP argument")
    params = load_params(args.config, overrides)
    if args.objective not in simulate(params.model_copy(update={"steps": 1}), 0).outcomes:
        raise ConfigError(
            f"--objective: {args.objective!r} is not an outcome; try impact, ideas_transferred, any_transfer"
        )
    constraints = load_constraints(args.constraints)
    actors = actor_table(params)
    pool = eligible(actors, constraints)
    rules = build_rules(actors, constraints, args.seats)
    if complete([], rules, args.seats, pool) is None:
        raise ConfigError(f"--constraints: no feasible invitation list: {explain_infeasible(rules, args.seats, pool)}")
    out = args.out or default_out(f"select-{args.map.stem}")
    base = params.model_dump(mode="json")
    spec = selection_spec(
        base,
        args.objective,
        args.replicates,
        args.seed,
        f"select-{args.map.stem}",
        args.map,
        args.config or DEFAULT_CONFIG,
    )
    ids = list(actors.id)
    selection_replicates = range(args.replicates)
    fresh_replicates = range(args.replicates, 2 * args.replicates)  # the comparison's own seeds, never chosen on
    with folder_lock.held(out) as lock:  # the runs, then the tables and figures made from them
        started = time.perf_counter()
        with command_session(args, spec, out, lock) as (executor, session):
            objective = Objective(group_evaluator(session, ids, args.objective, selection_replicates))
            announced: list[Pick] = []

            def announce(pick: Pick) -> None:
                announced.append(pick)
                session.note(f"seat {len(announced)}: {actors.label[pick.actor]}")

            picks = celf(
                np.flatnonzero(pool),
                args.seats,
                rules,
                pool,
                objective,
                batch=max(1, executor.workers),
                on_pick=announce,
            )
            greedy_evaluations = objective.evaluations
            swaps: list[dict[str, Any]] = []

            def announce_swap(out_actor: int, in_actor: int, gain: float) -> None:
                swaps.append({"out": actors.id[out_actor], "in": actors.id[in_actor], "gain": gain})
                session.note(f"swap {len(swaps)}: {actors.label[in_actor]} for {actors.label[out_actor]}")

            picks = improve_by_swaps(
                picks, np.flatnonzero(pool), rules, pool, objective, args.swap_passes, announce_swap
            )
            fresh = Objective(group_evaluator(session, ids, args.objective, fresh_replicates))
            comparison = compare_groups(
                actors, rules, pool, args.seats, picks, objective, fresh, np.random.default_rng(args.seed)
            )
        elapsed = time.perf_counter() - started
        invitations = invitation_table(actors, picks)
        write_atomic(out / "invitations.csv", invitations.to_csv(index=False))
        write_atomic(out / "comparison.csv", comparison.to_csv(index=False))
        write_json(
            out / "summary.json",
            {
                "map": str(args.map),
                "seats": args.seats,
                "objective": args.objective,
                "replicates": args.replicates,
                "seed": args.seed,
                "constraints": constraints.model_dump(),
                "evaluations": objective.evaluations,
                "greedy_evaluations": greedy_evaluations,
                "swap_passes": args.swap_passes,
                "swaps": swaps,
                "wall_time_s": elapsed,
                "invitations": invitations.to_dict("records"),
                "comparison": comparison.to_dict("records"),
                "params": base,
                **environment(),
            },
        )
        from tracktwo.experiments.reporting import figures

        figures.save(
            figures.actor_map(
                actors,
                *edge_table(params),
                highlighted=[p.actor for p in picks],
                title=f"Invitation list: {len(picks)} seats chosen to maximise {outcome_label(args.objective)}",
            ),
            out,
            "selection",
        )
        print(
            format_report(
                invitations, comparison, args.objective, objective.evaluations, elapsed, constraints, len(swaps)
            )
        )
        print(
            f"Wrote {out}/invitations.csv, comparison.csv, summary.json, selection.png, selection.svg "
            "(and the runs: runs.parquet, runs.csv, manifest.json, sweep.sqlite)"
        )
        return 0


def compare_groups(
    actors: pd.DataFrame,
    rules,
    pool: np.ndarray,
    seats: int,
    picks: list[Pick],
    objective: Objective,
    fresh: Objective,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The chosen group against random feasible groups and the usual suspects (best-connected elites).

    Estimates and intervals come from `fresh` seeds, not those the group was chosen on: scored on
    its own selection seeds, the winner of a search looks better than it is (the winner's curse).
    That in-sample mean is kept beside them (`mean_on_selection_seeds`) to show the gap.
    """
    chosen = tuple(sorted(p.actor for p in picks))
    randoms = [g for g in (random_feasible_group(rules, seats, pool, rng) for _ in range(RANDOM_GROUPS)) if g]
    elites = actors.index[actors.behaviour == "elite"].to_numpy()
    suspects = tuple(sorted(elites[np.argsort(-actors.degree.to_numpy()[elites], kind="stable")][:seats].tolist()))
    groups = [chosen, *map(tuple, randoms), suspects]
    table = []
    for name, (values, selection_values), feasible in zip(
        ("Chosen group", f"Random feasible groups ({len(randoms)})", "The usual suspects (best-connected elites)"),
        (_pooled(fresh.values(g), objective.values(g)) for g in ([groups[0]], groups[1:-1], [groups[-1]])),
        (True, True, satisfies(suspects, rules)),
        strict=True,
    ):
        interval = mean_interval(values)
        table.append(
            {
                "group": name,
                "mean": interval.estimate,
                "low": interval.low,
                "high": interval.high,
                "runs": interval.n,
                "meets_constraints": feasible,
                "mean_on_selection_seeds": float(selection_values.mean()) if selection_values.size else float("nan"),
            }
        )
    return pd.DataFrame(table)


def _pooled(fresh: list[np.ndarray], selection: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    empty = np.array([])
    return (np.concatenate(fresh) if fresh else empty), (np.concatenate(selection) if selection else empty)


def invitation_table(actors: pd.DataFrame, picks: list[Pick]) -> pd.DataFrame:
    """The invitation list in order: each actor's map columns, degree, marginal gain with its interval."""
    rows = []
    for order, pick in enumerate(picks, start=1):
        actor = actors.iloc[pick.actor]
        rows.append(
            {
                "order": order,
                **{k: actor[k] for k in actors.columns if k not in ("degree",)},
                "degree": int(actor.degree),
                "marginal_gain": pick.gain.estimate,
                "gain_low": pick.gain.low,
                "gain_high": pick.gain.high,
                "group_value": pick.value.estimate,
            }
        )
    return pd.DataFrame(rows)


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
