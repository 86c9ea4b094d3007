"""Training dynamics of one skorch training as per-sample difficulty."""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from _nets import DEVICES, SeededLinear  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from sklearn.utils.estimator_checks import (  # noqa: E402
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_set_params,
)
from skorch import (  # noqa: E402
    NeuralNetBinaryClassifier,
    NeuralNetClassifier,
    NeuralNetRegressor,
)
from skorch.callbacks import EarlyStopping, EpochScoring  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from skdifficulty import DifficultyWeightedClassifier  # noqa: E402
from skdifficulty.datasets import flip_labels  # noqa: E402
from skdifficulty.dynamics import (  # noqa: E402
    DynamicsDifficultyEstimator,
    TrainingDynamics,
)
from skdifficulty.skorch import SampleWeightMixin  # noqa: E402

N_SAMPLES, N_INFORMATIVE, MAX_EPOCHS = 150, 4, 10


class MLP(torch.nn.Module):
    """A one-hidden-layer net: random initial weights from torch's generator."""

    def __init__(self, in_features=5, hidden=16, out_features=3, softmax=False):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(in_features, hidden),
            torch.nn.ReLU(),
            torch.nn.Linear(hidden, out_features),
        )
        self.softmax = softmax

    def forward(self, X):
        out = self.layers(X)
        return torch.softmax(out, dim=-1) if self.softmax else out


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny nets train faster on one thread; restore the setting afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="module")
def noisy():
    """150 samples of 3 classes, 20% of the labels flipped."""
    X, y = make_classification(
        N_SAMPLES,
        n_features=5,
        n_informative=N_INFORMATIVE,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        class_sep=1.5,
        random_state=0,
    )
    y_noisy, flipped = flip_labels(y, rate=0.2, random_state=0)
    return X.astype(np.float32), y_noisy.astype(np.int64), flipped


def make_net(net_class=NeuralNetClassifier, **params):
    defaults = dict(
        module=MLP,
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        max_epochs=MAX_EPOCHS,
        lr=0.1,
        batch_size=32,
        iterator_train__shuffle=True,
        verbose=0,
    )
    defaults.update(params)
    return net_class(**defaults)


@pytest.fixture(scope="module")
def fitted(noisy):
    X, y, _ = noisy
    return DynamicsDifficultyEstimator(make_net(), random_state=0).fit(X, y)


# -- the signals find the flipped labels --------------------------------------


@pytest.mark.parametrize(
    "signal, threshold",
    # Measured at seed 0: 0.989 (confidence), 0.991 (margin), 0.968
    # (forgetting); over seeds 0-4 at least 0.984, 0.984 and 0.899.
    [("confidence", 0.9), ("margin", 0.9), ("forgetting", 0.85)],
)
def test_flipped_labels_are_harder(noisy, signal, threshold):
    X, y, flipped = noisy
    est = DynamicsDifficultyEstimator(make_net(), signal=signal, random_state=0)
    difficulty = est.fit(X, y).difficulty_

    assert difficulty.shape == (N_SAMPLES,) and difficulty.dtype == np.float64
    auroc = roc_auc_score(flipped, difficulty)
    assert auroc > threshold
    assert difficulty[flipped].mean() > difficulty[~flipped].mean()


def test_signals_are_read_off_the_same_records(noisy, fitted):
    X, y, _ = noisy
    est = fitted
    dynamics = est.dynamics_
    assert isinstance(dynamics, TrainingDynamics)
    assert est.n_epochs_ == MAX_EPOCHS
    assert_allclose(est.difficulty_, 1 - dynamics.confidence_.mean(axis=0), atol=1e-6)
    assert_allclose(est.confidence_mean_, dynamics.confidence_.mean(axis=0), atol=1e-6)
    assert_allclose(est.confidence_std_, dynamics.confidence_.std(axis=0), atol=1e-6)
    assert_allclose(est.area_under_margin_, dynamics.margin_.mean(axis=0), atol=1e-5)
    assert_allclose(est.correctness_, dynamics.correct_.mean(axis=0))
    assert_array_equal(est.classes_, [0, 1, 2])
    assert est.n_features_in_ == 5

    by_margin = clone(est).set_params(signal="margin").fit(X, y)
    assert_allclose(by_margin.difficulty_, -est.area_under_margin_, atol=1e-6)


# -- what the callback records ------------------------------------------------


