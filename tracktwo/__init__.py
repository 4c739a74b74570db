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

from importlib import import_module, metadata
from typing import Any

_FROM_MODEL = (
    "OUTCOMES",
    "ConfigError",
    "Params",
    "SimulationResult",
    "TrackTwoModel",
    "default_params_dict",
    "make_params",
    "simulate",
)

try:
    __version__ = metadata.version("tracktwo")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"


def __getattr__(name: str) -> Any:
    """The public names, loaded from tracktwo.model when first used (so `tracktwo` starts at once, Ctrl-C included)."""
    if name in _FROM_MODEL:
        value = getattr(import_module("tracktwo.model"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tracktwo' has no attribute {name!r}")


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
