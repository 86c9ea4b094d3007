"""The weighted skorch nets behind :mod:`skdifficulty.skorch`."""

import copy
import inspect
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np

from ..utils._optional import missing_message
from ..utils._validation import check_weights

try:
    import torch
    from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor
    from skorch.callbacks import Callback
    from skorch.classifier import NeuralNetBinaryClassifier
    from skorch.utils import to_tensor
except ImportError as exc:  # torch or skorch missing
    raise ImportError(missing_message("torch", "skdifficulty.skorch")) from exc
from ._batches import (
    _PENDING_WEIGHT,
    _n_samples,
    _split_weight,
    _target_counts,
    _weighted_mean,
    _WeightedDataset,
)


def _reduces_itself(criterion):
    """Whether ``criterion`` switches reductions, like PyTorch's losses."""
    return isinstance(getattr(criterion, "reduction", None), str)


def _takes_reduction(factory):
    """Whether ``factory(..., reduction=...)`` names a ``reduction`` argument."""
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # no signature to read (a builtin)
        return False
    parameter = parameters.get("reduction")
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


@contextmanager
def _reduction(criterion, reduction):
    """Let a criterion that switches reductions reduce so for a call."""
    if not _reduces_itself(criterion):
        yield
        return
    previous = criterion.reduction
    criterion.reduction = reduction
    try:
        yield
    finally:
        criterion.reduction = previous


def _batch_of_one(data):
    """A sample's tensors (nested in tuples, lists, dicts) as a batch of one."""
    if isinstance(data, torch.Tensor):
        return data.unsqueeze(0)
    if isinstance(data, Mapping):
        return {key: _batch_of_one(value) for key, value in data.items()}
    if isinstance(data, tuple | list):
        return type(data)(_batch_of_one(value) for value in data)
    return data


class _NotOneValue(Exception):
    """A criterion gave something else than one value for a batch of one."""


def per_sample_losses(net, y_pred, y_true, X=None, training=False):
    """The per-sample losses of a batch, as a weighted net weights them.

    The losses come from the parent class's ``get_loss`` (so, for one,
    ``NeuralNetClassifier``'s log before ``NLLLoss`` applies). A criterion
    that switches reductions (PyTorch's losses) gives them with
    ``reduction="none"``. Any other criterion is called on each sample as a
    batch of one, mapped over the batch with ``torch.func.vmap``: exact
    for a loss that averages over the samples of a batch.

    Parameters
    ----------
    net : SampleWeightMixin
        An initialized weighted net.
    y_pred : torch.Tensor, or a tuple or dict of them
        The module's output for the batch; the first dimension of every
        tensor runs over the samples.
    y_true : torch.Tensor or None
        The batch's targets.
    X : batch of input data, default=None
        Passed on to the parent's ``get_loss`` (without weights).
    training : bool, default=False
        Whether the net is training.

    Returns
    -------
    losses : torch.Tensor
        Shape ``(n_samples,)``, or ``(n_samples, ...)`` for a criterion
        that gives several loss elements per sample (e.g. ``MSELoss`` on
        several outputs).

    Raises
    ------
    TypeError
        If the criterion cannot be mapped over the samples.
    ValueError
        If it does not give a single value for a batch of one sample.

    Examples
    --------
    >>> import torch
    >>> from skdifficulty.skorch import WeightedNeuralNetRegressor, per_sample_losses
    >>> def mean_absolute_error():  # skorch calls a function criterion for the loss
    ...     return lambda y_pred, y_true: (y_pred - y_true).abs().mean()
    >>> net = WeightedNeuralNetRegressor(
    ...     torch.nn.Linear, module__in_features=2, module__out_features=1,
    ...     criterion=mean_absolute_error,
    ... ).initialize()
    >>> y_pred = torch.tensor([[0.0], [1.0], [3.0]])
    >>> per_sample_losses(net, y_pred, torch.zeros(3, 1))
    tensor([0., 1., 3.])
    """
    X, _ = _split_weight(X)
    get_loss = super(SampleWeightMixin, net).get_loss
    criterion = net.criterion_
    if _reduces_itself(criterion):
        with _reduction(criterion, "none"):
            losses = get_loss(y_pred, y_true, X=X, training=training)
        if losses.dim() > 0:
            return losses
        # A single value: the criterion ignores its reduction; map it.

    def one_sample(y_pred, y_true):
        loss = get_loss(
            _batch_of_one(y_pred), _batch_of_one(y_true), X=X, training=training
        )
        if not isinstance(loss, torch.Tensor):
            raise _NotOneValue(f"a {type(loss).__name__}")
        if loss.dim() != 0:
            raise _NotOneValue(f"a tensor of shape {tuple(loss.shape)}")
        return loss

    given = net.criterion  # named as the user gave it (a class, or a factory)
    name = getattr(given, "__name__", type(given).__name__)
    if y_true is not None:
        y_true = to_tensor(y_true, device=net.device)
    mapped = torch.func.vmap(
        one_sample,
        in_dims=(0, None if y_true is None else 0),
        randomness="different",
    )
    fix = (
        "give the criterion a 'reduction' argument and attribute that, with "
        "reduction='none', return one loss per sample, as PyTorch's losses do"
    )
    try:
        return mapped(y_pred, y_true)
    except _NotOneValue as exc:
        raise ValueError(
            f"The criterion {name} returned {exc} for a batch of one sample, "
            "where a weighted net needs a single loss value. Make it return "
            f"one value for a batch (e.g. the mean over its samples), or {fix}."
        ) from None
    except (RuntimeError, TypeError, ValueError, NotImplementedError) as exc:
        raise TypeError(
            f"The criterion {name} gives no per-sample losses of its own, so a "
            "weighted net calls it on each sample as a batch of one, mapped "
            f"over the batch with torch.func.vmap, which failed: {exc} To fix "
            f"this, {fix}; or write the loss without what vmap cannot map "
            "(.item(), Python 'if' on tensor values, in-place changes of its "
            "inputs)."
        ) from exc


