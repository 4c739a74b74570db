"""Property-based fuzzing of the newer commands (issue 28, item 6): evaluate, compare, select, discover, report, plot
and app arguments, and results folders of every kind with damaged files.

The property is the other fuzz suites' (tests/experiments/cli/test_fuzz_cli.py): exit 0, or exit 2 with one line
under 300 characters, never a traceback, nothing already written changed; and each example within a time bound.

Budget: a few derandomized inputs per property in CI; `make fuzz` (TRACKTWO_FUZZ=long, TRACKTWO_FUZZ_EXAMPLES=N)
runs the long search. Examples are kept cheap without losing their reach: 2-month runs, 2 replicates, the serial
executor, a 27-actor cut of the example map, finished folders of every kind made once per session.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from cli_harness import ROOT, assert_contract, folder_snapshot, tracktwo
from fuzz_budget import fuzz_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from tracktwo.experiments.cli import build_parser
from tracktwo.experiments.cli.app import check_can_listen
from tracktwo.model import OUTCOMES, ConfigError

settings.register_profile("tracktwo-commands-fuzz", fuzz_settings(ci_examples=4))
settings.load_profile("tracktwo-commands-fuzz")

SECONDS_PER_EXAMPLE = 120  # the time bound of one input (a small evaluate or a report with its figures)
OUTCOME_NAMES = [*OUTCOMES, "nope", "", "impact,ideas_transferred"]
words = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["0", "-1", "1e9", "100000000", "nan", "inf", " 8", "٣", "true", "[]", "{a: 1}", "--force"]),
)
small_sets = st.sampled_from(
    [
        "steps=2",
        "steps=3",
        "workshops.count=2",
        "workshops.count=0",
        "evaluation.removed=[workshop:1]",
        "evaluation.record=true",
        "programme.events=[{format: workshop, step: 1, count: 3}]",
        "programme.events=[{format: workshop, step: 9, count: 2}]",
        "kinds.grassroots.count=100000",
        "workshops.mix={elite: 1.0}",
        "steps=abc",
        "nope=1",
    ]
)


def _timed(*args: str | Path):
    start = time.perf_counter()
    outcome = tracktwo(*args)
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_EXAMPLE, (args, elapsed)
    return outcome


@pytest.fixture(scope="module")
def kinds(tmp_path_factory) -> dict[str, Path]:
    """A small finished folder of each kind the analysis commands meet: sweep, evaluate, compare."""
    base = tmp_path_factory.mktemp("fuzzkinds")
    (base / "s.yaml").write_text(
        "name: s\nmethod: grid\nsteps: 4\nreplicates: 2\nmetric: {name: impact}\n"
        "parameters:\n  workshops.size: {values: [6, 10]}\n",
        encoding="utf-8",
    )
    (base / "p.yaml").write_text(
        "steps: 4\nreplicates: 2\nprogrammes:\n  a: {overrides: {workshops.count: 1}}\n"
        "  b: {overrides: {workshops.count: 2}}\n",
        encoding="utf-8",
    )
    made = {
        "sweep": ["sweep", base / "s.yaml"],
        "evaluate": ["evaluate", "--set", "steps=4", "--set", "workshops.count=2", "--replicates", "2"],
        "compare": ["compare", base / "p.yaml"],
        "select": ["select", _write_map(base, *SMALL_MAP), "--seats", "2", "--replicates", "2", *SELECT_OPTIONS],
    }
    for kind, args in made.items():
        done = tracktwo(*args, "--executor", "serial", "--no-progress", "--out", base / kind)
        assert done.code == 0, done.stderr
        drawn = tracktwo("report", base / kind)  # figures drawn once: a report without --redraw reuses them
        assert drawn.code == 0, drawn.stderr
    return {kind: base / kind for kind in made}


@pytest.mark.slow
@given(
    components=st.lists(
        st.sampled_from(["workshops", "routes", "formats", "events", "groups:kind", "groups:nope", "nope", ""]),
        min_size=1,
        max_size=2,
    ),
    outcomes=st.lists(st.sampled_from(OUTCOME_NAMES), min_size=1, max_size=2),
    sets=st.lists(small_sets, max_size=3),
    replicates=st.sampled_from(["1", "2", "0", "-3", "1000000", "x"]),
    orders=st.sampled_from(["1", "20", "0", "100000000", "x"]),
    existing=st.booleans(),
)
def test_fuzz_evaluate(kinds, components, outcomes, sets, replicates, orders, existing) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        if existing:
            shutil.copytree(kinds["evaluate"], out)
        before = folder_snapshot(out) if existing else {}
        args = ["evaluate", "--components", *components, "--outcomes", *outcomes, "--replicates", replicates]
        args += ["--orders", orders, *(x for s in sets for x in ("--set", s))]
        if not any(s.startswith("steps=") for s in sets):
            args += ["--set", "steps=2"]
        if not any(s.startswith(("workshops.count=", "programme.events=")) for s in sets):
            args += ["--set", "workshops.count=2"]  # a few components: each example within the time bound
        outcome = _timed(*args, "--executor", "serial", "--no-progress", "--out", out, "--overwrite")
        assert_contract(outcome, allow_failed_runs=True)
        if outcome.code != 0 and existing and "the runs are saved" not in outcome.stderr:
            assert folder_snapshot(out) == before  # (after its runs are stored, --overwrite has replaced them)


@given(
    replicates=st.sampled_from(["1", "2", "0", "1000000000", "x"]),
    baseline=st.one_of(st.none(), st.sampled_from(["a", "b", "nope", ""])),
    seed=st.one_of(st.none(), st.sampled_from(["0", "-1", "4294967296", "x", "7"])),
    sets=st.lists(small_sets, max_size=2),
    out=st.sampled_from(["fresh", "existing", "", " ", "file"]),
)
def test_fuzz_compare_arguments(kinds, replicates, baseline, seed, sets, out) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target: str | Path = Path(folder) / "out"
        if out == "existing":
            shutil.copytree(kinds["compare"], target)
        elif out == "file":
            Path(target).write_text("x", encoding="utf-8")
        elif out.strip() == "":
            target = out
        before = folder_snapshot(Path(target)) if out == "existing" else {}
        args = ["compare", kinds["compare"].parent / "p.yaml", "--replicates", replicates]
        args += [] if baseline is None else ["--baseline", baseline]
        args += [] if seed is None else ["--seed", seed]
        args += [x for s in sets for x in ("--set", s)]
        outcome = _timed(*args, "--executor", "serial", "--no-progress", "--out", target, "--overwrite")
        assert_contract(outcome, allow_failed_runs=True)
        if outcome.code != 0 and out == "existing":
            assert folder_snapshot(Path(target)) == before


map_bytes = st.one_of(
    st.binary(max_size=120),
    st.sampled_from([b"\xef\xbb\xbf", b"", b"\x00", b"id;kind;side\n", b"id\tkind\n", b"id|kind|side\n"]),
)


def _small_map() -> tuple[list[str], list[str]]:
    """Every third actor of the example map (both sides, every kind) and the ties among them: cheap selections."""
    nodes = (ROOT / "configs/maps/example_nodes.csv").read_text(encoding="utf-8").splitlines()
    kept = [nodes[0], *nodes[1::3]]
    ids = {line.split(",", 1)[0] for line in kept[1:]}
    edges = (ROOT / "configs/maps/example_edges.csv").read_text(encoding="utf-8").splitlines()
    return kept, [edges[0], *(line for line in edges[1:] if set(line.split(",")[:2]) <= ids)]


SMALL_MAP = _small_map()


SELECT_OPTIONS = ("--swap-passes", "0", "--set", "steps=4", "--config", ROOT / "configs/map_example.yaml")


def _write_map(folder: Path, nodes: list[str], edges: list[str]) -> Path:
    (folder / "m_nodes.csv").write_text("\n".join(nodes) + "\n", encoding="utf-8")
    (folder / "m_edges.csv").write_text("\n".join(edges) + "\n", encoding="utf-8")
    return folder / "m_nodes.csv"


@given(
    delimiter=st.sampled_from([",", ";", "\t", "|", " ", ":"]),
    bom=st.booleans(),
    extra_column=st.booleans(),
    junk=st.one_of(st.none(), map_bytes),
    seats=st.sampled_from(["1", "2", "0", "1000", "x"]),
)
def test_fuzz_select_maps(delimiter, bom, extra_column, junk, seats) -> None:
    source, edges = SMALL_MAP
    with tempfile.TemporaryDirectory() as folder:
        nodes = Path(folder) / "m_nodes.csv"
        text = "\n".join(line.replace(",", delimiter) for line in source) + "\n"
        data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8") + (junk or b"")
        nodes.write_bytes(data)
        edge_lines = [f"{line},x" if extra_column else line for line in edges]
        (Path(folder) / "m_edges.csv").write_text("\n".join(edge_lines) + "\n", encoding="utf-8")
        outcome = _timed(
            "select", nodes, "--seats", seats, "--replicates", "2", "--swap-passes", "0", "--set", "steps=2",
            "--config", ROOT / "configs/map_example.yaml", "--executor", "serial", "--no-progress",
            "--out", Path(folder) / "out",
        )  # fmt: skip
        assert_contract(outcome)


DAMAGE_FILES = ["manifest.json", "runs.parquet", "evaluation.csv", "evaluation.json", "comparison.csv",
                "summary.json", "figures/figures.json", "sensitivity.json", "report.html", "invitations.csv",
                "runs.csv", "evaluation_totals.csv"]  # fmt: skip
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)
damages = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("bytes"), st.binary(max_size=64)),
    st.tuples(st.just("json"), json_values),
    st.tuples(st.just("sweep"), json_values),
    st.tuples(st.just("delete"), st.none()),
    st.tuples(st.just("folder"), st.none()),
)
WRITTEN_BY_READERS = ("report.html", "figures/", "scenarios_")


def _damage(folder: Path, name: str, damage: tuple) -> None:
    path = folder / name
    how, value = damage
    path.parent.mkdir(parents=True, exist_ok=True)
    if how == "truncate" and path.is_file():
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * value)])
    elif how == "bytes" and not path.is_dir():
        path.write_bytes(value)
    elif how == "json" and not path.is_dir():
        path.write_text(json.dumps(value), encoding="utf-8")
    elif how == "sweep" and (folder / "manifest.json").is_file():
        try:  # an earlier damage may have made it something else already
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            manifest["sweep"][name.split(".")[0]] = value
        except (ValueError, KeyError, TypeError, IndexError):
            return
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif how == "delete" and path.is_file():
        path.unlink()
    elif how == "folder":
        if path.is_file():
            path.unlink()
        path.mkdir(parents=True, exist_ok=True)


discover_options = st.lists(
    st.sampled_from(
        [("--method", "prim"), ("--method", "cart"), ("--method", "x"), ("--boxes", "2"), ("--boxes", "0"),
         ("--boxes", "-1"), ("--boxes", "1000000"), ("--boxes", "x"), ("--min-density", "0.5"),
         ("--min-density", "0"), ("--min-density", "1.5"), ("--min-density", "nan"), ("--min-density", "x")]
    ),
    max_size=2,
)  # fmt: skip
plot_outcomes = st.one_of(
    st.lists(st.sampled_from([*OUTCOME_NAMES, "all", "seed", "point", "replicate"]), max_size=3).map(",".join),
    words,
)


@pytest.mark.parametrize("command", ["report", "plot", "discover"])
@given(
    kind=st.sampled_from(["sweep", "evaluate", "compare", "select"]),
    damaged=st.lists(st.tuples(st.sampled_from(DAMAGE_FILES), damages), max_size=2),
    outcome_name=st.sampled_from(OUTCOME_NAMES),
    threshold=st.sampled_from(["0.5", "0", "-1e300", "nan", "inf", "x"]),
    side=st.sampled_from(["--above", "--below"]),
    options=discover_options,
    outcomes=st.one_of(st.none(), plot_outcomes),
    redraw=st.sampled_from([False, False, False, True]),  # drawing is the slow part
)
def test_fuzz_readers_on_damaged_folders(
    kinds, command, kind, damaged, outcome_name, threshold, side, options, outcomes, redraw
) -> None:
    """report, plot and discover on a folder of each kind, damaged or not, with their options fuzzed."""
    with tempfile.TemporaryDirectory() as parent:
        folder = Path(parent) / kind
        shutil.copytree(kinds[kind], folder)
        for name, damage in damaged:
            _damage(folder, name, damage)
        before = folder_snapshot(folder) if folder.is_dir() else {}
        if command == "discover":
            args = [command, folder, "--outcome", outcome_name, side, threshold, *(x for o in options for x in o)]
        elif command == "plot":
            args = [command, folder, *([] if outcomes is None else ["--outcomes", outcomes])]
        else:
            args = [command, folder, *(["--redraw"] if redraw else [])]
        outcome = _timed(*args)
        assert_contract(outcome)
        after = folder_snapshot(folder) if folder.is_dir() else {}
        if outcome.code != 0:
            assert after == before
        else:  # a reader adds its own files; what was there before is unchanged
            kept = {k: v for k, v in before.items() if not k.startswith(WRITTEN_BY_READERS)}
            assert {k: after.get(k) for k in kept} == kept


@given(
    port=st.one_of(st.integers(-5, 70000).map(str), words),
    host=st.one_of(st.sampled_from(["127.0.0.1", "localhost", "::1", "bogus.invalid", "", " ", "0.0.0.0"]), words),
)
def test_fuzz_app_arguments(port: str, host: str) -> None:
    """app's port and host: refused in one line, or accepted (checked without starting the server)."""
    argv = ["app", "--port", port, "--host", host]
    try:
        args = build_parser(argv).parse_args(argv)
    except SystemExit as stop:
        assert stop.code == 2
        return
    try:
        check_can_listen(args.host, args.port)
    except ConfigError as error:
        assert "\n" not in str(error) and len(str(error)) < 280
