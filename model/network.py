"""The multi-track network: a stochastic block model over (kind x side), an Erdos-Renyi graph, or a map.

The user's mapped actor network is GraphML, or CSV nodes + edges.

Graphs are built in numpy in O(nodes + edges) from the model's generator; the result is a
:class:`Population` (who is who) and undirected edge arrays.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from tracktwo.model.params import ConfigError, Params, block_probabilities
from tracktwo.model.randomness import run_streams

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ATTRIBUTES",
    "BRIDGED_BEHAVIOURS",
    "DENSE_PAIR_LIMIT",
    "MAP_READER",
    "Graph",
    "Population",
    "actor_table",
    "build_graph",
    "cut_bridges",
    "edge_table",
    "population_from_rows",
    "read_actor_map",
    "side_name",
    "stochastic_block_edges",
    "synthetic_population",
]

DENSE_PAIR_LIMIT = 5_000_000  # below this many candidate pairs, sample pairs exactly by index
ATTRIBUTES = ("autonomy", "standing", "trust")
BRIDGED_BEHAVIOURS = ("grassroots", "elite", "official")  # a middle-range leader's ties down and up (Lederach)
MAP_READER = "tracktwo.experiments.design.actor_map:load_actor_map"  # reads an actor map's files (a plug-in)


@dataclass
class Population:
    """Nodes of the network: id, kind, side, optional per-node attributes and labels."""

    ids: list[str]
    kinds: list[str]
    sides: np.ndarray
    n_sides: int
    labels: list[str]
    side_labels: list[str]
    attributes: dict[str, np.ndarray] = field(default_factory=dict)  # autonomy/standing/trust, NaN = draw
    extra: dict[str, list[str]] = field(default_factory=dict)  # map columns carried along (gender, ...)


@dataclass
class Graph:
    """A population and its undirected ties."""

    population: Population
    sources: np.ndarray  # undirected edges u < v
    targets: np.ndarray


def _sample_pairs(rng: np.random.Generator, n_pairs: int, m: int) -> np.ndarray:
    """Draw m distinct indices from range(n_pairs), uniformly."""
    if m == 0:
        return np.empty(0, dtype=np.int64)
    if n_pairs <= DENSE_PAIR_LIMIT or m > n_pairs // 2:
        return np.sort(rng.choice(n_pairs, size=m, replace=False))
    chosen = np.empty(0, dtype=np.int64)
    while chosen.size < m:
        draw = rng.integers(0, n_pairs, size=int((m - chosen.size) * 1.1) + 16)
        chosen = np.unique(np.concatenate([chosen, draw]))
    return np.sort(rng.permutation(chosen)[:m])


def stochastic_block_edges(
    rng: np.random.Generator, blocks: list[np.ndarray], probability: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Undirected SBM edges (u < v) for node blocks and a symmetric block probability matrix.

    Each block pair's edges are G(n, p) inside a block or the bipartite G(n_a, n_b, p) between two: a number of
    pairs drawn, then which (an index over the row-major pairs i < j, or over a x b). The draws go pair by pair;
    the indices are turned into actors for every pair at once (the same arithmetic on each, in fewer calls).
    """
    drawn, firsts, seconds = [], [], []  # each block pair's drawn indices, and its two blocks
    for x, nodes_x in enumerate(blocks):
        for y in range(x, len(blocks)):
            p = float(probability[x, y])
            if p <= 0:
                continue
            n_pairs = nodes_x.size * (nodes_x.size - 1) // 2 if x == y else nodes_x.size * blocks[y].size
            index = _sample_pairs(rng, n_pairs, int(rng.binomial(n_pairs, p)))
            if index.size:
                drawn.append(index)
                firsts.append(x)
                seconds.append(y)
    if not drawn:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    sizes = np.array([nodes.size for nodes in blocks], dtype=np.int64)
    counts = [index.size for index in drawn]
    index = np.concatenate(drawn)
    x = np.repeat(np.array(firsts, dtype=np.int64), counts)  # each edge's blocks
    y = np.repeat(np.array(seconds, dtype=np.int64), counts)
    first, second = np.divmod(index, sizes.take(y))  # between blocks: row and column of a x b
    within = np.flatnonzero(x == y)
    if within.size:  # inside a block: invert the row-major index over its pairs (i < j)
        k = index.take(within)
        n = sizes.take(x.take(within))
        i = (n - 2 - np.floor(np.sqrt(-8.0 * k + 4.0 * n * (n - 1) - 7) / 2.0 - 0.5)).astype(np.int64)
        first[within] = i
        second[within] = k + i + 1 - n * (n - 1) // 2 + (n - i) * ((n - i) - 1) // 2
    nodes = np.concatenate(blocks)
    starts = np.cumsum(sizes) - sizes  # each block's first place in nodes
    u = nodes.take(starts.take(x) + first)
    v = nodes.take(starts.take(y) + second)
    return np.minimum(u, v), np.maximum(u, v)


