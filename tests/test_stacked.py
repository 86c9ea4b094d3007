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
from skorch.callbacks import (  # noqa: E402
    Callback,
    GradientNormClipping,
    LRScheduler,
)
from skorch.helper import SliceDataset  # noqa: E402

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty.datasets import flip_labels  # noqa: E402
from skdifficulty.estimate._resampling import Split  # noqa: E402
from skdifficulty.estimate._runners import FitPlan  # noqa: E402
from skdifficulty.nets._memory import MemoryEstimate  # noqa: E402
from skdifficulty.nets._rules import seed_torch  # noqa: E402
from skdifficulty.nets._stacked import (  # noqa: E402
    StackedNetRunner,
    clip_norm_per_member,
    membership_matrix,
)
from skdifficulty.skorch import GradientValueClipping, as_weighted_net  # noqa: E402
from skdifficulty.utils._random import MAX_SEED  # noqa: E402

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
    """An MLP in float64 with BatchNorm on its input and on its hidden layer."""

    def __init__(self, momentum=0.1):
        super().__init__()
        self.norm = torch.nn.BatchNorm1d(N_FEATURES, momentum=momentum)
        self.layers.insert(1, torch.nn.BatchNorm1d(16, momentum=momentum))
        self.double()

    def forward(self, X):
        return super().forward(self.norm(X))


class ResNet(torch.nn.Module):
    """A small residual net in float64 on 1 x 6 x 6 images: BatchNorm after
    every convolution, a residual block, global average pooling."""

    def __init__(self, width=4):
        super().__init__()

        def conv(n_in):
            return torch.nn.Conv2d(n_in, width, 3, padding=1, bias=False)

        self.stem = torch.nn.Sequential(
            conv(1), torch.nn.BatchNorm2d(width), torch.nn.ReLU()
        )
        self.block = torch.nn.Sequential(
            conv(width),
            torch.nn.BatchNorm2d(width),
            torch.nn.ReLU(),
            conv(width),
            torch.nn.BatchNorm2d(width),
        )
        self.out = torch.nn.Linear(width, N_CLASSES)
        self.double()

    def forward(self, X):
        h = self.stem(X)
        return self.out(torch.relu(h + self.block(h)).mean((2, 3)))


@pytest.fixture(scope="module")
def float32_data():
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


def stacked_run(net, X, y, splits, seeds, sample_weight=None, **runner_params):
    """The members' Results, and the runner (its history and memory plan)."""
    params = {} if sample_weight is None else {"sample_weight": sample_weight}
    plan = FitPlan(net, X, y, splits, seeds, params, "predict_proba", True)
    runner = StackedNetRunner(**runner_params)
    return list(runner.run(plan)), runner


def run_plan(net, X, y, splits, seeds, sample_weight=None):
    return stacked_run(net, X, y, splits, seeds, sample_weight)[0]


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


def assert_member_equals_reference(
    net, X, y, splits, sample_weight=None, X_test=None
):
    """Parameters, buffers (BatchNorm's statistics), held-out losses and the
    epochs' training losses of the first and last members, to 1e-5.

    ``X_test`` (default ``X``) is what the held-out losses are computed on
    (plain arrays where ``X`` is a dataset that draws at random).
    """
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=len(splits))
    results, runner = stacked_run(net, X, y, splits, seeds, sample_weight)
    membership = membership_matrix(splits, len(y))
    if sample_weight is not None:
        membership = membership * sample_weight
    for m in (0, len(splits) - 1):
        reference = reference_member(net, X, y, seeds, m, membership[m])
        member = results[m].model
        for (name, ours), (_, theirs) in zip(
            [*member.module_.named_parameters(), *member.module_.named_buffers()],
            [
                *reference.module_.named_parameters(),
                *reference.module_.named_buffers(),
            ],
            strict=True,
        ):
            assert_allclose(
                ours.detach().cpu().numpy(),
                theirs.detach().cpu().numpy(),
                atol=1e-5,
                err_msg=name,
            )
        test = splits[m].test
        rows = np.arange(len(test))
        if X_test is None:  # what the stacked pass predicted for its samples
            X_test, ours = X, results[m].prediction
        else:
            ours = member.predict_proba(X_test[test])
        ours = -np.log(ours[rows, y[test]])
        theirs = -np.log(reference.predict_proba(X_test[test])[rows, y[test]])
        assert_allclose(ours, theirs, atol=1e-5)
        assert_allclose(
            runner.history["train_loss"][:, m],
            reference.history[:, "train_loss"],
            atol=1e-5,
        )
    return results, runner


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_mlp_member_equals_a_weighted_net_alone(float32_data, device):
    X, y = float32_data
    assert_member_equals_reference(make_net(device=device), X, y, kfold_splits(y))


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_cnn_member_equals_a_weighted_net_alone(float32_data, device):
    # float64: vmap runs the convolution as a grouped one, whose float32
    # rounding Adam would amplify over the epochs.
    X, y = float32_data
    images = np.resize(X.astype(np.float64), (len(y), 1, 4, 4))
    net = make_net(CNN, device=device)
    assert_member_equals_reference(net, images, y, kfold_splits(y, n_splits=2))


