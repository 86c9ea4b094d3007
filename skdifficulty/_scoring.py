"""Scorers for searches on noisy labels: score only the clean validation samples.

A search over weighting schemes scores its candidates on validation folds
whose labels are as wrong as the training labels. The wrong labels there
reward the candidates that fit them: a balanced accuracy on the noisy labels
of a rare class, most of whose labels came from other classes, is highest for
the candidate that predicts the rare class for those other samples.
:func:`make_clean_scorer` builds a scorer that leaves out the validation
samples whose held-out difficulty is beyond a cut-off, and scores every
candidate of a split on the same samples.
"""

import threading
from collections import OrderedDict
from numbers import Integral, Real

import joblib
import numpy as np
from scipy import sparse
from sklearn.base import clone, is_regressor

from .estimate._defaults import default_estimator
from .estimate._estimator import DifficultyEstimator
from .utils._compat import (
    HasMethods,
    Interval,
    Scorer,
    StrOptions,
    check_method_params,
    safe_indexing,
    validate_params,
)
from .weighting._cutoffs import difficulty_cutoff

CLEAN_SOURCES = ("difficulty", "validation")
"""Names accepted by ``make_clean_scorer(source=...)``."""

CLEAN_CUTOFFS = ("mad", "mixture", "noise")
"""Cut-off names accepted by ``make_clean_scorer(cutoff=...)``."""

# The validation fold's own difficulty, by reference, cut-off and data: the
# candidates of a search (and, in a worker process, the tasks it receives)
# are scored on the same fold many times. Boolean masks only, so 256 of them
# cost little; a search cycles through its folds once per candidate, so the
# cache must hold every fold of a split plan.
_MAX_CACHED_FOLDS = 256
_FOLD_CACHE = OrderedDict()
_FOLD_CACHE_LOCK = threading.Lock()


class _CleanScorer(Scorer):
    """A scikit-learn scorer that scores only the clean validation samples.

    Built by :func:`make_clean_scorer`; see there.
    """

    def __init__(
        self,
        score_func,
        sign,
        kwargs,
        response_method,
        *,
        source,
        cutoff,
        difficulty_estimator,
    ):
        super().__init__(score_func, sign, kwargs, response_method)
        self._source = source
        self._cutoff = cutoff
        self._difficulty_estimator = difficulty_estimator

    def __repr__(self):
        name = getattr(self._score_func, "__name__", None) or repr(self._score_func)
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        estimator = (
            ""
            if self._difficulty_estimator is None
            else f", difficulty_estimator={self._difficulty_estimator!r}"
        )
        kwargs = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        return (
            f"make_clean_scorer({name}{sign}, source={self._source!r}, "
            f"cutoff={self._cutoff!r}{estimator}, "
            f"response_method={self._response_method!r}{kwargs})"
        )

    def clean_mask(self, estimator, X, y):
        """Which samples of ``X`` the scorer scores ``estimator`` on.

        Parameters
        ----------
        estimator : estimator object
            The fitted estimator to score (with ``source="difficulty"``, a
            fitted difficulty-weighted meta-estimator).
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Validation samples.
        y : array-like of shape (n_samples,)
            Their labels (targets), wrong ones included.

        Returns
        -------
        mask : ndarray of bool of shape (n_samples,)
            True for the samples within the cut-off.
        """
        y = np.asarray(y)
        if y.ndim != 1:
            raise ValueError(
                f"y must be 1-D (one label per sample); got an array of shape "
                f"{y.shape}."
            )
        regression = is_regressor(estimator)
        if regression and self._cutoff == "noise":
            raise ValueError(
                "cutoff='noise' estimates wrong class labels by confident learning, "
                f"but {type(estimator).__name__} is a regressor; use cutoff='mad' "
                "or 'mixture'."
            )
        if self._source == "difficulty":
            difficulty, proba = _candidate_difficulty(estimator, X, y)
            return _within_cutoff(difficulty, proba, y, self._cutoff, regression)
        reference = self._reference(regression, sparse.issparse(X))
        return _validation_mask(reference, X, y, self._cutoff, regression)

    def _reference(self, regression, sparse_input):
        """The difficulty estimator that measures a validation fold."""
        if self._difficulty_estimator is None:
            reference = DifficultyEstimator(keep_estimators=False, random_state=0)
        else:
            reference = clone(self._difficulty_estimator)
        params = reference.get_params()
        if "estimator" in params and params["estimator"] is None:
            # The task of the scored estimator decides: integer targets of a
            # regressor would look like classes.
            reference.set_params(
                estimator=default_estimator(regression=regression, sparse=sparse_input)
            )
        return reference

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        kept = np.flatnonzero(self.clean_mask(estimator, X, y_true))

        def kept_predictions(fitted, method, *args, **method_kwargs):
            # The predictions of every sample, then the kept ones: a
            # multi-metric search caches the first for all its scorers.
            return safe_indexing(
                method_caller(fitted, method, *args, **method_kwargs), kept
            )

        # Per-sample metadata (sample_weight, ...) follows the kept samples,
        # as cross-validation indexes fit parameters.
        kwargs = check_method_params(X, kwargs, indices=kept)
        return super()._score(
            kept_predictions, estimator, X, safe_indexing(y_true, kept), **kwargs
        )


