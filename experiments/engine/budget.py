"""Memory up front: a many-run command is refused before its first run when its runs would not fit.

Each run's peak is estimated from its parameters (model/params.py: population, ties, ideas and,
with ``evaluation.record``, the record); a run over the per-run limit is refused whatever the
options (the model would refuse it in the worker). The runs in flight at once (one per worker)
must also fit together in the memory this machine allows: three quarters of it, and never less
than the per-run limit, so one run the model accepts always runs serially. ``--force`` lifts the
second check only (a cluster's workers have memory of their own).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from tracktwo.experiments.design import limits
from tracktwo.experiments.design.sweepfile import SweepSpec
from tracktwo.model import ConfigError, Params, make_params, merge
from tracktwo.model.params import MAX_RUN_BYTES, estimated_run_bytes, run_parts

__all__ = [
    "MACHINE_SHARE",
    "MAX_CHECKED_POINTS",
    "WORKER_BASE_BYTES",
    "check_runs_fit",
    "check_sweep_fits",
    "machine_bytes",
    "workers_limit",
]

WORKER_BASE_BYTES = 200 * 2**20  # a worker's interpreter with the model imported (~175 MiB measured)
MACHINE_SHARE = 0.75  # of this machine's memory, what the runs in flight may use together
MAX_CHECKED_POINTS = 200  # points of a listed design estimated up front (about 10 ms each)
GiB = 2**30


def machine_bytes() -> int:
    """This machine's physical memory (0 if the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 0


def workers_limit() -> float:
    """What the runs in flight may use together: a share of this machine's memory, at least one run's limit."""
    return max(float(MAX_RUN_BYTES), MACHINE_SHARE * machine_bytes())


def check_runs_fit(where: str, runs: Iterable[tuple[str, Params]], workers: int) -> float:
    """ConfigError (one line) unless each run fits the per-run limit and `workers` of the largest fit together.

    `runs` are (what, params) pairs, e.g. ("the full programme", params). Returns the largest run's estimate.
    """
    largest, parts = 0.0, ""
    for what, params in runs:
        needed = estimated_run_bytes(params)
        if needed > MAX_RUN_BYTES:
            raise ConfigError(
                f"{where}: {what}: one run would need about {needed / GiB:.1f} GiB ({run_parts(params)}), over the "
                f"{MAX_RUN_BYTES / GiB:.0f} GiB a run may use; lower kinds.*.count, network.degree or the "
                "ideas its workshops make (README: Limits)"
            )
        if needed > largest:
            largest, parts = needed, run_parts(params)
    workers = max(1, int(workers))
    together = workers * (largest + WORKER_BASE_BYTES)
    if workers > 1 and together > workers_limit() and not limits.forced():
        raise ConfigError(
            f"{where}: {workers} workers x about {(largest + WORKER_BASE_BYTES) / GiB:.1f} GiB a run ({parts} and "
            f"the interpreter) = {together / GiB:.1f} GiB, over the {workers_limit() / GiB:.1f} GiB this machine "
            "allows; lower --workers, or pass --force"
        )
    return largest


def _point_params(base: Mapping[str, Any], values: Mapping[str, Any]) -> Params:
    return make_params(merge(dict(base), dict(values)))


def check_sweep_fits(spec: SweepSpec, workers: int) -> float:
    """check_runs_fit for a sweep's base and every point it lists (evaluate's coalitions, compare's programmes).

    Points that differ only in the components they remove cost what the base costs, so each distinct
    remainder is estimated once; of a design listing more than MAX_CHECKED_POINTS points, an even
    sample is (and every point with the record); the model still refuses any run over the per-run
    limit in the worker. Returns the largest run's estimate.
    """
    listed = spec.listed_points or ()
    every = max(1, len(listed) // MAX_CHECKED_POINTS)  # a long design (sensitivity): an even sample of its points
    wanted: list[tuple[str, Mapping[str, Any]]] = [("the base config", {})]
    seen: set[str] = set()
    for index, values in enumerate(listed):
        rest = {k: v for k, v in values.items() if k != "evaluation.removed"}
        key = json.dumps(rest, sort_keys=True, default=str)
        if rest and key not in seen and (index % every == 0 or rest.get("evaluation.record")):
            seen.add(key)
            what = "the full programme with its record" if rest.get("evaluation.record") else f"point {index}"
            wanted.append((what, rest))
    runs = []
    for what, values in wanted:
        try:
            runs.append((what, _point_params(spec.base, values)))
        except ConfigError as error:
            raise ConfigError(f"{what}: {error}") from None
    return check_runs_fit("memory", runs, workers)
