"""Nets on noisy labels: the defaults of the meta-estimator for a skorch net.

With a skorch net and nothing else set, DifficultyWeightedClassifier measures
the difficulty with stacked members stopped at their lowest held-out loss,
relabels the samples whose held-out probabilities confidently name another
class, and weighs the rest by the held-out consensus; for other estimators
the defaults are today's (easy_first, no relabelling).
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge

from skdifficulty import (
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
)
from skdifficulty.datasets import flip_labels


@pytest.fixture(scope="module")
def noisy():
    X, y = make_classification(
        n_samples=240, n_features=6, n_informative=5, n_redundant=0,
        n_classes=3, class_sep=2.0, random_state=0,
    )
    y_noisy, flipped = flip_labels(y, rate=0.3, random_state=0)
    return X.astype(np.float32), y_noisy.astype(np.int64), flipped, y


def _net(**params):
    torch = pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skorch import NeuralNetClassifier

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = torch.nn.Sequential(
                torch.nn.Linear(6, 64), torch.nn.ReLU(), torch.nn.Linear(64, 3)
            )

        def forward(self, X):
            return self.layers(X)

    defaults = dict(
        criterion=torch.nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        lr=0.01,
        max_epochs=40,
        batch_size=32,
        iterator_train__shuffle=True,
        train_split=None,
        verbose=0,
    )
    return NeuralNetClassifier(MLP, **{**defaults, **params})


def test_a_net_is_relabelled_and_weighed_by_the_heldout_consensus(noisy):
    torch = pytest.importorskip("torch")
    X, y, flipped, y_true = noisy
    net = _net()
    torch.manual_seed(0)
    clf = DifficultyWeightedClassifier(net, random_state=0).fit(X, y)
    difficulty = clf.difficulty_estimator_
    assert clf.weighting_ == "consensus"
    assert difficulty.engine_ == "stacked" and difficulty.n_repeats_ == 1
    assert hasattr(difficulty, "best_epochs_")
    # The relabelled samples are wrong labels, mostly moved to the true class.
    moved = clf.relabeled_
    assert moved.sum() > 0.3 * flipped.sum()
    assert flipped[moved].mean() > 0.85
    assert np.mean(clf.labels_[moved] == y_true[moved]) > 0.8
    assert_array_equal(clf.labels_[~moved], y[~moved])
    # The consensus weights: the label's held-out probability over the
    # largest one, for the fitted labels.
    proba = difficulty.heldout_proba_
    ratio = proba[np.arange(len(y)), clf.labels_] / proba.max(axis=1)
    assert_allclose(clf.sample_weight_, ratio / ratio.mean(), rtol=1e-10)
    # The weights follow the net from the members' median best epoch on.
    reweight = dict(clf.estimator_.callbacks_)["dynamic_weights"]
    assert reweight.start == max(1, int(np.median(difficulty.best_epochs_)))
    assert len(reweight.weights_) == 40 - reweight.start + 1
    # Without them, the wrapped net is fitted with those labels and weights.
    from skdifficulty.skorch import as_weighted_net

    torch.manual_seed(0)
    static = DifficultyWeightedClassifier(net, dynamic=False, random_state=0)
    static.fit(X, y)
    assert_array_equal(static.labels_, clf.labels_)
    torch.manual_seed(0)  # the generator as the meta-estimator left it
    DifficultyEstimator(net, keep_estimators=False, random_state=0).fit(X, y)
    twin = as_weighted_net(net).fit(
        X, static.labels_, sample_weight=static.sample_weight_
    )
    assert_allclose(twin.predict_proba(X), static.predict_proba(X), atol=1e-6)


def test_the_scikit_learn_defaults_are_unchanged(noisy):
    X, y, _, _ = noisy
    auto = DifficultyWeightedClassifier(LogisticRegression(), random_state=0).fit(X, y)
    explicit = DifficultyWeightedClassifier(
        LogisticRegression(),
        difficulty_estimator=DifficultyEstimator(
            LogisticRegression(), n_repeats=5, engine="sequential"
        ),
        weighting="easy_first",
        relabel=False,
        random_state=0,
    ).fit(X, y)
    assert auto.weighting_ == "easy_first"
    assert auto.difficulty_estimator_.n_repeats_ == 5
    assert auto.difficulty_estimator_.engine_ == "sequential"
    assert not auto.relabeled_.any()
    assert_array_equal(auto.labels_, y)
    assert_array_equal(auto.sample_weight_, explicit.sample_weight_)
    assert_array_equal(auto.predict_proba(X), explicit.predict_proba(X))


def test_relabel_works_for_any_classifier_and_keeps_the_label_type(noisy):
    X, y, flipped, _ = noisy
    names = np.array(["ant", "bee", "cat"])[y]
    clf = DifficultyWeightedClassifier(
        LogisticRegression(), relabel=True, weighting="consensus", random_state=0
    ).fit(X, names)
    assert clf.labels_.dtype == names.dtype
    assert set(clf.labels_) <= {"ant", "bee", "cat"}
    assert clf.relabeled_.any()
    assert flipped[clf.relabeled_].mean() > 0.6  # against 0.3 at random
    assert_array_equal(clf.labels_ != names, clf.relabeled_)


def test_relabel_needs_heldout_probabilities(noisy):
    X, y, _, _ = noisy
    pytest.importorskip("torch")
    from skdifficulty.dynamics import DynamicsDifficultyEstimator

    clf = DifficultyWeightedClassifier(
        _net(max_epochs=2),
        difficulty_estimator=DynamicsDifficultyEstimator(_net(max_epochs=2)),
        relabel=True,
    )
    with pytest.raises(ValueError, match="relabel=True needs held-out class prob"):
        clf.fit(X, y)
    # "auto" falls back to today's easy-first weights without them.
    clf.set_params(relabel="auto").fit(X, y)
    assert clf.weighting_ == "easy_first" and not clf.relabeled_.any()


def test_a_regressor_refuses_the_consensus_weighting():
    rng = np.random.RandomState(0)
    X, y = rng.randn(30, 2), rng.randn(30)
    with pytest.raises(ValueError, match="compares class labels with held-out"):
        DifficultyWeightedRegressor(Ridge(), weighting="consensus").fit(X, y)
    assert DifficultyWeightedRegressor(Ridge()).fit(X, y).weighting_ == "easy_first"


def test_dynamic_weights_follow_the_nets_consensus_and_leave_the_callers_alone(
    noisy,
):
    torch = pytest.importorskip("torch")
    from skdifficulty.dynamics import DynamicWeights
    from skdifficulty.skorch import as_weighted_net

    X, y, flipped, _ = noisy
    prior = np.linspace(0.5, 1.5, len(y)).astype(np.float32)
    given = prior.copy()
    net = as_weighted_net(
        _net(max_epochs=6, callbacks=[("reweight", DynamicWeights(start=3, strength=2.0))])
    )
    torch.manual_seed(0)
    net.fit(X, y, sample_weight=prior)
    assert_array_equal(prior, given)  # the caller's weights are not changed
    weights = dict(net.callbacks_)["reweight"].weights_
    assert len(weights) == 4  # after epochs 3, 4, 5 and 6
    # The last update used the final net: the weights before it times the
    # consensus ** 2, rescaled to the prior's total.
    proba = net.predict_proba(X).astype(np.float64)
    consensus = proba[np.arange(len(y)), y] / proba.max(axis=1)
    expected = weights[-2] * consensus**2
    expected *= prior.sum() / expected.sum()
    assert_allclose(weights[-1], expected, rtol=1e-4)
    assert weights[-1].sum() == pytest.approx(prior.sum(), rel=1e-5)
    assert weights[-1][flipped].mean() < 0.5 * weights[-1][~flipped].mean()


def test_dynamic_weights_need_a_weighted_net_and_the_meta_a_net(noisy):
    pytest.importorskip("torch")
    from skdifficulty.dynamics import DynamicWeights

    X, y, _, _ = noisy
    net = _net(max_epochs=2, callbacks=[("reweight", DynamicWeights())])
    with pytest.raises(TypeError, match="changes the sample weights of a net that"):
        net.fit(X, y)
    with pytest.raises(ValueError, match="dynamic=True reweighs the samples while"):
        DifficultyWeightedClassifier(LogisticRegression(), dynamic=True).fit(X, y)
    net = _net(max_epochs=2, callbacks="disable")
    with pytest.raises(ValueError, match="Pass callbacks=\\[\\] instead"):
        DifficultyWeightedClassifier(net, dynamic=True).fit(X, y)
