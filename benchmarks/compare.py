"""Side-by-side speed of this checkout and a reference commit, in one script, printing ratios.

Each measurement runs in a fresh interpreter, alternating between this checkout and the reference
(extracted with ``git archive`` into a temporary folder, so the repository's worktrees are left
alone), on the same configs and seeds. Both sides import the model from their own source tree:
commits before the ``tracktwo`` namespace expose it as the top-level ``model`` package, later ones
as ``tracktwo.model`` (the script builds the namespace from the extracted folders).

    .venv/bin/python benchmarks/compare.py                   # vs 88a2627: default, every feature, N, build
    .venv/bin/python benchmarks/compare.py --only default    # one measurement
    .venv/bin/python benchmarks/compare.py --reference c3986bb --rounds 5

What it measures (CPU time of the process, which other work on the machine disturbs less than
wall time; each figure is the median over rounds of each round's median):

- ``default``: one ``simulate({}, seed)`` (120 months, about 240 actors), seeds 0..runs-1.
- ``every_feature``: a run with every optional mechanism on (the full record, rival ideas,
  per-side ripeness, a programme of every format, a second initiative, voice, proscribed groups);
  the reference runs it only if its parameters accept the config (else "n/a").
- ``diffusion_N``: ``model.step()`` on the SI config of bench_diffusion.py at N agents.
- ``build_100000``: building a 100,000-actor model (the default kinds scaled up, no workshops).

Targets (issue 22): default at most 20 ms and at most 0.67x the reference's; every feature at
most 2x the default; the 100,000-actor build at most 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["MEASURES", "main"]

HERE = Path(__file__).resolve().parents[1]
REFERENCE_COMMIT = "88a2627"  # main before the round that made a default run 2.3x slower (issue 22)
DEFAULT_TARGET_MS = 20.0
DEFAULT_TARGET_RATIO = 0.67
EVERY_FEATURE_TARGET = 2.0  # x the default run
BUILD_TARGET_S = 0.3
SIZES = (1_000, 10_000, 100_000)
TIMEOUT_S = 120  # per measurement and side (an old commit may build a large network very slowly)
SI_STEPS = 50

EVERY_FEATURE = {
    "sides": 3,
    "evaluation.record": True,
    "evaluation.attribute": ["workshop:1", "format:training", "route:via_elites"],
    "rivals.track_one_rate": 0.2,
    "rivals.outside_rate": 0.2,
    "ripeness.scope": "per_side",
    "voice.weights": {"kind_elite": 0.5},
    "kinds.elite.proscribed": 0.1,
    "programme.third_party": {"type": "ngo_mediator", "facilitation": "hybrid"},
    "programme.events": [
        {"format": "training", "step": 2, "count": 2, "interval": 3, "size": 16},
        {"format": "workshop", "step": 9, "count": 10, "interval": 4},
        {"format": "shuttle", "step": 12, "count": 2, "interval": 12},
        {"format": "exposure_trip", "step": 18, "audience": "officials"},
        {"format": "knowledge_product", "step": 30},
    ],
    "initiatives": [{"name": "second NGO", "events": [{"format": "workshop", "step": 5, "count": 6, "interval": 6}]}],
}


def si_config(n_agents: int) -> dict:
    """bench_diffusion.py's plain SI config (one kind, one side, one seeded idea, no workshops)."""
    return {
        "sides": 1,
        "kinds": {
            "official": None,
            "elite": None,
            "grassroots": None,
            "autonomous": {"behaviour": "autonomous", "count": n_agents},
        },
        "workshops.count": 0,
        "workshops.mix": {"autonomous": 1.0},
        "initial_ideas": {"count": 1, "holders": max(1, round(0.01 * n_agents)), "novelty": 0.0},
        "forgetting.rate": 0.0,
        "ripeness.mode": "off",
        "diffusion.advocacy_span": None,
        "diffusion.base_rate": 0.02,
        "network.type": "erdos_renyi",
        "network.mean_degree": 8.0,
        "steps": SI_STEPS,
    }


def build_config(n_actors: int) -> dict:
    """The default kinds scaled to about n_actors actors over two sides, without workshops."""
    shares = {"official": 20, "elite": 15, "autonomous": 25, "grassroots": 60}
    total = sum(shares.values()) * 2
    kinds = {k: {"count": max(1, round(n_actors * v / total))} for k, v in shares.items()}
    return {"kinds": kinds, "workshops.count": 0}


TIMER = r"""
import json, statistics, sys, time
spec = json.loads(sys.argv[1])
if spec["namespace"]:
    from tracktwo.model import TrackTwoModel, simulate
    import tracktwo.model
    assert tracktwo.model.__file__.startswith(spec["source"]), tracktwo.model.__file__
else:  # a commit before the tracktwo namespace: the top-level package `model`
    from model import TrackTwoModel, simulate
kind, config, count = spec["kind"], spec["config"], spec["count"]
seconds = []
try:
    if kind == "run":
        simulate(config, 0)  # warm-up (imports, caches)
        for seed in range(count):
            start = time.process_time()
            simulate(config, seed)
            seconds.append(time.process_time() - start)
    elif kind == "step":
        for seed in range(count):
            model = TrackTwoModel(config, seed=seed)
            start = time.process_time()
            for _ in range(config["steps"]):
                model.step()
            seconds.append((time.process_time() - start) / config["steps"])
    else:  # build
        TrackTwoModel(config, seed=0)  # warm-up
        for seed in range(count):
            start = time.process_time()
            TrackTwoModel(config, seed=seed)
            seconds.append(time.process_time() - start)
except Exception as error:  # the reference may not know a parameter
    print(json.dumps({"error": f"{type(error).__name__}: {str(error).splitlines()[0][:120]}"}))
else:
    print(json.dumps({"seconds": statistics.median(seconds)}))
"""