def _candidate_difficulty(estimator, X, y):
    """Held-out difficulty of ``(X, y)`` from the candidate's kept models."""
    name = type(estimator).__name__
    fitted = getattr(estimator, "difficulty_estimator_", None)
    if fitted is None:
        raise ValueError(
            f"source='difficulty' scores with the resampled models of a fitted "
            f"DifficultyWeightedClassifier or DifficultyWeightedRegressor, but "
            f"{name} has no difficulty_estimator_. Search over the meta-estimator "
            f"itself (wrap a pipeline in it, not it in a pipeline), or use "
            f"source='validation' for any estimator."
        )
    if getattr(estimator, "refine", 0):
        raise ValueError(
            f"source='difficulty' needs the same resampled models for every "
            f"candidate, but with refine={estimator.refine} the last round's "
            f"models were trained with the candidate's own weights. Search with "
            f"refine=0, or use source='validation'."
        )
    if not hasattr(fitted, "_heldout_scores") or not hasattr(fitted, "estimators_"):
        raise ValueError(
            f"source='difficulty' scores the validation samples with the resampled "
            f"models of {name}'s difficulty estimator, which were not kept. Pass "
            f"difficulty_estimator=DifficultyEstimator(..., keep_estimators=True) "
            f"to the meta-estimator, or use source='validation'."
        )
    scores, mean_prediction = fitted._heldout_scores(X, y)
    if is_regressor(estimator):
        return scores["difficulty"], None
    # Columns of the classes present in y, in their sorted order (the order
    # difficulty_cutoff expects).
    present = np.isin(fitted.classes_, np.unique(y))
    return scores["difficulty"], mean_prediction[:, present]


def _validation_mask(reference, X, y, cutoff, regression):
    """The clean samples of a validation fold by its own cross-fitted difficulty."""
    key = joblib.hash((reference, cutoff, regression, X, y))
    with _FOLD_CACHE_LOCK:
        if key in _FOLD_CACHE:
            _FOLD_CACHE.move_to_end(key)
            return _FOLD_CACHE[key].copy()
    fitted = reference.fit(X, y)
    # A difficulty without held-out probabilities (training dynamics) can
    # still be cut by its distribution.
    proba = None if regression else getattr(fitted, "heldout_proba_", None)
    mask = _within_cutoff(fitted.difficulty_, proba, y, cutoff, regression)
    with _FOLD_CACHE_LOCK:
        _FOLD_CACHE[key] = mask
        while len(_FOLD_CACHE) > _MAX_CACHED_FOLDS:
            _FOLD_CACHE.popitem(last=False)
    return mask.copy()


