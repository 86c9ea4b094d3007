"""The stacked engine: every member trained in one vectorized pass.

Member m of a stacked pass must be exactly a weighted net trained on all
samples with weight 0 on m's held-out part, from m's initial parameters, with
the batches that the net's own loader draws.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from _nets import DEVICES  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.model_selection import RepeatedStratifiedKFold  # noqa: E402
from skorch import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from skorch.callbacks import GradientNormClipping  # noqa: E402

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty._resampling import Split  # noqa: E402
from skdifficulty._runners import MAX_SEED, FitPlan  # noqa: E402
from skdifficulty._skorch_utils import seed_torch  # noqa: E402
from skdifficulty._stacked import StackedNetRunner, membership_matrix  # noqa: E402
from skdifficulty.datasets import flip_labels  # noqa: E402
from skdifficulty.skorch import as_weighted_net  # noqa: E402

N_SAMPLES, N_FEATURES, N_CLASSES = 90, 6, 3


class MLP(torch.nn.Module):
    def __init__(self, hidden=16, dropout=0.0):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(N_FEATURES, hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(dropout),
            torch.nn.Linear(hidden, N_CLASSES),
        )

    def forward(self, X):
        return self.layers(X)


class CNN(torch.nn.Module):
    """A small convolutional net in float64 on 1 x 4 x 4 images."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, kernel_size=3, padding=1)
        self.out = torch.nn.Linear(4 * 4 * 4, N_CLASSES)
        self.double()

    def forward(self, X):
        return self.out(torch.relu(self.conv(X)).flatten(1))


class WithBatchNorm(MLP):
    def __init__(self):
        super().__init__()
        self.norm = torch.nn.BatchNorm1d(N_FEATURES)

    def forward(self, X):
        return super().forward(self.norm(X))


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(
        n_samples=N_SAMPLES,
        n_features=N_FEATURES,
        n_informative=4,
        n_classes=N_CLASSES,
        random_state=0,
    )
    return X.astype(np.float32), y.astype(np.int64)


def make_net(module=MLP, device="cpu", **params):
    defaults = dict(
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=6,
        batch_size=16,
        train_split=None,
        iterator_train__shuffle=True,
        verbose=0,
        device=device,
    )
    return NeuralNetClassifier(module, **{**defaults, **params})


def run_plan(net, X, y, splits, seeds, sample_weight=None):
    params = {} if sample_weight is None else {"sample_weight": sample_weight}
    plan = FitPlan(net, X, y, splits, seeds, params, "predict_proba", True)
    return list(StackedNetRunner().run(plan))


def kfold_splits(y, n_splits=3, n_repeats=1):
    splitter = RepeatedStratifiedKFold(
        n_splits=n_splits, n_repeats=n_repeats, random_state=0
    )
    return [
        Split(i // n_splits, i % n_splits, train, test)
        for i, (train, test) in enumerate(splitter.split(np.zeros(len(y)), y))
    ]


def reference_member(net, X, y, seeds, m, sample_weight):
    """Member m trained alone: a weighted net on all samples, weight 0 held out.

    Same initial parameters (seeded with m's seed), and the batch order drawn
    from torch's generator as it stood after member 0's initialization.
    """
    seed_torch(seeds[0])
    clone(net).initialize()
    batch_state = torch.get_rng_state()
    reference = as_weighted_net(clone(net))
    seed_torch(seeds[m])
    reference.initialize()
    torch.set_rng_state(batch_state)
    return reference.partial_fit(X, y, sample_weight=sample_weight)


def assert_member_equals_reference(net, X, y, splits, sample_weight=None):
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=len(splits))
    results = run_plan(net, X, y, splits, seeds, sample_weight)
    membership = membership_matrix(splits, len(y))
    if sample_weight is not None:
        membership = membership * sample_weight
    for m in (0, len(splits) - 1):
        reference = reference_member(net, X, y, seeds, m, membership[m])
        member = results[m].model
        for (name, ours), (_, theirs) in zip(
            member.module_.named_parameters(),
            reference.module_.named_parameters(),
            strict=True,
        ):
            assert_allclose(
                ours.detach().cpu().numpy(),
                theirs.detach().cpu().numpy(),
                atol=1e-5,
                err_msg=name,
            )
        test = splits[m].test
        ours = -np.log(results[m].prediction[np.arange(len(test)), y[test]])
        theirs = -np.log(
            reference.predict_proba(X[test])[np.arange(len(test)), y[test]]
        )
        assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_mlp_member_equals_a_weighted_net_alone(data, device):
    X, y = data
    assert_member_equals_reference(make_net(device=device), X, y, kfold_splits(y))


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_cnn_member_equals_a_weighted_net_alone(data, device):
    # float64: vmap runs the convolution as a grouped one, whose float32
    # rounding Adam would amplify over the epochs.
    X, y = data
    images = np.resize(X.astype(np.float64), (len(y), 1, 4, 4))
    net = make_net(CNN, device=device)
    assert_member_equals_reference(net, images, y, kfold_splits(y, n_splits=2))


