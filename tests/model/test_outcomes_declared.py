"""Every declared outcome is computed, finite (or declared as possibly undefined), and in the docs' table.

Each outcome is declared with the function that computes it (``@computes``, model/outcomes.py:
COMPUTERS), and each such function returns exactly its declared names (plus its families'). Runs span
the mechanisms that decide whether an outcome is defined: the default programme, a
schedule of every format with several initiatives and the full record, one side, no workshops,
and Track One always ripe. Each run's outcomes hold every declared outcome; a NaN is allowed only
for an outcome whose declaration says when it is undefined; names a run reports beyond the
declaration belong to a declared family (inclusion shares, chains, per-initiative).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from tracktwo.model import OUTCOMES, simulate
from tracktwo.model.outcomes import CHAIN_PREFIXES, COMPUTERS, GOAL_WORDS, ISSUE_PREFIXES, outcome

DOCS = Path(__file__).resolve().parents[2] / "docs"
FAMILIES = (
    "participant_share_",
    "author_share_",
    "authorship_share_",
    "seat_share_",
    *(prefix for prefix, _, _ in CHAIN_PREFIXES),
    "ideas_transferred_initiative_",
    "impact_initiative_",
    *(prefix for prefix, _, _ in ISSUE_PREFIXES),
)
EVERY_FORMAT = {
    "steps": 40,
    "programme.events": [
        {"format": "training", "step": 1, "count": 2, "interval": 2},
        {"format": "workshop", "step": 3, "count": 6, "interval": 3},
        {"format": "shuttle", "step": 8},
        {"format": "exposure_trip", "step": 10},
        {"format": "knowledge_product", "step": 20},
    ],
    "initiatives": [{"name": "B", "events": [{"format": "workshop", "step": 4, "count": 3, "interval": 5}]}],
    "evaluation.record": True,
    "evaluation.attribute": ["format:workshop"],
}
CASES = {
    "default": {},
    "every format": EVERY_FORMAT,
    "one side": {"sides": 1, "steps": 30},
    "no workshops": {"workshops.count": 0, "steps": 30},
    "never ripe": {"ripeness.mode": "off", "steps": 30},
    "always ripe": {"ripeness.mode": "fixed", "ripeness.windows": [[1, 31]], "steps": 30},
}


@pytest.fixture(scope="module")
def models() -> dict[str, object]:
    return {name: simulate(overrides, seed=11).model for name, overrides in CASES.items()}


@pytest.fixture(scope="module")
def runs(models) -> dict[str, dict[str, float]]:
    return {name: model.outcomes() for name, model in models.items()}


def test_every_declared_outcome_has_one_declared_function() -> None:
    declared = [name for computer in COMPUTERS for name in computer.outcomes]
    assert sorted(declared) == sorted(OUTCOMES)  # each declared outcome once, by one function


@pytest.mark.parametrize("case", list(CASES))
def test_each_function_computes_exactly_its_declared_outcomes(models, case: str) -> None:
    for computer in COMPUTERS:
        found = computer.function(models[case])
        assert {n for n in found if not n.startswith(computer.families)} == set(computer.outcomes), computer


@pytest.mark.parametrize("case", list(CASES))
def test_every_declared_outcome_is_computed_and_finite_unless_declared_undefined(runs, case: str) -> None:
    found = runs[case]
    assert set(OUTCOMES) - set(found) == set()
    nan = sorted(name for name in OUTCOMES if not math.isfinite(found[name]))
    assert [name for name in nan if not OUTCOMES[name].undefined_when] == []


def test_each_possibly_undefined_outcome_is_undefined_in_a_run_and_defined_in_another(runs) -> None:
    """The declared conditions are real: every outcome declared as possibly NaN is NaN somewhere and a number
    somewhere else among these runs (so neither the declaration nor the computation is idle)."""
    declared = [name for name, o in OUTCOMES.items() if o.undefined_when]
    assert len(declared) >= 10
    for name in declared:
        values = [found[name] for found in runs.values()]
        assert any(math.isfinite(v) for v in values), name
    undefined_somewhere = {name for name in declared if any(math.isnan(found[name]) for found in runs.values())}
    assert {"trust_change", "mean_candour", "transfers_per_unripe_step", "transfer_rate"} <= undefined_somewhere


def test_what_a_run_reports_is_declared_or_of_a_declared_family(runs) -> None:
    reported = set().union(*(found.keys() for found in runs.values()))
    assert sorted(n for n in reported if n not in OUTCOMES and not n.startswith(FAMILIES)) == []
    assert any(n.startswith("chain_impact_") for n in reported)  # the families are reached by these runs
    assert any(n.startswith("impact_initiative_") for n in reported)


def test_every_declared_outcome_is_named_in_the_docs_table() -> None:
    sys.path.insert(0, str(DOCS))
    try:
        from hooks import OUTCOMES_MARKER, outcomes_table
    finally:
        sys.path.remove(str(DOCS))
    assert OUTCOMES_MARKER in (DOCS / "reference" / "outcomes.md").read_text()
    table = outcomes_table()
    for name, declared in OUTCOMES.items():
        row = next(line for line in table.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"| {GOAL_WORDS[declared.goal]} |" in row
        assert declared.undefined_when in row


def test_one_goal_vocabulary() -> None:
    assert {o.goal for o in OUTCOMES.values()} == {"maximize", "minimize"}
    assert outcome("time_to_first_transfer").goal == "minimize"
    assert outcome("participant_share_kind_elite").goal == "maximize"  # derived names keep the vocabulary
