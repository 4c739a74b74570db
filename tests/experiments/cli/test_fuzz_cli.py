"""Property-based fuzzing of the command line and of the Python API's entry points: configs, --set values,
sweep files, programmes, constraints and actor maps, valid and invalid. The contract: exit 0, or exit 2 with
one line under 300 characters, never a traceback, never a change to results already written; in Python,
a result or `tracktwo.ConfigError` with one line, never another exception.

Budget: the `ci` profile (default) tries a few dozen inputs per property; TRACKTWO_FUZZ=long (or
TRACKTWO_FUZZ_EXAMPLES=N) runs the long search: `TRACKTWO_FUZZ=long pytest tests/experiments/cli/test_fuzz_cli.py`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml
from cli_harness import ROOT, assert_contract, folder_snapshot, tracktwo
from fuzz_budget import LONG_INTEGER_DIGITS, LONG_INTEGER_TEXTS, fuzz_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from tracktwo.model import default_params_dict

import tracktwo as api

settings.register_profile("tracktwo-cli-fuzz", fuzz_settings(ci_examples=12))
settings.load_profile("tracktwo-cli-fuzz")


def _dotted(tree: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in tree.items():
        keys.append(prefix + key)
        if isinstance(value, dict):
            keys += _dotted(value, f"{prefix}{key}.")
    return keys


DOTTED_KEYS = _dotted(default_params_dict())

# Values a careless or hostile user types: small and huge numbers, booleans, text, YAML syntax, nesting.
scalars = st.one_of(
    st.integers(-3, 40),
    st.sampled_from([0, 1, 2, 10**6, 10**9, 2**63, -(2**63), 10**26]),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([0.0, 0.5, 1.0, 1.5, -0.1, 1e-300, 1e300]),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["track2", "map", "sbm", "erdos_renyi", "fixed", "off", "accept", "elite", "official"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)
keys = st.one_of(st.sampled_from(DOTTED_KEYS), st.text(min_size=1, max_size=20))
raw_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["&a [*a]", "[1, 2", "{a: 1, a: 2}", "!!python/object:os.system 1", "'", "- - -", "~", ".nan"]),
    st.sampled_from(LONG_INTEGER_TEXTS),
)


def _yaml(value: object) -> str:
    try:
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return str(value)


@pytest.fixture(scope="module")
def previous_run(tmp_path_factory) -> Path:
    """A run's folder written before the fuzzing: every bad input must leave it as it was."""
    out = tmp_path_factory.mktemp("fuzz") / "run"
    first = tracktwo("run", "--steps", "4", "--out", out)
    assert first.code == 0, first.stderr
    return out


def _run_into(out: Path, *args: str | Path) -> None:
    """`tracktwo run ARGS` into an existing run's folder: an error keeps the folder; success replaces it whole."""
    before = folder_snapshot(out)
    outcome = tracktwo("run", *args, "--out", out)
    assert_contract(outcome)
    if outcome.code != 0:
        assert folder_snapshot(out) == before


@given(config=st.dictionaries(keys, values, max_size=4))
def test_fuzz_config_files(previous_run, config: dict) -> None:
    out = previous_run
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_text(_yaml(config), encoding="utf-8")
        _run_into(out, path, "--steps", "2")


@given(
    pairs=st.lists(
        st.tuples(keys, st.one_of(values.map(lambda v: _yaml(v).strip()), raw_text)).map(lambda kv: f"{kv[0]}={kv[1]}")
        | raw_text,
        min_size=1,
        max_size=3,
    )
)
def test_fuzz_set_values(previous_run, pairs: list[str]) -> None:
    out = previous_run
    args = [item for pair in pairs for item in ("--set", pair)]
    if not any(p.startswith("steps=") for p in pairs):
        args += ["--steps", "2"]
    _run_into(out, *args)


