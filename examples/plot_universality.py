"""
=========================================
One difficulty measure for four factors
=========================================

Four things make a training sample hard: a wrong label, a rare class, a
position close to the decision boundary, and a region where the classes
overlap. :class:`~skdifficulty.DifficultyEstimator` measures one quantity, the
held-out loss of each sample, and this example shows that it rises with each
of the four factors while the other three are held fixed. Each panel also
shows which part of the bias-variance split carries the factor.

:func:`~skdifficulty.datasets.make_difficulty_classification` records every
factor per sample, and its switches vary one factor at a time.
"""

# %%
# The model and the scores
# ------------------------
# A distance-weighted 50-nearest-neighbour classifier. It is flexible enough
# for its prediction to change where the classes overlap more (panel 4), and
# it interpolates its training set, so its *training* loss is zero for every
# sample: only held-out losses can rank its samples. Each curve is a mean of
# the held-out log loss over the samples in a bin, on a log scale so that the
# small variance stays visible.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import DifficultyEstimator
from skdifficulty.datasets import make_difficulty_classification

knn = make_pipeline(
    StandardScaler(), KNeighborsClassifier(n_neighbors=50, weights="distance")
)
PARTS = ("difficulty", "bias", "variance")


def scores(data, estimator=knn):
    """Difficulty, bias and variance of every sample (5 x 5-fold)."""
    est = DifficultyEstimator(estimator, n_repeats=5, random_state=0)
    est.fit(data.X, data.y)
    return dict(zip(PARTS, (est.difficulty_, est.bias_, est.variance_), strict=True))


def binned_means(x, values, n_bins=8):
    """Mean of x and of values in equal-count bins of x."""
    edges = np.quantile(x, np.linspace(0, 1, n_bins + 1))
    bins = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, n_bins - 1)
    x_means = np.array([x[bins == b].mean() for b in range(n_bins)])
    return x_means, np.array([values[bins == b].mean() for b in range(n_bins)])


# %%
# 1. Label noise
# --------------
# Balanced classes, a constant spread, and 20% of the labels flipped. A
# flipped sample lies among samples of the other class, so every held-out
# model predicts that other class: the difficulty is high, and nearly all of
# it is bias. The models agree with each other, so the variance of a flipped
# sample is no larger than that of a clean one.
data = make_difficulty_classification(600, scale=1.0, noise=0.2, random_state=0)
s = scores(data)
noise_curves = {
    part: [s[part][~data.flipped].mean(), s[part][data.flipped].mean()]
    for part in PARTS
}

# %%
# 2. Class rarity
# ---------------
# No noise and a constant spread, so that samples at equal margin also have
# the same Bayes posterior. Class 1 is made rarer and rarer (1000 samples,
# same seed), and we follow the samples of each class that lie 0.25 to 1 away
# from the Bayes boundary on their own side. The rare class's samples grow
# harder while the common class's stay as they were: with few class-1 samples
# among its 50 neighbours, the model leans to the common class even where the
# Bayes classifier, which knows the priors, does not. The models agree on that
# lean, so rarity too is bias here.
shares = [0.5, 0.35, 0.2, 0.1, 0.05]
rarity_curves = {part: [] for part in PARTS}
common_difficulty = []
for share in shares:
    data = make_difficulty_classification(
        1000, scale=1.0, weights=[1 - share, share], random_state=0
    )
    s = scores(data)
    band = (data.margin > 0.25) & (data.margin < 1.0)
    for part in PARTS:
        rarity_curves[part].append(s[part][band & (data.y == 1)].mean())
    common_difficulty.append(s["difficulty"][band & (data.y == 0)].mean())

