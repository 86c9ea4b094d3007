"""How well difficulty finds wrong labels, against plain cross-validated confidence.

On the training part of ``load_digits`` with a share of labels flipped at
random, rank the samples by difficulty (scaled logistic regression, 5 x 5
folds) and by the self-confidence of one 5-fold cross-validation (1 - p_y,
what cleanlab's ``get_label_quality_scores`` ranks by default), and print the
AUROC with which each finds the flipped labels.

Run: ``python benchmarks/bench_noise_detection.py [--seeds 0 1 2] [--n-jobs 2]``
"""

import argparse

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import DifficultyEstimator
from skdifficulty.datasets import load_noisy_digits


def scaled_logistic_regression():
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))


def self_confidence(X, y, seed):
    """1 - p_y from one 5-fold cross-validation."""
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(
        scaled_logistic_regression(), X, y, cv=cv, method="predict_proba"
    )
    return 1.0 - proba[np.arange(len(y)), y]


def cleanlab_scores(X, y, seed):
    """cleanlab's label quality on the same 5-fold probabilities, if installed."""
    try:
        from cleanlab.rank import get_label_quality_scores
    except ImportError:
        return None
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(
        scaled_logistic_regression(), X, y, cv=cv, method="predict_proba"
    )
    return 1.0 - get_label_quality_scores(y, proba)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, nargs="+", default=[0.2, 0.4])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--n-jobs", type=int, default=None)
    args = parser.parse_args(argv)

    print(
        f"{'noise':>5} {'seed':>4} {'difficulty':>10} {'self-conf':>9} {'cleanlab':>8}"
    )
    for noise in args.noise:
        rows = []
        for seed in args.seeds:
            data = load_noisy_digits(noise=noise, random_state=seed)
            X, y, flipped = data.X_train, data.y_train, data.flipped
            difficulty = DifficultyEstimator(
                scaled_logistic_regression(),
                cv=5,
                n_repeats=5,
                n_jobs=args.n_jobs,
                random_state=seed,
            ).fit(X, y)
            row = [
                roc_auc_score(flipped, difficulty.difficulty_),
                roc_auc_score(flipped, self_confidence(X, y, seed)),
            ]
            lab = cleanlab_scores(X, y, seed)
            row.append(np.nan if lab is None else roc_auc_score(flipped, lab))
            rows.append(row)
            print(f"{noise:5.2f} {seed:4d} {row[0]:10.4f} {row[1]:9.4f} {row[2]:8.4f}")
        mean = np.mean(rows, axis=0)
        print(f"{noise:5.2f} {'mean':>4} {mean[0]:10.4f} {mean[1]:9.4f} {mean[2]:8.4f}")


if __name__ == "__main__":
    main()
