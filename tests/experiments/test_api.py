"""The Python API for many runs: the same tables as the command for the same file and seed, dicts as files,
one-line ConfigErrors, and results folders read back."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from cli_harness import ROOT
from cli_harness import tracktwo as command

import tracktwo

SHIPPED = ROOT / "configs" / "sweeps" / "participant_mix.yaml"
RUN_COLUMNS_THAT_VARY = ("wall_time_s", "started", "ended", "finished_at", "worker", "elapsed_s")


def _small_sweep(folder: Path) -> dict:
    """The shipped participant-mix sweep, shrunk: 2 replicates of 12-month runs, a coarse simplex."""
    data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    data.update({"replicates": 2, "steps": 12, "seed": 7, "base": str(ROOT / "configs" / "default.yaml")})
    for key in ("budget", "confidence", "initial_replicates"):  # replicates: auto's keys (fixed replicates here)
        data.pop(key, None)
    for key in ("uncertain", "scenarios"):  # one scenario: the model's defaults (robust sweeps: test_robust_auto_sweep)
        data.pop(key, None)
    for spec in data["parameters"].values():
        if isinstance(spec, dict) and "simplex" in spec:
            spec["simplex"]["step"] = 0.5
    data["name"] = "small_mix"
    (folder / "small_mix.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


def _stable(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs without the columns that record when and where a run ran (not what it gave)."""
    keep = [c for c in runs.columns if not any(c.startswith(v) for v in RUN_COLUMNS_THAT_VARY)]
    return runs[keep].sort_values(["point", "replicate"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("api")
    return folder, _small_sweep(folder)


def test_sweep_returns_the_tables_the_command_writes(small) -> None:
    folder, _ = small
    file = folder / "small_mix.yaml"
    cli = command("sweep", file, "--executor", "serial", "--no-progress", "--no-plot", "--out", folder / "cli")
    assert cli.code == 0, cli.stderr
    result = tracktwo.sweep(file, executor="serial", progress=False, plot=False, out=folder / "api")
    assert isinstance(result, tracktwo.SweepResult)
    assert result.ok and result.failed == 0 and result.finished == result.planned == len(result.runs)
    assert result.planned == 10 * 2  # 10 mixes of 4 kinds in steps of 0.5, x 2 replicates
    written = pd.read_parquet(folder / "cli" / "runs.parquet")
    pd.testing.assert_frame_equal(_stable(result.runs), _stable(written))
    pd.testing.assert_frame_equal(result.summary, pd.read_csv(folder / "cli" / "summary.csv"), check_dtype=False)
    ranks = result.summary["rank"].tolist()  # tied points (identical paired runs) share a rank
    assert ranks[0] == 1 and ranks == sorted(ranks) and ranks[-1] <= len(result.summary)
    assert result.manifest["sweep"]["seed"] == 7 and result.name == "small_mix"
    assert result.manifest["tracktwo_version"] == tracktwo.__version__


def test_a_dict_spec_gives_the_same_runs_as_its_file(small) -> None:
    folder, data = small
    from_file = tracktwo.sweep(folder / "small_mix.yaml", executor="serial", progress=False, plot=False,
                               out=folder / "from_file")  # fmt: skip
    from_dict = tracktwo.sweep(data, executor="serial", progress=False, plot=False, out=folder / "from_dict")
    pd.testing.assert_frame_equal(_stable(from_dict.runs), _stable(from_file.runs))
    pd.testing.assert_frame_equal(from_dict.summary, from_file.summary)
    assert from_dict.manifest["sweep"]["path"] == "<dict>"


def test_resume_runs_nothing_twice_and_load_reads_the_folder_back(small) -> None:
    folder, data = small
    out = folder / "resumed"
    first = tracktwo.sweep(data, executor="serial", progress=False, plot=False, out=out)
    again = tracktwo.sweep(data, executor="serial", progress=False, plot=False, out=out, resume=True)
    assert first.ran_now == first.planned and again.ran_now == 0
    pd.testing.assert_frame_equal(_stable(again.runs), _stable(first.runs))
    loaded = tracktwo.load(out)
    assert isinstance(loaded, tracktwo.SweepResult)
    assert loaded.finished == first.finished and loaded.name == "small_mix"
    pd.testing.assert_frame_equal(loaded.summary, first.summary, check_dtype=False)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda f: tracktwo.sweep({"method": "grid", "parameters": {"nope.key": {"values": [1]}}}, out=f), "nope.key"),
        (lambda f: tracktwo.sweep(f / "missing.yaml", out=f / "o"), "file not found"),
        (lambda f: tracktwo.sweep(3, out=f), "expected a file path or a mapping"),
        (lambda f: tracktwo.sweep({"method": "grid", "parameters": {}}, executor="threads", out=f), "--executor"),
        (lambda f: tracktwo.sweep({}, resume=True, overwrite=True, out=f), "--resume and --overwrite"),
        (lambda f: tracktwo.run(set={"workshops.size": 10**5000}, out=f / "r"), "workshops.size"),
        (lambda f: tracktwo.run(set=["workshops.size=" + "9" * 100_000], out=f / "r"), "workshops.size"),
        (lambda f: tracktwo.run(seed=-1, out=f / "r"), "--seed"),
        (lambda f: tracktwo.run(steps=3, set={"steps": 4}, out=f / "r"), "--steps"),
        (lambda f: tracktwo.evaluate(outcomes=["nope"], out=f / "e"), "--outcomes"),
        (lambda f: tracktwo.compare({"programmes": {"a": {}}}, out=f / "c"), "programmes"),
        (lambda f: tracktwo.discover(f, outcome="impact", above=1, below=2), "--above"),
        (lambda f: tracktwo.load(f / "nowhere"), "no such results folder"),
    ],
    ids=range(13),
)
def test_bad_input_is_one_line_config_error(tmp_path: Path, call, fragment: str) -> None:
    with pytest.raises(tracktwo.ConfigError) as raised:
        call(tmp_path)
    message = str(raised.value)
    assert "\n" not in message and len(message) < 300, message
    assert fragment in message, message


