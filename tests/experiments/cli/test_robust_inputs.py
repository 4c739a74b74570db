"""Issues 28 and 30 (items 2-8), case by case: the newer commands on every kind of folder and input give a result or
one line and exit 2, never a traceback, and nothing already written changes."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from cli_harness import ROOT, TINY_SWEEP, assert_contract, folder_snapshot, tracktwo, tracktwo_process
from tracktwo.experiments.analysis.results import folder_kind
from tracktwo.experiments.cli.checks import MAX_ERROR_CHARS, one_line
from tracktwo.experiments.design import actor_map, evaluation_checks, limits
from tracktwo.experiments.design.safe_yaml import MAX_YAML_BYTES
from tracktwo.experiments.engine import folder_lock
from tracktwo.experiments.messages import one_line_warnings, warning_line
from tracktwo.model import ConfigError, make_params
from tracktwo.model.components import column_fragment, distinct_fragments
from tracktwo.model.params import MAX_RUN_BYTES, estimated_run_bytes

TINY_PROGRAMMES = """\
name: two
steps: 6
replicates: 2
programmes:
  one: {overrides: {workshops.count: 1}}
  three: {overrides: {workshops.count: 3}}
"""
EXAMPLE_MAP = ROOT / "configs/maps/example_nodes.csv"
MAP_CONFIG = ROOT / "configs/map_example.yaml"


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A finished folder of each kind: sweep, evaluate and compare (small, serial)."""
    base = tmp_path_factory.mktemp("kinds")
    (base / "tiny.yaml").write_text(TINY_SWEEP, encoding="utf-8")
    (base / "two.yaml").write_text(TINY_PROGRAMMES, encoding="utf-8")
    made = {
        "sweep": ["sweep", base / "tiny.yaml"],
        "evaluate": ["evaluate", "--set", "steps=8", "--set", "workshops.count=3", "--replicates", "2"],
        "compare": ["compare", base / "two.yaml"],
    }
    for kind, args in made.items():
        done = tracktwo(*args, "--executor", "serial", "--no-progress", "--out", base / kind)
        assert done.code == 0, done.stderr
    return {kind: base / kind for kind in made}


def _copy(folder: Path, tmp_path: Path) -> Path:
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    return copy


# Issue 28, item 1: the kind of folder ---------------------------------------------------------------------------


def test_each_folder_kind_is_read_from_its_manifest(folders: dict[str, Path]) -> None:
    assert {kind: folder_kind(path) for kind, path in folders.items()} == {k: k for k in folders}


@pytest.mark.parametrize("kind", ["evaluate", "compare"])
@pytest.mark.parametrize(
    "args",
    [
        ["discover", "{dir}", "--outcome", "impact", "--above", "0.5"],
        ["discover", "{dir}", "--outcome", "impact", "--above", "0.5", "--method", "cart"],
        ["plot", "{dir}", "--outcomes", "all"],
    ],
)
def test_sweep_readers_on_another_kind_say_what_they_expect(folders, tmp_path, kind: str, args: list[str]) -> None:
    folder = _copy(folders[kind], tmp_path)
    before = folder_snapshot(folder)
    outcome = tracktwo(*[a.replace("{dir}", str(folder)) for a in args])
    assert_contract(outcome, f"`tracktwo {kind}` results", "sweep")
    assert outcome.code == 2
    assert folder_snapshot(folder) == before


@pytest.mark.parametrize("kind", ["evaluate", "compare", "sweep"])
def test_report_on_every_kind_writes_without_library_warnings(folders, tmp_path, kind: str) -> None:
    folder = _copy(folders[kind], tmp_path)
    outcome = tracktwo("report", folder)
    assert outcome.code == 0, outcome.stderr
    assert (folder / "report.html").stat().st_size > 1000
    assert "Warning" not in outcome.stderr and "tight_layout" not in outcome.stderr, outcome.stderr


