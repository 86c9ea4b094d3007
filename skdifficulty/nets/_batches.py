"""Plumbing shared by the nets' modules: sample weights carried next to X
through skorch's datasets and DataLoaders, weighted means of per-sample
losses, batches in a fixed order, and the optimizer and RNG devices of a
stacked training."""

from collections.abc import Mapping

import numpy as np

from ..utils._optional import missing_message

try:
    import torch
    from skorch.dataset import Dataset, get_len, unpack_data
    from skorch.utils import data_from_dataset, is_dataset, to_tensor
except ImportError as exc:  # torch or skorch missing
    raise ImportError(missing_message("torch", "skdifficulty.skorch")) from exc


# Keys of the dict that carries a batch's X and weights between the
# DataLoader and get_loss/infer; long names so they cannot clash with the
# keys of a user's dict X (which is nested inside, not merged).
_X_KEY = "skdifficulty_X"


_WEIGHT_KEY = "skdifficulty_sample_weight"


# Where partial_fit leaves the validated weights for get_split_datasets; the
# trailing underscore keeps it out of skorch's get_params.
_PENDING_WEIGHT = "_skdifficulty_sample_weight_"


def _n_samples(X):
    """Number of samples in ``X``, or None if skorch cannot tell before fit."""
    if is_dataset(X):
        return len(X)
    try:
        return get_len(X)
    except (TypeError, ValueError):
        # Left to skorch's own error, or to the check in _WeightedDataset.
        return None


def _split_weight(X):
    """Unwrap a batch's ``X`` into ``(X, weight)``; weight is None if absent."""
    if isinstance(X, Mapping) and _WEIGHT_KEY in X:
        return X[_X_KEY], X[_WEIGHT_KEY]
    return X, None


class _WeightedDataset(Dataset):
    """A dataset whose items are ``({X: Xi, weight: wi}, yi)``.

    It wraps whatever dataset the net builds from ``X`` and ``y``, so custom
    ``dataset`` classes keep working. It is a skorch ``Dataset`` whose ``X``
    and ``y`` are the wrapped data (without weights), so that scoring
    callbacks that read the data from the dataset still find them.
    """

    def __init__(self, dataset, sample_weight):
        # skorch's Dataset.__init__ is skipped: the data live in ``dataset``.
        if len(sample_weight) != len(dataset):
            raise ValueError(
                f"sample_weight has {len(sample_weight)} entries but the training "
                f"dataset has {len(dataset)} samples."
            )
        self.dataset = dataset
        self.sample_weight = sample_weight

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        Xi, yi = unpack_data(self.dataset[i])
        return {_X_KEY: Xi, _WEIGHT_KEY: self.sample_weight[i]}, yi

    @property
    def X(self):
        return data_from_dataset(self.dataset)[0]

    @property
    def y(self):
        return data_from_dataset(self.dataset)[1]


def _target_counts(criterion, y_true, losses):
    """How much each loss element counts in the criterion's own mean.

    NLLLoss and CrossEntropyLoss with class-index targets divide the summed
    (class-weighted) losses by the summed class weights of the targets and
    leave out ``ignore_index`` targets; returning those counts lets the
    weighted mean reduce to exactly the criterion's ``reduction="mean"`` when
    all sample weights are one. Other criteria average over elements: None.
    """
    if not isinstance(criterion, torch.nn.NLLLoss | torch.nn.CrossEntropyLoss):
        return None
    target = to_tensor(y_true, device=losses.device)
    if target.is_floating_point():  # class probabilities: a plain mean
        return None
    valid = target != criterion.ignore_index
    if criterion.weight is None:
        counts = valid.to(losses.dtype)
    else:
        class_weight = criterion.weight.to(losses.dtype)[torch.where(valid, target, 0)]
        counts = torch.where(valid, class_weight, 0)
    return counts.reshape(losses.shape)


