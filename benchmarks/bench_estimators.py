"""Difficulty weighting against ``class_weight="balanced"``, estimator by estimator.

Data: the digits images, a stratified train/test split, training class sizes
falling ``--imbalance``-fold from digit 0 to digit 9 and ``--noise`` of the
training labels flipped (``load_noisy_digits``); balanced accuracy on the
clean, stratified test part.

For each estimator family and seed, as a user would:

- ``plain``: the estimator as is;
- ``balanced``: class balancing alone, ``sample_weight`` from
  ``compute_sample_weight("balanced", y)`` (the same as
  ``class_weight="balanced"`` where the estimator has it);
- a ``GridSearchCV`` over ``DifficultyWeightedClassifier(estimator,
  normalize="class")``: the four modes x strengths 0.5, 1, 2, 4, 8, plus
  ``weighting="none"`` (class balancing alone), 5-fold stratified, scored by
  balanced accuracy on the training labels, difficulty 3 x 5-fold with the
  estimator itself, cached with ``memory=``. The candidate is then chosen two
  ways from the same search:

  - ``best mean``: the best mean inner score (GridSearchCV's default);
  - ``BaselineRefit``: ``skdifficulty.BaselineRefit()``, which keeps
    ``"none"`` unless a candidate beats it by more than one paired standard
    error over the folds.

``vs bal`` is the mean difference to ``balanced``, ``se`` its standard error
over seeds, ``W/T/L`` the seeds won, tied and lost.

Run: ``python benchmarks/bench_estimators.py [--estimators lr gnb rf ...]
[--seeds 0 1 2 ...] [--imbalance 10] [--noise 0] [--n-jobs 2]``
(about 15 minutes for the default estimators and 10 seeds on 2 cores).
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_limits

from skdifficulty import (
    BaselineRefit,
    DifficultyEstimator,
    DifficultyWeightedClassifier,
)
from skdifficulty.datasets import load_noisy_digits

ESTIMATORS = {
    "lr": lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    "svc": lambda: make_pipeline(
        StandardScaler(), SVC(probability=True, random_state=0)
    ),
    "mlp": lambda: make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=500, random_state=0)
    ),
    "rf": lambda: RandomForestClassifier(200, random_state=0),
    "gnb": GaussianNB,
    "tree": lambda: DecisionTreeClassifier(random_state=0),
}
DEFAULT_ESTIMATORS = ["lr", "svc", "rf", "gnb", "tree"]
MODES = ["easy_first", "hard_first", "medium_first", "two_ends"]
STRENGTHS = [0.5, 1, 2, 4, 8]
GRID = [{"weighting": MODES, "strength": STRENGTHS}, {"weighting": ["none"]}]
RULES = {"best mean": BaselineRefit(n_se=0), "BaselineRefit": BaselineRefit()}


def describe(params):
    if params["weighting"] == "none":
        return "none"
    return f"{params['weighting'].removesuffix('_first')}/{params['strength']:g}"


def fit_scored(estimator, X, y, weights, X_test, y_test):
    # A Pipeline passes the weights on to its last step by that step's name.
    if isinstance(estimator, Pipeline):
        key = f"{estimator.steps[-1][0]}__sample_weight"
    else:
        key = "sample_weight"
    estimator.fit(X, y, **{key: weights})
    return balanced_accuracy_score(y_test, estimator.predict(X_test))


def run_seed(name, seed, args):
    """Test scores of plain, balanced and each rule's choice for one seed."""
    warnings.filterwarnings("ignore")  # convergence of tiny rare-class folds
    with threadpool_limits(1):
        data = load_noisy_digits(
            noise=args.noise, imbalance=args.imbalance, random_state=seed
        )
        X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        make = ESTIMATORS[name]
        scores = {
            "plain": fit_scored(make(), X, y, np.ones(len(y)), X_test, y_test),
            "balanced": fit_scored(
                make(), X, y, compute_sample_weight("balanced", y), X_test, y_test
            ),
        }
        chosen = {}
        with tempfile.TemporaryDirectory() as cache:
            meta = DifficultyWeightedClassifier(
                make(),
                difficulty_estimator=DifficultyEstimator(
                    make(), n_repeats=3, keep_estimators=False
                ),
                normalize="class",
                memory=cache,
                random_state=seed,
            )
            cv = StratifiedKFold(5, shuffle=True, random_state=seed)
            search = GridSearchCV(
                meta, GRID, cv=cv, scoring="balanced_accuracy", refit=False
            ).fit(X, y)
            params = search.cv_results_["params"]
            test_scores = {}  # by candidate: the rules often agree
            for rule, choose in RULES.items():
                index = choose(search.cv_results_)
                if index not in test_scores:
                    model = clone(meta).set_params(**params[index]).fit(X, y)
                    test_scores[index] = balanced_accuracy_score(
                        y_test, model.predict(X_test)
                    )
                scores[rule] = test_scores[index]
                chosen[rule] = describe(params[index])
    return scores, chosen


def row(label, values, reference):
    diff = values - reference
    wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
    se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
    return (
        f"  {label:<14} {values.mean():.4f} {diff.mean():+.4f} {se:6.4f} "
        f"{wins:>3}/{len(diff) - wins - losses}/{losses}"
    )


def report(name, results, seconds):
    test = {k: np.array([r[0][k] for r in results]) for k in results[0][0]}
    print(f"\n{name} ({seconds:.0f} s)")
    print(f"  {'method':<14} {'mean':>6} {'vs bal':>7} {'se':>6} W/T/L")
    for method in test:
        print(row(method, test[method], test["balanced"]))
    for rule in RULES:
        print(f"  {rule} chose: {' '.join(r[1][rule] for r in results)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--estimators",
        nargs="+",
        default=DEFAULT_ESTIMATORS,
        choices=list(ESTIMATORS),
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(10)))
    parser.add_argument("--imbalance", type=float, default=10.0)
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--n-jobs", type=int, default=1, help="seeds in parallel")
    args = parser.parse_args(argv)

    print(
        f"digits, imbalance {args.imbalance:g}, noise {args.noise:g}, seeds "
        f"{' '.join(map(str, args.seeds))}: clean test balanced accuracy"
    )
    for name in args.estimators:
        start = time.perf_counter()
        results = Parallel(n_jobs=args.n_jobs)(
            delayed(run_seed)(name, seed, args) for seed in args.seeds
        )
        report(name, results, time.perf_counter() - start)


if __name__ == "__main__":
    main()