@given(raw=st.binary(max_size=200) | raw_text.map(str.encode))
def test_fuzz_raw_config_bytes(previous_run, raw: bytes) -> None:
    out = previous_run
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.yaml"
        path.write_bytes(raw)
        _run_into(out, path, "--steps", "2")


parameter_specs = st.one_of(
    st.fixed_dictionaries({"values": st.lists(scalars, min_size=0, max_size=3)}),
    st.fixed_dictionaries({"value": scalars}),
    st.fixed_dictionaries({"min": scalars, "max": scalars}),
    st.fixed_dictionaries({"min": scalars, "max": scalars, "q": scalars, "distribution": st.just("q_uniform")}),
    st.fixed_dictionaries(
        {
            "simplex": st.fixed_dictionaries(
                {"kinds": st.lists(st.sampled_from(["elite", "autonomous", "x"])), "step": scalars}
            )
        }
    ),
    values,
)
sweep_files = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["grid", "grid", "random", "bayes", "nope"]),
        "parameters": st.dictionaries(
            st.sampled_from([*DOTTED_KEYS, "workshops.mix", "nonsense.key"]), parameter_specs, max_size=2
        ),
    },
    optional={
        "replicates": st.one_of(st.integers(-1, 2), scalars),
        "run_cap": st.one_of(st.integers(0, 4), scalars),
        "seed": scalars,
        "metric": st.one_of(st.fixed_dictionaries({"name": st.sampled_from(["impact", "nope"])}), values),
        "derived": st.dictionaries(st.sampled_from(DOTTED_KEYS), st.text(max_size=20), max_size=1),
        "timeseries": scalars,
        "name": st.one_of(st.text(max_size=10), scalars),
        "base": st.one_of(st.just("../nowhere.yaml"), scalars),
    },
)


@pytest.fixture(scope="module")
def previous_sweep(tmp_path_factory) -> Path:
    """A finished sweep's folder: generated sweeps aimed at it must leave it as it was (or finish it, unchanged)."""
    folder = tmp_path_factory.mktemp("fuzzsweep")
    (folder / "s.yaml").write_text(
        "method: grid\nsteps: 3\nreplicates: 2\nparameters:\n  workshops.size: {values: [4, 6]}\n", encoding="utf-8"
    )
    outcome = tracktwo("sweep", folder / "s.yaml", "--executor", "serial", "--out", folder / "out", "--no-progress")
    assert outcome.code == 0, outcome.stderr
    return folder / "out"


@given(sweep=sweep_files, into_existing=st.booleans(), resume=st.booleans())
def test_fuzz_sweep_files(previous_sweep: Path, sweep: dict, into_existing: bool, resume: bool) -> None:
    sweep = {**sweep, "steps": 2}
    if isinstance(sweep.get("replicates"), int) and not isinstance(sweep["replicates"], bool):
        sweep["replicates"] = min(sweep["replicates"], 2)  # valid sizes stay quick; invalid ones are still tried
    before = folder_snapshot(previous_sweep)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweep.yaml"
        path.write_text(_yaml(sweep), encoding="utf-8")
        out = previous_sweep if into_existing else Path(folder) / "out"
        flags = ["--resume"] if resume else []
        outcome = tracktwo("sweep", path, "--executor", "serial", "--no-progress", "--no-plot", "--out", out, *flags)
    assert_contract(outcome, allow_failed_runs=True)
    assert folder_snapshot(previous_sweep) == before


programmes_files = st.fixed_dictionaries(
    {
        "programmes": st.one_of(
            st.dictionaries(
                st.text(min_size=1, max_size=8),
                st.one_of(st.fixed_dictionaries({"overrides": st.dictionaries(keys, values, max_size=2)}), values),
                max_size=3,
            ),
            values,
        )
    },
    optional={
        "replicates": st.one_of(st.integers(0, 3), scalars),
        "rank_by": st.sampled_from(["impact", "nope", 3]),
        "baseline": st.text(max_size=5),
        "seed": scalars,
    },
)


