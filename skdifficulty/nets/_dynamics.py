"""Training dynamics behind :mod:`skdifficulty.dynamics`."""

import numpy as np

from ..utils._optional import missing_message

try:
    import torch
    from skorch.callbacks import Callback
    from skorch.dataset import unpack_data
    from skorch.utils import to_numpy
except ImportError as exc:  # torch or skorch missing
    raise ImportError(missing_message("torch", "skdifficulty.dynamics")) from exc

from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from ..utils._compat import HasMethods, StrOptions, fit_context
from ..utils._random import MAX_SEED
from ..utils._validation import check_class_labels
from ._batches import _array_data, _n_samples, _split_weight
from ._rules import (
    check_no_validation_monitors,
    is_skorch_net,
    named_callbacks,
    seed_torch,
)
from ._weighted import as_weighted_net


SIGNALS = ("confidence", "margin", "forgetting")
"""The signals :class:`DynamicsDifficultyEstimator` can turn into difficulty."""

# The name under which DynamicsDifficultyEstimator adds its recorder.
_CALLBACK_NAME = "dynamics"
# Probabilities are floored here before their logs are taken, so that a
# probability that underflowed to 0 gives a large but finite margin.
_TINY = np.finfo(np.float64).tiny


class TrainingDynamics(Callback):
    """Record each training sample's prediction after every epoch.

    After every training epoch (``on_epoch_end``) the net's module runs in
    evaluation mode, without gradients, over the whole training set in its
    order (batched by ``net.get_iterator(dataset_train, training=False)``),
    and three things are recorded per sample:

    - the **confidence**: the probability of the given label, from the net's
      predict nonlinearity as in ``predict_proba`` (softmax of the logits
      for ``CrossEntropyLoss``, the module's output for ``NLLLoss``);
    - the **margin**: ``log p_y - max_{c != y} log p_c``, computed in float64;
      for softmax outputs this is the given label's logit minus the largest
      other logit (probabilities that underflow float64, logit gaps beyond
      about 700, are floored);
    - the **correctness**: whether the most probable class is the label.

    The pass runs with torch's CPU random generator forked, so recording
    does not change the training (a DataLoader draws a seed from it even
    without shuffling): a net trains to the same parameters with and
    without this callback. Batches that a weighted net (see
    :mod:`skdifficulty.skorch`) wraps with their sample weights are
    unwrapped first.

    Records are kept from the net's (re-)initialization on, so
    ``partial_fit`` adds epochs to them; every epoch must train on the same
    number of samples.

    Attributes
    ----------
    confidence_ : ndarray of shape (n_epochs, n_samples), dtype=float32
        Probability of the given label after each epoch.
    margin_ : ndarray of shape (n_epochs, n_samples), dtype=float32
        Margin of the given label after each epoch.
    correct_ : ndarray of shape (n_epochs, n_samples), dtype=bool
        Whether the sample was predicted correctly after each epoch.

    See Also
    --------
    DynamicsDifficultyEstimator : Trains a net with this callback and turns
        the records into difficulty.

    Notes
    -----
    Memory is O(n_samples x n_epochs): nine bytes per sample and epoch.
    Time: one extra inference pass over the training set per epoch.

    The pass uses the net's ``iterator_valid``, which must not shuffle.
    The samples are those of the training set that skorch gives the
    callbacks: with a ``train_split`` (skorch's default ``ValidSplit(5)``)
    that is only the training part, in the split's order. Use
    ``train_split=None`` to score every sample in the order of ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from skdifficulty.dynamics import TrainingDynamics
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 3).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> _ = torch.manual_seed(0)
    >>> net = NeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=3, module__out_features=2,
    ...     criterion=torch.nn.CrossEntropyLoss, max_epochs=4, lr=0.1,
    ...     train_split=None, verbose=0, callbacks=[("dynamics", TrainingDynamics())],
    ... ).fit(X, y)
    >>> dynamics = dict(net.callbacks_)["dynamics"]
    >>> dynamics.confidence_.shape, dynamics.correct_.dtype
    ((4, 40), dtype('bool'))
    """

    def initialize(self):
        """Forget the records of a previous training.

        Returns
        -------
        self : TrainingDynamics
            The callback, with empty records.
        """
        self._records = {"confidence": [], "margin": [], "correct": []}
        return self

    def on_epoch_end(self, net, dataset_train=None, dataset_valid=None, **kwargs):
        """Score every training sample with the net as it is after this epoch.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        dataset_train : torch Dataset
            The training set of the epoch, as skorch passes it.
        dataset_valid : torch Dataset or None
            Unused.
        **kwargs : dict
            Unused.
        """
        if dataset_train is None:
            raise ValueError(
                "TrainingDynamics needs the training set, which skorch passes to "
                "on_epoch_end as dataset_train; it got None."
            )
        if not hasattr(self, "_records"):
            self.initialize()
        # Forked: the DataLoader draws a seed from the global generator, and
        # recording must not change the training that follows.
        with torch.random.fork_rng(devices=[]):
            epoch = _score_dataset(net, dataset_train)
        previous = self._records["confidence"]
        if previous and previous[-1].shape != epoch["confidence"].shape:
            raise ValueError(
                f"TrainingDynamics records one training set, but this epoch "
                f"trained on {epoch['confidence'].shape[0]} samples after "
                f"{previous[-1].shape[0]} before; re-initialize the net (fit "
                "instead of partial_fit) to start new records."
            )
        for name, values in epoch.items():
            self._records[name].append(values)

    @property
    def confidence_(self):
        """Probability of the given label, shape (n_epochs, n_samples)."""
        return self._stacked("confidence", np.float32)

    @property
    def margin_(self):
        """Margin of the given label, shape (n_epochs, n_samples)."""
        return self._stacked("margin", np.float32)

    @property
    def correct_(self):
        """Whether the prediction was right, shape (n_epochs, n_samples)."""
        return self._stacked("correct", bool)

    def _stacked(self, name, dtype):
        records = getattr(self, "_records", None)
        if records is None:
            raise AttributeError(
                f"This TrainingDynamics has recorded nothing yet: add it to a "
                f"skorch net's callbacks and fit the net to get {name}_."
            )
        if not records[name]:
            return np.empty((0, 0), dtype=dtype)
        return np.stack(records[name])


