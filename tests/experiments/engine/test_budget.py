"""Memory up front: the record is in Params' estimate, and evaluate, compare and the app's Evaluate tab refuse
(one line, before anything is run or removed) runs that do not fit, alone or with every worker together."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from cli_harness import MAX_LINE_CHARS, tracktwo
from tracktwo.experiments.design import limits
from tracktwo.experiments.engine import budget
from tracktwo.model import ConfigError, make_params
from tracktwo.model.params import (
    BYTES_PER_ACTOR_IDEA,
    MAX_RUN_BYTES,
    estimated_record_bytes,
    estimated_run_bytes,
    rival_room,
)

GiB = 2**30
BIG = {"kinds.grassroots.count": 20000, "workshops.idea_rate": 30}  # 1.1 GiB a plain run; the record adds 2.1 GiB
HUGE = {"kinds.grassroots.count": 20000, "workshops.idea_rate": 100}  # 3.4 GiB plain; 10.2 GiB with the record


def test_the_record_is_in_the_estimate_and_bounds_what_it_keeps() -> None:
    plain, recorded = make_params(BIG), make_params({**BIG, "evaluation.record": True})
    assert estimated_record_bytes(plain) == 0
    assert estimated_run_bytes(recorded) == pytest.approx(estimated_run_bytes(plain) + estimated_record_bytes(recorded))
    assert 1.5 * GiB < estimated_record_bytes(recorded) < 3 * GiB
    make_params(HUGE)  # the plain run fits ...
    with pytest.raises(ConfigError, match=r"about 10\.2 GiB \(population, ties, ideas and 6\.8 GiB of evaluation"):
        make_params({**HUGE, "evaluation.record": True})  # ... its record does not


def test_the_rival_ideas_are_in_the_estimate() -> None:
    """The store is made with room for the run's rival ideas (mean + 3 SD of their Poisson count): so is the estimate,
    and rates that would not fit are refused up front, naming them."""
    plain = make_params({"kinds.grassroots.count": 20000})
    rivals = make_params({"kinds.grassroots.count": 20000, "rivals.track_one_rate": 5, "rivals.outside_rate": 5})
    room = math.ceil(1200 + 3 * math.sqrt(1200))  # 10 a month over 120 months
    assert rival_room(rivals.rivals, rivals.steps) == room
    cells = rivals.sides * sum(kind.count for kind in rivals.kinds.values()) * room
    assert estimated_run_bytes(rivals) - estimated_run_bytes(plain) == pytest.approx(cells * BYTES_PER_ACTOR_IDEA)
    with pytest.raises(ConfigError, match=r"about \d+\.\d GiB .* or rivals\.\*_rate x steps"):
        make_params(
            {"kinds.grassroots.count": 20000, "rivals.track_one_rate": 10, "rivals.outside_rate": 10, "steps": 300}
        )


def test_every_worker_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "machine_bytes", lambda: 8 * GiB)  # a laptop: the runs in flight may use 6 GiB
    runs = [("the full programme with its record", make_params({**BIG, "evaluation.record": True}))]
    largest = budget.check_runs_fit("evaluate", runs, workers=1)
    assert 3 * GiB < largest < MAX_RUN_BYTES
    with pytest.raises(ConfigError, match=r"^evaluate: 2 workers x about 3\.\d GiB a run .* over the 6\.0 GiB"):
        budget.check_runs_fit("evaluate", runs, workers=2)
    with limits.lifted(True):
        assert budget.check_runs_fit("evaluate", runs, workers=2) == largest  # --force
    monkeypatch.setattr(budget, "machine_bytes", lambda: 2 * GiB)
    assert budget.workers_limit() == MAX_RUN_BYTES, "one run the model accepts always runs serially"


def test_evaluate_refuses_a_record_too_big_before_touching_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "runs.csv").write_text("earlier results\n")
    sets = [x for key, value in HUGE.items() for x in ("--set", f"{key}={value}")]
    done = tracktwo("evaluate", *sets, "--executor", "serial", "--out", out, "--overwrite", "--no-progress")
    assert done.code == 2 and len(done.errors) == 1 and len(done.errors[0]) < MAX_LINE_CHARS, done.stderr
    assert "the full programme with its record" in done.stderr and "10.2 GiB" in done.stderr
    assert (out / "runs.csv").read_text() == "earlier results\n", "--overwrite removed nothing"


def test_evaluate_refuses_a_record_too_big_before_its_pilot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memory check comes before the power check's pilot, which would run the big population first."""
    from tracktwo.experiments.analysis import verdicts

    import tracktwo

    monkeypatch.setattr(verdicts, "power_check", lambda *a, **k: pytest.fail("the pilot ran before the memory check"))
    with pytest.raises(ConfigError, match="the full programme with its record"):
        tracktwo.evaluate(set=HUGE, executor="serial", out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()


def test_compare_counts_every_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "machine_bytes", lambda: 2 * GiB)  # the runs in flight may use the 4 GiB of one run
    (tmp_path / "big.yaml").write_text("kinds: {grassroots: {count: 20000}}\ninitial_ideas: {count: 1000}\nsteps: 2\n")
    (tmp_path / "p.yaml").write_text(
        "name: big\nbase: big.yaml\nprogrammes:\n  A: {description: a, overrides: {}}\n"
        "  B: {description: b, overrides: {workshops.count: 1}}\n"
    )
    args = ["compare", tmp_path / "p.yaml", "--replicates", "2", "--out", tmp_path / "out", "--no-progress"]
    done = tracktwo(*args, "--executor", "process", "--workers", "4")
    assert done.code == 2 and len(done.errors) == 1, done.stderr
    assert re.search(r"error: memory: 4 workers x about 1\.\d GiB a run .*lower --workers", done.stderr), done.stderr
    assert not (tmp_path / "out" / "sweep.sqlite").exists()


def test_the_apps_evaluate_tab_refuses_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracktwo.app.evaluation import evaluate
    from tracktwo.app.runs import Settings

    monkeypatch.setattr(budget, "MAX_RUN_BYTES", 1024)  # a tiny limit: the default run's record is over it
    with pytest.raises(ConfigError, match=r"^Evaluate: the run with its record: one run would need .* evaluation rec"):
        evaluate(Settings.default().replace(steps=12))
