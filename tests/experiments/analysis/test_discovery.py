"""Scenario discovery recovers a region planted in synthetic data, and reads a sweep's results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from small_sweeps import small_sweep
from tracktwo.experiments.analysis import discovery
from tracktwo.experiments.cli import main
from tracktwo.model import ConfigError

AUTONOMOUS, CONFIDENTIALITY, SIZE, POLICY = (
    "workshops.mix.autonomous",
    "workshops.confidentiality",
    "workshops.size",
    "workshops.facilitator_policy",
)
RUNS = 3000
NOISE = 0.03  # share of runs whose outcome is flipped at random


def planted(seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Autonomous share 0.3 to 0.6 and confidentiality above 0.8 give the outcome; the size and policy do not matter."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            AUTONOMOUS: rng.uniform(0, 1, RUNS),
            CONFIDENTIALITY: rng.uniform(0, 1, RUNS),
            SIZE: rng.integers(6, 25, RUNS),
            POLICY: rng.choice(["accept", "refuse"], RUNS),
        }
    )
    inside = frame[AUTONOMOUS].between(0.3, 0.6) & (frame[CONFIDENTIALITY] > 0.8)
    flip = rng.uniform(size=RUNS) < NOISE
    return frame, np.where(flip, ~inside, inside)


@pytest.mark.parametrize("method", discovery.METHODS)
def test_discovery_recovers_a_planted_region(method: str) -> None:
    frame, cases = planted()
    boxes, _ = discovery.discover(frame, cases, method)
    box = boxes[0]
    conditions = {r.key: r for r in box.restrictions}
    assert set(conditions) == {AUTONOMOUS, CONFIDENTIALITY}  # the size and the policy play no part
    assert conditions[AUTONOMOUS].low == pytest.approx(0.3, abs=0.03)
    assert conditions[AUTONOMOUS].high == pytest.approx(0.6, abs=0.03)
    assert conditions[CONFIDENTIALITY].low == pytest.approx(0.8, abs=0.03) and conditions[CONFIDENTIALITY].high is None
    inside = np.ones(RUNS, dtype=bool)
    for restriction in box.restrictions:
        inside &= restriction.contains(frame[restriction.key])
    assert box.density == pytest.approx(cases[inside].mean()) and box.density > 0.85
    assert box.coverage == pytest.approx(cases[inside].sum() / cases.sum())
    assert box.mass == pytest.approx(inside.mean())
    assert re.fullmatch(
        r"Share of autonomous thinkers in workshops from (29|30|31)% to (59|60|61)% and "
        r"Confidentiality \(Chatham House discipline\) at least 0\.8\d*",
        box.rule(),
    ), box.rule()


def test_discovery_finds_a_region_on_a_category() -> None:
    frame, _ = planted(2)
    cases = ((frame[POLICY] == "refuse") & (frame[SIZE] <= 10)).to_numpy()
    box = discovery.discover(frame, cases, "prim")[0][0]
    conditions = {r.key: r for r in box.restrictions}
    assert conditions[POLICY].categories == ("refuse",) and conditions[SIZE].high == 10 and conditions[SIZE].low is None
    assert box.density == 1.0 and box.coverage == 1.0
    assert "Facilitator's answer to the funder's conditions is Refuses them" in box.rule()


def test_a_second_box_covers_a_second_region() -> None:
    frame, _ = planted(3)
    first = (frame[AUTONOMOUS] < 0.3) & (frame[CONFIDENTIALITY] > 0.7)
    second = (frame[SIZE] <= 8) & (frame[POLICY] == "refuse")
    boxes, _ = discovery.discover(frame, (first | second).to_numpy(), "prim", max_boxes=3)
    assert len(boxes) == 2 and all(b.density > 0.9 for b in boxes)
    assert {r.key for b in boxes for r in b.restrictions} == {AUTONOMOUS, CONFIDENTIALITY, SIZE, POLICY}
    assert sum(b.coverage for b in boxes) == pytest.approx(1.0, abs=0.05)


def test_discover_on_a_sweep_writes_rules_the_report_can_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = small_sweep(tmp_path, "autonomy_dilemma", replicates=4, steps=36)
    runs = pd.read_parquet(out / "runs.parquet")
    assert main(["discover", str(out), "--outcome", "any_transfer", "--above", "0.5"]) == 0
    printed = capsys.readouterr().out
    info = json.loads((out / "scenarios_any_transfer_above_0.5.json").read_text())
    assert info["cases"] == int(runs["any_transfer"].sum()) and info["runs"] == len(runs)
    box = info["boxes"][0]
    assert box["text"] in printed and "at least one idea entered Track One" in box["text"]
    assert (out / "scenarios_any_transfer_above_0.5.csv").exists()
    assert main(["discover", str(out), "--outcome", "impact", "--below", "0.5", "--method", "cart"]) == 0
    assert (out / "scenarios_impact_below_0.5.json").exists()


def test_bad_discovery_requests_get_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = small_sweep(tmp_path, "backchannel", replicates=2)
    for argv, message in (
        (["--outcome", "impakt", "--above", "1"], "did you mean impact"),
        (["--outcome", "impact", "--above", "1000"], "no run meets it"),
        (["--outcome", "impact", "--above", "1", "--min-density", "2"], "--min-density"),
    ):
        assert main(["discover", str(out), *argv]) == 2
        error = capsys.readouterr().err
        assert error.count("\n") == 1 and message in error
    assert main(["discover", str(tmp_path / "missing"), "--outcome", "impact", "--above", "1"]) == 2
    with pytest.raises(ConfigError, match=r"^method: expected one of"):  # Python names the argument, not the flag
        discovery.discover(pd.DataFrame({"x": [1, 2]}), np.array([True, False]), "forest")
