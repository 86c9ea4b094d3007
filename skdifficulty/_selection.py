"""Choosing a weighting scheme by cross-validation without chasing noise.

A grid search over weighting schemes may compare candidates whose true
differences are smaller than the fold-to-fold noise of their scores: taking
the best mean score then picks at random among near-ties, and the lucky pick
can lose to the plain baseline on new data. :class:`BaselineRefit` is a ``refit``
rule for :class:`~sklearn.model_selection.GridSearchCV` that keeps the
baseline (by default ``weighting="none"``) unless a candidate beats it
clearly, fold by fold.
"""

import re
from numbers import Real

import numpy as np

from .utils._compat import Interval, validate_params


class BaselineRefit:
    """Pick the best candidate of a search only where it clearly beats a baseline.

    Pass an instance as ``refit`` to
    :class:`~sklearn.model_selection.GridSearchCV` or
    :class:`~sklearn.model_selection.RandomizedSearchCV`. It compares every
    candidate with the baseline on the same cross-validation splits: with
    :math:`g_{k}` the candidate's score minus the baseline's on split
    :math:`k` of :math:`K`, the candidate *clearly beats* the baseline when

    .. math:: \\bar g > n_{se} \\cdot \\frac{\\operatorname{sd}(g)}{\\sqrt{K}},

    the paired one-standard-error rule. Among the candidates that clearly beat
    it, the one with the best mean score is chosen; if there is none, the
    baseline is. Comparing split by split removes the part of the noise that
    all candidates share (an easy or a hard validation fold), so a real gain
    is found with fewer splits than by comparing mean scores.

    Parameters
    ----------
    baseline : dict, default=None
        The parameters that make a candidate a baseline, e.g.
        ``{"weighting": "none"}`` (the default when None): every candidate
        whose parameters include these items is one, and the best of them by
        mean score is the baseline the others must beat.
    n_se : float, default=1.0
        How many paired standard errors a candidate's mean gain must exceed.
        0 chooses the best mean score, the baseline winning ties.
    metric : str, default="score"
        Which score to compare: ``"score"`` for a single ``scoring``, the
        name of a scorer for a multi-metric search.

    See Also
    --------
    DifficultyWeightedClassifier : The meta-estimator whose schemes such a
        search compares.

    Notes
    -----
    A search with a callable ``refit`` sets ``best_index_`` and
    ``best_params_`` but not ``best_score_``; read the chosen candidate's
    score from ``cv_results_["mean_test_score"][search.best_index_]``. Failed
    fits (NaN scores) rule a candidate out. With repeated cross-validation
    the splits overlap, so the standard error is somewhat optimistic.

    The rule trades gains it cannot tell from noise for fewer losses to the
    baseline; it does not raise the average. Over many benchmark data sets
    it scored the same on average as the best mean score and lost fewer
    cases to the baseline; with few folds or small data, a real gain may
    not clear the bar (see the user guide).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdifficulty import BaselineRefit, DifficultyWeightedClassifier
    >>> from skdifficulty import DifficultyEstimator
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DifficultyWeightedClassifier(
    ...     difficulty_estimator=DifficultyEstimator(n_repeats=1), random_state=0
    ... )
    >>> grid = {"weighting": ["none", "easy_first"], "strength": [1, 4]}
    >>> search = GridSearchCV(clf, grid, refit=BaselineRefit()).fit(X, y)
    >>> search.best_params_["weighting"]
    'none'
    """

    @validate_params(
        {
            "baseline": [dict, None],
            "n_se": [Interval(Real, 0, None, closed="left")],
            "metric": [str],
        },
        prefer_skip_nested_validation=True,
    )
    def __init__(self, baseline=None, *, n_se=1.0, metric="score"):
        self.baseline = baseline
        self.n_se = n_se
        self.metric = metric

    def __repr__(self):
        return (
            f"{type(self).__name__}(baseline={self.baseline!r}, "
            f"n_se={self.n_se!r}, metric={self.metric!r})"
        )

    def __call__(self, cv_results):
        """Return the index of the chosen candidate in ``cv_results``."""
        scores = _split_scores(cv_results, self.metric)
        mean = scores.mean(axis=1)  # NaN where a split failed
        base = self._baseline_index(cv_results["params"], mean)
        gain = scores - scores[base]
        n_splits = scores.shape[1]
        with np.errstate(invalid="ignore"):
            se = gain.std(axis=1, ddof=1) / np.sqrt(n_splits)
            clear = gain.mean(axis=1) > self.n_se * se
        clear[base] = True
        eligible = np.flatnonzero(clear)  # NaN comparisons are False
        return int(eligible[np.argmax(mean[eligible])])

    def _baseline_index(self, params, mean):
        baseline = {"weighting": "none"} if self.baseline is None else self.baseline
        matches = [
            i
            for i, p in enumerate(params)
            if all(k in p and _same(p[k], v) for k, v in baseline.items())
        ]
        if not matches:
            raise ValueError(
                f"No candidate of the search has the baseline parameters "
                f"{baseline!r}; add one to the grid (e.g. {{'weighting': "
                f"['none']}}) or pass the baseline it has."
            )
        finite = [i for i in matches if np.isfinite(mean[i])]
        if not finite:
            raise ValueError(
                f"Every baseline candidate {baseline!r} has a failed split "
                f"(a NaN score); cannot compare the others with it."
            )
        return max(finite, key=lambda i: mean[i])


def _same(a, b):
    """Parameter equality that also works for arrays and estimators."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _split_scores(cv_results, metric):
    """Per-split test scores, shape (n_candidates, n_splits)."""
    pattern = re.compile(rf"split(\d+)_test_{re.escape(metric)}")
    splits = {
        int(m.group(1)): cv_results[k]
        for k in cv_results
        if (m := pattern.fullmatch(k)) is not None
    }
    if not splits:
        found = sorted(
            k.removeprefix("mean_test_")
            for k in cv_results
            if k.startswith("mean_test_")
        )
        raise ValueError(
            f"cv_results has no per-split scores for metric {metric!r}; its "
            f"metrics are {found}. Pass metric=<scorer name> for a "
            f"multi-metric search."
        )
    if len(splits) < 2:
        raise ValueError(
            "BaselineRefit needs at least 2 cross-validation splits to "
            f"estimate a standard error; the search has {len(splits)}."
        )
    return np.column_stack([np.asarray(splits[k], dtype=float) for k in sorted(splits)])
