"""Dotted parameter keys (`workshops.mix.elite`) over nested configs and flat points: one lookup, one flattening."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["flatten", "get", "key_paths", "lookup"]


def lookup(values: Mapping[str, Any], key: str) -> Any:
    """A dotted key's value in a nested config, a flat point, or a mix of both; KeyError if it has none.

    A flat point may hold a whole mapping under a shorter key (a swept `workshops.mix`), so the
    longest key present is looked inside: workshops.mix.elite in {"workshops.mix": {"elite": 0.5}}.
    """
    if key in values:
        return values[key]
    head = key.rpartition(".")[0]
    while head:
        if isinstance(values.get(head), Mapping):
            node: Any = values[head]
            for part in key[len(head) + 1 :].split("."):
                if not isinstance(node, Mapping) or part not in node:
                    raise KeyError(key)
                node = node[part]
            return node
        head = head.rpartition(".")[0]
    raise KeyError(key)


def get(values: Mapping[str, Any], key: str, default: Any = None) -> Any:
    """A dotted key's value, or `default` where it has none."""
    try:
        return lookup(values, key)
    except KeyError:
        return default


def flatten(
    values: Mapping[Any, Any],
    prefix: str = "",
    whole: Callable[[str], bool] = lambda key: False,
    check: Callable[[Any], None] = lambda key: None,
) -> dict[str, Any]:
    """Nested mappings as flat dotted keys; a mapping under a key for which `whole(key)` holds stays one value.

    `check` sees every key as written (before joining), so a reader can reject one with its own message.
    """
    flat: dict[str, Any] = {}
    for key, value in values.items():
        check(key)
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and not whole(dotted):
            flat.update(flatten(value, f"{dotted}.", whole, check))
        else:
            flat[dotted] = value
    return flat


def key_paths(config: Mapping[str, Any]) -> list[str]:
    """Every dotted key of a nested config, the mappings' own keys included (workshops, workshops.mix, ...)."""
    paths: dict[str, None] = {}
    for key in flatten(config):
        parts = key.split(".")
        paths.update(dict.fromkeys(".".join(parts[: i + 1]) for i in range(len(parts))))
    return list(paths)
