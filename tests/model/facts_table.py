"""Print the F1 table (novelty, transfer rate, impact by autonomous share) and the F2 ratio for every case the
stylized-fact tests cover (2, 3 and 4 sides; half and four times the population), on the facts' seeds.

    .venv/bin/python tests/model/facts_table.py [--workers 2]

The numbers the tests judge, in the form a closing note or docs/ODD.md quotes them.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[2])]

from claims import ripe_ratio  # noqa: E402
from seeds import FACT_SEEDS  # noqa: E402
from test_stylized_facts import AUTONOMOUS_SHARES, CASES, STEPS, mix  # noqa: E402
from tracktwo.model import simulate  # noqa: E402

COLUMNS = ["ideas_generated", "mean_novelty_generated", "transfer_rate", "impact"]


def _run(task: tuple[str, float, int]) -> dict:
    case, share, seed = task
    outcomes = simulate({**CASES[case], **mix(share)}, seed=seed).outcomes
    return {"case": case, "autonomous_share": share, "seed": seed, **outcomes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = [(case, share, seed) for case in CASES for share in AUTONOMOUS_SHARES for seed in FACT_SEEDS]
    with ProcessPoolExecutor(args.workers) as pool:
        runs = pd.DataFrame(pool.map(_run, tasks, chunksize=8))
    for case, group in runs.groupby("case", sort=False):
        table = group.groupby("autonomous_share")[COLUMNS].mean().round(3)
        default = group[group.autonomous_share == 0.5]  # the default mix: half elites, half autonomous
        estimate, low, high = ripe_ratio(default.set_index("seed"), STEPS)
        seeds = f"{len(FACT_SEEDS)} seeds from {FACT_SEEDS.start}"
        print(f"\n{case} ({seeds}): F2 ratio {estimate:.1f} [99% CI {low:.1f}, {high:.1f}]")
        print(table.to_string())


if __name__ == "__main__":
    main()