def test_records_match_the_nets_own_predictions(noisy, fitted):
    X, y, _ = noisy
    dynamics = fitted.dynamics_
    for name, dtype in [("confidence_", np.float32), ("margin_", np.float32)]:
        assert getattr(dynamics, name).shape == (MAX_EPOCHS, N_SAMPLES)
        assert getattr(dynamics, name).dtype == dtype
    assert dynamics.correct_.shape == (MAX_EPOCHS, N_SAMPLES)
    assert dynamics.correct_.dtype == bool

    # The last epoch's records are the fitted net's predictions.
    proba = fitted.net_.predict_proba(X)
    assert_allclose(dynamics.confidence_[-1], proba[np.arange(N_SAMPLES), y], atol=1e-6)
    assert_array_equal(dynamics.correct_[-1], fitted.net_.predict(X) == y)
    # The margin is the logit margin, positive exactly where the net is right.
    logits = fitted.net_.forward(X).numpy().astype(np.float64)
    given = logits[np.arange(N_SAMPLES), y]
    logits[np.arange(N_SAMPLES), y] = -np.inf
    assert_allclose(dynamics.margin_[-1], given - logits.max(axis=1), atol=1e-5)
    assert_array_equal(dynamics.margin_ > 0, dynamics.correct_)
    # The net learns: later epochs are more confident and more often right.
    assert dynamics.confidence_[-1].mean() > dynamics.confidence_[0].mean()
    assert dynamics.correct_[-1].mean() > 0.7


def test_forgetting_events_match_a_hand_count(noisy, fitted):
    correct = fitted.dynamics_.correct_
    expected = np.zeros(N_SAMPLES, dtype=int)
    for i in range(N_SAMPLES):
        for t in range(1, MAX_EPOCHS):
            expected[i] += bool(correct[t - 1, i] and not correct[t, i])
    assert_array_equal(fitted.forgetting_events_, expected)
    assert expected.max() > 0  # the task has forgetting to count

    # The same training (same seed), ranked by forgetting: samples never
    # learned count n_epochs, more than any learned sample can reach.
    X, y, _ = noisy
    est = clone(fitted).set_params(signal="forgetting").fit(X, y)
    assert_array_equal(est.dynamics_.correct_, correct)
    never = ~correct.any(axis=0)
    assert never.any()
    assert_array_equal(est.difficulty_, np.where(never, MAX_EPOCHS, expected))
    assert_array_equal(est.correctness_[never], 0)


def test_probabilities_from_the_module_with_nll_loss(noisy):
    X, y, _ = noisy
    net = make_net(module__softmax=True, criterion=torch.nn.NLLLoss, max_epochs=3)
    est = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y)
    proba = est.net_.predict_proba(X).astype(np.float64)
    rows = np.arange(N_SAMPLES)
    assert_allclose(est.dynamics_.confidence_[-1], proba[rows, y], atol=1e-6)
    log_proba = np.log(proba)
    given = log_proba[rows, y]
    log_proba[rows, y] = -np.inf
    assert_allclose(est.dynamics_.margin_[-1], given - log_proba.max(axis=1), atol=1e-4)


def test_a_binary_classifier_net(noisy):
    X, y, _ = noisy
    y_binary = (y == 0).astype(np.float32)
    net = make_net(
        NeuralNetBinaryClassifier,
        module=MLP,
        module__out_features=1,
        criterion=torch.nn.BCEWithLogitsLoss,
        max_epochs=3,
    )
    est = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y_binary)
    proba = est.net_.predict_proba(X)
    rows, labels = np.arange(N_SAMPLES), y_binary.astype(int)
    assert_allclose(est.dynamics_.confidence_[-1], proba[rows, labels], atol=1e-6)
    logits = est.net_.forward(X).numpy().astype(np.float64)
    assert_allclose(
        est.dynamics_.margin_[-1], np.where(labels == 1, logits, -logits), atol=1e-4
    )
    assert_array_equal(est.classes_, [0, 1])


def test_recording_does_not_change_the_training(noisy):
    X, y, _ = noisy
    torch.manual_seed(0)
    plain = make_net(max_epochs=3, train_split=None).fit(X, y)
    torch.manual_seed(0)
    recorded = make_net(
        max_epochs=3, train_split=None, callbacks=[("dyn", TrainingDynamics())]
    ).fit(X, y)
    for a, b in zip(
        plain.module_.parameters(), recorded.module_.parameters(), strict=True
    ):
        assert torch.equal(a, b)