DAMAGES = {
    "manifest {'sweep': 5}": ("manifest.json", '{"sweep": 5}', "manifest.json"),
    "manifest []": ("manifest.json", "[]", "manifest.json"),
    "manifest not JSON": ("manifest.json", "{", "manifest.json"),
    "manifest parameters a list": ("manifest.json", '{"sweep": {"parameters": [1]}}', "sweep.parameters"),
    "runs.parquet truncated": ("runs.parquet", b"PAR1\x00", "runs.parquet"),
    "runs.parquet a folder": ("runs.parquet", None, "runs.parquet"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("command", ["report", "plot", "discover"])
def test_a_damaged_folder_is_one_line_naming_the_file(folders, tmp_path, damage: str, command: str) -> None:
    name, content, fragment = DAMAGES[damage]
    folder = _copy(folders["sweep"], tmp_path)
    target = folder / name
    target.unlink()
    if content is None:
        target.mkdir()
    elif isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    before = folder_snapshot(folder)
    extra = ["--outcome", "impact", "--above", "0.1"] if command == "discover" else []
    outcome = tracktwo(command, folder, *extra)
    assert_contract(outcome, fragment)
    assert outcome.code == 2
    assert folder_snapshot(folder) == before


def test_a_corrupt_evaluation_table_is_one_line(folders, tmp_path) -> None:
    folder = _copy(folders["evaluate"], tmp_path)
    (folder / "evaluation.csv").write_text('family,outcome\n"workshops,impact\n', encoding="utf-8")
    outcome = tracktwo("report", folder)
    assert_contract(outcome, "evaluation.csv")
    assert outcome.code == 2


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("evaluation.csv", "null\n", "no 'family' column"),  # found by the long fuzz run: KeyError 'family'
        ("evaluation_totals.csv", "family,outcome\nworkshops,impact\n", "no 'with_programme' column"),
        ("evaluation_totals.csv", None, "damaged"),  # replicates is no number
        ("evaluation.json", '{"power": [1, 2]}', "damaged"),
    ],
)
def test_an_evaluation_table_without_its_columns_is_one_line(folders, tmp_path, name, text, fragment) -> None:
    folder = _copy(folders["evaluate"], tmp_path)
    path = folder / name
    if text is None:
        text = pd.read_csv(path).assign(replicates="x").to_csv(index=False)
    path.write_text(text, encoding="utf-8")
    before = folder_snapshot(folder)
    outcome = tracktwo("report", folder)
    assert_contract(outcome, fragment)
    assert outcome.code == 2 and folder_snapshot(folder) == before


def test_a_partial_report_that_is_a_folder_and_figures_that_is_a_file_are_one_line(folders, tmp_path) -> None:
    folder = _copy(folders["sweep"], tmp_path)
    (folder / ".report.html.partial").mkdir()
    outcome = tracktwo("report", folder)
    assert_contract(outcome, ".report.html.partial", "folder")
    assert outcome.code == 2
    (folder / ".report.html.partial").rmdir()
    shutil.rmtree(folder / "figures")
    (folder / "figures").write_text("not a folder", encoding="utf-8")
    for command in ("plot", "report"):
        outcome = tracktwo(command, folder)
        assert_contract(outcome, "figures", "a file")
        assert outcome.code == 2


# Issue 28, item 2 and 30, item 2: sizes up front, --overwrite only after the checks ---------------------------------


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--components", "participants", "--orders", "100000000"], ["--orders", "even with --force"]),
        (["--components", "participants", "--replicates", "1000000"], ["replicates", "--force"]),
        (
            ["--set", "programme.events=[{format: workshop, step: 1, count: 10000}]", "--set", "steps=10001"],
            ["10,000 components", "--force"],
        ),
        (["--set", "evaluation.removed=[workshop:1]"], ["evaluation.removed", "workshop:1"]),
        (["--out", ""], ["--out", "empty"]),
        (["--out", "   "], ["--out", "empty"]),
    ],
)
def test_evaluate_refuses_up_front_and_keeps_the_folder(folders, tmp_path, args: list[str], fragments) -> None:
    folder = _copy(folders["evaluate"], tmp_path)
    before = folder_snapshot(folder)
    out = [] if "--out" in args else ["--out", folder, "--overwrite"]
    outcome = tracktwo("evaluate", *args, "--executor", "serial", "--no-progress", *out)
    assert_contract(outcome, *fragments)
    assert outcome.code == 2
    assert folder_snapshot(folder) == before


@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_an_empty_out_is_refused(folders, command: str) -> None:
    source = folders["compare"].parent / ("two.yaml" if command == "compare" else "tiny.yaml")
    outcome = tracktwo(command, source, "--out", "", "--executor", "serial")
    assert_contract(outcome, "--out")
    assert outcome.code == 2


def test_overwrite_puts_the_old_results_back_when_no_new_run_is_stored(folders, tmp_path, monkeypatch) -> None:
    from tracktwo.experiments.engine import runner

    folder = _copy(folders["compare"], tmp_path)
    before = folder_snapshot(folder)

    def out_of_memory(self) -> None:
        raise MemoryError

    monkeypatch.setattr(runner.Session, "run", out_of_memory)
    with pytest.raises(MemoryError):
        tracktwo(
            "compare", folders["compare"].parent / "two.yaml", "--out", folder, "--overwrite", "--executor", "serial"
        )
    assert folder_snapshot(folder) == before
    assert not (folder / ".tracktwo-previous").exists()


