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
# # Evaluator: what each part of a programme contributed
#
# A programme's ideas reached Track One. Which workshops mattered, and which groups? Two questions
# that evaluations often blur:
#
# - **Attribution**: was this part on the causal chain of what entered Track One? Read from the
#   run's record of who passed each idea to whom.
# - **Contribution**: how much did this part change what Track One got? Measured by running the
#   programme again without it, on the same seed, so the counterfactual meets the same luck
#   wherever the removal does not reach (every draw in the model is keyed by the event it decides).
#
# A part can be on every chain and still contribute little: others would have carried the same
# ideas.
# `tracktwo.evaluate` reports both, and each part's **Shapley value**, its share of the programme's
# total effect, so that the shares add up (see the [ODD, section 7.8](../ODD.md)).
#
# The settings are **small** (a 4-workshop programme over 4 years, 4 seeds per counterfactual) so
# the
# notebook runs in seconds; the shipped example (`tracktwo evaluate configs/map_example.yaml
# --components workshops groups:kind groups:gender`) evaluates a 20-workshop programme on 10 seeds.

# %%
import os
import tempfile
from pathlib import Path

from IPython.display import Image

import tracktwo

while not Path("configs").is_dir() and Path.cwd() != Path.cwd().parent:  # run from the repository's root
    os.chdir("..")
out = Path(tempfile.mkdtemp(prefix="tracktwo-tutorial-"))

# %% [markdown]
# ## Evaluate a programme
#
# The programme is a config: here the example actor map's, shortened to four workshops a year apart.
# The components are families: `workshops` (each meeting), and `groups:gender` (each value of the
# map's gender column among those invited). Others: `events`, `formats`, `routes`, `participants`,
# `groups:kind`, or any other map column.

# %%
programme = {"steps": 48, "workshops.count": 4, "workshops.interval": 12}
evaluation = tracktwo.evaluate(
    "configs/map_example.yaml",
    set=programme,
    components=["workshops", "groups:gender"],
    outcomes=["impact"],
    replicates=4,
    seed=3,
    out=out / "evaluate",
    executor="serial",
    progress=False,
)
print(f"{evaluation.finished} runs")

# %% [markdown]
# A row per component and outcome: the *change when it is removed* (one sign everywhere: negative
# means the outcome falls without it) with its 95% interval, the tests behind the verdict, its
# share of the outcome's own recorded chains, and its Shapley share of the change when every
# component is removed. The verdict follows a stated rule: "contributed" (removal lowers the
# outcome, Holm-corrected across the family), "worked against" (removal raises it), "no effect"
# (equivalent to zero within the margin by two one-sided tests), "on the chain but substitutable",
# or "inconclusive". Before the runs a power check printed the smallest change these replicates can
# detect: with 4 seeds it warns. The procedures are in [Evaluation](../evaluation.md).

# %%
evaluation.table.columns.tolist()

# %%
evaluation.table

# %% [markdown]
# The findings in plain words:

# %%
for sentence in evaluation.sentences:
    print(sentence)

# %% [markdown]
# And the change when every component of a family is removed, with its verdict (the Shapley shares
# add up to it):

# %%
evaluation.totals

# %% [markdown]
# The figure `tracktwo evaluate` draws for each family (PNG and SVG in the results folder):

# %%
Image(filename=str(next(path for path in evaluation.figures if path.suffix == ".png")), width=720)

# %% [markdown]
# With 4 seeds the intervals are wide: read the verdicts above as a demonstration of the method,
# not as findings; an evaluation to report uses enough seeds for the power check to pass. `tracktwo
# report` on the results folder writes an evaluation report (question, counterfactual, rule, power,
# verdicts, methods and limitations). More in [Evaluate a programme](../cli/evaluate.md).
