"""The stylized facts as statistical claims over seeds, each returning whether it holds and the numbers.

Every condition is run on the same seeds, so conditions are paired (common random numbers: the
same network, actors and random streams); comparisons use the one-sided Wilcoxon signed-rank test
at ALPHA together with a 99% paired bootstrap interval of the mean difference. A fact's test asserts
that its claim holds; its ablation test asserts that the same claim does not hold once the
mechanism behind it is switched off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

ALPHA = 0.01
CONFIDENCE = 0.99
RESAMPLES = 4000
RIPE_RATIO_FLOOR = 3.0  # F2: "several times more frequent"
NOVELTY_RISE = 1.5  # F1: novelty at an all-autonomous mix over an all-elite one
TRANSFER_FALL = 3.0  # F1: transfer rate at an all-elite mix over an all-autonomous one
RIPE_WINDOWS_RISE = 2.0  # F3: ripe windows with workshops over without
BACKCHANNEL_NOVELTY_CEILING = 0.6  # F6: backchannel novelty below this share of Track Two's
TRACK_THREE_SHARE_CEILING = 0.1  # F7: "little direct transfer"
CANDOUR_MARGIN = 0.05  # F5: refusing keeps candour within this of no conditions


@dataclass
class Verdict:
    """Whether a claim holds on these runs, and the numbers that say so."""

    holds: bool
    detail: str

    def __and__(self, other: Verdict) -> Verdict:
        return Verdict(self.holds and other.holds, f"{self.detail}; {other.detail}")


def _paired(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    both = pd.concat([a, b], axis=1, keys=["a", "b"]).dropna()
    return both["a"].to_numpy(float), both["b"].to_numpy(float)


def paired_interval(difference: np.ndarray) -> tuple[float, float]:
    """99% bootstrap interval of a mean paired difference."""
    if np.ptp(difference) == 0:
        return float(difference[0]), float(difference[0])
    result = stats.bootstrap(
        (difference,), np.mean, confidence_level=CONFIDENCE, n_resamples=RESAMPLES, random_state=1
    ).confidence_interval
    return float(result.low), float(result.high)


def greater(a: pd.Series, b: pd.Series, label: str) -> Verdict:
    """a > b on paired seeds: one-sided Wilcoxon signed-rank p < ALPHA.

    Also requires the 99% interval of the mean difference to lie above 0.
    """
    a, b = _paired(a, b)
    difference = a - b
    if not difference.any():
        return Verdict(False, f"{label}: no difference on any seed")
    p = stats.wilcoxon(a, b, alternative="greater").pvalue
    low, high = paired_interval(difference)
    holds = bool(p < ALPHA and low > 0)
    return Verdict(
        holds, f"{label}: mean diff {difference.mean():.4g} (99% CI {low:.4g} to {high:.4g}), Wilcoxon p={p:.3g}"
    )


def equivalent(a: pd.Series, b: pd.Series, margin: float, label: str) -> Verdict:
    """|mean(a - b)| < margin: two one-sided paired t-tests (TOST), both p < ALPHA."""
    a, b = _paired(a, b)
    difference = a - b
    above = stats.ttest_1samp(difference, -margin, alternative="greater").pvalue
    below = stats.ttest_1samp(difference, margin, alternative="less").pvalue
    p = max(above, below)
    return Verdict(bool(p < ALPHA), f"{label}: mean diff {difference.mean():.4g}, TOST margin {margin}, p={p:.3g}")


def ratio_above(a: pd.Series, b: pd.Series, factor: float, label: str) -> Verdict:
    """mean(a) > factor x mean(b)."""
    holds = bool(a.mean() > factor * b.mean())
    return Verdict(holds, f"{label}: {a.mean():.4g} vs {factor} x {b.mean():.4g}")


# F1 ---------------------------------------------------------------------------------------------


def rank_trend(dilemma: pd.DataFrame, outcome: str, sign: int) -> Verdict:
    """Spearman correlation of the outcome with the autonomous share: sign x rho > 0.5, p < ALPHA."""
    rho, p = stats.spearmanr(dilemma.autonomous_share, dilemma[outcome], nan_policy="omit")
    holds = bool(sign * rho > 0.5 and p < ALPHA)
    return Verdict(holds, f"{outcome} vs autonomous share: Spearman rho={rho:.3f}, p={p:.3g}")


def f1_novelty_rises(dilemma: pd.DataFrame) -> Verdict:
    by_share = dilemma.groupby("autonomous_share").mean_novelty_generated.mean()
    return rank_trend(dilemma, "mean_novelty_generated", +1) & ratio_above(
        pd.Series([by_share[1.0]]), pd.Series([by_share[0.0]]), NOVELTY_RISE, "novelty, all autonomous vs all elites"
    )


def f1_transfer_rate_falls(dilemma: pd.DataFrame) -> Verdict:
    by_share = dilemma.groupby("autonomous_share").transfer_rate.mean()
    return rank_trend(dilemma, "transfer_rate", -1) & ratio_above(
        pd.Series([by_share[0.0]]),
        pd.Series([by_share[1.0]]),
        TRANSFER_FALL,
        "transfer rate, all elites vs all autonomous",
    )


def f1_impact_peaks_inside(dilemma: pd.DataFrame) -> Verdict:
    """The best interior mix's mean impact exceeds the better endpoint's: 99% paired-bootstrap interval above 0.

    Seeds are resampled (every mix runs on the same seeds), and the statistic is
    max over the interior mixes of mean impact minus max over the two endpoints.
    """
    impact = dilemma.pivot_table(columns="autonomous_share", values="impact", index="seed")
    shares = impact.columns.to_numpy(float)
    interior = (shares > 0) & (shares < 1)
    values = impact.to_numpy(float)
    rng = np.random.default_rng(1)
    draws = rng.integers(0, values.shape[0], size=(RESAMPLES, values.shape[0]))
    means = values[draws].mean(axis=1)  # (resample, mix)
    gap = means[:, interior].max(axis=1) - means[:, ~interior].max(axis=1)
    low = float(np.quantile(gap, 1 - CONFIDENCE))
    observed = values.mean(axis=0)
    best = float(shares[np.argmax(observed)])
    holds = bool(low > 0 and 0 < best < 1)
    shown = ", ".join(f"{s:g}: {m:.3f}" for s, m in zip(shares, observed, strict=True))
    return Verdict(holds, f"mean impact by autonomous share {shown}; interior minus endpoint lower 99% bound {low:.3f}")


# F2-F7 ------------------------------------------------------------------------------------------


def ripe_ratio(runs: pd.DataFrame, steps: int) -> tuple[float, float, float]:
    """Transfers per ripe month over transfers per unripe month (pooled), with a 99% paired bootstrap interval."""
    ripe_steps = (runs.share_time_ripe * steps).to_numpy(float)
    ripe = runs.transfers_in_ripe_windows.to_numpy(float)
    unripe = (runs.ideas_transferred - runs.transfers_in_ripe_windows).to_numpy(float)
    unripe_steps = steps - ripe_steps

    def ratio(r, u, rs, us, axis=-1):
        return (r.sum(axis=axis) / rs.sum(axis=axis)) / np.maximum(u.sum(axis=axis) / us.sum(axis=axis), 1e-12)

    interval = stats.bootstrap(
        (ripe, unripe, ripe_steps, unripe_steps),
        ratio,
        paired=True,
        vectorized=True,
        confidence_level=CONFIDENCE,
        n_resamples=RESAMPLES,
        random_state=1,
    ).confidence_interval
    return float(ratio(ripe, unripe, ripe_steps, unripe_steps)), float(interval.low), float(interval.high)


def f2_ripe_windows_carry_transfers(runs: pd.DataFrame, steps: int) -> Verdict:
    estimate, low, high = ripe_ratio(runs, steps)
    return Verdict(
        bool(low > RIPE_RATIO_FLOOR),
        f"ripe/unripe transfers per month {estimate:.2f} (99% CI {low:.2f} to {high:.2f}), floor {RIPE_RATIO_FLOOR}",
    )


def f3_track_two_creates_ripe_moments(on: pd.DataFrame, off: pd.DataFrame) -> Verdict:
    return greater(on.ripe_windows, off.ripe_windows, "ripe windows, workshops on vs off") & ratio_above(
        on.ripe_windows, off.ripe_windows, RIPE_WINDOWS_RISE, "ripe windows"
    )


def f4_ongoing_beats_one_off(ongoing: pd.DataFrame, one_off: pd.DataFrame) -> Verdict:
    return greater(ongoing.trust_change, one_off.trust_change, "trust gained, ongoing vs one-off") & greater(
        ongoing.ideas_transferred, one_off.ideas_transferred, "ideas into Track One, ongoing vs one-off"
    )


def f5_accepting_conditions_hurts(free: pd.DataFrame, accepted: pd.DataFrame) -> Verdict:
    return (
        greater(free.mean_candour, accepted.mean_candour, "candour, no conditions vs accepted")
        & greater(free.mean_novelty_generated, accepted.mean_novelty_generated, "novelty, no conditions vs accepted")
        & greater(free.ideas_transferred, accepted.ideas_transferred, "transfers, no conditions vs accepted")
    )


def f5_refusing_keeps_candour_costs_trust(free: pd.DataFrame, refused: pd.DataFrame, accepted: pd.DataFrame) -> Verdict:
    return (
        equivalent(refused.mean_candour, free.mean_candour, CANDOUR_MARGIN, "candour, refused vs no conditions")
        & greater(refused.mean_candour, accepted.mean_candour, "candour, refused vs accepted")
        & greater(free.trust_change, refused.trust_change, "trust gained, no conditions vs refused (budget lost)")
    )


def f6_backchannel_transfers_readily_with_little_novelty(track_two: pd.DataFrame, backchannel: pd.DataFrame) -> Verdict:
    return (
        greater(backchannel.transfer_rate, track_two.transfer_rate, "transfer rate, backchannel vs Track Two")
        & greater(
            track_two.mean_novelty_generated, backchannel.mean_novelty_generated, "novelty, Track Two vs backchannel"
        )
        & ratio_above(
            track_two.mean_novelty_generated,
            backchannel.mean_novelty_generated,
            1 / BACKCHANNEL_NOVELTY_CEILING,
            "novelty, Track Two vs backchannel",
        )
    )


def f7_grassroots_raise_support_and_ripeness(without: pd.DataFrame, with_grassroots: pd.DataFrame) -> Verdict:
    via_track_three = with_grassroots.transfers_via_track_three.sum() / max(with_grassroots.ideas_transferred.sum(), 1)
    little = Verdict(
        bool(via_track_three < TRACK_THREE_SHARE_CEILING),
        f"share of transfers via Track Three {via_track_three:.3f} (ceiling {TRACK_THREE_SHARE_CEILING})",
    )
    return (
        greater(with_grassroots.grassroots_reach, without.grassroots_reach, "grassroots reached outside the room")
        & greater(with_grassroots.ripe_windows, without.ripe_windows, "ripe windows, with vs without grassroots")
        & little
    )
