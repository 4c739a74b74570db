"""Robust answers across uncertain scenarios, on a synthetic response with a planted flip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tracktwo.experiments.analysis.robust import robustness
from tracktwo.experiments.design.sweepfile import load_sweep
from tracktwo.model import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def scenario_runs(seed: int = 0) -> pd.DataFrame:
    """Three lever points over 20 scenarios of u in [0, 1]: A leads by 1 where u < 0.7, B leads by 1 above; C is worst.

    Paired: replicate r has one seed effect in every point and scenario.
    """
    rng = np.random.default_rng(seed)
    us = (np.arange(20) + 0.5) / 20
    shared = rng.normal(0, 2, 30)
    rows = []
    for lever, name in enumerate("ABC"):
        for s, u in enumerate(us):
            mean = {"A": 1.0 if u < 0.7 else 0.0, "B": 0.0 if u < 0.7 else 1.0, "C": -2.0}[name]
            for r in range(30):
                rows.append(
                    {"point": lever * 20 + s, "replicate": r, "seed": r, "lever.choice": name, "u": u,
                     "impact": mean + shared[r] + rng.normal(0, 0.5)}
                )  # fmt: skip
    return pd.DataFrame(rows)


def test_the_robust_answer_and_where_it_flips_are_recovered() -> None:
    found = robustness(scenario_runs(), ["lever.choice"], ["u"], "impact")
    table = found.table.set_index("lever.choice")
    assert found.answer == {"lever.choice": "A"}
    assert table.loc["A", "share_best_set"] == pytest.approx(14 / 20)  # u < 0.7 in 14 of 20 scenarios
    assert table.loc["B", "share_best_set"] == pytest.approx(6 / 20)
    assert table.loc["C", "share_best_set"] == 0 and table.loc["C", "mean_regret"] == pytest.approx(3, abs=0.15)
    assert table.loc["A", "mean_regret"] == pytest.approx(6 / 20, abs=0.1)  # 1 behind B in 6 of 20 scenarios
    assert 0.5 < table.loc["A", "max_regret"] < 1.5 < table.loc["C", "max_regret"]
    assert "at least 0.7" in found.flips and found.flip_density == 1.0  # PRIM finds u >= 0.7 where A is not best


def test_uncertain_ranges_give_every_lever_the_same_scenarios_and_seeds(tmp_path: Path) -> None:
    path = tmp_path / "robust.yaml"
    path.write_text(
        "name: robust\nmethod: grid\nmetric: {name: impact, goal: maximize}\nreplicates: 2\nseed: 5\nsteps: 12\n"
        "parameters:\n  workshops.size: {values: [8, 12]}\n"
        "uncertain:\n  ripeness.public_weight: [0.3, 0.9]\n  workshops.standing_gain: [0.15, 0.45]\n"
        "scenarios: 4\n",
        encoding="utf-8",
    )
    spec = load_sweep(path)
    assert spec.common_seeds and len(spec.scenarios) == 4 and len(spec.listed_points) == 8
    by_lever = {}
    for point in spec.listed_points:
        by_lever.setdefault(point["workshops.size"], []).append(
            (point["ripeness.public_weight"], point["workshops.standing_gain"])
        )
    assert by_lever[8] == by_lever[12]
    weights = sorted(w for w, _ in by_lever[8])
    assert all(0.3 + 0.15 * i <= w <= 0.3 + 0.15 * (i + 1) for i, w in enumerate(weights))  # one per stratum
    path.write_text(path.read_text(encoding="utf-8").replace("[0.3, 0.9]", "[0.9, 0.3]"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"uncertain.ripeness.public_weight: expected a range"):
        load_sweep(path)
