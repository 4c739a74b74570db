"""Comparing programmes run on common seeds: outcomes with intervals, paired differences from a reference, verdicts.

Replicate r of every programme ran on the same seed (the same network, actors and draws), so a
programme's run and the reference programme's run form a pair: their difference is the
programme's effect with the shared luck removed. The reference is the best programme, or a
baseline the designer names (current practice, say). Differences are averaged over pairs, with a
paired bootstrap interval, and counted (how often each came out ahead, tied, or behind).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from tracktwo.experiments.analysis import stats
from tracktwo.experiments.analysis.input_uncertainty import blocks_of, mean_with_spread, paired_difference_with_spread
from tracktwo.experiments.engine.worker import FINISHED
from tracktwo.model import KIND_LABELS, outcome_goal, outcome_label
from tracktwo.model.outcomes import GOAL_WORDS

__all__ = [
    "CONDITIONAL",
    "DIGITS",
    "HEADLINE_OUTCOMES",
    "INCLUSION_PREFIXES",
    "PHRASES",
    "TABLE_COLUMNS",
    "ProgrammeComparison",
    "better_when",
    "by_replicate",
    "compare_programmes",
    "digits",
    "group_label",
    "inclusion_groups",
    "label",
    "rank",
    "verdict",
]

HEADLINE_OUTCOMES = (
    "any_transfer",
    "ideas_transferred",
    "impact",
    "time_to_first_transfer",
    "mean_novelty_transferred",
    "trust_change",
)
CONDITIONAL = frozenset({"time_to_first_transfer", "mean_novelty_transferred"})  # undefined in runs without a transfer
DIGITS = {"time_to_first_transfer": 1, "trust_change": 3}
INCLUSION_PREFIXES = ("participant_share_", "author_share_")
# How a verdict reads for each outcome: what the better programme does, and the difference in the outcome's own units.
PHRASES = {
    "any_transfer": (
        "gets an idea into Track One where {other} gets none",
        "{pp} percentage points in the chance of a transfer",
    ),
    "ideas_transferred": ("transfers more ideas than {other}", "{value} ideas"),
    "impact": ("has more impact than {other}", "{value} in impact"),
    "time_to_first_transfer": ("gets its first idea into Track One sooner than {other}", "{value} months"),
    "mean_novelty_transferred": ("transfers more novel ideas than {other}", "{value} in novelty (0 to 1)"),
    "trust_change": ("builds more cross-side trust than {other}", "{value} in trust (0 to 1)"),
}
TABLE_COLUMNS = (
    "rank",
    "programme",
    "outcome",
    "label",
    "better",
    "runs",
    "n",
    "estimate",
    "low",
    "high",
    "method",
    "difference",
    "difference_low",
    "difference_high",
    "pairs",
    "share_higher",
    "share_tied",
    "share_lower",
    "difference_method",
)


def label(outcome: str) -> str:
    """An outcome's declared label, saying so when it counts only the runs with a transfer."""
    declared = outcome_label(outcome)
    return f"{declared} (runs with one)" if outcome in CONDITIONAL else declared


def group_label(group: str) -> str:
    """An inclusion group as a reader would say it: 'kind: influential elites', 'gender f'."""
    if group.startswith("kind_"):
        kind = group.removeprefix("kind_")
        return f"kind: {KIND_LABELS.get(kind, kind.replace('_', ' '))}"
    return group.replace("_", " ")


def better_when(outcome: str) -> str:
    """'higher' or 'lower' for an outcome a designer wants more or less of; '' for inclusion shares (no direction)."""
    if outcome.startswith(INCLUSION_PREFIXES):
        return ""
    return GOAL_WORDS[outcome_goal(outcome)]


def inclusion_groups(columns: Sequence[str]) -> list[str]:
    """The groups (kinds and actor-map attributes) whose share among participants the runs report."""
    prefix = INCLUSION_PREFIXES[0]
    return sorted(c[len(prefix) :] for c in columns if c.startswith(prefix))


