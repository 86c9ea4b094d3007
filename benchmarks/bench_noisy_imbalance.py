"""Class-normalized difficulty weighting with label noise and class imbalance together.

Every cell imbalances the training part (class sizes falling tenfold), then
flips a share of its labels (symmetric or pair noise, every class at the same
rate, so the rare classes receive many majority-class samples with their
label); the test part is clean and stratified. Extra cells without noise or
imbalance check that the weighting costs nothing on clean, balanced data.

Data sets: digits, wine, breast cancer (shipped with scikit-learn) and
``synth``, an overlapping 4-class ``make_classification`` problem (20
features, 8 informative, ``class_sep=1``), where even a model trained on the
clean labels reaches a balanced accuracy below 0.6.

Methods, all around ``StandardScaler`` + ``LogisticRegression``:

- ``plain``; ``balanced``: ``class_weight="balanced"``;
- ``cleanlab``: cleanlab's ``CleanLearning`` around the balanced model
  ("n/a" without cleanlab);
- one ``GridSearchCV`` over ``DifficultyWeightedClassifier(normalize="class")``
  (5-fold, balanced accuracy on the noisy labels, cached difficulty 3 x 5),
  whose candidates are every mode at strengths 1 and 4, the cut-off modes
  with ``cutoff`` "noise" (confident learning) and "mixture", and "none"
  (class balancing alone). The search scores every candidate twice: on the
  noisy labels, and with ``make_clean_scorer(balanced_accuracy_score)``,
  which leaves out the validation samples whose held-out difficulty (from the
  candidate's own resampled models, trained on the training folds) is
  beyond its class's "mad" cut-off. From the noisy fold scores, five choices:

  - ``all``: the best mean score over every candidate;
  - ``all-1se``: ``BaselineRefit()`` over every candidate;
  - ``down-1se``: ``BaselineRefit()`` over the modes that never raise a hard
    sample's weight (easy_first, medium_first and the cut-off modes);
  - ``cut``: the best mean score over the cut-off modes and "none";
  - ``cut-1se``: ``BaselineRefit()`` over the same;

  and from the clean fold scores, two:

  - ``clean``: the best mean clean score over every candidate;
  - ``clean-1se``: ``BaselineRefit(metric="clean")`` over every candidate.

The summary gives each method's mean balanced accuracy over the noisy cells,
per data set, and the cells it loses to ``balanced`` by more than two standard
errors (paired over seeds). ``--diagnose`` prints, for one cell, what decides
the outcome: each class's size and share of wrong labels, how well the
difficulty ranks the wrong labels within each class, and for every candidate
its inner-CV score (on the noisy labels) next to its clean test score.

``--source validation`` and ``--cutoff`` change the clean scorer (see
:func:`skdifficulty.make_clean_scorer`).

Run: ``python benchmarks/bench_noisy_imbalance.py [--quick] [--seeds 0 1 2]
[--datasets digits wine cancer synth] [--diagnose synth] [--n-jobs 1]
[--source difficulty] [--cutoff mad]``
"""

import argparse
import tempfile
import time
import warnings

import numpy as np

# The data sets and the estimator of the quality benchmark, by the same names.
from bench_quality import DATASETS, scaled_lr  # noqa: E402
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from threadpoolctl import threadpool_limits

from skdifficulty import (
    BaselineRefit,
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    make_clean_scorer,
)
from skdifficulty.datasets import flip_labels, make_imbalance

RANK = ["easy_first", "hard_first", "medium_first", "two_ends"]
CUT = ["huber", "tukey", "trim"]
DOWN = {"easy_first", "medium_first", *CUT, "none"}
NOISES = [("sym", 0.2), ("pair", 0.2), ("sym", 0.4)]
KINDS = {"sym": "symmetric", "pair": "pair"}
METHODS = [
    "plain",
    "balanced",
    "cleanlab",
    "all",
    "all-1se",
    "down-1se",
    "cut",
    "cut-1se",
    "clean",
    "clean-1se",
]
CHOICES = METHODS[3:]


def make_cell(name, noise, imbalance, seed):
    """Clean test part; training part imbalanced, then flipped."""
    X, y = DATASETS[name]()
    rng = np.random.RandomState(seed)
    split_seed, imbalance_seed, flip_seed = rng.randint(2**31 - 1, size=3)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=split_seed
    )
    if imbalance > 1:
        X_train, y_train, _ = make_imbalance(
            X_train, y_train, ratio=imbalance, random_state=imbalance_seed
        )
    flipped = np.zeros(y_train.shape[0], dtype=bool)
    kind, rate = noise
    if rate > 0:
        y_train, flipped = flip_labels(
            y_train, rate=rate, kind=KINDS[kind], random_state=flip_seed
        )
    return X_train, y_train, X_test, y_test, flipped


def grid():
    return [
        {"weighting": ["none"]},
        {"weighting": RANK, "strength": [1, 4]},
        {"weighting": CUT, "strength": [1, 4], "cutoff": ["noise", "mixture"]},
    ]