def test_run_writes_the_folder_the_command_writes(tmp_path: Path) -> None:
    result = tracktwo.run({"steps": 6}, set={"workshops.size": 6}, seed=3, out=tmp_path / "run")
    cli = command("run", "--steps", "6", "--set", "workshops.size=6", "--seed", "3", "--out", tmp_path / "cli")
    assert cli.code == 0, cli.stderr
    loaded = pd.Series(tracktwo.load(tmp_path / "cli").outcomes, dtype=float)
    assert pd.Series(result.outcomes, dtype=float).equals(loaded)  # NaN (no transfer yet) is NaN in both
    assert len(result.timeseries) == 6 and result.summary["tracktwo_version"] == tracktwo.__version__
    assert tracktwo.load(tmp_path / "run").seed == 3


def test_version_comes_from_the_package_metadata() -> None:
    from importlib import metadata

    assert tracktwo.__version__ == metadata.version("tracktwo")
    shown = command("--version")
    assert shown.code == 0 and shown.stdout.strip() == f"tracktwo {tracktwo.__version__}"


def test_compare_returns_its_tables_and_load_reads_them_back(tmp_path: Path) -> None:
    programmes = {
        "name": "two",
        "steps": 24,
        "replicates": 4,
        "seed": 3,
        "rank_by": "ideas_generated",
        "programmes": {
            "One workshop": {"description": "a single meeting", "overrides": {"workshops.count": 1}},
            "Six workshops": {"description": "a short series", "overrides": {"workshops.count": 6}},
        },
    }
    result = tracktwo.compare(programmes, executor="serial", progress=False, out=tmp_path / "c")
    assert isinstance(result, tracktwo.CompareResult) and result.ok and result.planned == 2 * 4
    assert set(result.ranking) == {"One workshop", "Six workshops"} and result.best == result.ranking[0]
    assert result.reference == result.best and set(result.verdicts) == set(result.ranking) - {result.best}
    assert result.table.to_csv(index=False) == (tmp_path / "c" / "comparison.csv").read_text(encoding="utf-8")
    assert result.summary["tracktwo_version"] == tracktwo.__version__
    loaded = tracktwo.load(tmp_path / "c")
    assert isinstance(loaded, tracktwo.CompareResult) and loaded.ranking == result.ranking


