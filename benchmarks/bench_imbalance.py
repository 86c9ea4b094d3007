"""Difficulty weighting against ``class_weight="balanced"`` on imbalanced digits.

Data: the digits images, a stratified train/test split, training class sizes
falling tenfold from digit 0 to digit 9 (``load_noisy_digits(noise=0,
imbalance=10)``), no label noise. Model: a scaled logistic regression with
inverse regularization ``C``. Score: balanced accuracy on the clean,
stratified (so nearly balanced) test part.

Methods:

- ``plain``: the model as is;
- ``balanced``: ``class_weight="balanced"``;
- ``class-none``: ``difficulty_weights(weighting="none", normalize="class")``,
  which must equal ``balanced``: a check of the harness;
- searches: every candidate weights the samples by difficulty and then
  balances the classes (``normalize="class"``). A search is a subset of the
  candidates below, plus ``"none"`` (class balancing alone) always, so that it
  can fall back to ``balanced``.

Candidates vary in

- the difficulty: held-out log loss of the plain model, or of a
  ``class_weight="balanced"`` model (``DifficultyEstimator``, repeated
  stratified 5-fold);
- the ranks: pooled over all training samples (the built-in modes), or taken
  within each class (a callable ``weighting``), so that a rare class is not
  ranked as hard as a whole;
- the mode (easy_first, hard_first, medium_first, two_ends) and the strength.

Protocol. For each seed, the training part is split by stratified K-fold
(``--inner-cv``). In every inner training fold the difficulty is computed
afresh from that fold alone, every candidate is fitted on the fold, and it is
scored by balanced accuracy on the inner validation fold. A search picks the
candidate with the best mean inner score; ties go to ``"none"``, then to the
first candidate in grid order. The test part is never used to choose. The
chosen candidate is then scored on the test part after refitting on the whole
training part (difficulty again recomputed from it). Every number compares
with ``balanced`` on the same seed: wins/ties/losses count seeds.

Candidate names read ``source/ranks/mode/strength``: ``P`` or ``B`` for
difficulty by the plain or the balanced model, ``pool`` or ``cls`` for pooled
or per-class ranks (``B/cls/hard/0.5``).

The last lines of each table are diagnostics that are never used to choose:
the inner gap between the best candidate and ``"none"`` against the
fold-to-fold spread of ``"none"``, and the candidates with the best mean test
score at fixed settings (a look at the landscape in hindsight).

Run: ``python benchmarks/bench_imbalance.py [--C 1 0.01] [--seeds 0 1 2]
[--n-repeats 3] [--inner-cv 5] [--n-jobs 1] [--quick]``
"""

import argparse
import time
import warnings
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skdifficulty import (
    DifficultyEstimator,
    difficulty_weights,
    easy_first,
    hard_first,
    medium_first,
    two_ends,
)
from skdifficulty.datasets import load_noisy_digits

SCHEMES = {
    "easy_first": easy_first,
    "hard_first": hard_first,
    "medium_first": medium_first,
    "two_ends": two_ends,
}
STRENGTHS = [0.25, 0.5, 1, 2, 4]
QUICK_STRENGTHS = [0.5, 2]
# difficulty sources: extra parameters of the model that measures it
SOURCES = {"plain": {}, "balanced": {"class_weight": "balanced"}}
TOP_FIXED = 8


def scaled_lr(C, **params):
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, max_iter=1000, **params)
    )


def per_class(mode):
    """A weighting callable that ranks the difficulty within each class."""

    def weighting(difficulty, y):
        w = np.empty_like(difficulty)
        for label in np.unique(y):
            members = y == label
            w[members] = SCHEMES[mode](difficulty[members])
        return w

    weighting.__name__ = f"per_class_{mode}"
    return weighting


