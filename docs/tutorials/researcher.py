# %% [markdown]
# # Test
# Some text.

# %%
import tracktwo

import os
print(os.getcwd())
r = tracktwo.simulate({}, seed=1)
r.outcomes["impact"]
