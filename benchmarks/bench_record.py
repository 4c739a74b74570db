"""What does evaluate's record cost? One run with the record against the same run without it.

At 1,000, 5,000 and 20,000 grassroots a side (``--steps`` months, default 30), each run in its own
fresh interpreter: a plain run, and the run evaluate makes of the full programme (``evaluation.record``
on, attribution of every workshop, as ``tracktwo evaluate --components workshops`` asks). Prints the
wall time and peak memory (VmHWM: the process's own peak) of each, their ratios (target: the
record's peak at most 2x the plain run's) and the record's size. A run whose estimate (model/params.py,
the record included) is over the per-run limit is refused up front, as evaluate would refuse it:
the line says so, with the estimate.

    .venv/bin/python benchmarks/bench_record.py                       # ~1-2 minutes
    .venv/bin/python benchmarks/bench_record.py --sizes 1000 --steps 60
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from tracktwo.experiments.analysis.contributions import coalition_points as _points
from tracktwo.experiments.analysis.contributions import plan
from tracktwo.experiments.engine.budget import check_runs_fit
from tracktwo.model import ConfigError, make_params
from tracktwo.model.params import estimated_run_bytes

__all__ = ["main", "measure"]

PEAK_RATIO_TARGET = 2.0
SIZES = (1000, 5000, 20000)
CHILD = """
import json, sys, time
from pathlib import Path
from tracktwo.model import simulate
overrides = json.loads(sys.argv[1])
start = time.perf_counter()
result = simulate(overrides, 0)
seconds = time.perf_counter() - start
record = result.model.record
lines = [l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:")]
print(json.dumps({"seconds": seconds, "peak_mib": int(lines[0].split()[1]) / 1024,
                  "record_mib": record.nbytes / 2**20 if record is not None else 0.0,
                  "exposures": int(record.exposures()[0].size) if record is not None else 0}))
"""


def measure(overrides: dict) -> dict:
    """One run in a fresh interpreter: its seconds, peak MiB and the record's MiB."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(overrides)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print one line per size: plain and recorded run, time and peak, and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="grassroots a side")
    parser.add_argument("--steps", type=int, default=30, help="months per run (default 30)")
    args = parser.parse_args()
    print(f"{'grassroots':>10} {'plain s':>8} {'plain MiB':>10} {'record s':>9} {'record MiB':>11} "
          f"{'time x':>7} {'peak x':>7} {'kept MiB':>9} {'estimate MiB':>13}")  # fmt: skip
    for size in args.sizes:
        plain = {"kinds.grassroots.count": size, "steps": args.steps}
        full = _points(plan(make_params(plain), ["workshops"], 20, 0))[0][0]  # evaluate's full-programme point
        recorded = {**plain, **full}
        try:
            params = make_params(recorded)
            check_runs_fit("evaluate", [("the full programme with its record", params)], workers=1)
        except ConfigError as error:
            print(f"{size:>10} refused up front: {error}")
            continue
        a, b = measure(plain), measure(recorded)
        print(
            f"{size:>10} {a['seconds']:>8.2f} {a['peak_mib']:>10.0f} {b['seconds']:>9.2f} {b['peak_mib']:>11.0f} "
            f"{b['seconds'] / a['seconds']:>7.2f} {b['peak_mib'] / a['peak_mib']:>7.2f} {b['record_mib']:>9.2f} "
            f"{estimated_run_bytes(params) / 2**20:>13.0f}"
        )
    print(f"target: the record's peak at most {PEAK_RATIO_TARGET:.0f}x the plain run's")


if __name__ == "__main__":
    main()
