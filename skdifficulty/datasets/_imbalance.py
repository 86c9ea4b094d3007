"""Class imbalance: subsample a data set so that class sizes fall geometrically."""

from numbers import Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

from ..utils._compat import Interval, safe_indexing, validate_params
from ._base import _EPS, _encode_labels, _round_half_up


def _geometric_sizes(class_sizes, ratio, classes):
    """Class sizes that fall geometrically by ``ratio`` from first to last.

    The first class keeps as many samples as the profile allows without any
    class needing more samples than it has.
    """
    n_classes = class_sizes.size
    factors = float(ratio) ** (-np.arange(n_classes) / (n_classes - 1))
    largest = int(np.floor(np.min(class_sizes / factors) + _EPS))
    sizes = np.minimum(_round_half_up(largest * factors), class_sizes)
    if sizes.min() < 1:
        empty = classes[np.argmin(sizes)].item()
        raise ValueError(
            f"ratio={ratio} leaves class {empty!r} without samples: the first "
            f"class can keep at most {largest} samples, and {largest} / {ratio} "
            "rounds to 0. Use a smaller ratio or more samples."
        )
    return sizes


def _as_indexable(data):
    """Arrays, sparse matrices and DataFrames as they are; sequences as arrays."""
    return data if hasattr(data, "shape") else np.asarray(data)


@validate_params(
    {
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "ratio": [Interval(Real, 1, None, closed="left")],
        "classes": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_imbalance(X, y, *, ratio=10.0, classes=None, random_state=None):
    """Subsample a data set so that class sizes fall geometrically.

    Class ``k`` of ``C`` (in the order of ``classes``) keeps
    ``round(n_first * ratio ** (-k / (C - 1)))`` samples, drawn at random
    without replacement, so the last class is ``1 / ratio`` the size of the
    first. ``n_first`` is the largest size for which no class needs more
    samples than it has.

    Parameters
    ----------
    X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
        Features; a DataFrame stays a DataFrame (with its original index).
    y : array-like of shape (n_samples,)
        Class labels; a Series stays a Series.
    ratio : float >= 1, default=10.0
        Size of the first class over that of the last. ``1`` balances the
        classes at the size of the smallest.
    classes : array-like of shape (n_classes,), default=None
        The classes from largest to smallest, exactly the labels of ``y``.
        ``None`` means the sorted unique labels.
    random_state : int, RandomState instance or None, default=None
        Seeds which samples are kept.

    Returns
    -------
    X_sub : same type as X, of shape (n_kept, n_features)
        The kept rows, in their original order.
    y_sub : same type as y (a list becomes an ndarray), of shape (n_kept,)
        Their labels.
    indices : ndarray of shape (n_kept,)
        Their positions in ``X`` and ``y``, increasing.

    Examples
    --------
    >>> import numpy as np
    >>> from skdifficulty.datasets import make_imbalance
    >>> X = np.arange(300).reshape(-1, 1)
    >>> y = np.repeat([0, 1, 2], 100)
    >>> X_sub, y_sub, indices = make_imbalance(X, y, ratio=4, random_state=0)
    >>> np.bincount(y_sub).tolist()
    [100, 50, 25]
    >>> bool((X_sub[:, 0] == indices).all())
    True
    """
    X, y = _as_indexable(X), _as_indexable(y)
    _, classes, codes = _encode_labels(y, classes)  # first: y must be 1-D
    check_consistent_length(X, y)
    class_sizes = np.bincount(codes, minlength=classes.size)
    if np.any(class_sizes == 0):
        absent = classes[class_sizes == 0].tolist()
        raise ValueError(f"classes has labels that y lacks: {absent}.")
    sizes = _geometric_sizes(class_sizes, ratio, classes)
    rng = check_random_state(random_state)
    kept = [
        rng.permutation(np.flatnonzero(codes == k))[: sizes[k]]
        for k in range(classes.size)
    ]
    indices = np.sort(np.concatenate(kept))
    return safe_indexing(X, indices), safe_indexing(y, indices), indices
