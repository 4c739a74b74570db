"""Reading an actor map from files: GraphML, or a nodes CSV with an edges CSV beside it.

The model builds its population from the rows read here (model.network.population_from_rows);
this module is where files are opened and their format is judged:

- a UTF-8 byte-order mark (as spreadsheet programs write) is read, not taken as part of 'id';
- the delimiter is detected among comma, semicolon, tab and bar, or refused with a line naming
  what the header holds (a map read as one column would give every actor no kind);
- columns the model does not read are named in a warning (an edges file's extra columns are
  ignored; a nodes column that differs from a known one only in case or spaces is a likely typo).
"""

from __future__ import annotations

import csv
import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tracktwo.model.network import Population, population_from_rows
from tracktwo.model.params import ConfigError

__all__ = [
    "DELIMITERS",
    "EDGE_COLUMNS",
    "NODE_COLUMNS",
    "ActorMapRows",
    "edges_file_for",
    "load_actor_map",
    "read_csv_rows",
    "read_graphml_rows",
    "read_map",
    "read_map_rows",
    "read_table",
]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
NODE_COLUMNS = ("id", "kind", "side", "label", "autonomy", "standing", "trust")  # what the model reads by name
EDGE_COLUMNS = (("source", "target"), ("from", "to"), ("u", "v"))
SNIFF_CHARS = 64 * 1024


@dataclass
class ActorMapRows:
    """An actor map as read: node rows (column -> text), ties in file order, its edges file, and what to warn about."""

    nodes: list[dict[str, str]]
    edges: list[tuple[str, str]]
    edges_file: Path | None
    warnings: list[str] = field(default_factory=list)


def read_map(path: Path, edges_path: str | None = None) -> ActorMapRows:
    """Read a map (ConfigError with one line naming the file and the problem)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        edges_file = edges_file_for(path, edges_path)
        nodes, node_warnings = _read_nodes(path)
        edges, edge_warnings = _read_edges(edges_file)
        return ActorMapRows(nodes, edges, edges_file, node_warnings + edge_warnings)
    nodes, edges = read_graphml_rows(path)
    return ActorMapRows(nodes, edges, None)


def load_actor_map(
    path: str | None, edges_path: str | None, known_kinds: tuple[str, ...]
) -> tuple[Population, np.ndarray, np.ndarray]:
    """The population and ties of an actor map, checked against the configured kinds; raises ConfigError.

    The model's reader of actor maps (model.network.MAP_READER): the files are read here, and
    the model builds from the rows (model.network.population_from_rows). Cached by path and
    modification time, so the runs of a sweep read a map once per process.
    """
    if not path:
        raise ConfigError("network.map: no actor map path given")
    file = Path(path)
    if not file.is_file():
        raise ConfigError(f"network.map: file not found: {path}")
    edges_file = edges_file_for(file, edges_path) if file.suffix.lower() == ".csv" else None
    stamp = (os.stat(file).st_mtime_ns, os.stat(edges_file).st_mtime_ns if edges_file else 0)
    return _load_cached(str(file), str(edges_file) if edges_file else None, stamp, known_kinds)


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, edges_path: str | None, _stamp: tuple[int, int], known_kinds: tuple[str, ...]):
    rows = read_map(Path(path), edges_path)
    return population_from_rows(path, rows.nodes, rows.edges, known_kinds)


def read_map_rows(
    path: Path, edges_path: str | None
) -> tuple[list[dict[str, str]], list[tuple[str, str]], Path | None]:
    """An actor map's rows as written (node rows, edge pairs in file order) and the edges file a CSV map uses."""
    rows = read_map(path, edges_path)
    return rows.nodes, rows.edges, rows.edges_file


def edges_file_for(nodes: Path, edges_path: str | None) -> Path:
    """The edges .csv of a CSV actor map: the one given, else <stem>_edges.csv or edges.csv beside the nodes."""
    candidates = (
        [Path(edges_path)]
        if edges_path
        else [
            nodes.with_name(nodes.stem.removesuffix("nodes").rstrip("_-") + "_edges.csv"),
            nodes.with_name(nodes.stem + "_edges.csv"),
            nodes.with_name("edges.csv"),
        ]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    shown = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"network.edges: no edges file for CSV actor map {nodes} (looked for {shown})")


