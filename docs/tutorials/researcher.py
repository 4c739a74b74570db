# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Researcher: your own experiment in a notebook
#
# A question, a sweep designed to answer it, a figure, and a regression, all from Python. The question
# is the **Autonomy Dilemma**: as a programme swaps influential elites for autonomous thinkers, the
# ideas generated get more novel but officials take fewer of them; does *impact* (the summed novelty
# of the ideas that entered Track One) peak at a mix in between?
#
# This notebook runs on **small settings** (5 mixes, 8 seeds each, 5 simulated years) so that it
# executes in seconds whenever the docs are built. For an answer you would publish, use the shipped
# `configs/sweeps/autonomy_dilemma.yaml` (11 mixes, 40 seeds, 10 years) or more replicates, on every
# core or a [dask cluster](../how-to/cluster.md).
#
# To run it yourself: `make setup EXTRAS="dev notebook"` brings JupyterLab and statsmodels into
# `.venv`, and `make docs` brings jupytext; `.venv/bin/jupytext --to ipynb docs/tutorials/researcher.py`
# makes it a notebook to open in `.venv/bin/jupyter lab`. (It also runs as a plain script.)

# %%
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import seaborn as sns
import statsmodels.formula.api as smf

import tracktwo

# run from the repository's root, where configs/ is (the docs build runs there already)
while not Path("configs").is_dir() and Path.cwd() != Path.cwd().parent:
    os.chdir("..")
out = Path(tempfile.mkdtemp(prefix="tracktwo-tutorial-"))  # results go here, not into results/
tracktwo.__version__

# %% [markdown]
# ## Design the sweep
#
# A sweep is what a sweep file holds, here as a dict: the parameters to vary (dotted keys, as in
# `tracktwo params`), how many seeds per point (`replicates`), the sweep's master seed (every run's
# seed derives from it, the point and the replicate), and the metric to rank points by. `derived`
# fills the elites' share from the autonomous share, so the mix always sums to one.

# %%
design = {
    "name": "my_dilemma",
    "method": "grid",
    "base": "configs/default.yaml",
    "metric": {"name": "impact", "goal": "maximize"},
    "replicates": 8,
    "seed": 2026,
    "steps": 60,
    "parameters": {"workshops.mix.autonomous": {"values": [0.0, 0.25, 0.5, 0.75, 1.0]}},
    "derived": {"workshops.mix.elite": "1 - workshops.mix.autonomous"},
}
result = tracktwo.sweep(design, out=out / "my_dilemma", executor="serial", progress=False, plot=False)
print(f"{result.finished} of {result.planned} runs finished in {result.elapsed_s:.1f} s")

# %% [markdown]
# `result.runs` has one row per run: the point, the replicate, the seed, the swept values and every
# outcome ([the outcomes](../reference/outcomes.md)). The same tables are in the results folder
# (`runs.parquet`, `runs.csv`, `summary.csv`, `manifest.json`), and `tracktwo.load(folder)` reads them
# back later.

# %%
runs = result.runs.rename(columns={"workshops.mix.autonomous": "autonomous"})
runs[["point", "replicate", "seed", "autonomous", "ideas_generated", "ideas_transferred", "impact"]].head()

# %% [markdown]
# `result.summary` ranks the points by the metric, with 95% bootstrap intervals over the replicates.

# %%
result.summary

# %% [markdown]
# ## A figure
#
# Novelty of what the workshops generated, the share of ideas that entered Track One, and impact,
# against the autonomous share, each with a 95% interval over seeds. (For a figure for a paper,
# `tracktwo.sweep(..., plot=True)` draws the project's own figures in PNG and SVG.)

# %%
sns.set_theme(style="whitegrid", palette="colorblind")
panels = {
    "mean_novelty_generated": "Mean novelty of ideas generated",
    "transfer_rate": "Share of ideas that entered Track One",
    "impact": "Impact (novelty that entered Track One)",
}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharex=True)
for ax, (outcome, label) in zip(axes, panels.items(), strict=True):
    sns.pointplot(data=runs, x="autonomous", y=outcome, errorbar=("ci", 95), ax=ax, native_scale=True)
    ax.set(title=label, xlabel="Share of autonomous thinkers (rest: elites)", ylabel="")
fig.tight_layout()

# %% [markdown]
# ## A regression
#
# An inverted U is a claim about a curve, so fit one: impact on the autonomous share and its square,
# by ordinary least squares with heteroscedasticity-robust (HC3) standard errors, since impact's spread
# changes with the mix. Each run has its own seed, so runs are independent observations. The dilemma
# predicts a positive linear and a negative quadratic term, with the peak, -b1 / (2 b2), inside (0, 1).

# %%
fit = smf.ols("impact ~ autonomous + I(autonomous ** 2)", data=runs).fit(cov_type="HC3")
print(fit.summary().tables[1])
b1, b2 = fit.params["autonomous"], fit.params["I(autonomous ** 2)"]
peak = -b1 / (2 * b2)
print(f"impact peaks at an autonomous share of {peak:.2f} (quadratic term {b2:.2f}, p = {fit.pvalues.iloc[2]:.3g})")

# %% [markdown]
# With 8 seeds per point the interval on the peak is wide; the model's own test of this fact
# (`tests/model/test_stylized_facts.py`, F1) uses 30 seeds per mix at several population sizes and
# numbers of sides, on seeds disjoint from the calibration seeds, and checks that the peak disappears
# when officials stop minding novelty (the ablation). See the [ODD](../ODD.md), section 1.
#
# ## Where next
#
# - Resume a long sweep after a crash: `tracktwo.sweep(design, out=..., resume=True)`
#   ([how](../how-to/resume.md)).
# - Which parameters matter most: `tracktwo.sensitivity("configs/sensitivity_screening.yaml")`; where
#   in the swept space an outcome is likely: `tracktwo.discover(folder, outcome="any_transfer", above=0.5)`.
# - The same sweep from the command line: save `design` as YAML and run `tracktwo sweep FILE`
#   ([Sweeps](../cli/sweep.md)).
