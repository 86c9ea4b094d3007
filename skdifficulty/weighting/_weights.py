"""difficulty_weights: any weighting mode, times the user weights, normalized.

The modes themselves live in :mod:`._modes` (the rank and label modes) and
:mod:`._cutoffs` (the cut-off modes); this module dispatches to them or to a
user callable, multiplies by ``sample_weight`` and normalizes, all in the
exact arithmetic of :mod:`._exact`.
"""

from numbers import Real

import numpy as np

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._validation import (
    check_class_labels,
    check_float_vector,
    check_length,
    check_weights,
)
from ._cutoffs import CUTOFF_MODES, CUTOFFS, _log_cutoff_weights, _sample_cutoffs
from ._exact import (
    _check_representable,
    _combine,
    _log_power,
    _normalize_per_class,
    _split,
    _split_log,
)
from ._modes import (
    LABEL_MODES,
    RANK_MODES,
    SCALES,
    _log_consensus_weights,
    _log_weights,
)

WEIGHTING_MODES = (*RANK_MODES, *CUTOFF_MODES, *LABEL_MODES, "none")
"""Names accepted by ``difficulty_weights(weighting=...)`` (a callable also is)."""


def _callable_weights(func, difficulty, y):
    """Call a user weighting on copies of the inputs and check what it returns."""
    d = check_float_vector(difficulty, "difficulty")
    y_copy = None if y is None else np.array(y, copy=True)
    w = np.asarray(func(d.copy(), y_copy))
    name = getattr(func, "__name__", repr(func))
    if w.ndim != 1 or w.shape[0] != d.shape[0]:
        raise ValueError(
            f"The weighting callable {name} must return a 1-D array with one weight "
            f"per sample, shape ({d.shape[0]},); got shape {w.shape}."
        )
    if not np.issubdtype(w.dtype, np.number) or np.issubdtype(
        w.dtype, np.complexfloating
    ):
        raise ValueError(
            f"The weighting callable {name} must return real numbers; got dtype "
            f"{w.dtype}."
        )
    w = w.astype(np.float64)
    if not np.all(np.isfinite(w)):
        first = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(
            f"The weighting callable {name} returned NaN or infinite weights (the "
            f"first at index {first}: {w[first]}). Return finite weights; only "
            "their ratios matter after normalization, so scale them down (e.g. "
            "divide by their maximum) rather than let them overflow."
        )
    if np.any(w < 0):
        raise ValueError(f"The weighting callable {name} returned negative weights.")
    if not np.any(w > 0):
        raise ValueError(f"The weighting callable {name} returned only zero weights.")
    return w


def _split_callable_weights(w, strength, *, relative):
    """``w ** strength`` as ``(mantissa, exponent)``, which cannot overflow.

    With ``relative`` the weights may be divided by a common factor.
    """
    if strength == 0:  # exactly uniform, even where w is 0
        return _split(np.ones_like(w))
    if strength == 1:
        return _split(w)  # exact
    with np.errstate(divide="ignore"):  # log(0) = -inf: a weight of 0
        log_w = np.log(w)
    return _split_log(_log_power(log_w, strength), relative=relative)


def _fixes(weighting, strength, sample_weight):
    """What the caller can change when the weights leave the float range."""
    fixes = []
    if strength > 0 and not (isinstance(weighting, str) and weighting == "none"):
        fixes.append("a smaller strength")
    if sample_weight is not None:
        fixes.append("sample_weight with a smaller ratio of largest to smallest")
    if callable(weighting):
        name = getattr(weighting, "__name__", repr(weighting))
        fixes.append(f"a weighting callable ({name}) whose weights spread less")
    return ", or ".join(fixes)


def _class_codes(y):
    """Class labels and each sample's class index, for normalize='class'."""
    if y is None:
        raise ValueError("normalize='class' needs the class labels y; got y=None.")
    return check_class_labels(y, min_classes=1)


# The settings of a weighting scheme, as difficulty_weights and the
# meta-estimators take them.
WEIGHTING_CONSTRAINTS = {
    "weighting": [StrOptions(set(WEIGHTING_MODES)), callable],
    "strength": [Interval(Real, 0, None, closed="left")],
    "normalize": [StrOptions({"mean", "class"}), None],
    "scale": [StrOptions(set(SCALES))],
    "cutoff": [StrOptions(set(CUTOFFS)), Interval(Real, 0, None, closed="left")],
}


