"""Sample-weighted skorch nets.

The equivalences (zero weight = dropped row, integer weight = duplicated
rows, all-one weights = no weights) are exact in arithmetic when all data
fit in one batch and the data are not shuffled; in float32 the sums run in
a different order, so results are compared up to rounding. Without weights
the net must match its parent bit for bit.
"""

import copy
import functools
import importlib
import pickle
import subprocess
import sys

import numpy as np
import pytest
import sklearn

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from _nets import DEVICES, N_CLASSES, N_FEATURES, SeededLinear  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    KFold,
    cross_val_predict,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer, StandardScaler  # noqa: E402
from skorch import NeuralNet, NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from skorch.classifier import NeuralNetBinaryClassifier  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from skdifficulty.nets._rules import is_skorch_net  # noqa: E402
from skdifficulty.skorch import (  # noqa: E402
    SampleWeightMixin,
    WeightedNeuralNetBinaryClassifier,
    WeightedNeuralNetClassifier,
    WeightedNeuralNetRegressor,
    as_weighted_net,
    per_sample_losses,
    weighted_net_class,
)

N_SAMPLES = 30


class SoftmaxLinear(SeededLinear):
    """Probabilities, for NeuralNetClassifier's default NLLLoss."""

    def forward(self, X):
        return torch.softmax(self.linear(X), dim=-1)


class ColumnsLinear(SeededLinear):
    """Takes one (n, 1) input per column, as skorch feeds a dict or DataFrame.

    Its strict signature fails if the weights reach ``forward``; it starts
    from the same parameters as ``SeededLinear()``.
    """

    def forward(self, a, b, c, d):
        return self.linear(torch.cat([a, b, c, d], dim=1))


class MyNet(NeuralNetClassifier):
    """A user's own skorch subclass."""


def _to_float32(X):
    return np.asarray(X, dtype=np.float32)


# kind -> (weighted class, parent class, module, criterion or None: default)
KINDS = {
    "nll": (WeightedNeuralNetClassifier, NeuralNetClassifier, SoftmaxLinear, None),
    "cross_entropy": (
        WeightedNeuralNetClassifier,
        NeuralNetClassifier,
        SeededLinear,
        torch.nn.CrossEntropyLoss,
    ),
    "mse": (WeightedNeuralNetRegressor, NeuralNetRegressor, SeededLinear, None),
    "bce": (
        WeightedNeuralNetBinaryClassifier,
        NeuralNetBinaryClassifier,
        SeededLinear,
        None,
    ),
}


@pytest.fixture
def data_by_loss():
    rng = np.random.RandomState(0)
    X = rng.randn(N_SAMPLES, N_FEATURES).astype(np.float32)
    targets = {
        "nll": rng.randint(0, N_CLASSES, N_SAMPLES).astype(np.int64),
        # two outputs: a sample's loss is the mean over its outputs
        "mse": rng.randn(N_SAMPLES, 2).astype(np.float32),
        "bce": rng.randint(0, 2, N_SAMPLES).astype(np.float32),
    }
    targets["cross_entropy"] = targets["nll"]
    return X, targets


def make_net(kind="cross_entropy", device="cpu", parent=False, **params):
    weighted_cls, parent_cls, module, criterion = KINDS[kind]
    defaults = dict(
        module=module,
        module__out_features={"mse": 2, "bce": 1}.get(kind, N_CLASSES),
        max_epochs=4,
        lr=0.5,
        batch_size=64,  # >= N_SAMPLES: one batch per epoch
        iterator_train__shuffle=False,
        train_split=None,
        device=device,
        verbose=0,
    )
    if criterion is not None:
        defaults["criterion"] = criterion
    defaults.update(params)
    return (parent_cls if parent else weighted_cls)(**defaults)


def parameters(net):
    return [p.detach().cpu().clone() for p in net.module_.parameters()]


def batch_losses(net):
    return np.asarray(net.history[:, "batches", :, "train_loss"])


def assert_nets_close(net_a, net_b, device="cpu"):
    """Same batch losses and same trained parameters, up to rounding."""
    tol = (
        {"rtol": 1e-5, "atol": 1e-6}
        if device == "cpu"
        else {"rtol": 1e-4, "atol": 1e-5}
    )
    np.testing.assert_allclose(batch_losses(net_a), batch_losses(net_b), **tol)
    for pa, pb in zip(parameters(net_a), parameters(net_b), strict=True):
        torch.testing.assert_close(pa, pb, **tol)


