"""
=====================================
The four weighting modes and strength
=====================================

A weighting mode turns each sample's difficulty into a sample weight. The
built-in modes look only at the difficulty's *rank*: the share ``q`` of
training samples that are easier than the sample. So one ``strength`` means
the same on every data set and for every loss, and the curves below hold for
any data.

- ``easy_first``: the weight falls as the difficulty rises. Wrong labels are
  hard, so they count for little.
- ``hard_first``: the weight rises with the difficulty, as in boosting or
  focal loss.
- ``medium_first``: the weight peaks at the median difficulty.
- ``two_ends``: the easiest and the hardest samples weigh most.

:class:`~skdifficulty.plotting.WeightingDisplay` draws one panel per mode and
one curve per strength.
"""

# %%
# Base weights
# ------------
# The base weight is a power of a share: ``(1 - q) ** strength`` for
# easy-first, for example. A strength of 0 gives every sample the same
# weight; at strength ``s`` the sample in the middle of the ranking weighs
# ``2 ** -s`` as much as those the mode favours most.
import numpy as np

from skdifficulty import difficulty_weights
from skdifficulty.plotting import WeightingDisplay

display = WeightingDisplay.from_modes(
    modes=("easy_first", "hard_first", "medium_first", "two_ends"),
    strengths=(0, 0.5, 1, 2, 4, 8),
)

# %%
# The weights a fit receives
# --------------------------
# Before the fit, the weights are normalized to mean 1 (or per class, so that
# every class carries the same total weight). With ``normalize="mean"`` the
# curves show how many "ordinary" samples one sample counts for: at strength
# 4, the easiest samples under easy-first count five times, and the hardest
# fifth of the data together counts for less than a single ordinary sample.
display = WeightingDisplay.from_modes(
    modes=("easy_first", "two_ends"), strengths=(1, 2, 4), normalize="mean"
)

# %%
# Reading the weights of a real data set
# --------------------------------------
# The same functions give the weights of actual difficulties; a heavy-tailed
# difficulty, as the log loss often is, gets the same weights as its ranks.
rng = np.random.default_rng(0)
difficulty = rng.exponential(size=1000)
weights = difficulty_weights(difficulty, weighting="easy_first", strength=4)
hardest_fifth = difficulty > np.quantile(difficulty, 0.8)
print(f"mean weight: {weights.mean():.2f}")
print(f"total weight of the hardest fifth: {weights[hardest_fifth].sum():.2f}")
