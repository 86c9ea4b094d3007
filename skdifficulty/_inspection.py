"""Which samples to check: suggested labels and flags from a fitted difficulty.

A fitted :class:`~skdifficulty.DifficultyEstimator` holds every sample's
held-out probabilities (or predictions). :func:`difficulty_table` turns them,
with the labels the estimator was fitted on, into one row per sample: the
given and the suggested label, their held-out probabilities, the difficulty
rank, and a flag for the samples that look mislabeled (classification) or
whose targets are outliers (regression).

The flag rules
--------------
Classification: the share of wrong labels is estimated as confident learning
does (Northcutt, Jiang and Chuang, "Confident Learning: Estimating
Uncertainty in Dataset Labels", JAIR 2021), and that many samples, the
hardest ones, are flagged. With ``p(j | x)`` the mean held-out probability of
class ``j``, the threshold of class ``j`` is ``t_j``, the mean of
``p(j | x)`` over the samples labelled ``j``. A sample labelled ``i`` is
counted in cell ``(i, j)`` of the confident joint ``C``, where ``j`` is its
most probable class among those with ``p(j | x) >= t_j`` (samples with no such
class are not counted). Each row of ``C`` is rescaled to the number of
samples labelled ``i`` (calibration), and the off-diagonal share of the
result estimates the share of wrong labels.

Regression: the residual is ``y - heldout_prediction_``; a sample is flagged
when ``|residual - median| > 3.5 * 1.4826 * MAD`` (the modified z-score of
Iglewicz and Hoaglin, 1993, above 3.5; 1.4826 scales the median absolute
deviation MAD to the standard deviation of normal residuals). The median and
the MAD are those of the residuals not flagged: they are computed over all
residuals, then again without the flagged ones, until no flag changes. When
more than half of the residuals are equal (MAD 0), 1.2533 times the mean
absolute deviation takes its place and the rounds stop (the weighting's
cut-off uses the same robust scale).

A given ``flag_share`` replaces both rules: that share of the samples is
flagged, the hardest first (classification) or those with the largest
``|residual - median|`` (regression).
"""

from numbers import Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted, column_or_1d

from .utils._compat import HasMethods, Interval, validate_params
from .utils._confident import estimate_noise_share
from .utils._optional import import_optional
from .utils._robust import robust_center_scale
from .utils._validation import label_codes

__all__ = ["difficulty_table"]

OUTLIER_CUTOFF = 3.5
"""Modified z-score above which a regression target is flagged."""

CLASSIFICATION_COLUMNS = (
    "difficulty_rank",
    "flagged",
    "given_label",
    "suggested_label",
    "suggested_proba",
    "given_proba",
)
REGRESSION_COLUMNS = (
    "difficulty_rank",
    "flagged",
    "given_value",
    "predicted_value",
    "residual",
)
SCORE_COLUMNS = ("difficulty", "bias", "variance", "n_evaluations")


def robust_deviation(residual, cutoff=OUTLIER_CUTOFF, max_rounds=50):
    """``|residual - center|`` in units of the residuals' robust scale.

    The center is the median and the scale 1.4826 times the median absolute
    deviation (MAD) of the residuals that lie within ``cutoff`` scales of the
    center: both are computed over all residuals, then again over those
    within the cut-off, until the rows within it no longer change (at most
    ``max_rounds`` times). Gross errors inflate a single MAD (with 30% of
    them, by about half), hiding the smaller ones; each round takes the
    found ones out. When the MAD of the first round is 0 (more than half the
    residuals tie), 1.2533 times the mean absolute deviation takes its place
    and the rounds stop; in a later round, the round before stands. When the
    mean absolute deviation is 0 too, all deviations are 0 (the rule of
    ``utils._robust.robust_center_scale``).

    >>> robust_deviation(np.array([0.0, 1.0, -1.0, 2.0, 30.0])).round(2).tolist()
    [0.34, 0.34, 1.01, 1.01, 19.9]
    """
    residual = np.asarray(residual, dtype=np.float64)
    center, scale = robust_center_scale(residual, cutoff, max_rounds=max_rounds)
    if scale == 0:  # all residuals are equal
        return np.zeros_like(residual)
    return np.abs(residual - center) / scale