def test_user_weights_and_bootstrap_counts_multiply_into_the_membership(data):
    X, y = data
    rng = np.random.RandomState(1)
    splits = []
    for m in range(3):
        train = np.sort(rng.choice(len(y), size=len(y)))
        test = np.setdiff1d(np.arange(len(y)), train)
        splits.append(Split(0, m, train, test))
    membership = membership_matrix(splits, len(y))
    assert_array_equal(membership[1], np.bincount(splits[1].train, minlength=len(y)))
    assert membership[1].max() > 1
    weight = rng.uniform(0.5, 2, size=len(y))
    assert_member_equals_reference(make_net(), X, y, splits, sample_weight=weight)


def test_one_member_with_all_ones_weights_equals_a_plain_training(data):
    X, y = data
    net = make_net()
    split = Split(0, 0, np.arange(len(y)), np.arange(0))
    [result] = run_plan(net, X, y, [split], [7])
    seed_torch(7)
    plain = clone(net).fit(X, y)
    for ours, theirs in zip(
        result.model.module_.parameters(), plain.module_.parameters(), strict=True
    ):
        assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=1e-5)


@pytest.mark.parametrize("device", DEVICES)
def test_kept_members_predict_their_held_out_samples_as_scored(data, device):
    X, y = data
    splits = kfold_splits(y)
    net = make_net(MLP, device=device, module__dropout=0.3)
    results = run_plan(net, X, y, splits, [1, 2, 3])
    for result, split in zip(results, splits, strict=True):
        assert result.split is split
        assert_allclose(
            result.model.predict_proba(X[split.test]), result.prediction, atol=1e-6
        )
    # Dropout draws differently per member: members end up different.
    first = next(results[0].model.module_.parameters())
    second = next(results[1].model.module_.parameters())
    assert not torch.allclose(first, second)


@pytest.mark.parametrize("device", DEVICES)
def test_the_stacked_engine_is_deterministic_and_ranks_like_sequential_fits(
    data, device
):
    X, y = data
    y_noisy, flipped = flip_labels(y, rate=0.2, random_state=0)
    net = make_net(max_epochs=30, lr=0.02, device=device)
    scores = {}
    for engine in ("stacked", "stacked", "sequential"):
        est = DifficultyEstimator(
            net, cv=3, n_repeats=2, engine=engine, random_state=0
        ).fit(X, y_noisy)
        assert_allclose(est.bias_ + est.variance_, est.difficulty_, atol=1e-10)
        if engine in scores:
            assert_array_equal(est.difficulty_, scores[engine])
        scores[engine] = est.difficulty_
    stacked = roc_auc_score(flipped, scores["stacked"])
    sequential = roc_auc_score(flipped, scores["sequential"])
    assert stacked > 0.75
    assert abs(stacked - sequential) < 0.1


