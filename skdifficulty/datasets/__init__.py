"""Data with known sources of difficulty: label noise, imbalance, margin, overlap.

The generators record, for every sample, which factor made it hard, so that a
difficulty measure can be checked against ground truth. Every function is
deterministic given ``random_state`` and never modifies its inputs.
"""

from ._datasets import (
    flip_labels,
    load_noisy_digits,
    make_difficulty_classification,
    make_imbalance,
)

__all__ = [
    "flip_labels",
    "load_noisy_digits",
    "make_difficulty_classification",
    "make_imbalance",
]