def _weighted_base(dataset):
    """The weighted dataset under ``dataset`` and the indices into it."""
    indices = slice(None)
    if isinstance(dataset, torch.utils.data.Subset):
        indices = np.asarray(dataset.indices)
        dataset = dataset.dataset
    if not hasattr(dataset, "sample_weight"):
        raise TypeError(
            "DynamicWeights reweighs a training set that carries sample weights "
            f"(a net of skdifficulty.skorch fitted with them); got {type(dataset).__name__}."
        )
    return dataset, indices


def _score_dataset(net, dataset):
    """Confidence, margin and correctness of every sample of ``dataset``."""
    _check_ordered_iterator(net)
    nonlinearity = net._get_predict_nonlinearity()
    confidence, margin, correct = [], [], []
    for Xi, yi in _batches_in_order(net, dataset):
        if yi is None:
            raise ValueError(
                "TrainingDynamics needs the labels of the training samples, but "
                "the training set yields none."
            )
        output = net.evaluation_step((Xi, yi), training=False)
        output = output[0] if isinstance(output, tuple) else output
        with torch.no_grad():
            proba = nonlinearity(output)
            labels = _check_labels(yi, proba)
            # The margin in float64, where softmax probabilities underflow
            # only for logit gaps beyond ~700, against ~100 in float32.
            log_proba = torch.log(nonlinearity(output.double()).clamp_min(_TINY))
            given = log_proba.gather(1, labels[:, None])[:, 0]
            others = log_proba.scatter(1, labels[:, None], -torch.inf)
            confidence.append(to_numpy(proba.gather(1, labels[:, None])[:, 0]))
            margin.append(to_numpy(given - others.max(dim=1).values))
            correct.append(to_numpy(proba.argmax(dim=1) == labels))
    return {
        "confidence": np.concatenate(confidence).astype(np.float32),
        "margin": np.concatenate(margin).astype(np.float32),
        "correct": np.concatenate(correct).astype(bool),
    }


