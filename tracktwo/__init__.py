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

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the names are, for readers of the source (type checkers, the API reference)
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

_MODULES = {  # each public name and the module it is loaded from, when first used
    **dict.fromkeys(
        ("OUTCOMES", "ConfigError", "Params", "SimulationResult", "TrackTwoModel", "default_params_dict",
         "make_params", "simulate"),
        "tracktwo.model",
    ),
    **dict.fromkeys(
        ("BatchResult", "CompareResult", "DiscoverResult", "EvaluateResult", "ExecutorError", "RunResult",
         "SelectResult", "SensitivityResult", "SweepResult", "compare", "discover", "evaluate", "load", "run",
         "select", "sensitivity", "sweep"),
        "tracktwo.experiments.api",
    ),
    **dict.fromkeys(("CalibrationResult", "calibrate"), "tracktwo.experiments.calibrate"),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    """The public names, loaded when first used (so `tracktwo` starts at once, and an early Ctrl-C is one line)."""
    if name == "__version__":  # importlib.metadata loads email, zipfile, csv...: about 20 ms, not at `import tracktwo`
        from importlib import metadata

        try:
            value = metadata.version("tracktwo")
        except metadata.PackageNotFoundError:  # a source tree that was never installed
            value = "0+unknown"
        globals()[name] = value
        return value
    if name in _MODULES:
        value = getattr(import_module(_MODULES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tracktwo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES, "__version__"})


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
