"""The generators behind :mod:`skdifficulty.datasets`."""

import sys
from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length

from ..estimate._runners import MAX_SEED
from ..utils._compat import Interval, StrOptions, safe_indexing, validate_params

__all__ = [
    "flip_labels",
    "load_noisy_digits",
    "make_difficulty_classification",
    "make_imbalance",
]

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
    sorter = np.argsort(classes, kind="stable")
    position = np.searchsorted(classes, y_array, sorter=sorter)
    codes = sorter[np.clip(position, 0, classes.size - 1)]
    unknown = classes[codes] != y_array
    if np.any(unknown):
        missing = np.unique(y_array[unknown]).tolist()
        raise ValueError(f"y has labels that are not in classes: {missing}.")
    return y_array, classes, codes


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


def _simplex_means(n_classes, class_sep):
    """Vertices of a centred regular simplex, ``class_sep`` apart, in C - 1 dims.

    Built from the Helmert basis of the sum-zero subspace; for two classes the
    means are ``-class_sep / 2`` and ``+class_sep / 2``.
    """
    helmert = np.zeros((n_classes - 1, n_classes))
    for j in range(1, n_classes):
        helmert[j - 1, :j] = 1.0
        helmert[j - 1, j] = -j
        helmert[j - 1] /= np.sqrt(j * (j + 1))
    # Rows of the basis are orthonormal, so e_a - e_b keeps its length sqrt(2).
    return -class_sep / np.sqrt(2) * helmert.T


def _log_posterior(X_class, variance, means, log_priors):
    """Bayes log posterior of every class under the generating model."""
    sq_dist = ((X_class[:, None, :] - means[None]) ** 2).sum(axis=2)
    scores = log_priors - sq_dist / (2 * variance[:, None])
    return scores - logsumexp(scores, axis=1, keepdims=True)


def _boundary_distance(X_class, u, predicted, means, log_priors, var_low, var_high):
    """Euclidean distance from each sample to the Bayes decision boundary.

    Multiplied by the variance v(u) > 0, the score difference of the predicted
    class a over class b is affine in z = (x, u):

        D_ab(z) = (m_a - m_b) . x + (v1 - v0) l_ab u + v0 l_ab
                  - (|m_a|^2 - |m_b|^2) / 2,     l_ab = log pi_a - log pi_b,

    so the region where b beats a is a half-space, cut to the strip
    0 <= u <= 1 where the data live. The distance to it is the projection onto
    the half-space, or, when that projection leaves the strip, the projection
    onto the half-space within the nearer face of the strip (u = 0 or u = 1).
    The boundary distance is the smallest of these over b.
    """
    a = predicted
    w_x = means[a][:, None, :] - means[None]  # (n, C, d)
    log_ratio = log_priors[a][:, None] - log_priors[None]  # (n, C)
    w_u = (var_high - var_low) * log_ratio
    offset = (
        var_low * log_ratio
        - ((means[a] ** 2).sum(axis=1)[:, None] - (means**2).sum(axis=1)[None]) / 2
    )
    # a maximises the posterior, so D >= 0 up to rounding.
    D = np.maximum(np.einsum("nd,ncd->nc", X_class, w_x) + w_u * u[:, None] + offset, 0)
    wx_sq = (w_x**2).sum(axis=2)
    wx_sq[np.arange(a.size), a] = 1.0  # b = a is masked below; avoid 0 / 0
    norm_sq = wx_sq + w_u**2
    u_proj = u[:, None] - D / norm_sq * w_u
    inside = (u_proj >= 0) & (u_proj <= 1)
    face = (u_proj > 1).astype(float)
    D_face = np.maximum(D + w_u * (face - u[:, None]), 0)
    distance = np.where(
        inside,
        D / np.sqrt(norm_sq),
        np.sqrt((face - u[:, None]) ** 2 + D_face**2 / wx_sq),
    )
    distance[np.arange(a.size), a] = np.inf
    return distance.min(axis=1)


