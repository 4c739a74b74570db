"""A theory of change, tested link by link: contribution analysis (Mayne) on common random numbers.

A theory file (YAML) names the programme's activities and intermediate outcomes (nodes) and the
links between them (cause -> consequence). Each node that is a cause says how to knock it out
(`knockout`: components removed and/or parameters set); each node that is a consequence names
the model outcome that measures it. For each link the programme runs with and without its cause
on the same seeds, and the change in the consequence when the cause is knocked out is tested:

- *supported*: the consequence moves in the direction the link claims (a positive link: it falls
  without its cause), after the correction across the links;
- *contradicted*: it moves the other way (corrected), or it is equivalent to no change within the
  margin (two one-sided tests, corrected): the link claims an effect the runs do not show;
- *unsupported*: neither (the evidence is too thin to say).

Example (configs/theory/ngo_programme.yaml)::

    name: NGO programme on the example map
    nodes:
      trainings: {label: Capacity-building trainings, knockout: {removes: [format:training]}}
      uptake_1_5: {label: Uptake in Track 1.5, outcome: transfers_track_1_5,
                   knockout: {removes: ["route:via_track_1_5"]}}
      track_one: {label: Ideas that entered Track One, outcome: ideas_transferred}
    links:
      - {from: trainings, to: uptake_1_5}
      - {from: uptake_1_5, to: track_one}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from tracktwo.experiments.analysis import evaluation
from tracktwo.experiments.analysis.evaluation import Rule, plain
from tracktwo.experiments.messages import OptionError
from tracktwo.model import OUTCOMES, ConfigError

__all__ = [
    "CONTRADICTED",
    "FINDINGS",
    "SUPPORTED",
    "UNSUPPORTED",
    "Link",
    "Node",
    "Theory",
    "attach",
    "check_knockouts",
    "conclude",
    "knockout_points",
    "load_theory",
    "story",
    "test_links",
    "write",
]

SUPPORTED, CONTRADICTED, UNSUPPORTED = "supported", "contradicted", "unsupported"
FINDINGS = (SUPPORTED, CONTRADICTED, UNSUPPORTED)
NODE_KEYS = {"label", "outcome", "knockout", "kind"}
KNOCKOUT_KEYS = {"removes", "set"}
LINK_KEYS = {"from", "to", "sign", "margin"}


@dataclass(frozen=True)
class Node:
    """An activity or intermediate outcome: what measures it (an outcome) and how to knock it out."""

    name: str
    label: str
    outcome: str | None = None
    removes: tuple[str, ...] = ()
    sets: Mapping[str, Any] = field(default_factory=dict)

    @property
    def can_knock_out(self) -> bool:
        """Whether the theory says how to knock this node out (it can be a cause)."""
        return bool(self.removes or self.sets)

    def overrides(self) -> dict[str, Any]:
        """The sweep point of the programme with this node knocked out."""
        return {"evaluation.removed": list(self.removes), **dict(self.sets)}


@dataclass(frozen=True)
class Link:
    """cause -> consequence, claimed positive (+1: the cause raises it) or negative (-1); margin in outcome units."""

    cause: str
    consequence: str
    sign: int = 1
    margin: float | None = None


@dataclass(frozen=True)
class Theory:
    """A theory of change: its nodes and links, read from a YAML file."""

    name: str
    nodes: dict[str, Node]
    links: tuple[Link, ...]
    path: str = ""

    def label(self, node: str) -> str:
        """A node's label."""
        return self.nodes[node].label


def _fail(path: Path, where: str, message: str) -> ConfigError:
    return ConfigError(f"{path.name}: {where}: {message}")


