"""`tracktwo evaluate`'s tables: per component and outcome, the change when removed with its verdict.

The command's runs are a cooperative game per family of components (experiments.analysis.evaluation).
This module turns them into the tables every surface shows (CLI, CSV, JSON, report, app), with:

- one sign convention: the *change when removed*, v(N without i) - v(N); Shapley values are shares of
  the change when every component is removed, v(empty) - v(N), so they add up to it;
- a stated verdict rule (`evaluation.Rule`): Holm or Benjamini-Hochberg across the family's
  components, two one-sided tests within a margin for "no effect";
- a chain per outcome: the record decomposes *impact* (novelty that entered Track One) and
  *ideas that entered Track One* for every family, and through meetings (where an idea was born)
  the uptakes in Track 1.5 and Track Three and local agreements; any other outcome or family has
  "no chain for this outcome" (never another outcome's chain);
- the counterfactual named on every row: what a removal leaves in the component's place;
- a power check before the runs: a pilot on seeds apart from the evaluation's gives the paired SD
  of the whole programme's removal, and from it the smallest change the chosen replicates detect.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.defaults import DEFAULT_COUNTERFACTUAL, PILOT_REPLICATES
from tracktwo.experiments.analysis.evaluation import Rule, plain
from tracktwo.experiments.analysis.input_uncertainty import blocks_of
from tracktwo.experiments.analysis.results import outcome_values, paired_table
from tracktwo.experiments.messages import OptionError
from tracktwo.model import ConfigError, outcome_label
from tracktwo.model.components import Component

__all__ = [
    "CHAINS",
    "COUNTERFACTUALS",
    "DEFAULT_COUNTERFACTUAL",
    "NO_CHAIN",
    "PILOT_REPLICATES",
    "PROCESS_AND_OUTCOME",
    "PROCESS_OUTCOME_TABLE",
    "PowerCheck",
    "before_runs",
    "chain_of",
    "change_text",
    "counterfactual_words",
    "format_process_and_outcome",
    "format_tables",
    "outcome_words",
    "parse_margins",
    "power_check",
    "process_and_outcome",
    "sentence",
    "stated",
    "tables",
    "with_counterfactual",
    "with_initiatives",
]

COUNTERFACTUALS = {  # evaluation.seats: what removed participants' and groups' seats become
    "refill": "a removed actor's seat goes to the next actor of the same kind and side in the same invitation "
    "order (empty only where that pool runs out, or for a named cohort)",
    "empty": "removed actors' seats stay empty; every other seat as in the full programme",
}
PILOT_STREAM = 7919  # the pilot's seeds come from their own stream, apart from the evaluation's runs
NO_CHAIN = "no chain for this outcome"


@dataclass(frozen=True)
class Chain:
    """What the record decomposes for an outcome: the per-component column prefix and the pooled total."""

    prefix: str  # chain_impact_ / chain_ideas_ / chain_track_1_5_ ... (model.record)
    totals: tuple[str, ...]  # outcomes whose sum is what the shares are of
    words: str
    families: tuple[str, ...] | None = None  # the families it decomposes (None: every family)


MEETINGS_ONLY = ("workshops",)  # beyond Track One the record knows only where an idea was born
CHAINS: dict[str, Chain] = {
    "impact": Chain("chain_impact_", ("impact", "rival_impact"), "impact that entered Track One"),
    "ideas_transferred": Chain(
        "chain_ideas_",
        ("ideas_transferred", "transfers_from_track_one", "transfers_from_outside"),
        "ideas that entered Track One",
    ),
    "transfers_track_1_5": Chain(
        "chain_track_1_5_", ("transfers_track_1_5",), "ideas taken up in Track 1.5 (born in the meeting)", MEETINGS_ONLY
    ),
    "transfers_track_three": Chain(
        "chain_track_three_",
        ("transfers_track_three",),
        "ideas taken up in Track Three (born in the meeting)",
        MEETINGS_ONLY,
    ),
    "local_agreements": Chain(
        "chain_local_agreements_", ("local_agreements",), "local agreements (idea born in the meeting)", MEETINGS_ONLY
    ),
}


def chain_of(outcome: str, family: str | None = None) -> Chain | None:
    """The outcome's own chain for this family of components, or None: no outcome borrows another's."""
    chain = CHAINS.get(outcome)
    if chain is None or (family is not None and chain.families is not None and family not in chain.families):
        return None
    return chain


def counterfactual_words(family: str, counterfactual: str = DEFAULT_COUNTERFACTUAL) -> str:
    """What a removal of this family leaves in its place, in words (on every row and in every report)."""
    if family in ("participants",) or family.startswith("groups:"):
        return f"{counterfactual}: {COUNTERFACTUALS[counterfactual]}"
    if family == "routes":
        return "route closed: ideas may still enter Track One by the other routes"
    return "not held: the rest of the schedule unchanged"


PER_INITIATIVE = ("ideas_transferred", "impact")  # pooled outcomes the model splits by initiative
_PER_INITIATIVE = re.compile(r"^(ideas_transferred|impact)_initiative_(\d+)$")


def with_initiatives(outcomes: Sequence[str], params: Any) -> list[str]:
    """With several initiatives, each one's own share of a pooled outcome beside it (ideas_transferred_initiative_2).

    The model splits ideas that entered Track One and their impact by the initiative whose meeting
    bore the idea (model.initiatives.Programmes.per_initiative); the pooled total stays first.
    """
    count = 1 + len(params.initiatives or [])
    found: list[str] = []
    for outcome in outcomes:
        found.append(outcome)
        if count > 1 and outcome in PER_INITIATIVE:
            found += [f"{outcome}_initiative_{k}" for k in range(1, count + 1)]
    return list(dict.fromkeys(found))


def outcome_words(outcome: str) -> str:
    """An outcome's label; a per-initiative one says whose: 'Ideas that entered Track One: initiative 2's own'."""
    match = _PER_INITIATIVE.match(outcome)
    if match:
        whose = "the main programme's own" if match.group(2) == "1" else f"initiative {match.group(2)}'s own"
        return f"{outcome_label(match.group(1))}: {whose}"
    return outcome_label(outcome)


def check_counterfactual(name: str) -> str:
    """`refill` or `empty`; anything else refused in one line."""
    if name not in COUNTERFACTUALS:
        raise OptionError("counterfactual", f"{name!r} is not one of {', '.join(COUNTERFACTUALS)}")
    return name


def with_counterfactual(params: Any, name: str) -> Any:
    """The params with the chosen counterfactual for removed actors' seats (evaluation.seats)."""
    check_counterfactual(name)
    return params.model_copy(update={"evaluation": params.evaluation.model_copy(update={"seats": name})})