def side_name(side: int) -> str:
    """A synthetic side's name ('Side 1', 'Side 2', ...; `side` counts from 0), in the model, the app and reports.

    Sides are numbered as in `workshops.sides` and actor ids (`elite-1-0`); an actor map names its own sides.
    """
    return f"Side {side + 1}"


def synthetic_population(params: Params) -> Population:
    """The actors of a synthetic network: every kind's count on each side, ids kind-side-index."""
    kinds: list[str] = []
    sides: list[int] = []
    for side in range(params.sides):
        for name, kind in params.kinds.items():
            kinds += [name] * kind.count
            sides += [side] * kind.count
    labels = [f"{kind}-{side + 1}-{i}" for i, (kind, side) in enumerate(zip(kinds, sides, strict=True))]
    return Population(
        labels,
        kinds,
        np.asarray(sides, dtype=np.int64),
        params.sides,
        labels,
        [side_name(s) for s in range(params.sides)],
    )


def build_graph(params: Params, rng: np.random.Generator) -> Graph:
    """The run's network, drawn from rng (or loaded, for an actor map); middle-range bridges cut if asked."""
    graph = _draw_graph(params, rng)
    return graph if params.middle_range.bridges else cut_bridges(params, graph)


def cut_bridges(params: Params, graph: Graph) -> Graph:
    """The graph without middle-range leaders' ties down to grassroots and up to elites and officials (an ablation).

    Every other tie is kept as drawn, so the ablation differs from the run only where the bridges were.
    """
    behaviour = np.array([params.kinds[k].behaviour for k in graph.population.kinds] or [""], dtype=object)
    middle = behaviour == "middle_range"
    vertical = np.isin(behaviour, BRIDGED_BEHAVIOURS)
    u, v = graph.sources, graph.targets
    cut = (middle[u] & vertical[v]) | (middle[v] & vertical[u])
    return Graph(graph.population, u[~cut], v[~cut])


def _draw_graph(params: Params, rng: np.random.Generator) -> Graph:
    if params.network.type == "map":
        return read_actor_map(params)
    population = synthetic_population(params)
    n = len(population.kinds)
    if params.network.type == "erdos_renyi":
        p = min(1.0, params.network.mean_degree / max(n - 1, 1))
        u, v = stochastic_block_edges(rng, [np.arange(n)], np.array([[p]]))
        return Graph(population, u, v)
    kind_index = {name: i for i, name in enumerate(params.kinds)}
    block_of = np.array([kind_index[k] for k in population.kinds]) * params.sides + population.sides
    n_blocks = len(params.kinds) * params.sides
    blocks = [np.flatnonzero(block_of == b) for b in range(n_blocks)]
    u, v = stochastic_block_edges(rng, blocks, block_probabilities(params))
    return Graph(population, u, v)


# ----------------------------------------------------------------------------------------------
# Actor maps


def read_actor_map(params: Params) -> Graph:
    """The run's actor map as a validated population and ties, read by the reader ``MAP_READER`` names.

    The model reads no files: an actor map's files are the experiments' (their formats, delimiters,
    warnings). ``MAP_READER`` ("module:function") is resolved when a map is first used, as a plug-in
    (the function takes the path, the edges path and the configured kinds, and returns
    ``(Population, u, v)``, e.g. from :func:`population_from_rows`); a program may point it at its own.
    """
    module, _, name = MAP_READER.partition(":")
    reader = getattr(importlib.import_module(module), name)
    population, u, v = reader(params.network.map, params.network.edges, tuple(params.kinds))
    return Graph(population, u.copy(), v.copy())


