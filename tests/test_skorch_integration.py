"""skorch nets inside the meta-estimators and the difficulty estimator.

The nets start from fixed parameters (their module seeds its own
initialization) and train on unshuffled data, so a fit is a deterministic
function of the data and the weights: two nets that received the same weights
end with the same parameters, bit for bit.
"""

import pickle
import warnings

import numpy as np
import pytest
import sklearn

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from _nets import DEVICES, N_CLASSES, N_FEATURES, SeededLinear  # noqa: E402
from joblib import Memory  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from skorch import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from skdifficulty import (  # noqa: E402
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
)
from skdifficulty.skorch import (  # noqa: E402
    WeightedNeuralNetClassifier,
    WeightedNeuralNetRegressor,
)

N_SAMPLES = 60
# The key under which a weighted net's batches carry their weights (see the
# SampleWeightMixin docstring).
WEIGHT_KEY = "skdifficulty_sample_weight"


class RecordingNet(NeuralNetClassifier):
    """Remembers the sample weights of its training batches in the first epoch."""

    def fit(self, X, y=None, **fit_params):
        self.seen_weights_ = []
        return super().fit(X, y, **fit_params)

    def train_step_single(self, batch, **fit_params):
        Xi = batch[0]
        if isinstance(Xi, dict) and WEIGHT_KEY in Xi and len(self.history) == 1:
            self.seen_weights_.append(Xi[WEIGHT_KEY].detach().cpu().numpy())
        return super().train_step_single(batch, **fit_params)


class CountingNet(NeuralNetClassifier):
    """Counts its fits (and its weighted twin's) in a class attribute."""

    n_fits = 0

    def fit(self, X, y=None, **fit_params):
        CountingNet.n_fits += 1
        return super().fit(X, y, **fit_params)


class TargetShapeRegressor(NeuralNetRegressor):
    """Remembers the shape of the targets of every fit."""

    target_shapes = []

    def fit(self, X, y=None, **fit_params):
        TargetShapeRegressor.target_shapes.append(np.shape(y))
        return super().fit(X, y, **fit_params)


# The given labels and weights that stay as the difficulty set them: what a
# by-hand weighted fit of the net reproduces (a net's defaults relabel and
# reweigh while it trains, see test_nets_noisy.py).
STATIC = {"relabel": False, "dynamic": False}


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny nets train faster on one thread; restore the setting afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def mislabelled_blobs():
    rng = np.random.RandomState(0)
    y = np.arange(N_SAMPLES) % N_CLASSES
    centers = rng.randn(N_CLASSES, N_FEATURES) * 2
    X = (centers[y] + rng.randn(N_SAMPLES, N_FEATURES)).astype(np.float32)
    y[:6] = (y[:6] + 1) % N_CLASSES  # a few wrong labels
    return X, y.astype(np.int64)


def make_net(net_class=NeuralNetClassifier, device="cpu", **params):
    defaults = dict(
        module=SeededLinear,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=5,
        lr=0.2,
        batch_size=16,  # several batches per epoch
        iterator_train__shuffle=False,
        train_split=None,
        device=device,
        verbose=0,
    )
    defaults.update(params)
    return net_class(**defaults)


def parameters(net):
    return [p.detach().cpu().clone() for p in net.module_.parameters()]


def assert_same_parameters(net_a, net_b):
    for pa, pb in zip(parameters(net_a), parameters(net_b), strict=True):
        assert torch.equal(pa, pb)


# --- the meta-estimator fits the net with the difficulty weights -------------


@pytest.mark.parametrize("device", DEVICES)
def test_a_plain_net_becomes_its_weighted_twin(mislabelled_blobs, device):
    X, y = mislabelled_blobs
    net = make_net(device=device, train_split=ValidSplit(3))
    meta = DifficultyWeightedClassifier(net, strength=2.0, random_state=0).fit(X, y)

    assert type(meta.estimator_) is WeightedNeuralNetClassifier
    assert type(net) is NeuralNetClassifier and not net.initialized_
    # The final fit keeps the user's validation split; only the difficulty's
    # resampled fits drop it.
    assert meta.estimator_.train_split is not None
    assert meta.difficulty_estimator_.estimator.train_split is not None
    assert np.ptp(meta.sample_weight_) > 0.5

    by_hand = make_net(
        WeightedNeuralNetClassifier, device=device, train_split=ValidSplit(3)
    ).fit(X, y, sample_weight=meta.sample_weight_)
    assert_same_parameters(meta.estimator_, by_hand)
    np.testing.assert_array_equal(meta.predict_proba(X), by_hand.predict_proba(X))


