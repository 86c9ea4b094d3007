"""The generator of a classification problem whose sources of difficulty are known."""

from numbers import Integral, Real

import numpy as np
from scipy.special import logsumexp
from sklearn.utils import Bunch, check_random_state

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._random import MAX_SEED
from ._base import _apportion
from ._label_noise import flip_labels


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