def parse_margins(values: Sequence[str] | None, outcomes: Sequence[str]) -> dict[str, float]:
    """`--margin 0.5` (every outcome) or `--margin impact=0.5 ideas_transferred=1`: margins in outcome units."""
    found: dict[str, float] = {}
    for value in values or []:
        name, sep, number = value.rpartition("=")
        try:
            margin = float(number)
        except ValueError:
            raise OptionError("margin", f"{value!r} is not a number or OUTCOME=NUMBER") from None
        if not (math.isfinite(margin) and margin >= 0):
            raise OptionError("margin", f"{value!r} must be a finite number >= 0")
        if sep and name not in outcomes:
            raise OptionError("margin", f"{name!r} is not one of the outcomes evaluated ({', '.join(outcomes)})")
        for outcome in [name] if sep else outcomes:
            found[outcome] = margin
    return found


@dataclass(frozen=True)
class PowerCheck:
    """Per outcome: the pilot's paired SD, the margin, and the smallest change the replicates detect."""

    outcome: str
    pilot_replicates: int
    paired_sd: float
    full_mean: float
    margin: float
    margin_source: str
    replicates: int
    tests: int
    detectable: float

    @property
    def underpowered(self) -> bool:
        """Whether a change as large as the margin could go undetected (80% power, corrected level)."""
        return not self.detectable <= self.margin

    def message(self) -> str:
        """One line for the terminal and the JSON."""
        head = (
            f"power check ({outcome_words(self.outcome)}): with {self.replicates} replicates and {self.tests} "
            f"component{'s' if self.tests != 1 else ''} the smallest change when removed detectable with 80% "
            f"power is {plain(self.detectable)} "
            f"(pilot paired SD {plain(self.paired_sd)} over {self.pilot_replicates} seeds); margin "
            f"{plain(self.margin)} ({self.margin_source})"
        )
        return head + (": UNDERPOWERED, more replicates needed" if self.underpowered else ": enough")


