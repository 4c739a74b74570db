"""The stylized facts of the "new" Track Two (docs/ODD.md 7.9, F9-F15) as statistical claims over seeds.

Same conventions as claims.py: conditions run on the same seeds (paired), a comparison is the one-sided
Wilcoxon signed-rank test at ALPHA with a 99% paired bootstrap interval of the mean difference.
"""

from __future__ import annotations

import pandas as pd
from claims import ALPHA, Verdict, equivalent, greater
from scipy import stats

TRACK_THREE_MODEST = 0.1  # F12: "a modest share of transfers via Track Three"
VOICE_GAP_MARGIN = 0.05  # F15: equal voice closes the gap between seat and authorship shares to within this


def f9_capacity_building_first(trained: pd.DataFrame, workshops_only: pd.DataFrame) -> Verdict:
    return greater(trained.ideas_transferred, workshops_only.ideas_transferred, "transfers, trainings first vs not")


def f10_trip_raises_novel_transfers(trip: pd.Series, no_trip: pd.Series) -> Verdict:
    return greater(trip, no_trip, "novel ideas into Track One in the 24 months after, trip vs none")


def f11_products_help_where_officials_trust_the_other_side(
    trusting_with: pd.DataFrame, trusting_without: pd.DataFrame, wary_with: pd.DataFrame, wary_without: pd.DataFrame
) -> Verdict:
    trusting_effect = trusting_with.ideas_transferred - trusting_without.ideas_transferred
    wary_effect = wary_with.ideas_transferred - wary_without.ideas_transferred
    return greater(
        trusting_with.ideas_transferred, trusting_without.ideas_transferred, "transfers, product vs none"
    ) & greater(trusting_effect, wary_effect, "product's effect, officials trusting vs wary of the other side")


def f12_linking_track_three(linked: pd.DataFrame, unlinked: pd.DataFrame) -> Verdict:
    via = linked.transfers_via_track_three.sum() / max(linked.ideas_transferred.sum(), 1)
    modest = Verdict(bool(via < TRACK_THREE_MODEST), f"share via Track Three {via:.3f} (ceiling {TRACK_THREE_MODEST})")
    return (
        greater(linked.grassroots_reach, unlinked.grassroots_reach, "grassroots reach, linked vs not")
        & greater(linked.ripe_windows, unlinked.ripe_windows, "ripe windows (public support), linked vs not")
        & greater(linked.local_agreements, unlinked.local_agreements, "local agreements, linked vs not")
        & modest
    )


def f13_two_programmes(one: pd.DataFrame, uncoordinated: pd.DataFrame, coordinated: pd.DataFrame) -> Verdict:
    return greater(2 * one.ideas_generated, uncoordinated.ideas_generated, "ideas, twice one vs two uncoordinated") & (
        greater(coordinated.ideas_generated, uncoordinated.ideas_generated, "ideas, coordinated vs uncoordinated")
    )


def f14_conditions_erode_reputation(accepted: pd.DataFrame, refused: pd.DataFrame, free: pd.DataFrame) -> Verdict:
    return (
        greater(refused.third_party_reputation, accepted.third_party_reputation, "reputation, refused vs accepted")
        & greater(
            accepted.invitations_declined, refused.invitations_declined, "invitations declined, accepted vs refused"
        )
        & greater(accepted.series_ended, refused.series_ended, "series ended early, accepted vs refused")
        & greater(free.workshops_held, refused.workshops_held, "workshops held, no conditions vs refused (budget)")
    )


def voice_gap(runs: pd.DataFrame, group: str) -> pd.Series:
    """Seat share minus share of the authorships of transferred ideas."""
    return runs[f"seat_share_{group}"] - runs[f"authorship_share_{group}"]


