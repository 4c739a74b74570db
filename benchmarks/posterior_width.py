"""How wide are `evaluate`'s contribution intervals with a posterior, against without one (issue 24)?

For each of several evaluations (own seeds), runs a small programme without a posterior and with each
posterior asked for, on the same seeds, and prints the ratio of the summed widths of the "change when
removed" and Shapley intervals (impact and ideas that entered Track One), with the random-effects
intervals evaluate now gives ("new") and with the t interval over replicates it gave before ("old",
recomputed from the same runs). A one-sided Wilcoxon signed-rank test on the log ratios asks whether
the intervals with the posterior are wider.

    .venv/bin/python benchmarks/posterior_width.py                              # shipped + open, 10 replicates
    .venv/bin/python benchmarks/posterior_width.py --replicates 30 --posteriors shipped
    .venv/bin/python benchmarks/posterior_width.py --grassroots 30 --out /tmp/width

"open" is a posterior spread over the patterns calibration's priors (40 particles, as in
tests/experiments/test_posterior_draws.py); "shipped" is configs/calibration/posterior-patterns.
Each evaluation costs 8 coalitions x replicates runs (about 15 s at 10 replicates on one core).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "configs" / "calibration" / "posterior-patterns"
PROGRAMME = {"workshops.count": 3, "workshops.interval": 8, "steps": 48}
OUTCOMES = ["impact", "ideas_transferred"]


def open_posterior(folder: Path, particles: int = 40, seed: int = 7) -> Path:
    """Weighted particles spread over the patterns calibration's priors of two of its keys."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "particle": np.arange(particles),
            "diffusion.official_aversion_unripe": rng.uniform(1.0, 10.0, particles),
            "ripeness.public_weight": rng.uniform(0.0, 2.0, particles),
            "weight": rng.uniform(0.2, 1.0, particles),
        }
    )
    table["weight"] /= table["weight"].sum()
    folder.mkdir(parents=True, exist_ok=True)
    table.to_parquet(folder / "posterior.parquet", index=False)
    return folder


def width(table: pd.DataFrame) -> float:
    """Summed widths of the change-when-removed and Shapley intervals."""
    change = table["change_when_removed_high"] - table["change_when_removed_low"]
    return float(change.sum() + (table["shapley_high"] - table["shapley_low"]).sum())


def old_table(result, seed: int, steps: int) -> pd.DataFrame:
    """The same runs analysed as before: t intervals over replicates, the posterior's blocks ignored."""
    from tracktwo.experiments.analysis import contributions, verdicts
    from tracktwo.experiments.analysis.evaluation import Rule

    _, index = contributions.coalition_points(list(result.families))
    rules = {o: Rule(margin=m) for o, m in result.summary["rule"]["margins"].items()}
    families, outcomes = list(result.families), list(result.outcomes)
    return verdicts.tables(result.runs, families, index, outcomes, seed, rules, steps=steps)[0]


def main() -> None:
    """Run the evaluations, print each ratio and the summary per posterior and method."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--evaluations", type=int, default=8)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--grassroots", type=int, default=None, help="grassroots actors (default: the config's)")
    parser.add_argument("--posteriors", default="shipped,open", help="comma-separated: shipped, open")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "posterior-width")
    args = parser.parse_args()
    import tracktwo

    programme = dict(PROGRAMME)
    if args.grassroots is not None:
        programme["kinds.grassroots.count"] = args.grassroots
    folders = {"shipped": SHIPPED, "open": open_posterior(args.out / "open-posterior")}
    chosen = {name: folders[name] for name in args.posteriors.split(",")}
    common = {"set": programme, "outcomes": OUTCOMES, "replicates": args.replicates, "executor": "serial",
              "progress": False, "overwrite": True}  # fmt: skip
    rows = []
    for seed in range(args.first_seed, args.first_seed + args.evaluations):
        without = width(tracktwo.evaluate(seed=seed, out=args.out / f"none-{seed}", **common).table)
        for name, folder in chosen.items():
            result = tracktwo.evaluate(seed=seed, out=args.out / f"{name}-{seed}", posterior=folder, **common)
            rows.append(
                {
                    "seed": seed,
                    "posterior": name,
                    "new": width(result.table) / without,
                    "old": width(old_table(result, seed, programme["steps"])) / without,
                    "posterior_sd": float(result.table["posterior_sd"].mean()),
                }
            )
            print(rows[-1], flush=True)
    found = pd.DataFrame(rows)
    found.to_csv(args.out / f"widths-{args.replicates}.csv", index=False)
    for name, group in found.groupby("posterior"):
        for method in ("new", "old"):
            ratios = group[method].to_numpy(float)
            ratios = ratios[~np.isnan(ratios)]  # 0/0: nothing entered Track One in either arm
            # a zero ratio (nothing entered Track One with the posterior) counts as narrower in the sign test;
            # the geometric mean and the Wilcoxon test are over the evaluations with both widths above 0
            positive = np.log(ratios[(ratios > 0) & np.isfinite(ratios)])
            sign = stats.binomtest(int((ratios > 1).sum()), int((ratios != 1).sum()), alternative="greater")
            p = stats.wilcoxon(positive, alternative="greater").pvalue
            print(
                f"{name:8s} {method}: ratio median {np.median(ratios):.2f} "
                f"(range {ratios.min():.2f}-{ratios.max():.2f}), wider in {(ratios > 1).sum()} of {ratios.size} "
                f"(sign test p {sign.pvalue:.3f}); over the {positive.size} with both widths above 0: geometric "
                f"mean {np.exp(positive.mean()):.2f}, one-sided Wilcoxon p {p:.3f}"
            )


if __name__ == "__main__":
    main()
