"""Input checks shared by the estimators."""

import sys

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, column_or_1d


def check_features(X, *, min_samples=2):
    """Check the shape of ``X``, without converting a DataFrame.

    A DataFrame stays a DataFrame so that a wrapped ColumnTransformer can
    still select columns by name; other input becomes an array or a sparse
    matrix. Missing and infinite values are left for the wrapped estimator to
    accept (an imputing Pipeline) or refuse: its error names the problem.
    """
    if is_dataframe(X):
        return X
    return check_array(
        X,
        accept_sparse=["csr", "csc"],
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=min_samples,
        input_name="X",
    )


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame (without importing pandas)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(X, pandas.DataFrame)


def check_class_labels(y):
    """Validate classification targets; return ``(classes, y_encoded)``."""
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y has a single class ({classes.tolist()[0]!r}); difficulty needs at "
            "least two classes."
        )
    return classes, y_encoded


def check_regression_targets(y):
    """Validate regression targets as a finite float vector."""
    y = column_or_1d(y, warn=True)
    return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")


def check_weights(sample_weight, n_samples):
    """Validated float copy of user weights: finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    sample_weight = _check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True, copy=True
    )
    # Older scikit-learn accepts all-zero weights, which leave nothing to fit.
    if not np.any(sample_weight):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight
