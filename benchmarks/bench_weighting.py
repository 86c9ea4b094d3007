"""Difficulty weighting chosen by grid search, against the usual remedies.

Three parts, each printing a table (clean test labels throughout):

a) noise: digits with 20% / 40% of the training labels flipped at random.
   ``GridSearchCV`` over ``DifficultyWeightedClassifier``'s ``weighting`` x
   ``strength``, scored by accuracy on the noisy labels (all a user has),
   against the plain estimator and cleanlab's ``CleanLearning`` around it.
b) imbalance: digits whose training class sizes fall tenfold (no noise).
   ``normalize="class"`` with a mode and strength chosen by balanced accuracy,
   against ``class_weight="balanced"`` and the plain estimator. Variants of the
   difficulty (20 repeats, Brier loss), of the weight scale (``"standard"``,
   through a local subclass: the meta-estimator has no ``scale``) and of the
   grid (easy-first only) are measured side by side; every choice is made by
   inner cross-validation only. A diagnostic table then shows the test score
   of fixed candidates, to see the landscape the search moves in.
c) the grid-cache cost: a cached 12-candidate ``GridSearchCV`` against a
   1-candidate one (both with refit), plus the uncached grid for reference.

The estimator is ``StandardScaler`` + ``LogisticRegression(max_iter=1000)``.
BLAS runs with one thread: on a loaded machine a multi-threaded BLAS spins
and makes timings meaningless.

Run: ``python benchmarks/bench_weighting.py [--parts a b c] [--seeds 0 1 2]
[--n-jobs 1] [--timing-repeats 3]``
"""

import argparse
import tempfile
import time
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdifficulty import DifficultyEstimator, DifficultyWeightedClassifier
from skdifficulty.datasets import load_noisy_digits
from skdifficulty.weighting._weights import difficulty_weights

MODES = ["easy_first", "hard_first", "medium_first", "two_ends"]
NOISE_STRENGTHS = [0.5, 1, 2, 4, 8]
IMBALANCE_STRENGTHS = [0.25, 0.5, 1, 2, 4]


def scaled_lr(**params):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, **params))


def weighting_grid(strengths, modes=MODES):
    """Every mode x strength, plus "none" once (its strength does not matter)."""
    return [
        {"weighting": list(modes), "strength": list(strengths)},
        {"weighting": ["none"]},
    ]


def grid_search(meta, grid, seed, scoring, n_jobs, cv=5):
    return GridSearchCV(
        meta,
        grid,
        cv=StratifiedKFold(cv, shuffle=True, random_state=seed),
        scoring=scoring,
        n_jobs=n_jobs,
    )


def describe(params):
    if params.get("weighting") == "none":
        return "none"
    return f"{params['weighting']} s={params['strength']:g}"


def clean_learning_accuracy(X, y, X_test, y_test, seed):
    """cleanlab's CleanLearning around the same estimator; None if missing."""
    try:
        from cleanlab.classification import CleanLearning
    except ImportError:
        return None
    model = CleanLearning(
        scaled_lr(), seed=seed, find_label_issues_kwargs={"n_jobs": 1}
    )
    return accuracy_score(y_test, model.fit(X, y).predict(X_test))


def fmt(value, width=8):
    return f"{'n/a':>{width}}" if value is None else f"{value:{width}.4f}"


# -- a) label noise ----------------------------------------------------------


