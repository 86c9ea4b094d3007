"""DifficultyEstimator: each sample's generalization error from resampled fits."""

import warnings
from contextlib import closing
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone, is_classifier
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.utils import check_random_state, get_tags
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
    validate_data,
)
from tqdm.auto import tqdm

from .._inspection import label_codes
from .._routing import (
    check_weight_request,
    estimator_router,
    fit_params_with_weights,
    prepare_for_weights,
    routing_enabled,
)
from ..nets._rules import (
    active_callbacks,
    ends_in_net,
    is_skorch_net,
    is_slice_dataset,
    prepare_net_for_resampling,
)
from ..utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    check_feature_names_in,
    check_method_params,
    fit_context,
)
from ..utils._validation import (
    check_class_labels,
    check_features,
    check_regression_targets,
    check_weights,
)
from ._decomposition import DECOMPOSABLE_LOSSES, LOSSES, make_accumulator
from ._defaults import REGRESSION_TARGETS, default_estimator
from ._predictions import PredictionCheck
from ._resampling import RESAMPLING_METHODS, Split, make_splits, n_splits
from ._runners import MAX_SEED, Failure, FitPlan, JoblibRunner, Result

# With early_stopping="auto", all stacked members together train about this
# many trainings' worth of epochs of the net (see _member_stopping).
AUTO_MEMBER_BUDGET = 1.5


