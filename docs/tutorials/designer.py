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
# # Programme designer: compare and select on your own actor map
#
# You have a conflict map (who is who on each side, who talks to whom) and a few candidate
# programmes. This tutorial compares the programmes on the map, on common seeds, and then chooses
# whom to invite under inclusion constraints. It uses the repository's **synthetic** example map
# (`configs/maps/`: 80 invented actors on two invented sides, with gender, civil-society and region
# columns); [Use your own actor map](../how-to/actor-maps.md) says what your files need.
#
# The settings are **small** (10 paired runs, 4 simulated years; 4 seats chosen on 2 seeds per
# group) so the notebook runs in seconds when the docs are built; for a decision, use 100 or more
# paired runs (as the shipped `configs/programmes/example_map.yaml` does) and the full programme
# length.

# %%
import os
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import Image

import tracktwo

while not Path("configs").is_dir() and Path.cwd() != Path.cwd().parent:  # run from the repository's root
    os.chdir("..")
out = Path(tempfile.mkdtemp(prefix="tracktwo-tutorial-"))
pd.read_csv("configs/maps/example_nodes.csv").head()

# %% [markdown]
# ## Compare candidate programmes
#
# A programmes file (here the same content as a dict) names a base config, which points at the map,
# and two or more programmes, each a set of overrides on it. Every programme runs on the same seeds,
# so run *r* of each meets the same conflict and the same luck: the comparison is paired.

# %%
four_years = {"steps": 48}
programmes = {
    "name": "my_map_programmes",
    "base": "configs/map_example.yaml",
    "replicates": 10,
    "seed": 7,
    "rank_by": "ideas_transferred",
    "programmes": {
        "Elites and thinkers": {
            "description": "No quota: half elites, half autonomous thinkers.",
            "overrides": {**four_years, "workshops.mix": {"elite": 0.5, "autonomous": 0.5}},
        },
        "A fifth of seats for women's groups": {
            "overrides": {**four_years, "workshops.mix": {"elite": 0.4, "autonomous": 0.4, "women_cso": 0.2}},
        },
        "Women's groups and Track 1.5": {
            "overrides": {
                **four_years,
                "mode": "track1.5",
                "workshops.mix": {"elite": 0.3, "autonomous": 0.3, "women_cso": 0.4},
            },
        },
    },
}
comparison = tracktwo.compare(programmes, out=out / "compare", executor="serial", progress=False)
comparison.ranking

# %% [markdown]
# `comparison.table` has a row per programme and outcome: the estimate with its 95% interval, and
# the
# paired difference from the reference programme (the best, unless a `baseline` such as current
# practice is named) with a bootstrap interval.

# %%
columns = ["programme", "estimate", "low", "high", "difference", "difference_low", "difference_high"]
comparison.table.query("outcome == 'ideas_transferred'")[columns]

# %% [markdown]
# The comparison's figure (`comparison.png` and `.svg` in the results folder):

# %%
Image(filename=str(next(path for path in comparison.figures if path.suffix == ".png")), width=720)

# %% [markdown]
# Each verdict says it in words, including when the runs cannot tell two programmes apart:

# %%
for programme, verdict in comparison.verdicts.items():
    print(f"{programme}: {verdict}\n")

# %% [markdown]
# On a map with attribute columns, the outcomes include who took part and who authored what entered
# Track One, per group: here, women's share among participants and among authors. A seat quota that
# raises the first but not the second makes guests, not authors.

# %%
inclusion = comparison.table.query("outcome in ['participant_share_gender_f', 'author_share_gender_f']")
inclusion.pivot_table(index="programme", columns="outcome", values="estimate").round(2)

# %% [markdown]
# ## Choose whom to invite
#
# `tracktwo.select` picks the seats one by one, each time the actor whose invitation raises the
# expected impact most (lazy greedy search, CELF), estimated by Monte Carlo on common seeds, never
# breaking the constraints: here at least 40% of the seats per side, at least a third women, and
# only elites and women's civil-society groups eligible. It then scores the chosen group against
# random feasible groups and the usual suspects (the best-connected elites) on fresh seeds, because
# on the seeds it was chosen on, a search's winner looks better than it is.

# %%
constraints = {
    "min_side_share": 0.4,
    "eligible_kinds": ["elite", "women_cso"],
    "quotas": [{"attribute": "gender", "value": "f", "min_share": 0.33}],
}
selection = tracktwo.select(
    "configs/maps/example_nodes.csv",
    seats=4,
    config="configs/map_example.yaml",
    set=four_years,
    constraints=constraints,
    replicates=2,
    swap_passes=0,
    out=out / "select",
    executor="serial",
    progress=False,
)
selection.invitations[["order", "label", "kind", "side", "gender", "marginal_gain", "gain_low", "gain_high"]]

# %%
selection.comparison[["group", "mean", "low", "high", "meets_constraints", "mean_on_selection_seeds"]]

# %% [markdown]
# With 2 seeds per group the intervals are wide; use the default 16 (or more) and one-for-one swaps
# (`swap_passes=1`, the default) for a real invitation list. The same from the command line:
#
# ```sh
# tracktwo compare configs/programmes/example_map.yaml
# tracktwo select configs/maps/example_nodes.csv --config configs/map_example.yaml --seats 8 \
#     --constraints configs/maps/example_constraints.yaml
# ```
#
# ([Compare and select](../cli/compare-select.md) describes every option and file.)