def run_noise(seeds, noises, n_jobs):
    print("a) digits, training labels flipped at random; clean test accuracy")
    print(f"{'noise':>5} {'seed':>4} {'plain':>8} {'cleanlab':>8} {'grid':>8}  chosen")
    for noise in noises:
        rows = []
        for seed in seeds:
            data = load_noisy_digits(noise=noise, random_state=seed)
            X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
            plain = accuracy_score(y_test, scaled_lr().fit(X, y).predict(X_test))
            lab = clean_learning_accuracy(X, y, X_test, y_test, seed)
            with tempfile.TemporaryDirectory() as cache:
                meta = DifficultyWeightedClassifier(
                    scaled_lr(), memory=cache, random_state=seed
                )
                search = grid_search(
                    meta, weighting_grid(NOISE_STRENGTHS), seed, "accuracy", n_jobs
                ).fit(X, y)
                grid = accuracy_score(y_test, search.predict(X_test))
            rows.append([plain, np.nan if lab is None else lab, grid])
            print(
                f"{noise:5.2f} {seed:4d} {fmt(plain)} {fmt(lab)} {fmt(grid)}  "
                f"{describe(search.best_params_)}"
            )
        mean = np.mean(rows, axis=0)
        lab_mean = None if np.isnan(mean[1]) else mean[1]
        print(f"{noise:5.2f} {'mean':>4} {fmt(mean[0])} {fmt(lab_mean)} {fmt(mean[2])}")


# -- b) class imbalance ------------------------------------------------------

IMBALANCE_VARIANTS = {
    # name: (difficulty parameters or None for the default, scale, modes)
    "grid": (None, "rank", MODES),
    "grid r=20": ({"n_repeats": 20}, "rank", MODES),
    "grid brier": ({"loss": "brier"}, "rank", MODES),
    "grid std": (None, "standard", MODES),
    "grid easy": (None, "rank", ["easy_first"]),
}


def imbalance_search(variant, seed, n_jobs, cache):
    difficulty_params, scale, modes = IMBALANCE_VARIANTS[variant]
    difficulty = None
    if difficulty_params is not None:
        difficulty = DifficultyEstimator(
            scaled_lr(), keep_estimators=False, **difficulty_params
        )
    meta = DifficultyWeightedClassifier(
        scaled_lr(),
        difficulty_estimator=difficulty,
        normalize="class",
        memory=cache,
        random_state=seed,
        scale=scale,
    )
    grid = weighting_grid(IMBALANCE_STRENGTHS, modes)
    return grid_search(meta, grid, seed, "balanced_accuracy", n_jobs)


def run_imbalance(seeds, n_jobs, variants):
    print()
    print("b) digits, training class sizes falling tenfold, no noise; clean test")
    print("   balanced accuracy. grid = normalize='class' + mode x strength chosen")
    print("   by 5-fold balanced accuracy ('none' = class balancing alone)")
    names = ["plain", "balanced", "class-none", *variants]
    print(f"{'seed':>4} " + " ".join(f"{n:>10}" for n in names) + "  chosen")
    rows = []
    for seed in seeds:
        data = load_noisy_digits(noise=0.0, imbalance=10, random_state=seed)
        X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        row = [
            balanced_accuracy_score(y_test, scaled_lr().fit(X, y).predict(X_test)),
            balanced_accuracy_score(
                y_test,
                scaled_lr(class_weight="balanced").fit(X, y).predict(X_test),
            ),
        ]
        # normalize="class" with uniform base weights: class balancing through
        # the meta-estimator, the baseline the difficulty must add to.
        none = DifficultyWeightedClassifier(
            scaled_lr(), weighting="none", normalize="class"
        )
        row.append(balanced_accuracy_score(y_test, none.fit(X, y).predict(X_test)))
        chosen = []
        with tempfile.TemporaryDirectory() as cache:
            for variant in variants:
                search = imbalance_search(variant, seed, n_jobs, cache).fit(X, y)
                row.append(balanced_accuracy_score(y_test, search.predict(X_test)))
                chosen.append(describe(search.best_params_))
        rows.append(row)
        print(
            f"{seed:4d} "
            + " ".join(f"{v:10.4f}" for v in row)
            + "  "
            + " | ".join(chosen)
        )
    print(f"{'mean':>4} " + " ".join(f"{v:10.4f}" for v in np.mean(rows, axis=0)))
    return rows


