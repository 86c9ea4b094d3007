"""Which rows should ``score`` flag? Two rules from the confident joint, measured.

Flips a share of the labels of four scikit-learn data sets (5, 10, 20 and 30%,
three seeds each), measures the difficulty with the default estimator (a
scaled logistic regression, 5 folds x 2 repeats), and compares how well two
rules find the flipped labels:

- "hardest": the hardest rows, as many as the share of wrong labels that the
  calibrated confident joint estimates (what ``score`` and
  ``difficulty_table`` do);
- "off-diagonal": the rows that the confident joint counts off its diagonal
  (confident learning's own pick, computed here from the held-out
  probabilities).

A random flag of the same size has a precision equal to the noise share. The
last column is the share of flipped rows whose suggested label is the true
one.

Then the regression rule (residuals more than 3.5 robust standard deviations
from their median) on scikit-learn's diabetes data with 5 to 30% of the
targets moved by 3 to 6 standard deviations, up or down (the data of
``skdifficulty demo --task regression``), with a scaled ridge regression.

Run from the repository root (about ten minutes on two cores):

    python benchmarks/bench_flags.py
"""

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdifficulty import DifficultyEstimator, difficulty_table
from skdifficulty.datasets import flip_labels, load_contaminated_diabetes

DATA = {
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "iris": load_iris,
    "wine": load_wine,
}
RATES = (0.05, 0.1, 0.2, 0.3)
SEEDS = (0, 1, 2)


def off_diagonal_rows(proba, codes):
    """The rows the confident joint counts off its diagonal: labelled i, but
    whose most probable class among those at or above their threshold (the
    mean probability of the class over the rows labelled with it) is j != i."""
    thresholds = np.array(
        [proba[codes == j, j].mean() for j in range(proba.shape[1])]
    )
    confident = proba >= thresholds
    cell = np.where(confident, proba, -np.inf).argmax(axis=1)
    return confident.any(axis=1) & (cell != codes)


def precision_recall_f1(flagged, truth):
    hits = np.sum(flagged & truth)
    precision = hits / max(flagged.sum(), 1)
    recall = hits / truth.sum()
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return precision, recall, f1


def measure(name, load, rate, seed):
    X, y = load(return_X_y=True)
    y_noisy, flipped = flip_labels(y, rate=rate, random_state=seed)
    estimator = DifficultyEstimator(n_repeats=2, random_state=seed).fit(X, y_noisy)
    table = difficulty_table(estimator, y_noisy, as_frame=False)
    codes = np.searchsorted(estimator.classes_, y_noisy)
    off_diagonal = off_diagonal_rows(estimator.heldout_proba_, codes)
    row = {"data": name, "noise": rate, "seed": seed}
    row["estimated noise"] = table["flagged"].mean()
    rules = {"hardest": table["flagged"], "off-diagonal": off_diagonal}
    for rule, flagged in rules.items():
        scores = precision_recall_f1(flagged, flipped)
        for metric, value in zip(("precision", "recall", "F1"), scores, strict=True):
            row[f"{rule} {metric}"] = value
    suggested = table["suggested_label"][flipped]
    row["suggested = true"] = np.mean(suggested == y[flipped])
    return row


def measure_regression(rate, seed):
    data = load_contaminated_diabetes(noise=rate, kind="two-sided", random_state=seed)
    ridge = make_pipeline(StandardScaler(), Ridge())
    estimator = DifficultyEstimator(ridge, n_repeats=2, random_state=seed)
    estimator.fit(data.X_train, data.y_train)
    flagged = difficulty_table(estimator, data.y_train, as_frame=False)["flagged"]
    precision, recall, f1 = precision_recall_f1(flagged, data.flipped)
    return {
        "contamination": rate,
        "flagged share": flagged.mean(),
        "precision": precision,
        "recall": recall,
        "F1": f1,
    }


def main():
    rows = [
        measure(name, load, rate, seed)
        for name, load in DATA.items()
        for rate in RATES
        for seed in SEEDS
    ]
    results = pd.DataFrame(rows).drop(columns="seed")
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    print("mean over noise shares and seeds, per data set:")
    print(results.drop(columns="noise").groupby("data").mean().round(2))
    print("\nmean over data sets and seeds, per noise share:")
    print(results.drop(columns="data").groupby("noise").mean().round(2))
    print("\nmean over everything:")
    print(results.drop(columns=["data", "noise"]).mean().round(2).to_string())

    regression = pd.DataFrame(
        [measure_regression(rate, seed) for rate in RATES for seed in SEEDS]
    )
    print("\nregression, diabetes, mean over seeds:")
    print(regression.groupby("contamination").mean().round(2))


if __name__ == "__main__":
    main()
