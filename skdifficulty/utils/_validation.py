"""Input checks shared by the estimators."""

import sys

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d

from ._compat import SKLEARN_INDEXES_PYARROW, num_samples


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
        check_has_features(X)
        return X
    return check_array(
        X,
        accept_sparse=["csr", "csc"],
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=min_samples,
        input_name="X",
    )


def check_has_features(X):
    """Refuse ``X`` with no feature columns, without converting it.

    For input that a wrapped estimator reads as it is (a DataFrame, which
    scikit-learn would only refuse deep inside a fit); arrays are left to
    ``check_array``, which names the problem, or to the estimator.
    """
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2 or shape[1] != 0:
        return
    kind = "a DataFrame" if is_dataframe(X) else "array"
    # scikit-learn's own wording after the colon, which its checks expect.
    raise ValueError(
        f"X has 0 features: found {kind} with 0 feature(s) (shape={tuple(shape)}) "
        "while a minimum of 1 is required. Give X at least one feature column "
        "(check the column selection that built it)."
    )


# The eager DataFrames that scikit-learn's ``_safe_indexing`` indexes by row
# and whose column names its estimators record: (module, class) pairs.
# scikit-learn indexes pyarrow Tables from 1.7 on; before, they are arrays.
_DATAFRAME_TYPES = (
    ("pandas", "DataFrame"),
    ("polars", "DataFrame"),
) + ((("pyarrow", "Table"),) if SKLEARN_INDEXES_PYARROW else ())


