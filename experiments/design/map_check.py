"""Warnings about an actor map that the model would accept but that are probably mistakes.

The model drops self-loops and repeated ties without a word, and runs a map whose actors are
all on one side. Each is named here with the rows it comes from, once per map, before any run
starts. (A side with no officials is the model's own check: transfer.sides_without_officials.)
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from tracktwo.experiments.design.actor_map import read_map
from tracktwo.model import ConfigError, Params

__all__ = ["MAX_ROWS_NAMED", "map_file_warnings", "map_warnings", "warn_about_map", "warn_about_map_file"]

MAX_ROWS_NAMED = 5  # rows listed in a warning; the count says how many more


def _rows(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:MAX_ROWS_NAMED])
    more = f" and {len(numbers) - MAX_ROWS_NAMED} more" if len(numbers) > MAX_ROWS_NAMED else ""
    return f"{shown}{more}"


def map_warnings(params: Params) -> list[str]:
    """One line per suspect feature of the params' actor map (none for a synthetic network)."""
    if params.network.type != "map" or not params.network.map:
        return []
    return map_file_warnings(params.network.map, params.network.edges)


def map_file_warnings(map_path: str, edges_path: str | None = None) -> list[str]:
    """One line per suspect feature of the actor map in `map_path` (its edges in `edges_path` or beside it)."""
    nodes_path = Path(map_path)
    if not nodes_path.is_file():
        return []  # the model names a missing file
    try:
        rows = read_map(nodes_path, edges_path)
    except ConfigError:
        return []  # the model names a map it cannot read
    nodes, edges, edges_file = rows.nodes, rows.edges, rows.edges_file
    if edges_file is not None:
        first_row, edge_rows = 2, f"{edges_file.name} rows"  # line 1 is the header
    else:
        first_row, edge_rows = 1, f"{nodes_path.name} edges no."
    found = []
    loops = [first_row + i for i, (a, b) in enumerate(edges) if a == b]
    if loops:
        found.append(f"{len(loops)} self-loop(s) (an actor tied to itself), ignored: {edge_rows} {_rows(loops)}")
    seen: dict[frozenset[str], int] = {}
    repeats = []
    for i, (a, b) in enumerate(edges):
        pair = frozenset((a, b))
        if a != b and pair in seen:
            repeats.append(first_row + i)
        seen.setdefault(pair, first_row + i)
    if repeats:
        found.append(f"{len(repeats)} repeated tie(s), counted once: {edge_rows} {_rows(repeats)}")
    by_side: dict[str, list[str]] = defaultdict(list)
    for row in nodes:
        by_side[str(row.get("side", "")).strip()].append(str(row.get("kind", "")).strip())
    if len(by_side) == 1:
        found.append(
            f"every actor is on one side ({next(iter(by_side))!r}): there is no other side to build trust with"
        )
    return rows.warnings + [f"actor map {nodes_path.name}: {line}" for line in found]


def warn_about_map(params: Params) -> None:
    """Print the map's warnings to stderr (the run goes on)."""
    _print(map_warnings(params))


def warn_about_map_file(map_path: str, edges_path: str | None = None) -> None:
    """Print the warnings of an actor map named in a sweep or programmes file (the run goes on)."""
    _print(map_file_warnings(map_path, edges_path))


def _print(lines: list[str]) -> None:
    for line in lines:
        print(f"tracktwo: warning: {line}", file=sys.stderr)