def test_user_weights_and_bootstrap_counts_multiply_into_the_membership(float32_data):
    X, y = float32_data
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


def test_one_member_with_all_ones_weights_equals_a_plain_training(float32_data):
    X, y = float32_data
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
def test_kept_members_predict_their_held_out_samples_as_scored(float32_data, device):
    X, y = float32_data
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
    float32_data, device
):
    X, y = float32_data
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
def test_transform_uses_the_kept_members(float32_data, device):
    X, y = float32_data
    net = make_net(device=device)
    est = DifficultyEstimator(net, cv=3, n_repeats=1, engine="stacked")
    est.fit(X, y)
    assert len(est.estimators_) == 3
    assert est.transform(X[:5]).shape == (5, 3)


def test_a_regression_net_stacks(float32_data):
    X, y = float32_data
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


class _Recorder(Callback):
    """A callback of the user's own: the stacked pass cannot run it."""

    def on_epoch_end(self, net, **kwargs):
        pass


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(optimizer=torch.optim.LBFGS), "LBFGS, for one, mixes them"),
        (
            dict(callbacks=[("rec", _Recorder())]),
            r"callback 'rec' is a _Recorder, which it cannot run for each member\. "
            r"Switch it off \(net\.set_params\(callbacks__rec=None\)\)",
        ),
        (
            dict(
                callbacks=[
                    ("sched", LRScheduler(torch.optim.lr_scheduler.ReduceLROnPlateau))
                ]
            ),
            "ReduceLROnPlateau schedule, which steps on a score.*Use a schedule "
            "that reads no score",
        ),
        (
            # A schedule stepped where skorch never steps it.
            dict(
                callbacks=[("sched", LRScheduler("StepLR", step_size=2))],
                callbacks__sched__step_every="fortnight",
            ),
            "step_every='fortnight'; engine='stacked' steps a schedule every",
        ),
        (
            dict(module=WithBatchNorm, module__momentum=None),
            r"layer 'layers.1' is a BatchNorm1d with momentum=None.*Give it a "
            "momentum",
        ),
    ],
)
def test_what_would_mix_the_members_is_refused(float32_data, change, match):
    X, y = float32_data
    if change.get("module") is WithBatchNorm:
        X = X.astype(np.float64)
    est = DifficultyEstimator(make_net(**change), cv=3, n_repeats=1, engine="stacked")
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)


def test_a_switched_off_callback_is_allowed(float32_data):
    # Switched off, the callback is not run: the members train as they do
    # without it, in the stacked pass (which records the members' history).
    X, y = float32_data
    switched_off = make_net(callbacks=[("rec", _Recorder())], callbacks__rec=None)
    ours, plain = [
        DifficultyEstimator(
            net, cv=3, n_repeats=1, engine="stacked", random_state=0
        ).fit(X, y)
        for net in (switched_off, make_net())
    ]
    assert ours.history_["train_loss"].shape == (6, 3)  # 6 epochs of 3 members
    assert_array_equal(ours.difficulty_, plain.difficulty_)
    assert_array_equal(ours.history_["train_loss"], plain.history_["train_loss"])