class SampleWeightMixin:
    """Teach any skorch net to take ``sample_weight`` in ``fit``.

    Put it first among the bases: ``class MyNet(SampleWeightMixin, MyBaseNet)``
    (or call :func:`weighted_net_class`). It adds no parameters; the net keeps
    all of skorch's.

    Notes
    -----
    **Loss.** Each batch's loss is the weighted mean of its per-sample
    losses, ``sum_i w_i l_i / sum_i w_i``, in training and in validation.
    A criterion that switches reductions (PyTorch's losses) is built with
    ``reduction="none"`` (any ``criterion__reduction`` other than ``"mean"``
    or ``"none"`` is refused). Any other criterion (a loss module or a
    function of one's own, with or without parameters of its own) is built
    as skorch builds it, and ``l_i`` is its value on sample i alone,
    computed for all samples at once with ``torch.func.vmap`` (see
    :func:`per_sample_losses`): the weighted loss with equal weights is then
    the criterion's own value for a loss that averages over the samples,
    and the mean of the samples' values for one that sums them. Normalizing
    by the weights in the batch (and not by the batch size or by the weights
    of the whole data set) keeps the loss on the scale of the unweighted
    loss, so ``lr`` does not have to change with the scale of the weights,
    and it makes integer weights equivalent to duplicated rows within a
    batch. Without weights the loss is the criterion's own mean: the net
    behaves exactly like its parent class. For ``NLLLoss`` and
    ``CrossEntropyLoss`` with class weights (``criterion__weight``) the
    class weight ``c_i`` of each target joins the sample weight, as in
    PyTorch's mean: ``sum_i w_i c_i l_i / sum_i w_i c_i``. A batch whose
    weights are all zero has loss 0.

    **Batches.** The weighted mean is taken per batch, so with several
    batches per epoch a sample's effective weight also depends on the
    weights of the samples it is batched with; zero weight on a sample equals
    removing it only when everything fits in one batch
    (``batch_size >= n_samples``, or ``batch_size=-1``). The epoch losses in
    ``history`` are skorch's batch-size-weighted averages of the batch
    losses.

    **Validation.** The weights travel with ``X`` through ``train_split``,
    so a validation set cut from the training data (``ValidSplit``) is
    weighted too. A validation set that does not come from ``X`` (e.g.
    ``skorch.helper.predefined_split``) has no weights and gets the plain
    mean. For resampled difficulty fits (``cross_val_predict``, or an
    estimator in :class:`~skdifficulty.DifficultyEstimator`) use
    ``train_split=None``: the held-out fold already is the validation set,
    and the default ``ValidSplit(5)`` would silently train each model on
    only 80% of its fold.

    **Batches seen by callbacks.** During a weighted fit a batch's ``X`` is
    a dict ``{"skdifficulty_X": X, "skdifficulty_sample_weight": w}``;
    ``infer`` and ``get_loss`` unwrap it. Prediction never sees weights.
    """

    def fit(self, X, y=None, sample_weight=None, **fit_params):
        """Initialize and fit the module, weighting each sample's loss.

        Parameters
        ----------
        X : array-like, tensor, DataFrame, dict of arrays or Dataset
            Input data, anything that the parent net accepts.
        y : array-like or tensor, default=None
            Targets, as for the parent net.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite per-sample weights (not all zero). None
            fits exactly like the parent net.
        **fit_params : dict
            Passed on as by the parent net (to ``module.forward`` and the
            ``train_split``).

        Returns
        -------
        self : object
            The fitted net.
        """
        if sample_weight is not None:
            # Validate before initialize() discards a previous fit.
            check_weights(sample_weight, _n_samples(X), dtype=np.float32)
        return super().fit(X, y, sample_weight=sample_weight, **fit_params)

    def partial_fit(self, X, y=None, classes=None, sample_weight=None, **fit_params):
        """Continue training, weighting each sample's loss.

        Parameters
        ----------
        X : array-like, tensor, DataFrame, dict of arrays or Dataset
            Input data, anything that the parent net accepts.
        y : array-like or tensor, default=None
            Targets, as for the parent net.
        classes : array-like, default=None
            Unused, as in skorch.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative, finite per-sample weights (not all zero).
        **fit_params : dict
            Passed on as by the parent net.

        Returns
        -------
        self : object
            The fitted net.
        """
        weight = None
        if sample_weight is not None:
            weight = check_weights(sample_weight, _n_samples(X), dtype=np.float32)
        # Bypass skorch's __setattr__/__delattr__ bookkeeping: this is a
        # value for the duration of one call, not a component of the net.
        self.__dict__[_PENDING_WEIGHT] = weight
        try:
            return super().partial_fit(X, y, classes=classes, **fit_params)
        finally:
            self.__dict__.pop(_PENDING_WEIGHT, None)

    def get_split_datasets(self, X, y=None, **fit_params):
        """Wrap the weights into the dataset before ``train_split`` cuts it.

        Parameters
        ----------
        X : input data
            As for the parent net.
        y : target data, default=None
            As for the parent net.
        **fit_params : dict
            As for the parent net.

        Returns
        -------
        dataset_train, dataset_valid : Dataset
            The parent net's split of the (weighted) dataset.
        """
        weight = self.__dict__.get(_PENDING_WEIGHT)
        if weight is not None:
            X = _WeightedDataset(self.get_dataset(X, y), weight)
        return super().get_split_datasets(X, y, **fit_params)

    def infer(self, x, **fit_params):
        """Run the module on a batch, without the batch's weights.

        Parameters
        ----------
        x : batch of input data
            The batch, possibly wrapped with its weights.
        **fit_params : dict
            Passed to ``module.forward``.

        Returns
        -------
        y_infer : torch.Tensor
            The module's output.
        """
        x, _ = _split_weight(x)
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """Weighted mean of the per-sample losses of a batch.

        Parameters
        ----------
        y_pred : torch.Tensor
            The module's output.
        y_true : torch.Tensor
            The targets.
        X : batch of input data, default=None
            Carries the batch's weights during a weighted fit; without
            weights the loss is the criterion's ordinary mean.
        training : bool, default=False
            Whether the net is training.

        Returns
        -------
        loss : torch.Tensor
            A scalar: ``sum_i w_i l_i / sum_i w_i``.
        """
        X, weight = _split_weight(X)
        if weight is None:
            # Exactly the parent net's loss, rounding included.
            with _reduction(self.criterion_, "mean"):
                return super().get_loss(y_pred, y_true, X=X, training=training)
        losses = per_sample_losses(self, y_pred, y_true, X=X, training=training)
        counts = _target_counts(self.criterion_, y_true, losses)
        return _weighted_mean(losses, weight, counts)

    def initialize_criterion(self):
        """Build the criterion, with ``reduction="none"`` where it takes one.

        A criterion without a ``reduction`` argument is built as the parent
        net builds it; :func:`per_sample_losses` maps it over the samples.

        Returns
        -------
        self : object
            The net, with ``criterion_`` set.
        """
        kwargs = self.get_params_for("criterion")
        criterion = self.criterion
        is_module = isinstance(criterion, torch.nn.Module)
        factory = type(criterion) if is_module else criterion
        if is_module and not kwargs:
            if _reduces_itself(criterion):
                criterion = copy.deepcopy(criterion)  # never change the user's one
        elif _takes_reduction(factory):
            _check_reduction(kwargs.pop("reduction", "mean"))
            criterion = factory(**kwargs, reduction="none")
        else:
            # Like skorch: a criterion_ of its own, whatever it returns.
            criterion = factory(**kwargs)
        if _reduces_itself(criterion):
            _check_reduction(criterion.reduction)
            criterion.reduction = "none"
        self.criterion_ = criterion
        return self

    def __getstate__(self):
        state = super().__getstate__()
        # A net pickled mid-fit (e.g. by a checkpoint callback) must not
        # carry that fit's weights.
        state.pop(_PENDING_WEIGHT, None)
        return state

    def __reduce_ex__(self, protocol):
        reduced = super().__reduce_ex__(protocol)
        base = type(self).__dict__.get("_skdifficulty_base_class")
        if base is None:  # a class defined in a module: pickled by name
            return reduced
        # A class made by weighted_net_class() exists only at run time:
        # pickle the skorch class it was made from and remake it on load.
        return (_new_weighted_net, (base,), *reduced[2:])


