"""How far is the demo from a best set that two sweep seeds agree on (issue 23)?

Runs configs/sweeps/participant_mix.yaml (what `make demo` runs) with a fixed number of replicates of
every mix in every scenario (an even allocation; 24 by default, 5,040 runs a seed) into OUT/seed-N
(resumable: an interrupted folder is finished, a finished one only read), then prints, for every mix
less than --within behind the best: its paired gap to the best, averaged over the scenarios and
stratified by scenario as the best set compares mixes, its standard error, the run-level standard
deviation of that paired difference, and the replicates per scenario it would need to leave the best
set in 97.5% of sweeps at the critical value d of the demo's last look:

    n = (sd (d + 2) / (gap - delta))^2 / scenarios

(the set drops a mix when gap - delta > d se, and se = sd / sqrt(n scenarios); 2 standard errors of
margin make that happen in 97.5% of sweeps). A mix within delta of the best never leaves the set. The
total is what an allocation that knew every gap (an oracle) would spend to decide the mixes between
delta + 0.05 and --within: a lower bound on what any sequential procedure needs before two seeds can
agree on those mixes (docs/sweep_statistics.md).

    .venv/bin/python benchmarks/best_set_edge.py                     # seeds 20260601 and 20260777
    .venv/bin/python benchmarks/best_set_edge.py --seeds 1 --replicates 8 --out /tmp/edge
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "configs" / "sweeps" / "participant_mix.yaml"
SEEDS = (20260601, 20260777)
MARGIN = 2.0  # standard errors beyond the critical value: dropped in 97.5% of sweeps (one-sided normal)
MIN_REPLICATES = 8  # per scenario: fewer and the stratified bootstrap-t of the critical value has no tails
UNDECIDABLE = 0.05  # mixes within delta + this of the best are left out of the total: they need tens of thousands


def _runs(seed: int, replicates: int, out: Path, workers: int | None) -> tuple[pd.DataFrame, dict]:
    """Every run of the demo at `replicates` per mix in each scenario (run now or read), and the demo's design."""
    import tracktwo

    design = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    even = {key: value for key, value in design.items() if key not in ("initial_replicates", "budget", "confidence")}
    even.update(seed=seed, replicates=replicates, name=f"{design['name']}_even")
    even["base"] = str((DEMO.parent / design["base"]).resolve())
    folder = out / f"seed-{seed}"
    if not (folder / "summary.csv").exists():
        tracktwo.sweep(even, out=folder, workers=workers, plot=False, resume=folder.exists())
    return pd.read_parquet(folder / "runs.parquet"), {**design, "seed": seed}


def edge(runs: pd.DataFrame, design: dict, within: float) -> tuple[pd.DataFrame, float]:
    """One row per mix less than `within` behind the best (gap, se, sd, replicates needed), and the critical value d."""
    from tracktwo.experiments.analysis import bestset
    from tracktwo.experiments.labels import describe_mix

    scenarios = int(design["scenarios"])
    metric, delta = design["metric"]["name"], float(design.get("indifference") or 0.0)
    points, y = bestset.matrix(runs, metric)
    y, _, strata = bestset.by_scenario(y, np.isfinite(y), scenarios)
    levers = points[::scenarios]
    diff, se = bestset.paired_differences(y, True, strata)
    best = int(np.argmax(diff[:, 0]))  # diff[i, 0] = mean_i - mean_0 when every mix ran every column
    gap, error = diff[best], se[best]
    columns = y.shape[1]
    contenders = gap < within
    looks = bestset.look_schedule(len(levers), int(design["initial_replicates"]) * scenarios, int(design["budget"]))
    level = 1 - (1 - float(design["confidence"])) / len(looks)
    chosen = bestset.best_set(y, levers, "maximize", level, True, 2000, 0, contenders, delta, strata)
    d = float(np.nanmedian(chosen.critical[contenders]))
    mixes = runs.drop_duplicates("point").set_index("point")
    keys = [c for c in runs.columns if c.startswith("workshops.mix.")]
    rows = []
    for row in np.flatnonzero(contenders):
        if row == best:
            continue
        sd = float(error[row]) * math.sqrt(columns)
        needed = (sd * (d + MARGIN) / (gap[row] - delta)) ** 2 / scenarios if gap[row] > delta else math.inf
        rows.append(
            {
                "mix": describe_mix(mixes.loc[levers[row], keys].to_dict()),
                "gap": float(gap[row]),
                "se": float(error[row]),
                "sd_per_run": sd,
                "replicates_needed": needed,
            }
        )
    table = pd.DataFrame(rows).sort_values("gap", ignore_index=True)
    table.attrs["best"] = describe_mix(mixes.loc[levers[best], keys].to_dict())
    return table, d


def main(argv: list[str] | None = None) -> int:
    """Run (or read) each seed's even sweep and print its edge mixes and the replicates that would decide them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=SEEDS)
    parser.add_argument("--replicates", type=int, default=24)
    parser.add_argument("--within", type=float, default=0.45)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "best_set_edge")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    if args.replicates < MIN_REPLICATES:
        parser.error(f"--replicates: at least {MIN_REPLICATES} (the critical value's bootstrap draws within scenarios)")
    for seed in args.seeds:
        runs, design = _runs(seed, args.replicates, args.out, args.workers)
        table, d = edge(runs, design, args.within)
        delta = float(design.get("indifference") or 0.0)
        print(f"seed {seed}: best {table.attrs['best']}; {args.replicates} replicates per mix in each scenario")
        print(f"  critical value of the demo's last look d = {d:.2f}, indifference delta = {delta:g}")
        for row in table.itertuples():
            needed = "never (within delta)" if math.isinf(row.replicates_needed) else f"{row.replicates_needed:,.0f}"
            print(f"  {row.gap:.3f} (se {row.se:.3f}, sd {row.sd_per_run:.2f})  {needed:>22}  {row.mix}")
        decidable = table[table["gap"] > delta + UNDECIDABLE]
        total = int(np.ceil(decidable["replicates_needed"]).sum())
        most = int(np.ceil(decidable["replicates_needed"].max())) if len(decidable) else 0
        runs_needed = (total + most) * int(design["scenarios"])
        print(
            f"  to decide the {len(decidable)} mixes {delta + UNDECIDABLE:g} to {args.within:g} behind: "
            f"{total:,} replicates per scenario, with the best's own {most:,}: {runs_needed:,} runs "
            f"(the demo's budget: {int(design['budget']):,})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
