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

from tracktwo.experiments.api import (
    BatchResult,
    CompareResult,
    DiscoverResult,
    EvaluateResult,
    ExecutorError,
    RunResult,
    SelectResult,
    SensitivityResult,
    SweepResult,
    compare,
    discover,
    evaluate,
    load,
    run,
    select,
    sensitivity,
    sweep,
)
from tracktwo.experiments.calibrate import CalibrationResult, calibrate
from tracktwo.experiments.provenance import tracktwo_version
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

__version__ = tracktwo_version()

__all__ = [
    "OUTCOMES",
    "BatchResult",
    "CalibrationResult",
    "CompareResult",
    "ConfigError",
    "DiscoverResult",
    "EvaluateResult",
    "ExecutorError",
    "Params",
    "RunResult",
    "SelectResult",
    "SensitivityResult",
    "SimulationResult",
    "SweepResult",
    "TrackTwoModel",
    "__version__",
    "calibrate",
    "compare",
    "default_params_dict",
    "discover",
    "evaluate",
    "load",
    "make_params",
    "run",
    "select",
    "sensitivity",
    "simulate",
    "sweep",
]