# %%
# 3. Margin
# ---------
# No noise, balanced classes, a constant spread: the signed distance to the
# Bayes boundary is the only factor left (negative on its wrong side). The
# difficulty falls steadily as the margin grows, carried by the bias: the mean
# held-out prediction grows surer with the distance. The variance stays at a
# few thousandths of a nat everywhere: averaging 50 neighbours, the models
# fitted on different folds barely differ.
data = make_difficulty_classification(600, scale=1.0, random_state=0)
s = scores(data)
margin_curves = {part: binned_means(data.margin, s[part], 10) for part in PARTS}

# %%
# 4. Overlap at matched margin
# ----------------------------
# No noise, balanced classes, and a spread that grows along the scale feature
# ``u``: at the same distance from the boundary, a sample overlaps more with
# the other class where ``u`` is large. We keep the samples 0.4 to 0.7 away
# from the boundary on their own side and bin them by the Bayes overlap
# ``1 - max_c P(c | x)``. The difficulty rises with it, again through the
# bias: the models agree that such a sample is close to a toss-up.
#
# A linear model cannot show this. With balanced classes the Bayes boundary is
# ``x_0 = 0`` whatever ``u``, so a fitted logistic regression puts almost no
# weight on ``u``; its prediction follows the margin alone, and samples at the
# same margin get the same difficulty whatever their overlap (grey curve).
data = make_difficulty_classification(3000, scale=(0.5, 1.5), random_state=0)
band = (data.margin > 0.4) & (data.margin < 0.7)
s = scores(data)
overlap_curves = {
    part: binned_means(data.overlap[band], s[part][band]) for part in PARTS
}
linear = scores(data, make_pipeline(StandardScaler(), LogisticRegression()))
linear_curve = binned_means(data.overlap[band], linear["difficulty"][band])

# %%
# The four panels
# ---------------
STYLE = {
    "difficulty": dict(color="black", marker="o"),
    "bias": dict(color="tab:blue", marker="s", linestyle="--"),
    "variance": dict(color="tab:orange", marker="^", linestyle=":"),
}
GREY = dict(color="grey", marker="o", alpha=0.6)
fig, axes = plt.subplots(2, 2, figsize=(10, 8), layout="constrained")

ax = axes[0, 0]
for part, curve in noise_curves.items():
    ax.plot([0, 1], curve, label=part, **STYLE[part])
ax.set_xticks([0, 1], ["clean label", "flipped label"])
ax.set_xlim(-0.3, 1.3)
ax.set_title("1. Label noise")

ax = axes[0, 1]
for part, curve in rarity_curves.items():
    ax.plot(shares, curve, label=f"{part}, class 1", **STYLE[part])
ax.plot(shares, common_difficulty, label="difficulty, class 0", **GREY)
ax.invert_xaxis()
ax.set_xlabel("share of class 1 (rarer to the right)")
ax.set_title("2. Rarity, margin 0.25 to 1")

ax = axes[1, 0]
for part, curve in margin_curves.items():
    ax.plot(*curve, label=part, **STYLE[part])
ax.set_xlabel("signed margin (distance to the Bayes boundary)")
ax.set_title("3. Margin")

ax = axes[1, 1]
for part, curve in overlap_curves.items():
    ax.plot(*curve, label=part, **STYLE[part])
ax.plot(*linear_curve, linestyle="--", label="difficulty, logistic reg.", **GREY)
ax.set_xlabel("Bayes overlap 1 - max P(c | x)")
ax.set_title("4. Overlap, margin 0.4 to 0.7")

for ax in axes.flat:
    ax.set_yscale("log")
    ax.legend(fontsize="small")
for ax in axes[:, 0]:
    ax.set_ylabel("mean held-out log loss")
plt.show()

# %%
# What the panels show
# --------------------
# One score ranks all four kinds of hard sample, and for this model it is
# bias every time: the held-out models agree that the observed label is
# unlikely. The variance, their disagreement, is a minor part here. It is a
# property of the model as much as of the sample: it grows with a less stable
# model or fewer training samples, and with logistic regression it is the
# variance, more than the bias, that sets the rare class apart at matched
# margin. :ref:`universality` gives the measured numbers.