_ALL_NAN_WARNINGS = "(Mean of empty slice|Degrees of freedom <= 0)"  # numpy's nan-statistics of no defined value


def power_check(
    base: Mapping[str, Any],
    removals: Sequence[Sequence[str]],
    outcomes: Sequence[str],
    replicates: int,
    tests: int,
    margins: Mapping[str, float],
    rule: Rule,
    seed: int,
    pilot: int = PILOT_REPLICATES,
    paired_sd: float | None = None,
    posterior: Any = None,
) -> list[PowerCheck]:
    """The power check before the runs: pilot the removal of every component (each family's `removals`).

    The planning SD is the largest paired SD, over the families, of the change when every component
    is removed: a conservative value (one component's removal usually moves the outcome less). The
    margin is the user's, else DEFAULT_MARGIN_SHARE of the pilot's full-programme mean (stated).
    """
    from tracktwo.model import merge, simulate

    seeds = [int(np.random.SeedSequence([seed, PILOT_STREAM, r]).generate_state(1)[0]) for r in range(pilot)]
    draw_seed = int(np.random.SeedSequence([seed, PILOT_STREAM]).generate_state(1)[0])
    drawn = [{} if posterior is None else posterior.draw(draw_seed, r) for r in range(pilot)]  # as the runs will
    full = [
        simulate(merge(dict(base), {**d, "evaluation.removed": []}), s).outcomes
        for s, d in zip(seeds, drawn, strict=True)
    ]
    emptied = [
        [
            simulate(merge(dict(base), {**d, "evaluation.removed": list(r)}), s).outcomes
            for s, d in zip(seeds, drawn, strict=True)
        ]
        for r in removals
    ]
    steps = int(base.get("steps", 0)) or None

    def values(runs: Sequence[Mapping[str, Any]], outcome: str) -> np.ndarray:
        """An outcome over the pilot's runs, undefined values as every table reads them (censored or missing)."""
        return outcome_values(pd.DataFrame([{outcome: o[outcome]} for o in runs]), outcome, steps).to_numpy()

    checks = []
    for outcome in outcomes:
        with_programme = values(full, outcome)
        with warnings.catch_warnings():  # undefined in every pilot run: NaN, said in the check's own line
            warnings.filterwarnings("ignore", message=_ALL_NAN_WARNINGS, category=RuntimeWarning)
            sds = [
                float(np.nanstd(values(runs, outcome) - with_programme, ddof=1)) for runs in emptied
            ] if pilot > 1 else [math.nan]  # fmt: skip
            mean = float(np.nanmean(with_programme))
        sd = paired_sd if paired_sd is not None else max(sds)
        if outcome in margins:
            margin, source = margins[outcome], "set by --margin"
        else:
            margin = abs(mean) * evaluation.DEFAULT_MARGIN_SHARE + 0.0
            source = f"default: {evaluation.DEFAULT_MARGIN_SHARE:.0%} of the full programme's pilot mean"
            if not math.isfinite(margin):  # undefined in every pilot run: no margin to default to
                margin, source = 0.0, "0: the outcome was undefined in every pilot run (set --margin)"
        detectable = evaluation.detectable_effect(sd, replicates, tests, rule.alpha)
        checks.append(PowerCheck(outcome, pilot, sd, mean, margin, source, replicates, tests, detectable))
    return checks