def test_evaluate_and_discover_return_their_tables(tmp_path: Path, small) -> None:
    result = tracktwo.evaluate(
        {"steps": 24}, components=["routes"], outcomes=["ideas_generated"], replicates=2, executor="serial",
        progress=False, out=tmp_path / "e",
    )  # fmt: skip
    assert isinstance(result, tracktwo.EvaluateResult) and result.ok
    assert result.table.to_csv(index=False) == (tmp_path / "e" / "evaluation.csv").read_text(encoding="utf-8")
    from tracktwo.experiments.analysis.evaluation import VERDICT_RULES

    assert set(result.table["verdict"]) <= set(VERDICT_RULES)
    assert len(result.sentences) == len(result.table) and result.families[0].name == "routes"
    process = result.process_outcome  # influence on the process beside outcome transfer, per route
    assert list(process["component"]) == list(result.table["component"])
    assert process.to_csv(index=False) == (tmp_path / "e" / "process_outcome.csv").read_text(encoding="utf-8")
    assert tracktwo.load(tmp_path / "e").process_outcome["outcome_verdict"].tolist() == list(process["outcome_verdict"])
    folder, data = small
    swept = tracktwo.sweep(data, executor="serial", progress=False, plot=False, out=folder / "for_discovery")
    threshold = float(swept.runs["ideas_generated"].median())
    found = tracktwo.discover(swept.directory, outcome="ideas_generated", above=threshold)
    assert isinstance(found.table, pd.DataFrame) and len(found.table) >= 1
    assert all(path.exists() for path in found.files)


def test_sensitivity_returns_its_indices_and_load_reads_them_back(tmp_path: Path) -> None:
    spec = {
        "name": "screen",
        "method": "morris",
        "samples": 4,
        "levels": 4,
        "steps": 24,
        "seed": 5,
        "outcomes": ["ideas_generated"],
        "parameters": {"workshops.count": [2, 8], "workshops.size": [4, 12]},
    }
    result = tracktwo.sensitivity(spec, executor="serial", progress=False, plot=False, out=tmp_path / "s")
    assert isinstance(result, tracktwo.SensitivityResult) and result.ok and result.method == "morris"
    assert result.planned == 4 * (2 + 1)  # Morris: samples x (parameters + 1) points, one replicate each
    assert set(result.table["parameter"]) == {"workshops.count", "workshops.size"}
    assert result.table.to_csv(index=False) == (tmp_path / "s" / "sensitivity.csv").read_text(encoding="utf-8")
    loaded = tracktwo.load(tmp_path / "s")
    assert isinstance(loaded, tracktwo.SensitivityResult) and loaded.method == "morris"
    assert loaded.manifest["tracktwo_version"] == tracktwo.__version__


def test_select_takes_constraints_as_a_dict(tmp_path: Path) -> None:
    result = tracktwo.select(
        ROOT / "configs" / "maps" / "example_nodes.csv", seats=2, constraints={"min_side_share": 0.5},
        config=ROOT / "configs" / "map_example.yaml", set={"steps": 12}, replicates=2, swap_passes=0,
        executor="serial", progress=False, out=tmp_path / "sel",
    )  # fmt: skip
    assert isinstance(result, tracktwo.SelectResult) and len(result.invitations) == 2
    assert result.invitations["side"].nunique() == 2  # at least half the seats on each side: one each
    assert result.comparison["group"].iloc[0] == "Chosen group" and result.summary["seats"] == 2
    loaded = tracktwo.load(tmp_path / "sel")
    assert isinstance(loaded, tracktwo.SelectResult) and loaded.evaluations == result.evaluations
    with pytest.raises(tracktwo.ConfigError, match="--constraints"):
        tracktwo.select(ROOT / "configs" / "maps" / "example_nodes.csv", seats=2, constraints={"nope": 1},
                        config=ROOT / "configs" / "map_example.yaml", out=tmp_path / "bad")  # fmt: skip
