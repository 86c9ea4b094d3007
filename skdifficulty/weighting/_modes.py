"""The rank modes and the label mode: weights from shares and held-out probabilities.

The rank modes work on the *share* of the training samples on either side of
a sample's difficulty, so that one ``strength`` means the same on every data
set and every loss. With ``q`` the share of samples easier than sample ``i``
(its mid-rank by default), the weight is a power of a share:

============  ==========================  ==================================
mode          weight                      in words
============  ==========================  ==================================
easy_first    ``(1 - q) ** s``            share of samples harder than it
hard_first    ``q ** s``                  share of samples easier than it
medium_first  ``(2 * min(q, 1-q)) ** s``  twice the share in its smaller tail
two_ends      ``max(q, 1-q) ** s``        share in its larger tail
============  ==========================  ==================================

In easy_first, hard_first and two_ends a sample whose share is one half weighs
``2 ** -s`` as much as the samples at the favoured end; in medium_first a sample
at either quartile weighs ``2 ** -s`` as much as the median one. ``s = 0`` gives
uniform weights.

The label mode "consensus" compares each label with the held-out class
probabilities ``p`` instead: weight ``(p_y / max_c p_c) ** s``.
"""

from numbers import Real

import numpy as np
from scipy.special import log_ndtr
from scipy.stats import rankdata
from sklearn.utils import check_array

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._robust import IQR_TO_SIGMA
from ..utils._validation import check_class_labels, check_float_vector
from ._exact import _LN2, _log_power

RANK_MODES = ("easy_first", "hard_first", "medium_first", "two_ends")
"""The modes that work on the share of easier samples (see ``scale``)."""

LABEL_MODES = ("consensus",)
"""The modes that compare the label with the held-out class probabilities."""

SCALES = ("rank", "standard", "none")
"""Names accepted by the ``scale`` parameter."""

_SCHEME_PARAMS = {
    "difficulty": ["array-like"],
    "strength": [Interval(Real, 0, None, closed="left")],
    "scale": [StrOptions(set(SCALES))],
}


def _robust_z(d):
    """(d - median) / sigma, sigma from the IQR (the std if the IQR is 0)."""
    q25, median, q75 = np.percentile(d, [25, 50, 75])
    sigma = (q75 - q25) / IQR_TO_SIGMA
    if sigma == 0:  # more than half the samples tie
        sigma = d.std()
    if sigma == 0:  # all samples tie: nobody is easier or harder
        return np.zeros_like(d)
    return (d - median) / sigma


def _log_shares(d, scale):
    """Logs of the shares of samples easier (``q``) and harder (``1 - q``).

    Logs keep extreme samples at a tiny positive weight instead of 0 under
    ``scale="standard"``, and let the dispatcher rescale before exponentiating.
    """
    if scale == "rank":
        n = d.shape[0]
        rank = rankdata(d)  # ties get the average rank
        return np.log((rank - 0.5) / n), np.log((n - rank + 0.5) / n)
    if scale == "standard":
        z = _robust_z(d)
        return log_ndtr(z), log_ndtr(-z)
    if d.min() < 0 or d.max() > 1:
        raise ValueError(
            "With scale='none' the difficulty is used as the share q itself and "
            f"must lie in [0, 1]; got values in [{d.min():.4g}, {d.max():.4g}]. "
            "Use scale='rank' or scale='standard' for other difficulties."
        )
    with np.errstate(divide="ignore"):  # q = 0 or 1 gives a zero weight
        return np.log(d), np.log1p(-d)


def _log_base_weight(mode, log_lower, log_upper):
    """Log of the share whose power is the weight, for a built-in mode."""
    if mode == "easy_first":
        return log_upper
    if mode == "hard_first":
        return log_lower
    if mode == "medium_first":
        return _LN2 + np.minimum(log_lower, log_upper)
    return np.maximum(log_lower, log_upper)  # two_ends


def _log_weights(difficulty, mode, strength, scale):
    """Log weights ``strength * log(share)`` of a named mode.

    -inf marks a weight of exactly 0 (a share of 0 under ``scale="none"``).
    """
    d = check_float_vector(difficulty, "difficulty")
    if mode == "none":
        return np.zeros_like(d)
    log_lower, log_upper = _log_shares(d, scale)
    if strength == 0:  # exactly uniform, even where a share is 0
        return np.zeros_like(log_lower)
    return _log_power(_log_base_weight(mode, log_lower, log_upper), strength)