def test_a_long_error_keeps_what_is_wrong_and_shortens_deep_paths_first() -> None:
    """Under a deep temporary folder (tmpfs in the suite), cutting the end lost what the sweep's parameters set."""
    deep = "/dev/shm/tracktwo-tests-0/session-t82lo53c/popen-gw0"
    message = (
        f"tracktwo sweep: error: sweep {deep}/test_a_posterior_naming0/swept.yaml: posterior: {deep}/calibration0/"
        "calibration-open fits 'diffusion.official_aversion_unripe', "
        "which the sweep's parameters also sets (workshops.count)"
    )
    line = one_line(message)
    assert len(message) > MAX_ERROR_CHARS >= len(line)
    assert line.endswith("which the sweep's parameters also sets (workshops.count)"), line
    assert "…/test_a_posterior_naming0/swept.yaml" in line and "…/calibration0/calibration-open fits" in line
    assert one_line("error: /a/b/c.yaml: bad") == "error: /a/b/c.yaml: bad"  # short enough: untouched
    assert len(one_line("x " * 400)) == MAX_ERROR_CHARS and one_line("x " * 400).endswith("…")  # then the end


def test_coalitions_are_counted_without_listing_them() -> None:
    assert evaluation_checks.coalition_count(4, None) == 16
    assert evaluation_checks.coalition_count(30, 20) == 20 * 29 + 32
    with pytest.raises(ConfigError, match="even with --force"):
        evaluation_checks.check_family_size("participants", 1000, 10**6, 1)
    with limits.lifted(True):
        evaluation_checks.check_family_size("workshops", 10_000, 20, 10)  # 200,000 coalitions: --force lets it run


# Issue 28, item 3 and 30, item 5: actor maps -------------------------------------------------------------------------


def _write_map(folder: Path, stem: str, delimiter: str = ",", bom: bool = False, extra: bool = False) -> Path:
    nodes = list(csv.reader(EXAMPLE_MAP.open(newline="", encoding="utf-8")))
    edges = list(csv.reader((ROOT / "configs/maps/example_edges.csv").open(newline="", encoding="utf-8")))
    if extra:
        edges = [[*edges[0], "weight", "note"], *([*row, "1", "x"] for row in edges[1:])]
    encoding = "utf-8-sig" if bom else "utf-8"
    for name, rows in ((f"{stem}_nodes.csv", nodes), (f"{stem}_edges.csv", edges)):
        with (folder / name).open("w", newline="", encoding=encoding) as handle:
            csv.writer(handle, delimiter=delimiter).writerows(rows)
    return folder / f"{stem}_nodes.csv"


@pytest.mark.parametrize(("delimiter", "bom"), [(";", False), ("\t", False), ("|", False), (",", True), (";", True)])
def test_a_map_with_another_delimiter_or_a_bom_reads_like_the_comma_one(tmp_path, delimiter: str, bom: bool) -> None:
    path = _write_map(tmp_path, "m", delimiter, bom)
    expected = actor_map.read_map(EXAMPLE_MAP)
    found = actor_map.read_map(path)
    assert found.nodes == expected.nodes and found.edges == expected.edges
    outcome = tracktwo("run", MAP_CONFIG, "--set", f"network.map={path}", "--steps", "3", "--out", tmp_path / "run")
    assert outcome.code == 0, outcome.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcomes"]["participants"] > 0


def test_a_map_read_as_one_column_is_refused_naming_the_delimiters(tmp_path) -> None:
    (tmp_path / "m_nodes.csv").write_text("id kind side\na official 1\n", encoding="utf-8")
    (tmp_path / "m_edges.csv").write_text("source,target\n", encoding="utf-8")
    outcome = tracktwo("run", "--set", "network.type=map", "--set", f"network.map={tmp_path / 'm_nodes.csv'}")
    assert_contract(outcome, "no comma, semicolon, tab or bar")
    assert outcome.code == 2


def test_unexpected_edge_columns_are_warned_about_by_name(tmp_path) -> None:
    path = _write_map(tmp_path, "m", extra=True)
    outcome = tracktwo("run", MAP_CONFIG, "--set", f"network.map={path}", "--steps", "2", "--out", tmp_path / "run")
    assert outcome.code == 0, outcome.stderr
    assert "'weight', 'note'" in outcome.stderr and ": warning: " in outcome.stderr


