"""The one way YAML from a user is read: UTF-8 only, no duplicate keys, bounded size and alias expansion.

PyYAML's `safe_load` already refuses arbitrary objects; on top of it this loader refuses a key
written twice in one mapping (YAML would silently keep the last), a file that is not UTF-8, and a
document whose aliases expand to more nodes than any config needs (an "alias bomb" is small on
disk but explodes once validated or echoed). Every refusal is a ConfigError of one line.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import yaml
from tracktwo.model import ConfigError
from tracktwo.model.params import shorten

__all__ = ["MAX_YAML_BYTES", "MAX_YAML_NODES", "load_file", "load_text", "parse_value"]

MAX_YAML_BYTES = 10 * 1024 * 1024  # a config, sweep or programmes file is kilobytes; 10 MiB is generous
MAX_YAML_NODES = 200_000  # nodes after expanding every alias (the largest shipped file has under 1,000)


def _node_line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _CheckedLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (merge keys `<<` aside)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node)
            if key in seen:
                raise ConfigError(
                    f"key {shorten(key)} appears twice in one mapping (lines {seen[key]} and {_node_line(key_node)}); "
                    "YAML would keep only the last: remove one"
                )
            seen[key] = _node_line(key_node)
        return super().construct_mapping(node, deep=deep)


def _expanded_nodes(root: yaml.Node, limit: int) -> int:
    """How many nodes the document has with every alias expanded; stops counting past `limit`."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = limit + 1  # a cycle (a recursive alias) counts as too big
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, limit + 1)
        return sizes[id(node)]

    return size(root)


def _problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"{where}: {getattr(error, 'problem', None) or error}"


def load_text(text: str, where: str) -> Any:
    """The YAML document in `text`, checked as above; ConfigError '<where> ...' naming the problem."""
    loader = None
    try:
        loader = _CheckedLoader(text)  # the reader refuses control characters here already
        root = loader.get_single_node()
        if root is None:
            return None
        nodes = _expanded_nodes(root, MAX_YAML_NODES)
        if nodes > MAX_YAML_NODES:
            raise ConfigError(
                f"{where}: its aliases expand to more than {MAX_YAML_NODES:,} values (an alias bomb?); "
                "write the values out or use fewer aliases"
            )
        return loader.construct_document(root)
    except yaml.YAMLError as error:
        raise ConfigError(f"{where} is not valid YAML{_problem(error)}") from None
    except RecursionError:
        raise ConfigError(f"{where}: nested too deeply to be a config") from None
    except (ValueError, TypeError, OverflowError) as error:  # e.g. an integer past Python's 4,300-digit limit
        if "digits" in str(error):
            raise ConfigError(
                f"{where}: holds an integer longer than {sys.get_int_max_str_digits():,} digits; no parameter needs one"
            ) from None
        raise ConfigError(f"{where}: cannot be read ({type(error).__name__}: {' '.join(str(error).split())})") from None
    except ConfigError as error:
        message = str(error)
        raise ConfigError(message if message.startswith(where) else f"{where}: {message}") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_file(path: str | Path, what: str) -> Any:
    """A YAML file's document: missing, too big, not UTF-8 or not valid YAML is a one-line ConfigError."""
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{what}: file not found: {file}")
    if not file.is_file():
        raise ConfigError(f"{what}: {file} is not a file (a folder or a device?)")
    try:
        size = file.stat().st_size
        if size > MAX_YAML_BYTES:
            raise ConfigError(f"{what}: {file} is {size:,} bytes; a YAML file here may be at most {MAX_YAML_BYTES:,}")
        raw = file.read_bytes()
    except OSError as error:
        raise ConfigError(f"{what}: cannot read {file} ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{what}: {file} is not UTF-8 text (byte 0x{raw[error.start]:02x} at line {line}); save it as UTF-8"
        ) from None
    return load_text(text, f"{what} {file}")


def parse_value(text: str, where: str) -> Any:
    """A --set value parsed as YAML (numbers, booleans, null, lists, mappings), or the text itself.

    Text that is not valid YAML, or NaN, stays a string (the model then names the field); an
    alias bomb or a duplicate key is refused.
    """
    if len(text) > MAX_YAML_BYTES:
        raise ConfigError(f"{where}: the value is {len(text):,} characters; at most {MAX_YAML_BYTES:,}")
    try:
        value = load_text(text, where)
    except ConfigError as error:
        if "is not valid YAML" in str(error):
            return text
        raise
    if isinstance(value, float) and math.isnan(value):
        return text
    return value