def _batches_in_order(net, dataset):
    """``(X, y)`` batches of ``dataset`` in its order, without weights.

    A dataset of arrays (under the weights and a ``Subset``, as the fit
    builds it) is indexed a batch at a time: collating it sample by sample,
    as the net's loader does, costs more than a small net's forward pass.
    Evaluation-mode outputs do not depend on the batches.
    """
    arrays = _arrays_of(dataset)
    if arrays is None:
        for batch in net.get_iterator(dataset, training=False):
            Xi, yi = unpack_data(batch)
            yield _split_weight(Xi)[0], yi
        return
    X, y = arrays
    size = net.batch_size if net.batch_size and net.batch_size > 0 else len(y)
    for start in range(0, len(y), size):
        yield X[start : start + size], y[start : start + size]


def _arrays_of(dataset):
    """``(X, y)`` tensors of a dataset of plain arrays, in its order; else None."""
    indices = None
    if isinstance(dataset, torch.utils.data.Subset):
        indices = torch.as_tensor(np.asarray(dataset.indices))
        dataset = dataset.dataset
    arrays = _array_data(getattr(dataset, "dataset", dataset))  # under the weights
    if arrays is None or arrays[1] is None:
        return None
    X, y = arrays
    if indices is not None:
        X, y = X[indices], y[indices]
    return X, y


def _check_ordered_iterator(net):
    """Refuse an ``iterator_valid`` that would score the samples out of order."""
    params = net.get_params_for("iterator_valid")
    if params.get("shuffle") or params.get("sampler") is not None:
        raise ValueError(
            "TrainingDynamics scores the training set with the net's "
            "iterator_valid, which must keep the samples in order; unset "
            "iterator_valid__shuffle and iterator_valid__sampler."
        )


def _check_labels(yi, proba):
    """The batch's labels as class indices into the columns of ``proba``."""
    if proba.dim() != 2 or proba.shape[1] < 2:
        raise ValueError(
            "TrainingDynamics needs class probabilities of shape (n_samples, "
            f"n_classes) from the net's predict nonlinearity; got shape "
            f"{tuple(proba.shape)}. Is the net a classifier?"
        )
    labels = torch.as_tensor(yi, device=proba.device)
    if labels.is_floating_point():
        if not torch.equal(labels, labels.round()):
            raise ValueError(
                "TrainingDynamics needs class-index targets; got non-integer "
                "float targets."
            )
    labels = labels.reshape(-1).long()
    if labels.shape[0] != proba.shape[0]:
        raise ValueError(
            f"The batch has {labels.shape[0]} labels for {proba.shape[0]} "
            "predictions; TrainingDynamics needs one class index per sample."
        )
    if labels.numel() and (labels.min() < 0 or labels.max() >= proba.shape[1]):
        raise ValueError(
            f"TrainingDynamics needs class indices in [0, {proba.shape[1]}); the "
            f"labels span [{int(labels.min())}, {int(labels.max())}]."
        )
    return labels


