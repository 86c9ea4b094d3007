"""Collecting what the runners yield: held-out predictions folded in, failures handled.

:func:`collect` folds each fit's checked predictions into the running sums in
plan order, counts the fits, raises or skips failures (``on_error``) and
reports them; the other functions score with the same checks: one epoch of
the stacked members, one member's held-out loss, or the kept models on new
samples.
"""

import warnings
from contextlib import closing
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)
from tqdm.auto import tqdm

from ..utils._validation import check_features
from ._resampling import Split
from ._runners import Failure, Result


class Collection(NamedTuple):
    """What the fits left: the kept models, their training parts, the counts.

    ``train_indices`` is None unless the estimator takes pairwise input (a
    precomputed kernel), whose kept models need their training columns.
    """

    estimators: list
    train_indices: list
    n_fits: int
    n_failed: int


def collect(
    results, accumulator, task, estimator, *, n_fits, on_error, keep, pairwise, progress
):
    """Fold each fit's held-out predictions into ``accumulator``, in plan order.

    Closing ``results`` when this loop ends early (an error) stops the
    runner's remaining fits. ``n_fits`` is the planned number, which a random
    plan may exceed.
    """
    estimators, train_indices, failures, n_partial, n_done = [], [], [], 0, 0
    bar = tqdm(total=n_fits, disable=not progress, desc="resampled fits")
    with bar, closing(results):
        for result in results:
            n_done += 1
            if n_done > bar.total:  # a random plan's extra fits
                bar.total = n_done
            bar.update()
            if not isinstance(result, Failure):
                try:
                    prediction = task.encode(result, type(estimator).__name__)
                except ValueError as error:
                    result = Failure(result.split, error)
            if isinstance(result, Failure):
                failures.append(result)
                if on_error == "raise":
                    _raise(result, estimator)
                continue
            accumulator.update(result.split.test, prediction)
            n_partial += task.misses_classes(result.classes)
            if keep:
                estimators.append(result.model)
                if pairwise:
                    train_indices.append(result.split.train)
    _report(failures, n_partial, n_done)
    _check_coverage(accumulator.n_evaluations, failures)
    return Collection(
        estimators, train_indices if pairwise else None, n_done, len(failures)
    )


def _raise(failure, estimator):
    """Raise the error of a failed fit, naming its place in the plan."""
    cause = failure.cause()
    error = failure.reraise(estimator)
    if error is cause:
        raise error
    raise error from cause


def _report(failures, n_partial, n_fits):
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


def _check_coverage(n_evaluations, failures):
    missing = np.flatnonzero(n_evaluations == 0)
    if missing.size:
        cause = f" ({len(failures)} fits failed)" if failures else ""
        raise ValueError(
            f"{missing.size} samples (the first: index {missing[0]}) were never "
            f"held out{cause}, so no model that did not see them scored them. "
            "Every sample must be in a test part: use more n_repeats, or a cv "
            "whose test folds cover every sample."
        )


def check_finite_scores(scores):
    """Refuse scores that overflowed (all but the standard error must be finite)."""
    for name, values in scores.items():
        if name != "standard_error" and not np.all(np.isfinite(values)):
            worst = int(np.flatnonzero(~np.isfinite(values))[0])
            raise ValueError(
                f"The {name} of sample {worst} overflowed to {values[worst]}: its "
                "held-out losses are beyond the range of float64 (targets near "
                "1e154 and beyond, squared). Scale the targets (e.g. divide y "
                "by its standard deviation) and fit again."
            )


def epoch_difficulty(results, task, targets, where):
    """Every sample's held-out difficulty from one epoch's predictions."""
    accumulator = task.accumulator(len(targets), targets)
    for result in results:
        accumulator.update(result.split.test, task.encode(result, where))
    return accumulator.scores()["difficulty"]


def heldout_loss(result, task, targets, where):
    """One member's mean loss on the samples it holds out."""
    accumulator = task.accumulator(len(result.split.test), targets[result.split.test])
    accumulator.update(np.arange(len(result.split.test)), task.encode(result, where))
    return float(np.mean(accumulator.scores()["difficulty"]))


def score_kept_models(owner, X, y, purpose):
    """An accumulator fed with every kept model of ``owner``'s prediction for ``X``.

    ``owner`` is the fitted DifficultyEstimator; ``y`` (new labels or
    targets) is what the losses compare with, if given; ``purpose`` names
    what needs the kept models, for the error where they were not kept.
    """
    check_is_fitted(owner, "loss_")
    if not owner.keep_estimators or not hasattr(owner, "estimators_"):
        raise NotFittedError(
            f"{purpose} needs the resampled models, which were not kept "
            "(keep_estimators=False). Refit with keep_estimators=True, or read "
            "the training samples' scores from difficulty_ / fit_transform."
        )
    X = check_features(X, min_samples=1)
    validate_data(owner, X, reset=False, skip_check_array=True)
    task, train_indices = owner._task, owner._train_indices
    n_samples = X.shape[0]
    targets = None
    if y is not None:
        check_consistent_length(X, y)
        targets = task.new_targets(y)
    accumulator = task.accumulator(n_samples, targets)
    everyone = np.arange(n_samples)
    for i, model in enumerate(owner.estimators_):
        # A precomputed kernel: each model needs the columns of its own
        # training part.
        X_model = X if train_indices is None else X[:, train_indices[i]]
        result = Result(
            model,
            Split(None, None, None, everyone),
            getattr(model, task.method)(X_model),
            getattr(model, "classes_", None),
        )
        accumulator.update(everyone, task.encode(result, f"estimators_[{i}]"))
    return accumulator
