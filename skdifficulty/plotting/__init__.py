"""Plots of per-sample difficulty, of training dynamics and of the weighting schemes.

The displays follow scikit-learn's Display convention (see
:class:`sklearn.metrics.RocCurveDisplay`): a ``from_*`` class method computes
what is needed and plots it, ``plot`` draws again on other axes, and the
matplotlib objects are kept in attributes ending in an underscore. matplotlib
is imported only when something is drawn: install it with
``pip install "skdifficulty[plot]"``.
"""

from ._curve import DifficultyCurveDisplay
from ._datamap import DataMapDisplay
from ._difficulty import DifficultyDisplay
from ._weighting import WeightingDisplay

__all__ = [
    "DataMapDisplay",
    "DifficultyCurveDisplay",
    "DifficultyDisplay",
    "WeightingDisplay",
]
