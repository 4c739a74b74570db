"""`tracktwo evaluate CONFIG`: what each part of a programme contributed, and what is merely on the chain."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import evaluation, theory, verdicts
from tracktwo.experiments.analysis.results import EVALUATION_INFO as SUMMARY
from tracktwo.experiments.analysis.results import EVALUATION_TABLE as TABLE
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_config_arguments, add_execution_arguments, held_sweep, positive
from tracktwo.experiments.design.config import DEFAULT_CONFIG, load_params, parse_overrides
from tracktwo.experiments.design.sweepfile import SweepSpec
from tracktwo.experiments.provenance import write_atomic, write_json
from tracktwo.model import OUTCOMES, ConfigError, Params, outcome_goal, outcome_label
from tracktwo.model.components import family

__all__ = [
    "DEFAULT_OUTCOMES",
    "Family",
    "configure",
    "evaluate_command",
    "plan",
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
        "Evaluate a programme's components on common random numbers: per component and outcome the change when "
        "it alone is removed, a verdict by a stated rule (contributed, worked against, no effect, on the chain but "
        "substitutable, inconclusive: Holm or Benjamini-Hochberg across the components, two one-sided tests within "
        "a margin), the share of the outcome's own recorded chains through it, and its Shapley share of the change "
        "when every component is removed. A power check runs first. docs/evaluation.md states the procedures."
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
    verdicts.add_arguments(parser)
    add_execution_arguments(parser, "evaluation", "results/evaluate-<config>/")
    parser.set_defaults(handler=evaluate_command)


def plan(params: Params, names: list[str], orders: int, seed: int) -> list[Family]:
    """The families asked for, each with its components and the coalitions its game needs."""
    families = []
    for name in dict.fromkeys(names):
        found = family(params, name, seed)
        if not found:
            raise ConfigError(f"--components: {name} has no components in this programme (nothing to evaluate)")
        keys, labels = [k for k, _ in found], [label for _, label in found]
        sampled = None if len(keys) <= evaluation.EXACT_MAX else evaluation.orders(len(keys), orders, seed)
        families.append(Family(name, keys, labels, sampled, evaluation.coalitions(len(keys), sampled)))
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


def evaluate_command(args: argparse.Namespace) -> int:
    """Check the input, run every coalition on common seeds, write the tables, figure and summary, print them."""
    from tracktwo.experiments.reporting import figures

    outcomes = _check_outcomes(args.outcomes)
    params = verdicts.with_counterfactual(
        load_params(args.config, parse_overrides(args.overrides)), args.counterfactual
    )
    outcomes = verdicts.with_initiatives(outcomes, params)  # each initiative's own, beside the pooled total
    families = plan(params, args.components, args.orders, args.seed)
    points, index = _points(families)
    links = theory.attach(args.theory, points, params.model_dump(mode="json"))  # knockouts join the points
    rules, checks = verdicts.before_runs(args, params, families, outcomes)  # the rule and the power check
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
        frame, totals = verdicts.tables(runs, families, index, outcomes, args.seed, rules, args.counterfactual)
        sentences = [verdicts.sentence(row) for _, row in frame.iterrows()]
        write_atomic(tally.directory / TABLE, frame.to_csv(index=False))
        write_atomic(tally.directory / "evaluation_totals.csv", totals.to_csv(index=False))
        written = []
        for f in families:
            title = f"{family_words(f.name)}: {verdicts.outcome_words(first)}"
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
                **verdicts.stated(args, rules, checks),
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
        print(verdicts.format_tables(frame, totals))
        written_theory = theory.conclude(links, runs, tally.directory, args.correction, args.alpha)
        print("\nIn plain words:")
        for text in sentences:
            print(f"  - {text}")
        names = ", ".join([*(p.name for p in written), *written_theory])
        print(f"Wrote {tally.directory}/: {TABLE}, evaluation_totals.csv, {SUMMARY}, {names}")
        return finish(tally, draw=False)