def test_select_reads_a_semicolon_map(tmp_path) -> None:
    path = _write_map(tmp_path, "m", ";")
    outcome = tracktwo(
        "select", path, "--seats", "2", "--replicates", "2", "--set", "steps=4", "--config", MAP_CONFIG,
        "--executor", "serial", "--no-progress", "--out", tmp_path / "sel", "--swap-passes", "0",
    )  # fmt: skip
    assert_contract(outcome)
    assert outcome.code == 0, outcome.stderr
    assert (tmp_path / "sel" / "invitations.csv").exists()


# Issue 30, item 4: labels to columns ---------------------------------------------------------------------------------


def test_distinct_labels_never_share_a_column() -> None:
    keys = ["group:region=north-east", "group:region=north_east", "group:region=north east", "group:region=North-East"]
    assert len({column_fragment(k) for k in keys}) == len(keys)
    assert column_fragment("group:gender=f") == "group_gender_f"
    assert column_fragment("format:exposure_trip") == "format_exposure_trip"
    with pytest.raises(ConfigError, match="'group:region_north=east' and 'group:region=north_east'"):
        distinct_fragments(["group:region_north=east", "group:region=north_east"])


def test_groups_north_east_and_north_underscore_east_are_evaluated_apart(tmp_path) -> None:
    rows = ["id,kind,side,region"]
    rows += [f"o{i},official,{1 + i % 2},capital" for i in range(6)]
    rows += [f"e{i},elite,{1 + i % 2},{'north-east' if i % 2 else 'north_east'}" for i in range(12)]
    (tmp_path / "m_nodes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ties = [f"e{i},e{(i + 1) % 12}" for i in range(12)] + [f"e{i},o{i % 6}" for i in range(12)]
    (tmp_path / "m_edges.csv").write_text("source,target\n" + "\n".join(ties) + "\n", encoding="utf-8")
    outcome = tracktwo(
        "evaluate", "--set", "network.type=map", "--set", f"network.map={tmp_path / 'm_nodes.csv'}",
        "--set", "steps=6", "--set", "workshops.size=4", "--set", "workshops.mix={elite: 1.0}",
        "--components", "groups:region", "--replicates", "2", "--executor", "serial", "--no-progress",
        "--out", tmp_path / "ev",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    table = (tmp_path / "ev" / "evaluation.csv").read_text(encoding="utf-8")
    assert "region=north-east" in table and "region=north_east" in table


def test_report_on_a_select_folder(tmp_path) -> None:
    """Found by the long fuzz run: a select folder's swept text column is missing at some points (pandas 3's
    astype(str) keeps NaN, and sorting its levels raised TypeError); a missing value is now its own level."""
    done = tracktwo(
        "select", EXAMPLE_MAP, "--seats", "1", "--replicates", "2", "--swap-passes", "0", "--set", "steps=2",
        "--config", MAP_CONFIG, "--executor", "serial", "--no-progress", "--out", tmp_path / "sel",
    )  # fmt: skip
    assert done.code == 0, done.stderr
    runs = pd.read_parquet(tmp_path / "sel" / "runs.parquet")
    assert runs["workshops.participants"].isna().any()  # the case that failed
    outcome = tracktwo("report", tmp_path / "sel")
    assert_contract(outcome)
    assert outcome.code == 0 and (tmp_path / "sel" / "report.html").is_file()


def test_effects_of_a_text_parameter_with_missing_values_name_each_level() -> None:
    from tracktwo.experiments.analysis.effects import _main_columns

    runs = pd.DataFrame({"who": ["a", None, "b", "a"], "n": [1.0, 2.0, 1.0, 2.0]})
    columns, origin = _main_columns(runs, ["who", "n"])
    assert sorted(columns) == ["n", "who[b]", "who[nan]"]
    assert columns["who[nan]"].tolist() == [0.0, 1.0, 0.0, 0.0] and origin["who[b]"] == "who"


# Issue 28, item 4: undefined outcomes ---------------------------------------------------------------------------------


def test_a_time_to_an_event_undefined_in_some_runs_is_censored_in_evaluate(tmp_path) -> None:
    outcome = tracktwo(
        "evaluate", "--set", "steps=6", "--outcomes", "time_to_first_transfer", "--components", "routes",
        "--replicates", "2", "--executor", "serial", "--no-progress", "--out", tmp_path / "ev",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    totals = (tmp_path / "ev" / "evaluation_totals.csv").read_text(encoding="utf-8")
    assert "time_to_first_transfer" in totals


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--outcomes", "mean_novelty_generated"], ["mean_novelty_generated", "without meetings", "workshops"]),
        (["--outcomes", "impact", "mean_candour", "--components", "events"], ["mean_candour", "events"]),
        (["--outcomes", "trust_change", "--set", "sides=1"], ["trust_change", "sides: 1"]),
    ],
)
def test_an_outcome_the_config_leaves_undefined_is_refused_before_any_run(folders, tmp_path, args, fragments) -> None:
    """Known from the config: refused before the pilot (no run, no folder), and an existing folder is unchanged."""
    out = _copy(folders["evaluate"], tmp_path)
    before = folder_snapshot(out)
    start = time.perf_counter()
    outcome = tracktwo(
        "evaluate", "--set", "steps=6", "--set", "workshops.count=2", *args, "--replicates", "2",
        "--executor", "serial", "--no-progress", "--out", out, "--overwrite",
    )  # fmt: skip
    assert_contract(outcome, *fragments)
    assert outcome.code == 2 and "power check" not in outcome.stdout + outcome.stderr  # before the pilot
    assert folder_snapshot(out) == before
    assert time.perf_counter() - start < 30
    fresh = tracktwo("evaluate", "--set", "steps=6", *args, "--executor", "serial", "--out", tmp_path / "new")
    assert fresh.code == 2 and not (tmp_path / "new").exists()


def test_an_outcome_defined_in_the_config_but_in_no_run_is_one_line_and_its_runs_are_reused(tmp_path) -> None:
    """All routes closed: in practice nothing enters Track One, though the config cannot say so before the runs."""
    common = ["--set", "steps=6", "--components", "routes", "--replicates", "2", "--executor", "serial",
              "--no-progress", "--out", tmp_path / "ev"]  # fmt: skip
    outcome = tracktwo("evaluate", "--outcomes", "mean_novelty_transferred", *common)
    assert_contract(outcome, "mean_novelty_transferred", "every replicate", "--resume")
    assert outcome.code == 2 and "RuntimeWarning" not in outcome.stderr  # the pilot's NaN statistics are quiet
    runs = pd.read_parquet(tmp_path / "ev" / "runs.parquet")
    assert (runs["status"] == "finished").all() and len(runs) > 2
    again = tracktwo("evaluate", "--outcomes", "impact", *common, "--resume")
    assert again.code == 0, again.stderr
    reused = pd.read_parquet(tmp_path / "ev" / "runs.parquet")
    pd.testing.assert_frame_equal(reused[runs.columns], runs)  # the same runs, none repeated (same wall times)
    assert (tmp_path / "ev" / "evaluation.csv").is_file()


def test_outcomes_named_by_the_up_front_check_are_declared() -> None:
    from tracktwo.model import OUTCOMES

    assert set(OUTCOMES) >= evaluation_checks.NEEDS_A_MEETING | evaluation_checks.NEEDS_TWO_SIDES


def test_discover_on_a_time_to_an_event(folders, tmp_path) -> None:
    folder = _copy(folders["sweep"], tmp_path)
    outcome = tracktwo("discover", folder, "--outcome", "time_to_first_transfer", "--below", "3")
    assert_contract(outcome)


# Issue 30, item 5: what a user sets is used or refused; late meetings ------------------------------------------------


def test_meetings_after_the_last_month_are_named() -> None:
    params = make_params({"steps": 12})
    lines = evaluation_checks.late_meetings(params)
    assert len(lines) == 1 and "after the last month (12)" in lines[0] and "meeting 4 (" in lines[0]
    assert evaluation_checks.late_meetings(make_params({"steps": 200})) == []


# Issue 30, item 3: readers and the lock ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["plot", "{dir}"], ["report", "{dir}"], ["discover", "{dir}", "--outcome", "impact", "--above", "0.1"]]
)
def test_a_reader_refuses_a_folder_being_written(folders, tmp_path, args: list[str]) -> None:
    folder = _copy(folders["sweep"], tmp_path)
    before = folder_snapshot(folder)
    lock = folder_lock.acquire(folder)
    try:
        outcome = tracktwo(*[a.replace("{dir}", str(folder)) for a in args])
    finally:
        lock.release()
    assert_contract(outcome, "being written by")
    assert outcome.code == 2
    assert folder_snapshot(folder) == before