def _within_cutoff(difficulty, proba, y, cutoff, regression):
    labels = None if regression else y
    if isinstance(cutoff, str):
        limit = difficulty_cutoff(
            difficulty, labels, method=cutoff, heldout_proba=proba
        )
    else:
        limit = float(cutoff)
    mask = difficulty <= limit
    if not mask.any():
        raise ValueError(
            f"No validation sample has a difficulty within the cut-off {cutoff!r} "
            f"(the smallest is {difficulty.min():.3g}): nothing is left to score. "
            f"Raise cutoff, or use one estimated from the data ('mad')."
        )
    return mask


@validate_params(
    {
        "score_func": [callable],
        "response_method": [
            list,
            tuple,
            StrOptions({"predict", "predict_proba", "decision_function"}),
        ],
        "greater_is_better": ["boolean"],
        "source": [StrOptions(set(CLEAN_SOURCES))],
        "cutoff": [
            StrOptions(set(CLEAN_CUTOFFS)),
            Interval(Real, 0, None, closed="left"),
        ],
        "difficulty_estimator": [HasMethods(["fit"]), None],
    },
    prefer_skip_nested_validation=True,
)
def make_clean_scorer(
    score_func,
    *,
    response_method="predict",
    greater_is_better=True,
    source="difficulty",
    cutoff="mad",
    difficulty_estimator=None,
    **kwargs,
):
    """Make a scorer that scores only the validation samples with clean labels.

    Built like :func:`sklearn.metrics.make_scorer`, for
    ``GridSearchCV(scoring=...)`` and every other ``scoring`` parameter. When
    the validation labels are as noisy as the training labels, a plain scorer
    rewards the candidates that fit the wrong labels. This one first measures
    the held-out difficulty of every validation sample under its given label,
    leaves out those beyond a cut-off of that difficulty (the likely wrong
    labels), and applies ``score_func`` to the rest. The difficulty does not
    depend on the candidate being scored, so all candidates of a split are
    scored on the same samples.

    Read more in the :ref:`User Guide <clean-scoring>`.

    Parameters
    ----------
    score_func : callable
        Score function (or loss function) with signature
        ``score_func(y, y_pred, **kwargs)``, as for ``make_scorer``.
    response_method : {"predict", "predict_proba", "decision_function"} or \
            list/tuple of such str, default="predict"
        The estimator's method whose output ``score_func`` receives, as for
        ``make_scorer``.
    greater_is_better : bool, default=True
        Whether ``score_func`` is a score (True) or a loss (False, the scorer
        then returns its negative), as for ``make_scorer``.
    source : {"difficulty", "validation"}, default="difficulty"
        Where the validation samples' difficulty comes from:

        - "difficulty": the resampled models of the scored estimator's fitted
          ``difficulty_estimator_``, which a
          :class:`DifficultyWeightedClassifier` or
          :class:`DifficultyWeightedRegressor` fitted on the training part of
          the split: none of them saw the validation fold. Its
          ``difficulty_estimator`` must keep them
          (``DifficultyEstimator(keep_estimators=True)``), and ``refine`` must
          be 0. Candidates that share the difficulty settings and a
          ``random_state`` (or ``memory``) share these models.
        - "validation": a difficulty measured on the validation fold alone,
          by cross-fitting ``difficulty_estimator`` on it: it works for any
          estimator, but its models train on a fifth of a fold (with 5
          folds), which is little for a rare class.
    cutoff : {"mad", "mixture", "noise"} or float, default="mad"
        Which samples count as clean: those whose difficulty is at most the
        cut-off of :func:`difficulty_cutoff`, estimated within each class of
        the validation fold (over all of it for a regressor), or the number
        given on the difficulty's own scale. "mad" leaves out only the clear
        outliers of each class; "noise" (classification) leaves out as many
        as confident learning estimates wrong labels, and with them the hard
        clean samples.
    difficulty_estimator : DifficultyEstimator, default=None
        With ``source="validation"`` only: the estimator cross-fitted on each
        validation fold. ``None`` means ``DifficultyEstimator(random_state=0,
        keep_estimators=False)`` around the library's default estimator of
        the scored estimator's task. Give it an integer ``random_state``, so
        that every candidate is scored on the same samples.
    **kwargs : dict
        Other parameters of ``score_func``, as for ``make_scorer``.

    Returns
    -------
    scorer : callable
        A scikit-learn scorer ``scorer(estimator, X, y)``; it accepts
        ``sample_weight`` (and routed metadata) as scorers of ``make_scorer``
        do, indexed like the kept samples. ``scorer.clean_mask(estimator, X,
        y)`` returns which samples it scores.

    See Also
    --------
    BaselineRefit : Keep the baseline candidate unless another clearly beats
        it; pair it with this scorer.
    difficulty_cutoff : The cut-off that decides which samples are clean.

    Notes
    -----
    A candidate is judged on the samples the difficulty calls clean, so a
    clean sample that the difficulty's models find hard is left out too: the
    score is that of the easier part of each class, the same part for every
    candidate. The difficulty's models are plain (unweighted) fits, so a
    cut-off that leaves out many samples ("noise") favours candidates that
    resemble them; "mad" leaves out few. Where most labels of a class are
    wrong (a rare class that received many samples of a common one), its
    wrong labels look typical of it, and no cut-off finds them: search with
    ``refit=BaselineRefit()``, which keeps ``weighting="none"`` unless a
    candidate is clearly better.

    For a regressor the difficulty is the held-out squared error. With
    one-sided gross errors the resampled models are pulled toward them and
    the cut-off misses many: a robust metric on all samples
    (``scoring="neg_median_absolute_error"``) chose better in our trials.

    With ``source="validation"`` each fold's difficulty is cached in the
    process (by the estimator's parameters and the data), so a search fits
    it once per fold and worker process.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.metrics import balanced_accuracy_score
    >>> from sklearn.model_selection import GridSearchCV, train_test_split
    >>> from skdifficulty import (
    ...     DifficultyEstimator, DifficultyWeightedClassifier, make_clean_scorer
    ... )
    >>> from skdifficulty.datasets import flip_labels
    >>> X, y = load_iris(return_X_y=True)
    >>> y_noisy, flipped = flip_labels(y, rate=0.3, random_state=0)
    >>> X_train, X_val, y_train, y_val, _, wrong = train_test_split(
    ...     X, y_noisy, flipped, random_state=0, stratify=y_noisy
    ... )
    >>> clf = DifficultyWeightedClassifier(
    ...     difficulty_estimator=DifficultyEstimator(n_repeats=2, keep_estimators=True),
    ...     random_state=0,
    ... ).fit(X_train, y_train)
    >>> scorer = make_clean_scorer(balanced_accuracy_score)
    >>> kept = scorer.clean_mask(clf, X_val, y_val)
    >>> int(wrong.sum()), int(kept.sum()), int(wrong[kept].sum())
    (9, 31, 2)
    >>> round(float(scorer(clf, X_val, y_val)), 3)
    0.828

    Of the 38 validation samples, 9 have a wrong label; the scorer keeps 31,
    2 of them wrong. In a search:

    >>> grid = {"weighting": ["none", "easy_first", "hard_first"], "strength": [4]}
    >>> search = GridSearchCV(clf, grid, scoring=scorer).fit(X_train, y_train)
    >>> search.best_params_["weighting"]
    'easy_first'
    """
    if difficulty_estimator is not None and source != "validation":
        raise ValueError(
            f"difficulty_estimator is the estimator cross-fitted on each validation "
            f"fold with source='validation'; with source={source!r} the scored "
            f"estimator's own difficulty is used. Pass source='validation', or "
            f"drop difficulty_estimator."
        )
    if difficulty_estimator is not None:
        random_state = difficulty_estimator.get_params().get("random_state", 0)
        if not isinstance(random_state, Integral):
            raise ValueError(
                f"difficulty_estimator needs an integer random_state, so that every "
                f"candidate of a search is scored on the same validation samples; "
                f"got random_state={random_state!r}. Pass e.g. random_state=0."
            )
    sign = 1 if greater_is_better else -1
    return _CleanScorer(
        score_func,
        sign,
        kwargs,
        response_method,
        source=source,
        cutoff=cutoff,
        difficulty_estimator=difficulty_estimator,
    )