class Candidate(NamedTuple):
    source: str  # which model measured the difficulty; unused by "none"
    ranks: str  # "pooled" or "class"
    mode: str
    strength: float

    @property
    def name(self):
        if self.mode == "none":
            return "none"
        source = "P" if self.source == "plain" else "B"
        ranks = "pool" if self.ranks == "pooled" else "cls"
        mode = self.mode.replace("_first", "").replace("two_ends", "two")
        return f"{source}/{ranks}/{mode}/{self.strength:g}"

    def weights(self, difficulty, y):
        weighting = per_class(self.mode) if self.ranks == "class" else self.mode
        return difficulty_weights(
            difficulty[self.source],
            y,
            weighting=weighting,
            strength=self.strength,
            normalize="class",
        )


def candidates(strengths):
    out = [Candidate("plain", "pooled", "none", 1.0)]
    for source in SOURCES:
        for ranks in ("pooled", "class"):
            for mode in SCHEMES:
                out += [Candidate(source, ranks, mode, s) for s in strengths]
    return out


# Each search: a name and the candidates it may choose besides "none".
SEARCHES = {
    "pooled, all modes": lambda c: c.source == "plain" and c.ranks == "pooled",
    "class ranks, all modes": lambda c: c.source == "plain" and c.ranks == "class",
    "class ranks, easy": lambda c: (
        c.source == "plain" and c.ranks == "class" and c.mode == "easy_first"
    ),
    "pooled, hard/med s<=1": lambda c: (
        c.source == "plain"
        and c.ranks == "pooled"
        and c.mode in ("hard_first", "medium_first")
        and c.strength <= 1
    ),
    "class ranks, hard/med s<=1": lambda c: (
        c.source == "plain"
        and c.ranks == "class"
        and c.mode in ("hard_first", "medium_first")
        and c.strength <= 1
    ),
    "bal-diff, pooled": lambda c: c.source == "balanced" and c.ranks == "pooled",
    "bal-diff, class ranks": lambda c: c.source == "balanced" and c.ranks == "class",
    "everything": lambda c: True,
}


def difficulties(X, y, C, n_repeats, seed):
    """Held-out log loss of each training sample, per difficulty source."""
    out = {}
    for source, params in SOURCES.items():
        estimator = DifficultyEstimator(
            scaled_lr(C, **params), cv=5, n_repeats=n_repeats, random_state=seed
        )
        out[source] = estimator.fit(X, y).difficulty_
    return out


def score_all(X, y, X_val, y_val, cands, C, n_repeats, seed):
    """Balanced accuracy on (X_val, y_val) of every method fitted on (X, y)."""
    difficulty = difficulties(X, y, C, n_repeats, seed)
    scores = {}
    for cand in cands:
        w = cand.weights(difficulty, y)
        model = scaled_lr(C).fit(X, y, logisticregression__sample_weight=w)
        scores[cand.name] = balanced_accuracy_score(y_val, model.predict(X_val))
    for method, params in (("plain", {}), ("balanced", SOURCES["balanced"])):
        model = scaled_lr(C, **params).fit(X, y)
        scores[method] = balanced_accuracy_score(y_val, model.predict(X_val))
    return scores


def run_seed(seed, C, cands, args):
    """Inner-CV scores (mean and spread over folds) and test scores of one seed."""
    # tiny rare classes in the inner folds make a few fits stop at max_iter
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    with threadpool_limits(1):  # a spinning multi-threaded BLAS is far slower
        data = load_noisy_digits(noise=0.0, imbalance=args.imbalance, random_state=seed)
        X, y = data.X_train, data.y_train
        inner = StratifiedKFold(args.inner_cv, shuffle=True, random_state=seed)
        folds = [
            score_all(X[tr], y[tr], X[va], y[va], cands, C, args.n_repeats, seed)
            for tr, va in inner.split(X, y)
        ]
        test = score_all(X, y, data.X_test, data.y_test, cands, C, args.n_repeats, seed)
    names = list(folds[0])
    return {
        "seed": seed,
        "inner": {n: np.mean([f[n] for f in folds]) for n in names},
        "inner_sd": {n: np.std([f[n] for f in folds]) for n in names},
        "test": test,
    }


