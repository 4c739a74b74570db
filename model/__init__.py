"""tracktwo's model: how ideas from Track Two dialogues travel into Track One.

>>> from tracktwo.model import simulate
>>> result = simulate({"workshops.mix": {"elite": 0.3, "autonomous": 0.7}}, seed=1)
>>> result.outcomes["ideas_transferred"], result.timeseries.shape
"""

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
