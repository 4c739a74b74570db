"""Does the demo give the same best set and robust answer at two sweep seeds (issue 23)?

Runs configs/sweeps/participant_mix.yaml (what `make demo` runs) at each seed into OUT/seed-N/
(resumable: an interrupted folder is finished, a finished one only read), then prints each seed's
best set, its robust answer and where the two agree, and, for every mix in only one of the best sets,
its paired difference to the best at each seed with how far beyond the indifference zone it is in
standard errors (z = (gap - delta) / se: the last look drops a mix at z above its critical value,
about 3.2 in the demo, so mixes with z between about 1 and 5 fall either side of the edge by luck;
docs/sweep_statistics.md). Exit code 0 when the best sets are the same, 1 when they differ.

    .venv/bin/python benchmarks/demo_two_seeds.py                      # seeds 20260601 and 20260777
    .venv/bin/python benchmarks/demo_two_seeds.py --seeds 1 2 --out /tmp/two-seeds
    .venv/bin/python benchmarks/demo_two_seeds.py --budget 5250        # the demo at 1.5 times its budget

Each seed costs what `make demo` costs (two to six minutes on 2 cores, with the figures skipped).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "configs" / "sweeps" / "participant_mix.yaml"
SEEDS = (20260601, 20260777)


def _run(
    seed: int, out: Path, workers: int | None, budget: int | None = None
) -> tuple[set[str], str, int, dict[str, str], float | None]:
    """One sweep seed's best set (mix texts), robust answer, runs, gaps to the best and wall time (None when read).

    The gaps are each mix's paired difference to the best in words (`_gaps`).
    """
    from tracktwo.experiments.labels import describe_mix

    import tracktwo

    design = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    design["seed"] = seed
    if budget is not None:
        design["budget"] = budget
    design["base"] = str((DEMO.parent / design["base"]).resolve())
    folder = out / (f"seed-{seed}" if budget is None else f"seed-{seed}-budget-{budget}")
    finished = (folder / "summary.csv").exists()
    start = time.perf_counter()
    result = (
        tracktwo.load(folder)
        if finished
        else tracktwo.sweep(design, out=folder, workers=workers, plot=False, resume=folder.exists())
    )
    summary = result.summary
    mixes = [c for c in summary.columns if c.startswith("workshops.mix.")]
    chosen = summary.loc[summary["in_best_set"].astype(bool), mixes]
    inside = {describe_mix(row) for row in chosen.to_dict("records")}
    answer = describe_mix(result.robustness.answer) if result.robustness is not None else "-"
    elapsed = None if finished else time.perf_counter() - start
    return inside, answer, len(result.runs), _gaps(summary, mixes, float(design.get("indifference") or 0.0)), elapsed


def _gaps(summary: pd.DataFrame, mixes: list[str], delta: float) -> dict[str, str]:
    """Each mix's paired gap to the best, its standard error (from the 95% interval) and z = (gap - delta) / se."""
    from tracktwo.experiments.labels import describe_mix

    found = {}
    for row in summary.to_dict("records"):
        gap = -float(row["difference"])
        se = (float(row["difference_high"]) - float(row["difference_low"])) / (2 * 1.959964)
        z = (gap - delta) / se if se > 0 else float("nan")
        where = "in" if row["in_best_set"] else "out"
        found[describe_mix({k: row[k] for k in mixes})] = f"gap {gap:.3f} (se {se:.3f}, z {z:+.1f}, {where})"
    return found


def main(argv: list[str] | None = None) -> int:
    """Run both seeds, print the two best sets and robust answers, exit 1 if the best sets differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=SEEDS)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "demo_two_seeds")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--budget", type=int, default=None, help="runs in all (default: the demo's own budget)")
    args = parser.parse_args(argv)
    found = {seed: _run(seed, args.out, args.workers, args.budget) for seed in args.seeds}
    for seed, (inside, robust, runs, _, elapsed) in found.items():
        took = f" in {elapsed:.0f} s" if elapsed is not None else ""
        print(f"seed {seed}: {runs:,} runs{took}; best set ({len(inside)}): {'; '.join(sorted(inside))}")
        print(f"  robust answer: {robust}")
    (first, a), (second, b) = found.items()
    common = a[0] & b[0]
    print(f"in both best sets ({len(common)}): {'; '.join(sorted(common))}")
    for seed, only in ((first, a[0] - b[0]), (second, b[0] - a[0])):
        if only:
            print(f"only at seed {seed} ({len(only)}): {'; '.join(sorted(only))}")
            for mix in sorted(only):
                print(f"  {mix}: seed {first} {a[3].get(mix, '-')}; seed {second} {b[3].get(mix, '-')}")
    same_answer, same_set = a[1] == b[1], a[0] == b[0]
    print(f"robust answer the same: {'yes' if same_answer else 'no'}; best set the same: {'yes' if same_set else 'no'}")
    return 0 if a[0] == b[0] else 1


if __name__ == "__main__":
    sys.exit(main())
