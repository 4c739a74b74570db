"""`tracktwo evaluate CONFIG`: what each part of a programme contributed, and what is merely on the chain."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.results import EVALUATION_INFO as SUMMARY
from tracktwo.experiments.analysis.results import EVALUATION_TABLE as TABLE
from tracktwo.experiments.analysis.results import paired_table
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_config_arguments, add_execution_arguments, held_sweep, positive
from tracktwo.experiments.design import evaluation_checks
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides
from tracktwo.experiments.design.sweepfile import SweepSpec
from tracktwo.experiments.provenance import write_atomic, write_json
from tracktwo.model import OUTCOMES, ConfigError, Params, outcome_goal, outcome_label
from tracktwo.model.components import Component, family

__all__ = [
    "DEFAULT_OUTCOMES",
    "Family",
    "configure",
    "evaluate_command",
    "plan",
    "sentence",
    "tables",
]

DEFAULT_OUTCOMES = ("impact", "ideas_transferred")
DEFAULT_REPLICATES = 10
DEFAULT_ORDERS = 20
FIGURE_STEM = "evaluation"
TEXT_WIDTH = 100


@dataclass
class Family:
    """One family of components evaluated together (one cooperative game): its keys, labels and coalitions."""

    name: str
    keys: list[str]
    labels: list[str]
    orders: np.ndarray | None  # sampled orders; None = exact
    coalitions: list[frozenset[int]]

    def removed(self, coalition: frozenset[int]) -> list[str]:
        """The keys a coalition leaves out (what its runs remove)."""
        return [key for i, key in enumerate(self.keys) if i not in coalition]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add `tracktwo evaluate`'s options."""
    parser.description = (
        "Evaluate a programme's components on common random numbers: per component its attribution (the share "
        "of transferred impact whose recorded chains pass through it), its contribution (the change in each "
        "outcome when it alone is removed) and its Shapley value (its share of the programme's total effect "
        "against the programme with every component removed; exact up to 10 components, sampled beyond)."
    )
    add_config_arguments(parser, every_run=True)
    parser.add_argument(
        "--components",
        nargs="+",
        default=["workshops"],
        metavar="FAMILY",
        help="workshops (each meeting funded), events (each entry of programme.events, or the regular series), "
        "formats (each format the schedule uses), routes (each route into Track One, closed in turn), "
        "participants (each person who took part), or groups:COLUMN (each value of an actor-map column or kind "
        "among those the programme invites); default workshops",
    )
    parser.add_argument(
        "--outcomes",
        nargs="+",
        default=list(DEFAULT_OUTCOMES),
        metavar="OUTCOME",
        help=f"outcomes to decompose (default: {' '.join(DEFAULT_OUTCOMES)}; `tracktwo params` lists them)",
    )
    parser.add_argument(
        "--replicates",
        type=positive,
        default=DEFAULT_REPLICATES,
        help=f"seeds per coalition (default {DEFAULT_REPLICATES})",
    )
    parser.add_argument(
        "--orders",
        type=positive,
        default=DEFAULT_ORDERS,
        help=f"orders sampled for Shapley values beyond {evaluation.EXACT_MAX} components (default {DEFAULT_ORDERS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the runs and of the sampled orders (default 0)")
    add_execution_arguments(parser, "evaluation", "results/evaluate-<config>/")
    parser.set_defaults(handler=evaluate_command)


def plan(params: Params, names: list[str], orders: int, seed: int, replicates: int = 1) -> list[Family]:
    """The families asked for, each with its components and the coalitions its game needs."""
    evaluation_checks.check_settings(params)
    families = []
    for name in dict.fromkeys(names):
        found = family(params, name, seed)
        if not found:
            raise ConfigError(f"--components: {name} has no components in this programme (nothing to evaluate)")
        keys, labels = [k for k, _ in found], [label for _, label in found]
        evaluation_checks.check_family_size(name, len(keys), orders, replicates)
        sampled = None if len(keys) <= evaluation.EXACT_MAX else evaluation.orders(len(keys), orders, seed)
        families.append(Family(name, keys, labels, sampled, evaluation.coalitions(len(keys), sampled)))
    evaluation_checks.check_columns([key for f in families for key in f.keys])
    for line in evaluation_checks.late_meetings(params, seed) if {"workshops", "events"} & set(names) else []:
        print(f"tracktwo evaluate: warning: {line}", file=sys.stderr)
    return families