def population_from_rows(
    path: str, nodes: list[dict[str, str]], edges: list[tuple[str, str]], known_kinds: tuple[str, ...]
) -> tuple[Population, np.ndarray, np.ndarray]:
    """A population and its ties (u < v) from a map's rows, checked: kinds known, sides given, ids unique."""
    if not nodes:
        raise ConfigError(f"network.map: {path} has no actors")
    for column in ("kind", "side"):
        missing = [row["id"] for row in nodes if not str(row.get(column, "") or "").strip()]
        if missing:
            raise ConfigError(
                f"network.map: actor {missing[0]!r} in {path} has no '{column}' (every actor needs kind and side)"
            )
    kinds = [row["kind"].strip() for row in nodes]
    unknown = sorted(set(kinds) - set(known_kinds))
    if unknown:
        raise ConfigError(
            f"network.map: unknown kind {unknown[0]!r} in {path}; allowed kinds: {sorted(known_kinds)} "
            "(add it under 'kinds' with a behaviour)"
        )
    side_values = [row["side"].strip() for row in nodes]
    side_labels = sorted(set(side_values), key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
    side_index = {label: i for i, label in enumerate(side_labels)}
    ids = [row["id"] for row in nodes]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"network.map: {path} has duplicate actor ids")
    position = {node_id: i for i, node_id in enumerate(ids)}
    bad = next(((a, b) for a, b in edges if a not in position or b not in position), None)
    if bad:
        raise ConfigError(f"network.edges: tie {bad[0]!r}-{bad[1]!r} names an actor not in the map")
    pairs = {(min(position[a], position[b]), max(position[a], position[b])) for a, b in edges if a != b}
    ordered = sorted(pairs)
    u = np.array([p[0] for p in ordered], dtype=np.int64)
    v = np.array([p[1] for p in ordered], dtype=np.int64)
    attributes = {}
    for name in ATTRIBUTES:
        values = np.array([_as_unit(path, row, name) for row in nodes])
        if not np.all(np.isnan(values)):
            attributes[name] = values
    reserved = {"id", "kind", "side", "label", *ATTRIBUTES}
    extra_columns = sorted({key for row in nodes for key in row if key not in reserved})
    extra = {col: [str(row.get(col, "") or "") for row in nodes] for col in extra_columns}
    labels = [row.get("label") or row["id"] for row in nodes]
    sides = np.array([side_index[s] for s in side_values], dtype=np.int64)
    population = Population(ids, kinds, sides, len(side_labels), labels, side_labels, attributes, extra)
    return population, u, v


def _as_unit(path: str, row: dict[str, str], name: str) -> float:
    text = str(row.get(name, "") or "").strip()
    if not text:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"network.map: actor {row['id']!r} in {path} has {name}={text!r}; allowed: a number in 0..1")
    return value


def actor_table(params: Params, seed: int = 0) -> pd.DataFrame:
    """Who is who in a run's network: id, label, kind, behaviour, side, degree and map attributes.

    For a synthetic network this is the network the run with that seed would draw.
    """
    import pandas as pd  # here, so reading an actor map (the command line's checks) does not load pandas

    graph = build_graph(params, run_streams(seed)["network"])
    population = graph.population
    degree = np.bincount(np.concatenate([graph.sources, graph.targets]), minlength=len(population.kinds))
    table = pd.DataFrame(
        {
            "id": population.ids,
            "label": population.labels,
            "kind": population.kinds,
            "behaviour": [params.kinds[k].behaviour for k in population.kinds],
            "side": [population.side_labels[s] for s in population.sides],
            "degree": degree,
        }
    )
    for column, values in population.extra.items():
        table[column] = values
    for name, values in population.attributes.items():
        table[name] = values
    return table


def edge_table(params: Params, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The run's initial ties as (source index, target index) arrays."""
    graph = build_graph(params, run_streams(seed)["network"])
    return graph.sources, graph.targets
