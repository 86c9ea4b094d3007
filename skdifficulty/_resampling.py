"""Split plans: which samples each resampled fit trains on, and which it scores.

Every plan yields ``Split`` tuples lazily, so that a plan of many fits on a
large data set never holds all of its index arrays at once.
"""

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import (
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedShuffleSplit,
    check_cv,
)
from sklearn.utils import check_random_state

RESAMPLING_METHODS = ("kfold", "bootstrap", "subsample")


class Split(NamedTuple):
    """One resampled fit: where it sits in the plan and its index arrays."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


def n_splits(cv, n_repeats, X=None, y=None, groups=None):
    """Number of fits a plan makes (``cv`` folds times ``n_repeats``)."""
    if isinstance(cv, Integral):
        return int(cv) * int(n_repeats)
    return check_cv(cv).get_n_splits(X, y, groups)


def make_splits(
    X,
    y,
    *,
    resampling="kfold",
    cv=5,
    n_repeats=5,
    train_size=None,
    stratify=True,
    groups=None,
    random_state=None,
):
    """Yield the splits of a resampling plan.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Only its length is used, except by a user-given splitter.
    y : array-like of shape (n_samples,)
        Targets; classes are kept in proportion when ``stratify`` is true.
    resampling : {"kfold", "bootstrap", "subsample"}
        ``"kfold"``: ``n_repeats`` rounds of (stratified) K-fold with ``cv``
        folds, or the splits of ``cv`` itself when it is a splitter.
        ``"bootstrap"``: ``cv * n_repeats`` bootstrap samples, each scoring its
        out-of-bag samples. ``"subsample"``: ``cv * n_repeats`` random subsets
        of ``train_size`` samples, each scoring the rest. In both random plans
        the last training part leaves out any sample that no earlier fit
        scored, so that every sample is scored at least once.
    cv : int or cross-validation splitter
        Folds per round; a splitter (or an iterable of splits) with
        ``resampling="kfold"`` is used as given.
    n_repeats : int
        Rounds of the plan.
    train_size : float or int, default=None
        Size of the training subsets for ``"subsample"``; ``None`` means the
        K-fold share ``(cv - 1) / cv``.
    stratify : bool
        Keep class proportions in every training part (classification).
    groups : array-like, default=None
        Passed to a user-given splitter.
    random_state : int, RandomState instance or None
        Seeds the plan.

    Yields
    ------
    split : Split
    """
    y = np.asarray(y)
    if resampling == "kfold":
        yield from _kfold(X, y, cv, n_repeats, stratify, groups, random_state)
        return
    if not isinstance(cv, Integral):
        raise ValueError(
            f"resampling={resampling!r} draws cv * n_repeats random training sets "
            f"and needs an integer cv; got {cv!r}. Use resampling='kfold' with a "
            "splitter."
        )
    if resampling == "bootstrap":
        splits = _bootstrap(y, cv, n_repeats, stratify, random_state)
    elif resampling == "subsample":
        splits = _subsample(X, y, cv, n_repeats, train_size, stratify, random_state)
    else:
        raise ValueError(
            f"resampling must be one of {RESAMPLING_METHODS}, got {resampling!r}."
        )
    yield from _cover_every_sample(splits, y.shape[0], cv * n_repeats)


def _kfold(X, y, cv, n_repeats, stratify, groups, random_state):
    if isinstance(cv, Integral):
        splitter_class = RepeatedStratifiedKFold if stratify else RepeatedKFold
        splitter = splitter_class(
            n_splits=cv, n_repeats=n_repeats, random_state=random_state
        )
        n_folds = cv
    else:
        splitter = check_cv(cv, y, classifier=stratify)
        n_folds = splitter.get_n_splits(X, y, groups)
    for i, (train, test) in enumerate(splitter.split(X, y, groups)):
        split = Split(i // n_folds, i % n_folds, np.asarray(train), np.asarray(test))
        _check_disjoint(split, y.shape[0])
        yield split


def _check_disjoint(split, n_samples):
    """Refuse a split that scores samples its model trained on."""
    index = np.arange(n_samples)
    both = np.intersect1d(index[split.train], index[split.test])
    if both.size:
        raise ValueError(
            f"The cv split at repeat {split.repeat}, fold {split.fold} puts "
            f"{both.size} samples (the first: index {both[0]}) in both the training "
            "and the test part; a sample must be scored only by models that did "
            "not see it."
        )


def _bootstrap(y, cv, n_repeats, stratify, random_state):
    rng = check_random_state(random_state)
    n_samples = y.shape[0]
    # Drawing within each class keeps every class in every bootstrap sample.
    strata = _strata(y) if stratify else [np.arange(n_samples)]
    for i in range(cv * n_repeats):
        train = np.concatenate([rng.choice(s, size=s.shape[0]) for s in strata])
        in_bag = np.zeros(n_samples, dtype=bool)
        in_bag[train] = True
        yield Split(i // cv, i % cv, np.sort(train), np.flatnonzero(~in_bag))


def _subsample(X, y, cv, n_repeats, train_size, stratify, random_state):
    if train_size is None:
        train_size = (cv - 1) / cv
    if stratify and np.unique(y, return_counts=True)[1].min() < 2:
        warnings.warn(
            "A class has a single sample, which stratified subsampling cannot "
            "split; the subsamples are drawn without stratification.",
            UserWarning,
            stacklevel=4,
        )
        stratify = False
    splitter_class = StratifiedShuffleSplit if stratify else ShuffleSplit
    splitter = splitter_class(
        n_splits=cv * n_repeats, train_size=train_size, random_state=random_state
    )
    for i, (train, test) in enumerate(splitter.split(np.zeros(y.shape[0]), y)):
        yield Split(i // cv, i % cv, train, test)


def _strata(y):
    _, inverse = np.unique(y, return_inverse=True)
    return [np.flatnonzero(inverse == k) for k in range(inverse.max() + 1)]


def _cover_every_sample(splits, n_samples, n_fits):
    """Make the last random split test whatever no earlier split tested.

    A random plan leaves a sample out of every test part with probability
    (share in training) ** n_fits; moving those few samples from the last
    training part to its test part lets every sample be scored.
    """
    held_out = np.zeros(n_samples, dtype=bool)
    for i, split in enumerate(splits):
        if i == n_fits - 1:
            missing = ~held_out
            missing[split.test] = False
            if missing.any():
                split = split._replace(
                    train=split.train[~missing[split.train]],
                    test=np.union1d(split.test, np.flatnonzero(missing)),
                )
        held_out[split.test] = True
        yield split
