"""Difficulty weighting against the tools users reach for today.

Embedded data sets (digits, breast cancer, wine, a ``make_classification``
problem) x label noise (none; symmetric or pair, 20% or 40%, flipped in the
training part only) x class imbalance (none; training class sizes falling
tenfold). Each cell fits, around the same scaled logistic regression:

- ``plain``: the estimator as is;
- ``balanced``: ``class_weight="balanced"``;
- ``cleanlab``: cleanlab's ``CleanLearning`` ("n/a" if cleanlab is missing);
- ``grid``: ``GridSearchCV`` over ``DifficultyWeightedClassifier``'s
  ``weighting`` x ``strength`` x ``normalize`` ("mean" or "class"), scored by
  balanced accuracy on the noisy training labels, with a ``memory=`` cache;
  it refits the candidate with the best mean score;
- ``grid-1se``: the candidate that ``BaselineRefit()`` picks from the same
  search's fold scores: "none" unless a candidate beats it by more than one
  paired standard error.

Columns: accuracy (acc) and balanced accuracy (bal) on the clean test part,
and, for noisy cells, the AUROC with which the difficulty (5 x 5 folds) and
cleanlab's ``get_label_quality_scores`` on 5-fold probabilities find the
flipped labels. Pair noise is skipped for the binary data set, where it is
the same as symmetric noise.

Modes: ``--quick`` (wine and breast cancer, three noise settings, small grid),
the default (all cells, one seed, small grid, 3-fold search, 3 x 5-fold
difficulty: about 10 minutes on 2 cores), ``--full`` (the recommended grid,
5-fold search, 5 x 5-fold difficulty, seeds 0 1 2).

Run: ``python benchmarks/bench_quality.py [--quick | --full] [--seeds 0]
[--n-jobs 1]``
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_predict,
    train_test_split,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdifficulty import (
    BaselineRefit,
    DifficultyEstimator,
    DifficultyWeightedClassifier,
)
from skdifficulty.datasets import flip_labels, make_imbalance

MODES = ["easy_first", "hard_first", "medium_first", "two_ends"]
NOISES = [("none", 0.0), ("sym", 0.2), ("sym", 0.4), ("pair", 0.2), ("pair", 0.4)]
KINDS = {"sym": "symmetric", "pair": "pair"}
METHODS = ["plain", "balanced", "cleanlab", "grid", "grid-1se"]
GRIDS = ["grid", "grid-1se"]


def scaled_lr(**params):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, **params))


def synthetic():
    return make_classification(
        n_samples=1500,
        n_features=20,
        n_informative=8,
        n_classes=4,
        class_sep=1.0,
        random_state=0,
    )


DATASETS = {
    "digits": lambda: load_digits(return_X_y=True),
    "cancer": lambda: load_breast_cancer(return_X_y=True),
    "wine": lambda: load_wine(return_X_y=True),
    "synth": synthetic,
}


def make_cell(name, noise_kind, rate, imbalance, seed):
    """Clean test part; training part imbalanced, then flipped."""
    X, y = DATASETS[name]()
    rng = np.random.RandomState(seed)
    split_seed, imbalance_seed, flip_seed = rng.randint(2**31 - 1, size=3)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=split_seed
    )
    if imbalance:
        X_train, y_train, _ = make_imbalance(
            X_train, y_train, ratio=imbalance, random_state=imbalance_seed
        )
    flipped = np.zeros(y_train.shape[0], dtype=bool)
    if rate > 0:
        y_train, flipped = flip_labels(
            y_train, rate=rate, kind=KINDS[noise_kind], random_state=flip_seed
        )
    return X_train, y_train, X_test, y_test, flipped


def search(settings, seed, n_jobs, cache):
    grid = [
        {
            "weighting": MODES,
            "strength": settings["strengths"],
            "normalize": ["mean", "class"],
        },
        {"weighting": ["none"], "normalize": ["mean", "class"]},
    ]
    difficulty = DifficultyEstimator(
        scaled_lr(), n_repeats=settings["n_repeats"], keep_estimators=False
    )
    meta = DifficultyWeightedClassifier(
        scaled_lr(), difficulty_estimator=difficulty, memory=cache, random_state=seed
    )
    cv = StratifiedKFold(settings["inner_cv"], shuffle=True, random_state=seed)
    return GridSearchCV(meta, grid, cv=cv, scoring="balanced_accuracy", n_jobs=n_jobs)


def clean_learning(seed):
    try:
        from cleanlab.classification import CleanLearning
    except ImportError:
        return None
    return CleanLearning(scaled_lr(), seed=seed, find_label_issues_kwargs={"n_jobs": 1})


def fit_methods(X, y, settings, seed, n_jobs):
    """Fitted models by method name; None where a method is missing or failed."""
    models = {
        "plain": scaled_lr().fit(X, y),
        "balanced": scaled_lr(class_weight="balanced").fit(X, y),
    }
    lab = clean_learning(seed)
    try:
        models["cleanlab"] = None if lab is None else lab.fit(X, y)
    except Exception as error:  # tiny classes can break its noise estimate
        print(f"      cleanlab failed: {type(error).__name__}: {error}")
        models["cleanlab"] = None
    with tempfile.TemporaryDirectory() as cache:
        grid = search(settings, seed, n_jobs, cache).fit(X, y)
        models["grid"] = grid.best_estimator_
        # another choice from the same folds' scores; its refit reads the
        # cached difficulty of the whole training part
        chosen = BaselineRefit()(grid.cv_results_)
        models["grid-1se"] = (
            grid.best_estimator_
            if chosen == grid.best_index_
            else clone(grid.estimator)
            .set_params(**grid.cv_results_["params"][chosen])
            .fit(X, y)
        )
    return models


def noise_auroc(X, y, flipped, settings, seed, n_jobs):
    """AUROC for the flipped labels: difficulty, and cleanlab's label quality."""
    difficulty = DifficultyEstimator(
        scaled_lr(), n_repeats=5, n_jobs=n_jobs, random_state=seed
    ).fit(X, y)
    ours = roc_auc_score(flipped, difficulty.difficulty_)
    try:
        from cleanlab.rank import get_label_quality_scores
    except ImportError:
        return ours, None
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(scaled_lr(), X, y, cv=cv, method="predict_proba")
    return ours, roc_auc_score(flipped, -get_label_quality_scores(y, proba))