# --- the weighted loss -----------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", KINDS)
def test_zero_weight_equals_dropping_the_rows(data_by_loss, kind, device):
    X, targets = data_by_loss
    y = targets[kind]
    keep = np.arange(N_SAMPLES) % 3 != 0
    weighted = make_net(kind, device).fit(X, y, sample_weight=keep.astype(float))
    dropped = make_net(kind, device).fit(X[keep], y[keep])
    assert_nets_close(weighted, dropped, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", KINDS)
def test_integer_weights_equal_duplicated_rows(data_by_loss, kind, device):
    X, targets = data_by_loss
    y = targets[kind]
    counts = np.random.RandomState(1).randint(1, 4, N_SAMPLES)
    weighted = make_net(kind, device).fit(X, y, sample_weight=counts)
    duplicated = make_net(kind, device).fit(
        np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0)
    )
    assert_nets_close(weighted, duplicated, device)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", KINDS)
def test_all_one_weights_equal_the_unweighted_parent(data_by_loss, kind, device):
    # Several batches per epoch: with equal weights every batch is a plain mean.
    X, targets = data_by_loss
    y = targets[kind]
    ones = make_net(kind, device, batch_size=8)
    ones.fit(X, y, sample_weight=np.ones(N_SAMPLES))
    parent = make_net(kind, device, parent=True, batch_size=8).fit(X, y)
    assert batch_losses(ones).shape == (4, 4)
    assert_nets_close(ones, parent, device)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"criterion__weight": torch.tensor([1.0, 3.0, 0.5])},
        {
            "criterion__weight": torch.tensor([1.0, 3.0, 0.5]),
            "criterion__label_smoothing": 0.1,
        },
    ],
    ids=["plain", "class_weight", "label_smoothing"],
)
def test_without_weights_the_net_is_its_parent_bit_for_bit(data_by_loss, params):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = make_net(batch_size=8, **params).fit(X, y)
    parent = make_net(parent=True, batch_size=8, **params).fit(X, y)
    np.testing.assert_array_equal(batch_losses(net), batch_losses(parent))
    for p, q in zip(parameters(net), parameters(parent), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_class_weights_join_the_sample_weights(data_by_loss, label_smoothing):
    # CrossEntropyLoss(weight=c) with sample weights w reports
    # sum_i w_i l_i / sum_i w_i c_yi, where l_i is the criterion's class-weighted
    # per-sample loss: PyTorch's own mean when all w_i are 1.
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    class_weight = np.array([1.0, 3.0, 0.5], dtype=np.float32)
    w = np.random.RandomState(2).uniform(0, 2, N_SAMPLES)
    params = dict(
        criterion__weight=torch.from_numpy(class_weight),
        criterion__label_smoothing=label_smoothing,
        lr=0.0,  # the recorded loss is the loss at the initial parameters
        max_epochs=1,
    )
    net = make_net(**params).fit(X, y, sample_weight=w)
    logits = torch.from_numpy(X) @ net.module_.linear.weight.T + net.module_.linear.bias
    per_sample = (
        torch.nn.functional.cross_entropy(
            logits,
            torch.from_numpy(y),
            weight=torch.from_numpy(class_weight),
            label_smoothing=label_smoothing,
            reduction="none",
        )
        .detach()
        .numpy()
    )
    expected = np.sum(w * per_sample) / np.sum(w * class_weight[y])
    np.testing.assert_allclose(batch_losses(net)[0, 0], expected, rtol=1e-5)
    # All-one weights reproduce the parent's mean.
    ones = make_net(**params).fit(X, y, sample_weight=np.ones(N_SAMPLES))
    parent = make_net(parent=True, **params).fit(X, y)
    np.testing.assert_allclose(batch_losses(ones), batch_losses(parent), rtol=1e-6)


def test_a_batch_with_only_zero_weights_has_loss_zero(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.ones(N_SAMPLES)
    w[:10] = 0  # the whole first batch
    net = make_net(batch_size=10, max_epochs=1).fit(X, y, sample_weight=w)
    losses = batch_losses(net)[0]
    assert losses[0] == 0.0
    assert np.all(losses[1:] > 0)
    assert all(torch.isfinite(p).all() for p in parameters(net))


@pytest.mark.parametrize("device", DEVICES)
def test_weighted_validation_loss_equals_the_hand_computed_one(data_by_loss, device):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    valid = np.arange(N_SAMPLES) % 4 == 0
    split = ValidSplit(cv=[(np.flatnonzero(~valid), np.flatnonzero(valid))])
    w = np.random.RandomState(3).uniform(0, 3, N_SAMPLES)
    net = make_net(device=device, train_split=split).fit(X, y, sample_weight=w)
    # Validation runs after the epoch's update, with the final parameters.
    proba = net.predict_proba(X[valid])
    nll = -np.log(proba[np.arange(valid.sum()), y[valid]])
    expected = np.sum(w[valid] * nll) / np.sum(w[valid])
    np.testing.assert_allclose(net.history[-1, "valid_loss"], expected, rtol=1e-5)


def test_internal_split_hands_each_part_its_own_weights(data_by_loss):
    # Training on the ValidSplit's training part must equal training on
    # those rows (with their weights) directly.
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    valid = np.arange(N_SAMPLES) % 4 == 0
    split = ValidSplit(cv=[(np.flatnonzero(~valid), np.flatnonzero(valid))])
    w = np.random.RandomState(4).uniform(0, 3, N_SAMPLES)
    with_split = make_net(train_split=split).fit(X, y, sample_weight=w)
    direct = make_net().fit(X[~valid], y[~valid], sample_weight=w[~valid])
    assert_nets_close(with_split, direct)


def test_stratified_valid_split_works_with_weights(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = make_net(train_split=ValidSplit(3, stratified=True), batch_size=8)
    net.fit(X, y, sample_weight=np.linspace(0.5, 2, N_SAMPLES))
    assert np.isfinite(net.history[:, "valid_loss"]).all()
    assert net.history[-1, "train_batch_count"] == 3  # 20 rows in batches of 8


@pytest.mark.parametrize("input_type", ["array", "dict"])
def test_scoring_callbacks_find_the_data_without_caching(data_by_loss, input_type):
    # Without caching, skorch's valid_acc reads X and y back from the split
    # dataset and predicts again: the weighted dataset must expose them.
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    params = {}
    if input_type == "dict":
        X = {name: col.reshape(-1, 1) for name, col in zip("abcd", X.T, strict=True)}
        params["module"] = ColumnsLinear
    valid = np.arange(N_SAMPLES) % 4 == 0
    split = ValidSplit(cv=[(np.flatnonzero(~valid), np.flatnonzero(valid))])
    w = np.linspace(0.5, 2, N_SAMPLES)
    scores = [
        make_net(train_split=split, use_caching=caching, **params)
        .fit(X, y, sample_weight=w)
        .history[:, "valid_acc"]
        for caching in (True, False)
    ]
    np.testing.assert_array_equal(scores[0], scores[1])


def test_partial_fit_takes_weights(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0, 2, N_SAMPLES)
    fitted = make_net(max_epochs=2).fit(X, y, sample_weight=w)
    partial = make_net(max_epochs=1).initialize()
    partial.partial_fit(X, y, sample_weight=w)
    partial.partial_fit(X, y, sample_weight=w)
    assert_nets_close(fitted, partial)


def test_fit_leaves_no_trace_of_the_weights(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = make_net()
    attributes = set(vars(net))
    net.fit(X, y, sample_weight=np.ones(N_SAMPLES))
    assert not any("sample_weight" in name for name in set(vars(net)) - attributes)
    assert "sample_weight" not in " ".join(net.get_params())


def test_the_callers_arrays_are_not_changed(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0, 2, N_SAMPLES)
    X0, y0, w0 = X.copy(), y.copy(), w.copy()
    make_net().fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(w, w0)


# --- input types -------------------------------------------------------------


# skorch's Dataset hands pandas' read-only column arrays to torch.
@pytest.mark.filterwarnings("ignore:The given NumPy array is not writable")
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("input_type", ["tensor", "dict", "dataframe"])
def test_input_types_train_like_an_array(data_by_loss, input_type, device):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = (np.arange(N_SAMPLES) % 3 != 0) * np.linspace(0.5, 2, N_SAMPLES)
    columns = dict(zip("abcd", X.T.copy(), strict=True))
    if input_type == "tensor":
        X_in, module = torch.from_numpy(X.copy()), SeededLinear
    elif input_type == "dict":
        X_in = {name: col.reshape(-1, 1) for name, col in columns.items()}
        module = ColumnsLinear
    else:
        pd = pytest.importorskip("pandas")
        X_in, module = pd.DataFrame(columns), ColumnsLinear
    net = make_net(device=device, module=module).fit(X_in, y, sample_weight=w)
    reference = make_net(device=device).fit(X, y, sample_weight=w)
    assert_nets_close(net, reference, device)
    np.testing.assert_allclose(
        net.predict_proba(X_in), reference.predict_proba(X), rtol=1e-5, atol=1e-6
    )


def test_weights_as_a_tensor_or_a_list(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0, 2, N_SAMPLES)
    reference = make_net().fit(X, y, sample_weight=w)
    for weights in (torch.tensor(w), list(w)):
        assert_nets_close(make_net().fit(X, y, sample_weight=weights), reference)


# --- bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample_weight", "match"),
    [
        (np.ones((N_SAMPLES, 1)), "must be 1-D"),
        (np.ones(N_SAMPLES - 1), f"has {N_SAMPLES - 1} entries but X has {N_SAMPLES}"),
        (np.r_[np.nan, np.ones(N_SAMPLES - 1)], "must be finite"),
        (np.r_[np.inf, np.ones(N_SAMPLES - 1)], "must be finite"),
        (np.r_[-1.0, np.ones(N_SAMPLES - 1)], "must be non-negative"),
        (np.zeros(N_SAMPLES), "positive sum"),
        (np.array(["a"] * N_SAMPLES), "must be numeric"),
        # Finite, but not in the net's float32: each weight, their sum, or all.
        (
            np.r_[1e39, np.ones(N_SAMPLES - 1)],
            r"overflows float32.* finite but reach 1e\+39 .* Rescale them",
        ),
        (np.full(N_SAMPLES, 3e38), r"overflows float32.* sum to 9e\+39"),
        (np.full(N_SAMPLES, 1e-50), r"underflows float32.* every weight becomes 0"),
    ],
    ids=[
        "2d",
        "length",
        "nan",
        "inf",
        "negative",
        "all_zero",
        "strings",
        "overflow",
        "sum_overflow",
        "underflow",
    ],
)
def test_bad_sample_weight_is_refused(data_by_loss, sample_weight, match):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = make_net()
    with pytest.raises(ValueError, match=match):
        net.fit(X, y, sample_weight=sample_weight)
    with pytest.raises(ValueError, match=match):
        net.partial_fit(X, y, sample_weight=sample_weight)


def test_a_refused_fit_keeps_the_previous_model(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = make_net().fit(X, y)
    before = parameters(net)
    with pytest.raises(ValueError, match="non-negative"):
        net.fit(X, y, sample_weight=-np.ones(N_SAMPLES))
    for p, q in zip(parameters(net), before, strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize(
    "params",
    [
        {"criterion__reduction": "sum"},
        {"criterion": torch.nn.CrossEntropyLoss(reduction="sum")},
    ],
    ids=["kwarg", "instance"],
)
def test_a_summing_criterion_is_refused(data_by_loss, params):
    X, targets = data_by_loss
    with pytest.raises(ValueError, match="reduction='sum' is not supported"):
        make_net(**params).fit(X, targets["cross_entropy"])


# --- criteria without a reduction argument ----------------------------------

F = torch.nn.functional


class MeanCrossEntropy(torch.nn.Module):
    """A loss module of one's own: no reduction argument, the batch mean."""

    def forward(self, y_pred, y_true):
        return F.cross_entropy(y_pred, y_true)


def smoothed_cross_entropy(smoothing=0.1):
    """A function criterion: skorch calls it for the loss function."""

    def loss(y_pred, y_true):
        log_p = torch.log_softmax(y_pred, dim=-1)
        target = F.one_hot(y_true, N_CLASSES).to(log_p.dtype)
        target = target * (1 - smoothing) + smoothing / N_CLASSES
        return -(target * log_p).sum(dim=-1).mean()

    return loss


class FocalLoss(torch.nn.Module):
    """A hand-written loss with a parameter of its own (``gamma``)."""

    def __init__(self, gamma=2.0):
        super().__init__()
        self.gamma = gamma

    def forward(self, y_pred, y_true):
        log_p = torch.log_softmax(y_pred, dim=-1).gather(1, y_true[:, None])[:, 0]
        return (-((1 - log_p.exp()) ** self.gamma) * log_p).mean()


class LearnedTemperatureLoss(torch.nn.Module):
    """A loss with a learnable parameter, which skorch's optimizer trains too."""

    def __init__(self):
        super().__init__()
        self.log_temperature = torch.nn.Parameter(torch.tensor(0.3))

    def forward(self, y_pred, y_true):
        return F.cross_entropy(y_pred * self.log_temperature.exp(), y_true)


class SummedCrossEntropy(torch.nn.Module):
    """Sums over the batch: the weighted net averages the samples' values."""

    def forward(self, y_pred, y_true):
        return F.cross_entropy(y_pred, y_true, reduction="sum")


# id -> (criterion, its criterion__ parameters, the criterion built by hand)
CUSTOM_CRITERIA = {
    "module": (MeanCrossEntropy, {}, MeanCrossEntropy),
    "function": (
        # skorch passes no criterion__ parameters to a function: bind them.
        functools.partial(smoothed_cross_entropy, smoothing=0.2),
        {},
        lambda: smoothed_cross_entropy(smoothing=0.2),
    ),
    "with_parameters": (FocalLoss, {"criterion__gamma": 1.5}, lambda: FocalLoss(1.5)),
    "instance": (FocalLoss(gamma=1.5), {}, lambda: FocalLoss(1.5)),
    "learnable": (LearnedTemperatureLoss, {}, LearnedTemperatureLoss),
    "summing": (SummedCrossEntropy, {}, SummedCrossEntropy),
}
# Those whose batch value is the mean of the samples' values.
AVERAGING = [name for name in CUSTOM_CRITERIA if name != "summing"]


def custom_net(name, parent=False, **params):
    criterion, criterion_params, _ = CUSTOM_CRITERIA[name]
    return make_net(parent=parent, criterion=criterion, **criterion_params, **params)


def by_hand(name, X, y, w, lr):
    """One SGD step on the whole batch, with a loop over the samples.

    Returns the weighted mean of the samples' losses at the initial
    parameters, and the module's and criterion's parameters after the step.
    """
    module, criterion = SeededLinear(), CUSTOM_CRITERIA[name][2]()
    X, y, w = torch.from_numpy(X), torch.from_numpy(y), torch.from_numpy(w)
    losses = torch.stack(
        [criterion(module(X[i : i + 1]), y[i : i + 1]) for i in range(len(X))]
    )
    loss = (w * losses).sum() / w.sum()
    params = list(module.parameters())
    if isinstance(criterion, torch.nn.Module):
        params += list(criterion.parameters())
    loss.backward()
    return loss.item(), [(p - lr * p.grad).detach() for p in params]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("name", CUSTOM_CRITERIA)
def test_a_custom_criterion_gets_the_weighted_mean_of_its_sample_values(
    data_by_loss, name, device
):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.random.RandomState(5).uniform(0, 2, N_SAMPLES).astype(np.float32)
    # One batch, one SGD step: the recorded loss is the loss at the initial
    # parameters, and the step follows its gradient.
    net = custom_net(name, device=device, max_epochs=1).fit(X, y, sample_weight=w)
    expected_loss, expected_params = by_hand(name, X, y, w, lr=net.lr)
    tol = {"rtol": 1e-5, "atol": 1e-6}
    if device != "cpu":
        tol = {"rtol": 1e-4, "atol": 1e-5}
    np.testing.assert_allclose(batch_losses(net)[0, 0], expected_loss, **tol)
    params = parameters(net)
    if isinstance(net.criterion_, torch.nn.Module):
        params += [p.detach().cpu() for p in net.criterion_.parameters()]
    assert len(params) == len(expected_params)
    for p, q in zip(params, expected_params, strict=True):
        torch.testing.assert_close(p, q, **tol)


@pytest.mark.parametrize("name", AVERAGING)
def test_a_custom_criterion_with_all_one_weights_trains_like_the_parent(
    data_by_loss, name
):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    ones = custom_net(name, batch_size=8).fit(X, y, sample_weight=np.ones(N_SAMPLES))
    parent = custom_net(name, parent=True, batch_size=8).fit(X, y)
    assert_nets_close(ones, parent)


@pytest.mark.parametrize("name", CUSTOM_CRITERIA)
def test_a_custom_criterion_without_weights_is_the_parent_bit_for_bit(
    data_by_loss, name
):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    net = custom_net(name, batch_size=8).fit(X, y)
    parent = custom_net(name, parent=True, batch_size=8).fit(X, y)
    np.testing.assert_array_equal(batch_losses(net), batch_losses(parent))
    for p, q in zip(parameters(net), parameters(parent), strict=True):
        assert torch.equal(p, q)


def test_a_criterion_instance_without_reduction_is_used_as_given(data_by_loss):
    # As skorch does: the net trains the user's own instance.
    X, targets = data_by_loss
    criterion = LearnedTemperatureLoss()
    net = make_net(criterion=criterion)
    net.fit(X, targets["cross_entropy"], sample_weight=np.ones(N_SAMPLES))
    assert net.criterion_ is criterion


class MeanNLLLoss(torch.nn.NLLLoss):
    """An NLLLoss that ignores its reduction: always the batch mean."""

    def forward(self, input, target):
        return F.nll_loss(input, target)


@pytest.mark.parametrize("criterion", [torch.nn.NLLLoss, MeanNLLLoss])
def test_nll_loss_still_gets_the_log_of_the_probabilities(data_by_loss, criterion):
    # NeuralNetClassifier takes the log of the module's probabilities before
    # an NLLLoss; mapped over the samples too (MeanNLLLoss), it still does.
    X, targets = data_by_loss
    y = targets["nll"]
    w = np.random.RandomState(6).uniform(0, 2, N_SAMPLES)
    net = make_net("nll", criterion=criterion, lr=0.0, max_epochs=1)
    net.fit(X, y, sample_weight=w)
    proba = net.predict_proba(X).astype(np.float64)
    nll = -np.log(proba[np.arange(N_SAMPLES), y] + np.finfo(np.float32).eps)
    expected = np.sum(w * nll) / np.sum(w)
    np.testing.assert_allclose(batch_losses(net)[0, 0], expected, rtol=1e-5)


class FirstOutputNet(NeuralNetClassifier):
    """A user's net whose module has two outputs; the loss reads the first."""

    def get_loss(self, y_pred, y_true, X=None, training=False):
        return super().get_loss(y_pred[0], y_true, X=X, training=training)


def test_per_sample_losses_maps_the_parents_get_loss_over_the_samples():
    # The twin of a user's net maps the user's get_loss: every output of
    # the module is cut into samples alike.
    net = weighted_net_class(FirstOutputNet)(
        SeededLinear, criterion=MeanCrossEntropy
    ).initialize()
    logits = torch.randn(5, N_CLASSES)
    y = torch.tensor([0, 1, 2, 1, 0])
    losses = per_sample_losses(net, (logits, logits.sum(dim=1)), y)
    expected = F.cross_entropy(logits, y, reduction="none")
    torch.testing.assert_close(losses, expected)


class BranchingLoss(torch.nn.Module):
    """Python control flow on a tensor's value, which vmap cannot map."""

    def forward(self, y_pred, y_true):
        loss = F.cross_entropy(y_pred, y_true)
        return loss if loss > 0.5 else 2 * loss


class UnreducedLoss(torch.nn.Module):
    """Returns one value per sample itself: not a batch loss."""

    def forward(self, y_pred, y_true):
        return F.cross_entropy(y_pred, y_true, reduction="none")


@pytest.mark.parametrize(
    "criterion, error, match",
    [
        (BranchingLoss, TypeError, r"BranchingLoss .*vmap.* fix this, give .*reduc"),
        (UnreducedLoss, ValueError, r"UnreducedLoss returned a tensor of shape \(1,\)"),
    ],
    ids=["vmap_fails", "not_one_value"],
)
def test_a_criterion_without_sample_values_is_refused(
    data_by_loss, criterion, error, match
):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    with pytest.raises(error, match=match):
        make_net(criterion=criterion).fit(X, y, sample_weight=np.ones(N_SAMPLES))


def test_a_criterion_that_vmap_cannot_map_still_trains_without_weights(data_by_loss):
    X, targets = data_by_loss
    net = make_net(criterion=BranchingLoss).fit(X, targets["cross_entropy"])
    parent = make_net(criterion=BranchingLoss, parent=True)
    parent.fit(X, targets["cross_entropy"])
    np.testing.assert_array_equal(batch_losses(net), batch_losses(parent))


def test_a_criterion_instance_is_copied_not_changed(data_by_loss):
    X, targets = data_by_loss
    criterion = torch.nn.CrossEntropyLoss()
    net = make_net(criterion=criterion)
    net.fit(X, targets["cross_entropy"], sample_weight=np.ones(N_SAMPLES))
    assert criterion.reduction == "mean"
    assert net.criterion_ is not criterion
    assert net.criterion_.reduction == "none"


# --- scikit-learn integration ------------------------------------------------


def test_clone_keeps_the_class_and_parameters():
    net = make_net(lr=0.123)
    cloned = clone(net)
    assert type(cloned) is WeightedNeuralNetClassifier
    assert cloned.lr == 0.123
    assert cloned.criterion is torch.nn.CrossEntropyLoss


def test_pickle_round_trip_predicts_the_same(data_by_loss):
    X, targets = data_by_loss
    net = make_net().fit(
        X, targets["cross_entropy"], sample_weight=np.linspace(0, 1, N_SAMPLES)
    )
    restored = pickle.loads(pickle.dumps(net))
    assert type(restored) is WeightedNeuralNetClassifier
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))


def test_grid_search_slices_the_weights_per_fold(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0.1, 2, N_SAMPLES)
    cv = KFold(3)
    lrs = [0.05, 0.5]
    search = GridSearchCV(make_net(), {"lr": lrs}, cv=cv)
    search.fit(X, y, sample_weight=w)
    assert type(search.best_estimator_) is WeightedNeuralNetClassifier
    for lr, score in zip(lrs, search.cv_results_["mean_test_score"], strict=True):
        by_hand = [
            make_net(lr=lr)
            .fit(X[train], y[train], sample_weight=w[train])
            .score(X[test], y[test], sample_weight=w[test])
            for train, test in cv.split(X)
        ]
        # scikit-learn weights the test scores with the same sample_weight.
        assert score == pytest.approx(np.mean(by_hand))
    refit = make_net(lr=search.best_params_["lr"]).fit(X, y, sample_weight=w)
    assert_nets_close(search.best_estimator_, refit)


def test_metadata_routing_delivers_the_weights(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0.1, 2, N_SAMPLES)
    with sklearn.config_context(enable_metadata_routing=True):
        net = make_net().set_fit_request(sample_weight=True)
        search = GridSearchCV(net.set_score_request(sample_weight=False), {"lr": [0.5]})
        search.fit(X, y, sample_weight=w)
        refit = make_net().fit(X, y, sample_weight=w)
    assert_nets_close(search.best_estimator_, refit)


def test_pipeline_passes_the_weights_to_the_net(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0, 2, N_SAMPLES)
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("float32", FunctionTransformer(_to_float32)),
            ("net", make_net()),
        ]
    )
    pipe.fit(X, y, net__sample_weight=w)
    X_scaled = _to_float32(StandardScaler().fit_transform(X))
    direct = make_net().fit(X_scaled, y, sample_weight=w)
    assert_nets_close(pipe.named_steps["net"], direct)
    assert pipe.predict_proba(X).shape == (N_SAMPLES, N_CLASSES)


def test_cross_val_predict_with_weights_matches_a_loop_by_hand(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    w = np.linspace(0, 2, N_SAMPLES)
    cv = KFold(3)
    proba = cross_val_predict(
        make_net(), X, y, cv=cv, method="predict_proba", params={"sample_weight": w}
    )
    expected = np.empty_like(proba)
    for train, test in cv.split(X):
        net = make_net().fit(X[train], y[train], sample_weight=w[train])
        expected[test] = net.predict_proba(X[test])
    np.testing.assert_allclose(proba, expected, rtol=1e-6)


# --- making nets weighted ----------------------------------------------------


def _plain_params():
    return make_net().get_params(deep=False)


def test_weighted_net_class_of_skorch_classes():
    assert weighted_net_class(NeuralNetClassifier) is WeightedNeuralNetClassifier
    assert weighted_net_class(NeuralNetRegressor) is WeightedNeuralNetRegressor
    assert (
        weighted_net_class(NeuralNetBinaryClassifier)
        is WeightedNeuralNetBinaryClassifier
    )
    assert weighted_net_class(WeightedNeuralNetRegressor) is WeightedNeuralNetRegressor
    with pytest.raises(TypeError, match="Expected a skorch NeuralNet class"):
        weighted_net_class(LogisticRegression)


def test_a_user_subclass_gets_a_reusable_weighted_twin(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    cls = weighted_net_class(MyNet)
    assert cls is weighted_net_class(MyNet)
    assert cls.__name__ == "WeightedMyNet"
    assert issubclass(cls, SampleWeightMixin) and issubclass(cls, MyNet)
    net = as_weighted_net(MyNet(**_plain_params()))
    assert type(net) is cls
    keep = np.arange(N_SAMPLES) % 3 != 0
    net.fit(X, y, sample_weight=keep.astype(float))
    assert_nets_close(net, make_net().fit(X[keep], y[keep]))
    # Made at run time, yet picklable (joblib sends estimators to workers).
    restored = pickle.loads(pickle.dumps(net))
    assert type(restored) is cls
    assert type(copy.deepcopy(net)) is cls
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))


def test_as_weighted_net_copies_parameters_not_state(data_by_loss):
    X, targets = data_by_loss
    plain = make_net(parent=True, lr=0.321).fit(X, targets["cross_entropy"])
    twin = as_weighted_net(plain)
    assert type(twin) is WeightedNeuralNetClassifier
    assert twin.get_params(deep=False) == {
        **plain.get_params(deep=False),
        "criterion": torch.nn.CrossEntropyLoss,
    }
    assert not twin.initialized_
    assert as_weighted_net(twin) is twin
    with pytest.raises(TypeError, match="Expected a skorch net"):
        as_weighted_net(LogisticRegression())


class WeightedBaseNet(SampleWeightMixin, NeuralNet):
    """The mixin on skorch's most general net."""


def test_the_mixin_works_with_the_base_neural_net(data_by_loss):
    X, targets = data_by_loss
    y = targets["cross_entropy"]
    keep = np.arange(N_SAMPLES) % 3 != 0
    net = WeightedBaseNet(**_plain_params())
    net.fit(X, y, sample_weight=keep.astype(float))
    assert_nets_close(net, make_net().fit(X[keep], y[keep]))


# --- is_skorch_net and the optional import -----------------------------------


def test_is_skorch_net():
    assert is_skorch_net(make_net())
    assert is_skorch_net(make_net(parent=True))
    assert not is_skorch_net(WeightedNeuralNetClassifier)  # a class, not a net
    assert not is_skorch_net(LogisticRegression())


def test_is_skorch_net_does_not_import_skorch(monkeypatch):
    net = make_net()
    monkeypatch.delitem(sys.modules, "skorch.net")
    assert not is_skorch_net(net)
    assert "skorch.net" not in sys.modules


def test_the_helper_module_does_not_import_torch():
    code = (
        "import sys\n"
        "from skdifficulty.nets._rules import is_skorch_net\n"
        "assert not is_skorch_net(object())\n"
        "assert 'torch' not in sys.modules and 'skorch' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("missing", ["torch", "skorch"])
def test_import_error_names_the_extra(monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import missing` fail
    for module in ("skdifficulty.skorch", "skdifficulty.nets._weighted"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(
        ImportError, match=r'pip install "skdifficulty\[torch\]"'
    ) as err:
        importlib.import_module("skdifficulty.skorch")
    assert "Install PyTorch first" in str(err.value)
    assert "pytorch.org" in str(err.value)
