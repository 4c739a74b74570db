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
# # Trainer: the Autonomy Dilemma in a room
#
# You teach Track Two to diplomats, mediators or students and want the room to *see* the Autonomy
# Dilemma: influential elites get ideas into Track One but bring familiar ones; autonomous thinkers
# bring new ideas that officials do not take up; the most new thinking reaches Track One from a mix.
# tracktwo's app shows it live, offline, on a projector, and `tracktwo dilemma` draws the slide.
#
# ## Before the session
#
# On the laptop you will present from (no internet needed, during or before: every script and
# stylesheet is served locally):
#
# ```sh
# make setup            # once, where there is a network (it installs from PyPI)
# .venv/bin/tracktwo app   # then open http://127.0.0.1:8765; Ctrl-C stops it
# ```
#
# Press *Full screen* (top right). At 1280x720 and 1920x1080 each page fits one screen.
#
# ![Explore at 1280x720: the network, Track One and the plot to watch on one screen](../images/app_explore.png)
#
# ## A session plan
#
# 1. **Explore**, with *The usual suspects* preset: press **Play** at *normal* speed. Ideas enter
#    Track One (filled dots), but sit low on the novelty plot.
# 2. **Presets**: *Autonomous thinkers*. New ideas, few of which enter. Ask the room why officials do
#    not listen.
# 3. *A balanced mix*: the most new thinking gets through. *Side by side* plays elites-only against
#    half autonomous thinkers on the same conflict, stepped together.
# 4. *A ripe moment* ("Stage a ripe moment now" in the sidebar) and *Backchannel* for the
#    discussion of timing and of what Track Two is not; *An NGO's multi-track programme* for the
#    "new" Track Two.
# 5. **Scoreboard**: every run played to its end, and *Run 20 seeds of the current settings* for
#    the mean with a 95% interval, so the room sees one run is an anecdote.
#
# The app's pages are described in full in [The trainer's app](../cli/app.md).
#
# ## Check the stories before you tell them
#
# Every preset pins a seed on which its story shows, and says what the room should watch for. The
# stories are claims the project tests (on the pinned seed and over 30 other seeds); you can check
# them yourself on the version you have, in a few seconds:

# %%
import os
import tempfile
from pathlib import Path

from IPython.display import Image
from tracktwo.app.presets import PRESETS
from tracktwo.experiments.cli import main as tracktwo_command

while not Path("configs").is_dir() and Path.cwd() != Path.cwd().parent:  # run from the repository's root
    os.chdir("..")

for preset in PRESETS:
    claim = preset.check(preset.seed)
    print(f"{preset.name} (seed {preset.seed}): {'holds' if claim.holds else 'DOES NOT HOLD'}")
    print(f"  watch: {preset.watch}")
    print(f"  {claim.summary}\n")

# %% [markdown]
# ## The slide
#
# `tracktwo dilemma` runs 0%, 10%, ..., 100% autonomous thinkers (elites take the rest) on the same
# seeds for every mix and draws the frontier: novelty rising and the share entering Track One falling
# (top), impact with its peak marked (bottom), with 95% bands. From a terminal,
# `.venv/bin/tracktwo dilemma` writes `results/dilemma/dilemma.png` and `.svg` in under a minute.
# Here it runs from Python through the command's own entry point (`dilemma` has no Python API
# function) on **small settings**, 3 seeds per mix over 4 years, so this page builds quickly; the
# default uses 10 to 50 seeds, as many as fit in 40 seconds.

# %%
out = Path(tempfile.mkdtemp(prefix="tracktwo-tutorial-"))
exit_code = tracktwo_command(
    ["dilemma", "--replicates", "3", "--steps", "48", "--executor", "serial", "--no-progress", "--out", str(out)]
)
assert exit_code == 0, exit_code
Image(filename=str(out / "dilemma.png"), width=640)

# %% [markdown]
# With 3 seeds the bands are wide and the peak can wander; the slide you show should come from the
# default run. The SVG beside the PNG scales to any slide size.