def read_graphml_rows(path: Path) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """A GraphML map's node attributes (with its id) and its edges."""
    import networkx as nx

    try:
        graph = nx.read_graphml(path)
    except Exception as error:  # networkx raises several parser errors
        reason = " ".join(str(error).split())[:80]
        raise ConfigError(f"network.map: {path} is not valid GraphML ({reason})") from None
    nodes = [{"id": str(node), **{k: str(v) for k, v in data.items()}} for node, data in graph.nodes(data=True)]
    edges = [(str(a), str(b)) for a, b in graph.edges()]
    return nodes, edges


def read_csv_rows(nodes_path: Path, edges_path: Path) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """A CSV map's node rows and its (source, target) pairs."""
    nodes, _ = _read_nodes(nodes_path)
    edges, _ = _read_edges(edges_path)
    return nodes, edges


def read_table(path: Path, option: str, needed: tuple[str, ...]) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV file's header and rows, its BOM dropped and its delimiter detected (ConfigError if it cannot be)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{option}: cannot read {path} ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(f"{option}: {path} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV") from None
    if "\x00" in text:
        raise ConfigError(f"{option}: {path} holds NUL bytes: not a CSV text file")
    delimiter = _delimiter(path, option, text, needed)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        header = [str(c) for c in (reader.fieldnames or [])]
        rows = [{str(k): ("" if v is None else str(v)) for k, v in row.items() if k is not None} for row in reader]
    except csv.Error as error:
        raise ConfigError(f"{option}: cannot read {path} ({error})") from None
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if duplicated:
        raise ConfigError(f"{option}: {path} has the column {duplicated[0]!r} twice; give each column once")
    return header, rows


def _delimiter(path: Path, option: str, text: str, needed: tuple[str, ...]) -> str:
    """The delimiter of a CSV text: the one its header splits into the needed columns, else the one csv sniffs."""
    first = text.split("\n", 1)[0].strip("\r")
    if not first.strip():
        return ","  # an empty file: the reader finds no columns and the caller says what is missing
    for delimiter in DELIMITERS:
        columns = {c.strip().strip('"') for c in first.split(delimiter)}
        if set(needed) <= columns:
            return delimiter
    try:
        return csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        pass
    if any(d in first for d in DELIMITERS):
        return ","
    shown = first if len(first) <= 60 else first[:59] + "…"
    raise ConfigError(
        f"{option}: {path}'s header {shown!r} has no comma, semicolon, tab or bar between columns; "
        f"expected columns {', '.join(needed)} separated by one of them"
    )


def _read_nodes(path: Path) -> tuple[list[dict[str, str]], list[str]]:
    header, rows = read_table(path, "network.map", ("id",))
    if len(header) == 1 and "id" not in header:
        raise ConfigError(
            f"network.map: {path} reads as one column {header[0][:60]!r}: separate its columns (id, kind, side, ...) "
            "with commas, semicolons, tabs or bars"
        )
    if header and "id" not in header:
        raise ConfigError(f"network.map: {path} needs an 'id' column (has {header[:8]})")
    warnings = []
    for column in header:
        near = next((k for k in NODE_COLUMNS if column != k and column.strip().lower() == k), None)
        if near:
            warnings.append(
                f"actor map {path.name}: column {column!r} is read as a group column, not as {near!r} (rename it)"
            )
    return rows, warnings


def _read_edges(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    header, rows = read_table(path, "network.edges", ("source", "target"))
    pair = next((p for p in EDGE_COLUMNS if set(p) <= set(header)), None)
    if pair is None:
        raise ConfigError(f"network.edges: {path} needs 'source' and 'target' columns (has {header[:8]})")
    source, target = pair
    extra = [c for c in header if c not in pair]
    warnings = (
        [f"actor map {path.name}: columns the model does not read, ignored: {', '.join(map(repr, extra[:6]))}"]
        if extra
        else []
    )
    return [(row.get(source, ""), row.get(target, "")) for row in rows], warnings
