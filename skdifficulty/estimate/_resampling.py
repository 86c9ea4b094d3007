"""Split plans: which samples each resampled fit trains on, and which it scores.

Every plan yields ``Split`` tuples lazily, so that a plan of many fits on a
large data set never holds all of its index arrays at once.
"""

import warnings
from numbers import Integral
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedShuffleSplit,
    check_cv,
)
from sklearn.utils import check_random_state

from ..utils._random import MAX_SEED

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
        of ``train_size`` samples, each scoring the rest. A random plan that
        leaves samples unscored after its ``cv * n_repeats`` fits adds fits of
        the same size, each drawn without those samples, until every sample
        is scored (see :func:`_cover_every_sample`).
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
        Group labels: samples of one group are always held out together.
        With an integer ``cv`` the folds are (stratified) group folds; the
        random plans draw whole groups. Passed to a user-given splitter.
    random_state : int, RandomState instance or None
        Seeds the plan.

    Yields
    ------
    split : Split
    """
    y = np.asarray(y)
    if groups is not None:
        groups = _check_groups(groups, y.shape[0])
    if resampling == "kfold":
        yield from _kfold(X, y, cv, n_repeats, stratify, groups, random_state)
        return
    if not isinstance(cv, Integral):
        raise ValueError(
            f"resampling={resampling!r} draws cv * n_repeats random training sets "
            f"and needs an integer cv; got {cv!r}. Use resampling='kfold' with a "
            "splitter."
        )
    rng = check_random_state(random_state)
    units = _Units(y, groups, stratify)
    n_fits = cv * n_repeats
    if resampling == "bootstrap":
        planned = (units.bootstrap(rng) for _ in range(n_fits))
    elif resampling == "subsample":
        planned = units.subsamples(X, y, groups, n_fits, train_size, cv, rng)
    else:
        raise ValueError(
            f"resampling must be one of {RESAMPLING_METHODS}, got {resampling!r}."
        )
    yield from _cover_every_sample(planned, units, rng, cv)


def _check_groups(groups, n_samples):
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.shape[0] != n_samples:
        raise ValueError(
            f"groups must be one label per sample: {n_samples} labels, got an "
            f"array of shape {groups.shape}."
        )
    return groups


def _kfold(X, y, cv, n_repeats, stratify, groups, random_state):
    if isinstance(cv, Integral):
        splitter = _repeated_kfold(cv, n_repeats, stratify, groups, random_state)
        n_folds = cv
    else:
        splitter = check_cv(cv, y, classifier=stratify)
        n_folds = _folds_per_repeat(splitter, X, y, groups)
    for i, (train, test) in enumerate(splitter.split(X, y, groups)):
        split = Split(i // n_folds, i % n_folds, np.asarray(train), np.asarray(test))
        _check_split(split, y.shape[0])
        yield split


def _repeated_kfold(cv, n_repeats, stratify, groups, random_state):
    if groups is None:
        splitter_class = RepeatedStratifiedKFold if stratify else RepeatedKFold
        return splitter_class(
            n_splits=cv, n_repeats=n_repeats, random_state=random_state
        )
    return _RepeatedGroupKFold(cv, n_repeats, stratify, random_state)


class _RepeatedGroupKFold:
    """``n_repeats`` rounds of (stratified) group K-fold, shuffled each round."""

    def __init__(self, n_splits, n_repeats, stratify, random_state):
        self.n_splits, self.n_repeats = n_splits, n_repeats
        self.stratify = stratify
        self.random_state = random_state

    def split(self, X, y, groups):
        rng = check_random_state(self.random_state)
        splitter_class = StratifiedGroupKFold if self.stratify else GroupKFold
        for _ in range(self.n_repeats):
            splitter = splitter_class(
                n_splits=self.n_splits,
                shuffle=True,
                random_state=rng.randint(MAX_SEED),
            )
            yield from splitter.split(X, y, groups)


def _folds_per_repeat(splitter, X, y, groups):
    """Folds in one round of a splitter; repeated splitters count all rounds."""
    n_splits = splitter.get_n_splits(X, y, groups)
    n_repeats = getattr(splitter, "n_repeats", 1)
    if isinstance(n_repeats, Integral) and n_repeats > 1 and n_splits % n_repeats == 0:
        return n_splits // n_repeats
    return n_splits


def _check_split(split, n_samples):
    """Refuse a split with indices out of range, or that scores what it fits."""
    for name in ("train", "test"):
        index = getattr(split, name)
        if index.dtype.kind == "b":
            continue  # a boolean mask is checked by its length below
        if index.dtype.kind not in "iu":
            raise ValueError(
                f"The cv split at repeat {split.repeat}, fold {split.fold} has "
                f"{name} indices of dtype {index.dtype}; expected integers."
            )
        bad = (index < -n_samples) | (index >= n_samples)
        if bad.any():
            raise ValueError(
                f"The cv split at repeat {split.repeat}, fold {split.fold} has the "
                f"{name} index {index[bad][0]}, out of range for {n_samples} "
                "samples."
            )
    index = np.arange(n_samples)
    both = np.intersect1d(index[split.train], index[split.test])
    if both.size:
        raise ValueError(
            f"The cv split at repeat {split.repeat}, fold {split.fold} puts "
            f"{both.size} samples (the first: index {both[0]}) in both the training "
            "and the test part; a sample must be scored only by models that did "
            "not see it."
        )


class _Units:
    """What the random plans draw: samples, or whole groups of samples.

    Bootstrap draws within each class when ``stratify`` (without groups), so
    every class is in every training part.
    """

    def __init__(self, y, groups, stratify):
        self.n_samples = y.shape[0]
        if groups is None:
            self.unit_of = np.arange(self.n_samples)
            self.strata = _strata(y) if stratify else [self.unit_of]
        else:
            _, self.unit_of = np.unique(groups, return_inverse=True)
            self.strata = [np.arange(self.unit_of.max() + 1)]
        self.n_units = self.unit_of.max() + 1
        self.stratify = stratify and groups is None
        self.n_train = None  # units per subsample

    def samples(self, unit_counts):
        """Sample indices of units drawn ``unit_counts`` times each, sorted."""
        return np.repeat(np.arange(self.n_samples), unit_counts[self.unit_of])

    def split(self, train_units):
        """``(train, test)`` sample indices for the units drawn into training."""
        counts = np.bincount(train_units, minlength=self.n_units)
        return self.samples(counts), self.samples(counts == 0)

    def bootstrap(self, rng, exclude=None):
        """A bootstrap sample of units (each stratum to its full size).

        Units in ``exclude`` (a unit mask) are not drawn, so they are scored.
        """
        drawn = []
        for stratum in self.strata:
            allowed = stratum if exclude is None else stratum[~exclude[stratum]]
            if allowed.size:
                drawn.append(rng.choice(allowed, size=stratum.shape[0]))
        return self.split(np.concatenate(drawn))

    def subsamples(self, X, y, groups, n_fits, train_size, cv, rng):
        """The planned subsamples, drawn by scikit-learn's shuffle splitters."""
        if train_size is None:
            train_size = (cv - 1) / cv
        stratify = self.stratify
        if stratify and np.unique(y, return_counts=True)[1].min() < 2:
            warnings.warn(
                "A class has a single sample, which stratified subsampling cannot "
                "split; the subsamples are drawn without stratification.",
                UserWarning,
                stacklevel=5,
            )
            stratify = False
        if groups is not None:
            splitter_class = GroupShuffleSplit
        else:
            splitter_class = StratifiedShuffleSplit if stratify else ShuffleSplit
        splitter = splitter_class(
            n_splits=n_fits, train_size=train_size, random_state=rng
        )
        for train, test in splitter.split(np.zeros(self.n_samples), y, groups):
            self.n_train = np.unique(self.unit_of[train]).shape[0]
            yield np.sort(train), np.sort(test)

    def subsample(self, rng, exclude):
        """A random subsample of the planned size, none of it from ``exclude``."""
        allowed = np.flatnonzero(~exclude)
        return self.split(rng.choice(allowed, size=self.n_train, replace=False))


def _strata(y):
    _, inverse = np.unique(y, return_inverse=True)
    return [np.flatnonzero(inverse == k) for k in range(inverse.max() + 1)]


def _cover_every_sample(planned, units, rng, cv):
    """The planned random splits, then more until every sample is scored.

    A random plan leaves a sample out of every test part with probability
    (share in training) ** n_fits. Rather than shrink a training part (which
    would break the size the plan promises), extra fits of the same size are
    drawn with the unscored units kept out of training, numbered as further
    repeats. A subsample can hold out only ``n_units - n_train`` units, so
    many unscored units take several extra fits.
    """
    scored = np.zeros(units.n_units, dtype=bool)
    i = 0
    for train, test in planned:
        scored[units.unit_of[test]] = True
        yield Split(i // cv, i % cv, train, test)
        i += 1
    while not scored.all():
        exclude = ~scored
        if units.n_train is not None:  # a subsample: cover in turns
            room = units.n_units - units.n_train
            exclude[np.flatnonzero(exclude)[room:]] = False
            train, test = units.subsample(rng, exclude)
        else:
            train, test = units.bootstrap(rng, exclude)
        scored[units.unit_of[test]] = True
        yield Split(i // cv, i % cv, train, test)
        i += 1
