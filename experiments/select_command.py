"""`tracktwo select MAP --seats K`: whom to invite, chosen greedily (CELF) then improved by swaps, on the designer's actor map."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from experiments import figures
from experiments.config import load_params, parse_overrides
from experiments.executors import EXECUTORS, make_executor
from experiments.provenance import environment, write_atomic, write_json
from experiments.selection import (
    Constraints,
    Objective,
    Pick,
    build_rules,
    celf,
    complete,
    eligible,
    explain_infeasible,
    improve_by_swaps,
    load_constraints,
    random_feasible_group,
    satisfies,
)
from experiments.stats import mean_interval
from model import ConfigError, actor_table, edge_table, outcome_label, simulate

RANDOM_GROUPS = 10
FRESH_SEED_OFFSET = 1_000_000  # the comparison's fresh seeds start this far past the selection's
SEEDS_PER_TASK = 8


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "select",
        help="Choose whom to invite from an actor map (greedy selection with CELF, then swaps).",
        description="From the actors on a map, choose the K workshop participants that maximise the expected "
        "outcome of the workshop series, subject to constraints over actor attributes.",
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
    parser.add_argument("--seed", type=int, default=1, help="first of the common seeds (default 1)")
    parser.add_argument(
        "--executor", choices=EXECUTORS, default="process", help="where runs execute (default: process)"
    )
    parser.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    parser.add_argument("--out", type=Path, help="output folder (default: results/select-<map name>)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="reuse the evaluations an interrupted run with the same settings left in the output folder",
    )
    parser.set_defaults(handler=select_command)


def group_values(payload: tuple[dict[str, Any], str, list[tuple[str, ...]], list[int]]) -> list[list[float]]:
    """Worker side: the objective for each group (a cohort of actor ids) on each common seed."""
    base, objective, groups, seeds = payload
    values = []
    for group in groups:
        overrides = {**base, "workshops.participants": list(group)} if group else {**base, "workshops.count": 0}
        values.append([float(simulate(overrides, seed).outcomes[objective]) for seed in seeds])
    return values


class MonteCarlo:
    """Evaluates groups of actor indices through an executor, several groups per task, with a progress bar."""

    def __init__(
        self, base: dict[str, Any], objective: str, ids: list[str], seeds: list[int], executor, progress: tqdm
    ) -> None:
        self.base, self.objective, self.ids, self.seeds = base, objective, ids, seeds
        self.executor, self.progress = executor, progress

    def __call__(self, groups: list[tuple[int, ...]]) -> list[np.ndarray]:
        per_task = max(1, SEEDS_PER_TASK // max(1, len(self.seeds) // 4))
        chunks = [groups[i : i + per_task] for i in range(0, len(groups), per_task)]
        payloads = [
            (i, (self.base, self.objective, [tuple(self.ids[a] for a in g) for g in chunk], self.seeds))
            for i, chunk in enumerate(chunks)
        ]
        results: dict[int, list[list[float]]] = {}
        for index, values in self.executor.map_unordered(_indexed, payloads):
            results[index] = values
            self.progress.update(len(values) * len(self.seeds))
        return [np.asarray(v) for i in range(len(chunks)) for v in results[i]]


def fingerprint(base: dict[str, Any], objective: str, seeds: list[int]) -> str:
    """What the evaluations depend on: parameters (map included), objective and seeds."""
    text = json.dumps({"params": base, "objective": objective, "seeds": seeds}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class EvaluationJournal:
    """Every evaluated group, appended and fsynced as it finishes, so an interrupted selection resumes."""

    def __init__(self, path: Path, stamp: str, ids: list[str], resume: bool) -> None:
        self.path, self.stamp = path, stamp
        self.position = {actor: i for i, actor in enumerate(ids)}
        self.ids = ids
        self.known: dict[tuple[int, ...], np.ndarray] = {}
        if resume and path.exists():
            self._load()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, json.dumps({"fingerprint": stamp}) + "\n")

    def _load(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0]) if lines else {}
        if header.get("fingerprint") != self.stamp:
            raise ConfigError(
                f"--resume: {self.path} was made with other settings (map, config, objective or seeds); "
                "drop --resume to start afresh"
            )
        for line in lines[1:]:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by the interruption
                continue
            self.known[tuple(sorted(self.position[a] for a in entry["group"]))] = np.asarray(
                entry["values"], dtype=float
            )

    def record(self, group: tuple[int, ...], values: np.ndarray) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"group": [self.ids[a] for a in group], "values": values.tolist()}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def _indexed(item: tuple[int, Any]) -> tuple[int, list[list[float]]]:
    index, payload = item
    return index, group_values(payload)


def select_command(args: argparse.Namespace) -> int:
    if args.replicates < 2:  # --seats and --swap-passes are checked with every command's options (cli_checks)
        raise ConfigError(f"--replicates: expected 2 or more, got {args.replicates}")
    overrides = {**parse_overrides(args.overrides), "network.type": "map", "network.map": str(args.map.resolve())}
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
    out = args.out or Path("results") / f"select-{args.map.stem}"
    base = params.model_dump(mode="json")
    seeds = list(range(args.seed, args.seed + args.replicates))
    journal = EvaluationJournal(
        out / "evaluations.jsonl", fingerprint(base, args.objective, seeds), list(actors.id), args.resume
    )
    executor = make_executor(args.executor, args.workers)
    started = time.perf_counter()
    try:
        with tqdm(desc="Monte Carlo runs", unit="run", dynamic_ncols=True) as progress:
            objective = Objective(
                MonteCarlo(base, args.objective, list(actors.id), seeds, executor, progress),
                known=journal.known,
                on_evaluated=journal.record,
            )
            announced: list[Pick] = []

            def announce(pick: Pick) -> None:
                announced.append(pick)
                progress.set_postfix_str(f"seat {len(announced)}: {actors.label[pick.actor]}")

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
                progress.set_postfix_str(f"swap {len(swaps)}: {actors.label[in_actor]} for {actors.label[out_actor]}")

            picks = improve_by_swaps(
                picks, np.flatnonzero(pool), rules, pool, objective, args.swap_passes, announce_swap
            )
            fresh_seeds = [FRESH_SEED_OFFSET + s for s in seeds]
            fresh = Objective(MonteCarlo(base, args.objective, list(actors.id), fresh_seeds, executor, progress))
            comparison = compare_groups(
                actors, rules, pool, args.seats, picks, objective, fresh, np.random.default_rng(args.seed)
            )
    finally:
        executor.close()
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
        format_report(invitations, comparison, args.objective, objective.evaluations, elapsed, constraints, len(swaps))
    )
    print(f"Wrote {out}/invitations.csv, comparison.csv, summary.json, selection.png, selection.svg")
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
        f"    (on the seeds it was chosen on, the chosen group scored {in_sample:.2f}: a search's winner looks best there)"
    )
    swapped = f"{swaps} swap{'s' if swaps != 1 else ''} after greedy"
    lines.append(
        f"  {evaluations} groups evaluated (lazy greedy, CELF, then one-for-one swaps: {swapped}), {elapsed:.0f} s"
    )
    return "\n".join(lines)