def run_imbalance_fixed(seeds):
    """Test balanced accuracy of each fixed candidate (diagnostic, not a choice)."""
    print()
    print("b') every candidate at fixed settings, mean test balanced accuracy over")
    print("    seeds (a diagnostic of the landscape; never used to choose)")
    candidates = [("none", 0)] + [
        (m, s) for m in ("easy_first", "hard_first") for s in IMBALANCE_STRENGTHS
    ]
    scores = {c: [] for c in candidates}
    for seed in seeds:
        data = load_noisy_digits(noise=0.0, imbalance=10, random_state=seed)
        X, y, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        difficulty = DifficultyEstimator(
            scaled_lr(), keep_estimators=False, random_state=seed
        ).fit(X, y)
        for mode, strength in candidates:
            weights = difficulty_weights(
                difficulty.difficulty_,
                y,
                weighting=mode,
                strength=strength,
                normalize="class",
            )
            model = scaled_lr().fit(X, y, logisticregression__sample_weight=weights)
            scores[(mode, strength)].append(
                balanced_accuracy_score(y_test, model.predict(X_test))
            )
    for (mode, strength), values in scores.items():
        label = "none" if mode == "none" else f"{mode} s={strength:g}"
        print(f"    {label:<20} {np.mean(values):.4f}")


# -- c) grid-cache cost ------------------------------------------------------


def grid_cache_timing(X, y, seed=0, repeats=3, uncached_repeats=1):
    """Median wall times of three whole GridSearchCV runs (refit included).

    ``cached``: 4 modes x 3 strengths with ``memory=`` (a fresh cache per run,
    so the difficulty of each training set is computed once inside it);
    ``single``: one candidate, no cache; ``uncached``: the 12-candidate grid
    without a cache. Runs are interleaved so that load changes hit all alike.
    """
    grid12 = {"weighting": MODES, "strength": [1, 2, 4]}
    grid1 = {"weighting": ["easy_first"], "strength": [1]}
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)

    def run(grid, memory):
        meta = DifficultyWeightedClassifier(
            scaled_lr(), memory=memory, random_state=seed
        )
        start = time.perf_counter()
        GridSearchCV(meta, grid, cv=cv).fit(X, y)
        return time.perf_counter() - start

    times = {"cached": [], "single": [], "uncached": []}
    for i in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            times["cached"].append(run(grid12, cache))
        times["single"].append(run(grid1, None))
        if i < uncached_repeats:
            times["uncached"].append(run(grid12, None))
    ratios = np.array(times["cached"]) / np.array(times["single"])
    return times, ratios


def run_grid_cache(repeats, uncached_repeats):
    print()
    print("c) grid-cache cost, digits (20% noise), 5-fold GridSearchCV with refit,")
    print("   difficulty 5 x 5-fold per training set, one process, interleaved")
    data = load_noisy_digits(noise=0.2, random_state=0)
    times, ratios = grid_cache_timing(
        data.X_train, data.y_train, repeats=repeats, uncached_repeats=uncached_repeats
    )
    single = np.median(times["single"])
    print(f"{'run':<34} {'median s':>9} {'x single':>9}")
    for name, label in [
        ("single", "1 candidate (no cache)"),
        ("cached", "12 candidates, memory= cache"),
        ("uncached", "12 candidates, no cache"),
    ]:
        median = np.median(times[name])
        print(f"{label:<34} {median:9.2f} {median / single:9.2f}")
    print(
        f"median of per-repeat ratios cached/single: {np.median(ratios):.2f} "
        f"(repeats: {', '.join(f'{r:.2f}' for r in ratios)})"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="+", default=["a", "b", "c"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.2, 0.4])
    parser.add_argument(
        "--variants",
        nargs="+",
        default=list(IMBALANCE_VARIANTS),
        choices=list(IMBALANCE_VARIANTS),
    )
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--timing-repeats", type=int, default=3)
    parser.add_argument("--uncached-repeats", type=int, default=1)
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore", category=UserWarning)
    with threadpool_limits(1):
        if "a" in args.parts:
            run_noise(args.seeds, args.noise, args.n_jobs)
        if "b" in args.parts:
            run_imbalance(args.seeds, args.n_jobs, args.variants)
            run_imbalance_fixed(args.seeds)
        if "c" in args.parts:
            run_grid_cache(args.timing_repeats, args.uncached_repeats)


if __name__ == "__main__":
    main()