def search(seed, cache, n_jobs, clean):
    # The clean scorer's default source reads the difficulty's resampled models.
    difficulty = DifficultyEstimator(scaled_lr(), n_repeats=3, keep_estimators=True)
    meta = DifficultyWeightedClassifier(
        scaled_lr(),
        difficulty_estimator=difficulty,
        normalize="class",
        memory=cache,
        random_state=seed,
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    scoring = {"noisy": "balanced_accuracy", "clean": clean}
    return GridSearchCV(
        meta, grid(), cv=cv, scoring=scoring, refit=False, n_jobs=n_jobs
    )


def subset(cv_results, keep):
    """The rows ``keep`` of a search's cv_results (for a choice among them)."""
    keep = np.asarray(keep)
    return {
        k: ([v[i] for i in keep] if k == "params" else np.asarray(v)[keep])
        for k, v in cv_results.items()
        if k == "params" or k.startswith(("split", "mean_test", "std_test"))
    }


def choose(cv_results, modes, rule, metric):
    """Index of the candidate a rule picks among the candidates of ``modes``."""
    params = cv_results["params"]
    keep = [i for i, p in enumerate(params) if modes is None or p["weighting"] in modes]
    sub = subset(cv_results, keep)
    if rule == "best":
        local = int(np.nanargmax(sub[f"mean_test_{metric}"]))
    else:
        local = BaselineRefit(metric=metric)(sub)
    return keep[local]


CHOICE_RULES = {
    "all": (None, "best", "noisy"),
    "all-1se": (None, "1se", "noisy"),
    "down-1se": (DOWN, "1se", "noisy"),
    "cut": ({*CUT, "none"}, "best", "noisy"),
    "cut-1se": ({*CUT, "none"}, "1se", "noisy"),
    "clean": (None, "best", "clean"),
    "clean-1se": (None, "1se", "clean"),
}


def describe(params):
    mode = params["weighting"]
    if mode == "none":
        return "none"
    cutoff = f"/{params['cutoff']}" if mode in CUT else ""
    return f"{mode}/{params['strength']:g}{cutoff}"


def clean_learning(seed):
    try:
        from cleanlab.classification import CleanLearning
    except ImportError:
        return None
    return CleanLearning(
        scaled_lr(class_weight="balanced"),
        seed=seed,
        find_label_issues_kwargs={"n_jobs": 1},
    )


def run_cell(name, noise, imbalance, seed, n_jobs, clean):
    X, y, X_test, y_test, _ = make_cell(name, noise, imbalance, seed)
    scores, chosen = {}, {}

    def bal(model):
        return balanced_accuracy_score(y_test, model.predict(X_test))

    scores["plain"] = bal(scaled_lr().fit(X, y))
    scores["balanced"] = bal(scaled_lr(class_weight="balanced").fit(X, y))
    lab = clean_learning(seed)
    try:
        scores["cleanlab"] = None if lab is None else bal(lab.fit(X, y))
    except Exception as error:  # tiny classes can break its noise estimate
        print(f"      cleanlab failed: {type(error).__name__}: {error}")
        scores["cleanlab"] = None
    with tempfile.TemporaryDirectory() as cache:
        found = search(seed, cache, n_jobs, clean).fit(X, y)
        fitted = {}
        for method, (modes, rule, metric) in CHOICE_RULES.items():
            index = choose(found.cv_results_, modes, rule, metric)
            if index not in fitted:  # the refit reads the cached difficulty
                params = found.cv_results_["params"][index]
                fitted[index] = clone(found.estimator).set_params(**params).fit(X, y)
            scores[method] = bal(fitted[index])
            chosen[method] = describe(found.cv_results_["params"][index])
    return scores, chosen


def diagnose(name, noise, imbalance, seed, clean):
    """What decides a cell: noise per class, its detection, and the selection."""
    X, y, X_test, y_test, flipped = make_cell(name, noise, imbalance, seed)
    print(
        f"\n-- diagnosis: {name}, {noise[0]} {noise[1]:.0%}, imbalance "
        f"{imbalance}, seed {seed}"
    )
    difficulty = DifficultyEstimator(
        scaled_lr(), n_repeats=3, random_state=seed, keep_estimators=False
    ).fit(X, y)
    d = difficulty.difficulty_
    print("   class  size  wrong  AUROC(wrong | class)  median difficulty clean/wrong")
    for k in np.unique(y):
        members = y == k
        wrong = flipped[members]
        auc = roc_auc_score(wrong, d[members]) if 0 < wrong.mean() < 1 else np.nan
        medians = (
            np.median(d[members & ~flipped]),
            np.median(d[members & flipped]) if wrong.any() else np.nan,
        )
        print(
            f"   {k!s:>5} {members.sum():5d} {wrong.mean():6.2f} {auc:21.2f}"
            f"   {medians[0]:6.2f} / {medians[1]:.2f}"
        )
    print(f"   all wrong labels: AUROC {roc_auc_score(flipped, d):.3f}")
    oracle = scaled_lr(class_weight="balanced").fit(X[~flipped], y[~flipped])
    print(
        "   balanced model on the clean training labels only (oracle): "
        f"{balanced_accuracy_score(y_test, oracle.predict(X_test)):.3f}"
    )
    with tempfile.TemporaryDirectory() as cache:
        found = search(seed, cache, None, clean).fit(X, y)
        res = found.cv_results_
        test = []
        for params in res["params"]:
            model = clone(found.estimator).set_params(**params).fit(X, y)
            test.append(balanced_accuracy_score(y_test, model.predict(X_test)))
    inner, inner_clean = res["mean_test_noisy"], res["mean_test_clean"]
    print("   candidate          inner CV: noisy    clean scorer   clean test")
    for i in np.argsort(-inner):
        print(
            f"   {describe(res['params'][i]):<24} {inner[i]:8.3f} "
            f"{inner_clean[i]:14.3f} {test[i]:12.3f}"
        )
    for label, scores in (("noisy", inner), ("clean scorer", inner_clean)):
        rho = spearmanr(scores, test).statistic
        print(f"   rank correlation of inner-CV ({label}) and clean test: {rho:.2f}")


def cells(names, quick):
    for name in names:
        noises = NOISES[:1] if quick else NOISES
        for noise in noises:
            if noise[0] == "pair" and name == "cancer":
                continue  # binary: pair noise is symmetric noise
            yield name, noise, 10
        yield name, ("none", 0.0), 1


def fmt(value):
    return f"{'n/a':>8}" if value is None else f"{value:8.3f}"


def summarize(results):
    noisy = [r for r in results if r["noise"] != "none 0%"]
    clean = [r for r in results if r["noise"] == "none 0%"]
    for title, rows in (("noisy, imbalanced cells", noisy), ("clean, balanced", clean)):
        if not rows:
            continue
        print(f"\n{title}: mean balanced accuracy (n/a cells left out)")
        names = sorted({r["name"] for r in rows}, key=list(DATASETS).index)
        print(
            f"  {'method':<9}{'all':>8}"
            + "".join(f"{n:>8}" for n in names)
            + "   vs balanced: W/T/L, cells lost by > 2 se"
        )
        for method in METHODS:
            line = f"  {method:<9}"
            for group in [None, *names]:
                values = [
                    r["scores"][method]
                    for r in rows
                    if (group is None or r["name"] == group)
                    and r["scores"][method] is not None
                ]
                line += fmt(np.mean(values) if values else None)
            line += "   " + losses(rows, method)
            print(line)


def losses(rows, method):
    """W/T/L against balanced over all rows, and (data, noise) cells lost."""
    wins = ties = lost = 0
    by_cell = {}
    for r in rows:
        ours, base = r["scores"][method], r["scores"]["balanced"]
        if ours is None:
            continue
        wins += ours > base
        ties += ours == base
        lost += ours < base
        by_cell.setdefault((r["name"], r["noise"]), []).append(ours - base)
    bad = []
    for (name, noise), gains in by_cell.items():
        gains = np.array(gains)
        se = gains.std(ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else 0.0
        if gains.mean() < -2 * se and gains.mean() < 0:
            bad.append(f"{name} {noise} ({gains.mean():+.3f})")
    return f"{wins}/{ties}/{lost}  " + (", ".join(bad) if bad else "none")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--diagnose", nargs="*", default=None)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument(
        "--source", choices=["difficulty", "validation"], default="difficulty"
    )
    parser.add_argument("--cutoff", default="mad")
    args = parser.parse_args(argv)
    cutoff = args.cutoff
    if cutoff not in ("mad", "mixture", "noise"):
        cutoff = float(cutoff)
    clean = make_clean_scorer(
        balanced_accuracy_score, source=args.source, cutoff=cutoff
    )
    warnings.filterwarnings("ignore")  # tiny imbalanced classes warn in every fold
    start = time.perf_counter()
    with threadpool_limits(1):
        if args.diagnose is not None:
            for name in args.diagnose or ["synth", "digits"]:
                for noise in NOISES[:2]:
                    diagnose(name, noise, 10, args.seeds[0], clean)
            print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")
            return
        print(
            f"{'data':<7}{'noise':<9}{'imb':>4}{'seed':>5}"
            + "".join(f"{m:>10}" for m in METHODS)
            + "  choices: "
            + " | ".join(CHOICES)
        )
        results = []
        for name, noise, imbalance in cells(args.datasets, args.quick):
            label = f"{noise[0]} {noise[1]:.0%}"
            for seed in args.seeds:
                scores, chosen = run_cell(
                    name, noise, imbalance, seed, args.n_jobs, clean
                )
                results.append({"name": name, "noise": label, "scores": scores})
                print(
                    f"{name:<7}{label:<9}{imbalance:>4}{seed:>5}"
                    + "".join(f"{fmt(scores[m]):>10}" for m in METHODS)
                    + "  "
                    + " | ".join(chosen[m] for m in CHOICES),
                    flush=True,
                )
        summarize(results)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