def _check_reduction(reduction):
    if reduction not in ("mean", "none"):
        raise ValueError(
            f"criterion reduction={reduction!r} is not supported by a weighted "
            "net: it always reduces the per-sample losses to their weighted "
            "mean. Leave criterion__reduction unset."
        )


class WeightedNeuralNetClassifier(SampleWeightMixin, NeuralNetClassifier):
    """A skorch ``NeuralNetClassifier`` whose ``fit`` takes ``sample_weight``.

    Parameters
    ----------
    module, criterion, ... :
        Exactly those of :class:`skorch.NeuralNetClassifier` (the default
        criterion is ``torch.nn.NLLLoss`` on probabilities; use
        ``criterion=torch.nn.CrossEntropyLoss`` for a module returning
        logits). The criterion is built with ``reduction="none"``.

    See Also
    --------
    SampleWeightMixin : How the weights travel and how the loss is normalized.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 3).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.int64)
    >>> w = np.where(y == 1, 2.0, 1.0)
    >>> from skdifficulty.skorch import WeightedNeuralNetClassifier
    >>> _ = torch.manual_seed(0)
    >>> net = WeightedNeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=3, module__out_features=2,
    ...     criterion=torch.nn.CrossEntropyLoss, max_epochs=5, lr=0.1,
    ...     train_split=None, verbose=0,
    ... )
    >>> net.fit(X, y, sample_weight=w).predict_proba(X).shape
    (40, 2)
    """