@dataclass
class ProgrammeComparison:
    """Programmes ranked by one outcome, every outcome summarised, and paired differences from the reference."""

    ranking: list[str]
    rank_by: str
    goal: str
    replicates: int
    table: pd.DataFrame
    differences: pd.DataFrame
    outcomes: list[str]
    groups: list[str]
    confidence: float = stats.DEFAULT_CONFIDENCE
    verdicts: dict[str, str] = field(default_factory=dict)
    baseline: str | None = None  # the named reference, if any
    posterior_block: int | None = None  # with a posterior: replicates per particle; intervals carry its spread

    @property
    def best(self) -> str:
        """The programme ranked first."""
        return self.ranking[0]

    @property
    def reference(self) -> str:
        """The programme every other is compared with: the baseline if one was named, else the best."""
        return self.baseline or self.best

    @property
    def others(self) -> list[str]:
        """The programmes compared with the reference, in rank order."""
        return [name for name in self.ranking if name != self.reference]

    def row(self, programme: str, outcome: str) -> pd.Series:
        """One programme's summary of one outcome."""
        table = self.table
        return table[(table["programme"] == programme) & (table["outcome"] == outcome)].iloc[0]


def by_replicate(runs: pd.DataFrame, names: Sequence[str], outcome: str) -> pd.DataFrame:
    """The outcome with one row per replicate (one seed) and one column per programme; NaN for a failed run."""
    finished = runs[runs["status"] == FINISHED]
    table = finished.pivot_table(index="replicate", columns="point", values=outcome, aggfunc="mean", dropna=False)
    table = table.reindex(index=sorted(runs["replicate"].unique()), columns=range(len(names)))
    table.columns = list(names)
    return table.astype(float)


def rank(runs: pd.DataFrame, names: Sequence[str], outcome: str, goal: str) -> list[str]:
    """Programme names, best first by the outcome's mean (NaN last, ties in file order)."""
    means = by_replicate(runs, names, outcome).mean()
    order = sorted(
        range(len(names)),
        key=lambda i: (math.isnan(means.iloc[i]), -means.iloc[i] if goal == "maximize" else means.iloc[i], i),
    )
    return [names[i] for i in order]


def compare_programmes(
    runs: pd.DataFrame,
    names: Sequence[str],
    rank_by: str,
    goal: str,
    confidence: float = stats.DEFAULT_CONFIDENCE,
    baseline: str | None = None,
    posterior_block: int | None = None,
) -> ProgrammeComparison:
    """Rank the programmes and compare each on every outcome with the baseline (or the best, if none is named).

    Point i of the runs is programme names[i]. `posterior_block` (m, with a posterior): each interval and
    paired difference is then the random-effects one over blocks of m replicates
    (experiments.analysis.input_uncertainty), whose posterior part does not shrink with replicates.
    """
    if baseline is not None and baseline not in names:
        raise ValueError(f"baseline {baseline!r} is not one of the programmes {list(names)}")
    per_replicate = runs.groupby("replicate").agg(runs=("point", "size"), seeds=("seed", "nunique"))
    if (per_replicate["runs"] != len(names)).any() or (per_replicate["seeds"] != 1).any():
        raise ValueError("the runs are not paired: every replicate needs one run of every programme, all on one seed")
    ranking = rank(runs, names, rank_by, goal)
    reference = baseline or ranking[0]
    headline = [o for o in dict.fromkeys([rank_by, *HEADLINE_OUTCOMES]) if o in runs]
    groups = inclusion_groups(list(runs.columns))
    inclusion = [f"{prefix}{group}" for group in groups for prefix in INCLUSION_PREFIXES if f"{prefix}{group}" in runs]
    seeds = runs.drop_duplicates("replicate").set_index("replicate")["seed"]
    rows, differences = [], []
    for outcome in [*headline, *inclusion]:
        values = by_replicate(runs, names, outcome)
        blocks = None if posterior_block is None else blocks_of(values.index.to_numpy(), posterior_block)
        for position, programme in enumerate(ranking, start=1):
            mine, theirs = values[programme].to_numpy(), values[reference].to_numpy()
            if blocks is None:
                interval = stats.outcome_interval(mine, confidence)
                paired = stats.paired_difference(mine, theirs, confidence)
            else:
                interval = mean_with_spread(mine, blocks, confidence)
                paired = paired_difference_with_spread(mine, theirs, blocks, confidence)
            rows.append(
                {
                    "rank": position,
                    "programme": programme,
                    "outcome": outcome,
                    "label": label(outcome),
                    "better": better_when(outcome),
                    "runs": int(values[programme].size),
                    "n": interval.n,
                    "estimate": interval.estimate,
                    "low": interval.low,
                    "high": interval.high,
                    "method": interval.method,
                    "difference": paired.estimate,
                    "difference_low": paired.low,
                    "difference_high": paired.high,
                    "pairs": paired.n,
                    "share_higher": paired.share_higher,
                    "share_tied": paired.share_tied,
                    "share_lower": paired.share_lower,
                    "difference_method": paired.method,
                }
            )
            if programme != reference:
                differences.append(
                    pd.DataFrame(
                        {
                            "programme": programme,
                            "reference": reference,
                            "outcome": outcome,
                            "replicate": values.index,
                            "seed": seeds.reindex(values.index).to_numpy(),
                            "value": values[programme].to_numpy(),
                            "reference_value": values[reference].to_numpy(),
                            "difference": (values[programme] - values[reference]).to_numpy(),
                        }
                    )
                )
    comparison = ProgrammeComparison(
        ranking=ranking,
        rank_by=rank_by,
        goal=goal,
        replicates=int(runs["replicate"].nunique()),
        table=pd.DataFrame(rows, columns=list(TABLE_COLUMNS)),
        differences=pd.concat(differences, ignore_index=True) if differences else pd.DataFrame(),
        outcomes=headline,
        groups=groups,
        confidence=confidence,
        baseline=baseline,
        posterior_block=posterior_block,
    )
    comparison.verdicts = {other: verdict(comparison, other) for other in comparison.others}
    return comparison