def test_partial_fit_adds_epochs_and_fit_starts_over(noisy):
    X, y, _ = noisy
    net = make_net(
        module=SeededLinear,
        module__in_features=5,
        max_epochs=2,
        train_split=None,
        callbacks=[("dyn", TrainingDynamics())],
    )
    dynamics = dict(net.initialize().callbacks_)["dyn"]
    assert dynamics.confidence_.shape == (0, 0)
    net.fit(X, y)
    net.partial_fit(X, y)
    assert dynamics.confidence_.shape == (4, N_SAMPLES)
    with pytest.raises(ValueError, match="records one training set"):
        net.partial_fit(X[:100], y[:100])
    net.fit(X, y)
    assert dict(net.callbacks_)["dyn"].confidence_.shape == (2, N_SAMPLES)


def test_unfitted_callback_has_no_records():
    with pytest.raises(AttributeError, match="recorded nothing yet"):
        TrainingDynamics().confidence_  # noqa: B018


# -- an estimator among scikit-learn's -------------------------------------------


def test_deterministic_under_random_state(noisy):
    X, y, _ = noisy
    net = make_net(max_epochs=3)
    first = DynamicsDifficultyEstimator(net, random_state=1).fit(X, y)
    again = DynamicsDifficultyEstimator(net, random_state=1).fit(X, y)
    other = DynamicsDifficultyEstimator(net, random_state=2).fit(X, y)
    assert_array_equal(first.dynamics_.confidence_, again.dynamics_.confidence_)
    assert_array_equal(first.difficulty_, again.difficulty_)
    assert not np.allclose(first.difficulty_, other.difficulty_)
    # random_state draws the seed of torch's generator for the training: the
    # net trained alone from that seed is the estimator's.
    torch.manual_seed(np.random.RandomState(1).randint(np.iinfo(np.int32).max))
    alone = make_net(max_epochs=3, train_split=None).fit(X, y)
    for ours, theirs in zip(
        first.net_.module_.parameters(), alone.module_.parameters(), strict=True
    ):
        assert torch.equal(ours, theirs)


def test_clone_and_params(noisy):
    net = make_net(lr=0.05)
    est = DynamicsDifficultyEstimator(net, signal="margin", random_state=3)
    params = est.get_params()
    assert params["net"] is net and params["signal"] == "margin"
    assert params["random_state"] == 3 and params["net__lr"] == 0.05
    copy = clone(est)
    assert copy.net is not net and copy.get_params()["net__lr"] == 0.05
    copy.set_params(net__lr=0.2, signal="forgetting")
    assert copy.net.lr == 0.2 and net.lr == 0.05
    with pytest.raises(TypeError):
        DynamicsDifficultyEstimator(net, "margin")  # keyword-only

    X, y, _ = noisy
    fitted = clone(est).set_params(net__max_epochs=2).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.difficulty_, fitted.difficulty_)
    assert_array_equal(restored.dynamics_.margin_, fitted.dynamics_.margin_)


@pytest.mark.parametrize(
    "check",
    [
        check_no_attributes_set_in_init,
        check_get_params_invariance,
        check_set_params,
    ],
)
def test_sklearn_api_checks(check):
    est = DynamicsDifficultyEstimator(make_net(), signal="margin", random_state=0)
    check("DynamicsDifficultyEstimator", est)


def test_the_callers_net_is_left_as_it_was(noisy):
    X, y, _ = noisy
    split = ValidSplit(5)
    scoring = ("acc", EpochScoring("accuracy", on_train=True, name="train_acc"))
    net = make_net(max_epochs=2, train_split=split, callbacks=[scoring])
    est = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y)

    assert net.train_split is split and net.callbacks == [scoring]
    assert not getattr(net, "initialized_", False)
    # The clone trained without the split, with the user's callback kept.
    assert est.net_.train_split is None
    names = [name for name, _ in est.net_.callbacks_]
    assert names.index("acc") < names.index("dynamics")
    assert "train_acc" in est.net_.history[-1]
    assert est.dynamics_.confidence_.shape == (2, N_SAMPLES)


def test_sample_weight_trains_the_weighted_twin(noisy):
    X, y, _ = noisy
    net = make_net(max_epochs=3)
    plain = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y)
    ones = DynamicsDifficultyEstimator(net, random_state=0).fit(
        X, y, sample_weight=np.ones(N_SAMPLES)
    )
    assert isinstance(ones.net_, SampleWeightMixin)
    assert not isinstance(plain.net_, SampleWeightMixin)
    # Unit weights give the plain mean loss: the same training.
    assert_allclose(ones.difficulty_, plain.difficulty_, atol=1e-5)

    weight = np.where(np.arange(N_SAMPLES) < 75, 0.1, 1.0)
    weighted = DynamicsDifficultyEstimator(net, random_state=0).fit(
        X, y, sample_weight=weight
    )
    assert not np.allclose(weighted.difficulty_, plain.difficulty_)


