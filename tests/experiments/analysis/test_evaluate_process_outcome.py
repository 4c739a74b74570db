"""`tracktwo evaluate` on the issue space's outcomes: process influence beside outcome transfer, per component."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_harness import assert_contract, tracktwo
from tracktwo.experiments.analysis.verdicts import change_text

SMALL = ("--set", "workshops.count=3", "--set", "workshops.interval=6", "--set", "steps=20",
         "--set", "kinds.grassroots.count=30")  # fmt: skip
RUN = ("--executor", "serial", "--no-progress")
CHANGES = ("process_change", "process_change_low", "process_change_high", "outcome_change", "outcome_change_low",
           "outcome_change_high")  # fmt: skip


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Three meetings, 4 replicates, evaluated on influence on the process and outcome transfer about security."""
    out = tmp_path_factory.mktemp("evaluate_process") / "out"
    outcome = tracktwo(
        "evaluate", *SMALL, "--outcomes", "influence_on_process", "outcome_transfer_security", "--replicates", "4",
        "--pilot", "2", *RUN, "--out", out,
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr[-2000:]
    return out, outcome


@pytest.mark.slow
def test_each_component_has_its_change_in_process_influence_beside_outcome_transfer(evaluated) -> None:
    out, outcome = evaluated
    table = pd.read_csv(out / "process_outcome.csv")
    assert len(table) == 3 and set(table["family"]) == {"workshops"}, "a row per meeting"
    assert np.isfinite(table[list(CHANGES)].to_numpy(float)).all()
    assert (table["process_change_low"] <= table["process_change"]).all()
    assert (table["process_change"] <= table["process_change_high"]).all()
    evaluation = pd.read_csv(out / "evaluation.csv")
    assert {"influence_on_process", "outcome_transfer_security"} == set(evaluation["outcome"])
    process = evaluation[evaluation["outcome"] == "influence_on_process"].reset_index(drop=True)
    assert table["process_change"].to_numpy() == pytest.approx(process["change_when_removed"].to_numpy())
    assert list(table["process_verdict"]) == list(process["verdict"]), "an evaluated outcome keeps its own rule"
    assert (table["process_change"] < 0).any(), "removing a meeting lowers the officials' movement somewhere"
    assert "influence on the process" in outcome.stdout and "outcome transfer" in outcome.stdout
    assert tracktwo("report", out).code == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    section = text.split("Influence on the process and outcome transfer</h2>")[1].split("</table>")[0]
    first = table.iloc[0]
    assert change_text(first, "process") in section and change_text(first, "outcome") in section


@pytest.mark.parametrize(
    "outcomes, fragment",
    [
        (("agenda_share_land",), "allowed: agenda_share_security"),
        (("agenda_share_security",), "undefined in a run without meetings"),
        (("outcome_transfer_security", "--set", "issues.enabled=false"), "issues.enabled is false"),
    ],
)
def test_issue_outcomes_the_config_cannot_report_are_refused_in_one_line(tmp_path: Path, outcomes, fragment) -> None:
    outcome = tracktwo("evaluate", *SMALL, "--outcomes", *outcomes, *RUN, "--out", tmp_path / "e")
    assert outcome.code == 2
    assert_contract(outcome, fragment)
    assert not (tmp_path / "e").exists()


def test_the_issue_outcomes_named_by_the_up_front_checks_are_declared() -> None:
    from tracktwo.experiments.design import evaluation_checks
    from tracktwo.model import OUTCOMES
    from tracktwo.model.outcomes import ISSUE_PREFIXES

    assert set(OUTCOMES) >= evaluation_checks.NEEDS_A_MEETING_ISSUES | {"influence_on_process"}
    assert set(evaluation_checks.NEEDS_A_MEETING_PREFIXES) <= {prefix for prefix, _, _ in ISSUE_PREFIXES}