def test_readers_share_a_folder_and_a_writer_waits_for_them(folders, tmp_path) -> None:
    folder = _copy(folders["sweep"], tmp_path)
    with folder_lock.reading(folder, "report"):
        assert tracktwo("plot", folder).code == 0  # two readers at once
        with pytest.raises(ConfigError, match="a command reading it"):
            folder_lock.acquire(folder)
    folder_lock.acquire(folder).release()  # free again once the reader is done


# Issue 30, item 6: Ctrl-C and kill -9 (real processes) ----------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """The process ids whose parent is `pid` (from /proc; empty where there is none)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _interrupted(
    delay: float, tmp_path: Path, sig: int, replicates: int = 8, after_workers: bool = False
) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "tracktwo", "compare", str(ROOT / "configs/programmes/example.yaml"),
        "--replicates", str(replicates), "--workers", "2", "--no-progress", "--out", str(tmp_path / f"c{delay}"),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it (xdist ignores it)
    )  # fmt: skip
    if after_workers:  # wait until the pool (and its resource tracker) exists, then a little longer
        deadline = time.monotonic() + 60
        while len(_children(process.pid)) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
    time.sleep(delay)
    finished_first = process.poll() is not None
    if sig == signal.SIGINT:
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    else:
        os.kill(process.pid, sig)
    out, err = process.communicate(timeout=120)
    time.sleep(1)  # then end whatever the command left behind (orphaned workers of a killed command)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    done = subprocess.CompletedProcess(command, process.returncode, out, err)
    done.finished_first = finished_first  # the command had ended before the signal was sent
    return done


