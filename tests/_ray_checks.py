"""Ray checks, run in a process of their own by test_ray.py.

Ray changes the process it starts in (it replaces ``builtins.print`` while
its progress bars live), so these checks must not share the test process.
Each check fails with an AssertionError; the last line says all passed.
"""

import numpy as np
import ray
from joblib import parallel_config
from numpy.testing import assert_array_equal
from ray.util.joblib import register_ray
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier


def scores(est, X, y):
    est.fit(X, y)
    return np.column_stack([est.difficulty_, est.bias_, est.variance_])


def main():
    X, y = make_classification(
        n_samples=120, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        _node_ip_address="127.0.0.1",
    )
    register_ray()
    try:
        est = DifficultyEstimator(n_repeats=2, random_state=0, n_jobs=2)
        with parallel_config(backend="loky"):
            reference = scores(est, X, y)
        with parallel_config(backend="ray"):
            assert_array_equal(scores(est, X, y), reference)
        # Ray refuses return_as="generator" even with one job.
        with parallel_config(backend="ray", n_jobs=1):
            assert_array_equal(scores(est, X, y), reference)
        search = GridSearchCV(
            DifficultyWeightedClassifier(
                difficulty_estimator=DifficultyEstimator(
                    n_repeats=1, cv=3, random_state=0
                ),
                random_state=0,
            ),
            {"strength": [0.5, 2.0]},
            cv=3,
            n_jobs=2,
        )
        with parallel_config(backend="loky"):
            expected = search.fit(X, y).cv_results_["mean_test_score"]
        with parallel_config(backend="ray"):
            got = search.fit(X, y).cv_results_["mean_test_score"]
        assert_array_equal(got, expected)
    finally:
        ray.shutdown()
    print("ray checks passed: DifficultyEstimator and GridSearchCV as under loky")


if __name__ == "__main__":
    main()
