"""`tracktwo evaluate CONFIG`: what each part of a programme contributed, and what is merely on the chain."""

from __future__ import annotations

import argparse

from tracktwo.experiments.analysis import defaults
from tracktwo.experiments.analysis.defaults import DEFAULT_OUTCOMES
from tracktwo.experiments.analysis.defaults import EVALUATION_INFO as SUMMARY
from tracktwo.experiments.analysis.defaults import EVALUATION_TABLE as TABLE
from tracktwo.experiments.cli.batch import every_run_failed, finish, headline
from tracktwo.experiments.cli.options import (
    add_config_arguments,
    add_execution_arguments,
    add_posterior_argument,
    execution_options,
    positive,
)

__all__ = ["configure", "evaluate_command"]

DEFAULT_REPLICATES = 10
DEFAULT_ORDERS = 20


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
        help=f"orders sampled for Shapley values beyond {defaults.EXACT_MAX} components (default {DEFAULT_ORDERS})",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the runs and of the sampled orders (default 0)")
    _verdict_arguments(parser)
    add_execution_arguments(parser, "evaluation", "results/evaluate-<config>/")
    add_posterior_argument(parser, "coalition")
    parser.set_defaults(handler=evaluate_command)


def _verdict_arguments(parser: argparse.ArgumentParser) -> None:
    """`tracktwo evaluate`'s options for the verdict rule, the counterfactual and the power check."""
    parser.add_argument(
        "--correction",
        choices=list(defaults.CORRECTIONS),
        default=defaults.DEFAULT_CORRECTION,
        help="correction across a family's components: holm (family-wise error rate, default) or bh "
        "(Benjamini-Hochberg false discovery rate)",
    )
    parser.add_argument("--alpha", type=float, default=defaults.DEFAULT_ALPHA, help="level of the tests (default 0.05)")
    parser.add_argument(
        "--margin",
        nargs="+",
        metavar="[OUTCOME=]VALUE",
        help="equivalence margin for 'no effect', in the outcome's units (one value for every outcome, or "
        f"OUTCOME=VALUE each); default {defaults.DEFAULT_MARGIN_SHARE * 100:.0f}%% of the full programme's "
        "pilot mean",
    )
    parser.add_argument(
        "--counterfactual",
        default=defaults.DEFAULT_COUNTERFACTUAL,
        metavar="refill|empty",
        help="what removing participants or groups does to their seats: refill (default: the next actor of the "
        "same kind and side in the same invitation order takes it) or empty (it stays empty)",
    )
    parser.add_argument(
        "--pilot",
        type=int,
        default=defaults.PILOT_REPLICATES,
        help=f"pilot seeds of the power check (default {defaults.PILOT_REPLICATES}; at least 2)",
    )
    parser.add_argument(
        "--paired-sd", type=float, default=None, help="the paired SD to plan with, instead of the pilot's"
    )
    parser.add_argument(
        "--theory",
        default=None,
        metavar="FILE",
        help="a theory of change (YAML: nodes and links) whose links to test by knocking out each cause "
        "(configs/theory/ngo_programme.yaml is an example); writes theory.csv and the contribution story",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse to run when the replicates cannot detect a change as large as the margin",
    )


def evaluate_command(args: argparse.Namespace) -> int:
    """Check the input, run every coalition on common seeds, write the tables, figure and summary, print them."""
    from tracktwo.experiments import api  # here, not at the top: --help needs only the options and their defaults
    from tracktwo.experiments.analysis import verdicts

    result = api.evaluate(
        args.config,
        set=args.overrides,
        components=args.components,
        outcomes=args.outcomes,
        replicates=args.replicates,
        orders=args.orders,
        seed=args.seed,
        counterfactual=args.counterfactual,
        correction=args.correction,
        alpha=args.alpha,
        margin=args.margin,
        pilot=args.pilot,
        paired_sd=args.paired_sd,
        theory=args.theory,
        strict=args.strict,
        posterior=args.posterior,
        posterior_block=args.posterior_block,
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
    print(verdicts.format_tables(result.table, result.totals))
    if result.story:
        print(f"\nContribution story ({result.summary['theory']}):")
        for text in result.story:
            print(f"  - {text}")
    print("\nIn plain words:")
    for text in result.sentences:
        print(f"  - {text}")
    if result.process_outcome is not None:
        print("\n" + verdicts.format_process_and_outcome(result.process_outcome))
        names_extra = [verdicts.PROCESS_OUTCOME_TABLE]
    else:
        names_extra = []
    names = ", ".join([*(p.name for p in result.figures), *result.theory_files, *names_extra])
    print(f"Wrote {result.directory}/: {TABLE}, evaluation_totals.csv, {SUMMARY}, {names}")
    return finish(result, draw=False)
