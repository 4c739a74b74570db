"""effects.csv: a regression on paired runs recovers a planted interaction and reports none where there is none.

The response is synthetic (a known function of two swept parameters plus a seed effect shared by
every point and run noise), so the table can be checked against what was planted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from tracktwo.experiments.analysis.effects import effects_table

A_LEVELS = [0.0, 0.25, 0.5, 0.75, 1.0]  # range 1
B_LEVELS = [2.0, 4.0, 6.0]  # range 4
SEEDS = 60


def two_factor_runs(interaction: float, seed: int = 0, paired: bool = True) -> pd.DataFrame:
    """y = 1 + 2a + 0.5b + interaction * a * b + a seed effect (sd 3) + noise (sd 0.5), on a 5 x 3 grid."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 3, SEEDS)
    rows = []
    for point, (a, b) in enumerate((a, b) for a in A_LEVELS for b in B_LEVELS):
        for replicate in range(SEEDS):
            effect = shared[replicate] if paired else rng.normal(0, 3)
            y = 1 + 2 * a + 0.5 * b + interaction * a * b + effect + rng.normal(0, 0.5)
            seed = replicate if paired else point * SEEDS + replicate
            rows.append({"point": point, "replicate": replicate, "seed": seed, "a": a, "b": b, "impact": y})
    return pd.DataFrame(rows)


def term(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index("term").loc[name]


def test_a_planted_interaction_is_recovered_with_its_interval() -> None:
    table = effects_table(two_factor_runs(interaction=0.6), ["a", "b"], "impact")
    product = term(table, "a x b")
    planted = 0.6 * 1 * 4  # per full range of a (1) and of b (4)
    assert product["kind"] == "interaction" and product["low"] <= planted <= product["high"]
    assert product["low"] > 0 and product["p_holm"] < 0.001 and not product["negligible"]
    assert term(table, "a")["low"] > 0 and term(table, "b")["low"] > 0
    assert "seed fixed effects" in product["method"] and product["clusters"] == SEEDS


def test_no_interaction_is_reported_as_negligible_not_just_insignificant() -> None:
    table = effects_table(two_factor_runs(interaction=0.0, seed=1), ["a", "b"], "impact")
    product = term(table, "a x b")
    assert product["low"] <= 0 <= product["high"]
    assert product["negligible"]  # its 90% interval lies within +- a tenth of the outcome's sd (TOST)
    assert not term(table, "a")["negligible"]


def test_pairing_is_used_when_the_runs_are_paired_and_not_otherwise() -> None:
    paired = term(effects_table(two_factor_runs(0.6, seed=2), ["a", "b"], "impact"), "a")
    unpaired = term(effects_table(two_factor_runs(0.6, seed=2, paired=False), ["a", "b"], "impact"), "a")
    assert "HC3" in unpaired["method"]
    assert paired["se"] < 0.5 * unpaired["se"]  # the seed effect cancels within seed


def test_a_mix_of_shares_drops_its_reference_share_and_categoricals_get_levels() -> None:
    rng = np.random.default_rng(3)
    rows = []
    mixes = [(0.0, 1.0), (0.25, 0.75), (0.5, 0.5), (0.75, 0.25), (1.0, 0.0)]
    for point, ((x, y), policy) in enumerate((m, p) for m in mixes for p in ("accept", "refuse")):
        for replicate in range(20):
            value = 3 * x + (1.0 if policy == "refuse" else 0.0) + rng.normal(0, 1)
            rows.append(
                {"point": point, "replicate": replicate, "seed": replicate, "mix.x": x, "mix.y": y,
                 "policy": policy, "impact": value}
            )  # fmt: skip
    table = effects_table(pd.DataFrame(rows), ["mix.x", "mix.y", "policy"], "impact")
    # mix.y = 1 - mix.x is the reference; mix.x x mix.y is the mix's curvature (Scheffe's blending term)
    assert list(table["term"]) == ["mix.x", "policy[refuse]", "mix.x x mix.y", "mix.x x policy[refuse]"]
    assert term(table, "mix.x")["low"] <= 3 <= term(table, "mix.x")["high"]
    assert term(table, "policy[refuse]")["low"] <= 1 <= term(table, "policy[refuse]")["high"]
    assert term(table, "mix.x x mix.y")["low"] <= 0 <= term(table, "mix.x x mix.y")["high"]
