"""Under Ray's joblib backend (a local Ray with 2 CPUs), results are loky's."""

import builtins

import numpy as np
import pytest
from joblib import parallel_config
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier

ray = pytest.importorskip("ray")
ray_joblib = pytest.importorskip("ray.util.joblib")

# Starting Ray takes seconds; never run it in a quick pass.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_backend():
    # ray.init replaces builtins.print (to tag worker output) and shutdown
    # does not put it back; objects that hold print (skorch's PrintLog) then
    # no longer pickle in the tests that follow.
    original_print = builtins.print
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        _node_ip_address="127.0.0.1",
    )
    ray_joblib.register_ray()
    try:
        yield
    finally:
        ray.shutdown()
        builtins.print = original_print


def _fit(est, X, y):
    est.fit(X, y)
    return np.column_stack([est.difficulty_, est.bias_, est.variance_])


def test_ray_gives_the_loky_result_bit_for_bit(ray_backend, data):
    X, y = data
    est = DifficultyEstimator(n_repeats=2, random_state=0, n_jobs=2)
    with parallel_config(backend="loky"):
        reference = _fit(est, X, y)
    with parallel_config(backend="ray"):
        assert_array_equal(_fit(est, X, y), reference)
    # Ray refuses return_as="generator" even with one job.
    with parallel_config(backend="ray", n_jobs=1):
        assert_array_equal(_fit(est, X, y), reference)


def test_a_grid_search_runs_under_ray(ray_backend, data, quick_difficulty):
    X, y = data
    search = GridSearchCV(
        DifficultyWeightedClassifier(
            difficulty_estimator=quick_difficulty(), random_state=0
        ),
        {"strength": [0.5, 2.0]},
        cv=3,
        n_jobs=2,
    )
    with parallel_config(backend="loky"):
        reference = search.fit(X, y).cv_results_["mean_test_score"]
    with parallel_config(backend="ray"):
        scores = search.fit(X, y).cv_results_["mean_test_score"]
    assert_array_equal(scores, reference)