class DifficultyEstimator(TransformerMixin, BaseEstimator):
    """Per-sample difficulty: the expected loss of models trained without it.

    The training set is split many times (repeated stratified K-fold,
    bootstrap, or random subsamples). A clone of ``estimator`` is fitted on
    each training part and scores only the samples it did not see. Each
    sample's difficulty is the mean of its held-out losses, split into bias
    and variance where the loss allows it. Wrong labels, rare classes, small
    margins and overlapping classes all raise it.

    Read more in the :ref:`User Guide <difficulty>`.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``predict_proba`` (``predict`` is enough for
        ``loss="zero_one"``) or a regressor. ``None`` means
        ``make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))``
        (without centering for sparse ``X``).
    cv : int or cross-validation splitter, default=5
        Folds per repeat. A splitter (or an iterable of ``(train, test)``
        splits) is used as given, once, with ``resampling="kfold"``.
    n_repeats : int or "auto", default="auto"
        Repeats of the plan. Every plan makes ``cv * n_repeats`` fits.
        ``"auto"`` is 5, or 1 for a skorch net (each member of a net costs
        a share of a training; see :ref:`nets-noisy-labels`).
    resampling : {"kfold", "bootstrap", "subsample"}, default="kfold"
        ``"kfold"``: repeated K-fold, stratified for classifiers; each sample
        is scored once per repeat. ``"bootstrap"``: each fit trains on a
        bootstrap sample (drawn within each class for classifiers) and scores
        its out-of-bag samples. ``"subsample"``: each fit trains on a random
        subset of ``train_size`` samples and scores the rest, as the C-score
        does.
    train_size : float or int, default=None
        Share (float) or number (int) of training samples per fit with
        ``resampling="subsample"``; ``None`` means ``(cv - 1) / cv``. Ignored
        by the other plans.
    loss : {"auto", "log_loss", "brier", "zero_one", "squared_error"}, \
            default="auto"
        ``"auto"`` is ``"log_loss"`` for classifiers and ``"squared_error"``
        for regressors. ``"log_loss"`` splits exactly into bias and variance
        around the normalized geometric mean of the held-out probabilities;
        ``"brier"`` and ``"squared_error"`` around their arithmetic mean;
        ``"zero_one"`` (one minus the C-score) has no split.
    eps : float, default=1e-15
        Probabilities are clipped to ``[eps, 1]`` and renormalized before the
        log, so a zero probability for the true class costs ``-log(eps)``.
    keep_estimators : bool, default=True
        Keep the fitted resampled models in ``estimators_``: ``transform`` on
        new samples needs them. Set to False to save memory.
    on_error : {"raise", "skip"}, default="raise"
        What a failing resampled fit does: ``"raise"`` stops with the error,
        naming the repeat and fold; ``"skip"`` warns and scores samples with
        the fits that worked.
    engine : {"auto", "sequential", "stacked"}, default="auto"
        How the resampled fits run. ``"auto"`` is ``"stacked"`` for a skorch
        net that the stacked engine can train, else ``"sequential"``.
        ``"sequential"``: one clone of
        ``estimator`` per fit, in parallel with joblib (``n_jobs``).
        ``"stacked"``: for a skorch net only, all fits train together in one
        vectorized pass (``torch.vmap`` over the members' stacked
        parameters) on all samples, each member giving weight 0 to the
        samples it holds out; about the cost of one training where the
        hardware is idle during one (a GPU, a small net on a CPU). The net's
        optimizer must update each parameter on its own (SGD, Adam, AdamW,
        ...); of its callbacks it runs skorch's ``LRScheduler`` (a schedule
        that reads no score), ``GradientNormClipping`` (each member's norm
        on its own) and
        :class:`~skdifficulty.skorch.GradientValueClipping`, and refuses
        others. See :ref:`stacked-engine`.
    chunk_size : int, "auto" or None, default=None
        With ``engine="stacked"``, how many members run through the net at a
        time; ``None`` runs them all at once. Smaller chunks bound the memory
        of the activations (parameters and optimizer state stay on the
        device for all members); the gradients are the same. ``"auto"``
        takes the largest chunk that an estimate of the memory says fits on
        the net's device (the available RAM on a CPU). Whatever the setting,
        a plan that does not fit even one member at a time raises a
        ``MemoryError`` before any training.
    early_stopping : "auto" or bool, default="auto"
        With ``engine="stacked"``, stop each member at the epoch of its
        lowest held-out loss (its held-out part is a validation set of its
        own) and score with its parameters of that epoch; training ends once
        no member has improved for ``n_iter_no_change`` epochs. A net on
        noisy labels fits the wrong labels late: members stopped before they
        memorize them rank the wrong labels better. ``"auto"`` is True for
        the stacked engine and also caps every member at
        ``max(n_iter_no_change + 1, 1.5 * max_epochs / n_members)`` epochs,
        so that all members together cost about 1.5 trainings of the net
        (see :ref:`nets-noisy-labels`); True trains up to the net's
        ``max_epochs``. Costs one prediction pass of all members per epoch.
    n_iter_no_change : int, default=5
        Epochs without a new lowest held-out loss after which a member stops
        improving, with ``early_stopping``.
    record_epochs : bool, default=False
        With ``engine="stacked"``, also score every sample after every epoch
        with the members that hold it out, into ``per_epoch_`` (difficulty
        as training goes on; one more prediction pass per epoch, and
        ``n_epochs x n_samples`` floats).
    n_jobs : int, default=None
        Fits run in parallel with joblib; ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context (a Dask backend, for
        instance). Results do not depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the splits and every ``random_state`` parameter of the cloned
        estimators. An int gives identical results run to run.
    verbose : int, default=0
        Show a progress bar over the fits when positive; with
        ``engine="stacked"``, a line per epoch instead (the members' mean
        training and held-out losses, and the epoch's time).

    Attributes
    ----------
    difficulty_ : ndarray of shape (n_samples,)
        Mean held-out loss of each training sample.
    bias_ : ndarray of shape (n_samples,)
        Loss of the mean held-out prediction (losses with a split only).
    variance_ : ndarray of shape (n_samples,)
        Spread of the held-out predictions around their mean, so that
        ``bias_ + variance_ == difficulty_`` (losses with a split only).
    standard_error_ : ndarray of shape (n_samples,)
        Standard error of each ``difficulty_`` estimate over its held-out
        losses (NaN for a sample scored once).
    n_evaluations_ : ndarray of shape (n_samples,)
        Number of held-out models that scored each sample.
    heldout_proba_ : ndarray of shape (n_samples, n_classes)
        Mean held-out probabilities (classifiers); with ``loss="zero_one"``
        the share of held-out models that predicted each class.
    heldout_prediction_ : ndarray of shape (n_samples,)
        Mean held-out prediction (regressors).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers).
    loss_ : str
        The loss used.
    estimators_ : list of estimators
        The fitted resampled models, if ``keep_estimators``.
    per_epoch_ : ndarray of shape (n_epochs, n_samples)
        Held-out difficulty of every sample after every epoch, with
        ``record_epochs=True`` (stacked engine).
    engine_ : str
        The engine that ran: ``"sequential"`` or ``"stacked"``.
    n_repeats_ : int
        The repeats of the plan (``n_repeats`` with ``"auto"`` resolved).
    best_epochs_ : ndarray of shape (n_fits,)
        The epoch (counted from 1) of each member's lowest held-out loss,
        whose parameters and predictions it was scored with, with
        ``early_stopping`` (stacked engine).
    n_epochs_ : int
        Epochs the stacked members trained, with ``early_stopping``.
    n_fits_ : int
        Number of resampled fits made (random plans may add fits to score
        every sample).
    history_ : dict of ndarray
        With ``engine="stacked"``, the members' training history, members in
        the order of ``estimators_``: ``"train_loss"`` of shape
        ``(n_epochs, n_fits)``, each member's epoch loss as skorch records
        it (the mean of its batch losses weighted by the batch sizes);
        ``"valid_loss"`` of the same shape, each member's mean criterion
        loss on its held-out samples after the epoch, computed only where a
        prediction pass runs anyway (every epoch with ``verbose`` or
        ``record_epochs=True``, else only the last; NaN elsewhere); and
        ``"dur"`` of shape ``(n_epochs,)``, each epoch's seconds.
    n_failed_fits_ : int
        Number of resampled fits skipped with ``on_error="skip"``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, if they are all strings.

    See Also
    --------
    DifficultyWeightedClassifier : Fits a classifier with difficulty weights.

    Notes
    -----
    ``fit_transform(X, y)`` returns the out-of-sample scores of the training
    samples (cross-fitting, like :class:`~sklearn.preprocessing.TargetEncoder`).
    ``fit(X, y).transform(X)`` is a different thing: ``transform`` knows no
    labels and returns the label-free part for any samples, the scores
    expected when the label is drawn from the models' mean prediction (for
    the log loss the bias is then the entropy of the normalized geometric
    mean; the variance needs no label). For regressors the expected bias of
    a new sample is the mean bias of the training samples.

    Held-out predictions are folded into running sums as they arrive, so
    memory is O(n_samples x n_classes) whatever ``n_repeats`` is.

    A skorch net (see :mod:`skdifficulty.skorch`) is fitted without its
    internal validation split (``train_split=None``), since the held-out part
    is what scores it, and torch's generator is seeded before each fit.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from skdifficulty import DifficultyEstimator
    >>> X, y = load_iris(return_X_y=True)
    >>> y[0] = 2  # a wrong label
    >>> est = DifficultyEstimator(n_repeats=2, random_state=0)
    >>> scores = est.fit_transform(X, y)
    >>> scores.shape
    (150, 3)
    >>> bool(est.difficulty_.argmax() == 0)
    True
    >>> import numpy as np
    >>> bool(np.allclose(est.bias_ + est.variance_, est.difficulty_))
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"]), None],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "n_repeats": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "resampling": [StrOptions(set(RESAMPLING_METHODS))],
        "train_size": [
            Interval(Real, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
            None,
        ],
        "loss": [StrOptions({"auto", *LOSSES})],
        "eps": [Interval(Real, 0, 0.5, closed="neither")],
        "keep_estimators": ["boolean"],
        "on_error": [StrOptions({"raise", "skip"})],
        "engine": [StrOptions({"auto", "sequential", "stacked"})],
        "chunk_size": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto"}),
            None,
        ],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "record_epochs": ["boolean"],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        cv=5,
        n_repeats="auto",
        resampling="kfold",
        train_size=None,
        loss="auto",
        eps=1e-15,
        keep_estimators=True,
        on_error="raise",
        engine="auto",
        chunk_size=None,
        early_stopping="auto",
        n_iter_no_change=5,
        record_epochs=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.cv = cv
        self.n_repeats = n_repeats
        self.resampling = resampling
        self.train_size = train_size
        self.loss = loss
        self.eps = eps
        self.keep_estimators = keep_estimators
        self.on_error = on_error
        self.engine = engine
        self.chunk_size = chunk_size
        self.early_stopping = early_stopping
        self.n_iter_no_change = n_iter_no_change
        self.record_epochs = record_epochs
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @fit_context(prefer_skip_nested_validation=False)  # the estimator is the user's
    def fit(self, X, y, sample_weight=None, *, groups=None, **fit_params):
        """Estimate the difficulty of every training sample.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data, in any form ``estimator`` accepts.
        y : array-like of shape (n_samples,)
            Targets: class labels (strings allowed) or real values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights passed to every resampled fit (the training part's share).
        groups : array-like of shape (n_samples,), default=None
            Group labels (a patient, a source, a session): the samples of a
            group are always held out together, so that no model scores a
            sample after training on its near-copies. With an integer ``cv``
            the folds become (stratified) group folds and the random plans
            draw whole groups; a splitter receives them in ``split``.
        **fit_params : dict
            Other parameters of ``estimator.fit``; per-sample arrays are
            indexed like ``X``. With metadata routing enabled, they are routed.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        self._fit(X, y, sample_weight, groups, fit_params)
        return self

    @fit_context(prefer_skip_nested_validation=False)
    def fit_transform(self, X, y, sample_weight=None, *, groups=None, **fit_params):
        """Fit, and return the out-of-sample scores of the training samples.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights passed to every resampled fit.
        groups : array-like of shape (n_samples,), default=None
            Group labels, held out together (see :meth:`fit`).
        **fit_params : dict
            Other parameters of ``estimator.fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_scores)
            Columns named by :meth:`get_feature_names_out`: difficulty, and
            bias and variance where the loss has a split.
        """
        scores = self._fit(X, y, sample_weight, groups, fit_params)
        return self._stack(scores)

    def transform(self, X):
        """Label-free scores of new samples from the kept resampled models.

        Parameters
        ----------
        X : {array-like, sparse matrix, DataFrame} of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_scores)
            Expected difficulty (and its bias and variance) when the label is
            drawn from the models' mean prediction. For the training samples'
            own scores, use :meth:`fit_transform` or ``difficulty_``.
        """
        accumulator = self._score_with_kept_models(X, None, "transform")
        if self.loss_ == "squared_error":
            return self._stack(accumulator.label_free(self._mean_bias))
        return self._stack(accumulator.label_free())

    def _heldout_scores(self, X, y):
        """Scores of new labelled samples from the kept models, which never saw them.

        Returns the scores (``"difficulty"``, and ``"bias"`` and ``"variance"``
        where the loss splits) and the mean prediction: the class
        probabilities in the order of ``classes_``, or the mean regression
        prediction. Labels unknown to the fit are refused.
        """
        accumulator = self._score_with_kept_models(
            X, y, "scoring labelled new samples"
        )
        return accumulator.scores(), accumulator.mean_prediction()

    def _score_with_kept_models(self, X, y, purpose):
        """An accumulator fed with every kept model's prediction for ``X``."""
        check_is_fitted(self, "loss_")
        if not self.keep_estimators or not hasattr(self, "estimators_"):
            raise NotFittedError(
                f"{purpose} needs the resampled models, which were not kept "
                "(keep_estimators=False). Refit with keep_estimators=True, or read "
                "the training samples' scores from difficulty_ / fit_transform."
            )
        X = check_features(X, min_samples=1)
        validate_data(self, X, reset=False, skip_check_array=True)
        n_samples = X.shape[0]
        targets = None
        if y is not None:
            check_consistent_length(X, y)
            if self._is_classifier:
                targets = label_codes(column_or_1d(y, warn=True), self.classes_)
            else:
                targets = check_regression_targets(y)
        accumulator = make_accumulator(
            self.loss_,
            n_samples,
            self._n_outputs(),
            targets,
            **self._accumulator_kwargs(),
        )
        method = self._prediction_method()
        everyone = np.arange(n_samples)
        for i, model in enumerate(self.estimators_):
            # A precomputed kernel: each model needs the columns of its own
            # training part.
            X_model = X[:, self._train_indices[i]] if self._pairwise else X
            result = Result(
                model,
                Split(None, None, None, everyone),
                getattr(model, method)(X_model),
                getattr(model, "classes_", None),
            )
            accumulator.update(everyone, self._encode(result, f"estimators_[{i}]"))
        return accumulator

    def get_feature_names_out(self, input_features=None):
        """Names of the score columns.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Only checked against the features seen in ``fit``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``["difficulty", "bias", "variance"]``, or ``["difficulty"]`` for
            ``loss="zero_one"``.
        """
        check_is_fitted(self, "loss_")
        check_feature_names_in(self, input_features, generate_names=False)
        return np.asarray(self._score_names(), dtype=object)

    def get_metadata_routing(self):
        """Route ``fit``'s metadata to the wrapped estimator's ``fit``.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        return estimator_router(self, self._base_estimator(sparse=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._base_estimator(sparse=True))
        tags.target_tags.required = True
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.positive_only = inner.input_tags.positive_only
        return tags

    # -- fitting ---------------------------------------------------------

    def _fit(self, X, y, sample_weight, groups, fit_params):
        self._reset()
        try:
            return self._fit_clean(X, y, sample_weight, groups, fit_params)
        except BaseException:
            self._reset()  # a failed fit leaves an unfitted estimator
            raise

    def _fit_clean(self, X, y, sample_weight, groups, fit_params):
        # A SliceDataset stays one (a skorch net reads it item by item, so a
        # dataset that augments at random keeps doing so).
        if not is_slice_dataset(X):
            X = check_features(X)
        validate_data(self, X, y, skip_check_array=True)
        check_consistent_length(X, y)
        estimator = self._base_estimator(
            sparse=hasattr(X, "toarray"), target_type=_target_type(y)
        )
        y, targets = self._check_targets(estimator, y)
        sample_weight = check_weights(sample_weight, X.shape[0])
        if sample_weight is not None:
            if routing_enabled():
                check_weight_request(
                    self,
                    f"{type(self).__name__} passes the sample_weight it is given "
                    "to every resampled fit",
                    optional=True,
                )
            estimator = prepare_for_weights(estimator)
        estimator = prepare_net_for_resampling(estimator)
        params = check_method_params(
            X, fit_params_with_weights(self, estimator, sample_weight, fit_params)
        )
        self.loss_ = self._resolve_loss(estimator)
        self._check_prediction_method(estimator)
        self.n_repeats_ = self._resolve_n_repeats(estimator)
        self.engine_ = self._resolve_engine(estimator, params)

        splits, seeds, n_planned = self._plan(X, targets, groups)
        plan = FitPlan(
            estimator,
            X,
            y,
            splits,
            seeds,
            params,
            self._prediction_method(),
            self.keep_estimators,
        )
        accumulator = make_accumulator(
            self.loss_,
            X.shape[0],
            self._n_outputs(),
            targets,
            **self._accumulator_kwargs(),
        )
        per_epoch = []
        runner = self._runner(
            estimator,
            lambda results: per_epoch.append(
                self._epoch_difficulty(results, targets, estimator)
            ),
            self._member_stopping(estimator, targets, n_planned),
        )
        estimators, n_fits, n_failed = self._collect(
            runner.run(plan), accumulator, estimator, n_planned
        )
        scores = self._store(accumulator, estimators, n_fits, n_failed)
        if getattr(runner, "history", None) is not None:
            self.history_ = runner.history
        if self.record_epochs:
            self.per_epoch_ = np.array(per_epoch)
        if getattr(runner, "best_epochs_", None) is not None:
            self.best_epochs_ = runner.best_epochs_
            self.n_epochs_ = runner.n_epochs_
        return scores

    def _reset(self):
        """Forget every fitted attribute: a fit starts clean, and one that
        fails leaves an unfitted estimator, not a mix of two fits."""
        for name in list(vars(self)):
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)
        self.__dict__.pop("_mean_bias", None)
        self.__dict__.pop("_train_indices", None)

    def _epoch_difficulty(self, results, targets, estimator):
        """Every sample's held-out difficulty from one epoch's predictions."""
        accumulator = make_accumulator(
            self.loss_,
            len(targets),
            self._n_outputs(),
            targets,
            **self._accumulator_kwargs(),
        )
        for result in results:
            accumulator.update(
                result.split.test, self._encode(result, _name(estimator))
            )
        return accumulator.scores()["difficulty"]

    def _resolve_n_repeats(self, estimator):
        if self.n_repeats != "auto":
            return self.n_repeats
        # Each member of a net costs a share of a training: one repeat.
        return 1 if is_skorch_net(estimator) else 5

    def _resolve_engine(self, estimator, params):
        """The engine that runs the plan: ``"sequential"`` or ``"stacked"``."""
        if self.engine == "sequential":
            return "sequential"
        if not is_skorch_net(estimator):
            if self.engine == "stacked":
                raise ValueError(
                    f"engine='stacked' trains the members of a skorch net together; "
                    f"{_name(estimator)} is not a skorch net. Use engine='sequential'."
                )
            return "sequential"
        from ..nets._stacked import stacking_refusal

        refusal = stacking_refusal(estimator, params)
        if refusal is None:
            return "stacked"
        if self.engine == "stacked":
            raise ValueError(refusal)
        warnings.warn(
            f"engine='auto' trains this net's members one by one (the sequential "
            f"engine, one training per member), because the stacked engine "
            f"refused it: {refusal}",
            UserWarning,
            stacklevel=4,
        )
        return "sequential"

    def _member_stopping(self, estimator, targets, n_members):
        """When the stacked members stop, or None (see ``early_stopping``)."""
        if self.engine_ == "sequential":
            if self.early_stopping is True:
                raise ValueError(
                    "early_stopping=True needs engine='stacked': it stops each "
                    "member at its lowest held-out loss, which only the members "
                    "trained together report after every epoch."
                )
            return None
        if self.early_stopping is False:
            return None
        if _has_early_stopping_callback(estimator):
            if self.early_stopping is True:
                raise ValueError(
                    "early_stopping=True stops each member at its lowest held-out "
                    "loss, and the net's own EarlyStopping callback stops it by a "
                    "training score: choose one (early_stopping=False keeps the "
                    "callback, run for each member)."
                )
            return None  # the user's own rule, run for each member
        from ..nets._stacked import MemberStopping

        max_epochs = None
        if self.early_stopping == "auto":
            # All members together cost about AUTO_MEMBER_BUDGET trainings.
            budget = AUTO_MEMBER_BUDGET * estimator.max_epochs / n_members
            max_epochs = max(self.n_iter_no_change + 1, int(np.ceil(budget)))

        def heldout_loss(result):
            accumulator = make_accumulator(
                self.loss_,
                len(result.split.test),
                self._n_outputs(),
                targets[result.split.test],
                **self._accumulator_kwargs(),
            )
            accumulator.update(
                np.arange(len(result.split.test)),
                self._encode(result, _name(estimator)),
            )
            return float(np.mean(accumulator.scores()["difficulty"]))

        return MemberStopping(heldout_loss, self.n_iter_no_change, max_epochs)

    def _runner(self, estimator, on_epoch, stopping):
        """The runner that carries out the plan (see :mod:`._runners`)."""
        if self.engine_ == "sequential":
            if self.record_epochs:
                raise ValueError(
                    "record_epochs=True needs engine='stacked': the per-epoch "
                    "scores come from the members trained together."
                )
            return JoblibRunner(self.n_jobs)
        from ..nets._stacked import StackedNetRunner

        return StackedNetRunner(
            self.chunk_size,
            on_epoch if self.record_epochs else None,
            stopping,
            verbose=self.verbose,
        )

    def _plan(self, X, targets, groups):
        """The splits of the resampling plan, one seed per fit, and their number.

        The random plans may add fits to score every sample: the seeds go on
        as long as the splits do.
        """
        rng = check_random_state(self.random_state)
        cv = self._cv_splits()
        splits = make_splits(
            X,
            targets,
            resampling=self.resampling,
            cv=cv,
            n_repeats=self.n_repeats_,
            train_size=self.train_size,
            stratify=self._is_classifier,
            groups=groups,
            random_state=rng.randint(MAX_SEED),
        )
        n_fits = n_splits(cv, self.n_repeats_, X, targets, groups)
        return splits, _seed_stream(rng, n_fits), n_fits

    def _cv_splits(self):
        """``cv``, with a one-shot iterator of splits read once and kept.

        A generator is used up by one pass; its splits are kept so that a
        refit, a clone and a pickle (see ``__sklearn_clone__``) use them again.
        """
        cv = self.cv
        if isinstance(cv, Integral) or hasattr(cv, "split"):
            return cv
        if not _is_one_shot(cv):
            return list(cv)  # read twice: to count the fits, then to run them
        kept = self.__dict__.get("_kept_cv")
        if kept is None or kept[0] is not cv:
            kept = (cv, [tuple(split) for split in cv])
            self.__dict__["_kept_cv"] = kept
        return kept[1]

    def __sklearn_clone__(self):
        if self.__dict__.get("_kept_cv") is None and _is_one_shot(self.cv):
            self._cv_splits()
        kept = self.__dict__.get("_kept_cv")
        if kept is not None and kept[0] is self.cv:
            params = self.get_params(deep=False)
            params["cv"] = kept[1]
            return type(self)(**{k: clone(v, safe=False) for k, v in params.items()})
        return super().__sklearn_clone__()

    def __getstate__(self):
        state = super().__getstate__()
        if _is_one_shot(state.get("cv")):
            self._cv_splits()
            state = dict(state, cv=self.__dict__["_kept_cv"][1])
            state.pop("_kept_cv", None)
        return state

    def _collect(self, results, accumulator, estimator, n_fits):
        """Fold each fit's held-out predictions in, in plan order.

        Closing ``results`` when this loop ends early (an error) stops the
        runner's remaining fits.
        """
        estimators, failures, n_partial, n_done = [], [], 0, 0
        # The stacked engine reports per epoch instead: its fits end together.
        progress = tqdm(
            total=n_fits,
            disable=not self.verbose or self.engine_ == "stacked",
            desc="resampled fits",
        )
        with progress, closing(results):
            for result in results:
                n_done += 1
                if n_done > progress.total:  # a random plan's extra fits
                    progress.total = n_done
                progress.update()
                if not isinstance(result, Failure):
                    try:
                        prediction = self._encode(result, _name(estimator))
                    except ValueError as error:
                        result = Failure(result.split, error)
                if isinstance(result, Failure):
                    failures.append(result)
                    self._handle_failure(result, estimator)
                    continue
                accumulator.update(result.split.test, prediction)
                n_partial += self._misses_classes(result.classes)
                if self.keep_estimators:
                    estimators.append(result.model)
                    if self._pairwise:
                        self._train_indices.append(result.split.train)
        self._report(failures, n_partial, n_done)
        self._check_coverage(accumulator.n_evaluations, failures)
        return estimators, n_done, len(failures)

    def _base_estimator(self, *, sparse, target_type=None):
        """The estimator, or the default for the task that ``y`` shows."""
        if self.estimator is not None:
            return self.estimator
        return default_estimator(
            regression=target_type in REGRESSION_TARGETS, sparse=sparse
        )

    def _check_targets(self, estimator, y):
        """``y`` for the fits, and the targets the losses compare with.

        Decides once whether this is classification (``_is_classifier``), and
        whether the estimator takes pairwise input (a precomputed kernel).
        """
        self._is_classifier = is_classifier(estimator)
        self._pairwise = get_tags(estimator).input_tags.pairwise
        self._net = ends_in_net(estimator)  # for the hints of the prediction checks
        self._train_indices = []
        if self._is_classifier:
            self.classes_, y_encoded = check_class_labels(y)
            return np.asarray(y).reshape(-1), y_encoded
        targets = check_regression_targets(y)
        # A skorch regressor needs the (n, 1) column it was given: MSELoss
        # would broadcast 1-D targets against its (n, 1) output to (n, n).
        if is_skorch_net(estimator) and np.ndim(y) == 2:
            return np.asarray(y), targets
        return targets, targets

    def _resolve_loss(self, estimator):
        classifier = is_classifier(estimator)
        if self.loss == "auto":
            return "log_loss" if classifier else "squared_error"
        if classifier and self.loss == "squared_error":
            raise ValueError(
                f"loss='squared_error' is for regressors, but {_name(estimator)} "
                "is a classifier; use 'log_loss', 'brier' or 'zero_one'."
            )
        if not classifier and self.loss != "squared_error":
            raise ValueError(
                f"loss={self.loss!r} needs a classifier, but {_name(estimator)} is "
                "not one (is_classifier is False); regressors use 'squared_error'."
            )
        return self.loss

    def _prediction_method(self):
        if self.loss_ in ("log_loss", "brier"):
            return "predict_proba"
        return "predict"

    def _check_prediction_method(self, estimator):
        method = self._prediction_method()
        if not hasattr(estimator, method):
            raise TypeError(
                f"loss={self.loss_!r} needs {method}, which {_name(estimator)} does "
                "not have. Use a classifier with predict_proba, or loss='zero_one'."
            )

    def _n_outputs(self):
        return self.classes_.shape[0] if self._is_classifier else 1

    def _accumulator_kwargs(self):
        return {"eps": self.eps} if self.loss_ == "log_loss" else {}

    def _encode(self, result, where):
        """Check a model's prediction and put it on this estimator's class axis."""
        check = PredictionCheck(
            result,
            self._prediction_method(),
            where,
            net=self.__dict__.get("_net", False),  # absent when pickled before
        )
        if not self._is_classifier:
            return check.regression()
        if self.loss_ == "zero_one":
            return np.searchsorted(self.classes_, check.labels(self.classes_))
        model_classes = check.model_classes(self.classes_)
        proba = check.probabilities(len(model_classes))
        # A class absent from the training part gets probability 0.
        encoded = np.zeros((proba.shape[0], self.classes_.shape[0]))
        encoded[:, np.searchsorted(self.classes_, model_classes)] = proba
        return encoded

    def _misses_classes(self, model_classes):
        # No classes_ passes only with loss="zero_one", whose labels are
        # checked against the classes of y one by one.
        if not self._is_classifier or model_classes is None:
            return False
        return len(model_classes) < len(self.classes_)

    def _handle_failure(self, failure, estimator):
        if self.on_error == "raise":
            cause = failure.cause()
            error = failure.reraise(estimator)
            if error is cause:
                raise error
            raise error from cause

    def _report(self, failures, n_partial, n_fits):
        if failures and len(failures) == n_fits:
            raise ValueError(
                f"All {n_fits} resampled fits failed; the first error: "
                f"{failures[0].describe()}"
            ) from failures[0].error
        if failures:
            warnings.warn(
                f"{len(failures)} of {n_fits} resampled fits failed and were "
                f"skipped (on_error='skip'); the first: {failures[0].describe()}",
                FitFailedWarning,
                stacklevel=3,
            )
        if n_partial:
            warnings.warn(
                f"{n_partial} of {n_fits} resampled fits trained without every "
                "class: their models give probability 0 (clipped to eps) to a class "
                "they never saw. A class with fewer samples than cv folds, or a "
                "class of one sample, causes this; lower cv, or use "
                "resampling='bootstrap' (which draws within each class).",
                UserWarning,
                stacklevel=3,
            )

    def _check_coverage(self, n_evaluations, failures):
        missing = np.flatnonzero(n_evaluations == 0)
        if missing.size:
            cause = f" ({len(failures)} fits failed)" if failures else ""
            raise ValueError(
                f"{missing.size} samples (the first: index {missing[0]}) were never "
                f"held out{cause}, so no model that did not see them scored them. "
                "Every sample must be in a test part: use more n_repeats, or a cv "
                "whose test folds cover every sample."
            )

    def _store(self, accumulator, estimators, n_fits, n_failed):
        scores = accumulator.scores()
        _check_finite_scores(scores)
        self.difficulty_ = scores["difficulty"]
        self.standard_error_ = scores["standard_error"]
        for name in ("bias", "variance"):
            if name in scores:
                setattr(self, f"{name}_", scores[name])
        self.n_evaluations_ = accumulator.n_evaluations.copy()
        if self._is_classifier:
            self.heldout_proba_ = accumulator.mean_prediction()
        else:
            self.heldout_prediction_ = accumulator.mean_prediction()
            self._mean_bias = float(np.mean(scores["bias"]))
        if self.keep_estimators:
            self.estimators_ = estimators
        self.n_fits_ = n_fits
        self.n_failed_fits_ = n_failed
        return scores

    def _score_names(self):
        if self.loss_ in DECOMPOSABLE_LOSSES:
            return ["difficulty", "bias", "variance"]
        return ["difficulty"]

    def _stack(self, scores):
        return np.column_stack([scores[name] for name in self._score_names()])


def _has_early_stopping_callback(net):
    """Whether a skorch net has skorch's EarlyStopping switched on."""
    from skorch.callbacks import EarlyStopping

    return any(isinstance(cb, EarlyStopping) for _, cb in active_callbacks(net))


def _name(estimator):
    return type(estimator).__name__


def _target_type(y):
    """scikit-learn's ``type_of_target``, or None where it cannot tell."""
    try:
        return type_of_target(y, input_name="y")
    except (ValueError, TypeError):
        return None  # left to the target checks, whose errors name the problem


def _seed_stream(rng, n_planned):
    """The planned fits' seeds, then one more per extra fit, as long as asked.

    Drawing one at a time continues the same sequence as drawing them all at
    once, so the planned fits' seeds do not depend on how many extra fits
    follow.
    """
    yield from rng.randint(MAX_SEED, size=n_planned)
    while True:
        yield rng.randint(MAX_SEED)


def _is_one_shot(cv):
    """Whether ``cv`` is an iterator of splits that one pass uses up."""
    return hasattr(cv, "__next__") and not hasattr(cv, "split")


def _check_finite_scores(scores):
    for name, values in scores.items():
        if name != "standard_error" and not np.all(np.isfinite(values)):
            worst = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(
                f"The {name} of sample {worst} overflowed to {values[worst]}: its "
                "held-out losses are beyond the range of float64 (targets near "
                "1e154 and beyond, squared). Scale the targets (e.g. divide y "
                "by its standard deviation) and fit again."
            )
