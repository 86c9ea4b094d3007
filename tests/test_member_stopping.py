"""Stacked members stopped at their own lowest held-out loss (early_stopping).

A stopped member must be exactly the weighted net trained alone for as many
epochs as its best epoch, and it must be scored with that epoch's
predictions.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")

from _nets import DEVICES  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from test_stacked import (  # noqa: E402
    kfold_splits,
    make_net,
    membership_matrix,
    reference_member,
)

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty.datasets import flip_labels  # noqa: E402
from skdifficulty.estimate._runners import FitPlan  # noqa: E402
from skdifficulty.nets._members import MemberStopping  # noqa: E402
from skdifficulty.nets._stacked import StackedNetRunner  # noqa: E402
from skdifficulty.utils._random import MAX_SEED  # noqa: E402


@pytest.fixture(scope="module")
def noisy():
    """A learnable task with 30% of its labels flipped."""
    rng = np.random.RandomState(0)
    X = rng.randn(150, 6).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64) + (X[:, 2] > 0.8)
    y_noisy, flipped = flip_labels(y, rate=0.3, random_state=0)
    return X, y_noisy.astype(np.int64), flipped


def assert_member_is(result, reference, X):
    """A stacked member's parameters and held-out predictions are the net's."""
    for (name, ours), (_, theirs) in zip(
        result.model.module_.named_parameters(),
        reference.module_.named_parameters(),
        strict=True,
    ):
        assert_allclose(
            ours.detach().cpu().numpy(),
            theirs.detach().cpu().numpy(),
            atol=1e-5,
            err_msg=name,
        )
    test = result.split.test
    assert_allclose(result.prediction, reference.predict_proba(X[test]), atol=1e-5)


def _log_loss(y):
    def loss(result):
        test = result.split.test
        return float(-np.log(result.prediction[np.arange(len(test)), y[test]]).mean())

    return loss


@pytest.mark.parametrize("device", DEVICES)
def test_a_stopped_member_is_the_net_trained_alone_until_its_best_epoch(
    noisy, device
):
    X, y, _ = noisy
    net = make_net(device=device, lr=0.05, max_epochs=25, module__hidden=64)
    splits = kfold_splits(y, n_splits=3)
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=len(splits))
    plan = FitPlan(net, X, y, splits, seeds, {}, "predict_proba", True)
    runner = StackedNetRunner(stopping=MemberStopping(_log_loss(y), patience=3))
    results = list(runner.run(plan))
    best = runner.best_epochs_
    # Memorizing the flipped labels raises the held-out loss: the members
    # stopped before the end, and training ended `patience` epochs after
    # the last member's best epoch.
    assert best.max() < 25
    assert runner.n_epochs_ == best.max() + 3
    membership = membership_matrix(splits, len(y))
    for m in range(len(splits)):
        reference = reference_member(
            net.set_params(max_epochs=int(best[m])), X, y, seeds, m, membership[m]
        )
        assert_member_is(results[m], reference, X)


def test_scores_come_from_each_members_best_epoch(noisy):
    X, y, flipped = noisy
    net = make_net(lr=0.05, max_epochs=30, module__hidden=64)
    common = dict(cv=3, engine="stacked", record_epochs=True, random_state=0)
    stopped = DifficultyEstimator(net, early_stopping=True, **common).fit(X, y)
    full = DifficultyEstimator(net, early_stopping=False, **common).fit(X, y)
    assert stopped.n_repeats_ == 1  # "auto" for a net
    assert stopped.best_epochs_.shape == (3,)
    assert stopped.n_epochs_ == stopped.best_epochs_.max() + 5
    assert stopped.per_epoch_.shape == (stopped.n_epochs_, len(y))
    # Each sample is scored by one member (one repeat), at that member's
    # best epoch: its difficulty is its entry in one of those epochs' rows.
    at_best = stopped.per_epoch_[stopped.best_epochs_ - 1]
    matches = np.isclose(at_best, stopped.difficulty_, rtol=0, atol=1e-12)
    assert np.all(matches.any(axis=0))
    assert np.all(matches.sum(axis=1) >= len(y) / 3 - 25)
    # The early members rank the wrong labels better than members that went
    # on to memorize them.
    assert roc_auc_score(flipped, stopped.difficulty_) > roc_auc_score(
        flipped, full.difficulty_
    )
    assert not hasattr(full, "best_epochs_")


def test_auto_caps_the_members_epochs_at_the_budget(noisy):
    X, y, _ = noisy
    net = make_net(lr=1e-4, max_epochs=40)  # still improving at every epoch
    est = DifficultyEstimator(net, cv=4, random_state=0).fit(X, y)
    assert est.engine_ == "stacked"
    # 1.5 trainings of 40 epochs shared by 4 members: 15 epochs each.
    assert est.n_epochs_ == 15
    assert np.all(est.best_epochs_ == 15)


def test_early_stopping_needs_the_stacked_engine(noisy):
    X, y, _ = noisy
    with pytest.raises(ValueError, match="early_stopping=True needs engine='stacked'"):
        DifficultyEstimator(make_net(), engine="sequential", early_stopping=True).fit(
            X, y
        )


def test_auto_engine_falls_back_to_sequential_fits_and_says_why(noisy):
    X, y, _ = noisy
    net = make_net(optimizer=torch.optim.LBFGS, max_epochs=2)
    with pytest.warns(UserWarning, match="engine='auto' trains this net's members"):
        est = DifficultyEstimator(net, cv=3, random_state=0).fit(X, y)
    assert est.engine_ == "sequential"
    assert est.n_fits_ == 3
    assert not hasattr(est, "best_epochs_")


@pytest.mark.parametrize("load_best", [False, True])
@pytest.mark.parametrize("device", DEVICES)
def test_skorch_early_stopping_runs_for_each_member_alone(noisy, device, load_best):
    from skorch.callbacks import EarlyStopping

    X, y, _ = noisy
    stopping = EarlyStopping(
        monitor="train_loss", patience=2, threshold=0.05, load_best=load_best
    )
    net = make_net(
        device=device, lr=0.05, max_epochs=30, callbacks=[("stop", stopping)]
    )
    splits = kfold_splits(y, n_splits=3)
    seeds = np.random.RandomState(0).randint(MAX_SEED, size=len(splits))
    plan = FitPlan(net, X, y, splits, seeds, {}, "predict_proba", True)
    runner = StackedNetRunner()
    results = list(runner.run(plan))
    membership = membership_matrix(splits, len(y))
    epochs = []
    for m in range(len(splits)):
        reference = reference_member(net, X, y, seeds, m, membership[m])
        epochs.append(len(reference.history))
        assert_member_is(results[m], reference, X)
    # The members stopped before max_epochs, and the stack trained as long
    # as the last of them.
    assert max(epochs) < 30
    assert len(runner.history["dur"]) == max(epochs)


def test_skorch_early_stopping_and_the_engines_own_are_one_choice(noisy):
    from skorch.callbacks import EarlyStopping

    X, y, _ = noisy
    net = make_net(callbacks=[EarlyStopping(monitor="train_loss")])
    with pytest.raises(ValueError, match="choose one"):
        DifficultyEstimator(net, cv=3, early_stopping=True).fit(X, y)
    est = DifficultyEstimator(net, cv=3, random_state=0).fit(X, y)
    assert est.engine_ == "stacked" and not hasattr(est, "best_epochs_")
    other = make_net(callbacks=[EarlyStopping(monitor="train_acc")])
    with pytest.raises(ValueError, match="monitor='train_acc', which is not recorded"):
        DifficultyEstimator(other, cv=3, engine="stacked").fit(X, y)
