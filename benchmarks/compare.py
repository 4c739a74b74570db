"""Side-by-side speed of this checkout and a reference commit, in one script, printing figures, ratios and targets.

Each measurement runs in a fresh interpreter, alternating between this checkout and the reference
(extracted with ``git archive`` into a temporary folder, so the repository's worktrees are left
alone), on the same configs and seeds. Both sides import the model from their own source tree:
commits before the ``tracktwo`` namespace expose it as the top-level ``model`` package, later ones
as ``tracktwo.model`` (timing.py builds the namespace from the extracted folders).

    .venv/bin/python benchmarks/compare.py                      # vs 88a2627, everything (about 10-15 minutes)
    .venv/bin/python benchmarks/compare.py --quick              # short settings: 1 round, 10,000 runs fewer
    .venv/bin/python benchmarks/compare.py --only default diffusion_10000
    .venv/bin/python benchmarks/compare.py --full-demo          # make demo's sweep as shipped, not reduced
    .venv/bin/python benchmarks/compare.py --reference c3986bb --rounds 5

What it measures (each figure the median over rounds of each round's median):

- ``default``: one ``simulate({}, seed)`` (120 months, about 240 actors), seeds 0..runs-1; CPU time.
- ``every_feature``: a run with every optional mechanism on (the full record, rival ideas,
  per-side ripeness, a programme of every format, a second initiative, voice, proscribed groups);
  the reference runs it only if its parameters accept the config (else "n/a"); CPU time.
- ``diffusion_N``, N = 1,000, 10,000, 100,000: one ``model.step()`` of plain SI diffusion
  (timing.si_config, as bench_diffusion.py), CPU time per step, and in the same interpreter, on the
  model's own network and seeded holders, the bare numpy/scipy kernel (every N) and the per-agent
  Mesa loop (N <= 10,000): each side's speed ratios model / Mesa (how many times faster the model
  is) and kernel / model (how many times faster the kernel is; below 1, the model is faster).
- ``build_100000``: building a 100,000-actor model (the default kinds scaled up, no workshops).
- ``demo_sweep``: ``tracktwo sweep configs/sweeps/participant_mix.yaml --overwrite --top 0`` (what
  ``make demo`` runs, figures included), each tree's own file; by default REDUCED to a fixed
  DEMO_REPLICATES replicates of each of its 35 mixes (the same runs on both sides), with
  ``--full-demo`` as shipped (this checkout: sequential allocation up to 3,500 runs; 88a2627: 100
  replicates). Wall time (the pool's 2 workers), with the CPU time of the command and its children.
- ``evaluate_20``: ``tracktwo evaluate --replicates 10`` of the default programme (20 workshops);
  "n/a" at a commit without the command. Wall and CPU time as the sweep.

Targets (issue 22): default at most 20 ms and at most 0.67x the reference's; every feature at
most 2x the default; at N = 10,000 at least 30x the Mesa loop and the kernel within 1.5x; at
N = 100,000 faster than the kernel; the 100,000-actor build at most 0.3 s; ``make demo`` at most
60 s; the evaluate at most 2 minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from timing import SourceTrees, is_commit, run_measurement

__all__ = ["MEASURES", "main"]

REFERENCE_COMMIT = "88a2627"  # main before the round that made a default run 2.3x slower (issue 22)
DEFAULT_TARGET_MS = 20.0
DEFAULT_TARGET_RATIO = 0.67
EVERY_FEATURE_TARGET = 2.0  # x the default run
MESA_TARGET = 30.0  # model / Mesa loop at N = 10,000, at least
KERNEL_TARGET = 1.5  # kernel / model at N = 10,000, at most
KERNEL_LARGE_TARGET = 1.0  # kernel / model at N = 100,000, at most (the model faster than the kernel)
BUILD_TARGET_S = 0.3
DEMO_TARGET_S = 60.0
EVALUATE_TARGET_S = 120.0
SIZES = (1_000, 10_000, 100_000)
MESA_MAX_N = 10_000  # the per-agent Mesa loop takes seconds per step beyond this
SI_STEPS = 50
DEMO_REPLICATES = 10
EVALUATE_REPLICATES = 10  # issue 22's evaluate: 20 workshops x 10 replicates
TIMEOUT_S = 120.0  # per model measurement and side (an old commit may build a large network very slowly)
COMMAND_TIMEOUT_S = 900.0  # per command (sweep, evaluate) and side

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


def build_config(n_actors: int) -> dict:
    """The default kinds scaled to about n_actors actors over two sides, without workshops."""
    shares = {"official": 20, "elite": 15, "autonomous": 25, "grassroots": 60}
    total = sum(shares.values()) * 2
    kinds = {k: {"count": max(1, round(n_actors * v / total))} for k, v in shares.items()}
    return {"kinds": kinds, "workshops.count": 0}


DEMO_FILE = "{source}/configs/sweeps/participant_mix.yaml"
MEASURES: dict[str, dict] = {
    "default": {"kind": "run", "config": {}, "count": 15},
    "every_feature": {"kind": "run", "config": EVERY_FEATURE, "count": 8},
    **{
        f"diffusion_{n}": {
            "kind": "si",
            "n_agents": n,
            "steps": SI_STEPS,
            "count": 2,
            "kernel": True,
            "mesa": n <= MESA_MAX_N,
        }
        for n in SIZES
    },
    "build_100000": {"kind": "build", "config": build_config(100_000), "count": 3},
    "demo_sweep": {
        "kind": "command",
        "arguments": ["sweep", DEMO_FILE, "--overwrite", "--top", "0", "--no-progress", "--out"],
        "sweep_changes": {"replicates": DEMO_REPLICATES},
    },
    "evaluate_20": {
        "kind": "command",
        "arguments": ["evaluate", "--replicates", str(EVALUATE_REPLICATES), "--no-progress", "--overwrite", "--out"],
    },
}
COMMANDS = [name for name, spec in MEASURES.items() if spec["kind"] == "command"]


def _spec(name: str, args: argparse.Namespace, out: Path) -> dict:
    """The measurement's spec with this invocation's settings (short runs, the full demo, an output folder)."""
    spec = dict(MEASURES[name])
    if spec["kind"] == "command":
        spec["arguments"] = [*spec["arguments"], str(out)]
        spec["out"] = str(out)
        if name == "demo_sweep":
            spec["sweep_changes"] = {"replicates": args.demo_replicates}
            if args.full_demo:
                spec.pop("sweep_changes")
        if name == "evaluate_20" and args.evaluate_replicates != EVALUATE_REPLICATES:  # a shorter evaluate
            at = spec["arguments"].index("--replicates") + 1
            spec["arguments"][at] = str(args.evaluate_replicates)
    elif args.quick:
        spec["count"] = max(1, spec["count"] // 3)
    return spec


def _median(values: list[dict], key: str) -> float | None:
    numbers = [v[key] for v in values if isinstance(v.get(key), float)]
    return statistics.median(numbers) if numbers else None


def measure_both(trees: SourceTrees, name: str, args: argparse.Namespace) -> dict[str, dict]:
    """Each side's figures for one measurement: medians over rounds (alternating sides), or the first error."""
    spec_kind = MEASURES[name]["kind"]
    rounds = 1 if args.quick or (spec_kind == "command" and not args.command_rounds) else args.rounds
    if spec_kind == "command" and args.command_rounds:
        rounds = args.command_rounds
    timeout = COMMAND_TIMEOUT_S if spec_kind == "command" else TIMEOUT_S
    answers: dict[str, list[dict]] = {label: [] for label, _ in trees.sides()}
    for number in range(rounds):  # alternating, so a change in machine load hits both alike
        for label, source in trees.sides():
            if answers[label] and "error" in answers[label][0]:
                continue  # failed or timed out once: not again
            out = trees.scratch / f"{name}-{label}-{number}"
            answers[label].append(run_measurement(trees, source, _spec(name, args, out), timeout))
    merged = {}
    for label, values in answers.items():
        if "error" in values[0]:
            merged[label] = {"error": values[0]["error"]}
        else:
            merged[label] = {key: _median(values, key) for key in values[0]}
    return merged