def fmt(value):
    return "   n/a" if value is None else f"{value:6.3f}"


def run_cell(name, noise, imbalance, settings, seed, n_jobs):
    noise_kind, rate = noise
    X, y, X_test, y_test, flipped = make_cell(name, noise_kind, rate, imbalance, seed)
    models = fit_methods(X, y, settings, seed, n_jobs)
    scores = {}
    for method in METHODS:
        model = models[method]
        if model is None:
            scores[method] = (None, None)
            continue
        pred = model.predict(X_test)
        scores[method] = (
            accuracy_score(y_test, pred),
            balanced_accuracy_score(y_test, pred),
        )
    auroc = noise_auroc(X, y, flipped, settings, seed, n_jobs) if rate else (None,) * 2
    chosen = " | ".join(describe(models[grid].get_params()) for grid in GRIDS)
    return scores, auroc, chosen


def describe(best):
    mode = best["weighting"]
    strength = "" if mode == "none" else f" s={best['strength']:g}"
    return f"{mode}{strength} {best['normalize']}"


def cells(quick):
    if quick:
        names = ["wine", "cancer"]
        noises = [NOISES[0], NOISES[2], NOISES[4]]
    else:
        names, noises = list(DATASETS), NOISES
    for name in names:
        for imbalance in (None, 10):
            for noise in noises:
                if noise[0] == "pair" and name == "cancer":
                    continue  # binary: pair noise is symmetric noise
                yield name, noise, imbalance


def header():
    methods = " ".join(f"{m:>13}" for m in METHODS)
    print(
        f"{'data':<6} {'noise':<8} {'imb':>3} {'seed':>4} {methods} "
        f"{'AUROC diff':>10} {'cleanlab':>8}  choice: grid | grid-1se"
    )
    sub = " ".join(f"{'acc':>6} {'bal':>6}" for _ in METHODS)
    print(f"{'':<6} {'':<8} {'':>3} {'':>4} {sub}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true")
    mode.add_argument("--full", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    if args.full:
        settings = {"strengths": [0.5, 1, 2, 4, 8], "inner_cv": 5, "n_repeats": 5}
        seeds = args.seeds or [0, 1, 2]
    else:
        settings = {"strengths": [1, 4], "inner_cv": 3, "n_repeats": 3}
        seeds = args.seeds or [0]

    warnings.filterwarnings("ignore")  # tiny imbalanced classes warn in every fold
    start = time.perf_counter()
    results = []
    with threadpool_limits(1):
        header()
        for name, noise, imbalance in cells(args.quick):
            for seed in seeds:
                scores, auroc, chosen = run_cell(
                    name, noise, imbalance, settings, seed, args.n_jobs
                )
                results.append((scores, auroc))
                values = " ".join(f"{fmt(a)} {fmt(b)}" for a, b in scores.values())
                label = "none" if noise[1] == 0 else f"{noise[0]} {noise[1]:.0%}"
                print(
                    f"{name:<6} {label:<8} {imbalance or 1:>3} {seed:>4} {values} "
                    f"{fmt(auroc[0]):>10} {fmt(auroc[1]):>8}  {chosen}",
                    flush=True,
                )
    summarize(results)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


def summarize(results):
    print()
    print("mean over all cells (cells where a method is n/a are left out of its mean);")
    print("W/T/L = cells where each grid is strictly better / ties / worse")
    print(
        f"  {'':<3} {'method':<9} {'mean':>6}   " + "   ".join(f"{g:>8}" for g in GRIDS)
    )
    for k, metric in enumerate(["acc", "bal"]):
        for method in METHODS:
            line = f"  {metric} {method:<9} "
            for grid in GRIDS:
                pairs = [
                    (r[0][method][k], r[0][grid][k])
                    for r in results
                    if r[0][method][k] is not None
                ]
                if not pairs:
                    line += "   n/a"
                    break
                other, ours = np.array(pairs).T
                if grid == GRIDS[0]:
                    line += f"{other.mean():.4f}"
                if method not in GRIDS:
                    wins = (
                        (ours > other).sum(),
                        (ours == other).sum(),
                        (ours < other).sum(),
                    )
                    line += f"   {wins[0]:>2}/{wins[1]:>2}/{wins[2]:>2}"
            print(line)
    aurocs = np.array(
        [r[1] for r in results if r[1][0] is not None and r[1][1] is not None]
    )
    if aurocs.size:
        print(
            f"  noise AUROC over {len(aurocs)} noisy cells: difficulty "
            f"{aurocs[:, 0].mean():.4f}, cleanlab {aurocs[:, 1].mean():.4f}, "
            f"difficulty higher in {(aurocs[:, 0] > aurocs[:, 1]).sum()}"
        )


if __name__ == "__main__":
    main()
