"""Meta-estimators that fit any estimator with difficulty-based sample weights."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
    clone,
    is_classifier,
    is_regressor,
)
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from ._inspection import label_codes
from ._routing import (
    check_takes_weights,
    estimator_router,
    fit_params_with_weights,
    prepare_for_weights,
)
from .estimate._defaults import default_estimator
from .estimate._estimator import DifficultyEstimator
from .nets._rules import is_skorch_net
from .utils._compat import (
    HasMethods,
    Hidden,
    Interval,
    StrOptions,
    fit_context,
    num_samples,
)
from .utils._confident import confident_relabel
from .utils._validation import check_has_features, check_weights
from .weighting._modes import LABEL_MODES
from .weighting._weights import (
    WEIGHTING_CONSTRAINTS,
    WEIGHTING_MODES,
    difficulty_weights,
)


def _estimator_has(attr):
    """Whether the fitted (or else the unfitted) wrapped estimator has ``attr``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._base_estimator(), attr)

    return check


def _fit_difficulty(difficulty, X, y, sample_weight, groups, fit_params):
    """Fit a DifficultyEstimator; a module-level function so joblib can cache it."""
    if groups is not None:
        fit_params = {**fit_params, "groups": groups}
    return difficulty.fit(X, y, sample_weight=sample_weight, **fit_params)


