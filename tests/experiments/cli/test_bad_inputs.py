"""Issue 13's cases, one by one, through the command line: each gets one clear line and exit 2 (or a warning),
never a traceback, and nothing already written changes."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_harness import ROOT, TINY_SWEEP, assert_contract, folder_snapshot, tracktwo, tracktwo_process


def alias_bomb(levels: int = 9) -> str:
    """A few hundred bytes whose aliases expand to 9**levels values."""
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return f"workshops:\n  participants: *l{levels - 1}\n".join(["\n".join(lines) + "\n", ""])


@pytest.fixture(scope="module")
def finished_sweep(tmp_path_factory) -> Path:
    """A small finished sweep's folder (its file beside it as tiny.yaml)."""
    folder = tmp_path_factory.mktemp("sweep")
    (folder / "tiny.yaml").write_text(TINY_SWEEP, encoding="utf-8")
    done = tracktwo("sweep", folder / "tiny.yaml", "--executor", "serial", "--out", folder / "out", "--no-progress")
    assert done.code == 0, done.stderr
    return folder


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# (files to write, arguments, fragments the error line must hold); {dir} is the test's folder
CASES: dict[str, tuple[dict[str, str | bytes], list[str], list[str]]] = {
    "non-UTF-8 config": ({"c.yaml": b"steps: \xff\xfe\n"}, ["run", "{dir}/c.yaml"], ["not UTF-8", "c.yaml"]),
    "duplicate key": ({"c.yaml": "steps: 5\nsteps: 6\n"}, ["run", "{dir}/c.yaml"], ["'steps' appears twice"]),
    "alias bomb": ({"c.yaml": alias_bomb()}, ["run", "{dir}/c.yaml"], ["alias"]),
    "100 KB --set value": ({}, ["run", "--set", "workshops.size=" + "x" * 100_000], ["workshops.size"]),
    "--steps with --set steps=abc": ({}, ["run", "--steps", "5", "--set", "steps=abc"], ["--steps", "steps"]),
    "steps=true": ({}, ["run", "--set", "steps=true"], ["steps", "true"]),
    "count=false": ({}, ["run", "--set", "kinds.elite.count=false"], ["count", "false"]),
    "negative seed in run": ({}, ["run", "--seed", "-1"], ["--seed", "0..4294967295"]),
    "huge seed in run": ({}, ["run", "--seed", str(10**26)], ["--seed"]),
    "negative seed in dilemma": ({}, ["dilemma", "--seed", "-5"], ["--seed"]),
    "negative seed in select": (
        {},
        ["select", str(ROOT / "configs/maps/example_nodes.csv"), "--seats", "4", "--seed", "-1"],
        ["--seed"],
    ),
    "--out names a file": ({"file.txt": "x"}, ["run", "--steps", "2", "--out", "{dir}/file.txt"], ["--out"]),
    "--out under a file": ({"file.txt": "x"}, ["run", "--steps", "2", "--out", "{dir}/file.txt/sub"], ["--out"]),
    "--out in a read-only place": ({}, ["run", "--steps", "2", "--out", "/proc/tracktwo-out"], ["--out"]),
    "a mix of kinds with no actors": (
        {},
        ["run", "--set", "kinds.elite.count=0", "--set", "kinds.autonomous.count=0"],
        ["workshops.mix", "count 0"],
    ),
    "a device as config": ({}, ["run", "/dev/null"], ["not a file"]),
    "population past memory": (
        {},
        ["run", "--set", "kinds.grassroots.count=100000", "--set", "network.degree.grassroots_grassroots=1000"],
        ["GiB", "kinds"],
    ),
    "1e6 officials": ({}, ["run", "--set", "kinds.official.count=1000000"], ["GiB"]),
    "a billion replicates": (
        {"s.yaml": TINY_SWEEP.replace("replicates: 2", "replicates: 1000000000")},
        ["sweep", "{dir}/s.yaml", "--executor", "serial"],
        ["replicates", "--force"],
    ),
    "1000^3 grid": (
        {
            "s.yaml": "method: grid\nparameters:\n  workshops.size: {min: 2, max: 1001}\n"
            "  workshops.count: {min: 0, max: 999}\n  steps: {min: 1, max: 1000}\n"
        },
        ["sweep", "{dir}/s.yaml", "--executor", "serial", "--force"],
        ["1,000,000,000 points"],
    ),
    "simplex step 0.0001": (
        {
            "s.yaml": "method: grid\nparameters:\n  workshops.mix: "
            "{simplex: {kinds: [elite, autonomous, grassroots], step: 0.0001}}\n"
        },
        ["sweep", "{dir}/s.yaml", "--executor", "serial"],
        ["simplex", "points"],
    ),
    "SALib samples 1e8": (
        {
            "s.yaml": "method: sobol\nsamples: 134217728\noutcomes: [impact]\nparameters:\n"
            "  workshops.retention: [0.0, 1.0]\n  workshops.confidentiality: [0.0, 1.0]\n"
        },
        ["sensitivity", "{dir}/s.yaml", "--executor", "serial"],
        ["samples"],
    ),
    "random run_cap 1e11": (
        {"s.yaml": "method: random\nrun_cap: 100000000000\nparameters:\n  workshops.retention: {min: 0.0, max: 1.0}\n"},
        ["sweep", "{dir}/s.yaml", "--executor", "serial"],
        ["run_cap"],
    ),
    "programmes x a billion replicates": (
        {
            "p.yaml": "replicates: 1000000000\nprogrammes:\n  A: {overrides: {workshops.count: 1}}\n"
            "  B: {overrides: {workshops.count: 2}}\n"
        },
        ["compare", "{dir}/p.yaml", "--executor", "serial"],
        ["replicates"],
    ),
    "--scheduler not an address": (
        {"s.yaml": TINY_SWEEP},
        ["sweep", "{dir}/s.yaml", "--executor", "dask", "--scheduler", "not an address"],
        ["--scheduler"],
    ),
    "--scheduler nobody at": (
        {"s.yaml": TINY_SWEEP},
        ["sweep", "{dir}/s.yaml", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"],
        ["--scheduler"],
    ),
    "--workers 0": ({"s.yaml": TINY_SWEEP}, ["sweep", "{dir}/s.yaml", "--workers", "0"], ["--workers"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_bad_input_gets_one_line_and_exit_2(tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    files, args, fragments = CASES[case]
    if case == "--scheduler nobody at":  # nobody answers: 2 s of retries tell it as well as the command's 30
        import dask.distributed

        real = dask.distributed.Client
        monkeypatch.setattr(dask.distributed, "Client", lambda address, **kw: real(address, **{**kw, "timeout": "2s"}))
    for name, text in files.items():
        write(tmp_path, name, text)
    args = [a.replace("{dir}", str(tmp_path)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    outcome = tracktwo(*args)
    assert outcome.code == 2, (outcome.code, outcome.stderr[-2000:])
    assert_contract(outcome, *fragments)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def corrupt(transform: Callable[[bytes], bytes], path: Path) -> None:
    path.write_bytes(transform(path.read_bytes()))


@pytest.mark.parametrize("command", ["plot", "report", "discover"])
def test_a_truncated_runs_table_is_one_line(finished_sweep: Path, tmp_path: Path, command: str) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(finished_sweep / "out", copy)
    corrupt(lambda data: data[: len(data) // 2], copy / "runs.parquet")
    extra = ["--outcome", "impact", "--above", "1"] if command == "discover" else []
    outcome = tracktwo(command, copy, *extra)
    assert outcome.code == 2
    assert_contract(outcome, "runs.parquet", "damaged")


def test_a_corrupt_store_on_resume_is_one_line_and_is_kept(finished_sweep: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(finished_sweep / "out", copy)
    (copy / "sweep.sqlite").write_bytes(b"not a database" * 64)
    before = folder_snapshot(copy)
    outcome = tracktwo("sweep", finished_sweep / "tiny.yaml", "--executor", "serial", "--out", copy, "--resume")
    assert outcome.code == 2
    assert_contract(outcome, "sweep.sqlite", "--overwrite")
    assert folder_snapshot(copy) == before


def test_an_existing_sweep_is_never_touched_by_another_without_a_flag(finished_sweep: Path) -> None:
    before = folder_snapshot(finished_sweep / "out")
    other = write(finished_sweep, "other.yaml", TINY_SWEEP.replace("[6, 10]", "[6, 12]"))
    for flags in ([], ["--resume"]):
        outcome = tracktwo("sweep", other, "--executor", "serial", "--out", finished_sweep / "out", *flags)
        assert outcome.code == 2
        assert_contract(outcome)
    assert folder_snapshot(finished_sweep / "out") == before


def test_a_sweep_whose_every_run_fails_prints_its_failures_and_exits_1(tmp_path: Path) -> None:
    write(tmp_path, "bad_nodes.csv", "id,kind,side\na,spy,1\nb,official,2\n")
    write(tmp_path, "bad_edges.csv", "source,target\na,b\n")
    sweep = write(
        tmp_path,
        "s.yaml",
        TINY_SWEEP.replace(
            "  workshops.size: {values: [6, 10]}", "  network.type: {value: map}\n  network.map: {value: bad_nodes.csv}"
        ),
    )
    outcome = tracktwo("sweep", sweep, "--executor", "serial", "--out", tmp_path / "out", "--no-progress")
    assert outcome.code == 1
    assert "2 of 2 runs failed" in outcome.stderr and "unknown kind 'spy'" in outcome.stderr
    assert outcome.stderr.strip().splitlines()[-1].startswith("tracktwo sweep: error: none of the 2 runs finished")
    assert "Traceback" not in outcome.stderr


def test_a_suspect_actor_map_is_named_row_by_row(tmp_path: Path) -> None:
    write(tmp_path, "m_nodes.csv", "id,kind,side\na,official,1\nb,elite,1\nc,elite,2\nd,elite,2\n")
    write(tmp_path, "m_edges.csv", "source,target\na,a\na,b\nb,a\nb,c\nc,d\nd,c\n")
    outcome = tracktwo(
        "run", "--set", "network.type=map", "--set", f"network.map={tmp_path / 'm_nodes.csv'}",
        "--steps", "3", "--set", "workshops.size=2", "--set", "transfer.sides_without_officials=not_needed",
        "--out", tmp_path / "out",
    )  # fmt: skip
    assert outcome.code == 0, outcome.stderr
    warnings = [line for line in outcome.stderr.splitlines() if "warning" in line]
    assert any("self-loop" in w and "rows 2" in w for w in warnings), warnings
    assert any("repeated tie" in w and "rows 4, 7" in w for w in warnings), warnings
    assert not any("officials" in w for w in warnings), warnings  # side 2 was declared not to need them
    write(tmp_path, "one_nodes.csv", "id,kind,side\na,official,1\nb,elite,1\n")
    write(tmp_path, "one_edges.csv", "source,target\na,b\n")
    outcome = tracktwo(
        "run", "--set", "network.type=map", "--set", f"network.map={tmp_path / 'one_nodes.csv'}",
        "--steps", "2", "--set", "workshops.size=2", "--out", tmp_path / "out2",
    )  # fmt: skip
    assert any("one side" in line for line in outcome.stderr.splitlines()), outcome.stderr


def test_a_suspect_map_swept_over_or_named_by_a_programme_is_warned_about_too(tmp_path: Path) -> None:
    write(tmp_path, "m_nodes.csv", "id,kind,side\na,official,1\nb,elite,1\nc,official,2\nd,elite,2\n")
    write(tmp_path, "m_edges.csv", "source,target\na,a\na,b\nb,c\nc,d\n")
    sweep = write(
        tmp_path,
        "s.yaml",
        "method: grid\nsteps: 2\nparameters:\n  network.type: {value: map}\n"
        "  network.map: {values: [m_nodes.csv]}\n  workshops.size: {value: 2}\n",
    )
    swept = tracktwo("sweep", sweep, "--executor", "serial", "--no-progress", "--no-plot", "--out", tmp_path / "o")
    assert swept.code == 0, swept.stderr
    assert [line for line in swept.stderr.splitlines() if "self-loop" in line and "rows 2" in line], swept.stderr
    programmes = write(
        tmp_path,
        "p.yaml",
        "steps: 2\nreplicates: 2\nprogrammes:\n  on the map:\n    overrides: {network.type: map, network.map: "
        "m_nodes.csv, workshops.size: 2}\n  synthetic: {overrides: {workshops.size: 4}}\n",
    )
    compared = tracktwo("compare", programmes, "--executor", "serial", "--no-progress", "--out", tmp_path / "c")
    assert compared.code == 0, compared.stderr
    assert [line for line in compared.stderr.splitlines() if "self-loop" in line], compared.stderr


def test_the_app_on_a_taken_port_exits_2_and_warns_off_localhost() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        outcome = tracktwo_process("app", "--port", port, timeout=60)
        assert outcome.code == 2
        assert_contract(outcome, "--port", str(port), "in use")
        exposed = tracktwo_process("app", "--port", port, "--host", "0.0.0.0", timeout=60)
    assert "warning: --host 0.0.0.0 serves the app to other machines" in exposed.stderr
    assert exposed.code == 2 and "in use" in exposed.stderr  # the port is taken on every interface too


@pytest.mark.slow
def test_a_full_disk_is_one_line_and_the_earlier_results_stay(tmp_path: Path) -> None:
    """A file-size limit makes every write past 4 KB fail as a full disk does (EFBIG instead of ENOSPC)."""
    import resource

    out = tmp_path / "out"
    first = tracktwo_process("run", "--steps", "6", "--out", out)
    assert first.code == 0, first.stderr
    before = folder_snapshot(out)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    full = tracktwo_process("run", "--steps", "6", "--seed", "2", "--out", out, preexec_fn=small_files)
    assert full.code == 1 and "Traceback" not in full.stderr, full.stderr[-2000:]
    assert len(full.errors) == 1 and "File too large" in full.errors[0], full.stderr
    assert folder_snapshot(out) == before  # atomic writes: the old files are whole


@pytest.mark.slow
def test_real_processes_exit_2_without_a_traceback(tmp_path: Path) -> None:
    """The in-process cases above, a few as real processes: the exit code a shell sees."""
    write(tmp_path, "c.yaml", b"steps: \xff\n")
    for args in (["run", tmp_path / "c.yaml"], ["run", "--seed", "-1"], ["run", "--out", "/proc/x"]):
        outcome = tracktwo_process(*args, "--steps", "2") if "--steps" not in args else tracktwo_process(*args)
        assert outcome.code == 2
        assert_contract(outcome)


@pytest.mark.slow
def test_a_folder_in_use_is_refused_and_a_killed_holder_frees_it(tmp_path: Path) -> None:
    """--resume and --overwrite refuse a folder a running sweep holds, naming it; kill -9 of it frees the folder."""
    import os
    import signal
    import subprocess
    import sys
    import time

    long_sweep = TINY_SWEEP.replace("replicates: 2", "replicates: 100").replace("steps: 6", "steps: 24")
    sweep = write(tmp_path, "long.yaml", long_sweep)
    out = tmp_path / "out"
    running = subprocess.Popen(
        [sys.executable, "-m", "tracktwo", "sweep", str(sweep), "--executor", "serial", "--out", str(out),
         "--no-progress", "--no-plot"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while f'"pid": {running.pid}' not in _text(out / ".tracktwo.lock") and time.monotonic() < deadline:
            time.sleep(0.2)
        for flag in ("--resume", "--overwrite"):
            busy = tracktwo("sweep", sweep, "--executor", "serial", "--out", out, flag, "--no-progress")
            assert busy.code == 2
            assert_contract(busy, "in use by", f"pid {running.pid}")
        assert (out / "sweep.sqlite").exists()  # --overwrite deleted nothing under the running sweep
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait()
    resumed = tracktwo("sweep", sweep, "--executor", "serial", "--out", out, "--resume", "--no-progress", "--no-plot")
    assert resumed.code == 0, resumed.stderr
    assert "200 runs (0 failed" in resumed.stdout, resumed.stdout


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
