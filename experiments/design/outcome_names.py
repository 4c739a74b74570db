"""The outcomes a design may name (a sweep's metric, a comparison's rank_by, a sensitivity's outcomes): one check.

A name is checked against the outcomes a run of the design's base reports (a one-step probe run,
so map columns and initiatives give their own outcomes), with one message that suggests the
closest name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracktwo.model import ConfigError, merge

__all__ = ["check_outcome", "outcome_names", "suggest"]


def suggest(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean x?)' for the closest candidate, or ''."""
    close = difflib.get_close_matches(word, list(candidates), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def outcome_names(base: Mapping[str, Any]) -> list[str]:
    """The outcomes a run reports, from a one-step probe run (to check a design's outcomes before it starts)."""
    from tracktwo.model import simulate  # here: the command line's checks import this module, and need no run

    return list(simulate(merge(base, {"steps": 1}), 0).outcomes)


def check_outcome(option: str, name: Any, known: Sequence[str]) -> None:
    """ConfigError naming the option, the value and the outcomes allowed, unless `name` is one of `known`."""
    if name not in known:
        raise ConfigError(
            f"{option}: {name!r} is not an outcome of the model{suggest(str(name), known)}; "
            f"outcomes: {', '.join(known)}"
        )