def is_dataframe(X):
    """Whether ``X`` is a pandas or polars DataFrame, or a pyarrow Table
    where scikit-learn can index one.

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


def check_class_labels(y, *, n_samples=None, min_classes=2):
    """Validate class labels; return ``(classes, y_encoded)``.

    The one check of labels: 1-D, discrete, neither missing nor of mixed
    types, ``n_samples`` of them when given, with ``min_classes`` classes.
    """
    y = column_or_1d(y, warn=True)
    if y.dtype == object:
        _check_object_labels(y)
    check_classification_targets(y)
    check_length(y, n_samples, "y", reference="X", unit="labels")
    classes, y_encoded = np.unique(y, return_inverse=True)
    if classes.shape[0] < min_classes:
        raise ValueError(
            f"y has a single class ({classes.tolist()[0]!r}); difficulty needs at "
            "least two classes."
        )
    return classes, y_encoded


def label_codes(
    y,
    classes,
    *,
    unknown="that the estimator was not fitted with",
    fix="pass the labels it was fitted with",
):
    """Index of each label of ``y`` in ``classes`` (in any order); refuses
    labels that ``classes`` lacks, naming them.

    >>> label_codes(["b", "a", "b"], np.array(["a", "b"]))
    array([1, 0, 1])
    >>> label_codes([2, 0], np.array([2, 1, 0]))
    array([0, 2])
    """
    y = np.asarray(y)
    classes = np.asarray(classes)
    sorter = np.argsort(classes, kind="stable")
    position = np.searchsorted(classes, y, sorter=sorter)
    codes = sorter[np.clip(position, 0, classes.shape[0] - 1)]
    known = classes[codes] == y
    if not known.all():
        missing = np.unique(y[~known])[:5].tolist()
        raise ValueError(
            f"y has labels {unknown}: {missing}" + (f"; {fix}." if fix else ".")
        )
    return codes


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


def check_finite(values, name, *, allow_nan=False):
    """Refuse NaN (unless allowed) and infinity, naming the first place."""
    kinds = (
        (("infinity", np.isinf),)
        if allow_nan
        else (
            ("NaN", np.isnan),
            ("infinity", np.isinf),
        )
    )
    for kind, test in kinds:
        bad = test(values)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            where = where[0] if len(where) == 1 else where
            raise ValueError(
                f"{name} must be finite: {name} has NaN or infinite values "
                f"({name} contains {kind}, the first at index {where})."
            )


def check_float_vector(values, name, n_samples=None, *, reference="difficulty"):
    """A finite 1-D float64 copy of ``values``, of ``n_samples`` if given."""
    array = np.array(values, dtype=np.float64)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"{name} must be a 1-D array with one value per sample; got an array "
            f"of shape {array.shape}."
        )
    check_finite(array, name)
    check_length(array, n_samples, name, reference=reference)
    return array


def check_length(values, n_samples, name, *, reference="difficulty", unit="values"):
    """Refuse ``values`` whose length is not ``n_samples`` (either None: any)."""
    if values is None or n_samples is None:
        return
    length = num_samples(values)  # also for objects that only have __array__
    if length != n_samples:
        per = " samples" if reference == "X" else ""
        raise ValueError(
            f"{name} has {length} {unit} but {reference} has {n_samples}{per}."
        )


def check_weights(sample_weight, n_samples, *, dtype=np.float64):
    """Validated copy of user weights: the one check of every ``sample_weight``.

    Numeric, one per sample (a scalar is repeated; a torch tensor is read),
    finite, non-negative, not all zero, and, for a ``dtype`` narrower than
    float64 (a net's float32), within its range, their sum included. ``n_samples=None`` takes
    the length as given. The messages keep scikit-learn's wording where it
    has one.
    """
    if sample_weight is None:
        return None
    if hasattr(sample_weight, "detach"):  # a torch tensor, on any device
        sample_weight = sample_weight.detach().cpu().numpy()
    weight = np.asarray(sample_weight)
    if weight.dtype.kind not in "biuf":
        raise ValueError(
            f"sample_weight must be numeric, got an array of dtype {weight.dtype}."
        )
    if weight.ndim == 0 and n_samples is not None:
        weight = np.full(n_samples, weight)
    if weight.ndim != 1:
        raise ValueError(
            f"sample_weight must be 1-D, got an array of shape {weight.shape}."
        )
    if n_samples is not None and weight.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight has {weight.shape[0]} entries but X has {n_samples} "
            f"samples (sample_weight.shape == {weight.shape}, expected "
            f"({n_samples},))."
        )
    given = weight
    with np.errstate(over="ignore", under="ignore"):
        weight = weight.astype(dtype)  # a copy: the caller's array stays as it is
    # NaN and infinity as given; finite values that the cast lost come after.
    check_finite(given if given.dtype.kind == "f" else weight, "sample_weight")
    if (weight < 0).any():
        raise ValueError(
            "Negative values in data passed to `sample_weight`: sample_weight must "
            f"be non-negative; got a minimum of {weight.min():g}."
        )
    if np.finfo(weight.dtype).max < np.finfo(np.float64).max:
        # float64 weights of any size are handled exactly downstream; a
        # narrower dtype (a net's float32) cannot hold every finite weight.
        _check_weight_range(given, weight)
    if not weight.any():
        raise ValueError(
            "sample_weight must have a positive sum: it needs at least one "
            "non-zero number, and all are zero."
        )
    return weight


def _check_weight_range(given, weight):
    """Refuse finite weights that ``weight.dtype`` cannot hold, or not their sum.

    A float32 net would see infinite (or all-zero) weights and a NaN loss.
    """
    info = np.finfo(weight.dtype)
    with np.errstate(over="ignore"):
        largest = float(given.max())
        total = float(given.sum(dtype=np.float64))
    rescale = (
        "Rescale them, e.g. sample_weight / sample_weight.max() (a net's loss "
        "is their weighted mean: only their ratios count)."
    )
    if total > float(info.max):
        raise ValueError(
            f"sample_weight overflows {info.dtype}, the precision it is used in: "
            f"the weights are finite but reach {largest:g} and sum to {total:g}, "
            f"beyond {info.dtype}'s largest number {info.max:.4g}. {rescale}"
        )
    if given.any() and not weight.any():
        raise ValueError(
            f"sample_weight underflows {info.dtype}, the precision it is used in: "
            f"the largest weight {largest:g} is below {info.dtype}'s smallest "
            f"number {info.smallest_subnormal:.4g}, so every weight becomes 0. "
            f"{rescale}"
        )