@given(programmes=programmes_files)
def test_fuzz_programmes(programmes: dict) -> None:
    programmes = {**programmes, "steps": 2}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programmes.yaml"
        path.write_text(_yaml(programmes), encoding="utf-8")
        outcome = tracktwo(
            "compare", path, "--executor", "serial", "--no-progress", "--no-plot", "--out", Path(folder) / "out"
        )
    assert_contract(outcome, allow_failed_runs=True)


constraints_files = st.dictionaries(
    st.sampled_from(["min_side_share", "quotas", "eligible_kinds", "max_per_side", "nope"]),
    st.one_of(
        values,
        st.lists(
            st.fixed_dictionaries(
                {"attribute": st.sampled_from(["gender", "behaviour", "side", "nope"]), "value": scalars},
                optional={"min_share": scalars, "min_count": scalars, "max_count": scalars},
            ),
            max_size=2,
        ),
    ),
    max_size=3,
)


@given(constraints=constraints_files, seats=st.integers(-1, 90))
def test_fuzz_selection_constraints(constraints: dict, seats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "constraints.yaml"
        path.write_text(_yaml(constraints), encoding="utf-8")
        shown_seats = str(min(seats, 3) if seats > 0 else seats)
        outcome = tracktwo(
            "select", ROOT / "configs" / "maps" / "example_nodes.csv", "--seats", shown_seats,
            "--constraints", path, "--replicates", "2", "--swap-passes", "0", "--executor", "serial",
            "--set", "steps=2", "--out", Path(folder) / "out",
        )  # fmt: skip
    assert_contract(outcome)


ids = st.sampled_from(["a", "b", "c", "d", "", "a "])
actor_rows = st.lists(
    st.fixed_dictionaries(
        {
            "id": ids,
            "kind": st.sampled_from(["official", "elite", "autonomous", "grassroots", "spy", ""]),
            "side": st.sampled_from(["1", "2", "", "3"]),
        },
        optional={"autonomy": st.sampled_from(["0.5", "2", "x", ""])},
    ),
    min_size=0,
    max_size=5,
)


@given(actors=actor_rows, ties=st.lists(st.tuples(ids, ids), max_size=6))
def test_fuzz_actor_maps(actors: list[dict], ties: list[tuple[str, str]]) -> None:
    columns = ["id", "kind", "side", "autonomy"]
    with tempfile.TemporaryDirectory() as folder:
        nodes = Path(folder) / "map_nodes.csv"
        nodes.write_text(
            "\n".join([",".join(columns), *(",".join(row.get(c, "") for c in columns) for row in actors)]) + "\n",
            encoding="utf-8",
        )
        (Path(folder) / "map_edges.csv").write_text(
            "\n".join(["source,target", *(f"{a},{b}" for a, b in ties)]) + "\n", encoding="utf-8"
        )
        outcome = tracktwo(
            "run", "--set", "network.type=map", "--set", f"network.map={nodes}", "--set", "workshops.size=2",
            "--steps", "2", "--out", Path(folder) / "out",
        )  # fmt: skip
    assert_contract(outcome)


@pytest.mark.parametrize("text", LONG_INTEGER_TEXTS, ids=["100k nines", "negative", "power of ten", "in a list"])
def test_long_integers_are_one_line(previous_run: Path, tmp_path: Path, text: str) -> None:
    """Past Python's 4,300-digit limit, in --set, a config file and a sweep file: exit 2 with one line."""
    _run_into(previous_run, "--set", f"workshops.size={text}", "--steps", "2")
    assert tracktwo("run", "--set", f"workshops.size={text}", "--out", tmp_path / "a").code == 2
    config = tmp_path / "config.yaml"
    config.write_text(f"workshops:\n  size: {text}\n", encoding="utf-8")
    outcome = tracktwo("run", config, "--steps", "2", "--out", tmp_path / "b")
    assert_contract(outcome, str(config))
    assert outcome.code == 2
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(f"method: grid\nparameters:\n  workshops.size: {{values: [{text}]}}\n", encoding="utf-8")
    outcome = tracktwo("sweep", sweep, "--executor", "serial", "--no-progress", "--out", tmp_path / "c")
    assert_contract(outcome, "sweep")
    assert outcome.code == 2
    assert not (tmp_path / "a").exists() and not (tmp_path / "c" / "runs.parquet").exists()


# The Python API's entry points: the same inputs as mappings and keyword arguments ------------------------

long_integers = st.sampled_from(LONG_INTEGER_DIGITS).map(lambda digits: -(10**digits) if digits % 2 else 10**digits)
api_values = st.recursive(
    st.one_of(scalars, long_integers),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _api_contract(call) -> object:
    """A result, or ConfigError with one line under 300 characters; any other exception fails the property."""
    try:
        return call()
    except api.ConfigError as error:
        message = str(error)
        assert message and "\n" not in message and len(message) < 300, message
        return None


@given(config=st.dictionaries(keys, api_values, max_size=3), overrides=st.dictionaries(keys, api_values, max_size=2))
def test_fuzz_api_run(config: dict, overrides: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _api_contract(lambda: api.run(config, set=overrides, steps=2, out=Path(folder) / "run"))


@given(pairs=st.lists(st.text(max_size=30) | raw_text, max_size=3))
def test_fuzz_api_run_set_texts(pairs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _api_contract(lambda: api.run(set=pairs, steps=2, out=Path(folder) / "run"))


@given(sweep=sweep_files, resume=st.booleans())
def test_fuzz_api_sweep(sweep: dict, resume: bool) -> None:
    sweep = {**sweep, "steps": 2}
    if isinstance(sweep.get("replicates"), int) and not isinstance(sweep["replicates"], bool):
        sweep["replicates"] = min(sweep["replicates"], 2)
    with tempfile.TemporaryDirectory() as folder:
        _api_contract(
            lambda: api.sweep(
                sweep, executor="serial", progress=False, plot=False, resume=resume, out=Path(folder) / "out"
            )
        )


@given(programmes=programmes_files)
def test_fuzz_api_compare(programmes: dict) -> None:
    programmes = {**programmes, "steps": 2}
    with tempfile.TemporaryDirectory() as folder:
        _api_contract(lambda: api.compare(programmes, executor="serial", progress=False, out=Path(folder) / "out"))


options = st.fixed_dictionaries(
    {},
    optional={
        "executor": st.one_of(st.sampled_from(["serial", "process", "dask", "threads", ""]), scalars),
        "workers": st.one_of(st.integers(-2, 2), scalars),
        "scheduler": st.one_of(st.sampled_from(["tcp://127.0.0.1:1", "nowhere"]), scalars),
        "resume": st.booleans(),
        "overwrite": st.booleans(),
        "out": st.one_of(st.just(None), scalars),
    },
)
TINY_SWEEP = {"method": "grid", "steps": 1, "parameters": {"workshops.size": {"values": [4]}}}


@given(kwargs=options, seed=st.one_of(st.integers(-1, 3), st.just(2**32), long_integers, scalars))
def test_fuzz_api_options(kwargs: dict, seed: object) -> None:
    """Keyword arguments of every type and size: a result or one line (pools and clusters stay serial here)."""
    if kwargs.get("executor") in ("process", "dask"):
        kwargs["executor"] = "serial"  # the same checks apply; starting workers per example is too slow for CI
    with tempfile.TemporaryDirectory() as folder:
        if kwargs.get("out") is not None:
            kwargs["out"] = Path(folder) / str(kwargs["out"])[:20]
        _api_contract(lambda: api.sweep(TINY_SWEEP, progress=False, plot=False, **kwargs))
        _api_contract(lambda: api.run(seed=seed, steps=2, out=Path(folder) / "run"))