def digits(outcome: str) -> int:
    """Decimals that show an outcome's differences (months to one place, trust, which moves little, to three)."""
    return DIGITS.get(outcome, 2)


def _amount(outcome: str, value: float) -> str:
    template = PHRASES.get(outcome, ("", "{value}"))[1] or "{value}"
    return template.format(value=_bare(outcome, value), pp=_bare(outcome, value))


def _lowered(text: str) -> str:
    return text[:1].lower() + text[1:]


def verdict(comparison: ProgrammeComparison, other: str, outcome: str | None = None) -> str:
    """A plain sentence: which of `other` and the reference did better on the outcome in paired runs.

    It says how often, by how much and how sure.
    """
    outcome = outcome or comparison.rank_by
    reference = comparison.reference
    row = comparison.row(other, outcome)
    goal = comparison.goal if outcome == comparison.rank_by else outcome_goal(outcome)
    where = " where both got an idea into Track One" if outcome in CONDITIONAL else ""
    if row["pairs"] == 0:
        return f"{reference} and {other} cannot be compared on {_lowered(label(outcome))}: no paired runs{where}."
    if row["share_tied"] == 1.0:
        same = _lowered(label(outcome))
        return f"{reference} and {other} gave the same {same} in all {row['pairs']} paired runs{where}."
    # The table holds other - reference; the sentence speaks of the leader's advantage.
    flip = -1.0 if goal == "maximize" else 1.0  # flip x (other - reference) = the reference's advantage
    reference_ahead = row["share_lower"] if goal == "maximize" else row["share_higher"]
    other_ahead = row["share_higher"] if goal == "maximize" else row["share_lower"]
    if flip * row["difference"] < 0:  # on average, `other` did better: it leads the sentence
        leader, follower, flip, ahead = other, reference, -flip, other_ahead
    else:
        leader, follower, ahead = reference, other, reference_ahead
    advantage = flip * row["difference"]
    low, high = sorted((flip * row["difference_low"], flip * row["difference_high"]))
    verb = PHRASES.get(outcome, ("does better than {other} on " + _lowered(label(outcome)), ""))[0].format(
        other=follower
    )
    sentence = (
        f"{leader} {verb} in {ahead:.0%} of {row['pairs']} paired runs{where} ({row['share_tied']:.0%} tied); "
        f"the difference is {_amount(outcome, advantage)}"
    )
    if math.isnan(low):
        return f"{sentence} (too few pairs for an interval)."
    sentence += f", {comparison.confidence:.0%} CI {_bare(outcome, low)} to {_bare(outcome, high)}."
    if low <= 0.0 <= high:
        what = "only its seed part, not what the posterior leaves open" if comparison.posterior_block else "it"
        sentence += " The interval includes zero: these runs cannot tell the two apart"
        sentence += f" (more --replicates would narrow {what})."
    return sentence


def _bare(outcome: str, value: float) -> str:
    """A number as a verdict shows it: a chance in percentage points, anything else to its outcome's decimals."""
    if outcome == "any_transfer":
        return f"{100 * value:.0f}"
    return f"{value:.{digits(outcome)}f}"