@validate_params(
    {
        "difficulty": ["array-like"],
        "y": ["array-like", None],
        **WEIGHTING_CONSTRAINTS,
        "heldout_proba": ["array-like", None],
        "sample_weight": ["array-like", Real, None],
    },
    prefer_skip_nested_validation=True,
)
def difficulty_weights(
    difficulty,
    y=None,
    *,
    weighting="easy_first",
    strength=1.0,
    normalize="mean",
    scale="rank",
    cutoff="auto",
    heldout_proba=None,
    sample_weight=None,
):
    """Sample weights from per-sample difficulty, normalized and combined.

    The weights are computed in three steps, in this order:

    1. the weighting scheme maps the difficulty to base weights,
    2. a user ``sample_weight`` multiplies them,
    3. the product is normalized (over all samples or per class).

    Parameters
    ----------
    difficulty : array-like of shape (n_samples,)
        Per-sample difficulty, larger is harder (e.g. the held-out log loss
        of each sample). Must be finite; the input is not modified.
    y : array-like of shape (n_samples,), default=None
        Class labels. Needed by ``normalize="class"``; the cut-off modes
        estimate one cut-off per class from them; passed on to a callable
        ``weighting``.
    weighting : {"easy_first", "hard_first", "medium_first", "two_ends", \
"huber", "tukey", "trim", "none"} or callable, default="easy_first"
        The scheme; see :func:`easy_first`, :func:`hard_first`,
        :func:`medium_first` and :func:`two_ends`. "none" gives uniform base
        weights. The cut-off modes keep weight 1 up to the cut-off ``c`` of
        a sample (see ``cutoff``) and, with ``u = difficulty / c``, give
        beyond it:

        - "huber": ``u ** -s``; a sample at twice the cut-off weighs
          ``2 ** -s``. For the squared error ``s = 1/2`` is Huber's weight.
        - "tukey": ``(1 - min(1, s * (u - 1)) ** 2) ** 2``, which falls
          smoothly from 1 to 0 at ``u = 1 + 1/s`` (0 beyond).
        - "trim": ``2 ** -s``; a large ``s`` trims the samples beyond.

        "consensus" compares each label with the held-out class
        probabilities ``p`` (``heldout_proba``): weight
        ``(p_y / max_c p_c) ** s``, 1 where the models that did not see a
        sample agree on its label and small where they agree on another
        class, as they do for a wrong label.

        A callable ``f(difficulty, y) -> weights`` receives copies of
        the raw difficulty and of ``y`` (``scale`` is not applied) and must
        return one finite, non-negative weight per sample, not all zero; its
        weights are raised to the power ``strength``.
    strength : float, default=1.0
        Exponent ``s >= 0`` of the base weights (how fast the weight falls
        beyond the cut-off, for the cut-off modes); 0 gives uniform weights in
        every mode. Recommended grid: ``[0.5, 1, 2, 4, 8]``.
    normalize : {"mean", "class"} or None, default="mean"
        - "mean": rescale so that the weights average 1 over the samples.
        - "class": rescale within each class so that every class carries
          the same total weight ``n_samples / n_classes``: difficulty
          weighting and class balancing at once (with ``weighting="none"``
          this is ``class_weight="balanced"``).
        - None: return the product of steps 1 and 2 as it is.
    scale : {"rank", "standard", "none"}, default="rank"
        How the difficulty becomes the share ``q`` of easier samples; see
        :func:`easy_first`. Ignored by a callable ``weighting`` and by the
        cut-off modes.
    cutoff : {"auto", "mad", "mixture", "noise"} or float, default="auto"
        The cut-off of the cut-off modes: how :func:`difficulty_cutoff`
        estimates it (per class when ``y`` is given), or a number ``>= 0`` on
        the difficulty's own scale. Ignored by the other modes.
    heldout_proba : array-like of shape (n_samples, n_classes), default=None
        Held-out class probabilities (:attr:`DifficultyEstimator.heldout_proba_`),
        columns in the sorted order of ``y``: ``cutoff="noise"`` and
        ``weighting="consensus"`` need them, and ``cutoff="auto"`` then uses
        them.
    sample_weight : array-like of shape (n_samples,) or float, default=None
        User weights, finite and non-negative, not all zero; they multiply the
        base weights before the normalization.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        Finite, non-negative sample weights (positive for the built-in modes
        unless ``sample_weight`` has zeros or ``scale="none"`` meets a share
        of 0). The product is normalized without forming it in floats, so any
        finite weights and strength give finite weights with the promised
        mean; only a weight more than about ``1e308`` times below the largest
        (of its class) loses precision or underflows to 0.

    Raises
    ------
    ValueError
        If a cut-off mode meets a negative difficulty, or ``cutoff="noise"``
        lacks ``y`` or ``heldout_proba``;
        if a callable ``weighting`` returns NaN, infinite or negative weights;
        if every weight is zero; if all but one of the positive weights
        underflow to 0 after normalization (their ratio is beyond the float
        range); or if, with ``normalize=None``, the product overflows or
        underflows to 0 everywhere.

    See Also
    --------
    easy_first, hard_first, medium_first, two_ends : The rank-based schemes.
    difficulty_cutoff : The cut-off of the cut-off modes.

    Notes
    -----
    With base weights :math:`b_i` and user weights :math:`u_i`,
    ``normalize="mean"`` returns :math:`w_i = n\\, b_i u_i / \\sum_j b_j u_j`
    and ``normalize="class"`` returns
    :math:`w_i = \\frac{n}{K}\\, b_i u_i / \\sum_{j: y_j = y_i} b_j u_j`
    with :math:`K` classes.

    Examples
    --------
    >>> from skdifficulty import difficulty_weights
    >>> difficulty = [0.1, 0.5, 2.0, 0.3]
    >>> difficulty_weights(difficulty, strength=1.0)
    array([1.75, 0.75, 0.25, 1.25])
    >>> difficulty_weights(difficulty, [0, 0, 1, 1], normalize="class")
    array([1.4       , 0.6       , 0.33333333, 1.66666667])
    >>> difficulty_weights(difficulty, weighting="huber", cutoff=1.0, normalize=None)
    array([1. , 1. , 0.5, 1. ])
    """
    # A common factor cancels in the normalization, and avoids huge logs.
    relative = normalize is not None
    if callable(weighting):
        mantissa, exponent = _split_callable_weights(
            _callable_weights(weighting, difficulty, y), strength, relative=relative
        )
    elif weighting in LABEL_MODES:
        check_length(y, check_float_vector(difficulty, "difficulty").shape[0], "y")
        mantissa, exponent = _split_log(
            _log_consensus_weights(y, heldout_proba, strength), relative=relative
        )
    elif weighting in CUTOFF_MODES:
        d = check_float_vector(difficulty, "difficulty")
        check_length(y, d.shape[0], "y", unit="samples")
        c = _sample_cutoffs(d, y, cutoff, heldout_proba)
        mantissa, exponent = _split_log(
            _log_cutoff_weights(d, c, weighting, strength), relative=relative
        )
    else:
        mantissa, exponent = _split_log(
            _log_weights(difficulty, weighting, strength, scale), relative=relative
        )
    n_samples = mantissa.shape[0]
    check_length(y, n_samples, "y", unit="samples")
    sw = check_weights(sample_weight, n_samples)
    if sw is not None:
        # Multiply mantissas and add exponents: nothing leaves the float range.
        sw_mantissa, sw_exponent = _split(sw)
        mantissa = mantissa * sw_mantissa
        exponent = exponent + sw_exponent
    if not np.any(mantissa > 0):
        raise ValueError(
            "Every weight is zero: the weighting gives zero weight to every sample"
            + ("." if sw is None else " that sample_weight keeps.")
        )
    if normalize == "class":
        classes, codes = _class_codes(y)
        w = _normalize_per_class(mantissa, exponent, classes, codes)
    elif normalize == "mean":
        w = _combine(mantissa, exponent)
        w *= n_samples / w.sum()  # the largest is in [0.25, 2): no overflow
    else:
        w = _combine(mantissa, exponent, scale=False)
    _check_representable(
        mantissa, w, normalize, _fixes(weighting, strength, sample_weight)
    )
    return w
