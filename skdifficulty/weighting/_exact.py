"""Exact weight arithmetic: weights as ``mantissa * 2 ** exponent``.

A power of a share, or a product with user weights, can lie far beyond the
float range even where the normalized weights do not. The weights are
therefore carried as logs or as mantissas with integer exponents, rescaled
into the float range by a power of 2 (per group for ``normalize="class"``),
and only then formed and normalized; what the float range still cannot hold
is refused with the changes that would fix it.
"""

import numpy as np

_LN2 = np.log(2.0)


def _log_power(log_base, strength):
    """``strength * log_base``, refusing a strength that overflows the logs.

    A log of -inf (a weight of exactly 0) stays -inf; a finite log that
    became infinite would turn a positive weight into 0 or infinity.
    """
    with np.errstate(over="ignore"):
        log_w = strength * log_base
    if np.any(np.isfinite(log_base) & ~np.isfinite(log_w)):
        raise ValueError(
            f"strength={strength:g} is too large: strength times the log of a base "
            "weight is beyond the float range, so the weights cannot be told "
            "apart. Use a smaller strength."
        )
    return log_w


def _split(w):
    """Finite non-negative ``w`` as ``mantissa * 2 ** exponent``, exactly.

    The mantissas lie in [0.5, 1) (0 for a weight of 0); the exponents are
    integers held as floats, so that a product of weights far beyond the float
    range still has an exact exponent.
    """
    mantissa, exponent = np.frexp(w)
    return mantissa, exponent.astype(np.float64)


def _split_log(log_w, *, relative):
    """Weights given by their logs as ``mantissa * 2 ** exponent``.

    The mantissas lie in [1, 2) (0 where the log is -inf, a weight of 0), so a
    log far below or above the float range of the weight itself is kept. With
    ``relative`` the weights are divided by the largest one first (a common
    factor, which the normalization cancels).
    """
    positive = np.isfinite(log_w)
    safe = np.where(positive, log_w, 0.0)
    if relative and positive.any():
        safe = safe - safe[positive].max()
    # A weight beyond e ** 1e5 (or its inverse) is inf (or 0) however it is
    # later multiplied or rescaled; the clip keeps huge logs from losing the
    # split below to rounding.
    safe = np.clip(safe, -1e5, 1e5)
    exponent = np.floor(safe / _LN2)
    mantissa = np.where(positive, np.exp(safe - exponent * _LN2), 0.0)
    return mantissa, exponent


def _combine(mantissa, exponent, *, codes=None, n_groups=1, scale=True):
    """The weights ``mantissa * 2 ** exponent``, each group divided by a power of 2.

    With ``scale`` every group (the samples whose ``codes`` agree; all samples
    when ``codes`` is None) is divided by 2 to the largest exponent of its
    positive weights, which puts every weight of the group below 2 and its
    largest one at 0.25 or more: the sums that normalize them then cannot
    overflow. Weights more than about 2 ** 1074 times below the largest one of
    their group underflow to 0.
    """
    if codes is None:
        codes = np.zeros(mantissa.shape[0], dtype=np.intp)
    if scale:
        top = np.full(n_groups, -np.inf)
        positive = mantissa > 0
        np.maximum.at(top, codes[positive], exponent[positive])
        exponent = exponent - top[codes]  # +inf only in a group of zeros
    # Beyond +-2200 every result is 0 or inf already; the clip makes ints safe.
    shift = np.clip(np.nan_to_num(exponent), -2200, 2200).astype(np.int64)
    with np.errstate(over="ignore", under="ignore"):
        return np.ldexp(mantissa, shift)


def _normalize_per_class(mantissa, exponent, classes, codes):
    """Rescale so that every class carries the same total weight n / n_classes."""
    n_classes = classes.shape[0]
    w = _combine(mantissa, exponent, codes=codes, n_groups=n_classes)
    totals = np.bincount(codes, weights=w, minlength=n_classes)
    if np.any(totals == 0):
        empty = classes[totals == 0].tolist()
        raise ValueError(
            f"Classes {empty} have zero total weight, so normalize='class' cannot "
            "give them their share; check sample_weight."
        )
    # Each class's largest weight is in [0.25, 2): no total overflows.
    return w * (mantissa.shape[0] / n_classes) / totals[codes]


def _check_representable(before, after, normalize, fixes):
    """Refuse weights that the float range cannot hold.

    ``before`` are the mantissas of the exact weights (0 only for a weight of
    exactly 0), ``after`` the float weights computed from them, ``fixes`` what
    the caller can change.
    """
    n_positive = np.count_nonzero(before)
    rescale = (
        "Use normalize='mean' or 'class', which rescale the weights into the "
        "float range" + (f", or {fixes}." if fixes else ".")
    )
    if normalize is None and not np.all(np.isfinite(after)):
        first = int(np.flatnonzero(~np.isfinite(after))[0])
        raise ValueError(
            "With normalize=None the weights overflow: the weight of sample "
            f"{first} is beyond the largest float (about 1.8e308). " + rescale
        )
    kept = np.count_nonzero(after)
    if kept == 0:
        raise ValueError(
            f"With normalize=None all {n_positive} positive weights underflow to 0 "
            "(they are below the smallest float, about 5e-324). " + rescale
        )
    if kept == 1 and n_positive > 1:
        survivor = int(np.flatnonzero(after)[0])
        raise ValueError(
            f"The weights span more than the float range: only sample {survivor} "
            f"keeps a non-zero weight, and the other {n_positive - 1} samples with "
            "positive weight underflow to 0 (their ratio to it is below the "
            "smallest float, about 5e-324), so the fit would see a single sample."
            + (f" Use {fixes}." if fixes else "")
        )