class WeightedNeuralNetRegressor(SampleWeightMixin, NeuralNetRegressor):
    """A skorch ``NeuralNetRegressor`` whose ``fit`` takes ``sample_weight``.

    Parameters
    ----------
    module, criterion, ... :
        Exactly those of :class:`skorch.NeuralNetRegressor` (default
        criterion ``torch.nn.MSELoss``, built with ``reduction="none"``).
        With several outputs, a sample's loss is the mean over its outputs.

    See Also
    --------
    SampleWeightMixin : How the weights travel and how the loss is normalized.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 3).astype(np.float32)
    >>> y = X.sum(axis=1, keepdims=True)
    >>> w = rng.uniform(0.5, 2.0, size=40)
    >>> from skdifficulty.skorch import WeightedNeuralNetRegressor
    >>> _ = torch.manual_seed(0)
    >>> net = WeightedNeuralNetRegressor(
    ...     torch.nn.Linear, module__in_features=3, module__out_features=1,
    ...     max_epochs=5, lr=0.1, train_split=None, verbose=0,
    ... )
    >>> net.fit(X, y, sample_weight=w).predict(X).shape
    (40, 1)
    """


class WeightedNeuralNetBinaryClassifier(SampleWeightMixin, NeuralNetBinaryClassifier):
    """A skorch ``NeuralNetBinaryClassifier`` taking ``sample_weight``.

    Parameters
    ----------
    module, criterion, ... :
        Exactly those of :class:`skorch.NeuralNetBinaryClassifier` (default
        criterion ``torch.nn.BCEWithLogitsLoss``, built with
        ``reduction="none"``); y is float.

    See Also
    --------
    SampleWeightMixin : How the weights travel and how the loss is normalized.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(40, 3).astype(np.float32)
    >>> y = (X[:, 0] > 0).astype(np.float32)
    >>> from skdifficulty.skorch import WeightedNeuralNetBinaryClassifier
    >>> _ = torch.manual_seed(0)
    >>> net = WeightedNeuralNetBinaryClassifier(
    ...     torch.nn.Linear, module__in_features=3, module__out_features=1,
    ...     max_epochs=5, lr=0.1, train_split=None, verbose=0,
    ... )
    >>> net.fit(X, y, sample_weight=np.ones(40)).predict_proba(X).shape
    (40, 2)
    """


_WEIGHTED_CLASSES = {
    NeuralNetClassifier: WeightedNeuralNetClassifier,
    NeuralNetRegressor: WeightedNeuralNetRegressor,
    NeuralNetBinaryClassifier: WeightedNeuralNetBinaryClassifier,
}


