"""`tracktwo evaluate CONFIG`: what each part of a programme contributed, and what is merely on the chain."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from tracktwo.experiments import api
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.contributions import (
    DEFAULT_OUTCOMES,
    FAMILY_WORDS,
    Family,
    family_words,
    plan,
    sentence,
    tables,
    verdict,
)
from tracktwo.experiments.analysis.results import EVALUATION_INFO as SUMMARY
from tracktwo.experiments.analysis.results import EVALUATION_TABLE as TABLE
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import add_config_arguments, add_execution_arguments, execution_options, positive
from tracktwo.model import outcome_label

__all__ = [
    "DEFAULT_OUTCOMES",
    "FAMILY_WORDS",
    "Family",
    "configure",
    "evaluate_command",
    "family_words",
    "plan",
    "sentence",
    "tables",
    "verdict",
]

DEFAULT_REPLICATES = 10
DEFAULT_ORDERS = 20
TEXT_WIDTH = 100


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
    result = api.evaluate(
        args.config,
        set=args.overrides,
        components=args.components,
        outcomes=args.outcomes,
        replicates=args.replicates,
        orders=args.orders,
        seed=args.seed,
        **execution_options(args),
    )
    if result.finished == 0:
        return every_run_failed(result, "evaluate")
    points = len(result.manifest["sweep"]["listed_points"])
    coalitions = sum(len(f.coalitions) for f in result.families)
    print(
        headline(
            result.name,
            f"{points} coalitions ({coalitions} in all) x {args.replicates} paired runs",
            result,
            result.executor,
            result.workers,
        )
    )
    print(_format(result.table, result.totals, list(result.families)))
    print("\nIn plain words:")
    for text in result.sentences:
        print(f"  - {text}")
    names = ", ".join(p.name for p in result.figures)
    print(f"Wrote {result.directory}/: {TABLE}, evaluation_totals.csv, {SUMMARY}, {names}")
    return finish(result, draw=False)
