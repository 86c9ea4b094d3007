"""skorch nets that take ``sample_weight`` in ``fit``.

skorch does not batch per-sample weights by itself (its FAQ shows a by-hand
workaround: put the weights into a dict ``X`` and override ``get_loss``).
:class:`SampleWeightMixin` does that work for any skorch net class, so that
``net.fit(X, y, sample_weight=w)`` just works:

- the weights are wrapped into the training dataset next to ``X``, so they
  follow it through skorch's internal ``train_split`` (e.g. ``ValidSplit``)
  and the DataLoader's batching, and are stripped off before
  ``module.forward``;
- every batch loss is the weighted mean of the per-sample losses ``l_i``::

      loss = sum_i w_i * l_i / sum_i w_i

  for training and validation batches alike. A criterion that takes a
  ``reduction`` argument (PyTorch's losses) is built with
  ``reduction="none"``; any other criterion (a loss module of one's own, a
  function) is mapped over the batch's samples with ``torch.func.vmap``.

This module imports torch and skorch; the rest of skdifficulty imports it
only when it is given a skorch net.
"""

from .nets._weighted import (
    GradientValueClipping,
    SampleWeightMixin,
    WeightedNeuralNetBinaryClassifier,
    WeightedNeuralNetClassifier,
    WeightedNeuralNetRegressor,
    as_weighted_net,
    per_sample_losses,
    weighted_net_class,
)

__all__ = [
    "GradientValueClipping",
    "SampleWeightMixin",
    "WeightedNeuralNetBinaryClassifier",
    "WeightedNeuralNetClassifier",
    "WeightedNeuralNetRegressor",
    "as_weighted_net",
    "per_sample_losses",
    "weighted_net_class",
]