def choose(inner, allowed):
    """Best mean inner score among ``allowed``; ties go to "none", then order."""
    return max(allowed, key=lambda name: (inner[name], name == "none"))


def row(label, values, reference, extra=""):
    diff = values - reference
    wins, losses = int((diff > 1e-9).sum()), int((diff < -1e-9).sum())
    ties = len(diff) - wins - losses
    per_seed = " ".join(f"{v:.3f}" for v in values)
    print(
        f"{label:<27} {values.mean():7.4f} {diff.mean():+8.4f} "
        f"{wins:>3}/{ties}/{losses:<3} {per_seed}{extra}"
    )


def report(C, results, cands):
    seeds = [r["seed"] for r in results]
    test = {n: np.array([r["test"][n] for r in results]) for n in results[0]["test"]}
    balanced = test["balanced"]
    print(f"\nC={C:g}, seeds {' '.join(map(str, seeds))}: clean test balanced accuracy")
    print(f"{'method':<27} {'mean':>7} {'vs bal':>8} {'W/T/L':>7} per seed")
    row("plain", test["plain"], balanced)
    row("balanced", balanced, balanced)
    row("class-none", test["none"], balanced)
    for search, keep in SEARCHES.items():
        allowed = [c.name for c in cands if c.mode == "none" or keep(c)]
        chosen = [choose(r["inner"], allowed) for r in results]
        values = np.array([r["test"][n] for r, n in zip(results, chosen, strict=True)])
        row(search, values, balanced)
        print(f"{'':<27} chosen: {', '.join(chosen)}")

    gaps = [
        max(r["inner"][c.name] for c in cands) - r["inner"]["none"] for r in results
    ]
    spread = np.mean([r["inner_sd"]["none"] for r in results])
    print(
        f"diagnostic: inner best candidate minus 'none' {np.mean(gaps):.4f} "
        f"(mean over seeds); fold-to-fold SD of 'none' {spread:.4f}"
    )
    print("diagnostic, fixed candidates by mean test score (hindsight, not a choice):")
    fixed = sorted((c.name for c in cands), key=lambda n: -test[n].mean())
    for name in fixed[:TOP_FIXED]:
        diff = test[name] - balanced
        print(
            f"   {name:<22} {test[name].mean():.4f} {diff.mean():+.4f} "
            f"W/L {(diff > 1e-9).sum()}/{(diff < -1e-9).sum()}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--C", type=float, nargs="+", default=[1.0])
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--n-repeats", type=int, default=None)
    parser.add_argument("--inner-cv", type=int, default=None)
    parser.add_argument("--imbalance", type=float, default=10.0)
    parser.add_argument("--n-jobs", type=int, default=1, help="seeds in parallel")
    parser.add_argument(
        "--quick", action="store_true", help="2 seeds, strengths 0.5 and 2, 3 folds"
    )
    args = parser.parse_args(argv)
    # --quick only changes what was not given explicitly
    quick = {"seeds": [0, 1], "n_repeats": 2, "inner_cv": 3}
    full = {"seeds": [0, 1, 2, 3, 4], "n_repeats": 3, "inner_cv": 5}
    for key, value in (quick if args.quick else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    cands = candidates(QUICK_STRENGTHS if args.quick else STRENGTHS)

    print(
        f"digits, imbalance {args.imbalance:g}, no noise; {len(cands)} candidates; "
        f"difficulty {args.n_repeats} x 5-fold; {args.inner_cv}-fold inner CV"
    )
    start = time.perf_counter()
    for C in args.C:
        results = Parallel(n_jobs=args.n_jobs)(
            delayed(run_seed)(seed, C, cands, args) for seed in args.seeds
        )
        report(C, results, cands)
    print(f"\ntotal wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