def _top(order_key, n_flagged):
    """A mask of the ``n_flagged`` samples with the largest ``order_key``;
    ties go to the earlier sample."""
    flagged = np.zeros(order_key.shape[0], dtype=bool)
    flagged[np.argsort(-order_key, kind="stable")[:n_flagged]] = True
    return flagged


def _difficulty_rank(difficulty):
    """1 for the hardest sample; ties ranked in sample order."""
    rank = np.empty(difficulty.shape[0], dtype=np.int64)
    rank[np.argsort(-difficulty, kind="stable")] = np.arange(1, difficulty.shape[0] + 1)
    return rank


def inspect(estimator, y, *, flag_share=None):
    """The columns of :func:`difficulty_table` as arrays, and how rows were flagged.

    Returns a Bunch with ``columns`` (a dict of arrays, in column order),
    ``task`` ("classification" or "regression"), ``rule`` (a sentence that
    says how the rows were flagged), ``noise_share`` (the estimated share of
    wrong labels, classification only, else None) and ``classes``. The
    caller validates ``flag_share`` (None, or a number from 0 to 1).
    """
    check_is_fitted(estimator, "difficulty_")
    difficulty = np.asarray(estimator.difficulty_, dtype=np.float64)
    n_samples = difficulty.shape[0]
    y = column_or_1d(np.asarray(y), warn=False)
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y has {y.shape[0]} labels but the estimator scored {n_samples} "
            "samples; pass the labels it was fitted with."
        )
    rank = _difficulty_rank(difficulty)
    n_share = None if flag_share is None else round(flag_share * n_samples)
    if hasattr(estimator, "classes_"):
        classes = estimator.classes_
        codes = label_codes(y, classes)
        proba = np.asarray(estimator.heldout_proba_, dtype=np.float64)
        suggested = proba.argmax(axis=1)
        noise_share, _ = estimate_noise_share(proba, codes)
        if n_share is None:
            n_flagged = round(noise_share * n_samples)
            rule = (
                f"the {n_flagged} hardest rows, as many as the share of wrong labels "
                f"that confident learning estimates ({noise_share:.1%})"
            )
        else:
            n_flagged = n_share
            rule = f"the {n_flagged} hardest rows (flag share {flag_share:g})"
        values = (
            rank,
            _top(difficulty, n_flagged),
            y,
            classes[suggested],
            proba[np.arange(n_samples), suggested],
            proba[np.arange(n_samples), codes],
        )
        columns = dict(zip(CLASSIFICATION_COLUMNS, values, strict=True))
        task = "classification"
    else:
        classes, noise_share = None, None
        y = y.astype(np.float64)
        prediction = np.asarray(estimator.heldout_prediction_, dtype=np.float64)
        residual = y - prediction
        deviation = robust_deviation(residual)
        if n_share is None:
            flagged = deviation > OUTLIER_CUTOFF
            rule = (
                f"residuals more than {OUTLIER_CUTOFF:g} robust standard deviations "
                "(1.4826 x MAD) from the median, both of the rows not flagged"
            )
        else:
            flagged = _top(deviation, n_share)
            rule = (
                f"the {n_share} rows whose residuals lie farthest from their median "
                f"(flag share {flag_share:g})"
            )
        values = (rank, flagged, y, prediction, residual)
        columns = dict(zip(REGRESSION_COLUMNS, values, strict=True))
        task = "regression"
    columns["difficulty"] = difficulty
    for name in SCORE_COLUMNS[1:]:  # bias and variance: losses with a split only
        if hasattr(estimator, f"{name}_"):
            columns[name] = np.asarray(getattr(estimator, f"{name}_"))
    return Bunch(
        columns=columns,
        task=task,
        rule=rule,
        noise_share=noise_share,
        classes=classes,
    )


