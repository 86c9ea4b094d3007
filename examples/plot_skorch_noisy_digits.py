"""
===============================================
A convolutional net on digits with wrong labels
===============================================

A small PyTorch convolutional net, wrapped by skorch, learns the 8x8
handwritten digits while 30% of its training labels are wrong. We train it
twice: once plainly, and once inside
:class:`~skdifficulty.DifficultyWeightedClassifier`, which measures the
difficulty of every training sample and, for a net, fits it with the label
that the held-out models confidently agree on and with weights that follow
their consensus, so that the wrong labels are corrected or count for little
(see :ref:`nets-noisy-labels`).

skorch nets do not take ``sample_weight`` by themselves; the meta-estimator
turns the plain ``NeuralNetClassifier`` into its weighted twin from
:mod:`skdifficulty.skorch` (see :ref:`skorch`). Nothing else changes in the
net.
"""

# %%
# Data with 30% wrong labels
# --------------------------
# Pixels are scaled to [0, 1] and cast to float32, labels to int64, as
# PyTorch expects. The test labels stay clean.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from skorch import NeuralNetClassifier

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier
from skdifficulty.datasets import load_noisy_digits

data = load_noisy_digits(noise=0.3, random_state=0)
X_train = (data.X_train / 16).astype(np.float32)
X_test = (data.X_test / 16).astype(np.float32)
y_train = data.y_train.astype(np.int64)
print(f"{data.flipped.sum()} of {y_train.size} training labels flipped")

device = "cuda" if torch.cuda.is_available() else "cpu"
if device == "cpu":
    # A net this small trains faster on one thread: splitting each tiny
    # operation across threads costs more than it saves.
    torch.set_num_threads(1)

# %%
# A small convolutional net
# -------------------------
# The module takes the 64 pixels as a flat row, as every scikit-learn tool
# hands them over, and reshapes them to one 8x8 channel before the
# convolution. ``train_split=None`` trains on all training samples (skorch
# would otherwise hold out 20% for validation).


class DigitsCNN(torch.nn.Module):
    """Conv(3x3) -> ReLU -> MaxPool -> Linear -> ReLU -> Linear (logits)."""

    def __init__(self, channels=8, hidden=64):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, channels, kernel_size=3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.hidden = torch.nn.Linear(channels * 4 * 4, hidden)
        self.out = torch.nn.Linear(hidden, 10)

    def forward(self, X):
        images = X.reshape(-1, 1, 8, 8)
        features = self.pool(torch.relu(self.conv(images))).flatten(1)
        return self.out(torch.relu(self.hidden(features)))


def make_net():
    return NeuralNetClassifier(
        DigitsCNN,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=3e-3,
        max_epochs=20,
        batch_size=64,
        iterator_train__shuffle=True,
        train_split=None,
        device=device,
        verbose=0,
    )


def clean_accuracy(model):
    return float(np.mean(model.predict(X_test) == data.y_test))


torch.manual_seed(0)
plain = make_net().fit(X_train, y_train)
print(f"plain net, clean test accuracy: {clean_accuracy(plain):.3f}")

# %%
# For reference, the same net trained on the true labels: what the noise costs.
torch.manual_seed(0)
oracle = make_net().fit(X_train, data.y_train_clean.astype(np.int64))
print(f"net on the true labels, clean test accuracy: {clean_accuracy(oracle):.3f}")

# %%
# Difficulty from the net itself
# ------------------------------
# The difficulty of a sample is its expected loss under nets trained without
# it: five nets, each trained on four fifths of the data, score the fifth they
# did not see (``cv=5, n_repeats=1``). They train together in one stacked pass
# and each stops at its lowest loss on the fifth it holds out, before it
# memorizes its own wrong labels. Each trains without skorch's internal
# validation split and with its own torch seed, so the result is the same run
# to run.
by_net = DifficultyWeightedClassifier(
    make_net(),
    difficulty_estimator=DifficultyEstimator(make_net(), cv=5, n_repeats=1),
    random_state=0,
).fit(X_train, y_train)
print(
    f"weighted net (difficulty from the net), clean test accuracy: "
    f"{clean_accuracy(by_net):.3f}"
)
print(
    f"AUROC of the difficulty for the flipped labels: "
    f"{roc_auc_score(data.flipped, by_net.difficulty_):.3f}"
)

# %%
# Difficulty from a logistic regression
# -------------------------------------
# Any classifier with ``predict_proba`` can measure the difficulty; the
# default of :class:`~skdifficulty.DifficultyEstimator` is a scaled logistic
# regression on the flat pixels. It needs no torch at all, but it ranks the
# wrong labels a little less well than the net does: a label that a linear
# model finds odd is not always one that a convolutional net finds odd.
by_logreg = DifficultyWeightedClassifier(
    make_net(),
    difficulty_estimator=DifficultyEstimator(cv=5, n_repeats=1),
    random_state=0,
)
torch.manual_seed(0)
by_logreg.fit(X_train, y_train)
print(
    f"weighted net (difficulty from logistic regression), clean test accuracy: "
    f"{clean_accuracy(by_logreg):.3f}"
)
print(
    f"AUROC of the difficulty for the flipped labels: "
    f"{roc_auc_score(data.flipped, by_logreg.difficulty_):.3f}"
)

# %%
# Where the weight went
# ---------------------
# Nets that never saw a wrong label agree on another class: many flipped
# samples were fitted with that class instead (``relabeled_``), and those
# that still carry a wrong label get only a small share of the total weight.
weight = by_net.sample_weight_
wrong = by_net.labels_ != data.y_train_clean
print(f"relabelled samples: {by_net.relabeled_.sum()}, of them right: "
      f"{np.mean(~wrong[by_net.relabeled_]):.3f}")
share = weight[wrong].sum() / weight.sum()
print(f"share of the total weight on the labels still wrong ({wrong.mean():.1%} "
      f"of the samples): {share:.3f}")

fig, ax = plt.subplots(figsize=(6, 3.5))
bins = np.linspace(0, weight.max(), 30)
ax.hist(weight[~wrong], bins=bins, alpha=0.7, label="right label")
ax.hist(weight[wrong], bins=bins, alpha=0.7, label="wrong label")
ax.set_xlabel("sample weight (held-out consensus, difficulty from the net)")
ax.set_ylabel("training samples")
ax.legend()
fig.tight_layout()
plt.show()