def test_the_stacked_engine_needs_a_net(float32_data):
    X, y = float32_data
    with pytest.raises(ValueError, match="LogisticRegression is not a skorch net"):
        from sklearn.linear_model import LogisticRegression

        DifficultyEstimator(LogisticRegression(), engine="stacked").fit(X, y)


@pytest.mark.parametrize("device", DEVICES)
def test_per_epoch_scores_are_recorded_and_end_at_the_final_difficulty(
    float32_data, device
):
    X, y = float32_data
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


def test_chunks_of_members_train_as_the_whole_stack(float32_data):
    X, y = float32_data
    splits = kfold_splits(y, n_splits=3, n_repeats=2)
    seeds = np.arange(6)
    whole = run_plan(make_net(), X, y, splits, seeds)
    plan = FitPlan(make_net(), X, y, splits, seeds, {}, "predict_proba", True)
    chunked = list(StackedNetRunner(chunk_size=4).run(plan))
    for ours, theirs in zip(chunked, whole, strict=True):
        assert_allclose(ours.prediction, theirs.prediction, atol=1e-6)


# -- the nets people train: BatchNorm, schedules, clipping -------------------


@pytest.fixture(scope="module")
def data64(float32_data):
    X, y = float32_data
    return X.astype(np.float64), y


def images(X):
    """The samples as float64 1 x 6 x 6 images (their features, tiled)."""
    return np.resize(X.astype(np.float64), (len(X), 1, 6, 6))


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_batchnorm_member_equals_a_weighted_net_alone(data64, device):
    # The batches hold the member's held-out samples (weight 0), as the
    # weighted net's do: the batch statistics, and so the running ones,
    # are the same; evaluation uses each member's own running statistics.
    X, y = data64
    net = make_net(WithBatchNorm, device=device)
    results, _ = assert_member_equals_reference(net, X, y, kfold_splits(y))
    # The input layer's statistics are those of the same batches for every
    # member; the hidden layer's differ with the members' weights.
    inputs = [r.model.module_.norm.running_mean for r in results]
    hidden = [r.model.module_.layers[1].running_mean for r in results]
    assert torch.allclose(inputs[0], inputs[1])
    assert not torch.allclose(hidden[0], hidden[1])


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "scheduler",
    [
        LRScheduler("CosineAnnealingLR", T_max=20, step_every="batch"),
        LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=2, gamma=0.3),
        # It also cycles Adam's betas, in the optimizer's one param group.
        LRScheduler(
            torch.optim.lr_scheduler.OneCycleLR,
            max_lr=0.05,
            total_steps=40,
            step_every="batch",
        ),
    ],
    ids=["cosine-per-batch", "step-per-epoch", "one-cycle-per-batch"],
)
def test_a_scheduled_member_equals_a_weighted_net_alone(data64, device, scheduler):
    X, y = data64
    net = make_net(
        WithBatchNorm, device=device, callbacks=[("sched", scheduler)], lr=0.05
    )
    assert_member_equals_reference(net, X, y, kfold_splits(y))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "clip",
    [GradientNormClipping(0.05), GradientNormClipping(0.1, "inf")],
    ids=["l2", "inf"],
)
def test_a_norm_clipped_member_equals_a_weighted_net_alone(data64, device, clip):
    X, y = data64
    net = make_net(WithBatchNorm, device=device, callbacks=[("clip", clip)])
    results, _ = assert_member_equals_reference(net, X, y, kfold_splits(y))
    # The clipping binds: without it, the member (same seeds) ends elsewhere.
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=3)
    free = run_plan(net.set_params(callbacks__clip=None), X, y, kfold_splits(y), seeds)
    assert not np.allclose(free[0].prediction, results[0].prediction, atol=1e-3)


def test_value_clipping_clips_every_gradient_element_and_none_switches_it_off():
    param = torch.nn.Parameter(torch.zeros(4))
    param.grad = torch.tensor([-3.0, -0.005, 0.2, 7.0])
    GradientValueClipping(None).on_grad_computed(None, [("w", param)])
    assert_array_equal(param.grad.numpy(), np.float32([-3.0, -0.005, 0.2, 7.0]))
    GradientValueClipping(0.1).on_grad_computed(None, [("w", param)])
    assert_array_equal(param.grad.numpy(), np.float32([-0.1, -0.005, 0.1, 0.1]))