class DynamicsDifficultyEstimator(BaseEstimator):
    """Per-sample difficulty from the training dynamics of one skorch net.

    A clone of ``net`` is trained once on all of ``X, y`` with a
    :class:`TrainingDynamics` callback, and the per-epoch predictions of the
    training samples become a difficulty, higher for harder samples. The
    signals (see ``signal``) are those of dataset cartography
    (Swayamdipta et al., 2020), the area under the margin (Pleiss et al.,
    2020) and forgetting events (Toneva et al., 2019). All of them are kept
    in the fitted attributes whichever one ``difficulty_`` follows.

    Parameters
    ----------
    net : skorch classifier net
        An unfitted (or fitted: only its parameters are used) skorch
        ``NeuralNetClassifier``, ``NeuralNetBinaryClassifier`` or subclass.
        Its targets must be class indices. It is cloned; the caller's net is
        left as it is.
    signal : {"confidence", "margin", "forgetting"}, default="confidence"
        What ``difficulty_`` measures:

        - ``"confidence"``: one minus the mean confidence in the given label
          over the epochs;
        - ``"margin"``: minus the area under the margin, the mean over the
          epochs of the given label's logit minus the largest other logit;
        - ``"forgetting"``: the number of forgetting events (correct at
          epoch ``t - 1``, wrong at ``t``); samples never predicted correctly
          count ``n_epochs_``, more than any learned sample can reach, as
          Toneva et al. rank unlearned samples above all others.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's global generator before the training (initial weights,
        batch order, dropout). ``None`` leaves the generator as it is.

    Attributes
    ----------
    difficulty_ : ndarray of shape (n_samples,)
        Difficulty of each training sample on the scale of ``signal``;
        higher is harder.
    confidence_mean_ : ndarray of shape (n_samples,)
        Mean probability of the given label over the epochs.
    confidence_std_ : ndarray of shape (n_samples,)
        Its standard deviation over the epochs: the variability of the
        data maps.
    area_under_margin_ : ndarray of shape (n_samples,)
        Mean margin of the given label over the epochs.
    forgetting_events_ : ndarray of shape (n_samples,), dtype=int
        Number of forgetting events (samples never learned have 0 here; see
        ``correctness_``).
    correctness_ : ndarray of shape (n_samples,)
        Share of the epochs after which the sample was predicted correctly.
    n_epochs_ : int
        Number of epochs the net trained for.
    dynamics_ : TrainingDynamics
        The callback, with the per-epoch records ``confidence_``,
        ``margin_`` and ``correct_`` of shape (n_epochs, n_samples).
    net_ : skorch net
        The fitted net (the weighted twin of ``net`` when fitted with
        ``sample_weight``).
    classes_ : ndarray of shape (n_classes,)
        Class labels, as the net knows them.
    n_features_in_ : int
        Number of features seen during fit, where ``X`` is array-like.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, if they are all strings.

    See Also
    --------
    TrainingDynamics : The callback that records the predictions.
    skdifficulty.DifficultyEstimator : Held-out difficulty from resampled fits.
    skdifficulty.plotting.DataMapDisplay : The data map of a fitted estimator.

    Notes
    -----
    These are **in-sample** signals: the net has seen every sample that it
    scores, so a wrong label that it ends up memorizing looks easy late in
    training; averaging over the epochs keeps the early ones, where such a
    label is still hard. The held-out error of
    :class:`~skdifficulty.DifficultyEstimator` is the reference measure of
    difficulty; the dynamics cost one training (plus an inference pass over
    the training set per epoch) instead of many.

    The net trains without its validation split (``train_split=None``, as
    for the resampled fits of :class:`~skdifficulty.DifficultyEstimator`):
    every sample is to be scored, and skorch's default ``ValidSplit(5)``
    would leave a fifth of them out of the training and so out of the
    records. Callbacks that monitor a validation score are refused for this
    reason. With ``sample_weight`` the net becomes its weighted twin (see
    :func:`skdifficulty.skorch.as_weighted_net`).

    Memory is O(n_samples x n_epochs) for the per-epoch records.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from skdifficulty.datasets import flip_labels
    >>> from skdifficulty.dynamics import DynamicsDifficultyEstimator
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(60, 2).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> y_noisy, flipped = flip_labels(y, rate=0.1, random_state=0)
    >>> net = NeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=2, module__out_features=2,
    ...     criterion=torch.nn.CrossEntropyLoss, max_epochs=8, lr=0.5, verbose=0,
    ... )
    >>> est = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y_noisy)
    >>> est.difficulty_.shape, est.n_epochs_
    ((60,), 8)
    >>> bool(est.difficulty_[flipped].mean() > est.difficulty_[~flipped].mean())
    True
    """

    _parameter_constraints: dict = {
        "net": [HasMethods(["fit"])],
        "signal": [StrOptions(set(SIGNALS))],
        "random_state": ["random_state"],
    }

    def __init__(self, net, *, signal="confidence", random_state=None):
        self.net = net
        self.signal = signal
        self.random_state = random_state

    @fit_context(prefer_skip_nested_validation=False)  # the net is the user's
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Train a clone of the net once and record its training dynamics.

        Parameters
        ----------
        X : array-like, tensor, dict of arrays or Dataset
            Training data, anything the net accepts.
        y : array-like of shape (n_samples,)
            Class labels as the net takes them (class indices).
        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights of the training loss; the net is then fitted
            as its weighted twin.
        **fit_params : dict
            Passed to the net's ``fit``.

        Returns
        -------
        self : DynamicsDifficultyEstimator
            The fitted estimator.
        """
        self._check_net()
        n_samples = self._check_y(X, y)
        for name in ("n_features_in_", "feature_names_in_"):
            self.__dict__.pop(name, None)
        # Records n_features_in_ (and feature names) where X has them; dicts
        # and Datasets have none.
        validate_data(self, X, skip_check_array=True)

        net = self._training_net(sample_weight)
        if self.random_state is not None:
            seed_torch(check_random_state(self.random_state).randint(MAX_SEED))
        if sample_weight is not None:
            fit_params = {**fit_params, "sample_weight": sample_weight}
        self.net_ = net.fit(X, y, **fit_params)
        self.dynamics_ = dict(self.net_.callbacks_)[_CALLBACK_NAME]
        self._store(n_samples)
        try:
            self.classes_ = np.asarray(self.net_.classes_)
        except AttributeError:  # a net built with classes=[]
            self.classes_ = np.unique(_as_numpy(y))
        return self

    def _check_net(self):
        net = self.net
        if not is_skorch_net(net):
            raise TypeError(
                "DynamicsDifficultyEstimator needs a skorch net (a "
                f"skorch.NeuralNetClassifier or subclass); got {type(net).__name__}. "
                "For other estimators use skdifficulty.DifficultyEstimator."
            )
        if not is_classifier(net):
            raise ValueError(
                f"DynamicsDifficultyEstimator needs a classifier net; "
                f"{type(net).__name__} is not one (a regressor has no confidence "
                "in a label). Use skdifficulty.DifficultyEstimator for regressors."
            )
        if isinstance(net.callbacks, str) and net.callbacks == "disable":
            raise ValueError(
                "The net has callbacks='disable', which would switch off the "
                "TrainingDynamics callback too; switch off single callbacks with "
                "set_params(callbacks__<name>=None) instead."
            )
        names = [name for name, _ in named_callbacks(net)]
        if _CALLBACK_NAME in names:
            raise ValueError(
                f"The net already has a callback named {_CALLBACK_NAME!r}, the name "
                "under which DynamicsDifficultyEstimator adds its TrainingDynamics; "
                "rename it."
            )
        check_no_validation_monitors(
            net,
            "DynamicsDifficultyEstimator trains without the net's validation "
            "split (train_split=None) so that every sample is trained on and "
            "scored.",
        )
        _check_ordered_iterator(net)

    def _check_y(self, X, y):
        """Check ``y`` against ``X``; return the number of samples."""
        if y is None:
            raise ValueError(
                "DynamicsDifficultyEstimator needs the labels y: the training "
                "dynamics score the given label of every sample."
            )
        _, codes = check_class_labels(
            _as_numpy(y), n_samples=_n_samples(X), min_classes=1
        )
        return codes.shape[0]

    def _training_net(self, sample_weight):
        """A clone of the net with the recorder and without a validation split."""
        net = clone(self.net)
        callbacks = list(net.callbacks or [])
        callbacks.append((_CALLBACK_NAME, TrainingDynamics()))
        net.set_params(callbacks=callbacks, train_split=None)
        if sample_weight is not None:
            net = as_weighted_net(net)
        return net

    def _store(self, n_samples):
        dynamics = self.dynamics_
        confidence = dynamics.confidence_
        margin = dynamics.margin_
        correct = dynamics.correct_
        self.n_epochs_ = confidence.shape[0]
        if self.n_epochs_ == 0:
            raise ValueError(
                "The net trained for no epoch (max_epochs=0?), so there are no "
                "training dynamics to read."
            )
        if confidence.shape[1] != n_samples:
            raise ValueError(
                f"The net's training set had {confidence.shape[1]} samples but y "
                f"has {n_samples}; the dynamics must score every sample."
            )
        self.confidence_mean_ = confidence.mean(axis=0, dtype=np.float64)
        self.confidence_std_ = confidence.std(axis=0, dtype=np.float64)
        self.area_under_margin_ = margin.mean(axis=0, dtype=np.float64)
        self.correctness_ = correct.mean(axis=0, dtype=np.float64)
        self.forgetting_events_ = np.sum(correct[:-1] & ~correct[1:], axis=0)
        if self.signal == "confidence":
            difficulty = 1.0 - self.confidence_mean_
        elif self.signal == "margin":
            difficulty = -self.area_under_margin_
        else:
            never_learned = ~correct.any(axis=0)
            difficulty = np.where(
                never_learned, self.n_epochs_, self.forgetting_events_
            ).astype(np.float64)
        self.difficulty_ = difficulty

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.non_deterministic = self.random_state is None
        return tags


def _as_numpy(y):
    return to_numpy(y) if isinstance(y, torch.Tensor) else np.asarray(y)