@pytest.mark.parametrize("device", DEVICES)
def test_transform_uses_the_kept_members(data, device):
    X, y = data
    net = make_net(device=device)
    est = DifficultyEstimator(net, cv=3, n_repeats=1, engine="stacked")
    est.fit(X, y)
    assert len(est.estimators_) == 3
    assert est.transform(X[:5]).shape == (5, 3)


def test_a_regression_net_stacks(data):
    X, y = data
    target = (X[:, :1] * 2 + 0.1 * y[:, None]).astype(np.float32)
    net = NeuralNetRegressor(
        MLP,
        module__hidden=8,
        optimizer=torch.optim.SGD,
        lr=0.05,
        max_epochs=5,
        batch_size=32,
        train_split=None,
        verbose=0,
    )
    net.set_params(module=_Regression)
    est = DifficultyEstimator(net, cv=3, n_repeats=1, engine="stacked", random_state=0)
    est.fit(X, target)
    assert est.difficulty_.shape == (len(y),)
    assert np.all(np.isfinite(est.difficulty_))


class _Regression(MLP):
    def __init__(self, hidden=8):
        super().__init__(hidden)
        self.layers[-1] = torch.nn.Linear(hidden, 1)


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(optimizer=torch.optim.LBFGS), "LBFGS, for one, mixes them"),
        (
            dict(callbacks=[("clip", GradientNormClipping(1.0))]),
            r"runs none of the net's callbacks, and the net has \['clip'\]",
        ),
        (dict(module=WithBatchNorm), "GroupNorm or LayerNorm"),
    ],
)
def test_what_would_mix_the_members_is_refused(data, change, match):
    X, y = data
    est = DifficultyEstimator(make_net(**change), cv=3, n_repeats=1, engine="stacked")
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_a_switched_off_callback_is_allowed(data):
    X, y = data
    net = make_net(
        callbacks=[("clip", GradientNormClipping(1.0))], callbacks__clip=None
    )
    DifficultyEstimator(net, cv=3, n_repeats=1, engine="stacked").fit(X, y)


def test_the_stacked_engine_needs_a_net(data):
    X, y = data
    with pytest.raises(ValueError, match="LogisticRegression is not a skorch net"):
        from sklearn.linear_model import LogisticRegression

        DifficultyEstimator(LogisticRegression(), engine="stacked").fit(X, y)


@pytest.mark.parametrize("device", DEVICES)
def test_per_epoch_scores_are_recorded_and_end_at_the_final_difficulty(data, device):
    X, y = data
    net = make_net(max_epochs=4, device=device)
    est = DifficultyEstimator(
        net,
        cv=3,
        n_repeats=1,
        engine="stacked",
        early_stopping=False,
        record_epochs=True,
        random_state=0,
    ).fit(X, y)
    assert est.per_epoch_.shape == (4, len(y))
    assert_allclose(est.per_epoch_[-1], est.difficulty_, atol=1e-10)
    # Training lowers the held-out loss on this learnable task.
    assert est.per_epoch_[-1].mean() < est.per_epoch_[0].mean()
    with pytest.raises(ValueError, match="record_epochs=True needs engine='stacked'"):
        DifficultyEstimator(net, engine="sequential", record_epochs=True).fit(X, y)


def test_chunks_of_members_train_as_the_whole_stack(data):
    X, y = data
    splits = kfold_splits(y, n_splits=3, n_repeats=2)
    seeds = np.arange(6)
    whole = run_plan(make_net(), X, y, splits, seeds)
    plan = FitPlan(make_net(), X, y, splits, seeds, {}, "predict_proba", True)
    chunked = list(StackedNetRunner(chunk_size=4).run(plan))
    for ours, theirs in zip(chunked, whole, strict=True):
        assert_allclose(ours.prediction, theirs.prediction, atol=1e-6)