def load_theory(path: str | Path) -> Theory:
    """Read and check a theory file; ConfigError (one line, naming the field) on anything wrong."""
    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise OptionError("theory", f"cannot read {file} ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        raise OptionError("theory", f"{file} is not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), dict) or not isinstance(data.get("links"), list):
        raise _fail(file, "top level", "needs a mapping with nodes: (a mapping) and links: (a list)")
    nodes: dict[str, Node] = {}
    for name, spec in data["nodes"].items():
        spec = spec or {}
        if not isinstance(spec, dict) or set(spec) - NODE_KEYS:
            raise _fail(file, f"nodes.{name}", f"allowed keys: {', '.join(sorted(NODE_KEYS))}")
        outcome = spec.get("outcome")
        if outcome is not None and outcome not in OUTCOMES:
            raise _fail(file, f"nodes.{name}.outcome", f"unknown outcome {outcome!r} (`tracktwo params` lists them)")
        knockout = spec.get("knockout") or {}
        if not isinstance(knockout, dict) or set(knockout) - KNOCKOUT_KEYS:
            raise _fail(file, f"nodes.{name}.knockout", "allowed keys: removes (component keys), set (parameters)")
        removes = knockout.get("removes") or []
        sets = knockout.get("set") or {}
        if not isinstance(removes, list) or not all(isinstance(r, str) for r in removes) or not isinstance(sets, dict):
            raise _fail(file, f"nodes.{name}.knockout", "removes is a list of component keys, set a mapping")
        nodes[str(name)] = Node(str(name), str(spec.get("label", name)), outcome, tuple(removes), dict(sets))
    links = []
    for i, spec in enumerate(data["links"]):
        where = f"links[{i}]"
        if not isinstance(spec, dict) or set(spec) - LINK_KEYS or not {"from", "to"} <= set(spec):
            raise _fail(file, where, "each link is {from: NODE, to: NODE} (optional sign: + or -, margin)")
        cause, consequence = str(spec["from"]), str(spec["to"])
        for key, node in (("from", cause), ("to", consequence)):
            if node not in nodes:
                raise _fail(file, f"{where}.{key}", f"unknown node {node!r}; nodes: {', '.join(nodes)}")
        if not nodes[cause].can_knock_out:
            raise _fail(file, f"{where}.from", f"node {cause!r} has no knockout (removes or set): it cannot be a cause")
        if nodes[consequence].outcome is None:
            raise _fail(file, f"{where}.to", f"node {consequence!r} names no outcome: it cannot be a consequence")
        sign = {"+": 1, "-": -1, "1": 1, "-1": -1}.get(str(spec.get("sign", "+")))
        if sign is None:
            raise _fail(file, f"{where}.sign", f"{spec.get('sign')!r}; allowed: + or -")
        margin = spec.get("margin")
        if margin is not None and not (isinstance(margin, int | float) and margin >= 0):
            raise _fail(file, f"{where}.margin", f"{margin!r}; allowed: a number >= 0")
        links.append(Link(cause, consequence, sign, None if margin is None else float(margin)))
    if not links:
        raise _fail(file, "links", "the theory has no links to test")
    return Theory(str(data.get("name", file.stem)), nodes, tuple(links), str(file))


def knockout_points(theory: Theory) -> list[dict[str, Any]]:
    """The sweep points the theory needs beyond the full programme: each cause knocked out (once each)."""
    causes = dict.fromkeys(link.cause for link in theory.links)
    return [theory.nodes[c].overrides() for c in causes]


def test_links(
    runs: pd.DataFrame,
    theory: Theory,
    point_of: Mapping[str, int],
    baseline: int = 0,
    correction: str = evaluation.DEFAULT_CORRECTION,
    alpha: float = evaluation.DEFAULT_ALPHA,
) -> pd.DataFrame:
    """Per link: the change in its consequence when its cause is knocked out (paired), the tests, the finding.

    `point_of` maps each cause to the sweep point that ran it knocked out; `baseline` is the full
    programme's point. The correction runs across the links (differences and equivalences alike).
    A link without its own margin gets DEFAULT_MARGIN_SHARE of the baseline mean of its consequence.
    """
    finished = runs[runs["status"] == "finished"]
    rows, changes, margins = [], [], []
    for link in theory.links:
        outcome = theory.nodes[link.consequence].outcome
        table = finished.pivot_table(index="point", columns="replicate", values=outcome, aggfunc="first")
        table = table.loc[[baseline, point_of[link.cause]]].dropna(axis=1)
        full, knocked = table.iloc[0].to_numpy(dtype=float), table.iloc[1].to_numpy(dtype=float)
        changes.append(knocked - full)
        margin = link.margin if link.margin is not None else abs(float(full.mean())) * evaluation.DEFAULT_MARGIN_SHARE
        margins.append(margin + 0.0)
    tests = [evaluation.paired_tests(d.reshape(-1, 1), m)[0] for d, m in zip(changes, margins, strict=True)]
    p_diff = evaluation.adjust([t.p_difference for t in tests], correction)
    p_eq = evaluation.adjust([t.p_equivalence for t in tests], correction)
    for i, (link, test) in enumerate(zip(theory.links, tests, strict=True)):
        expected = -link.sign  # a positive link: knocking out the cause lowers the consequence
        moved = np.isfinite(p_diff[i]) and p_diff[i] < alpha and test.change != 0
        if moved and np.sign(test.change) == expected:
            finding, why = SUPPORTED, "the consequence moved as the link claims"
        elif moved:
            finding, why = CONTRADICTED, "the consequence moved against the link's claim"
        elif test.identical or (np.isfinite(p_eq[i]) and p_eq[i] < alpha):
            finding, why = CONTRADICTED, f"no change beyond +/-{plain(margins[i])} (equivalence)"
        else:
            finding, why = UNSUPPORTED, "neither a corrected change nor equivalence: too little evidence"
        outcome = theory.nodes[link.consequence].outcome
        rows.append(
            {
                "cause": link.cause,
                "consequence": link.consequence,
                "cause_label": theory.label(link.cause),
                "consequence_label": theory.label(link.consequence),
                "outcome": outcome,
                "claimed_sign": "+" if link.sign > 0 else "-",
                "change_when_removed": test.change,
                "change_when_removed_low": test.low,
                "change_when_removed_high": test.high,
                "p_value": p_diff[i],
                "p_equivalence": p_eq[i],
                "margin": margins[i],
                "replicates": test.n,
                "finding": finding,
                "evidence": (
                    f"knocking out {theory.label(link.cause).lower()} changes {outcome} by "
                    f"{plain(test.change, 3, signed=True)} [{plain(test.low, 3, signed=True)}, "
                    f"{plain(test.high, 3, signed=True)}] over {test.n} paired runs; {why}"
                ),
                "rule": Rule(correction, alpha, margins[i]).describe(),
            }
        )
    return evaluation.no_negative_zero(pd.DataFrame(rows))