def before_runs(
    args: Any, params: Any, families: Sequence[Any], outcomes: Sequence[str], echo: Callable[[str], None] = print
) -> tuple[dict[str, Rule], list[PowerCheck]]:
    """Check the rule's options, run the power check's pilot, warn (or refuse with --strict); before any run."""
    check_counterfactual(args.counterfactual)
    if not 0 < args.alpha < 1:
        raise OptionError("alpha", f"{args.alpha} is not between 0 and 1")
    if args.pilot < 2:
        raise OptionError("pilot", f"{args.pilot} seeds cannot give a paired SD; allowed: 2 or more")
    if args.paired_sd is not None and not (math.isfinite(args.paired_sd) and args.paired_sd >= 0):
        raise OptionError("paired_sd", f"{args.paired_sd} must be a finite number >= 0")
    margins = parse_margins(args.margin, outcomes)
    removals = [list(f.keys) for f in families]
    tests = max(len(f.keys) for f in families)
    base = params.model_dump(mode="json")
    rule = Rule(args.correction, args.alpha)
    checks = power_check(
        base, removals, outcomes, args.replicates, tests, margins, rule, args.seed, args.pilot, args.paired_sd,
        getattr(args, "posterior", None),
    )  # fmt: skip
    weak = [c for c in checks if c.underpowered]
    for check in checks:
        echo(("warning: " if check.underpowered else "") + check.message())
    if weak and args.strict:
        worst = weak[0]
        raise ConfigError(
            f"--strict: with --replicates {args.replicates} the smallest detectable change in {worst.outcome} is "
            f"{plain(worst.detectable)}, above the margin {plain(worst.margin)}; raise --replicates or --margin"
        )
    rules = {c.outcome: Rule(args.correction, args.alpha, c.margin) for c in checks}
    return rules, checks


def stated(args: Any, rules: Mapping[str, Rule], checks: Sequence[PowerCheck]) -> dict[str, Any]:
    """What evaluation.json states about the rule, the counterfactual and the power check."""
    return {
        "counterfactual": args.counterfactual,
        "counterfactual_words": COUNTERFACTUALS[args.counterfactual],
        "sign": "change when removed: the outcome without the component minus the outcome with it",
        "rule": {
            "correction": args.correction,
            "alpha": args.alpha,
            "margins": {outcome: rule.margin for outcome, rule in rules.items()},
            "verdicts": evaluation.VERDICT_RULES,
            "text": {outcome: rule.describe() for outcome, rule in rules.items()},
        },
        "power": [
            {
                "outcome": c.outcome,
                "pilot_replicates": c.pilot_replicates,
                "paired_sd": c.paired_sd,
                "margin": c.margin,
                "margin_source": c.margin_source,
                "replicates": c.replicates,
                "tests": c.tests,
                "detectable": c.detectable,
                "underpowered": c.underpowered,
                "message": c.message(),
            }
            for c in checks
        ],
        "chains": {o: (CHAINS[o].words if o in CHAINS else NO_CHAIN) for o in rules},
        "chain_families": {o: list(CHAINS[o].families or ["every family"]) for o in rules if o in CHAINS},
    }