def _weighted_mean(losses, weight, counts):
    """``sum_i w_i l_i / sum_i w_i`` over the samples of one batch.

    A sample with several loss elements (multi-output regression, per-pixel
    losses) contributes the mean of its elements, so all-one weights give
    the criterion's ordinary mean. ``weight`` of shape ``(n_samples,)``
    gives a scalar; leading dimensions (``(n_members, n_samples)``, with
    ``losses`` and ``counts`` shaped alike) give one mean each.
    """
    # The criterion's output lives on the net's device (``self.device``).
    weight = weight.to(device=losses.device, dtype=losses.dtype)
    if weight.dim() == 0 or losses.shape[: weight.dim()] != weight.shape:
        raise ValueError(
            f"The batch has {tuple(weight.shape)} sample weights but the "
            f"criterion returned losses of shape {tuple(losses.shape)}; their "
            "first dimensions must match."
        )
    n_elements = losses[(0,) * weight.dim()].numel()  # loss elements per sample
    sample_dims = tuple(range(weight.dim() - 1, losses.dim()))
    weight = weight.reshape(weight.shape + (1,) * (losses.dim() - weight.dim()))
    if counts is None:
        total = weight.sum(sample_dims) * n_elements
    else:
        total = (weight * counts).sum(sample_dims)
    # A batch whose weights are all zero has loss 0 and no gradient, where
    # 0 / 0 would put NaN into the parameters.
    weighted = (weight * losses).sum(sample_dims)
    return weighted / total.clamp_min(torch.finfo(losses.dtype).tiny)


def _rng_devices(device):
    """The CUDA devices whose generators ``fork_rng`` must save for ``device``."""
    device = torch.device(device)
    if device.type != "cuda":
        return []
    return [device.index if device.index is not None else torch.cuda.current_device()]


def _optimizer(optimizer, args, kwargs):
    """The net's optimizer over the stacked tensors, fused where it can be.

    M members make every tensor M times larger, and a fused step (one kernel
    per tensor) costs half the per-element loop of the default on a CPU; the
    update is the same arithmetic. The user's own choice of ``foreach`` or
    ``fused`` is kept.
    """
    if "foreach" not in kwargs and "fused" not in kwargs:
        try:
            return optimizer(*args, **kwargs, fused=True)
        except (TypeError, RuntimeError, ValueError):
            pass  # no fused kernel for this optimizer, device or dtype
    return optimizer(*args, **kwargs)


class _Indices(torch.utils.data.Dataset):
    """The sample indices ``0 .. n-1``: batching them draws the same batch order."""

    def __init__(self, n_samples):
        self.n_samples = n_samples

    def __len__(self):
        return self.n_samples

    def __getitem__(self, i):
        return i


class _IndexedDataset(_Indices):
    """Items ``((X_i, i), y_i)`` of any dataset: batches carry their indices."""

    def __init__(self, dataset):
        super().__init__(len(dataset))
        self.dataset = dataset

    def __getitem__(self, i):
        Xi, yi = unpack_data(self.dataset[i])
        return (Xi, i), yi


def _batches(net, dataset, *, training):
    """``((X_batch, indices), y_batch)`` in the order the net's loader gives.

    Arrays are indexed a batch at a time instead of collated sample by
    sample, which costs more than a small net's step; the loader only draws
    the batches of indices, so the order (and the random draws) are the
    ones the net's own loader would make. Any other dataset (a
    ``SliceDataset`` over a torch Dataset that augments at random, say) is
    read item by item through the net's loader: each batch is drawn once,
    and every member sees it.
    """
    data = _array_data(dataset)
    if data is None:
        yield from net.get_iterator(_IndexedDataset(dataset), training=training)
        return
    X, y = data
    for index in net.get_iterator(_Indices(len(dataset)), training=training):
        yield (X[index], index), (None if y is None else y[index])


def _array_data(dataset):
    """``(X, y)`` as CPU tensors for a plain skorch Dataset of arrays; else None."""
    if type(dataset) is not Dataset:
        return None
    X, y = dataset.X, dataset.y
    arrays = (np.ndarray, torch.Tensor)
    if not isinstance(X, arrays) or not (y is None or isinstance(y, arrays)):
        return None
    return to_tensor(X, device="cpu"), None if y is None else to_tensor(y, device="cpu")


def _classes(net, y):
    """The classes a classifier net's output columns stand for; None otherwise."""
    if not hasattr(net, "classes"):
        return None
    if net.classes is not None:
        return np.asarray(net.classes)
    return np.unique(np.asarray(y))