def story(frame: pd.DataFrame) -> list[str]:
    """The contribution story: one sentence per link, in the theory's order."""
    return [
        f"{r['cause_label']} -> {r['consequence_label']}: {r['finding']} ({r['evidence']})."
        for r in frame.to_dict("records")
    ]


def write(directory: Path, frame: pd.DataFrame, theory: Theory) -> list[str]:
    """theory.csv and theory.json (the story) in an evaluate folder; the file names written."""
    from tracktwo.experiments.provenance import write_atomic, write_json

    write_atomic(directory / "theory.csv", frame.to_csv(index=False))
    write_json(
        directory / "theory.json",
        {
            "name": theory.name,
            "file": theory.path,
            "story": story(frame),
            "links": json.loads(frame.to_json(orient="records")),
        },
    )
    return ["theory.csv", "theory.json"]


def check_knockouts(theory: Theory, base: Mapping[str, Any]) -> None:
    """Build the model once per knockout (no run): an unknown component or parameter is one line, before any run."""
    from tracktwo.model import TrackTwoModel, make_params, merge
    from tracktwo.model.components import Component
    from tracktwo.model.families import family

    families = {"workshop": "workshops", "event": "events", "format": "formats", "route": "routes"}
    params = make_params(dict(base))
    known: dict[str, set[str]] = {}
    for cause in dict.fromkeys(link.cause for link in theory.links):
        node = theory.nodes[cause]
        try:
            for key in node.removes:
                kind = Component.parse(key).kind
                if kind in families:  # actors and groups: the model checks them below
                    if kind not in known:
                        known[kind] = {k for k, _ in family(params, families[kind])}
                    if key not in known[kind]:
                        allowed = ", ".join(sorted(known[kind])[:8]) or "none"
                        raise ConfigError(f"{key} is not in this programme (its {families[kind]}: {allowed})")
            TrackTwoModel(make_params(merge(dict(base), node.overrides())), 0)
        except (ConfigError, ValueError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise OptionError("theory", f"nodes.{cause}.knockout: {first}") from None


def attach(
    path: str | Path | None, points: list[dict[str, Any]], base: Mapping[str, Any] | None = None
) -> tuple[Theory, dict[str, int]] | None:
    """Read `--theory FILE`, check its knockouts on `base` (the config), add each to the sweep's points.

    Equal points are reused. Returns the theory and, per cause, its point; None without a theory file.
    """
    if path is None:
        return None
    theory = load_theory(path)
    if base is not None:
        check_knockouts(theory, base)
    seen = {json.dumps(p, sort_keys=True): i for i, p in enumerate(points)}
    point_of = {}
    for cause in dict.fromkeys(link.cause for link in theory.links):
        overrides = theory.nodes[cause].overrides()
        key = json.dumps(overrides, sort_keys=True)
        if key not in seen:
            seen[key] = len(points)
            points.append(overrides)
        point_of[cause] = seen[key]
    return theory, point_of


def conclude(
    attached: tuple[Theory, dict[str, int]] | None,
    runs: pd.DataFrame,
    directory: Path,
    correction: str,
    alpha: float,
    echo: Any = print,
) -> list[str]:
    """After the runs: test the links, write theory.csv/json, print the story; the file names written."""
    if attached is None:
        return []
    theory, point_of = attached
    frame = test_links(runs, theory, point_of, 0, correction, alpha)
    written = write(directory, frame, theory)
    echo(f"\nContribution story ({theory.name}):")
    for text in story(frame):
        echo(f"  - {text}")
    return written