@validate_params(
    {
        "estimator": [HasMethods(["fit", "transform"])],
        "y": ["array-like"],
        "flag_share": [Interval(Real, 0, 1, closed="both"), None],
        "as_frame": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def difficulty_table(estimator, y, *, flag_share=None, as_frame=True):
    """One row per training sample: its difficulty, suggested label and flag.

    The rows of a fitted :class:`~skdifficulty.DifficultyEstimator`, in the
    order of its training samples, with what to check first: the label the
    held-out models favour, how probable they find it and the given label,
    the difficulty rank, and a flag for the samples that look mislabeled (for
    regression: whose targets are outliers). ``skdifficulty score`` writes
    the same columns.

    Read more in the :ref:`User Guide <rows_to_check>`.

    Parameters
    ----------
    estimator : DifficultyEstimator
        A fitted estimator.
    y : array-like of shape (n_samples,)
        The labels (targets) it was fitted with; it does not keep them.
    flag_share : float or None, default=None
        ``None`` flags by the data-driven rule: for classification, as many
        of the hardest samples as the share of wrong labels that confident
        learning estimates from the held-out probabilities (Northcutt et al.,
        2021); for regression, the residuals more than 3.5 robust standard
        deviations (1.4826 x MAD) from the median, the median and the MAD
        being those of the residuals not flagged. A number from 0 to 1
        flags that share of the samples instead: the hardest ones
        (classification), or those whose residuals lie farthest from the
        median (regression).
    as_frame : bool, default=True
        Return a pandas DataFrame (pandas must be installed); ``False``
        returns a dict of NumPy arrays with the same keys.

    Returns
    -------
    table : pandas DataFrame or dict of ndarray
        One row per sample; for a pandas Series ``y``, with its index. The
        columns are:

        - ``difficulty_rank``: 1 for the hardest sample.
        - ``flagged``: whether the sample is among those to check.
        - classification: ``given_label``, ``suggested_label`` (the class
          with the largest mean held-out probability), ``suggested_proba``
          and ``given_proba`` (the mean held-out probabilities of the two;
          the share of held-out models that predicted them with
          ``loss="zero_one"``).
        - regression: ``given_value``, ``predicted_value`` (the mean held-out
          prediction) and ``residual`` (given minus predicted).
        - ``difficulty``, ``bias`` and ``variance`` (the last two for losses
          with a split), and ``n_evaluations``.

    See Also
    --------
    skdifficulty.DifficultyEstimator : Computes the held-out scores.
    skdifficulty.plotting.DifficultyDisplay : Plots the difficulty per class.

    Notes
    -----
    The confident joint counts a sample labelled ``i`` in cell ``(i, j)``
    when ``j`` is its most probable class among those whose held-out
    probability reaches their threshold ``t_j``, the mean held-out
    probability of class ``j`` over the samples labelled ``j``. Each row is
    rescaled to the number of samples labelled ``i``; the off-diagonal share
    then estimates the share of wrong labels.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdifficulty import DifficultyEstimator, difficulty_table
    >>> X, y = load_iris(return_X_y=True)
    >>> y[[0, 60, 120]] = [2, 0, 1]  # three wrong labels
    >>> est = DifficultyEstimator(n_repeats=2, random_state=0).fit(X, y)
    >>> table = difficulty_table(est, y)
    >>> table.loc[[0, 60, 120], ["given_label", "suggested_label", "flagged"]]
         given_label  suggested_label  flagged
    0              2                0     True
    60             0                1     True
    120            1                2     True
    >>> int(table["flagged"].sum())
    4
    """
    index = getattr(y, "index", None)
    result = inspect(estimator, y, flag_share=flag_share)
    if not as_frame:
        return dict(result.columns)
    pandas = import_optional(
        "pandas",
        "difficulty_table(as_frame=True)",
        otherwise="or pass as_frame=False for a dict of arrays",
    )
    if index is not None and not isinstance(index, pandas.Index):
        index = None
    return pandas.DataFrame(result.columns, index=index)
