"""Label noise: exact shares of flipped labels, and the noisy digits data."""

from numbers import Real

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._random import MAX_SEED
from ._base import _apportion, _encode_labels, _round_half_up, _series_like
from ._imbalance import make_imbalance


@validate_params(
    {
        "y": ["array-like"],
        "rate": [Interval(Real, 0, 1, closed="left")],
        "kind": [StrOptions({"symmetric", "pair"})],
        "classes": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def flip_labels(y, *, rate=0.2, kind="symmetric", classes=None, random_state=None):
    """Flip an exact share of the labels to other classes.

    Exactly ``round(rate * n_samples)`` labels change, shared among the classes
    in proportion to their sizes: a class of ``n_k`` samples loses the floor or
    the ceiling of ``rate * n_k`` (largest remainders first, ties broken at
    random). Every class is therefore corrupted at the same rate, as under a
    noise transition matrix with ``1 - rate`` on its diagonal.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Class labels: integers, strings, or any sortable labels. A pandas
        Series gives a Series with the same index back.
    rate : float in [0, 1), default=0.2
        Share of the labels to flip.
    kind : {"symmetric", "pair"}, default="symmetric"
        ``"symmetric"``: a flipped label becomes one of the other classes,
        chosen uniformly at random. ``"pair"``: class ``classes[k]`` becomes
        ``classes[(k + 1) % n_classes]``.
    classes : array-like of shape (n_classes,), default=None
        The label set, in the order that ``"pair"`` cycles through; it may
        hold classes absent from ``y``, which symmetric flips can then reach.
        ``None`` means the sorted unique labels of ``y``.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of labels and of their new classes. With one seed, a
        higher ``rate`` flips a superset of the labels that a lower one flips,
        to the same new classes (up to the rounding of each class's quota).

    Returns
    -------
    y_noisy : ndarray or pandas Series of shape (n_samples,)
        A new array of labels; ``y`` is left as it was.
    flipped : ndarray of shape (n_samples,), dtype=bool
        Which labels were changed.

    Examples
    --------
    >>> import numpy as np
    >>> from skdifficulty.datasets import flip_labels
    >>> y = np.array(["cat"] * 5 + ["dog"] * 5 + ["eel"] * 5)
    >>> y_noisy, flipped = flip_labels(y, rate=0.2, kind="pair", random_state=0)
    >>> int(flipped.sum())
    3
    >>> sorted(zip(y[flipped].tolist(), y_noisy[flipped].tolist()))
    [('cat', 'dog'), ('dog', 'eel'), ('eel', 'cat')]
    """
    y_array, classes, codes = _encode_labels(y, classes)
    rng = check_random_state(random_state)
    n_classes = classes.size
    # Draw the tie order first and whole-class permutations next, so that the
    # random stream does not depend on rate: this is what nests the flips.
    tie_order = rng.permutation(n_classes)
    class_sizes = np.bincount(codes, minlength=n_classes)
    quotas = _apportion(
        _round_half_up(rate * codes.size), rate * class_sizes, tie_order
    )
    flipped = np.zeros(codes.size, dtype=bool)
    new_codes = codes.copy()
    for k in range(n_classes):
        members = rng.permutation(np.flatnonzero(codes == k))
        if kind == "symmetric":
            shifts = rng.randint(1, n_classes, size=members.size)
        else:
            shifts = np.ones(members.size, dtype=np.intp)
        chosen = members[: quotas[k]]
        new_codes[chosen] = (k + shifts[: quotas[k]]) % n_classes
        flipped[chosen] = True
    # A common dtype, so that a longer string label from classes is not cut.
    y_noisy = y_array.astype(np.result_type(y_array.dtype, classes.dtype))
    y_noisy[flipped] = classes[new_codes[flipped]]
    return _series_like(y_noisy, y), flipped


_DIGITS_DESCR = """\
Noisy digits
------------

The 8x8 handwritten digits of scikit-learn (``sklearn.datasets.load_digits``),
split into a stratified train and test part. Only the training part is
corrupted: it is first subsampled to a class imbalance (when requested) and
then has a share of its labels flipped. The test labels are clean.

- training samples: {n_train} (class sizes {train_sizes})
- test samples: {n_test}
- flipped training labels: {n_flipped} ({kind} noise, rate {noise})
- imbalance ratio: {imbalance}
"""


@validate_params(
    {
        "noise": [Interval(Real, 0, 1, closed="left")],
        "kind": [StrOptions({"symmetric", "pair"})],
        "imbalance": [Interval(Real, 1, None, closed="left"), None],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_noisy_digits(
    *, noise=0.2, kind="symmetric", imbalance=None, test_size=0.3, random_state=0
):
    """Load the digits data with noisy (and optionally imbalanced) training labels.

    The 1797 images of ``sklearn.datasets.load_digits`` (shipped with
    scikit-learn, nothing is downloaded) are split into a stratified train and
    test part. The training part is subsampled with :func:`make_imbalance`
    when ``imbalance`` is given, and then :func:`flip_labels` flips
    ``round(noise * n_train)`` of its labels. The test part stays clean.

    Parameters
    ----------
    noise : float in [0, 1), default=0.2
        Share of the training labels to flip.
    kind : {"symmetric", "pair"}, default="symmetric"
        How a flipped label changes; see :func:`flip_labels` ("pair" turns
        digit ``d`` into ``(d + 1) % 10``).
    imbalance : float >= 1 or None, default=None
        Size of the class of digit 0 over that of digit 9 in the training part,
        sizes falling geometrically in between; ``None`` keeps the split as is.
    test_size : float in (0, 1), default=0.3
        Share of the samples held out as the clean test part.
    random_state : int, RandomState instance or None, default=0
        Seeds the split, the subsampling and the flips, each from its own
        stream: with one seed, changing ``noise`` keeps the split.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train : ndarray of shape (n_train, 64)
            Training pixels, 0 to 16.
        X_test : ndarray of shape (n_test, 64)
            Test pixels.
        y_train : ndarray of shape (n_train,)
            Training labels, some flipped.
        y_train_clean : ndarray of shape (n_train,)
            The true training labels.
        y_test : ndarray of shape (n_test,)
            The true test labels.
        flipped : ndarray of shape (n_train,), dtype=bool
            Which training labels were flipped.
        train_indices, test_indices : ndarray
            Rows of ``load_digits().data`` in each part (for the images).
        feature_names : list of str
            Pixel names, as in ``load_digits``.
        target_names : ndarray of shape (10,)
            The digits 0 to 9.
        DESCR : str
            What was done to the data.

    Examples
    --------
    >>> from skdifficulty.datasets import load_noisy_digits
    >>> data = load_noisy_digits(noise=0.4, random_state=0)
    >>> data.X_train.shape, data.X_test.shape
    ((1257, 64), (540, 64))
    >>> int(data.flipped.sum())
    503
    >>> bool((data.y_train != data.y_train_clean).sum() == data.flipped.sum())
    True
    """
    digits = load_digits()
    rng = check_random_state(random_state)
    split_seed, imbalance_seed, flip_seed = rng.randint(MAX_SEED, size=3)
    train, test = train_test_split(
        np.arange(digits.target.size),
        test_size=test_size,
        stratify=digits.target,
        random_state=split_seed,
    )
    train = np.sort(train)
    if imbalance is not None:
        _, _, kept = make_imbalance(
            train, digits.target[train], ratio=imbalance, random_state=imbalance_seed
        )
        train = train[kept]
    y_clean = digits.target[train]
    y_noisy, flipped = flip_labels(
        y_clean,
        rate=noise,
        kind=kind,
        classes=digits.target_names,
        random_state=flip_seed,
    )
    descr = _DIGITS_DESCR.format(
        n_train=train.size,
        train_sizes=np.bincount(y_clean, minlength=10).tolist(),
        n_test=test.size,
        n_flipped=int(flipped.sum()),
        kind=kind,
        noise=noise,
        imbalance=imbalance,
    )
    return Bunch(
        X_train=digits.data[train],
        X_test=digits.data[np.sort(test)],
        y_train=y_noisy,
        y_train_clean=y_clean,
        y_test=digits.target[np.sort(test)],
        flipped=flipped,
        train_indices=train,
        test_indices=np.sort(test),
        feature_names=list(digits.feature_names),
        target_names=digits.target_names,
        DESCR=descr,
    )
