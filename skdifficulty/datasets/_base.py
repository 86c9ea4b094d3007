"""Label checks and exact counts shared by the data set functions."""

import sys

import numpy as np
from sklearn.utils.multiclass import check_classification_targets

from ..utils._validation import label_codes

# Guards floor() against a product such as 0.29 * 100 = 28.999999999999996.
_EPS = 1e-9


def _round_half_up(values):
    """Round to the nearest integer, halves up (``np.round`` rounds to even)."""
    return np.floor(np.asarray(values, dtype=float) + 0.5 + _EPS).astype(np.intp)


def _apportion(total, quotas, tie_order):
    """Integers that sum to ``total``, each the floor or ceil of its quota.

    Largest remainder method: every part gets the floor of its quota and the
    parts with the largest remainders get one more; equal remainders are served
    in ``tie_order``.
    """
    quotas = np.asarray(quotas, dtype=float)
    parts = np.floor(quotas + _EPS).astype(np.intp)
    remainders = (quotas - parts)[tie_order]
    extra = tie_order[np.argsort(-remainders, kind="stable")]
    parts[extra[: max(total - parts.sum(), 0)]] += 1
    return parts


def _series_like(values, like):
    """Wrap ``values`` as a pandas Series shaped like ``like`` when it is one."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(like, pandas.Series):
        return pandas.Series(values, index=like.index, name=like.name)
    return values


def _encode_labels(y, classes):
    """Validate labels; return ``(y_array, classes, codes)`` with codes into classes.

    Without ``classes`` the classes are the sorted unique labels; a given
    ``classes`` keeps its order and may hold labels that ``y`` lacks.
    """
    y_array = np.asarray(y)
    if y_array.ndim != 1:
        column = y_array.ndim == 2 and y_array.shape[1] == 1
        raise ValueError(
            f"y must be 1-D, one label per sample; got an array of shape "
            f"{y_array.shape}."
            + (" Flatten the column with np.ravel(y)." if column else "")
        )
    check_classification_targets(y_array)
    if classes is None:
        classes = np.unique(y_array)
    else:
        classes = np.asarray(classes)
        if classes.ndim != 1 or np.unique(classes).size != classes.size:
            raise ValueError("classes must be a 1-dimensional list of distinct labels.")
    if classes.size < 2:
        raise ValueError(
            f"Need at least two classes, got {classes.size}: {classes.tolist()}."
        )
    codes = label_codes(y_array, classes, unknown="that are not in classes", fix=None)
    return y_array, classes, codes
