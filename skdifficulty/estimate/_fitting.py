"""The resampled fit of DifficultyEstimator, step by step.

The data are validated, the targets checked by their task (:mod:`._targets`),
the estimator made ready for weights and resampling, the settings turned into
a plan and a runner (:mod:`._settings`), and what the runner yields collected
(:mod:`._collect`) into the fitted attributes.
"""

from functools import partial

import numpy as np
from sklearn.utils import get_tags
from sklearn.utils.validation import check_consistent_length, validate_data

from .._routing import (
    check_weight_request,
    fit_params_with_weights,
    prepare_for_weights,
    routing_enabled,
)
from ..nets._rules import ends_in_net, is_slice_dataset, prepare_net_for_resampling
from ..utils._compat import check_method_params
from ..utils._validation import check_features, check_weights
from ._collect import check_finite_scores, collect, epoch_difficulty, heldout_loss
from ._runners import FitPlan
from ._settings import (
    cv_splits,
    make_runner,
    member_stopping,
    plan_fits,
    resolve_engine,
    resolve_n_repeats,
)
from ._targets import target_type, task_of

SCORE_ATTRIBUTES = ("difficulty", "standard_error", "bias", "variance")


def fit_resampled(owner, X, y, sample_weight, groups, fit_params):
    """Validate the data and run the resampled fits of ``owner``.

    Parameters
    ----------
    owner : DifficultyEstimator
        The estimator being fitted: its parameters say what to run; it
        records the features seen, and owns the metadata requests and the
        kept splits of a one-shot ``cv``.
    X, y, sample_weight, groups, fit_params
        As given to ``fit``.

    Returns
    -------
    fitted : dict
        The fitted attributes, named as the estimator stores them.
    scores : dict of ndarray
        The training samples' scores.
    """
    # A SliceDataset stays one (a skorch net reads it item by item, so a
    # dataset that augments at random keeps doing so).
    if not is_slice_dataset(X):
        X = check_features(X)
    validate_data(owner, X, y, skip_check_array=True)
    check_consistent_length(X, y)
    estimator = owner._base_estimator(
        sparse=hasattr(X, "toarray"), target_type=target_type(y)
    )
    task_type, net = task_of(estimator), ends_in_net(estimator)
    pairwise = get_tags(estimator).input_tags.pairwise
    y, targets, classes = task_type.check_targets(estimator, y)
    estimator, params = _prepare(owner, estimator, X, sample_weight, fit_params)
    loss = task_type.resolve_loss(owner.loss, estimator)
    task = task_type(loss, owner.eps, classes=classes, net=net)
    task.check_method(estimator)
    n_repeats = resolve_n_repeats(owner.n_repeats, estimator)
    engine = resolve_engine(owner.engine, estimator, params)
    splits, seeds, n_planned = plan_fits(
        X,
        targets,
        groups,
        cv=cv_splits(owner.cv, owner.__dict__),
        resampling=owner.resampling,
        n_repeats=n_repeats,
        train_size=owner.train_size,
        stratify=task.stratify,
        random_state=owner.random_state,
    )
    plan = FitPlan(
        estimator, X, y, splits, seeds, params, task.method, owner.keep_estimators
    )
    accumulator = task.accumulator(X.shape[0], targets)
    runner, per_epoch = _runner(owner, engine, estimator, task, targets, n_planned)
    collection = collect(
        runner.run(plan),
        accumulator,
        task,
        estimator,
        n_fits=n_planned,
        on_error=owner.on_error,
        keep=owner.keep_estimators,
        pairwise=pairwise,
        # The stacked engine reports per epoch instead: its fits end together.
        progress=bool(owner.verbose) and engine != "stacked",
    )
    scores = accumulator.scores()
    check_finite_scores(scores)
    fitted = {"loss_": loss, "n_repeats_": n_repeats, "engine_": engine}
    fitted.update(_fitted_scores(task, accumulator, scores, collection))
    if owner.keep_estimators:
        fitted["estimators_"] = collection.estimators
    fitted.update(_runner_attributes(runner, per_epoch, owner.record_epochs))
    return fitted, scores


def _prepare(owner, estimator, X, sample_weight, fit_params):
    """The estimator ready for weights and resampling, and its fit parameters.

    ``owner`` is the DifficultyEstimator, whose metadata requests route them.
    """
    sample_weight = check_weights(sample_weight, X.shape[0])
    if sample_weight is not None:
        if routing_enabled():
            check_weight_request(
                owner,
                f"{type(owner).__name__} passes the sample_weight it is given "
                "to every resampled fit",
                optional=True,
            )
        estimator = prepare_for_weights(estimator)
    estimator = prepare_net_for_resampling(estimator)
    params = check_method_params(
        X, fit_params_with_weights(owner, estimator, sample_weight, fit_params)
    )
    return estimator, params


def _runner(owner, engine, estimator, task, targets, n_members):
    """The runner of the plan, and the list its epochs' difficulties go to."""
    where = type(estimator).__name__
    per_epoch = []
    stopping = member_stopping(
        owner.early_stopping,
        engine,
        estimator,
        n_iter_no_change=owner.n_iter_no_change,
        n_members=n_members,
        heldout_loss=partial(heldout_loss, task=task, targets=targets, where=where),
    )
    runner = make_runner(
        engine,
        n_jobs=owner.n_jobs,
        chunk_size=owner.chunk_size,
        record_epochs=owner.record_epochs,
        verbose=owner.verbose,
        on_epoch=lambda results: per_epoch.append(
            epoch_difficulty(results, task, targets, where)
        ),
        stopping=stopping,
    )
    return runner, per_epoch


def _fitted_scores(task, accumulator, scores, collection):
    """The fitted attributes of the scores, the targets and the counts of fits."""
    fitted = {f"{name}_": scores[name] for name in SCORE_ATTRIBUTES if name in scores}
    fitted["n_evaluations_"] = accumulator.n_evaluations.copy()
    fitted.update(task.fitted_attributes(accumulator, scores))
    fitted["n_fits_"] = collection.n_fits
    fitted["n_failed_fits_"] = collection.n_failed
    # What scoring new samples needs.
    fitted["_task"], fitted["_train_indices"] = task, collection.train_indices
    return fitted


def _runner_attributes(runner, per_epoch, record_epochs):
    """What the stacked engine reports: history, per-epoch scores, best epochs."""
    fitted = {}
    if getattr(runner, "history", None) is not None:
        fitted["history_"] = runner.history
    if record_epochs:
        fitted["per_epoch_"] = np.array(per_epoch)
    if getattr(runner, "best_epochs_", None) is not None:
        fitted["best_epochs_"] = runner.best_epochs_
        fitted["n_epochs_"] = runner.n_epochs_
    return fitted