def weighted_net_class(net_class):
    """The weighted twin of a skorch net class.

    Parameters
    ----------
    net_class : type
        A subclass of ``skorch.NeuralNet``.

    Returns
    -------
    type
        ``net_class`` itself if it already takes weights, one of this
        module's classes for skorch's own nets, otherwise a subclass
        ``(SampleWeightMixin, net_class)`` made once and reused (its
        instances pickle by naming ``net_class``).

    Examples
    --------
    >>> from skorch import NeuralNetClassifier
    >>> from skdifficulty.skorch import weighted_net_class
    >>> weighted_net_class(NeuralNetClassifier).__name__
    'WeightedNeuralNetClassifier'
    """
    if not (isinstance(net_class, type) and issubclass(net_class, NeuralNet)):
        raise TypeError(f"Expected a skorch NeuralNet class, got {net_class!r}.")
    if issubclass(net_class, SampleWeightMixin):
        return net_class
    weighted = _WEIGHTED_CLASSES.get(net_class)
    if weighted is None:
        weighted = type(
            f"Weighted{net_class.__name__}",
            (SampleWeightMixin, net_class),
            {
                "__module__": __name__,
                "__doc__": f"{net_class.__name__} taking sample_weight in fit.",
                "_skdifficulty_base_class": net_class,
            },
        )
        _WEIGHTED_CLASSES[net_class] = weighted
    return weighted


def _new_weighted_net(net_class):
    """Unpickling helper: an empty instance of ``net_class``'s weighted twin."""
    weighted = weighted_net_class(net_class)
    return weighted.__new__(weighted)


def as_weighted_net(net):
    """An unfitted weighted twin of a skorch net, with the same parameters.

    Parameters
    ----------
    net : skorch.NeuralNet
        Any skorch net; fitted state is not copied (like
        :func:`sklearn.base.clone`).

    Returns
    -------
    net : SampleWeightMixin
        ``net`` itself if it already takes weights, else a new net of class
        ``weighted_net_class(type(net))``.

    Examples
    --------
    >>> import torch
    >>> from skorch import NeuralNetRegressor
    >>> from skdifficulty.skorch import as_weighted_net
    >>> net = NeuralNetRegressor(torch.nn.Linear, module__in_features=2,
    ...                          module__out_features=1, lr=0.05)
    >>> twin = as_weighted_net(net)
    >>> type(twin).__name__, twin.lr
    ('WeightedNeuralNetRegressor', 0.05)
    """
    if isinstance(net, SampleWeightMixin):
        return net
    if not isinstance(net, NeuralNet):
        raise TypeError(f"Expected a skorch net, got {type(net).__name__}.")
    from sklearn.base import clone

    params = {
        name: clone(value, safe=False)
        for name, value in net.get_params(deep=False).items()
    }
    twin = weighted_net_class(type(net))(**params)
    if "_metadata_request" in net.__dict__:  # set_fit_request(...) choices
        twin._metadata_request = copy.deepcopy(net._metadata_request)
    return twin


class GradientValueClipping(Callback):
    """Clip every gradient element to ``[-gradient_clip_value, gradient_clip_value]``.

    The element-wise counterpart of skorch's ``GradientNormClipping``, for
    any skorch net (see :func:`torch.nn.utils.clip_grad_value_`). Gradients
    are modified in place after each backward pass, before the optimizer
    step. Acting on each element alone, it leaves the members of
    ``engine="stacked"`` apart (see :ref:`stacked-engine`).

    Parameters
    ----------
    gradient_clip_value : float, default=None
        The largest absolute value a gradient element keeps; None clips
        nothing.

    Examples
    --------
    >>> import torch
    >>> from skorch import NeuralNetRegressor
    >>> from skdifficulty.skorch import GradientValueClipping
    >>> net = NeuralNetRegressor(
    ...     torch.nn.Linear, module__in_features=2, module__out_features=1,
    ...     callbacks=[("clip", GradientValueClipping(0.5))],
    ... )
    >>> net.callbacks[0][1].gradient_clip_value
    0.5
    """

    def __init__(self, gradient_clip_value=None):
        self.gradient_clip_value = gradient_clip_value

    def on_grad_computed(self, net, named_parameters, **kwargs):
        """Clip the gradients of ``named_parameters`` in place.

        Parameters
        ----------
        net : skorch.NeuralNet
            The net being trained.
        named_parameters : iterable of (str, torch.nn.Parameter)
            The parameters whose gradients are clipped.
        **kwargs : dict
            Unused, as skorch passes them.
        """
        if self.gradient_clip_value is None:
            return
        torch.nn.utils.clip_grad_value_(
            [param for _, param in named_parameters], self.gradient_clip_value
        )