def test_as_the_difficulty_of_a_weighted_classifier(noisy):
    X, y, flipped = noisy
    net = make_net(max_epochs=5, train_split=None)
    meta = DifficultyWeightedClassifier(
        net,
        difficulty_estimator=DynamicsDifficultyEstimator(net),
        weighting="easy_first",
        strength=2.0,
        random_state=0,
    ).fit(X, y)

    assert isinstance(meta.difficulty_estimator_, DynamicsDifficultyEstimator)
    assert meta.difficulty_estimator_.random_state == 0
    assert meta.predict(X).shape == (N_SAMPLES,)
    assert meta.sample_weight_[flipped].mean() < meta.sample_weight_[~flipped].mean()
    alone = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y)
    assert_allclose(meta.difficulty_, alone.difficulty_)

    # The caller's weights reach the dynamics' training.
    meta.fit(X, y, sample_weight=np.full(N_SAMPLES, 2.0))
    assert isinstance(meta.difficulty_estimator_.net_, SampleWeightMixin)


@pytest.mark.parametrize("device", DEVICES)
def test_on_each_device(noisy, device):
    X, y, flipped = noisy
    net = make_net(device=device, max_epochs=MAX_EPOCHS)
    est = DynamicsDifficultyEstimator(net, random_state=0).fit(
        X, y, sample_weight=np.ones(N_SAMPLES)
    )
    assert est.net_.device == device
    proba = est.net_.predict_proba(X)
    assert_allclose(
        est.dynamics_.confidence_[-1], proba[np.arange(N_SAMPLES), y], atol=1e-6
    )
    assert roc_auc_score(flipped, est.difficulty_) > 0.9


# -- refusals -----------------------------------------------------------------


def test_refuses_a_regressor_net(noisy):
    X, y, _ = noisy
    net = NeuralNetRegressor(torch.nn.Linear, module__in_features=5)
    with pytest.raises(ValueError, match="needs a classifier net"):
        DynamicsDifficultyEstimator(net).fit(X, y.astype(np.float32))


def test_refuses_an_estimator_that_is_not_a_net(noisy):
    X, y, _ = noisy
    with pytest.raises(TypeError, match="needs a skorch net"):
        DynamicsDifficultyEstimator(LogisticRegression()).fit(X, y)


def test_refuses_an_unknown_signal(noisy):
    X, y, _ = noisy
    with pytest.raises(InvalidParameterError, match="signal"):
        DynamicsDifficultyEstimator(make_net(), signal="loss").fit(X, y)


def test_refuses_labels_of_another_length(noisy):
    X, y, _ = noisy
    with pytest.raises(ValueError, match="y has 149 labels but X has 150"):
        DynamicsDifficultyEstimator(make_net()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="needs the labels"):
        DynamicsDifficultyEstimator(make_net()).fit(X, None)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"iterator_valid__shuffle": True}, "must keep the samples in order"),
        ({"callbacks": "disable"}, "callbacks='disable'"),
        ({"callbacks": [("dynamics", EarlyStopping(monitor="train_loss"))]}, "named"),
        ({"callbacks": [("stop", EarlyStopping())]}, "monitors 'valid_loss'"),
        ({"max_epochs": 0}, "no epoch"),
    ],
)
def test_refuses_nets_it_cannot_record(noisy, params, match):
    X, y, _ = noisy
    with pytest.raises(ValueError, match=match):
        DynamicsDifficultyEstimator(make_net(**params)).fit(X, y)


def test_a_switched_off_validation_callback_is_fine(noisy):
    X, y, _ = noisy
    net = make_net(max_epochs=1, callbacks=[("stop", EarlyStopping())])
    net.set_params(callbacks__stop=None)
    est = DynamicsDifficultyEstimator(net).fit(X, y)
    assert est.n_epochs_ == 1


@pytest.mark.filterwarnings("ignore:You set iterator_valid__shuffle")
def test_the_callback_refuses_a_shuffling_iterator(noisy):
    X, y, _ = noisy
    net = make_net(
        max_epochs=1,
        train_split=None,
        iterator_valid__shuffle=True,
        callbacks=[("dyn", TrainingDynamics())],
    )
    with pytest.raises(ValueError, match="must keep the samples in order"):
        net.fit(X, y)