class _DifficultyWeightedBase(MetaEstimatorMixin, BaseEstimator):
    """Difficulty of the training data, turned into weights, then a weighted fit.

    A subclass provides the task's side, as the classifier and the regressor
    do: ``_default(sparse)`` (the estimator used when ``estimator`` is None),
    ``_check_estimator_kind(estimator)`` (refuse an estimator of the other
    task) and ``_check_targets(y)`` (refuse targets of the other task before
    any resampled fit).
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

        difficulty = self._difficulty_estimator(estimator, hasattr(X, "toarray"))
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
        if not (isinstance(self.weighting, str) and self.weighting == "auto"):
            return self.weighting
        if (
            is_classifier(self)
            and is_skorch_net(self._base_estimator())
            and hasattr(difficulty_estimator, "heldout_proba_")
        ):
            return "consensus"
        return "easy_first"

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

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """Predict with the weighted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)

    @available_if(_estimator_has("score"))
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
        inner = get_tags(self._base_estimator(sparse=True))
        # What X and y may be is the wrapped estimator's to say: pairwise
        # makes cross-validation cut a precomputed kernel on both axes, the
        # others tell callers and scikit-learn's checks what data to give.
        for name in (
            "sparse",
            "allow_nan",
            "categorical",
            "string",
            "pairwise",
            "positive_only",
        ):
            setattr(tags.input_tags, name, getattr(inner.input_tags, name))
        tags.target_tags.positive_only = inner.target_tags.positive_only
        tags.non_deterministic = inner.non_deterministic
        return tags

    def _base_estimator(self, *, sparse=False):
        if self.estimator is not None:
            return self.estimator
        return self._default(sparse=sparse)

    def _given_difficulty_estimator(self):
        """``difficulty_estimator``, or the deprecated ``difficulty`` with a warning."""
        if isinstance(self.difficulty, str) and self.difficulty == "deprecated":
            return self.difficulty_estimator
        if self.difficulty_estimator is not None:
            raise ValueError(
                "Both difficulty_estimator and its old name difficulty are set; "
                "pass difficulty_estimator only."
            )
        warnings.warn(
            "The parameter difficulty was renamed difficulty_estimator in 0.2 and "
            "will be removed in 0.4; pass difficulty_estimator instead.",
            FutureWarning,
            stacklevel=4,
        )
        return self.difficulty

    def _difficulty_estimator(self, estimator, sparse):
        given = self._given_difficulty_estimator()
        if given is not None:
            difficulty = clone(given)
            if "estimator" in difficulty.get_params() and difficulty.estimator is None:
                # The difficulty's default follows this meta-estimator's task
                # (integer targets of a regressor would look like classes).
                difficulty.set_params(
                    estimator=default_estimator(
                        regression=not is_classifier(self), sparse=sparse
                    )
                )
        else:
            # The resampled models are not needed here; dropping them saves memory.
            difficulty = DifficultyEstimator(clone(estimator), keep_estimators=False)
        if self.random_state is not None:
            difficulty.set_params(random_state=self.random_state)
        return difficulty


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
        # Here, not in the base: ClassifierMixin resets classifier_tags.
        tags = super().__sklearn_tags__()
        inner = get_tags(self._base_estimator(sparse=True)).classifier_tags
        if inner is not None:
            # A binary-only classifier makes a binary-only meta-estimator.
            tags.classifier_tags.multi_class = inner.multi_class
            tags.classifier_tags.poor_score = inner.poor_score
        return tags

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
        if not self._dynamic(weighted):
            return weighted
        from .nets._dynamics import DynamicWeights

        best = getattr(difficulty_estimator, "best_epochs_", None)
        # Before the net fits the wrong labels: when the held-out members
        # were at their best, or a tenth of the way.
        start = (
            int(np.median(best)) if best is not None else weighted.max_epochs // 10
        )
        callback = DynamicWeights(start=max(1, start), strength=self.strength)
        callbacks = list(weighted.callbacks or [])
        return weighted.set_params(callbacks=[*callbacks, ("dynamic_weights", callback)])

    def _dynamic(self, estimator):
        """Whether the weights follow the net (``dynamic``, checked)."""
        net = is_skorch_net(estimator)
        # callbacks="disable" switches off every callback of a skorch net.
        disabled = net and isinstance(estimator.callbacks, str)
        if self.dynamic == "auto":
            return net and not disabled
        if self.dynamic and not net:
            raise ValueError(
                "dynamic=True reweighs the samples while a skorch net trains; "
                f"{type(estimator).__name__} is not a skorch net. Use dynamic=False."
            )
        if self.dynamic and disabled:
            raise ValueError(
                "dynamic=True adds a callback to the net, whose callbacks are "
                f"{estimator.callbacks!r}. Pass callbacks=[] instead, or use "
                "dynamic=False."
            )
        return self.dynamic

    def _fit_labels(self, difficulty_estimator, y):
        """``y``, with the confidently mislabelled samples relabelled."""
        proba = getattr(difficulty_estimator, "heldout_proba_", None)
        relabel = self.relabel
        if relabel == "auto":
            relabel = proba is not None and is_skorch_net(self._base_estimator())
        y_array = np.asarray(y)
        if not relabel:
            self.labels_, self.relabeled_ = y_array, np.zeros(len(y_array), bool)
            return y
        if proba is None:
            raise ValueError(
                "relabel=True needs held-out class probabilities, which "
                f"{type(difficulty_estimator).__name__} does not give "
                "(heldout_proba_). Use a DifficultyEstimator with "
                "loss='log_loss' or 'brier', or relabel=False."
            )
        classes = difficulty_estimator.classes_
        codes, moved = confident_relabel(proba, label_codes(y_array, classes))
        self.labels_ = np.where(moved, classes[codes], y_array)
        self.relabeled_ = moved
        return self.labels_ if moved.any() else y

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the weighted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the weighted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the weighted estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Confidence scores.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

    def _default(self, sparse=False):
        return default_estimator(sparse=sparse)

    def _check_targets(self, y):
        # A continuous y must fail here, as every classifier's does, not in
        # the difficulty's resampled fits.
        check_classification_targets(y)

    def _check_estimator_kind(self, estimator):
        if not is_classifier(estimator):
            raise ValueError(
                f"DifficultyWeightedClassifier needs a classifier; "
                f"{type(estimator).__name__} is not one. Use "
                "DifficultyWeightedRegressor for regressors."
            )
        self._dynamic(estimator)  # refuse a wrong setting before any fit


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
        inner = get_tags(self._base_estimator(sparse=True)).regressor_tags
        if inner is not None:
            tags.regressor_tags.poor_score = inner.poor_score
        return tags

    def _default(self, sparse=False):
        return default_estimator(regression=True, sparse=sparse)

    def _check_targets(self, y):
        pass  # the difficulty's fits and the regressor check real targets

    def _check_estimator_kind(self, estimator):
        if not is_regressor(estimator):
            raise ValueError(
                f"DifficultyWeightedRegressor needs a regressor; "
                f"{type(estimator).__name__} is not one. Use "
                "DifficultyWeightedClassifier for classifiers."
            )
        if self.normalize == "class":
            raise ValueError(
                "normalize='class' balances classes, which a regressor does not "
                "have; use normalize='mean' or None."
            )
        if isinstance(self.weighting, str) and self.weighting in LABEL_MODES:
            raise ValueError(
                f"weighting={self.weighting!r} compares class labels with held-out "
                "class probabilities, which a regressor does not have; use a "
                "cut-off mode ('huber', 'tukey', 'trim') or a rank mode."
            )
