"""tracktwo's model: how ideas from Track Two dialogues travel into Track One.

>>> from tracktwo.model import simulate
>>> result = simulate({"workshops.mix": {"elite": 0.3, "autonomous": 0.7}}, seed=1)
>>> result.outcomes["ideas_transferred"], result.timeseries.shape

The names below load their module when first used (PEP 562): `from tracktwo.model import ConfigError`
(the command line's `--help`, the error paths) does not load Mesa, pandas or scipy; `simulate` does.
"""

import sys
import types
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for readers of the source (type checkers, the API reference)
    from tracktwo.model.metrics import TIMESERIES_COLUMNS
    from tracktwo.model.model import KeyedDrawsOnly, TrackTwoModel
    from tracktwo.model.network import actor_table, edge_table
    from tracktwo.model.outcomes import (
        KIND_LABELS,
        OUTCOMES,
        ROUTE_LABELS,
        ROUTES,
        TRACK_LABELS,
        Outcome,
        outcome,
        outcome_goal,
        outcome_label,
    )
    from tracktwo.model.params import ConfigError, Params, default_params_dict, make_params, merge
    from tracktwo.model.simulate import SimulationResult, simulate

_MODULES = {  # each public name and the module it is loaded from, when first used
    "TIMESERIES_COLUMNS": "metrics",
    **dict.fromkeys(("KeyedDrawsOnly", "TrackTwoModel"), "model"),
    **dict.fromkeys(("actor_table", "edge_table"), "network"),
    **dict.fromkeys(
        ("KIND_LABELS", "OUTCOMES", "ROUTE_LABELS", "ROUTES", "TRACK_LABELS", "Outcome", "outcome", "outcome_goal",
         "outcome_label"),
        "outcomes",
    ),
    **dict.fromkeys(("ConfigError", "Params", "default_params_dict", "make_params", "merge"), "params"),
    **dict.fromkeys(("SimulationResult", "simulate"), "simulate"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """A public name, loaded from its module when first used."""
    if name in _MODULES:
        value = getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])


class _Package(types.ModuleType):
    """This package, keeping `tracktwo.model.simulate` the function once the submodule of that name is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing a submodule binds it on its package; the function `simulate` shares its submodule's name,
        # and (as when this package imported it eagerly) the name means the function.
        if isinstance(value, types.ModuleType) and _MODULES.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = [
    "KIND_LABELS",
    "OUTCOMES",
    "ROUTES",
    "ROUTE_LABELS",
    "TIMESERIES_COLUMNS",
    "TRACK_LABELS",
    "ConfigError",
    "KeyedDrawsOnly",
    "Outcome",
    "Params",
    "SimulationResult",
    "TrackTwoModel",
    "actor_table",
    "default_params_dict",
    "edge_table",
    "make_params",
    "merge",
    "outcome",
    "outcome_goal",
    "outcome_label",
    "simulate",
]