@pytest.mark.parametrize("device", DEVICES)
def test_every_training_batch_carries_the_difficulty_weights(
    mislabelled_blobs, device, quick_difficulty
):
    X, y = mislabelled_blobs
    meta = DifficultyWeightedClassifier(
        make_net(RecordingNet, device=device),
        difficulty_estimator=quick_difficulty(),
        random_state=0,
    ).fit(X, y)

    assert isinstance(meta.estimator_, RecordingNet)
    assert len(meta.estimator_.seen_weights_) == 4  # 60 samples, batches of 16
    np.testing.assert_array_equal(
        np.concatenate(meta.estimator_.seen_weights_),
        meta.sample_weight_.astype(np.float32),
    )


def test_a_weighted_net_is_used_as_given(mislabelled_blobs, quick_difficulty):
    X, y = mislabelled_blobs
    net = make_net(WeightedNeuralNetClassifier)
    meta = DifficultyWeightedClassifier(
        net, difficulty_estimator=quick_difficulty(), **STATIC, random_state=0
    ).fit(X, y)

    assert type(meta.estimator_) is WeightedNeuralNetClassifier
    assert meta.estimator_ is not net and not net.initialized_
    by_hand = clone(net).fit(X, y, sample_weight=meta.sample_weight_)
    assert_same_parameters(meta.estimator_, by_hand)