def _namespace(source: Path, scratch: Path) -> Path:
    """A folder to put on sys.path so that `tracktwo` (or, for old commits, `model`) imports from `source`.

    For a commit with the namespace, the folder is built under `scratch` (links to the source's folders).
    """
    if not (source / "tracktwo" / "__init__.py").exists():
        return source
    shim = scratch / f"shim-{abs(hash(str(source)))}"
    package = shim / "tracktwo"
    if not package.exists():
        package.mkdir(parents=True)
        (package / "__init__.py").write_text((source / "tracktwo" / "__init__.py").read_text())
        for sub in ("model", "experiments", "app"):
            if (source / sub).exists():
                (package / sub).symlink_to(source / sub)
        for extra in (source / "tracktwo").iterdir():
            if extra.name not in ("__init__.py", "__pycache__") and not (package / extra.name).exists():
                (package / extra.name).symlink_to(extra)
    return shim


def _measure(source: Path, spec: dict, scratch: Path) -> float | str:
    """Median CPU seconds of one measurement in a fresh interpreter importing the model from `source`."""
    path = _namespace(source, scratch)
    environment = {**os.environ, "PYTHONPATH": str(path)}
    spec = {**spec, "namespace": path != source, "source": str(path)}
    try:
        done = subprocess.run(
            [sys.executable, "-c", TIMER, json.dumps(spec)],
            capture_output=True,
            text=True,
            cwd=path,
            env=environment,
            check=False,
            timeout=TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return f"over {TIMEOUT_S} s"
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1][:100]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    return answer.get("seconds", answer.get("error"))


MEASURES: dict[str, dict] = {
    "default": {"kind": "run", "config": {}, "count": 15},
    "every_feature": {"kind": "run", "config": EVERY_FEATURE, "count": 8},
    **{f"diffusion_{n}": {"kind": "step", "config": si_config(n), "count": 2} for n in SIZES},
    "build_100000": {"kind": "build", "config": build_config(100_000), "count": 3},
}


def _format(value: float | str, unit: str) -> str:
    if isinstance(value, str):  # an error or a timeout: its kind only (the details are long)
        return "n/a (" + value.split(":")[0][:20] + ")"
    return f"{value * 1e3:9.2f} ms" if unit == "ms" else f"{value:9.3f} s"


def main(argv: list[str] | None = None) -> None:
    """Measure this checkout against the reference commit and print each ratio (this / reference)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", default=REFERENCE_COMMIT, help=f"commit to compare with ({REFERENCE_COMMIT})")
    parser.add_argument("--only", nargs="+", choices=sorted(MEASURES), help="measure only these")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per measurement (median)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rounds = args.rounds
    print(f"tracktwo speed: this checkout vs {args.reference} (CPU time, median of {rounds} rounds; load {load:.1f})")
    results: dict[str, tuple[float | str, float | str]] = {}
    with tempfile.TemporaryDirectory(prefix="tracktwo-reference-") as folder:
        reference, scratch = Path(folder) / "reference", Path(folder) / "scratch"
        reference.mkdir()
        archive = subprocess.run(["git", "archive", args.reference], cwd=HERE, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(reference)], input=archive.stdout, check=True)
        print(f"  {'measure':<18} {args.reference:>12} {'this':>12} {'ratio':>7}")
        for name in args.only or list(MEASURES):
            spec = MEASURES[name]
            mine: list[float] = []
            theirs: list[float] = []
            for _ in range(args.rounds):  # alternating, so a change in machine load hits both alike
                for source, into in ((reference, theirs), (HERE, mine)):
                    if into and isinstance(into[0], str):
                        continue  # failed or timed out once: not again
                    value = _measure(source, spec, scratch)
                    if isinstance(value, float):
                        into.append(value)
                    elif not into:
                        into.append(value)  # type: ignore[arg-type]
            a = statistics.median(theirs) if all(isinstance(v, float) for v in theirs) else theirs[0]
            b = statistics.median(mine) if all(isinstance(v, float) for v in mine) else mine[0]
            unit = "s" if name.startswith("build") else "ms"
            ratio = f"{b / a:6.2f}x" if isinstance(a, float) and isinstance(b, float) else "    n/a"
            print(f"  {name:<18} {_format(a, unit):>12} {_format(b, unit):>12} {ratio}")
            results[name] = (a, b)
    _verdicts(results)


def _verdicts(results: dict[str, tuple[float | str, float | str]]) -> None:
    """The issue's targets, where both figures exist."""
    lines = []
    if "default" in results and isinstance(results["default"][1], float):
        reference, mine = results["default"]
        lines.append(f"default run {mine * 1e3:.1f} ms (target <= {DEFAULT_TARGET_MS:g} ms)")
        if isinstance(reference, float):
            lines.append(f"default vs reference {mine / reference:.2f}x (target <= {DEFAULT_TARGET_RATIO})")
        every = results.get("every_feature", (None, None))[1]
        if isinstance(every, float):
            lines.append(f"every feature / default {every / mine:.2f}x (target <= {EVERY_FEATURE_TARGET:g}x)")
    build = results.get("build_100000", (None, None))[1]
    if isinstance(build, float):
        lines.append(f"100,000-actor build {build:.3f} s (target <= {BUILD_TARGET_S} s)")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
