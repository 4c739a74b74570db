"""tracktwo: how ideas born in Track Two dialogues travel across the tracks of a peace process.

One run:

>>> import tracktwo
>>> result = tracktwo.simulate({"workshops.mix": {"elite": 0.3, "autonomous": 0.7}}, seed=1)
>>> result.outcomes["ideas_transferred"] >= 0
True

The subpackages: `tracktwo.model` (one run: parameters and a seed to outcomes and a time series;
the Mesa model), `tracktwo.experiments` (many runs: designs, executors, the results store,
analysis, figures, the `tracktwo` command) and `tracktwo.app` (the trainer's app).
"""

from importlib import metadata

from tracktwo.model import (
    OUTCOMES,
    ConfigError,
    Params,
    SimulationResult,
    TrackTwoModel,
    default_params_dict,
    make_params,
    simulate,
)

try:
    __version__ = metadata.version("tracktwo")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "OUTCOMES",
    "ConfigError",
    "Params",
    "SimulationResult",
    "TrackTwoModel",
    "__version__",
    "default_params_dict",
    "make_params",
    "simulate",
]
