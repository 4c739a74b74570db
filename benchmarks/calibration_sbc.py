"""Simulation-based calibration of `tracktwo calibrate` on a programme's records (issue 24's recovery check).

For each of N datasets: draw true values of the fitted parameters from their priors, make records
with `tracktwo run` at those values (its own seed), calibrate to them, and ask whether each 90%
posterior interval holds the truth and is narrower than the prior's. Coverage near 90% (and at
least 80%) says the posterior's width is honest; width ratios below 1 say the records inform.

    .venv/bin/python benchmarks/calibration_sbc.py                       # 20 datasets, ~1 hour on 2 cores
    .venv/bin/python benchmarks/calibration_sbc.py --datasets 3 --population 12 --generations 2   # smoke run
    .venv/bin/python benchmarks/calibration_sbc.py --parameters 5 --datasets 8   # five parameters

Writes results/calibration-sbc/sbc.csv (one row per dataset and parameter) and prints the coverage.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from tracktwo.experiments.calibrate import calibrate
from tracktwo.experiments.cli import main as tracktwo
from tracktwo.experiments.design.calibration import load_calibration

PRIORS = {
    "diffusion.base_rate": [0.03, 0.3],
    "transfer.threshold": [0.1, 0.6],
    "ripeness.public_weight": [0.0, 2.0],
    "diffusion.official_aversion_unripe": [1.0, 10.0],  # with --parameters 4 or 5
    "diffusion.official_aversion_ripe": [0.0, 2.0],  # with --parameters 5
}
STATISTICS = [
    "ideas_recorded",
    "ideas_taken_up",
    "first_uptake_month",
    "mean_uptake_delay",
    "share_months_ripe",
    {"name": "uptake_curve", "months": [40, 60]},
]


def main() -> None:
    """Run the datasets and print coverage and width ratios per parameter."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=20)
    parser.add_argument("--population", type=int, default=30)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--steps", type=int, default=72)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--parameters", type=int, default=3, choices=[3, 4, 5], help="how many of PRIORS to fit")
    parser.add_argument("--seed", type=int, default=20261205)
    parser.add_argument("--out", type=Path, default=Path("results/calibration-sbc"))
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    priors = dict(list(PRIORS.items())[: args.parameters])
    rows = []
    start = time.perf_counter()
    for dataset in range(args.datasets):
        truth = {key: float(rng.uniform(low, high)) for key, (low, high) in priors.items()}
        records = args.out / f"records-{dataset}"
        settings = [item for key, value in truth.items() for item in ("--set", f"{key}={value}")]
        seed = str(1000 + dataset)
        tracktwo(["run", "--seed", seed, "--steps", str(args.steps), *settings, "--out", str(records)])
        spec = load_calibration(
            {
                "name": f"sbc-{dataset}",
                "seed": args.seed + dataset,
                "parameters": priors,
                "targets": {"records": {"folder": str(records.resolve()), "statistics": STATISTICS}},
                "population": args.population,
                "budget": {"generations": args.generations, "runs": 100_000, "minutes": 120},
            }
        )
        result = calibrate(
            spec, out=args.out / f"fit-{dataset}", overwrite=True, progress=False,
            workers=args.workers, predictive_draws=0, plot=False,
        )  # fmt: skip
        runs = int(result.generations["model_runs"].sum())
        for _, row in result.intervals.iterrows():
            value = truth[row["parameter"]]
            rows.append(
                {
                    "dataset": dataset,
                    "parameter": row["parameter"],
                    "truth": value,
                    "posterior_low": row["posterior_low"],
                    "posterior_high": row["posterior_high"],
                    "covered": row["posterior_low"] <= value <= row["posterior_high"],
                    "width_ratio": row["width_ratio"],
                    "model_runs": runs,
                }
            )
        done = pd.DataFrame(rows)
        done.to_csv(args.out / "sbc.csv", index=False)  # after every dataset: an interrupted check keeps its figures
        print(
            f"dataset {dataset + 1}/{args.datasets}: {runs} runs, {time.perf_counter() - start:.0f} s; "
            f"coverage so far {done['covered'].mean():.0%}",
            flush=True,
        )
    table = pd.DataFrame(rows)
    summary = table.groupby("parameter").agg(
        coverage=("covered", "mean"), median_width_ratio=("width_ratio", "median"), datasets=("dataset", "nunique")
    )
    print(summary.to_string())
    print(f"{len(table['dataset'].unique())} datasets, {table.groupby('dataset')['model_runs'].first().sum()} runs, ")
    print(f"wall time {time.perf_counter() - start:.0f} s; wrote {args.out / 'sbc.csv'}")


if __name__ == "__main__":
    main()