def _check_class_priors(weights, n_classes):
    """Class priors from ``weights`` (normalized), uniform for ``None``."""
    if weights is None:
        return np.full(n_classes, 1.0 / n_classes)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (n_classes,):
        raise ValueError(
            f"weights must have one entry per class ({n_classes}), got shape "
            f"{weights.shape}."
        )
    if not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(f"weights must be finite and positive, got {weights}.")
    return weights / weights.sum()


def _check_scale(scale):
    """``(low, high)`` standard deviations from a positive number or a pair."""
    scale = np.asarray(scale, dtype=float)
    if scale.ndim == 0:
        scale = np.repeat(scale, 2)
    if scale.shape != (2,) or not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError(
            "scale must be a positive number or a pair (low, high) of positive "
            f"numbers, got {scale.tolist()}."
        )
    return scale


_SYNTHETIC_DESCR = """\
Difficulty classification
-------------------------

{n_samples} samples, {n_classes} classes, {n_features} features. Class means:
a regular simplex with side {class_sep} in features 0 to {last_class_axis}.
Within-class standard deviation: {scale_low} at u = 0 to {scale_high} at u = 1
(u = feature {scale_axis}, uniform on [0, 1]). Class proportions:
{proportions}. Flipped labels: {n_flipped} ({noise_kind} noise, rate {noise}).
Recorded per sample: flipped, margin (signed distance to the Bayes boundary),
overlap (1 - max Bayes posterior), posterior.
"""


