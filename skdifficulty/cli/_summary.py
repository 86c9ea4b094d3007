"""What the commands print alike: the model in words, the flagged rows per
class, the sentence that says how many rows were flagged, and what to do
next."""

import numpy as np

from ._io import require_pandas


def model_name(name, task):
    """What ``--estimator name`` fits, in words."""
    if name == "logistic":
        linear = "logistic" if task == "classification" else "ridge"
        return f"a scaled {linear} regression"
    return {"forest": "a random forest", "hgb": "histogram gradient boosting"}[name]


def percent(part, whole):
    return f"{part / whole:.1%}" if whole else "-"


def flag_sentence(table, task, rule, *, number=str):
    """``"flagged N rows (share) as <what>: <rule>"``; ``number`` formats N
    (for the HTML report: in bold)."""
    n_rows, n_flagged = len(table), int(table["flagged"].sum())
    what = "possibly mislabeled" if task == "classification" else "outliers"
    share = percent(n_flagged, n_rows)
    return f"flagged {number(n_flagged)} rows ({share}) as {what}: {rule}"


def class_counts(table):
    """Rows, flagged rows and their share per given label, then in all.

    A DataFrame with one row per class (labels as text, in sorted order) and
    a last row, "all", for the whole file.
    """
    pandas = require_pandas("Scoring a data file")
    groups = table.groupby("given_label", sort=True)["flagged"]
    labels = [str(label) for label in groups.size().index]
    rows = [*groups.size().to_numpy(), len(table)]
    flagged = [*groups.sum().to_numpy(), int(table["flagged"].sum())]
    return pandas.DataFrame(
        {
            "class": [*labels, "all"],
            "rows": np.array(rows, dtype=np.int64),
            "flagged": np.array(flagged, dtype=np.int64),
            "share": [percent(f, n) for f, n in zip(flagged, rows, strict=True)],
        }
    )


def next_step(task, where=None):
    """What to do with the flagged rows, in one line; ``where`` is the file
    to open for them, if any."""
    opener = f"open {where}, " if where else ""
    if task == "classification":
        return (
            f"next: {opener}check the flagged rows hardest first (difficulty_rank), "
            "correct the wrong labels and score again; or train with "
            "DifficultyWeightedClassifier to give them little weight."
        )
    return (
        f"next: {opener}check the flagged targets hardest first (difficulty_rank), "
        "correct or drop the wrong ones and score again; or train with "
        "DifficultyWeightedRegressor and a robust scorer."
    )
