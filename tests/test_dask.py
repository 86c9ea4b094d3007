"""On a real Dask cluster, the resampled fits give the local results bit for bit."""

import logging

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.tree import DecisionTreeClassifier

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

# Starting worker processes takes seconds; never run it in a quick pass.
pytestmark = pytest.mark.slow

# Generous: a loaded test machine must not turn slowness into failures.
TIMEOUTS = {
    "distributed.comm.timeouts.connect": "60s",
    "distributed.comm.timeouts.tcp": "120s",
    "distributed.deploy.lost-worker-timeout": "60s",
}


@pytest.fixture(scope="module")
def client():
    """Two single-threaded worker processes on loopback, started once."""
    with (
        dask.config.set(TIMEOUTS),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster, timeout="60s") as client,
    ):
        client.wait_for_workers(2, timeout=60)
        yield client


@pytest.fixture(scope="module")
def noisy_data():
    return make_classification(
        n_samples=150,
        n_features=5,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        flip_y=0.1,
        random_state=0,
    )


def on_cluster(client, func):
    """Run ``func`` under joblib's Dask backend; return it and the tasks run."""
    with distributed.get_task_stream(client) as stream:
        with joblib.parallel_config(backend="dask"):
            result = func()
    workers = {task["worker"] for task in stream.data}
    return result, workers


def test_difficulty_on_the_cluster_is_bit_identical(client, noisy_data):
    X, y = noisy_data
    # A randomized tree: every fit's own seed must travel with it.
    est = DifficultyEstimator(
        DecisionTreeClassifier(max_features=2, min_samples_leaf=3),
        cv=4,
        n_repeats=3,
        random_state=0,
    )
    expected = est.fit_transform(X, y)
    expected_counts = est.n_evaluations_.copy()

    remote, workers = on_cluster(client, lambda: est.fit_transform(X, y))
    assert workers  # the fits ran on the cluster's workers
    assert workers <= set(client.scheduler_info()["workers"])
    assert_array_equal(remote, expected)
    assert_array_equal(est.n_evaluations_, expected_counts)
    assert len(est.estimators_) == 12


def test_grid_search_on_the_cluster_is_bit_identical(
    client, noisy_data, quick_difficulty
):
    X, y = noisy_data
    difficulty = quick_difficulty()
    grid = {"weighting": ["easy_first", "hard_first"], "strength": [0.5, 2.0]}

    def search():
        return GridSearchCV(
            DifficultyWeightedClassifier(difficulty_estimator=difficulty), grid, cv=3
        ).fit(X, y)

    local = search()
    remote, workers = on_cluster(client, search)
    assert workers
    assert remote.best_params_ == local.best_params_
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    best, expected = remote.best_estimator_, local.best_estimator_
    assert_array_equal(best.sample_weight_, expected.sample_weight_)
    assert_array_equal(best.predict_proba(X), expected.predict_proba(X))
    assert np.ptp(best.sample_weight_) > 0
