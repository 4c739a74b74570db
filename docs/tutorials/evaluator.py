# %% [markdown]
# # Test
# Some text.

# %%
import tracktwo

r = tracktwo.simulate({}, seed=1)
r.outcomes["impact"]
