"""Runners: how the resampled fits of a plan are carried out.

A runner takes a :class:`FitPlan` (the estimator, the data, the splits and a
seed per fit) and yields, in plan order, one :class:`Result` (the held-out
predictions of one fitted model) or :class:`Failure` per split.
``collect`` (in ``estimate/_collect.py``) folds what it yields into the
running sums and never learns which runner ran.

Adding a runner
---------------
Write a class with a ``run(plan)`` method that yields, for every split of
``plan.splits`` in order, ``Result(model, split, prediction, classes)``
(``model`` only when ``plan.keep``; ``prediction`` as ``plan.method`` of a
model trained on ``split.train`` would return it, on the rows ``split.test``;
``classes`` the model's ``classes_`` or None) or ``Failure(split, error)``.
``collect`` checks every prediction, so a runner need not. Hand it to the
estimator in ``make_runner`` (``estimate/_settings.py``). A runner must stop
its remaining work when the consumer closes the generator (an error in one
fit ends the fit), and must give the same results for the same seeds.

- :class:`JoblibRunner` (this module): one clone of the estimator per split,
  in parallel through joblib, under any joblib backend.
- ``StackedNetRunner`` (:mod:`skdifficulty.nets._stacked`): all members of a
  skorch net trained together in one vectorized pass.
"""

import traceback
from contextlib import closing
from itertools import islice
from typing import Any, NamedTuple

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import clone
from sklearn.utils.parallel import Parallel, delayed

from ..nets._rules import is_skorch_net, seed_torch
from ..utils._compat import check_method_params, safe_split
from ..utils._random import MAX_SEED


class FitPlan(NamedTuple):
    """Everything a runner needs to carry out the resampled fits.

    ``params`` are the fit parameters for the whole data set (per-sample
    arrays are indexed like ``X`` for each training part); ``seeds`` is an
    iterator with one seed for every split (pair them with ``zip(splits,
    seeds)``: a random plan may add splits); ``method`` is the prediction
    method scored.
    """

    estimator: Any
    X: Any
    y: Any
    splits: Any
    seeds: Any
    params: dict
    method: str
    keep: bool


class Result(NamedTuple):
    """One fit's held-out predictions, its classes, and the model if kept."""

    model: object
    split: Any
    prediction: np.ndarray
    classes: object


class Failure:
    """A resampled fit that raised, where it sat in the plan, and its traceback.

    The traceback is kept as text: an exception that travels back from a
    worker process loses its own.
    """

    def __init__(self, split, error, traceback_text=None):
        self.repeat, self.fold = split.repeat, split.fold
        self.error = error
        self.traceback_text = traceback_text

    def describe(self):
        return (
            f"repeat {self.repeat}, fold {self.fold}: "
            f"{type(self.error).__name__}: {self.error}"
        )

    def reraise(self, estimator):
        """The error of the fit, of its own type, naming its place in the plan.

        Raise it ``from`` :meth:`cause`. Where the type cannot be rebuilt from a
        message (its ``__init__`` needs other arguments), the original error
        itself is returned, with the place added as a note.
        """
        message = f"Fitting {type(estimator).__name__} failed on {self.describe()}"
        try:
            error = type(self.error)(message)
        except Exception:
            error = self.error
            if hasattr(error, "add_note"):
                error.add_note(message)
        return error

    def cause(self):
        """The original error, with the worker's traceback chained to it."""
        if self.traceback_text and self.error.__traceback__ is None:
            self.error.__cause__ = RemoteTraceback(self.traceback_text)
        return self.error


class RemoteTraceback(Exception):
    """The traceback of an error raised in a joblib worker, as text."""

    def __str__(self):
        return "\n" + self.args[0]


class JoblibRunner:
    """Fit a clone of the estimator per split, in parallel through joblib.

    scikit-learn's ``Parallel`` carries its configuration (metadata routing
    included) into the workers. Backends that can stream results back (loky,
    threading, Dask) do so, so at most a few fits' predictions are held at
    once; the others (multiprocessing, Ray) run the plan in chunks of a few
    fits per worker, which bounds memory the same way.

    Parameters
    ----------
    n_jobs : int or None
        As for :class:`joblib.Parallel`.
    """

    def __init__(self, n_jobs=None):
        self.n_jobs = n_jobs

    def run(self, plan):
        tasks = (
            delayed(fit_and_predict)(
                clone(plan.estimator),
                plan.X,
                plan.y,
                split,
                plan.params,
                plan.method,
                seed,
                keep=plan.keep,
            )
            # The seeds go on as long as the splits do (see FitPlan).
            for split, seed in zip(plan.splits, plan.seeds, strict=False)
        )
        try:
            parallel = Parallel(n_jobs=self.n_jobs, return_as="generator")
        except ValueError:  # a backend that cannot return a generator
            yield from self._run_in_chunks(tasks)
            return
        # Closing joblib's generator (on an error in one fit, say) stops the
        # fits that have not started yet.
        with closing(parallel(tasks)) as results:
            yield from results

    def _run_in_chunks(self, tasks):
        parallel = Parallel(n_jobs=self.n_jobs)
        chunk_size = 2 * max(effective_n_jobs(self.n_jobs), 1)
        while True:
            chunk = list(islice(tasks, chunk_size))
            if not chunk:
                return
            yield from parallel(chunk)


def fit_and_predict(estimator, X, y, split, params, method, seed, *, keep=True):
    """Fit on the training part, predict the test part; return a failure if any.

    The model travels back to the caller only when it is kept.
    """
    seed_estimator(estimator, seed)
    try:
        # safe_split cuts a precomputed kernel on both axes.
        X_train, y_train = safe_split(estimator, X, y, split.train)
        X_test, _ = safe_split(estimator, X, y, split.test, split.train)
        estimator.fit(
            X_train,
            y_train,
            **check_method_params(X, params, indices=split.train),
        )
        prediction = getattr(estimator, method)(X_test)
    except Exception as error:
        return Failure(split, error, traceback.format_exc())
    classes = getattr(estimator, "classes_", None)
    return Result(estimator if keep else None, split, prediction, classes)


def seed_estimator(estimator, seed):
    """Give every ``random_state`` parameter its own seed, as bagging does.

    A skorch net has no ``random_state``: torch's global generator, which
    draws its initial weights and batch order, is seeded instead.
    """
    if is_skorch_net(estimator):
        seed_torch(seed)
    keys = sorted(
        key
        for key in estimator.get_params(deep=True)
        if key == "random_state" or key.endswith("__random_state")
    )
    if keys:
        rng = np.random.RandomState(seed)
        estimator.set_params(**{key: int(rng.randint(MAX_SEED)) for key in keys})