@validate_params(
    {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_classes": [Interval(Integral, 2, None, closed="left")],
        "n_features": [Interval(Integral, 2, None, closed="left"), None],
        "class_sep": [Interval(Real, 0, None, closed="neither")],
        "scale": [Interval(Real, 0, None, closed="neither"), "array-like"],
        "weights": ["array-like", None],
        "noise": [Interval(Real, 0, 1, closed="left")],
        "noise_kind": [StrOptions({"symmetric", "pair"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_difficulty_classification(
    n_samples=1000,
    *,
    n_classes=2,
    n_features=None,
    class_sep=2.0,
    scale=(0.5, 1.5),
    weights=None,
    noise=0.0,
    noise_kind="symmetric",
    random_state=None,
):
    r"""Generate a classification problem whose sources of difficulty are known.

    Four factors make a sample hard, and each is set by one parameter and
    recorded per sample:

    - label noise (``noise``): the ``flipped`` mask;
    - class rarity (``weights``): ``class_proportions``;
    - margin (``class_sep``): ``margin``, the signed distance to the Bayes
      decision boundary;
    - class overlap (``scale``): ``overlap``, the Bayes posterior uncertainty
      ``1 - max_c P(c | x)``.

    The within-class spread grows along the scale feature ``u``, so samples at
    the same margin can sit where the classes barely overlap (small ``u``) or
    where they overlap a lot (large ``u``). To vary one factor and hold the
    others fixed:

    - label noise: change ``noise`` with one ``random_state``: ``X`` and
      ``y_clean`` stay the same and the flipped sets are nested;
    - rarity: ``weights`` with ``noise=0``, comparing classes at equal
      ``margin`` and ``overlap``;
    - margin: ``noise=0``, ``weights=None``, a constant ``scale``;
    - overlap: ``noise=0``, ``weights=None``, ``scale=(low, high)``, comparing
      samples of similar ``margin`` (the Bayes boundary does not depend on
      ``u`` when the classes are balanced).

    Parameters
    ----------
    n_samples : int >= 2, default=1000
        Number of samples.
    n_classes : int >= 2, default=2
        Number of classes.
    n_features : int, default=None
        Number of features, at least ``n_classes``: ``n_classes - 1`` class
        axes, the scale feature ``u``, then irrelevant standard normal
        features. ``None`` means ``n_classes``.
    class_sep : float > 0, default=2.0
        Distance between any two class means.
    scale : float or (float, float), default=(0.5, 1.5)
        Within-class standard deviation along the class axes at ``u = 0`` and
        at ``u = 1``; a single number keeps it constant, which switches the
        variation of overlap at fixed margin off.
    weights : array-like of shape (n_classes,), default=None
        Class proportions (normalized to sum to one); ``None`` means balanced.
        The class sizes are ``n_samples * weights`` rounded so that they sum to
        ``n_samples``; each must be at least one.
    noise : float in [0, 1), default=0.0
        Share of the labels flipped by :func:`flip_labels`.
    noise_kind : {"symmetric", "pair"}, default="symmetric"
        How a flipped label changes; see :func:`flip_labels`.
    random_state : int, RandomState instance or None, default=None
        Seeds the features and, from a separate stream, the label flips.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X : ndarray of shape (n_samples, n_features)
            The features.
        y : ndarray of shape (n_samples,)
            Observed labels, ``0`` to ``n_classes - 1``, with the flips.
        y_clean : ndarray of shape (n_samples,)
            The class each sample was drawn from.
        flipped : ndarray of shape (n_samples,), dtype=bool
            ``y != y_clean``.
        margin : ndarray of shape (n_samples,)
            Euclidean distance in feature space from the sample to the Bayes
            decision boundary, positive when the Bayes classifier predicts
            ``y_clean`` and negative otherwise.
        overlap : ndarray of shape (n_samples,)
            ``1 - max_c P(c | x)``, in ``[0, 1 - 1 / n_classes]``.
        posterior : ndarray of shape (n_samples, n_classes)
            The Bayes posterior ``P(c | x)`` of the clean model.
        class_proportions : ndarray of shape (n_classes,)
            The class priors of the model (the normalized ``weights``).
        means : ndarray of shape (n_classes, n_classes - 1)
            The class means on the class axes.
        feature_names : list of str
            ``class_axis_j``, ``scale_u`` and ``irrelevant_k``.
        DESCR : str
            The settings.

    See Also
    --------
    sklearn.datasets.make_classification : A generator without recorded
        difficulty.

    Notes
    -----
    With ``C`` classes, a sample of class ``c`` (drawn with prior
    :math:`\pi_c`) is

    .. math::

        u \sim U(0, 1), \qquad
        v(u) = s_0^2 + (s_1^2 - s_0^2)\,u, \qquad
        x \mid c, u \sim N\bigl(m_c, v(u) I_{C-1}\bigr),

    where :math:`(s_0, s_1)` is ``scale``, the means :math:`m_c` are the
    vertices of a centred regular simplex with :math:`\|m_a - m_b\| =`
    ``class_sep``, and the features are :math:`(x, u, \varepsilon)` with
    irrelevant :math:`\varepsilon \sim N(0, I)`. Since ``u`` has the same law
    in every class, the Bayes posterior is

    .. math::

        P(c \mid x, u) \propto \pi_c
        \exp\Bigl(-\frac{\|x - m_c\|^2}{2 v(u)}\Bigr),

    and ``overlap`` is :math:`1 - \max_c P(c \mid x, u)`. The variance, not
    the standard deviation, is linear in ``u``, so that every pairwise
    decision boundary

    .. math::

        (m_a - m_b) \cdot x + v(u) \log\frac{\pi_a}{\pi_b}
        = \tfrac12 \bigl(\|m_a\|^2 - \|m_b\|^2\bigr)

    is a hyperplane in :math:`(x, u)` and each Bayes region is a convex
    polyhedron. ``margin`` is the exact Euclidean distance from the sample to
    the nearest point of the support :math:`0 \le u \le 1` where the Bayes
    prediction changes; it ignores the irrelevant features, which no
    boundary depends on. For two balanced classes the boundary is
    :math:`x_0 = 0`, the margin is :math:`\pm x_0`, and
    ``overlap = 1 / (1 + exp(class_sep * |x_0| / v(u)))``: the same margin
    gives more overlap at larger ``u``.

    The flips (exact counts, see :func:`flip_labels`) are applied after
    ``margin``, ``overlap`` and ``posterior`` are computed, which all describe
    the clean model.

    Examples
    --------
    >>> import numpy as np
    >>> from skdifficulty.datasets import make_difficulty_classification
    >>> data = make_difficulty_classification(
    ...     200, scale=1.0, weights=[0.75, 0.25], noise=0.1, random_state=0
    ... )
    >>> data.X.shape, np.bincount(data.y_clean).tolist(), int(data.flipped.sum())
    ((200, 2), [150, 50], 20)
    >>> # Balanced classes would put the boundary at x_0 = 0; the 3:1 prior
    >>> # moves it to x_0 = log(3) / 2 (variance 1, class_sep 2).
    >>> x0 = data.X[:, 0]
    >>> bool(np.allclose(np.abs(data.margin), np.abs(x0 - np.log(3) / 2)))
    True
    """
    if n_features is None:
        n_features = n_classes
    if n_features < n_classes:
        raise ValueError(
            f"n_features={n_features} is too small for n_classes={n_classes}: "
            "the generator needs n_classes - 1 class axes and one scale feature."
        )
    priors = _check_class_priors(weights, n_classes)
    scale_low, scale_high = _check_scale(scale)
    rng = check_random_state(random_state)
    data_seed, flip_seed = rng.randint(MAX_SEED, size=2)
    data_rng = np.random.RandomState(data_seed)

    class_sizes = _apportion(n_samples, n_samples * priors, np.arange(n_classes))
    if class_sizes.min() < 1:
        raise ValueError(
            f"weights {priors.round(4).tolist()} leave a class without samples "
            f"among n_samples={n_samples}; every class needs at least one."
        )
    y_clean = data_rng.permutation(np.repeat(np.arange(n_classes), class_sizes))
    means = _simplex_means(n_classes, class_sep)
    var_low, var_high = scale_low**2, scale_high**2
    u = data_rng.uniform(size=n_samples)
    variance = var_low + (var_high - var_low) * u
    X_class = means[y_clean] + np.sqrt(variance)[:, None] * data_rng.standard_normal(
        (n_samples, n_classes - 1)
    )
    irrelevant = data_rng.standard_normal((n_samples, n_features - n_classes))
    X = np.hstack([X_class, u[:, None], irrelevant])

    log_priors = np.log(priors)
    posterior = np.exp(_log_posterior(X_class, variance, means, log_priors))
    predicted = posterior.argmax(axis=1)
    distance = _boundary_distance(
        X_class, u, predicted, means, log_priors, var_low, var_high
    )
    margin = np.where(predicted == y_clean, distance, -distance)
    overlap = np.clip(1 - posterior.max(axis=1), 0, 1 - 1 / n_classes)
    y, flipped = flip_labels(
        y_clean,
        rate=noise,
        kind=noise_kind,
        classes=np.arange(n_classes),
        random_state=flip_seed,
    )
    feature_names = (
        [f"class_axis_{j}" for j in range(n_classes - 1)]
        + ["scale_u"]
        + [f"irrelevant_{k}" for k in range(n_features - n_classes)]
    )
    descr = _SYNTHETIC_DESCR.format(
        n_samples=n_samples,
        n_classes=n_classes,
        n_features=n_features,
        class_sep=class_sep,
        last_class_axis=n_classes - 2,
        scale_low=scale_low,
        scale_high=scale_high,
        scale_axis=n_classes - 1,
        proportions=priors.round(4).tolist(),
        n_flipped=int(flipped.sum()),
        noise_kind=noise_kind,
        noise=noise,
    )
    return Bunch(
        X=X,
        y=y,
        y_clean=y_clean,
        flipped=flipped,
        margin=margin,
        overlap=overlap,
        posterior=posterior,
        class_proportions=priors,
        means=means,
        feature_names=feature_names,
        DESCR=descr,
    )