def f15_voice_not_seats(low: pd.DataFrame, equal: pd.DataFrame, more_seats: pd.DataFrame, group: str) -> Verdict:
    zero = pd.Series(0.0, index=low.index)
    margin = pd.Series(VOICE_GAP_MARGIN, index=low.index)
    return (
        greater(voice_gap(low, group), zero, "seat minus authorship share, low voice")
        & greater(
            low[f"participant_share_{group}"], low[f"author_share_{group}"], "participant vs author share, low voice"
        )
        & equivalent(voice_gap(equal, group), zero, VOICE_GAP_MARGIN, "gap at equal voice")
        & greater(voice_gap(more_seats, group), margin, "gap with more seats but low voice, over the margin")
    )


# ----------------------------------------------------------------------------------------------
# No effect by construction (issue 26, item 7): each new-Track-Two effect helps at one end of a documented
# range of its condition and does not at the other. A family of claims per mechanism, Holm-corrected.

NOT_HELPING_MARGIN = 0.5  # an effect within +-0.5 ideas transferred per run counts as absent (TOST)


def _wilcoxon_less(treated: pd.Series, control: pd.Series) -> float:
    """One-sided Wilcoxon p that treated < control on paired seeds (1 when they never differ)."""
    difference = (treated - control).to_numpy(float)
    return float(stats.wilcoxon(difference, alternative="less").pvalue) if difference.any() else 1.0


def _wilcoxon_greater(treated: pd.Series, control: pd.Series) -> float:
    difference = (treated - control).to_numpy(float)
    return float(stats.wilcoxon(difference, alternative="greater").pvalue) if difference.any() else 1.0


def _tost(treated: pd.Series, control: pd.Series, margin: float) -> float:
    """TOST p that the mean paired difference lies within +-margin (two one-sided t-tests)."""
    difference = (treated - control).to_numpy(float)
    if not difference.any():
        return 0.0
    above = stats.ttest_1samp(difference, -margin, alternative="greater").pvalue
    below = stats.ttest_1samp(difference, margin, alternative="less").pvalue
    return float(max(above, below))


def holm(p_values: dict[str, float], alpha: float = ALPHA) -> dict[str, bool]:
    """Holm's step-down procedure: which of a family's hypotheses are rejected at family-wise level alpha."""
    order = sorted(p_values, key=p_values.get)
    rejected: dict[str, bool] = dict.fromkeys(p_values, False)
    for rank, name in enumerate(order):
        if p_values[name] >= alpha / (len(order) - rank):
            break
        rejected[name] = True
    return rejected


def sign_p_values(helps: tuple[pd.Series, pd.Series], does_not: tuple[pd.Series, pd.Series]) -> dict[str, float]:
    """The three p-values of sign_depends_on_condition: helps at one end; hurts, or is absent, at the other."""
    return {
        "helps": _wilcoxon_greater(*helps),
        "hurts": _wilcoxon_less(*does_not),
        "absent": _tost(*does_not, NOT_HELPING_MARGIN),
    }


def sign_depends_on_condition(
    helps: tuple[pd.Series, pd.Series], does_not: tuple[pd.Series, pd.Series], label: str, must_hurt: bool = False
) -> Verdict:
    """Where it helps: treated > control; at the other end: treated < control, or equivalent within the margin.

    Each pair is (treated, control) on common seeds. The family of the three tests (helps; hurts; absent)
    is Holm-corrected at ALPHA; the far end holds if either its "hurts" or its "absent" test is rejected
    (only "hurts" with `must_hurt`: for an effect whose condition already gates its benefit, so that
    only a cost can make it negative).
    """
    here, there = helps, does_not
    p = sign_p_values(helps, does_not)
    rejected = holm(p)
    near = (here[0] - here[1]).mean()
    far = (there[0] - there[1]).mean()
    detail = (
        f"{label}: effect {near:+.3g} where it should help (Wilcoxon p={p['helps']:.3g}), {far:+.3g} at the other end "
        f"(p negative {p['hurts']:.3g}, TOST +-{NOT_HELPING_MARGIN} p={p['absent']:.3g}); Holm at {ALPHA}"
    )
    far_end = rejected["hurts"] or (rejected["absent"] and not must_hurt)
    return Verdict(rejected["helps"] and far_end, detail)
