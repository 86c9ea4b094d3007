"""DynamicWeights: a skorch callback that reweights the samples during training
by the net's own consensus with each label.
"""

import numpy as np

from ..utils._optional import missing_message

try:
    import torch
    from skorch.callbacks import Callback
except ImportError as exc:  # torch or skorch missing
    raise ImportError(missing_message("torch", "skdifficulty.dynamics")) from exc
from ._batches import _PENDING_WEIGHT, _n_samples
from ._dynamics import _score_dataset, _weighted_base


class DynamicWeights(Callback):
    """Sample weights that follow the net's own view as it trains.

    Until epoch ``start`` the net trains with the weights its ``fit`` was
    given (the prior: from the held-out difficulty, say). After every epoch
    from ``start`` on, each training sample's weight is multiplied by the
    net's current consensus with its label, ``(p_y / max_c p_c) **
    strength``, and the weights are rescaled to the prior's total: a
    multiplicative-weights update whose loss is the sample's negative
    margin. After epochs ``start .. t`` a sample weighs

        prior_i * exp(-strength * sum_t max(0, -margin_i(t)))

    (rescaled), with ``margin = log p_y - max_{c != y} log p_c``: the area
    under the margin (Pleiss et al., 2020), counted where the net favours
    another class. A sample the net keeps placing in another class loses its
    weight epoch after epoch, before the net memorizes it; one the net
    agrees with keeps its share. Zhou & Wu ("Which samples should be learned
    first: easy or hard?", 2021) find that the best weighting can change
    while a net trains; this lets it.

    Each reweighting costs one prediction pass over the training set (as
    :class:`TrainingDynamics` does). The net must take sample weights (a
    net of :mod:`skdifficulty.skorch`); without weights in ``fit`` the
    prior is uniform. The caller's weights are never changed.

    Parameters
    ----------
    start : int, default=10
        The epoch (counted from 1) after which the first reweighting happens.
        A net on noisy labels learns the shared pattern first and fits the
        wrong labels later; start before it fits them (the held-out
        members' best epochs, ``DifficultyEstimator.best_epochs_``, tell
        when).
    strength : float, default=1.0
        Exponent of the net's consensus with the label in each update.

    Attributes
    ----------
    weights_ : list of ndarray
        The training samples' weights after each reweighting.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skdifficulty.dynamics import DynamicWeights
    >>> from skdifficulty.skorch import WeightedNeuralNetClassifier
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 2).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> y[:6] = 1 - y[:6]  # wrong labels
    >>> _ = torch.manual_seed(0)
    >>> net = WeightedNeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=2, module__out_features=2,
    ...     criterion=torch.nn.CrossEntropyLoss, lr=0.5, max_epochs=6,
    ...     train_split=None, verbose=0,
    ...     callbacks=[("reweight", DynamicWeights(start=2))],
    ... ).fit(X, y)
    >>> weights = dict(net.callbacks_)["reweight"].weights_
    >>> len(weights), bool(weights[-1][:6].mean() < weights[-1][6:].mean())
    (5, True)
    """

    def __init__(self, start=10, strength=1.0):
        self.start = start
        self.strength = strength

    def initialize(self):
        """Forget the weights of a previous training.

        Returns
        -------
        self : DynamicWeights
            The callback.
        """
        self.weights_ = []
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        """Take a copy of the prior weights, which the reweighting changes.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net about to train.
        X, y : training data
            As skorch passes them.
        **kwargs : dict
            Unused.
        """
        if _PENDING_WEIGHT not in net.__dict__:
            raise TypeError(
                f"DynamicWeights changes the sample weights of a net that takes "
                f"them; {type(net).__name__} does not. Use a net of "
                "skdifficulty.skorch (as_weighted_net(net))."
            )
        prior = net.__dict__[_PENDING_WEIGHT]
        if prior is None:
            prior = np.ones(_n_samples(X), dtype=np.float32)
        # The dataset is built after this call, from this copy, which the
        # updates change in place; the caller's weights stay as they are.
        net.__dict__[_PENDING_WEIGHT] = np.array(prior, dtype=np.float32)

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """From epoch ``start`` on, multiply the weights by the net's consensus.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        dataset_train : torch Dataset
            The training set, as skorch passes it.
        dataset_valid : torch Dataset or None
            Unused.
        **kwargs : dict
            Unused.
        """
        if len(net.history) < self.start:
            return
        weighted, indices = _weighted_base(dataset_train)
        with torch.random.fork_rng(devices=[]):  # leave the batch order alone
            margin = _score_dataset(net, dataset_train)["margin"]
        consensus = np.exp(self.strength * np.minimum(margin.astype(np.float64), 0))
        current = weighted.sample_weight[indices].astype(np.float64)
        new = current * consensus
        total = new.sum()
        if total > 0:  # the total stays the prior's
            new *= current.sum() / total
        weighted.sample_weight[indices] = new.astype(np.float32)
        self.weights_.append(weighted.sample_weight[indices].copy())