def _shown(answer: dict, unit: str) -> str:
    if "error" in answer:  # an error or a timeout: its kind only (the details are long)
        return "n/a (" + answer["error"].split(":")[0][:20] + ")"
    value = answer["seconds"]
    if unit == "ms":
        return f"{value * 1e3:9.2f} ms"
    if unit == "cmd":
        return f"{value:7.1f} s ({answer['cpu']:.0f} s CPU)"
    return f"{value:9.3f} s"


def _unit(name: str) -> str:
    if name in COMMANDS:
        return "cmd"
    return "s" if name.startswith("build") else "ms"


def main(argv: list[str] | None = None) -> None:
    """Measure this checkout against the reference commit and print each figure and ratio (this / reference)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", default=REFERENCE_COMMIT, help=f"commit to compare with ({REFERENCE_COMMIT})")
    parser.add_argument("--only", nargs="+", choices=list(MEASURES), help="measure only these")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per model measurement (median)")
    parser.add_argument("--command-rounds", type=int, default=0, help="rounds of the sweep and evaluate (default 1)")
    parser.add_argument("--quick", action="store_true", help="one round, a third of the runs per measurement")
    parser.add_argument("--full-demo", action="store_true", help="make demo's sweep as shipped (default: reduced)")
    parser.add_argument(
        "--demo-replicates",
        type=int,
        default=DEMO_REPLICATES,
        help=f"replicates per mix of the reduced demo sweep (default {DEMO_REPLICATES})",
    )
    parser.add_argument(
        "--evaluate-replicates",
        type=int,
        default=EVALUATE_REPLICATES,
        help=f"replicates of evaluate_20 (default {EVALUATE_REPLICATES}, the issue's; fewer: a shorter check)",
    )
    args = parser.parse_args(argv)
    if not is_commit(args.reference):
        parser.error(f"--reference: {args.reference!r} is not a commit here (give a commit, branch or tag)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rounds = 1 if args.quick else args.rounds
    print(
        f"tracktwo speed: this checkout vs {args.reference} (model figures: CPU time, median of {rounds} round(s); "
        f"commands: wall time; load {load:.1f} on {os.cpu_count()} cores)"
    )
    results: dict[str, dict[str, dict]] = {}
    with SourceTrees(args.reference) as trees:
        print(f"  {'measure':<18} {args.reference:>24} {'this':>24} {'ratio':>7}")
        for name in args.only or list(MEASURES):
            both = measure_both(trees, name, args)
            theirs, mine = both[args.reference], both["this"]
            ok = "error" not in theirs and "error" not in mine
            ratio = f"{mine['seconds'] / theirs['seconds']:6.2f}x" if ok else "    n/a"
            label = name + (" (reduced)" if name == "demo_sweep" and not args.full_demo else "")
            unit = _unit(name)
            print(f"  {label:<18} {_shown(theirs, unit):>24} {_shown(mine, unit):>24} {ratio}")
            for side, answer in ((args.reference, theirs), ("this", mine)):
                if "error" not in answer and ("mesa" in answer or "kernel" in answer):
                    parts = [f"model / Mesa loop {answer['mesa'] / answer['seconds']:.1f}x"] if "mesa" in answer else []
                    parts.append(f"kernel / model {answer['seconds'] / answer['kernel']:.2f}x")
                    print(f"    {side:>10}: " + ", ".join(parts))
            results[name] = both
    if "demo_sweep" in results and not args.full_demo:
        print(
            f"  (demo_sweep reduced: {args.demo_replicates} replicates of each mix; --full-demo runs make demo's file)"
        )
    if "evaluate_20" in results and args.evaluate_replicates != EVALUATE_REPLICATES:
        print(f"  (evaluate_20 reduced: {args.evaluate_replicates} replicates, not the issue's {EVALUATE_REPLICATES})")
    full_evaluate = args.evaluate_replicates == EVALUATE_REPLICATES
    for line in verdicts(results, args.reference, args.full_demo, full_evaluate):
        print("  " + line)


def verdicts(
    results: dict[str, dict[str, dict]], reference: str, full_demo: bool, full_evaluate: bool = True
) -> list[str]:
    """The issue's targets, where the figures exist: one line each, PASS or FAIL."""

    def mine(name: str) -> dict:
        return results.get(name, {}).get("this", {"error": "not measured"})

    def line(text: str, passed: bool) -> str:
        return f"{text}  {'PASS' if passed else 'FAIL'}"

    lines = []
    default = mine("default")
    if "error" not in default:
        ms = default["seconds"] * 1e3
        lines.append(line(f"default run {ms:.1f} ms (target <= {DEFAULT_TARGET_MS:g} ms)", ms <= DEFAULT_TARGET_MS))
        theirs = results["default"][reference]
        if "error" not in theirs:
            ratio = default["seconds"] / theirs["seconds"]
            lines.append(
                line(
                    f"default vs {reference} {ratio:.2f}x (target <= {DEFAULT_TARGET_RATIO})",
                    ratio <= DEFAULT_TARGET_RATIO,
                )
            )
        every = mine("every_feature")
        if "error" not in every:
            ratio = every["seconds"] / default["seconds"]
            lines.append(
                line(
                    f"every feature / default {ratio:.2f}x (target <= {EVERY_FEATURE_TARGET:g}x)",
                    ratio <= EVERY_FEATURE_TARGET,
                )
            )
    middle = mine("diffusion_10000")
    if "error" not in middle:
        vs_mesa, vs_kernel = middle["mesa"] / middle["seconds"], middle["seconds"] / middle["kernel"]
        lines.append(
            line(f"N=10,000: model / Mesa loop {vs_mesa:.1f}x (target >= {MESA_TARGET:g}x)", vs_mesa >= MESA_TARGET)
        )
        lines.append(
            line(f"N=10,000: kernel / model {vs_kernel:.2f}x (target <= {KERNEL_TARGET}x)", vs_kernel <= KERNEL_TARGET)
        )
    large = mine("diffusion_100000")
    if "error" not in large:
        vs_kernel = large["seconds"] / large["kernel"]
        lines.append(
            line(
                f"N=100,000: kernel / model {vs_kernel:.2f}x (target: model faster, < 1x)",
                vs_kernel < KERNEL_LARGE_TARGET,
            )
        )
    build = mine("build_100000")
    if "error" not in build:
        seconds = build["seconds"]
        lines.append(
            line(f"100,000-actor build {seconds:.3f} s (target <= {BUILD_TARGET_S} s)", seconds <= BUILD_TARGET_S)
        )
    demo = mine("demo_sweep")
    if "error" not in demo and full_demo:
        seconds = demo["seconds"]
        lines.append(
            line(f"make demo's sweep {seconds:.0f} s (target <= {DEMO_TARGET_S:g} s)", seconds <= DEMO_TARGET_S)
        )
    evaluate = mine("evaluate_20")
    if "error" not in evaluate and full_evaluate:
        seconds = evaluate["seconds"]
        text = f"evaluate, 20 workshops x 10 replicates {seconds:.0f} s (target <= {EVALUATE_TARGET_S:g} s)"
        lines.append(line(text, seconds <= EVALUATE_TARGET_S))
    return lines


if __name__ == "__main__":
    main()
