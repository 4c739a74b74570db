"""Inclusion with voice: who among a meeting's participants co-authors each of its ideas.

Presence is not voice (docs/ODD.md 7.9, Voice; the design brief warns of the "tokenization of female
representatives"): a participant of a group with voice weight v co-authors each idea with probability v
(groups not named: 1), so a group's share among authors can fall below its share of the seats. Every idea
keeps at least one author: if the draw leaves none, the participant with the highest voice (ties at random) authors it.
"""

from __future__ import annotations

import functools
import re

import numpy as np
from tracktwo.model.params import ConfigError, Voice

__all__ = ["draw_authors", "group_keys", "snake", "voice_weights"]


@functools.lru_cache(maxsize=4096)
def snake(text: str) -> str:
    """A group's name in outcome keys: lower case, runs of other characters as one underscore (kept: names recur)."""
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_") or "blank"


def group_keys(kinds: np.ndarray, extra: dict[str, list]) -> dict[str, np.ndarray]:
    """Each actor's group keys as the inclusion outcomes name them: kind_<name> and <column>_<value>."""
    keys = {f"kind_{snake(str(kind))}": kinds == kind for kind in set(kinds.tolist())}
    for column, values in extra.items():
        values = np.asarray(values, dtype=object)
        for value in set(values.tolist()):
            keys[f"{snake(column)}_{snake(str(value))}"] = values == value
    return keys


def voice_weights(config: Voice, keys: dict[str, np.ndarray], n_actors: int) -> np.ndarray | None:
    """Each actor's voice (the product over its groups); None when every voice is 1 (no draws needed)."""
    unknown = sorted(set(config.weights) - set(keys))
    if unknown:
        raise ConfigError(f"voice.weights: unknown group {unknown[0]!r}; groups: {', '.join(sorted(keys))}")
    if not config.weighted or all(weight == 1.0 for weight in config.weights.values()):
        return None
    weights = np.ones(n_actors)
    for group, weight in config.weights.items():
        weights[keys[group]] *= weight
    return weights


def draw_authors(rng: np.random.Generator, who: np.ndarray, voice: np.ndarray, ideas: int) -> list[np.ndarray]:
    """Authors of each of `ideas` ideas among participants `who`, each with probability its voice."""
    weights = voice[who]
    authored = rng.random((ideas, who.size)) < weights
    result = []
    for row in authored:
        if not row.any():
            loudest = np.flatnonzero(weights == weights.max())
            row[rng.choice(loudest)] = True
        result.append(who[row])
    return result