def _scheme(mode, difficulty, strength, scale):
    """Unnormalized weights of a built-in mode: ``share ** strength``."""
    return np.exp(_log_weights(difficulty, mode, strength, scale))


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def easy_first(difficulty, *, strength=1.0, scale="rank"):
    """Compute weights that fall as the difficulty rises.

    Samples with noisy labels are hard, so this mode gives them little weight.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder.
        Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The sample in the middle of the ranking weighs
        ``2 ** -s`` as much as the easiest one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples:

        - "rank": the mid-rank ``q = (rank - 1/2) / n`` (ties share the
          average rank). Only the order of the difficulties matters.
        - "standard": ``q = Phi(z)`` with ``z = (d - median) / sigma``,
          ``sigma = IQR / 1.349`` (the standard deviation if the IQR is 0) and
          ``Phi`` the normal CDF. Keeps the gaps between difficulties: a
          sample far above the others gets far less weight.
        - "none": ``q = d`` itself, which must lie in [0, 1] (e.g. a zero-one
          difficulty, one minus the C-score).

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``(1 - q) ** s``, in (0, 1] (a sample
        extremely far above the others may underflow to 0 under
        ``scale="standard"``; :func:`difficulty_weights` rescales first).

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = (1 - q_i)^s

    where :math:`1 - q_i` is the share of samples harder than sample
    :math:`i`. For integer :math:`s` it is the chance that :math:`s` samples
    drawn at random are all harder than :math:`i`. The weight ratio of two
    samples is :math:`((1 - q_i) / (1 - q_j))^s`, whatever the data set.

    Examples
    --------
    >>> from skdifficulty import easy_first
    >>> easy_first([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.875, 0.375, 0.125, 0.625])
    """
    return _scheme("easy_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def hard_first(difficulty, *, strength=1.0, scale="rank"):
    """Compute weights that rise with the difficulty (as in boosting or focal loss).

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The sample in the middle of the ranking weighs
        ``2 ** -s`` as much as the hardest one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``q ** s``, in (0, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = q_i^s

    where :math:`q_i` is the share of samples easier than sample :math:`i`:
    the mirror image of :func:`easy_first`.

    Examples
    --------
    >>> from skdifficulty import hard_first
    >>> hard_first([0.1, 0.5, 2.0, 0.3], strength=2.0)
    array([0.015625, 0.390625, 0.765625, 0.140625])
    """
    return _scheme("hard_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def medium_first(difficulty, *, strength=1.0, scale="rank"):
    """Compute weights that peak at the median difficulty, falling to both ends.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. A sample at either quartile weighs ``2 ** -s``
        as much as the median one; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``(2 min(q, 1 - q)) ** s``, in (0, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = \\bigl(2 \\min(q_i, 1 - q_i)\\bigr)^s = (1 - |2 q_i - 1|)^s

    twice the share of samples in the smaller tail beyond sample :math:`i`.

    Examples
    --------
    >>> from skdifficulty import medium_first
    >>> medium_first([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.25, 0.75, 0.25, 0.75])
    """
    return _scheme("medium_first", difficulty, strength, scale)


@validate_params(_SCHEME_PARAMS, prefer_skip_nested_validation=True)
def two_ends(difficulty, *, strength=1.0, scale="rank"):
    """Compute weights that are high for the easiest and the hardest samples.

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder. Must be finite.
    strength : float, default=1.0
        Exponent ``s >= 0``. The median sample weighs ``2 ** -s`` as much as
        those at either end; 0 gives uniform weights.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The unnormalized weights ``max(q, 1 - q) ** s``, in [2 ** -s, 1].

    See Also
    --------
    difficulty_weights : Any mode, with normalization and sample weights.

    Notes
    -----
    .. math:: w_i = \\max(q_i, 1 - q_i)^s

    the share of samples in the larger tail beyond sample :math:`i`. The
    weights are bounded, so the extreme samples never dominate the fit.

    Examples
    --------
    >>> from skdifficulty import two_ends
    >>> two_ends([0.1, 0.5, 2.0, 0.3], strength=1.0)
    array([0.875, 0.625, 0.875, 0.625])
    """
    return _scheme("two_ends", difficulty, strength, scale)


def _check_heldout_proba(heldout_proba, n_samples, n_classes):
    """Held-out probabilities as floats: one row per sample, one column per class."""
    proba = check_array(heldout_proba, dtype=np.float64, input_name="heldout_proba")
    if proba.shape != (n_samples, n_classes):
        raise ValueError(
            f"heldout_proba must have one row per sample and one column per class "
            f"(in the sorted order of the labels y), shape ({n_samples}, "
            f"{n_classes}); got shape {proba.shape}."
        )
    if np.any(proba < 0):
        raise ValueError("heldout_proba has negative values.")
    return proba


def _log_consensus_weights(y, heldout_proba, strength):
    """Log weights ``s * (log p_y - max_c log p_c)`` of the held-out probabilities.

    0 where the held-out models' most probable class is the label; -inf
    where they give the label probability 0.
    """
    if y is None or heldout_proba is None:
        raise ValueError(
            "weighting='consensus' compares each label with the held-out class "
            "probabilities: pass y and heldout_proba (DifficultyEstimator's "
            "heldout_proba_, from loss='log_loss' or 'brier')."
        )
    classes, codes = check_class_labels(y, min_classes=1)
    proba = _check_heldout_proba(heldout_proba, codes.shape[0], classes.shape[0])
    with np.errstate(divide="ignore"):
        log_ratio = np.log(proba[np.arange(codes.shape[0]), codes]) - np.log(
            proba.max(axis=1)
        )
    if strength == 0:
        return np.zeros_like(log_ratio)
    return _log_power(log_ratio, strength)
