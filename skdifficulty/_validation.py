"""Input checks shared by the estimators."""

import sys

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import check_sample_weight


def check_features(X, *, min_samples=2):
    """Check the shape of ``X``, without converting a DataFrame.

    A DataFrame (see :func:`is_dataframe`) stays a DataFrame, as scikit-learn
    keeps it: a wrapped ColumnTransformer can still select columns by name,
    and ``validate_data(..., skip_check_array=True)`` records and checks the
    column names. Other input becomes an array or a sparse matrix. Missing and
    infinite values are left for the wrapped estimator to accept (an imputing
    Pipeline) or refuse: its error names the problem.
    """
    if is_dataframe(X):
        n_samples = X.shape[0]
        if n_samples < min_samples:
            raise ValueError(
                f"Found array with {n_samples} sample(s) (shape={X.shape}) while a "
                f"minimum of {min_samples} is required."
            )
        return X
    return check_array(
        X,
        accept_sparse=["csr", "csc"],
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=min_samples,
        input_name="X",
    )


# The eager DataFrames that scikit-learn's ``_safe_indexing`` indexes by row
# and whose column names its estimators record: (module, class) pairs.
_DATAFRAME_TYPES = (
    ("pandas", "DataFrame"),
    ("polars", "DataFrame"),
    ("pyarrow", "Table"),
)


def is_dataframe(X):
    """Whether ``X`` is a pandas or polars DataFrame or a pyarrow Table.

    Checked against the modules already imported, so that no DataFrame library
    is imported here: an object of a library that was never imported cannot
    exist.
    """
    for module_name, class_name in _DATAFRAME_TYPES:
        module = sys.modules.get(module_name)
        frame_type = getattr(module, class_name, None)
        if isinstance(frame_type, type) and isinstance(X, frame_type):
            return True
    return False


def check_class_labels(y):
    """Validate classification targets; return ``(classes, y_encoded)``."""
    y = column_or_1d(y, warn=True)
    if y.dtype == object:
        _check_object_labels(y)
    check_classification_targets(y)
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y has a single class ({classes.tolist()[0]!r}); difficulty needs at "
            "least two classes."
        )
    return classes, y_encoded


def _check_object_labels(y):
    """Name missing labels and labels of mixed types, which cannot be sorted."""
    missing = np.array([v is None or (isinstance(v, float) and v != v) for v in y])
    if missing.any():
        raise ValueError(
            f"y has {missing.sum()} missing labels (None or NaN; the first at index "
            f"{np.flatnonzero(missing)[0]}). Drop those samples or give them a "
            "label."
        )
    kinds = {"str" if isinstance(v, str) else "number" for v in y}
    if len(kinds) > 1:
        types = sorted({type(v).__name__ for v in y})
        raise ValueError(
            f"y mixes labels of types {types}; labels must be all numbers or all "
            "strings (convert them, e.g. y.astype(str))."
        )


def check_regression_targets(y):
    """Validate regression targets as a finite float vector."""
    y = column_or_1d(y, warn=True)
    return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")


def check_weights(sample_weight, n_samples):
    """Validated float copy of user weights: finite, non-negative, not all zero."""
    if sample_weight is None:
        return None
    sample_weight = check_sample_weight(
        sample_weight, np.empty((n_samples, 0)), ensure_non_negative=True, copy=True
    )
    # Older scikit-learn accepts all-zero weights, which leave nothing to fit.
    if not np.any(sample_weight):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sample_weight
