"""Instructions per run, counted by valgrind's callgrind: load-independent, unlike compare.py's times.

Each config is run under callgrind in fresh interpreters: once to compile numba's kernels for valgrind's CPU
(cached, not counted), then twice (``OPENBLAS_NUM_THREADS=1``,
``PYTHONHASHSEED=0``): a warm-up run alone, then the warm-up run and 4 runs on seeds 0-3. The
difference over 4 is one run's instructions, without the imports and the first run's caches
(repeatable to about 0.5%). Needs valgrind (Debian's package).

    .venv/bin/python benchmarks/instructions.py default every_feature
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from compare import EVERY_FEATURE

__all__ = ["CONFIGS", "count", "main"]

CONFIGS: dict[str, dict] = {"default": {}, "every_feature": EVERY_FEATURE, "sides3": {"sides": 3}}
SEEDS = range(4)
WARM_UP_SEED = 99


def _runs(name: str, with_runs: bool) -> None:
    """What runs under callgrind: the warm-up run, then (with_runs) the counted ones."""
    from tracktwo.model.simulate import simulate

    simulate(CONFIGS[name], WARM_UP_SEED)
    if with_runs:
        for seed in SEEDS:
            simulate(CONFIGS[name], seed)


def _instructions(name: str, with_runs: bool, folder: Path) -> int:
    out = folder / f"{name}-{int(with_runs)}.out"
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONHASHSEED="0")
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__, "--inner", name]
    subprocess.run([*command, *(["--with-runs"] if with_runs else [])], env=env, check=True, capture_output=True)
    summary = next(line for line in out.read_text().splitlines() if line.startswith("summary:"))
    return int(summary.split()[1])


def count(name: str) -> float:
    """Millions of instructions per run of CONFIGS[name]."""
    with tempfile.TemporaryDirectory() as folder:
        # valgrind's CPU is not the machine's (no AVX-512), so numba compiles the kernels for it once and caches
        # them: that first process is left out, or its compilation would count as the runs'
        _instructions(name, False, Path(folder))
        both = _instructions(name, True, Path(folder))
        warm = _instructions(name, False, Path(folder))
    return (both - warm) / len(SEEDS) / 1e6


def main() -> None:
    """Count the configs named (default and every feature) and print their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "configs", nargs="*", metavar="config", help=f"of {', '.join(CONFIGS)} (default: the first two)"
    )
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--with-runs", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        _runs(args.inner, args.with_runs)
        return
    unknown = [name for name in args.configs if name not in CONFIGS]
    if unknown:
        parser.error(f"config: {unknown[0]!r} is not one of {', '.join(CONFIGS)}")
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py: valgrind not found (Debian's package valgrind)")
    counted = {name: count(name) for name in args.configs or ["default", "every_feature"]}
    for name, millions in counted.items():
        print(f"{name:15s} {millions:8.1f} million instructions per run")
    if "default" in counted and "every_feature" in counted:
        print(f"every feature / default {counted['every_feature'] / counted['default']:.2f}x in instructions")


if __name__ == "__main__":
    main()
