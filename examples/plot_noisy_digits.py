"""
============================================
Wrong labels on digits: find them, mute them
============================================

A share of the training labels of scikit-learn's handwritten digits is
flipped to another digit at random, as a careless annotator would. We then

1. measure the difficulty of every training sample with
   :class:`~skdifficulty.DifficultyEstimator`: its expected log loss under
   models that were trained without it,
2. check how well the difficulty finds the flipped labels,
3. train with easy-first sample weights, so that the hard samples (mostly the
   wrong labels) count for little, and compare the accuracy on the clean test
   set with that of the plain model.

The same comparison, with every weighting mode and a grid search, is what
``python -m skdifficulty demo`` prints.
"""

# %%
# Data with 30% wrong labels
# --------------------------
# :func:`~skdifficulty.datasets.load_noisy_digits` splits the digits into a
# training and a clean test part and flips an exact share of the training
# labels; ``flipped`` records which.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier
from skdifficulty.datasets import load_noisy_digits
from skdifficulty.plotting import DifficultyDisplay

data = load_noisy_digits(noise=0.3, random_state=0)
print(f"{data.flipped.sum()} of {data.y_train.size} training labels flipped")

# %%
# The difficulty of every training sample
# ---------------------------------------
# Five-fold splits, repeated twice: each sample is scored by the two models
# that did not see it; the ten fits run in parallel on all cores
# (``n_jobs=-1``). The default model is a scaled logistic regression. A
# wrong label is hard to predict for a model that never saw it, so the
# difficulty ranks the flipped labels first.
difficulty = DifficultyEstimator(cv=5, n_repeats=2, n_jobs=-1, random_state=0)
difficulty.fit(data.X_train, data.y_train)
auroc = roc_auc_score(data.flipped, difficulty.difficulty_)
print(f"AUROC of the difficulty for the flipped labels: {auroc:.3f}")

# %%
# Per class, and in the bias-variance plane
# -----------------------------------------
# Left: the difficulty of each class's samples, the flipped ones in orange.
# Right: each sample at its bias (the loss of the models' mean prediction) and
# variance (how much the models disagree). The flipped labels have a large
# bias: the models agree, on another digit. Log axes show the easy bulk and
# the hard tail at once.
display = DifficultyDisplay.from_estimator(
    difficulty,
    data.y_train,
    highlight=data.flipped,
    highlight_label="flipped label",
    log_scale=True,
)

# %%
# The hardest training images
# ---------------------------
# The eight hardest samples, with the label they were given and the digit
# the held-out models predict. Most are flipped labels; a hard sample with a
# correct label is usually an ambiguous drawing.
images = load_digits().images[data.train_indices]
hardest = np.argsort(difficulty.difficulty_)[::-1][:8]
predicted = difficulty.classes_[difficulty.heldout_proba_.argmax(axis=1)]
fig, axes = plt.subplots(1, 8, figsize=(10, 1.8), layout="constrained")
for ax, i in zip(axes, hardest, strict=True):
    ax.imshow(images[i], cmap="gray_r")
    ax.set_title(f"label {data.y_train[i]}\nmodels: {predicted[i]}", fontsize=9)
    ax.set_axis_off()

# %%
# Plain versus easy-first weighted training
# -----------------------------------------
# :class:`~skdifficulty.DifficultyWeightedClassifier` turns the difficulty
# into weights and fits a clone of the model with them. Passing the
# difficulty estimator reuses its settings (it is refitted on the data given
# to ``fit``). The accuracy is measured on the clean test labels.
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
plain = clone(model).fit(data.X_train, data.y_train)
weighted = DifficultyWeightedClassifier(
    clone(model), difficulty_estimator=difficulty, weighting="easy_first", strength=4
).fit(data.X_train, data.y_train)

accuracy = {
    "plain": plain.score(data.X_test, data.y_test),
    "easy-first weighted": weighted.score(data.X_test, data.y_test),
}
for name, value in accuracy.items():
    print(f"{name:>20}: clean test accuracy {value:.3f}")

# %%
# Where the weight went: the flipped labels carry a small share of it.
share = weighted.sample_weight_[data.flipped].sum() / weighted.sample_weight_.sum()
print(f"share of the weight on flipped labels: {share:.1%} (of the samples: 30%)")

fig, ax = plt.subplots(figsize=(4, 3), layout="constrained")
bars = ax.bar(list(accuracy), list(accuracy.values()), color=["grey", "tab:green"])
ax.bar_label(bars, fmt="%.3f")
ax.set_ylim(0, 1)
ax.set_ylabel("clean test accuracy")
ax.set_title("30% wrong training labels")
plt.show()
