"""Data with known sources of difficulty: label noise, imbalance, margin, overlap.

The generators record, for every sample, which factor made it hard, so that a
difficulty measure can be checked against ground truth; for regression, which
training targets carry gross errors. Every function is deterministic given
``random_state`` and never modifies its inputs.
"""

from ._generator import make_difficulty_classification
from ._imbalance import make_imbalance
from ._label_noise import flip_labels, load_noisy_digits
from ._regression import load_contaminated_diabetes

__all__ = [
    "flip_labels",
    "load_contaminated_diabetes",
    "load_noisy_digits",
    "make_difficulty_classification",
    "make_imbalance",
]