def tables(
    runs: pd.DataFrame,
    families: Sequence[Any],
    index: Mapping[tuple[str, frozenset[int]], int],
    outcomes: Sequence[str],
    seed: int,
    rules: Mapping[str, Rule],
    counterfactual: str = DEFAULT_COUNTERFACTUAL,
    steps: int | None = None,
    block: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tidy evaluation table (a row per component and outcome) and the totals (per family and outcome).

    `families` have .name, .keys, .labels, .orders, .coalitions (experiments.analysis.contributions.Family);
    `index` maps (family, coalition kept) to the sweep point that ran it; point 0 is the full
    programme with its record on. `rules` gives each outcome's verdict rule (its margin). `block`:
    with a posterior, the replicates per particle (m); every interval, test and verdict then carries the
    posterior's spread (experiments.analysis.input_uncertainty); None without a posterior.
    """
    finished = runs[runs["status"] == "finished"]
    full = finished[finished["point"] == 0].sort_values("replicate")
    rows, totals = [], []
    for f in families:
        slugs = [Component.parse(k).slug for k in f.keys]
        words = counterfactual_words(f.name, counterfactual)
        for outcome in outcomes:
            rule = rules[outcome]
            points = {c: index[(f.name, c)] for c in f.coalitions}
            table = paired_table(finished, outcome, sorted(set(points.values())), steps)  # undefined: censored
            game = evaluation.Game(len(f.keys), {c: table.loc[p].to_numpy(dtype=float) for c, p in points.items()})
            blocks = None if block is None else blocks_of(table.columns.to_numpy(), block)
            everyone = game.everyone
            changes = np.column_stack([game.value(everyone - {i}) - game.value(everyone) for i in range(len(f.keys))])
            chain = chain_of(outcome, f.name)
            if chain is not None:
                kept = full[full["replicate"].isin(table.columns)]
                pooled = kept[list(chain.totals)].sum(axis=1).to_numpy(dtype=float)
                shares = evaluation.attribution(
                    [kept[f"{chain.prefix}{s}"].to_numpy() for s in slugs], pooled,
                    blocks=None if block is None else blocks_of(kept["replicate"].to_numpy(), block),
                )  # fmt: skip
            else:
                shares = pd.DataFrame({"attribution": np.nan, "attribution_low": np.nan, "attribution_high": np.nan},
                                      index=range(len(f.keys)))  # fmt: skip
            judged = evaluation.judge(changes, rule, shares["attribution_low"].to_numpy(dtype=float), blocks=blocks)
            shapley = evaluation.shapley(game, f.orders, seed=seed, blocks=blocks)
            whole = evaluation.judge(
                (game.value(frozenset()) - game.value(everyone)).reshape(-1, 1), rule, blocks=blocks
            )
            total = whole.iloc[0]
            totals.append(
                {
                    "family": f.name,
                    "outcome": outcome,
                    "counterfactual": words,
                    "change_when_all_removed": total["change_when_removed"],
                    "change_when_all_removed_low": total["change_when_removed_low"],
                    "change_when_all_removed_high": total["change_when_removed_high"],
                    "p_value": total["p_value"],
                    "posterior_sd": total["posterior_sd"],
                    "verdict": total["verdict"],
                    "with_programme": float(game.value(everyone).mean()),
                    "without_components": float(game.value(frozenset()).mean()),
                    "replicates": table.shape[1],
                    "shapley_sum": -float(shapley["shapley"].sum()),
                    "margin": rule.margin,
                    "rule": rule.describe(),
                }
            )
            for i, key in enumerate(f.keys):
                test = judged.iloc[i]
                rows.append(
                    {
                        "family": f.name,
                        "component": key,
                        "label": f.labels[i],
                        "outcome": outcome,
                        "counterfactual": words,
                        **{k: test[k] for k in judged.columns if k not in ("verdict", "standard_error", "df")},
                        "detectable_effect": evaluation.detectable_from_se(
                            test["standard_error"], test["df"], len(f.keys), rule.alpha
                        ),
                        "correction": rule.correction,
                        "alpha": rule.alpha,
                        "margin": rule.margin,
                        "verdict": test["verdict"],
                        "chain": chain.words if chain is not None else NO_CHAIN,
                        "chain_share": shares["attribution"].iloc[i],
                        "chain_share_low": shares["attribution_low"].iloc[i],
                        "chain_share_high": shares["attribution_high"].iloc[i],
                        "shapley": -shapley["shapley"].iloc[i],  # share of the change when all are removed
                        "shapley_low": -shapley["shapley_high"].iloc[i],
                        "shapley_high": -shapley["shapley_low"].iloc[i],
                        "shapley_method": shapley["shapley_method"].iloc[i],
                        "replicates": table.shape[1],
                    }
                )
    frame, summary = pd.DataFrame(rows), pd.DataFrame(totals)
    return evaluation.no_negative_zero(frame), evaluation.no_negative_zero(summary)


PROCESS_AND_OUTCOME = {"process": "influence_on_process", "outcome": "ideas_transferred"}  # column prefix: outcome
PROCESS_OUTCOME_TABLE = "process_outcome.csv"


def process_and_outcome(
    runs: pd.DataFrame,
    families: Sequence[Any],
    index: Mapping[tuple[str, frozenset[int]], int],
    seed: int,
    rules: Mapping[str, Rule],
    rule: Rule,
    counterfactual: str = DEFAULT_COUNTERFACTUAL,
    steps: int | None = None,
    block: int | None = None,
) -> pd.DataFrame:
    """Per component: its change when removed in influence on the process beside that in outcome transfer.

    Influence on the process (official positions moved by Track Two ideas not adopted) and outcome
    transfer (Track Two ideas adopted into Track One) are judged exactly as `tables` judges any outcome,
    on the same runs: an outcome evaluated already keeps its rule (`rules`); otherwise `rule`'s
    correction and level with the default margin, DEFAULT_MARGIN_SHARE of the full programme's mean
    over these runs (stated in the `*_margin` columns). Empty when the runs lack either outcome.
    """
    outcomes = list(PROCESS_AND_OUTCOME.values())
    if any(name not in runs for name in outcomes):
        return pd.DataFrame()
    full = runs[(runs["status"] == "finished") & (runs["point"] == 0)]
    stated = {
        name: rules.get(name)
        or Rule(rule.correction, rule.alpha, abs(float(full[name].mean())) * evaluation.DEFAULT_MARGIN_SHARE + 0.0)
        for name in outcomes
    }
    frame, _ = tables(runs, families, index, outcomes, seed, stated, counterfactual, steps, block)
    keys = ["family", "component", "label"]
    wide = frame.loc[frame["outcome"] == outcomes[0], keys].reset_index(drop=True)
    columns = {"change_when_removed": "change", "change_when_removed_low": "change_low",
               "change_when_removed_high": "change_high", "p_adjusted": "p_adjusted", "margin": "margin",
               "verdict": "verdict"}  # fmt: skip
    for prefix, name in PROCESS_AND_OUTCOME.items():
        part = frame[frame["outcome"] == name].reset_index(drop=True)
        for column, short in columns.items():
            wide[f"{prefix}_{short}"] = part[column]
    return wide


def _interval(row: Mapping[str, Any], key: str, digits: int = 3) -> str:
    return (
        f"{plain(row[key], digits, signed=True)} "
        f"[{plain(row[f'{key}_low'], digits, signed=True)}, {plain(row[f'{key}_high'], digits, signed=True)}]"
    )


def _share(row: Mapping[str, Any]) -> str:
    if not np.isfinite(row["chain_share"]):
        return "-"
    low, high = row["chain_share_low"], row["chain_share_high"]
    return f"{row['chain_share']:.0%} [{low:.0%}, {high:.0%}]" if np.isfinite(low) else f"{row['chain_share']:.0%}"


def sentence(row: Mapping[str, Any]) -> str:
    """'Workshop 7: removing it changes impact by -1.32 [...] (adjusted p = ...): contributed; on the chain ...'."""
    what = outcome_words(row["outcome"])
    what = what if what.startswith("Track") else what[:1].lower() + what[1:]
    verb = "closing it" if str(row["component"]).startswith("route:") else "removing it"
    chain = (
        f"on the chain of {_share(row)} of {row['chain']}" if row["chain"] != NO_CHAIN else "no chain for this outcome"
    )
    return (
        f"{row['label']}: {verb} changes {what} by {_interval(row, 'change_when_removed', 2)} "
        f"(adjusted p = {plain(row['p_adjusted'], 3)}): {row['verdict']}; {chain}."
    )


LABEL_WIDTH_MIN, LABEL_WIDTH_MAX = 32, 64  # characters of the component column in the printed table


def format_tables(frame: pd.DataFrame, totals: pd.DataFrame, label_of: Callable[[str], str] | None = None) -> str:
    """The printed tables: per family and outcome, the counterfactual, the rule, the total and each component."""
    label_of = label_of or outcome_words
    lines = []
    for (family, outcome), rows in frame.groupby(["family", "outcome"], sort=False):
        total = totals[(totals["family"] == family) & (totals["outcome"] == outcome)].iloc[0]
        width = min(LABEL_WIDTH_MAX, max([LABEL_WIDTH_MIN, *(len(label) + 2 for label in rows["label"])]))
        lines += [
            "",
            f"{family}: {label_of(outcome)} ({total['replicates']} paired runs per coalition; "
            f"Shapley {rows['shapley_method'].iloc[0]})",
            f"  counterfactual: {total['counterfactual']}",
            f"  rule: {total['rule']}",
            f"  change when every component is removed: {_interval(total, 'change_when_all_removed')} "
            f"({plain(total['with_programme'])} -> {plain(total['without_components'])}): {total['verdict']}; "
            f"Shapley values sum to {plain(total['shapley_sum'], signed=True)}",
            f"  {'component':<{width}}{'change when removed':>28}{'adj. p':>8}{'on the chain':>18}"
            f"{'Shapley share':>28}  verdict",
        ]
        for _, row in rows.iterrows():
            label = row["label"][: width - 1]
            lines.append(
                f"  {label:<{width}}{_interval(row, 'change_when_removed'):>28}{plain(row['p_adjusted']):>8}"
                f"{_share(row):>18}{_interval(row, 'shapley'):>28}  {row['verdict']}"
            )
        if rows["chain"].iloc[0] == NO_CHAIN:
            lines.append(
                f"  ({NO_CHAIN}: the record decomposes impact and ideas that entered Track One, and through meetings "
                "the uptakes in Track 1.5 and Track Three and local agreements)"
            )
    return "\n".join(lines)


def format_process_and_outcome(table: pd.DataFrame) -> str:
    """The printed table: per component, the change in influence on the process beside that in outcome transfer."""
    width = min(LABEL_WIDTH_MAX, max([LABEL_WIDTH_MIN, *(len(str(label)) + 2 for label in table["label"])]))
    lines = ["Change when removed: influence on the process (positions moved without adoption) and outcome transfer "
             "(ideas adopted)"]  # fmt: skip
    for family, rows in table.groupby("family", sort=False):
        lines += [f"  {family}", f"    {'component':<{width}}{'influence on the process':<44}outcome transfer"]
        for _, row in rows.iterrows():
            process = f"{change_text(row, 'process')} {row['process_verdict']}"
            outcome = f"{change_text(row, 'outcome')} {row['outcome_verdict']}"
            lines.append(f"    {str(row['label'])[: width - 1]:<{width}}{process:<44}{outcome}")
    return "\n".join(lines)


def change_text(row: Mapping[str, Any], prefix: str) -> str:
    """'-0.120 [-0.200, -0.040]' from process_outcome.csv's `<prefix>_change` columns."""
    return (
        f"{plain(row[f'{prefix}_change'], 3, signed=True)} "
        f"[{plain(row[f'{prefix}_change_low'], 3, signed=True)}, {plain(row[f'{prefix}_change_high'], 3, signed=True)}]"
    )