def _points(families: list[Family]) -> tuple[list[dict], dict[tuple[str, frozenset[int]], int]]:
    """Sweep points (overrides) for every coalition of every family, the full programme once, with its record on."""
    every_key = [key for f in families for key in f.keys]
    full = {"evaluation.removed": [], "evaluation.record": True, "evaluation.attribute": every_key}
    points: list[dict] = [full]
    index: dict[tuple[str, frozenset[int]], int] = {}
    seen = {json.dumps([], sort_keys=True): 0}
    for f in families:
        for coalition in f.coalitions:
            removed = f.removed(coalition)
            key = json.dumps(removed)
            if key not in seen:
                seen[key] = len(points)
                points.append({"evaluation.removed": removed})
            index[(f.name, coalition)] = seen[key]
    return points, index


def _check_outcomes(names: list[str]) -> list[str]:
    unknown = [n for n in names if n not in OUTCOMES]
    if unknown:
        raise ConfigError(f"--outcomes: unknown outcome {unknown[0]!r}; known: {', '.join(OUTCOMES)}")
    return list(dict.fromkeys(names))


def tables(
    runs: pd.DataFrame, families: list[Family], index: dict, outcomes: list[str], seed: int, steps: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy evaluation table (a row per component and outcome) and the total effects (per family and outcome)."""
    finished = runs[runs["status"] == "finished"]
    rows, totals = [], []
    full = finished[finished["point"] == 0].sort_values("replicate")
    total_impact = (full["impact"] + full["rival_impact"]).to_numpy()
    for f in families:
        slugs = [Component.parse(k).slug for k in f.keys]
        shares = evaluation.attribution([full[f"chain_impact_{s}"].to_numpy() for s in slugs], total_impact)
        idea_total = full["ideas_transferred"] + full["transfers_from_track_one"] + full["transfers_from_outside"]
        idea_shares = evaluation.attribution(
            [full[f"chain_ideas_{s}"].to_numpy() for s in slugs], idea_total.to_numpy()
        )
        for outcome in outcomes:
            points = {c: index[(f.name, c)] for c in f.coalitions}
            table = paired_table(finished, outcome, sorted(set(points.values())), steps)
            game = evaluation.Game(len(f.keys), {c: table.loc[p].to_numpy(dtype=float) for c, p in points.items()})
            effect = game.total_effect()
            shapley = evaluation.shapley(game, f.orders, seed=seed)
            contribution = evaluation.contributions(game)
            interval = evaluation.mean_interval(effect)
            totals.append(
                {
                    "family": f.name,
                    "outcome": outcome,
                    "total_effect": interval.estimate,
                    "total_effect_low": interval.low,
                    "total_effect_high": interval.high,
                    "with_programme": float(game.value(game.everyone).mean()),
                    "without_components": float(game.value(frozenset()).mean()),
                    "replicates": table.shape[1],
                    "shapley_sum": float(shapley["shapley"].sum()),
                }
            )
            merged = shapley.merge(contribution, on="player").merge(shares, on="player")
            merged = merged.merge(
                idea_shares.rename(columns=lambda c: c.replace("attribution", "attribution_ideas")), on="player"
            )
            for row in merged.to_dict("records"):
                i = row.pop("player")
                rows.append(
                    {
                        "family": f.name,
                        "component": f.keys[i],
                        "label": f.labels[i],
                        "outcome": outcome,
                        **row,
                        "replicates": table.shape[1],
                    }
                )
    return pd.DataFrame(rows), pd.DataFrame(totals)


def _excludes_zero(low: float, high: float) -> bool:
    return bool(np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0))


def verdict(row: pd.Series) -> str:
    """contributed, merely on the chain, or neither (from the intervals)."""
    if _excludes_zero(row["contribution_low"], row["contribution_high"]):
        return "contributed"
    if row["attribution"] > 0 and np.isfinite(row["attribution_low"]) and row["attribution_low"] > 0:
        return "merely on the chain"
    return "no clear effect"


def sentence(row: pd.Series) -> str:
    """'Workshop 7 is on the chain of 40% of transferred impact, but removing it changes ... by only ...'."""
    what = outcome_label(row["outcome"]).lower()
    share = "-" if not np.isfinite(row["attribution"]) else f"{row['attribution']:.0%}"
    change = f"{-row['contribution']:+.2f} [{-row['contribution_high']:+.2f}, {-row['contribution_low']:+.2f}]"
    shapley = f"{row['shapley']:+.2f} [{row['shapley_low']:+.2f}, {row['shapley_high']:+.2f}]"
    route = str(row["component"]).startswith("route:")
    if route:
        head = f"{row['label']} carried {share} of transferred impact; closing it changes {what} by {change}"
    else:
        head = f"{row['label']} is on the chain of {share} of transferred impact; removing it changes {what} by"
        head += f" {change}"
    tail = {
        "contributed": ": it contributed",
        "merely on the chain": (
            ": the other routes would have carried the same ideas (no clear contribution)"
            if route
            else ": others would have carried the same ideas (on the chain, no clear contribution)"
        ),
        "no clear effect": ": no clear effect either way",
    }[verdict(row)]
    return f"{head}{tail}; its Shapley share of the total effect is {shapley}."


FAMILY_WORDS = {
    "workshops": "Meetings",
    "events": "Entries of the programme's schedule",
    "formats": "Formats",
    "routes": "Routes into Track One",
    "participants": "Participants",
}


def family_words(name: str) -> str:
    """A family in the domain's words, for a figure's title: 'Routes into Track One', 'Groups by gender'."""
    if name.startswith("groups:"):
        return f"Groups by {name.partition(':')[2].replace('_', ' ')}"
    return FAMILY_WORDS.get(name, name)


LABEL_WIDTH_MIN, LABEL_WIDTH_MAX = 32, 64  # characters of the component column in the printed table


def _format(frame: pd.DataFrame, totals: pd.DataFrame, families: list[Family]) -> str:
    lines = []
    for f in families:
        width = min(LABEL_WIDTH_MAX, max([LABEL_WIDTH_MIN, *(len(label) + 2 for label in f.labels)]))
        for outcome, rows in frame[frame["family"] == f.name].groupby("outcome", sort=False):
            total = totals[(totals["family"] == f.name) & (totals["outcome"] == outcome)].iloc[0]
            method = rows["shapley_method"].iloc[0]
            lines += [
                "",
                f"{f.name}: {outcome_label(outcome)} ({total['replicates']} paired runs per coalition; "
                f"Shapley {method})",
                f"  total effect vs every component removed: {total['total_effect']:+.3f} "
                f"[{total['total_effect_low']:+.3f}, {total['total_effect_high']:+.3f}] "
                f"({total['without_components']:.3f} -> {total['with_programme']:.3f}); "
                f"Shapley values sum to {total['shapley_sum']:+.3f}",
                f"  {'component':<{width}}{'on the chain (impact)':>24}{'removing it changes by':>28}"
                f"{'Shapley value':>28}  verdict",
            ]
            for _, row in rows.iterrows():
                share = (
                    f"{row['attribution']:.0%} [{row['attribution_low']:.0%}, {row['attribution_high']:.0%}]"
                    if np.isfinite(row["attribution_low"])
                    else "-"
                )
                change = (
                    f"{-row['contribution']:+.3f} [{-row['contribution_high']:+.3f}, {-row['contribution_low']:+.3f}]"
                )
                shap = f"{row['shapley']:+.3f} [{row['shapley_low']:+.3f}, {row['shapley_high']:+.3f}]"
                label = row["label"][: width - 1]
                lines.append(f"  {label:<{width}}{share:>24}{change:>28}{shap:>28}  {verdict(row)}")
    return "\n".join(lines)


def evaluate_command(args: argparse.Namespace) -> int:
    """Check the input, run every coalition on common seeds, write the tables, figure and summary, print them."""
    from tracktwo.experiments.reporting import figures

    outcomes = _check_outcomes(args.outcomes)
    params = load_params(args.config, parse_overrides(args.overrides))
    families = plan(params, args.components, args.orders, args.seed, args.replicates)
    points, index = _points(families)
    path = Path(args.config) if args.config else DEFAULT_CONFIG
    first = outcomes[0]
    spec = SweepSpec(
        path=path,
        text=path.read_text(encoding="utf-8"),
        name=f"evaluate-{path.stem}",
        method="grid",
        parameters={},
        base=params.model_dump(mode="json"),
        base_path=path,
        replicates=args.replicates,
        seed=args.seed,
        metric={"name": first, "goal": "minimize" if outcome_goal(first) == "lower" else "maximize"},
        timeseries_every=0,
        description=f"Evaluation of {', '.join(f.name for f in families)} ({', '.join(outcomes)})",
        listed_points=tuple(points),
        common_seeds=True,
    )
    with held_sweep(args, spec, spec.name) as (executor, tally):  # the runs, then the files made from them
        if tally.finished == 0:
            return every_run_failed(tally, "evaluate")
        runs = pd.read_parquet(tally.directory / "runs.parquet")
        frame, totals = tables(runs, families, index, outcomes, args.seed, params.steps)
        frame["verdict"] = frame.apply(verdict, axis=1)
        sentences = [sentence(row) for _, row in frame[frame["outcome"] == first].iterrows()]
        write_atomic(tally.directory / TABLE, frame.to_csv(index=False))
        write_atomic(tally.directory / "evaluation_totals.csv", totals.to_csv(index=False))
        written = []
        for f in families:
            title = f"{family_words(f.name)}: {outcome_label(first)}"
            slug = "".join(c if c.isalnum() else "_" for c in f.name)
            stem = f"{FIGURE_STEM}_{slug}" if len(families) > 1 else FIGURE_STEM
            rows = frame[(frame["family"] == f.name) & (frame["outcome"] == first)]
            written += figures.save(figures.evaluation_figure(rows, outcome_label(first), title), tally.directory, stem)
        write_json(
            tally.directory / SUMMARY,
            {
                "config": str(path),
                "families": [
                    {"name": f.name, "components": f.keys, "exact": f.orders is None, "coalitions": len(f.coalitions)}
                    for f in families
                ],
                "outcomes": outcomes,
                "replicates": args.replicates,
                "seed": args.seed,
                "runs": {"planned": tally.planned, "finished": tally.finished, "failed": tally.failed},
                "totals": totals.to_dict("records"),
                "summary": sentences,
                "figures": [p.name for p in written],
            },
        )
        coalitions = sum(len(f.coalitions) for f in families)
        print(
            headline(
                spec.name,
                f"{len(points)} coalitions ({coalitions} in all) x {args.replicates} paired runs",
                tally,
                executor.name,
                executor.workers,
            )
        )
        print(_format(frame, totals, families))
        print("\nIn plain words:")
        for text in sentences:
            print(f"  - {text}")
        names = ", ".join(p.name for p in written)
        print(f"Wrote {tally.directory}/: {TABLE}, evaluation_totals.csv, {SUMMARY}, {names}")
        return finish(tally, draw=False)