def test_a_pipeline_ending_in_a_net_passes_the_weights_to_it(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    pipe = Pipeline([("scale", StandardScaler()), ("net", make_net(RecordingNet))])
    meta = DifficultyWeightedClassifier(
        pipe, difficulty_estimator=quick_difficulty(), random_state=0
    ).fit(X, y)

    fitted_net = meta.estimator_[-1]
    assert type(fitted_net).__name__ == "WeightedRecordingNet"
    assert type(pipe[-1]) is RecordingNet and not pipe[-1].initialized_
    np.testing.assert_array_equal(
        np.concatenate(fitted_net.seen_weights_),
        meta.sample_weight_.astype(np.float32),
    )
    by_hand = Pipeline(
        [("scale", StandardScaler()), ("net", make_net(WeightedNeuralNetClassifier))]
    ).fit(X, y, net__sample_weight=meta.sample_weight_)
    assert_same_parameters(fitted_net, by_hand[-1])


@pytest.mark.parametrize("device", DEVICES)
def test_strength_zero_trains_like_the_unweighted_net(
    mislabelled_blobs, device, quick_difficulty
):
    X, y = mislabelled_blobs
    meta = DifficultyWeightedClassifier(
        make_net(device=device),
        difficulty_estimator=quick_difficulty(),
        strength=0.0,
        **STATIC,
        random_state=0,
    ).fit(X, y)
    plain = make_net(device=device).fit(X, y)

    np.testing.assert_array_equal(meta.sample_weight_, np.ones(N_SAMPLES))
    # sum(w * l) / sum(w) and mean(l) round differently in float32.
    for pa, pb in zip(parameters(meta.estimator_), parameters(plain), strict=True):
        torch.testing.assert_close(pa, pb, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(meta.predict(X), plain.predict(X))


def test_a_regression_net_through_the_weighted_regressor(
    mislabelled_blobs, quick_difficulty
):
    X, _ = mislabelled_blobs
    y = (X @ np.arange(1, N_FEATURES + 1, dtype=np.float32))[:, None]
    y[:5] += 20  # outliers
    net = make_net(NeuralNetRegressor, criterion=torch.nn.MSELoss, lr=0.02)
    net.set_params(module__out_features=1)
    meta = DifficultyWeightedRegressor(
        net, difficulty_estimator=quick_difficulty(net), random_state=0
    ).fit(X, y)

    assert type(meta.estimator_) is WeightedNeuralNetRegressor
    assert meta.difficulty_[:5].min() > np.median(meta.difficulty_[5:])
    assert meta.sample_weight_[:5].mean() < 0.5
    by_hand = clone(net)
    by_hand = WeightedNeuralNetRegressor(**by_hand.get_params(deep=False)).fit(
        X, y, sample_weight=meta.sample_weight_
    )
    assert_same_parameters(meta.estimator_, by_hand)
    assert meta.predict(X).shape == (N_SAMPLES, 1)


def test_resampled_regression_nets_get_column_targets(
    mislabelled_blobs, monkeypatch, quick_difficulty
):
    """MSELoss would broadcast 1-D targets against the (n, 1) output."""
    X, _ = mislabelled_blobs
    y = X.sum(axis=1, keepdims=True)
    monkeypatch.setattr(TargetShapeRegressor, "target_shapes", [])
    net = make_net(
        TargetShapeRegressor,
        criterion=torch.nn.MSELoss,
        module__out_features=1,
        lr=0.02,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Using a target size")
        est = quick_difficulty(net).fit(X, y)
    assert TargetShapeRegressor.target_shapes == [(40, 1)] * 3
    assert est.difficulty_.shape == (N_SAMPLES,)


# --- the difficulty estimator with a net ------------------------------------


def shuffling_net(device="cpu", **params):
    """A net whose fit draws from torch's global generator (init and shuffle)."""
    return make_net(
        module=torch.nn.Linear,
        module__in_features=N_FEATURES,
        module__out_features=N_CLASSES,
        iterator_train__shuffle=True,
        device=device,
        **params,
    )


@pytest.mark.parametrize("device", DEVICES)
def test_difficulty_of_a_net_is_reproducible_with_random_state(
    mislabelled_blobs, device
):
    X, y = mislabelled_blobs
    # Fixed splits: only torch's seeds can make two runs differ.
    cv = KFold(3)
    first = DifficultyEstimator(shuffling_net(device), cv=cv, random_state=0)
    first.fit(X, y)
    torch.manual_seed(12345)  # global state must not leak into the fits
    torch.rand(7)
    second = DifficultyEstimator(shuffling_net(device), cv=cv, random_state=0)
    second.fit(X, y)
    other = DifficultyEstimator(shuffling_net(device), cv=cv, random_state=1)
    other.fit(X, y)

    np.testing.assert_array_equal(first.difficulty_, second.difficulty_)
    np.testing.assert_array_equal(first.heldout_proba_, second.heldout_proba_)
    assert not np.allclose(first.difficulty_, other.difficulty_)


def test_resampled_nets_train_without_the_internal_split(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    split = ValidSplit(3)
    net = shuffling_net(train_split=split)
    est = quick_difficulty(net).fit(X, y)

    assert est.estimator is net and net.train_split is split
    assert not net.initialized_
    assert len(est.estimators_) == 3
    for model in est.estimators_:
        assert type(model) is NeuralNetClassifier
        assert model.train_split is None
        # Every epoch trained on the whole training part: no validation loss.
        assert "valid_loss" not in model.history[-1]


def test_sample_weight_turns_the_resampled_nets_into_weighted_twins(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    weight = np.where(y == 0, 3.0, 1.0)
    net = shuffling_net()
    weighted = quick_difficulty(net).fit(X, y, sample_weight=weight)
    unweighted = quick_difficulty(net).fit(X, y)

    assert type(net) is NeuralNetClassifier
    for model in weighted.estimators_:
        assert type(model) is WeightedNeuralNetClassifier
        assert model.train_split is None
    # Up-weighting class 0 makes its samples easier.
    class_0 = y == 0
    assert weighted.difficulty_[class_0].mean() < unweighted.difficulty_[class_0].mean()


def test_all_one_weights_give_the_difficulty_of_no_weights(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    with_ones = quick_difficulty(shuffling_net()).fit(
        X, y, sample_weight=np.ones(N_SAMPLES)
    )
    without = quick_difficulty(shuffling_net()).fit(X, y)

    assert type(with_ones.estimators_[0]) is WeightedNeuralNetClassifier
    np.testing.assert_allclose(with_ones.difficulty_, without.difficulty_, rtol=1e-4)


# --- model selection, clone, pickle ------------------------------------------


def _search(memory):
    meta = DifficultyWeightedClassifier(
        make_net(CountingNet),
        difficulty_estimator=DifficultyEstimator(
            make_net(CountingNet), cv=2, n_repeats=1, engine="sequential"
        ),
        memory=memory,
        random_state=0,
    )
    grid = {"weighting": ["easy_first", "hard_first"], "strength": [0.5, 2.0]}
    return GridSearchCV(meta, grid, cv=KFold(2, shuffle=True, random_state=0))


def test_grid_search_over_weighting_reuses_the_cached_difficulty(
    mislabelled_blobs, tmp_path, monkeypatch
):
    X, y = mislabelled_blobs
    monkeypatch.setattr(CountingNet, "n_fits", 0)
    uncached = _search(None).fit(X, y)
    # 4 candidates x 2 folds + refit = 9 weighted fits, each after 2
    # resampled fits (difficulty cv=2).
    assert CountingNet.n_fits == 9 * (1 + 2)

    monkeypatch.setattr(CountingNet, "n_fits", 0)
    cached = _search(Memory(tmp_path, verbose=0)).fit(X, y)
    # The difficulty is measured once per training set: 2 folds + refit.
    assert CountingNet.n_fits == 9 + 3 * 2
    np.testing.assert_array_equal(
        cached.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )
    assert cached.best_params_ == uncached.best_params_


def test_clone_and_pickle_of_a_fitted_meta_estimator_with_a_net(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    net = make_net(RecordingNet)  # its weighted twin is made at run time
    meta = DifficultyWeightedClassifier(
        net, difficulty_estimator=quick_difficulty(), random_state=0
    ).fit(X, y)

    unfitted = clone(meta)
    assert not hasattr(unfitted, "estimator_")
    assert type(unfitted.estimator) is RecordingNet
    assert unfitted.estimator.get_params()["lr"] == net.lr

    loaded = pickle.loads(pickle.dumps(meta))
    assert type(loaded.estimator_) is type(meta.estimator_)
    np.testing.assert_array_equal(loaded.sample_weight_, meta.sample_weight_)
    np.testing.assert_array_equal(loaded.predict_proba(X), meta.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), meta.predict(X))


def test_callbacks_that_need_the_validation_split_are_refused(
    mislabelled_blobs, quick_difficulty
):
    from skorch.callbacks import EarlyStopping

    X, y = mislabelled_blobs
    net = make_net(train_split=ValidSplit(3), callbacks=[EarlyStopping()])
    with pytest.raises(
        ValueError, match="callback 'EarlyStopping' monitors 'valid_loss'"
    ):
        quick_difficulty(net).fit(X, y)
    named = make_net(
        train_split=ValidSplit(3),
        callbacks=[("stop", EarlyStopping(monitor="valid_acc"))],
    )
    with pytest.raises(ValueError, match=r"callbacks__stop=None"):
        quick_difficulty(named).fit(X, y)
    # Switched off, or watching the training loss: the fits run.
    for ok in (
        clone(net).set_params(callbacks__EarlyStopping=None),
        clone(net).set_params(callbacks__EarlyStopping__monitor="train_loss"),
    ):
        assert quick_difficulty(ok).fit(X, y).difficulty_.shape == (len(y),)


class SigmoidLinear(SeededLinear):
    """Values in [0, 1] whose rows do not sum to one."""

    def forward(self, X):
        return torch.sigmoid(self.linear(X))


@pytest.mark.parametrize(
    ("module", "problem"),
    [
        (SeededLinear, r"returned (probabilities outside \[0, 1\]|non-finite)"),
        (SigmoidLinear, "returned probabilities whose row .* not 1"),
    ],
    ids=["logits", "sigmoid"],
)
def test_a_net_that_returns_no_probabilities_is_told_the_likely_fix(
    mislabelled_blobs, quick_difficulty, module, problem
):
    X, y = mislabelled_blobs
    # skorch's default criterion NLLLoss, which expects probabilities.
    net = make_net(module=module, criterion=torch.nn.NLLLoss, max_epochs=1, lr=0.01)
    match = (
        f"(NeuralNetClassifier|Pipeline).predict_proba {problem}.*They come from "
        "a skorch net: "
        r"if its module returns logits.*torch\.nn\.Softmax\(dim=-1\).*"
        r"criterion=torch\.nn\.CrossEntropyLoss"
    )
    for model in (net, Pipeline([("scale", StandardScaler()), ("net", net)])):
        with pytest.raises(ValueError, match=match):
            quick_difficulty(model).fit(X, y)
    # The fix of the hint: the same module with CrossEntropyLoss.
    fixed = make_net(module=module, max_epochs=1, lr=0.01)
    assert quick_difficulty(fixed).fit(X, y).difficulty_.shape == y.shape


def test_with_routing_a_net_must_be_the_weighted_twin_that_requests_weights(
    mislabelled_blobs, quick_difficulty
):
    X, y = mislabelled_blobs
    with sklearn.config_context(enable_metadata_routing=True):
        plain = DifficultyWeightedClassifier(make_net(), random_state=0)
        match = (
            r"NeuralNetClassifier\.fit does not take sample_weight; pass its "
            r"weighted twin, skdifficulty\.skorch\.as_weighted_net\(net\), and "
            r"request them with its set_fit_request\(sample_weight=True\)\.$"
        )
        with pytest.raises(TypeError, match=match):
            plain.fit(X, y)
        refused = make_net(WeightedNeuralNetClassifier).set_fit_request(
            sample_weight=False
        )
        with pytest.raises(TypeError, match="WeightedNeuralNetClassifier.fit refuses"):
            DifficultyWeightedClassifier(refused).fit(X, y)
        twin = make_net(WeightedNeuralNetClassifier).set_fit_request(
            sample_weight=True
        )
        meta = DifficultyWeightedClassifier(
            twin, difficulty_estimator=quick_difficulty(), **STATIC, random_state=0
        ).fit(X, y)
    by_hand = make_net(WeightedNeuralNetClassifier).fit(
        X, y, sample_weight=meta.sample_weight_
    )
    assert_same_parameters(meta.estimator_, by_hand)