@pytest.mark.parametrize("device", DEVICES)
def test_a_value_clipped_member_equals_a_weighted_net_alone(data64, device):
    X, y = data64
    net = make_net(
        WithBatchNorm,
        device=device,
        callbacks=[("clip", GradientValueClipping(0.01))],
    )
    assert_member_equals_reference(net, X, y, kfold_splits(y))


@pytest.mark.parametrize("device", DEVICES)
def test_a_stacked_resnet_member_equals_a_weighted_net_alone(float32_data, device):
    # BatchNorm after every convolution, SGD with momentum and weight decay,
    # a cosine schedule stepped per batch and each member's norm clipped.
    X, y = float32_data
    net = make_net(
        ResNet,
        device=device,
        optimizer=torch.optim.SGD,
        optimizer__momentum=0.9,
        optimizer__weight_decay=5e-4,
        lr=0.1,
        max_epochs=4,
        callbacks=[
            ("sched", LRScheduler("CosineAnnealingLR", T_max=24, step_every="batch")),
            ("clip", GradientNormClipping(0.5)),
        ],
    )
    assert_member_equals_reference(net, images(X), y, kfold_splits(y, n_splits=2))


class _Augmented(torch.utils.data.Dataset):
    """Samples with fresh Gaussian noise at every read; counts the reads."""

    def __init__(self, X, y):
        self.X, self.y, self.reads = torch.as_tensor(X), y, 0

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        self.reads += 1
        return self.X[i] + 0.1 * torch.randn(self.X.shape[1:], dtype=self.X.dtype), (
            self.y[i]
        )


@pytest.mark.parametrize("device", DEVICES)
def test_a_member_on_an_augmenting_dataset_equals_a_weighted_net_alone(
    data64, device
):
    # The batches are drawn once, augmentation included, and every member
    # sees the same ones, as the weighted net alone draws them.
    X, y = data64
    dataset = SliceDataset(_Augmented(X, y))
    net = make_net(WithBatchNorm, device=device, max_epochs=3)
    assert_member_equals_reference(net, dataset, y, kfold_splits(y), X_test=X)


@pytest.mark.parametrize("engine", ["sequential", "stacked"])
def test_an_augmenting_dataset_is_read_afresh_every_epoch(float32_data, engine):
    X, y = float32_data
    augmented = _Augmented(X, y)
    net = make_net(max_epochs=3)
    est = DifficultyEstimator(net, cv=3, n_repeats=1, engine=engine, random_state=0)
    est.fit(SliceDataset(augmented), y)
    # Not turned into one fixed array: three epochs' training reads of every
    # sample (the stacked pass reads all of them each epoch, every sequential
    # fit its two thirds), and more for the held-out predictions.
    assert augmented.reads > 3 * len(y)
    assert np.all(np.isfinite(est.difficulty_))


def test_norm_clipping_per_member_scales_each_members_slice_alone():
    torch.manual_seed(0)
    grads = [torch.randn(3, 4, 2), torch.randn(3, 5)]
    expected = [g.clone() for g in grads]
    norms = clip_norm_per_member(grads, max_norm=1.0)
    for m in range(3):
        alone = [torch.nn.Parameter(g[m].clone()) for g in expected]
        for p, g in zip(alone, expected, strict=True):
            p.grad = g[m].clone()
        norm = torch.nn.utils.clip_grad_norm_(alone, max_norm=1.0)
        assert_allclose(norms[m].item(), norm.item(), rtol=1e-6)
        for p, g in zip(alone, grads, strict=True):
            assert_allclose(g[m].numpy(), p.grad.numpy(), rtol=1e-6)


