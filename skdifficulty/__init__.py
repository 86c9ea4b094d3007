"""Difficulty-based sample weighting for scikit-learn estimators."""

from ._difficulty import DifficultyEstimator

__version__ = "0.1.0"

__all__ = ["DifficultyEstimator", "__version__"]
