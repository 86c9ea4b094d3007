"""
=======================================================
A net's difficulty in one pass, and its data map
=======================================================

A small MLP learns the 8x8 digits while 30% of its training labels are
wrong. Its difficulty, the loss on each sample of nets that did not see it,
comes from ten held-out members (5 folds x 2 repeats) trained together in one
vectorized pass (``engine="stacked"``), at about the cost of two plain
trainings on a CPU. One more plain training records its training dynamics,
the in-sample signals of dataset cartography. Both find the wrong labels;
the data map shows where they sit.
"""

# %%
# Data with 30% wrong labels
# --------------------------
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from skorch import NeuralNetClassifier

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier
from skdifficulty.datasets import load_noisy_digits
from skdifficulty.dynamics import DynamicsDifficultyEstimator
from skdifficulty.plotting import DataMapDisplay, DifficultyCurveDisplay

data = load_noisy_digits(noise=0.3, random_state=0)
X_train = (data.X_train / 16).astype(np.float32)
X_test = (data.X_test / 16).astype(np.float32)
y_train = data.y_train.astype(np.int64)

device = "cuda" if torch.cuda.is_available() else "cpu"
if device == "cpu":
    # A net this small trains faster on one thread.
    torch.set_num_threads(1)


class MLP(torch.nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)
        )

    def forward(self, X):
        return self.layers(X)


net = NeuralNetClassifier(
    MLP,
    criterion=torch.nn.CrossEntropyLoss,
    optimizer=torch.optim.Adam,
    lr=2e-3,
    max_epochs=20,
    batch_size=64,
    iterator_train__shuffle=True,
    train_split=None,
    device=device,
    verbose=0,
)

# %%
# Held-out difficulty: ten members in one pass
# --------------------------------------------
# ``record_epochs=True`` also scores every sample after every epoch with the
# members that hold it out; ``early_stopping=False`` trains every member all
# 20 epochs, to see the whole curves.
stacked = DifficultyEstimator(
    net,
    cv=5,
    n_repeats=2,
    engine="stacked",
    early_stopping=False,
    record_epochs=True,
    random_state=0,
).fit(X_train, y_train)
print(
    "held-out difficulty finds the wrong labels with AUROC "
    f"{roc_auc_score(data.flipped, stacked.difficulty_):.3f}"
)
assert np.allclose(stacked.bias_ + stacked.variance_, stacked.difficulty_)

# %%
# Wrong labels stay hard while the clean samples get easier:
DifficultyCurveDisplay.from_estimator(
    stacked, highlight=data.flipped, highlight_label="flipped label"
)
plt.show()

# %%
# Training dynamics of one plain training
# ---------------------------------------
# Mean confidence in the given label over the epochs, and its variability:
# the data map of dataset cartography. These scores are in-sample (the net
# has seen every sample), so a memorized wrong label can look easy.
dynamics = DynamicsDifficultyEstimator(net, signal="confidence", random_state=0)
dynamics.fit(X_train, y_train)
print(
    "in-sample confidence finds them with AUROC "
    f"{roc_auc_score(data.flipped, dynamics.difficulty_):.3f}"
)
DataMapDisplay.from_estimator(
    dynamics, highlight=data.flipped, highlight_label="flipped label"
)
plt.show()

# %%
# Weighting the net by its difficulty
# -----------------------------------
# The one-line recipe for a net (see :ref:`nets-noisy-labels`): stacked
# members stopped at their lowest held-out loss, the confidently wrong labels
# relabelled, the rest weighed by the held-out consensus, and weights that
# follow the net while it trains.
torch.manual_seed(0)
plain = net.fit(X_train, y_train)
weighted = DifficultyWeightedClassifier(
    net,
    difficulty_estimator=DifficultyEstimator(net, engine="stacked"),
    random_state=0,
)
torch.manual_seed(0)
weighted.fit(X_train, y_train)
for name, model in (("plain", plain), ("difficulty-weighted", weighted)):
    accuracy = np.mean(model.predict(X_test) == data.y_test)
    print(f"{name} net, clean test accuracy: {accuracy:.3f}")
