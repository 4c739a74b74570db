"""The evaluation record costs what attribution needs: same attribution as the full record, a flat footprint.

The attribution golden file holds the chain outcomes (``chain_ideas_*``, ``chain_impact_*``) that
evaluate's full-programme runs reported with the earlier full record (every exposure kept), on the
shipped new-track examples: the compact record must give the same numbers, hence the same
attribution tables. Regenerate it (only after a deliberate model change) with
``python tests/experiments/engine/test_record_memory.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.contributions import coalition_points as _points
from tracktwo.experiments.analysis.contributions import plan
from tracktwo.experiments.design.config import load_params
from tracktwo.experiments.design.points import run_seed
from tracktwo.experiments.engine.worker import RunTask, run_task

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).with_name("fixtures") / "attribution_golden.json"
EXAMPLES = {
    "configs/new_track/scenario.yaml": ["workshops", "events", "formats", "routes"],
    "configs/new_track/women.yaml": ["workshops", "groups:kind"],
}
REPLICATES = 3
SEED = 0


def attribution_outcomes(config: str, components: list[str]) -> list[dict[str, float]]:
    """Each replicate's outcomes of evaluate's full-programme point (point 0, the record on), as evaluate runs it."""
    params = load_params(ROOT / config)
    points, _ = _points(plan(params, components, 20, SEED))
    base = params.model_dump(mode="json")
    rows = []
    for replicate in range(REPLICATES):
        task = RunTask(0, replicate, run_seed(SEED, 0, replicate, True), points[0])
        record = run_task(base, task, 0)
        assert record.status == "finished", record.error
        rows.append(record.outcomes)
    return rows


def chain_columns(rows: list[dict[str, float]]) -> dict[str, list[float]]:
    """The chain outcomes and the totals attribution divides them by."""
    wanted = [k for k in rows[0] if k.startswith("chain_") or k in ("impact", "rival_impact", "ideas_transferred")]
    return {k: [float(r[k]) for r in rows] for k in wanted}


@pytest.mark.parametrize("config", list(EXAMPLES))
def test_attribution_is_unchanged_by_the_compact_record(config: str) -> None:
    golden = json.loads(GOLDEN.read_text())[config]
    now = chain_columns(attribution_outcomes(config, EXAMPLES[config]))
    assert set(golden) <= set(now)  # later chains (local agreements, uptakes) may join; these stay as they were
    assert any(v > 0 for k, values in now.items() if k.startswith("chain_impact_") for v in values)
    for key, values in golden.items():
        np.testing.assert_allclose(now[key], values, rtol=0, atol=1e-12, err_msg=key)
    # and so the attribution table evaluate prints (share of transferred impact on each component's chains)
    total = np.array(now["impact"]) + np.array(now["rival_impact"])
    slugs = [k.removeprefix("chain_impact_") for k in golden if k.startswith("chain_impact_")]
    before = evaluation.attribution([np.array(golden[f"chain_impact_{s}"]) for s in slugs], total)
    after = evaluation.attribution([np.array(now[f"chain_impact_{s}"]) for s in slugs], total)
    assert before.equals(after)


if __name__ == "__main__":  # regenerate the golden file
    GOLDEN.parent.mkdir(exist_ok=True)
    data = {config: chain_columns(attribution_outcomes(config, families)) for config, families in EXAMPLES.items()}
    GOLDEN.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {GOLDEN}", file=sys.stderr)


def test_nothing_of_a_run_outlives_its_record_in_the_store() -> None:
    """The worker's run leaves no model (and so no record) behind: Mesa's agent-id counter held every one before."""
    import gc

    from tracktwo.model import TrackTwoModel

    overrides = {"steps": 20, "evaluation.record": True, "evaluation.attribute": ["workshop:1", "workshop:2"]}
    for replicate in range(3):
        record = run_task({}, RunTask(0, replicate, replicate, overrides), 1)
        assert record.status == "finished" and "chain_impact_workshop_1" in record.outcomes
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, TrackTwoModel)]


def test_the_estimate_bounds_what_the_record_keeps() -> None:
    """A dense network (40 grassroots ties each) keeps many exposures a first adoption; the estimate covers them."""
    from tracktwo.model import make_params, simulate
    from tracktwo.model.params import estimated_record_bytes

    overrides = {"kinds.grassroots.count": 1000, "network.degree.grassroots_grassroots": 40, "evaluation.record": True}
    model = simulate(overrides, 1).model
    steps = model.record.exposures()[0]
    first = int((model.ideas.first_adopted[:, : model.ideas.count] >= 0).sum())
    assert steps.size > 5 * first, "several advocates per first adoption"
    assert model.record.nbytes <= estimated_record_bytes(make_params(overrides))
    model.record.release()
    assert model.record.nbytes == 0 and model.record.exposures()[0].size == 0
