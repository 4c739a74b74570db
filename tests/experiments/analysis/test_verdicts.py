"""Verdicts with a stated rule: sign, Holm/BH corrections, TOST equivalence, power, on synthetic paired data."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from tracktwo.experiments.analysis.evaluation import (
    CONTRIBUTED,
    INCONCLUSIVE,
    NO_EFFECT,
    SUBSTITUTABLE,
    WORKED_AGAINST,
    Rule,
    adjust,
    detectable_effect,
    judge,
    no_negative_zero,
    plain,
)

COMPONENTS = 20


def test_holm_and_benjamini_hochberg_match_their_textbook_definitions():
    p = [0.01, 0.04, 0.03, 0.2]
    # Holm: sorted p times (m - rank + 1), running maximum; BH: m / rank times sorted p, running minimum from the top
    assert adjust(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.2])
    assert adjust(p, "bh") == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    assert np.isnan(adjust([0.5, np.nan], "holm")[1]) and adjust([0.5, np.nan], "holm")[0] == 0.5
    with pytest.raises(ValueError, match="correction"):
        adjust(p, "bonferonni")


def _null_design(rng: np.random.Generator, replicates: int = 10) -> np.ndarray:
    """Twenty components none of which matters: paired changes are pure seed luck (sd 1)."""
    return rng.normal(0.0, 1.0, size=(replicates, COMPONENTS))


@pytest.mark.parametrize("correction", ["holm", "bh"])
def test_family_wise_error_rate_of_a_planted_null_is_at_most_nominal(correction):
    """100 repeats of a 20-component planted-null design: Holm (and BH, where all nulls are true) keep FWER <= 5%.

    Ablation: the same data judged without correction (each component at 5%) claim an effect in most repeats.
    """
    rng = np.random.default_rng(2025)
    rule = Rule(correction=correction, alpha=0.05, margin=0.5)
    false_claims = uncorrected = 0
    for _ in range(100):
        changes = _null_design(rng)
        verdicts = judge(changes, rule)
        false_claims += verdicts["verdict"].isin([CONTRIBUTED, WORKED_AGAINST]).any()
        uncorrected += (verdicts["p_value"] < 0.05).any()
    # at or below nominal: not significantly above 5% (one-sided exact binomial test), and far below uncorrected
    assert stats.binomtest(int(false_claims), 100, 0.05, alternative="greater").pvalue > 0.05, false_claims
    assert false_claims <= 10
    assert uncorrected >= 50, "without the correction most repeats show a false effect (1 - 0.95^20 = 64%)"


def test_planted_effect_contributes_planted_null_has_no_effect_and_sign_is_respected():
    rng = np.random.default_rng(7)
    changes = _null_design(rng, replicates=30) * 0.2
    changes[:, 0] = rng.normal(-2.0, 1.0, 30)  # removal lowers the outcome: it contributed
    changes[:, 1] = 0.0  # a meeting after the last month: identical in every replicate
    changes[:, 2] = rng.normal(+2.0, 1.0, 30)  # removal raises the outcome (a route whose closure helps)
    verdicts = judge(changes, Rule(margin=0.5))["verdict"].tolist()
    assert verdicts[0] == CONTRIBUTED and verdicts[1] == NO_EFFECT and verdicts[2] == WORKED_AGAINST
    assert all(v in (NO_EFFECT, INCONCLUSIVE) for v in verdicts[3:])
    assert verdicts[3:].count(NO_EFFECT) >= 15, "small seed luck (sd 0.2, 30 pairs) is equivalent within 0.5"


def test_an_interval_including_zero_is_not_no_effect_without_equivalence():
    """The issue's case: -0.12 [-0.89, +0.98] on 5 replicates is inconclusive, not 'no effect'."""
    rng = np.random.default_rng(1)
    wide = rng.normal(0.0, 1.0, size=(5, 1))
    assert judge(wide, Rule(margin=0.2))["verdict"].iloc[0] == INCONCLUSIVE
    narrow = rng.normal(0.0, 0.05, size=(40, 1))
    assert judge(narrow, Rule(margin=0.2))["verdict"].iloc[0] == NO_EFFECT
    assert judge(narrow, Rule(margin=0.0))["verdict"].iloc[0] == INCONCLUSIVE, "no margin, no equivalence"


def test_substitutable_needs_equivalence_and_evidence_of_the_chain():
    rng = np.random.default_rng(2)
    narrow = rng.normal(0.0, 0.05, size=(40, 2))
    verdicts = judge(narrow, Rule(margin=0.2), chain_low=np.array([0.3, 0.0]))["verdict"].tolist()
    assert verdicts == [SUBSTITUTABLE, NO_EFFECT]
    wide = rng.normal(0.0, 1.0, size=(5, 1))
    assert judge(wide, Rule(margin=0.2), chain_low=np.array([0.5]))["verdict"].iloc[0] == INCONCLUSIVE


def test_detectable_effect_has_its_stated_power():
    """At the detectable effect the paired t-test rejects in about 80% of simulated designs (10 replicates)."""
    rng = np.random.default_rng(3)
    effect = detectable_effect(1.0, 10, tests=1)
    rejected = [stats.ttest_1samp(rng.normal(effect, 1.0, 10), 0).pvalue < 0.05 for _ in range(2000)]
    assert 0.75 <= np.mean(rejected) <= 0.88
    assert detectable_effect(1.0, 3, tests=20) > 5 * detectable_effect(1.0, 30, tests=20)
    assert detectable_effect(1.0, 1) == np.inf


def test_no_negative_zeros_are_printed_or_written():
    assert plain(-0.0, signed=True) == "+0.000" and plain(-1e-12, signed=True) == "+0.000"
    assert plain(-0.0004) == "0.000" and plain(float("nan")) == "-"
    import pandas as pd

    frame = no_negative_zero(pd.DataFrame({"x": [-0.0, 1.0]}))
    assert "-0" not in frame.to_csv(index=False)


def test_rule_refuses_bad_settings():
    with pytest.raises(ValueError, match="correction"):
        Rule(correction="sidak")
    with pytest.raises(ValueError, match="margin"):
        Rule(margin=-1)
