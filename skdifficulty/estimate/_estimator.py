"""DifficultyEstimator: each sample's generalization error from resampled fits."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from .._routing import estimator_router
from ..utils._compat import check_feature_names_in, fit_context
from ._collect import score_kept_models
from ._defaults import REGRESSION_TARGETS, default_estimator
from ._fitting import fit_resampled
from ._settings import PARAMETER_CONSTRAINTS, cv_splits, is_one_shot, kept_cv


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
        With ``engine="stacked"``, the members' training history:
        ``"train_loss"`` and ``"valid_loss"`` of shape ``(n_epochs, n_fits)``,
        members in the order of ``estimators_``, and ``"dur"`` of shape
        ``(n_epochs,)``, each epoch's seconds (see :ref:`stacked-engine`).
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
    samples; ``fit(X, y).transform(X)`` the label-free part, for any samples
    (see :ref:`difficulty`). Held-out predictions are folded into running
    sums: memory is O(n_samples x n_classes) whatever ``n_repeats`` is. A
    skorch net is fitted with ``train_split=None`` and torch's generator
    seeded before each fit (see :ref:`skorch`).

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

    # What each parameter may be: see ._settings.
    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

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
        return self._task.stack(scores)

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
        accumulator = score_kept_models(self, X, None, "transform")
        return self._task.stack(self._task.label_free(accumulator))

    def _heldout_scores(self, X, y):
        """Scores of new labelled samples from the kept models, which never saw them.

        Returns the scores (a dict, as ``fit`` computes them) and the mean
        prediction: the class probabilities in the order of ``classes_``, or
        the mean regression prediction. Labels unknown to the fit are refused.
        """
        accumulator = score_kept_models(self, X, y, "scoring labelled new samples")
        return accumulator.scores(), accumulator.mean_prediction()

    def get_feature_names_out(self, input_features=None):
        """Get the names of the score columns.

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
        return np.asarray(self._task.score_names, dtype=object)

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
        for name in ("sparse", "allow_nan", "pairwise", "positive_only"):
            setattr(tags.input_tags, name, getattr(inner.input_tags, name))
        return tags

    def __sklearn_clone__(self):
        splits = kept_cv(self)
        if splits is None:
            return super().__sklearn_clone__()
        params = dict(self.get_params(deep=False), cv=splits)
        return type(self)(**{k: clone(v, safe=False) for k, v in params.items()})

    def __getstate__(self):
        state = super().__getstate__()
        if is_one_shot(state.get("cv")):
            state = dict(state, cv=cv_splits(self.cv, self.__dict__))
            state.pop("_kept_cv", None)
        return state

    def _fit(self, X, y, sample_weight, groups, fit_params):
        self._reset()
        try:
            fitted, scores = fit_resampled(
                self, X, y, sample_weight, groups, fit_params
            )
        except BaseException:
            self._reset()  # a failed fit leaves an unfitted estimator
            raise
        vars(self).update(fitted)
        return scores

    def _reset(self):
        """Forget every fitted attribute: a fit starts clean, and one that
        fails leaves an unfitted estimator, not a mix of two fits."""
        for name in list(vars(self)):
            if name.endswith("_") and not name.startswith("__"):
                delattr(self, name)
        self.__dict__.pop("_task", None)
        self.__dict__.pop("_train_indices", None)

    def _base_estimator(self, *, sparse, target_type=None):
        """The estimator, or the default for the task that ``y`` shows."""
        if self.estimator is not None:
            return self.estimator
        regression = target_type in REGRESSION_TARGETS
        return default_estimator(regression=regression, sparse=sparse)