def test_the_history_holds_each_members_losses_and_verbose_prints_their_means(
    float32_data, capsys
):
    X, y = float32_data
    splits = kfold_splits(y)
    seeds = [1, 2, 3]
    results, runner = stacked_run(make_net(max_epochs=3), X, y, splits, seeds)
    history = runner.history
    assert history["train_loss"].shape == history["valid_loss"].shape == (3, 3)
    assert history["dur"].shape == (3,) and np.all(history["dur"] > 0)
    # Without verbose or record_epochs no pass predicts before the last epoch.
    assert np.all(np.isnan(history["valid_loss"][:-1]))
    for m, (result, split) in enumerate(zip(results, splits, strict=True)):
        rows = np.arange(len(split.test))
        held_out = -np.log(result.prediction[rows, y[split.test]]).mean()
        assert_allclose(history["valid_loss"][-1, m], held_out, rtol=1e-5)
    capsys.readouterr()

    est = DifficultyEstimator(
        make_net(max_epochs=3), cv=3, n_repeats=1, engine="stacked", verbose=1
    ).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("engine='stacked': 3 members, 3 at a time")
    assert lines[1].split()[:4] == ["epoch", "train_loss", "valid_loss", "dur"]
    assert len(lines) == 2 + 3
    train_loss = est.history_["train_loss"].mean(axis=1)
    valid_loss = est.history_["valid_loss"].mean(axis=1)
    for epoch, line in enumerate(lines[2:]):
        fields = line.split()
        assert int(fields[0]) == epoch + 1
        assert_allclose(float(fields[1]), train_loss[epoch], atol=1e-4)
        assert_allclose(float(fields[2]), valid_loss[epoch], atol=1e-4)
    assert np.all(np.isfinite(est.history_["valid_loss"]))
    assert valid_loss[-1] < valid_loss[0]  # the members learn


def test_the_memory_estimate_counts_state_and_activations(float32_data):
    X, y = float32_data
    net = as_weighted_net(make_net(batch_size=16)).initialize()
    dataset = net.get_dataset(X, y)
    estimate = MemoryEstimate.of(net, dataset, n_members=6)
    n_params = sum(p.numel() for p in net.module_.parameters()) * 4  # float32
    # Parameters twice, gradients, Adam's two moments (and its step counts).
    assert 5 * n_params <= estimate.per_member <= 5 * n_params + 100
    # The inputs, hidden activations and logits of a batch, at the least.
    assert estimate.activations >= 2 * 16 * (N_FEATURES + 16 + N_CLASSES) * 4
    bigger = MemoryEstimate.of(net.set_params(batch_size=64), dataset, 6)
    assert bigger.activations > 3 * estimate.activations
    assert estimate.available is None or estimate.available > 0


def test_auto_chunks_are_the_largest_that_fit_and_nothing_fits_is_refused():
    estimate = MemoryEstimate(6, per_member=100, activations=50, available=None,
                              device="cpu")
    assert estimate.chunk_size("auto") == 6  # unknown memory: all at once
    estimate.available = (6 * 100 + 2 * 50) / 0.9 + 1
    assert estimate.chunk_size("auto") == 2
    assert estimate.chunk_size(2) == 2
    with pytest.warns(UserWarning, match="chunk_size='auto' would run 2 members"):
        assert estimate.chunk_size(None) == 6
    estimate.available = 600
    with pytest.raises(MemoryError, match="even one at a time.*engine='sequential'"):
        estimate.chunk_size("auto")


def test_auto_chunk_size_trains_as_the_whole_stack_and_too_little_memory_stops_it(
    float32_data, monkeypatch
):
    X, y = float32_data
    splits, seeds = kfold_splits(y, n_splits=3, n_repeats=2), np.arange(6)
    whole = run_plan(make_net(), X, y, splits, seeds)
    est = MemoryEstimate.of(
        as_weighted_net(make_net()).initialize(),
        as_weighted_net(make_net()).get_dataset(X, y),
        6,
    )
    room = (6 * est.per_member + 4 * est.activations) / 0.9 + 1
    monkeypatch.setattr("skdifficulty.nets._memory._available_bytes", lambda d: room)
    chunked, runner = stacked_run(make_net(), X, y, splits, seeds, chunk_size="auto")
    assert runner.memory.chunk_size("auto") == 4
    for ours, theirs in zip(chunked, whole, strict=True):
        assert_allclose(ours.prediction, theirs.prediction, atol=1e-6)

    monkeypatch.setattr("skdifficulty.nets._memory._available_bytes", lambda d: 1000)
    estimator = DifficultyEstimator(
        make_net(), cv=3, n_repeats=2, engine="stacked", chunk_size="auto"
    )
    with pytest.raises(MemoryError, match="for 6 members even one at a time"):
        estimator.fit(X, y)
    assert not hasattr(estimator, "history_")
