"""Meta-estimators that fit any estimator with difficulty-based sample weights."""

from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._routing import (
    check_takes_weights,
    estimator_router,
    fit_params_with_weights,
    prepare_for_weights,
)
from ._wrapping import (
    check_estimator_kind,
    check_regression_settings,
    delegate,
    difficulty_estimator_for,
    estimator_has,
    inherit_tags,
    inherit_task_tags,
    resolve_dynamic,
    resolve_relabel,
    resolve_weighting,
    with_dynamic_weights,
)
from .estimate._defaults import default_estimator
from .utils._compat import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
    fit_context,
    num_samples,
)
from .utils._confident import confident_relabel
from .utils._validation import check_has_features, check_weights, label_codes
from .weighting._weights import (
    WEIGHTING_CONSTRAINTS,
    WEIGHTING_MODES,
    difficulty_weights,
)


def _fit_difficulty(difficulty, X, y, sample_weight, groups, fit_params):
    """Fit a DifficultyEstimator; a module-level function so joblib can cache it."""
    if groups is not None:
        fit_params = {**fit_params, "groups": groups}
    return difficulty.fit(X, y, sample_weight=sample_weight, **fit_params)


class _DifficultyWeightedBase(MetaEstimatorMixin, BaseEstimator):
    """Difficulty of the training data, turned into weights, then a weighted fit.

    The task follows the subclass's mixin: the default estimator, the
    estimators refused, and what the weights read. A subclass adds the
    checks of its task: ``_check_settings(estimator)`` (settings that the
    estimator cannot serve) and ``_check_targets(y)`` (refuse targets of the
    other task before any resampled fit).
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"]), None],
        "difficulty_estimator": [HasMethods(["fit"]), None],
        "difficulty": [HasMethods(["fit"]), None, Hidden(StrOptions({"deprecated"}))],
        **WEIGHTING_CONSTRAINTS,
        "weighting": [StrOptions({"auto", *WEIGHTING_MODES}), callable],
        "refine": [Interval(Integral, 0, None, closed="left")],
        "memory": [None, str, HasMethods(["cache"])],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        difficulty_estimator=None,
        weighting="auto",
        strength=1.0,
        normalize="mean",
        scale="rank",
        cutoff="auto",
        refine=0,
        memory=None,
        random_state=None,
        difficulty="deprecated",
    ):
        self.estimator = estimator
        self.difficulty_estimator = difficulty_estimator
        self.weighting = weighting
        self.strength = strength
        self.normalize = normalize
        self.scale = scale
        self.cutoff = cutoff
        self.refine = refine
        self.memory = memory
        self.random_state = random_state
        self.difficulty = difficulty

    @fit_context(prefer_skip_nested_validation=False)  # the estimator is the user's
    def fit(self, X, y, sample_weight=None, *, groups=None, **fit_params):
        """Measure the difficulty of the training data and fit with its weights.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data, in any form the wrapped estimator accepts.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            User weights: passed to the difficulty's resampled fits, and
            multiplied into the difficulty weights.
        groups : array-like of shape (n_samples,), default=None
            Group labels for the difficulty's resampled fits: the samples of a
            group are held out together (see :meth:`DifficultyEstimator.fit`).
        **fit_params : dict
            Other parameters of the wrapped estimator's ``fit``, passed to the
            difficulty's resampled fits too. With metadata routing enabled,
            they are routed.

        Returns
        -------
        self : object
            The fitted meta-estimator.
        """
        estimator = self._base_estimator(sparse=hasattr(X, "toarray"))
        self._check_estimator_kind(estimator)
        check_has_features(X)
        validate_data(self, X, y, skip_check_array=True)
        self._check_targets(y)
        sample_weight = check_weights(sample_weight, num_samples(X))
        weighted = prepare_for_weights(clone(estimator))
        check_takes_weights(weighted, self)

        difficulty = difficulty_estimator_for(self, estimator, hasattr(X, "toarray"))
        cached_fit = check_memory(self.memory).cache(_fit_difficulty)
        # A fresh clone per call: a computed call fits its argument in place,
        # which would change the cache key of the next round.
        fitted = cached_fit(clone(difficulty), X, y, sample_weight, groups, fit_params)
        labels = self._fit_labels(fitted, y)
        weights = self.compute_sample_weight(fitted, labels, sample_weight)
        for _ in range(self.refine):
            # Held-out reweighting: the resampled fits now use the weights
            # (which include sample_weight), and score every sample again.
            fitted = cached_fit(clone(difficulty), X, y, weights, groups, fit_params)
            labels = self._fit_labels(fitted, y)
            weights = self.compute_sample_weight(fitted, labels, sample_weight)
        self.difficulty_estimator_ = fitted
        self.difficulty_ = fitted.difficulty_
        self.weighting_ = self._resolve_weighting(fitted)
        self.sample_weight_ = weights
        self.estimator_ = self._final_estimator(weighted, fitted)
        params = fit_params_with_weights(
            self, self.estimator_, self.sample_weight_, fit_params
        )
        self.estimator_.fit(X, labels, **params)
        return self

    def _fit_labels(self, difficulty_estimator, y):
        """The targets the wrapped estimator is fitted with: ``y`` here."""
        return y

    def _final_estimator(self, weighted, difficulty_estimator):
        """The clone fitted with the weights: ``weighted`` here."""
        return weighted

    def _resolve_weighting(self, difficulty_estimator):
        """``weighting``, with "auto" resolved (see the parameter's docs)."""
        return resolve_weighting(
            self.weighting,
            is_classifier(self),
            self._base_estimator(),
            difficulty_estimator,
        )

    def compute_sample_weight(self, difficulty_estimator, y, sample_weight=None):
        """The sample weights that this scheme gives a fitted difficulty.

        ``fit`` calls it between the difficulty and the weighted fit;
        override it to try another mapping from difficulty to weight.

        Parameters
        ----------
        difficulty_estimator : DifficultyEstimator
            A fitted difficulty estimator (its ``difficulty_``, and
            ``heldout_proba_`` for the cut-off modes of a classifier).
        y : array-like of shape (n_samples,)
            The targets it was fitted with.
        sample_weight : array-like of shape (n_samples,), default=None
            User weights, multiplied in.

        Returns
        -------
        sample_weight : ndarray of shape (n_samples,)
            The weights, normalized as ``normalize`` says.
        """
        fitted = difficulty_estimator
        classifier = is_classifier(self)
        return difficulty_weights(
            fitted.difficulty_,
            y if classifier else None,
            weighting=self._resolve_weighting(fitted),
            strength=self.strength,
            normalize=self.normalize,
            scale=self.scale,
            cutoff=self.cutoff,
            # Difficulty from training dynamics has no held-out probabilities.
            heldout_proba=getattr(fitted, "heldout_proba_", None)
            if classifier
            else None,
            sample_weight=sample_weight,
        )

    predict = delegate(
        "predict",
        "Predict with the weighted estimator.",
        "y_pred : ndarray of shape (n_samples,)",
        "Predictions.",
    )

    @available_if(estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """The weighted estimator's ``score`` on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the score.

        Returns
        -------
        score : float
            Accuracy for classifiers, R^2 for regressors, unless the wrapped
            estimator defines another.
        """
        check_is_fitted(self)
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.estimator_.score(X, y, **params)

    def get_metadata_routing(self):
        """Route ``fit``'s metadata to the wrapped estimator's ``fit``.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return estimator_router(self, self._base_estimator())

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        return inherit_tags(tags, self._base_estimator(sparse=True))

    def _base_estimator(self, *, sparse=False):
        if self.estimator is not None:
            return self.estimator
        # Not is_classifier(self), which reads the tags, which call this.
        regression = isinstance(self, RegressorMixin)
        return default_estimator(regression=regression, sparse=sparse)

    def _check_estimator_kind(self, estimator):
        """Refuse an estimator of the other task, and settings it cannot serve."""
        check_estimator_kind(estimator, is_classifier(self))
        self._check_settings(estimator)

    def _check_settings(self, estimator):
        """Refuse settings that ``estimator`` cannot serve: none here."""

    def _check_targets(self, y):
        """Refuse targets of the other task: the regressor's fits check them."""


class DifficultyWeightedClassifier(ClassifierMixin, _DifficultyWeightedBase):
    """Fit a classifier with sample weights derived from each sample's difficulty.

    The difficulty of every training sample (its expected held-out loss, see
    :class:`DifficultyEstimator`) is turned into a sample weight by a
    weighting scheme, and a clone of ``estimator`` is fitted with those
    weights. Easy-first weighting down-weights wrong labels; per-class
    normalization balances rare classes at the same time.

    Read more in the :ref:`User Guide <weighting>`.

    Parameters
    ----------
    estimator : estimator object, default=None
        The classifier to fit with weights: any estimator whose ``fit`` takes
        ``sample_weight``, a Pipeline (the weights go to its last step), or a
        skorch net. ``None`` means
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``
        (without centering for sparse ``X``).
    difficulty_estimator : DifficultyEstimator, default=None
        How to measure difficulty (any estimator with a ``difficulty_``
        attribute after ``fit``, such as
        :class:`~skdifficulty.dynamics.DynamicsDifficultyEstimator`); ``None``
        means ``DifficultyEstimator(estimator, keep_estimators=False)``.
    weighting : {"auto", "easy_first", "hard_first", "medium_first", \
            "two_ends", "huber", "tukey", "trim", "consensus", "none"} or \
            callable, default="auto"
        How difficulty maps to weight; a callable ``f(difficulty, y)``
        returns one non-negative weight per sample. "huber", "tukey" and
        "trim" keep weight 1 up to a cut-off of the difficulty, estimated
        per class, and lower it only beyond. "consensus" weighs each sample
        by ``(p_y / max_c p_c) ** strength`` of its held-out probabilities
        ``p``: 1 where the models that did not see it agree on its label.
        "auto" is "consensus" for a skorch net (with a difficulty that has
        held-out probabilities) and "easy_first" otherwise; see
        :ref:`nets-noisy-labels`. See :func:`difficulty_weights`.
    strength : float, default=1.0
        How strongly the weights follow difficulty (how fast they fall beyond
        the cut-off); 0 gives uniform weights.
    normalize : {"mean", "class"} or None, default="mean"
        ``"mean"``: weights average 1. ``"class"``: every class carries the
        same total weight (class balancing at once).
    scale : {"rank", "standard", "none"}, default="rank"
        How the share-based modes read the difficulty: its rank ("rank",
        only the order matters), a robust standardization that keeps the gaps
        ("standard"), or the value itself in [0, 1] ("none"). See
        :func:`easy_first`. Ignored by "huber", "tukey" and "trim".
    cutoff : {"auto", "mad", "mixture", "noise"} or float, default="auto"
        The cut-off of "huber", "tukey" and "trim", per class: "noise" (what
        "auto" means here) leaves beyond it as many samples as confident
        learning estimates wrong labels from the difficulty's held-out
        probabilities; "mad" and "mixture" find it in the distribution of the
        difficulty; a number is the cut-off itself. See
        :func:`difficulty_cutoff`. Ignored by the other modes.
    refine : int, default=0
        Rounds of held-out reweighting: measure the difficulty again with
        resampled fits that use the weights, and recompute the weights from
        it (iteratively reweighted, as IRLS does with residuals, but held
        out). Each round costs one more difficulty fit per set of weights.
    relabel : "auto" or bool, default="auto"
        Fit the estimator with the label that the held-out probabilities
        confidently name instead of the given one, where they name another
        (confident learning's confident joint: the class whose held-out
        probability is at or above that class's mean among its own labelled
        samples, and the largest such). The weights are then computed for
        the new labels. A wrong label's held-out models agree on another
        class (its bias is large, its variance small): the sample then
        teaches the net its likely class instead of being lost. "auto" is
        True for a skorch net (with a difficulty that has held-out
        probabilities) and False otherwise. See :ref:`nets-noisy-labels`.
    dynamic : "auto" or bool, default="auto"
        For a skorch net: let the weights follow the net while it trains
        (:class:`~skdifficulty.dynamics.DynamicWeights`, from the median of
        the difficulty's ``best_epochs_`` on): after every epoch, each
        sample's weight is multiplied by the net's own consensus with its
        label, ``(p_y / max_c p_c) ** strength``, starting from the
        difficulty weights. Costs one prediction pass over the training set
        per epoch. "auto" is True for a skorch net and False otherwise. See
        :ref:`nets-noisy-labels` for how it compares with static weights.
    memory : str or object with the joblib.Memory interface, default=None
        Caches the difficulty of a training set, so that a search over
        ``weighting``, ``strength``, ``normalize`` and ``cutoff`` runs the
        resampled fits once per training set (a ``refine`` round once per
        training set and set of weights). A path means
        ``joblib.Memory(location=path)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the difficulty's resampled fits; when not None it overrides
        ``difficulty_estimator.random_state``. The wrapped estimator keeps
        its own.
    difficulty : DifficultyEstimator, default="deprecated"
        The old name of ``difficulty_estimator``.

        .. deprecated:: 0.2
           ``difficulty`` was renamed ``difficulty_estimator`` in 0.2 and
           will be removed in 0.4.

    Attributes
    ----------
    estimator_ : estimator object
        The wrapped estimator fitted with the weights.
    difficulty_estimator_ : DifficultyEstimator
        The fitted difficulty estimator (of the last round, with ``refine``).
    difficulty_ : ndarray of shape (n_samples,)
        Difficulty of each training sample (the last round's).
    sample_weight_ : ndarray of shape (n_samples,)
        Weights the estimator was fitted with.
    weighting_ : str or callable
        The weighting used (``weighting`` with "auto" resolved).
    labels_ : ndarray of shape (n_samples,)
        The labels the estimator was fitted with (``y`` with the relabelled
        samples changed).
    relabeled_ : ndarray of shape (n_samples,) of bool
        Which training samples were fitted with another label than the given
        one (all False without ``relabel``).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, if they are all strings.

    See Also
    --------
    DifficultyEstimator : Per-sample difficulty from resampled fits.
    DifficultyWeightedRegressor : The same for regressors.
    BaselineRefit : Choose ``weighting`` and ``strength`` in a grid search
        without chasing fold-to-fold noise.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdifficulty import DifficultyWeightedClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = DifficultyWeightedClassifier(weighting="easy_first", strength=2.0)
    >>> clf.fit(X, y).predict(X[:3])
    array([0, 0, 0])
    >>> clf.sample_weight_.shape
    (150,)
    >>> round(float(clf.sample_weight_.mean()), 6)
    1.0
    """

    _parameter_constraints: dict = {
        **_DifficultyWeightedBase._parameter_constraints,
        "relabel": ["boolean", StrOptions({"auto"})],
        "dynamic": ["boolean", StrOptions({"auto"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        difficulty_estimator=None,
        weighting="auto",
        strength=1.0,
        normalize="mean",
        scale="rank",
        cutoff="auto",
        refine=0,
        relabel="auto",
        dynamic="auto",
        memory=None,
        random_state=None,
        difficulty="deprecated",
    ):
        super().__init__(
            estimator,
            difficulty_estimator=difficulty_estimator,
            weighting=weighting,
            strength=strength,
            normalize=normalize,
            scale=scale,
            cutoff=cutoff,
            refine=refine,
            memory=memory,
            random_state=random_state,
            difficulty=difficulty,
        )
        self.relabel = relabel
        self.dynamic = dynamic

    def __sklearn_tags__(self):
        # Here, not in the base: ClassifierMixin resets classifier_tags. A
        # binary-only classifier makes a binary-only meta-estimator.
        tags = super().__sklearn_tags__()
        estimator = self._base_estimator(sparse=True)
        return inherit_task_tags(tags, estimator, ("multi_class", "poor_score"))

    @property
    def classes_(self):
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        classes = getattr(self.estimator_, "classes_", None)
        if classes is None:
            # An AttributeError, as for any classifier without classes_: the
            # scorers that need them then say so.
            raise AttributeError(
                f"{type(self.estimator_).__name__} has no classes_ attribute after "
                f"fit, so {type(self).__name__} has none either; the wrapped "
                "classifier's fit must set classes_, the labels of its "
                "predict_proba columns in order (scikit-learn's classifiers set "
                "classes_ = np.unique(y))."
            )
        return classes

    def _final_estimator(self, weighted, difficulty_estimator):
        """The net with :class:`~skdifficulty.dynamics.DynamicWeights` if asked."""
        if not resolve_dynamic(self.dynamic, weighted):
            return weighted
        return with_dynamic_weights(weighted, difficulty_estimator, self.strength)

    def _fit_labels(self, difficulty_estimator, y):
        """``y``, with the confidently mislabelled samples relabelled."""
        relabel = resolve_relabel(
            self.relabel, self._base_estimator(), difficulty_estimator
        )
        y_array = np.asarray(y)
        if not relabel:
            self.labels_, self.relabeled_ = y_array, np.zeros(len(y_array), bool)
            return y
        proba = difficulty_estimator.heldout_proba_
        classes = difficulty_estimator.classes_
        codes, moved = confident_relabel(proba, label_codes(y_array, classes))
        self.labels_ = np.where(moved, classes[codes], y_array)
        self.relabeled_ = moved
        return self.labels_ if moved.any() else y

    predict_proba = delegate(
        "predict_proba",
        "Class probabilities from the weighted estimator.",
        "proba : ndarray of shape (n_samples, n_classes)",
        "Probabilities, columns in the order of ``classes_``.",
    )
    predict_log_proba = delegate(
        "predict_log_proba",
        "Log class probabilities from the weighted estimator.",
        "log_proba : ndarray of shape (n_samples, n_classes)",
        "Log probabilities, columns in the order of ``classes_``.",
    )
    decision_function = delegate(
        "decision_function",
        "Decision function of the weighted estimator.",
        "scores : ndarray of shape (n_samples,) or (n_samples, n_classes)",
        "Confidence scores.",
    )

    def _check_targets(self, y):
        # A continuous y must fail here, as every classifier's does, not in
        # the difficulty's resampled fits.
        check_classification_targets(y)

    def _check_settings(self, estimator):
        resolve_dynamic(self.dynamic, estimator)  # refuse a wrong setting early


class DifficultyWeightedRegressor(RegressorMixin, _DifficultyWeightedBase):
    """Fit a regressor with sample weights derived from each sample's difficulty.

    The regression twin of :class:`DifficultyWeightedClassifier`: difficulty
    is the expected held-out squared error of each sample.

    Read more in the :ref:`User Guide <weighting>`.

    Parameters
    ----------
    estimator : estimator object, default=None
        The regressor to fit with weights: any estimator whose ``fit`` takes
        ``sample_weight``, a Pipeline, or a skorch net. ``None`` means
        ``make_pipeline(StandardScaler(), Ridge())`` (without centering for
        sparse ``X``).
    difficulty_estimator : DifficultyEstimator, default=None
        How to measure difficulty (any estimator with a ``difficulty_``
        attribute after ``fit``, such as
        :class:`~skdifficulty.dynamics.DynamicsDifficultyEstimator`); ``None``
        means ``DifficultyEstimator(estimator, keep_estimators=False)``.
    weighting : {"auto", "easy_first", "hard_first", "medium_first", \
            "two_ends", "huber", "tukey", "trim", "none"} or callable, \
            default="auto"
        How difficulty maps to weight ("auto" is "easy_first"); a callable
        ``f(difficulty, y)`` returns one non-negative weight per sample
        (``y`` is None here).
        "huber", "tukey" and "trim" keep weight 1 up to a cut-off of the
        difficulty and lower it only beyond, as robust regression does with
        residuals. See :func:`difficulty_weights`.
    strength : float, default=1.0
        How strongly the weights follow difficulty (how fast they fall beyond
        the cut-off); 0 gives uniform weights.
    normalize : {"mean"} or None, default="mean"
        ``"mean"``: weights average 1 (``"class"`` needs classes).
    scale : {"rank", "standard", "none"}, default="rank"
        How the share-based modes read the difficulty: its rank ("rank",
        only the order matters), a robust standardization that keeps the gaps
        ("standard"), or the value itself in [0, 1] ("none"). See
        :func:`easy_first`. Ignored by "huber", "tukey" and "trim".
    cutoff : {"auto", "mad", "mixture"} or float, default="auto"
        The cut-off of "huber", "tukey" and "trim": "mad" (what "auto" means
        here) is ``(median + 3 sigma) ** 2`` of the root-mean-square held-out
        residuals, sigma from their MAD; "mixture" is where a sample becomes
        likelier to belong to the upper of two normal components; a number is
        the cut-off itself. See :func:`difficulty_cutoff`. Ignored by the
        other modes.
    refine : int, default=0
        Rounds of held-out reweighting: measure the difficulty again with
        resampled fits that use the weights, and recompute the weights from
        it (iteratively reweighted, as IRLS does with residuals, but held
        out). Each round costs one more difficulty fit per set of weights.
    memory : str or object with the joblib.Memory interface, default=None
        Caches the difficulty of a training set across fits (a ``refine``
        round once per training set and set of weights).
    random_state : int, RandomState instance or None, default=None
        Seeds the difficulty's resampled fits; when not None it overrides
        ``difficulty_estimator.random_state``. The wrapped estimator keeps
        its own.
    difficulty : DifficultyEstimator, default="deprecated"
        The old name of ``difficulty_estimator``.

        .. deprecated:: 0.2
           ``difficulty`` was renamed ``difficulty_estimator`` in 0.2 and
           will be removed in 0.4.

    Attributes
    ----------
    estimator_ : estimator object
        The wrapped estimator fitted with the weights.
    difficulty_estimator_ : DifficultyEstimator
        The fitted difficulty estimator (of the last round, with ``refine``).
    difficulty_ : ndarray of shape (n_samples,)
        Difficulty of each training sample (the last round's).
    sample_weight_ : ndarray of shape (n_samples,)
        Weights the estimator was fitted with.
    weighting_ : str or callable
        The weighting used (``weighting`` with "auto" resolved).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, if they are all strings.

    See Also
    --------
    DifficultyWeightedClassifier : The same for classifiers.
    BaselineRefit : Choose ``weighting`` and ``strength`` in a grid search
        without chasing fold-to-fold noise.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skdifficulty import DifficultyWeightedRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = DifficultyWeightedRegressor(strength=1.0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __sklearn_tags__(self):
        # Here, not in the base: RegressorMixin resets regressor_tags.
        tags = super().__sklearn_tags__()
        return inherit_task_tags(
            tags, self._base_estimator(sparse=True), ("poor_score",)
        )

    def _check_settings(self, estimator):
        check_regression_settings(self.normalize, self.weighting)
