"""Bad input gets one clear message naming the field, the value and what is allowed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import yaml
from cli_harness import tracktwo
from tracktwo.experiments.design.config import DEFAULT_CONFIG, defaults_yaml, load_params
from tracktwo.model import ConfigError, Params, TrackTwoModel, make_params, simulate


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"workshops.size": "twelve"}, ["workshops.size", "integer", "twelve"]),
        ({"workshops.confidentiality": 1.5}, ["workshops.confidentiality", "less than or equal to 1", "1.5"]),
        ({"steps": -3}, ["steps", "greater than or equal to 1", "-3"]),
        ({"mode": "track3"}, ["mode", "track2", "backchannel", "track3"]),
        ({"workshops.mix": {"elite": 0.6, "autonomous": 0.6}}, ["workshops.mix", "sum to 1"]),
        ({"workshops.mix": {"elite": 0.5, "clergy": 0.5}}, ["workshops.mix", "clergy", "known kinds"]),
        ({"workshops.sise": 12}, ["workshops.sise", "unknown parameter", "size"]),
        ({"colour": "red"}, ["colour", "unknown parameter", "workshops"]),
        ({"kinds.elite.autonomy": {"mean": 0.5, "sd": 0.6}}, ["kinds.elite.autonomy.sd", "0.5"]),
        ({"kinds.elite.autonomy": {"mean": 0.1, "sd": 0.4}}, ["kinds.elite.autonomy", "too large"]),
        ({"kinds.clergy": {"behaviour": "priest", "count": 3}}, ["kinds.clergy.behaviour", "official", "priest"]),
        ({"ripeness.windows": [[20, 10]]}, ["ripeness.windows", "start < end"]),
        ({"network.type": "map"}, ["network", "network.map"]),
        ({"diffusion.advocacy_span": 0}, ["diffusion.advocacy_span", "greater than or equal to 1"]),
    ],
)
def test_bad_parameters_get_one_clear_message(overrides, fragments):
    with pytest.raises(ConfigError) as caught:
        make_params(overrides)
    message = str(caught.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_defaults_file_is_the_declared_defaults():
    assert yaml.safe_load(DEFAULT_CONFIG.read_text()) == Params().model_dump(mode="json")
    assert DEFAULT_CONFIG.read_text() == defaults_yaml()


def test_overrides_merge_and_new_kinds_inherit_their_behaviour():
    params = make_params({"kinds.elite.count": 3, "kinds.women_cso": {"behaviour": "grassroots", "count": 4}})
    assert params.kinds["elite"].count == 3 and params.kinds["official"].count == 20
    assert params.kinds["women_cso"].autonomy == params.kinds["grassroots"].autonomy
    assert "grassroots" not in make_params({"kinds.grassroots": None}).kinds


def test_malformed_and_missing_config_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("workshops: [size: 3\n")
    with pytest.raises(ConfigError, match="not valid YAML at line"):
        load_params(bad)
    with pytest.raises(ConfigError, match="file not found"):
        load_params(tmp_path / "nope.yaml")
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ConfigError, match="must hold a mapping"):
        load_params(scalar)


# Actor maps ------------------------------------------------------------------------------------


def _write_csv_map(folder: Path, kinds: list[str], extra_edge: tuple[str, str] | None = None) -> Path:
    nodes = folder / "actors.csv"
    rows = ["id,kind,side,gender,standing"]
    rows += [
        f"a{i},{kind},{'North' if i % 2 else 'South'},{'f' if i % 3 == 0 else 'm'},{0.5 if kind == 'elite' else ''}"
        for i, kind in enumerate(kinds)
    ]
    nodes.write_text("\n".join(rows) + "\n")
    edges = [(f"a{i}", f"a{i + 1}") for i in range(len(kinds) - 1)] + ([extra_edge] if extra_edge else [])
    (folder / "actors_edges.csv").write_text("source,target\n" + "\n".join(f"{a},{b}" for a, b in edges) + "\n")
    return nodes


KINDS = ["official"] * 8 + ["elite"] * 6 + ["autonomous"] * 6 + ["grassroots"] * 10


def test_csv_actor_map_loads_with_attributes(tmp_path):
    nodes = _write_csv_map(tmp_path, KINDS)
    model = TrackTwoModel({"network.type": "map", "network.map": str(nodes)}, seed=1)
    assert model.n_actors == 30 and model.n_sides == 2
    assert model.population.side_labels == ["North", "South"]
    assert model.ties.nnz == 2 * 29
    elites = np.flatnonzero(model.kind_of == "elite")
    assert np.allclose(model.standing[elites], 0.5)  # the map's own standing wins over the kind's distribution
    assert model.population.extra["gender"][0] == "f"


def test_graphml_actor_map_loads(tmp_path):
    graph = nx.path_graph(len(KINDS))
    for i, kind in enumerate(KINDS):
        graph.nodes[i].update(kind=kind, side=str(i % 2))
    path = tmp_path / "map.graphml"
    nx.write_graphml(graph, path)
    model = TrackTwoModel({"network.type": "map", "network.map": str(path)}, seed=2)
    assert model.n_actors == 30 and model.ties.nnz == 58
    model.run()


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda d: d / "missing.csv", "file not found"),
        (lambda d: _write_csv_map(d, ["official", "bishop", "elite"]), "unknown kind 'bishop'"),
        (lambda d: _write_csv_map(d, ["official", "elite"], ("a0", "zz")), "names an actor not in the map"),
        (lambda d: (d / "broken.graphml").write_text("<graphml><node") and d / "broken.graphml", "not valid GraphML"),
        (lambda d: (d / "lonely.csv").write_text("id,kind,side\na,official,1\n") and d / "lonely.csv", "no edges file"),
        (
            lambda d: (
                (d / "n.csv").write_text("id,kind\na,official\n")
                and (d / "n_edges.csv").write_text("source,target\n")
                and d / "n.csv"
            ),
            "has no 'side'",
        ),
    ],
)
def test_bad_actor_maps_get_clear_errors(tmp_path, setup, fragment):
    path = setup(tmp_path)
    with pytest.raises(ConfigError, match=fragment):
        TrackTwoModel({"network.type": "map", "network.map": str(path)}, seed=1)


def test_cli_bad_input_exits_2_with_one_line_and_keeps_earlier_output(tmp_path):
    """Each bad input: exit 2, one line, and the earlier run's files unchanged. In this process (each command
    started afresh costs seconds of imports), but for one real process: the exit code and stderr a shell sees."""
    out = tmp_path / "out"
    ok = tracktwo("run", "--steps", "24", "--out", out)
    assert ok.code == 0, ok.stderr
    before = (out / "summary.json").read_bytes()
    for args in (
        ["--set", "workshops.size=abc"],
        ["--set", "nonsense"],
        ["--seed", "x"],
        [str(tmp_path / "none.yaml")],
    ):
        bad = tracktwo("run", "--out", out, *args)
        assert bad.code == 2, (args, bad.stderr)
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr, bad.stderr
    real = subprocess.run(
        [sys.executable, "-m", "tracktwo", "run", "--out", str(out), "--seed", "x"], capture_output=True, text=True
    )
    assert real.returncode == 2 and len(real.stderr.strip().splitlines()) == 1, real.stderr
    assert "Traceback" not in real.stderr, real.stderr
    assert (out / "summary.json").read_bytes() == before


def test_shipped_example_map_config_runs():
    params = load_params(Path(__file__).resolve().parents[3] / "configs" / "map_example.yaml")
    result = simulate(params, 1)
    assert result.model.n_actors == 80 and "participant_share_gender_f" in result.outcomes