@pytest.mark.parametrize("delay", [0.2, 1.5, pytest.param(6.0, marks=pytest.mark.slow)])
def test_ctrl_c_at_any_moment_is_one_line_and_exit_130(tmp_path, delay: float) -> None:
    done = _interrupted(delay, tmp_path, signal.SIGINT, replicates=40)  # 8 replicates could finish within 1.5 s
    if done.finished_first:
        pytest.skip("the command finished before the interrupt")
    assert done.returncode == 130, done.stderr[-2000:]
    assert done.stderr.strip().splitlines() == [done.stderr.strip()], done.stderr[-2000:]
    assert "interrupted" in done.stderr and "Traceback" not in done.stderr


_AFTER_THE_WORK = """
import atexit, os, signal, sys, time
import tracktwo.experiments.cli as cli
from tracktwo.__main__ import run

cli.main = lambda argv=None: 3  # the command's work is done, with its own exit status


class Teardown:  # deleted while Python tears the modules down, after it restored SIGINT's default action
    def __del__(self):
        if "{when}" == "teardown":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.3)


kept = Teardown()
code = run()
if "{when}" == "exit handler":  # registered after run()'s own, so it runs before it (last in, first out)
    atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(0.3)))
sys.exit(code)
"""


@pytest.mark.parametrize("when", ["exit handler", "teardown"])
def test_ctrl_c_after_the_command_finished_keeps_its_status_silently(when: str) -> None:
    """A Ctrl-C while Python shuts down (about half a second after a sweep) killed the process with status -2."""
    done = subprocess.run(
        [sys.executable, "-c", _AFTER_THE_WORK.format(when=when)], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it (xdist ignores it)
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (3, ""), done.stderr[-2000:]


_SWALLOWED = """
import os, signal
import tracktwo.experiments.cli as cli
from tracktwo.__main__ import run


def main(argv=None):  # as pydantic-core does while a command's modules load: the interrupt becomes its own error
    try:
        os.kill(os.getpid(), signal.SIGINT)
        signal.pause()
    except KeyboardInterrupt as interrupt:
        raise RuntimeError("Error building validator: KeyboardInterrupt") from interrupt


cli.main = main
run()
"""


def test_ctrl_c_that_a_library_reports_as_its_own_error_is_still_one_line_and_exit_130() -> None:
    """Seen in CI: a Ctrl-C 0.2 s in landed in pydantic-core's schema build and came out as a SchemaError traceback."""
    done = subprocess.run(
        [sys.executable, "-c", _SWALLOWED], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it (xdist ignores it)
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (130, "tracktwo: interrupted\n"), done.stderr[-2000:]


_CAUGHT_IN_EXEC = """
import sys
import tracktwo.experiments.cli as cli
from tracktwo.__main__ import run


def main(argv=None):  # a Ctrl-C that lands while source text runs through exec (a dataclass's generated methods)
    try:
        exec("raise KeyboardInterrupt", {})
    except KeyboardInterrupt:
        print("tracktwo compare: interrupted", file=sys.stderr)
        return 130


cli.main = main
if __name__ == "__main__":
    sys.exit(run())
"""


def test_ctrl_c_caught_inside_evaluated_source_still_exits_130_under_python_m(tmp_path) -> None:
    """Seen in CI's leg (1 in 25 at 1.5 s): the one line, then status -2, because CPython noted the interrupt."""
    (tmp_path / "caught_in_exec.py").write_text(_CAUGHT_IN_EXEC)
    done = subprocess.run(
        [sys.executable, "-m", "caught_in_exec"], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it (xdist ignores it)
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (130, "tracktwo compare: interrupted\n"), done.stderr[-2000:]


_WHILE_THE_FORK_SERVER_STARTS = """
import os, signal, subprocess, sys
from tracktwo.experiments.engine.process_start import _interrupts_ignored

try:
    with _interrupts_ignored():  # as the fork server starts: a Ctrl-C lands, a process started here inherits SIG_IGN
        os.kill(os.getpid(), signal.SIGINT)
        child = subprocess.run(
            [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT).name)"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    sum(range(1000))
    print("lost", child)
except KeyboardInterrupt:
    print("delivered", child, sorted(signal.pthread_sigmask(signal.SIG_BLOCK, set())))
"""


def test_a_ctrl_c_while_the_fork_server_starts_is_held_not_lost() -> None:
    """Seen in CI's leg: a Ctrl-C 1.5 s into a compare, while the pool's fork server started, and the command ran on.

    The parent ignored SIGINT while it started the fork server (so the server and its workers inherit SIG_IGN),
    and a Ctrl-C then was dropped: the command finished its work and exited 0.
    """
    done = subprocess.run(
        [sys.executable, "-c", _WHILE_THE_FORK_SERVER_STARTS], capture_output=True, text=True, timeout=60,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell starts it (xdist ignores it)
    )  # fmt: skip
    assert done.stdout.split() == ["delivered", "SIG_IGN", "[]"], done.stdout + done.stderr[-2000:]


@pytest.mark.slow
def test_kill_9_leaves_no_semaphore_warning(tmp_path) -> None:
    # Many replicates, killed while the pool works: the command cannot finish first on a fast machine.
    done = _interrupted(1.0, tmp_path, signal.SIGKILL, replicates=400, after_workers=True)
    time.sleep(2)  # the resource tracker notices its parent is gone
    assert done.returncode == -signal.SIGKILL
    assert "leaked semaphore" not in done.stderr and "resource_tracker" not in done.stderr, done.stderr


# Issue 28, item 5 and 30, item 7: warnings and fonts -----------------------------------------------------------------


def test_library_warnings_are_one_line_each_and_missing_glyphs_one_line_in_all(capsys) -> None:
    import matplotlib.pyplot as plt

    with one_line_warnings("plot"):
        for _ in range(3):
            warnings.warn("something noisy\nover lines", UserWarning, stacklevel=1)
        figure, axis = plt.subplots()
        axis.set_title("\U0001f54a \u0a9c \U00013000 \u2e3b")  # a dove, Gujarati, a hieroglyph: no font here has them
        figure.canvas.draw()
        plt.close(figure)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "tracktwo plot: warning: something noisy over lines (UserWarning)"
    glyphs = [line for line in lines if "missing from the figure fonts" in line]
    assert len(glyphs) <= 1 and len(lines) <= 2, lines
    assert all(len(line) < 300 for line in lines)
    assert "Glyph" not in warning_line(
        "x", UserWarning, "Glyph 128330 (\\N{DOVE OF PEACE}) missing from font(s) DejaVu"
    )


WARNING_IN_RUNS = """\
import multiprocessing
import os
import warnings

import numpy as np
from tracktwo.experiments.engine import worker

real = worker.simulate


def noisy(*args, **kwargs):
    with open(os.environ["WARNED_LOG"], "a", encoding="utf-8") as log:
        log.write("worker\\n" if multiprocessing.parent_process() else "command\\n")
    np.log(np.zeros(2))  # numpy: RuntimeWarning, divide by zero encountered in log
    warnings.warn("a library's warning\\nover two lines", RuntimeWarning, stacklevel=1)
    return real(*args, **kwargs)


worker.simulate = noisy
"""


@pytest.mark.parametrize(
    "executor",
    [["--executor", "serial"], pytest.param(["--executor", "process", "--workers", "2"], marks=pytest.mark.slow)],
)
def test_warnings_inside_runs_are_one_line_each_or_silent(tmp_path, executor: list[str]) -> None:
    """A numpy RuntimeWarning raised inside every run (here: in the pool's workers) is one line or nothing on stderr.

    Without figures (--no-plot: they were most of the time; drawing's warnings are
    test_library_warnings_are_one_line_each_and_missing_glyphs_one_line_in_all's).
    """
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(WARNING_IN_RUNS, encoding="utf-8")  # in every process
    (tmp_path / "tiny.yaml").write_text(TINY_SWEEP, encoding="utf-8")
    log = tmp_path / "warned.log"
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'hook'}{os.pathsep}{ROOT}", "WARNED_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "-m", "tracktwo", "sweep", tmp_path / "tiny.yaml", *executor, "--no-progress", "--no-plot",
         "--out", tmp_path / "out"],
        capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    warned_in = set(log.read_text(encoding="utf-8").split())  # the warnings were raised where the runs are
    assert "worker" in warned_in if executor[1] == "process" else warned_in == {"command"}, warned_in
    noise = [line for line in done.stderr.splitlines() if "Warning" in line or "np.log" in line or "warn(" in line]
    shown = [line for line in noise if line.startswith("tracktwo sweep: warning: ")]
    assert noise == shown, done.stderr[-3000:]  # no library source line, no second line of a message
    assert len(shown) <= 2 and all(len(line) < 300 for line in shown), shown  # each distinct warning once
    if executor[1] == "serial":
        assert any("divide by zero" in line for line in shown) and any("over two lines" in line for line in shown)


# Issue 28, item 2: the app --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--port", " 8765"], "--port"), (["--port", "٣٣"], "--port"), (["--host", "bogus.invalid"], "--host")],
)
def test_app_bad_port_or_host_is_exactly_one_line(args: list[str], fragment: str) -> None:
    done = tracktwo_process("app", *args, timeout=60)
    assert done.code == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr


