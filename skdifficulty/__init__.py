"""Difficulty-based sample weighting for scikit-learn estimators."""

from ._inspection import difficulty_table
from ._meta import DifficultyWeightedClassifier, DifficultyWeightedRegressor
from ._scoring import make_clean_scorer
from ._selection import BaselineRefit
from .estimate._estimator import DifficultyEstimator
from .weighting._cutoffs import difficulty_cutoff
from .weighting._modes import easy_first, hard_first, medium_first, two_ends
from .weighting._weights import WEIGHTING_MODES, difficulty_weights

__version__ = "0.1.0"

__all__ = [
    "WEIGHTING_MODES",
    "BaselineRefit",
    "DifficultyEstimator",
    "DifficultyWeightedClassifier",
    "DifficultyWeightedRegressor",
    "__version__",
    "difficulty_cutoff",
    "difficulty_table",
    "difficulty_weights",
    "easy_first",
    "hard_first",
    "make_clean_scorer",
    "medium_first",
    "two_ends",
]
