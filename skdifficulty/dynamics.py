"""Training dynamics of one training of a skorch classifier, as difficulty.

Three in-sample signals are read off the epochs of a single training run:

- **confidence** (dataset cartography, Swayamdipta et al., 2020): the
  probability of the given label, averaged over the epochs; its standard
  deviation across epochs is the *variability* of the data maps;
- **area under the margin** (Pleiss et al., 2020): the given label's logit
  minus the largest other logit, averaged over the epochs;
- **forgetting events** (Toneva et al., 2019): how often a sample goes from
  correctly classified at one epoch to misclassified at the next.

:class:`TrainingDynamics` is the skorch callback that records them;
:class:`DynamicsDifficultyEstimator` trains a net once with it and turns the
records into a per-sample difficulty, as the ``difficulty_estimator=`` of
:class:`~skdifficulty.DifficultyWeightedClassifier`.

This module imports torch and skorch.
"""

from .nets._dynamic_weights import DynamicWeights
from .nets._dynamics import (
    SIGNALS,
    DynamicsDifficultyEstimator,
    TrainingDynamics,
)

__all__ = [
    "SIGNALS",
    "DynamicWeights",
    "DynamicsDifficultyEstimator",
    "TrainingDynamics",
]