# Issue 30, item 8: every limit the README states ---------------------------------------------------------------------


def test_limit_one_run_memory() -> None:
    assert MAX_RUN_BYTES == 4 * 2**30
    with pytest.raises(ConfigError, match="GiB"):
        make_params({"kinds": {"official": {"count": 1_000_000}}})
    # README said kinds.grassroots.count=100000 is refused: with ties per actor from network.degree it is not.
    allowed = make_params({"kinds": {"grassroots": {"count": 100_000}}})
    assert estimated_run_bytes(allowed) < MAX_RUN_BYTES


def test_limit_points_and_runs_at_their_boundaries() -> None:
    limits.check_size("s", limits.MAX_POINTS, 1)
    limits.check_size("s", 1, limits.MAX_RUNS)
    with pytest.raises(ConfigError, match="100,000"):
        limits.check_size("s", limits.MAX_POINTS + 1, 1)
    with pytest.raises(ConfigError, match="1,000,000"):
        limits.check_size("s", 1, limits.MAX_RUNS + 1)
    with limits.lifted(True):
        limits.check_size("s", limits.HARD_MAX_POINTS, 10)
        with pytest.raises(ConfigError, match="even with --force"):
            limits.check_size("s", limits.HARD_MAX_POINTS + 1, 1)


def test_limit_yaml_size_and_echo(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("steps: 5\n" + "#" * MAX_YAML_BYTES, encoding="utf-8")
    outcome = tracktwo("run", big)
    assert_contract(outcome, "at most 10,485,760")
    outcome = tracktwo("run", "--set", "workshops.mix=" + "x" * 5000)
    assert_contract(outcome, "workshops.mix")
    assert outcome.code == 2 and len(outcome.errors[0]) < 300


def test_select_refuses_a_set_it_would_override(tmp_path) -> None:
    outcome = tracktwo(
        "select", EXAMPLE_MAP, "--seats", "2", "--set", "network.map=elsewhere.csv", "--out", tmp_path / "sel"
    )
    assert_contract(outcome, "network.map", "remove the --set")
    assert outcome.code == 2


@pytest.mark.parametrize("command", ["plot", "report"])
def test_a_figure_index_that_is_a_folder_changes_no_figure(folders, tmp_path, command: str) -> None:
    folder = _copy(folders["sweep"], tmp_path)
    (folder / "figures" / "figures.json").unlink()
    (folder / "figures" / "figures.json").mkdir()
    before = folder_snapshot(folder)
    outcome = tracktwo(command, folder)
    assert_contract(outcome, "figures.json", "a folder")
    assert outcome.code == 2
    assert folder_snapshot(folder) == before
