"""Split plans: K-fold, bootstrap and subsample, with and without groups."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    LeaveOneGroupOut,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    StratifiedKFold,
)

from skdifficulty import DifficultyEstimator
from skdifficulty.estimate._resampling import RESAMPLING_METHODS, make_splits, n_splits

RANDOM_PLANS = ["bootstrap", "subsample"]


@pytest.fixture
def groups():
    """40 groups of 3 consecutive samples (for the 120 samples of ``data``)."""
    return np.repeat(np.arange(40), 3)


def held_out(splits, n_samples):
    """How many test parts hold each sample."""
    counts = np.zeros(n_samples, dtype=int)
    for split in splits:
        counts[split.test] += 1
    return counts


def assert_groups_kept_together(splits, groups):
    for split in splits:
        assert not np.intersect1d(groups[split.train], groups[split.test]).size


def rare_class(y):
    """``y`` with a third class of only four samples (indices 0 to 3)."""
    y = np.where(y == 2, 0, y)
    y[:4] = 2
    return y


# -- K-fold ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "stratify, splitter_class",
    [(True, RepeatedStratifiedKFold), (False, RepeatedKFold)],
)
def test_kfold_repeats_stratified_kfold_and_numbers_the_folds(
    data, stratify, splitter_class
):
    X, y = data
    splits = list(
        make_splits(X, y, cv=4, n_repeats=3, stratify=stratify, random_state=0)
    )
    expected = splitter_class(n_splits=4, n_repeats=3, random_state=0).split(X, y)
    for split, (train, test) in zip(splits, expected, strict=True):
        assert_array_equal(split.train, train)
        assert_array_equal(split.test, test)
    assert [(s.repeat, s.fold) for s in splits] == [
        (r, f) for r in range(3) for f in range(4)
    ]
    # Each repeat holds every sample out once, and trains on the rest.
    for repeat in range(3):
        in_repeat = [s for s in splits if s.repeat == repeat]
        assert_array_equal(held_out(in_repeat, len(y)), np.ones(len(y)))
        for split in in_repeat:
            assert_array_equal(
                np.sort(np.concatenate([split.train, split.test])), np.arange(len(y))
            )


@pytest.mark.parametrize("stratify", [True, False])
def test_kfold_with_groups_holds_out_every_group_once_per_repeat(
    data, groups, stratify
):
    X, y = data
    splits = list(
        make_splits(
            X, y, cv=4, n_repeats=2, stratify=stratify, groups=groups, random_state=0
        )
    )
    assert [(s.repeat, s.fold) for s in splits] == [
        (r, f) for r in range(2) for f in range(4)
    ]
    assert_groups_kept_together(splits, groups)
    for repeat in range(2):
        in_repeat = [s for s in splits if s.repeat == repeat]
        assert_array_equal(held_out(in_repeat, len(y)), np.ones(len(y)))
    # Each repeat is shuffled anew.
    assert not all(
        np.array_equal(a.test, b.test)
        for a, b in zip(splits[:4], splits[4:], strict=True)
    )


# -- every plan -----------------------------------------------------------------


@pytest.mark.parametrize("resampling", RESAMPLING_METHODS)
def test_groups_are_held_out_together_in_every_plan(data, groups, resampling):
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling=resampling,
            cv=3,
            n_repeats=2,
            groups=groups,
            random_state=0,
        )
    )
    assert len(splits) >= 6
    assert_groups_kept_together(splits, groups)
    assert held_out(splits, len(y)).min() >= 1


@pytest.mark.parametrize("resampling", RESAMPLING_METHODS)
@pytest.mark.parametrize("with_groups", [False, True], ids=["samples", "groups"])
def test_train_and_test_parts_are_disjoint_in_every_plan(
    data, groups, resampling, with_groups
):
    X, y = data
    splits = make_splits(
        X,
        y,
        resampling=resampling,
        cv=3,
        n_repeats=2,
        groups=groups if with_groups else None,
        random_state=0,
    )
    for split in splits:
        assert not np.intersect1d(split.train, split.test).size
        assert split.test.size


@pytest.mark.parametrize("resampling", RESAMPLING_METHODS)
def test_stratification_keeps_every_class_in_every_training_part(data, resampling):
    X, y = data
    y = rare_class(y)
    splits = list(
        make_splits(X, y, resampling=resampling, cv=3, n_repeats=2, random_state=0)
    )
    # The planned fits; the extra fits of a random plan train without the
    # samples still unscored, which may be a whole class.
    for split in splits[:6]:
        assert_array_equal(np.unique(y[split.train]), [0, 1, 2])
        if resampling == "bootstrap":  # each class is drawn to its own size
            assert np.sum(y[split.train] == 2) == 4


@pytest.mark.parametrize("resampling", RESAMPLING_METHODS)
def test_the_same_seed_gives_the_same_plan(data, resampling):
    X, y = data

    def plan(seed):
        return list(
            make_splits(
                X, y, resampling=resampling, cv=3, n_repeats=2, random_state=seed
            )
        )

    first, again, other = plan(0), plan(0), plan(1)
    assert len(first) == len(again)
    for a, b in zip(first, again, strict=True):
        assert (a.repeat, a.fold) == (b.repeat, b.fold)
        assert_array_equal(a.train, b.train)
        assert_array_equal(a.test, b.test)
    assert not all(
        np.array_equal(a.test, b.test) for a, b in zip(first, other, strict=False)
    )


def test_a_plan_is_drawn_lazily(data):
    X, y = data

    class CountingSplitter:
        drawn = 0

        def get_n_splits(self, X=None, y=None, groups=None):
            return 3

        def split(self, X, y=None, groups=None):
            for train, test in KFold(3).split(X):
                self.drawn += 1
                yield train, test

    splitter = CountingSplitter()
    plan = make_splits(X, y, cv=splitter)
    assert splitter.drawn == 0
    next(plan)
    assert splitter.drawn == 1


# -- random plans ---------------------------------------------------------------


@pytest.mark.parametrize("resampling", RANDOM_PLANS)
def test_samples_are_scored_only_by_models_that_did_not_see_them(data, resampling):
    X, y = data
    splits = list(
        make_splits(X, y, resampling=resampling, cv=5, n_repeats=2, random_state=0)
    )
    assert len(splits) >= 10  # more where 10 left samples unscored
    counts = np.zeros(len(y), dtype=int)
    for split in splits:
        assert not np.intersect1d(split.train, split.test).size
        assert set(np.unique(y[split.train])) == {0, 1, 2}
        counts[split.test] += 1
    assert counts.min() >= 1
    est = DifficultyEstimator(
        resampling=resampling, cv=5, n_repeats=4, random_state=0
    ).fit(X, y)
    assert est.n_evaluations_.min() >= 1
    # Every fit trains on the size promised: (cv - 1) / cv of the samples for
    # a subsample, n draws for a bootstrap, extra fits included.
    size = 96 if resampling == "subsample" else len(y)
    assert all(len(s.train) == size for s in splits)


@pytest.mark.parametrize("train_size", [0.5, 60])
def test_subsample_train_size(data, train_size):
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling="subsample",
            cv=3,
            n_repeats=1,
            train_size=train_size,
            random_state=0,
        )
    )
    assert {len(s.train) for s in splits} == {60}  # extra fits included
    tested = np.concatenate([s.test for s in splits])
    assert_array_equal(np.unique(tested), np.arange(len(y)))


@pytest.mark.parametrize("resampling", RANDOM_PLANS)
@pytest.mark.parametrize("train_size", [None, 0.95])
def test_random_plans_score_every_sample_with_fits_of_the_promised_size(
    data, resampling, train_size
):
    # 2 fits leave ~40% (bootstrap) or ~25-90% (subsample) of the samples
    # unscored; extra fits of the same size, none training on those samples,
    # score them, and n_fits_ counts them.
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling=resampling,
            cv=2,
            n_repeats=1,
            train_size=train_size,
            random_state=0,
        )
    )
    sizes = {len(split.train) for split in splits}
    expected = (
        len(y)
        if resampling == "bootstrap"
        else (len(y) // 2 if train_size is None else int(0.95 * len(y)))
    )
    assert sizes == {expected}
    assert len(splits) > 2
    assert held_out(splits, len(y)).min() >= 1
    est = DifficultyEstimator(
        resampling=resampling,
        cv=2,
        n_repeats=1,
        train_size=train_size,
        random_state=0,
    ).fit(X, y)
    assert est.n_evaluations_.min() >= 1
    assert est.n_fits_ > 2  # the extra fits are counted


@pytest.mark.parametrize(
    "resampling, n_train_groups", [("bootstrap", 40), ("subsample", 20)]
)
def test_random_plans_with_groups_keep_the_promised_size(
    data, groups, resampling, n_train_groups
):
    """Whole groups are drawn; the extra fits that score the rest as well."""
    X, y = data
    splits = list(
        make_splits(
            X,
            y,
            resampling=resampling,
            cv=2,
            n_repeats=1,
            groups=groups,
            random_state=0,
        )
    )
    assert len(splits) > 2  # extra fits were needed
    # A bootstrap draws 40 groups (with repeats), a subsample half of them.
    assert {len(split.train) for split in splits} == {3 * n_train_groups}
    assert held_out(splits, len(y)).min() >= 1


def test_extra_fits_are_numbered_as_further_repeats(data):
    X, y = data
    splits = list(
        make_splits(X, y, resampling="bootstrap", cv=2, n_repeats=1, random_state=0)
    )
    assert len(splits) > 2
    assert [(s.repeat, s.fold) for s in splits] == [
        (i // 2, i % 2) for i in range(len(splits))
    ]


def test_a_one_sample_class_makes_subsampling_unstratified_and_says_so(data):
    X, y = data
    y = y.copy()
    y[0] = 7
    with pytest.warns(UserWarning, match="A class has a single sample"):
        splits = list(
            make_splits(X, y, resampling="subsample", cv=3, n_repeats=1, random_state=0)
        )
    assert {len(split.train) for split in splits} == {80}
    assert held_out(splits, len(y)).min() >= 1


# -- a user's splitter ----------------------------------------------------------


def test_a_repeated_splitter_numbers_its_repeats_and_folds(data):
    X, y = data
    splitter = RepeatedStratifiedKFold(n_splits=3, n_repeats=2, random_state=0)
    splits = list(make_splits(X, y, cv=splitter))
    assert [(s.repeat, s.fold) for s in splits] == [
        (r, f) for r in range(2) for f in range(3)
    ]


@pytest.mark.parametrize(
    "cv", [KFold(4), list(KFold(4).split(np.zeros(120)))], ids=["splitter", "list"]
)
def test_a_splitter_or_a_list_of_splits_is_one_repeat(data, cv):
    X, y = data
    splits = list(make_splits(X, y, cv=cv, n_repeats=3))
    assert [(s.repeat, s.fold) for s in splits] == [(0, f) for f in range(4)]
    for split, (train, test) in zip(splits, KFold(4).split(X), strict=True):
        assert_array_equal(split.train, train)
        assert_array_equal(split.test, test)


def test_groups_reach_a_users_splitter(data, groups):
    X, y = data
    splits = list(make_splits(X, y, cv=GroupKFold(4), groups=groups))
    assert len(splits) == 4
    assert_groups_kept_together(splits, groups)


# -- errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "split, match",
    [
        (
            (np.arange(60), np.arange(60, 121)),
            "repeat 0, fold 1 has the test index 120, out of range for 120",
        ),
        (
            (np.arange(-121, -60), np.arange(60, 120)),
            "repeat 0, fold 1 has the train index -121, out of range for 120",
        ),
        (
            (np.arange(60.0), np.arange(60, 120)),
            "has train indices of dtype float64; expected integers",
        ),
        (
            (np.arange(70), np.arange(60, 120)),
            r"puts 10 samples \(the first: index 60\) in both the training and",
        ),
    ],
    ids=["too large", "too small", "not integers", "overlap"],
)
def test_a_bad_split_is_named(data, split, match):
    X, y = data
    cv = [(np.arange(60, 120), np.arange(60)), split]
    plan = make_splits(X, y, cv=cv)
    next(plan)  # the first split is fine
    with pytest.raises(ValueError, match=match):
        next(plan)


def test_negative_indices_and_boolean_masks_are_valid_splits(data):
    X, y = data
    first = np.arange(120) < 60
    cv = [(~first, first), (np.arange(-60, 0), np.arange(60))]
    splits = list(make_splits(X, y, cv=cv))
    assert len(splits) == 2


def test_a_random_plan_needs_an_integer_cv(data):
    X, y = data
    with pytest.raises(ValueError, match="needs an integer cv"):
        list(make_splits(X, y, resampling="bootstrap", cv=KFold(3)))


def test_an_unknown_resampling_is_named(data):
    X, y = data
    with pytest.raises(ValueError, match="resampling must be one of"):
        list(make_splits(X, y, resampling="jackknife", cv=3))


# -- n_splits -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cv, n_repeats, expected",
    [
        (5, 3, 15),
        (StratifiedKFold(4), 3, 4),
        (RepeatedStratifiedKFold(n_splits=3, n_repeats=2), 5, 6),
        (list(KFold(4).split(np.zeros(120))), 2, 4),
    ],
    ids=["int", "splitter", "repeated splitter", "list"],
)
def test_n_splits_counts_the_fits_of_a_kfold_plan(data, cv, n_repeats, expected):
    X, y = data
    assert n_splits(cv, n_repeats, X, y) == expected
    assert len(list(make_splits(X, y, cv=cv, n_repeats=n_repeats))) == expected


def test_n_splits_passes_groups_to_the_splitter(data, groups):
    X, y = data
    assert n_splits(LeaveOneGroupOut(), 1, X, y, groups) == 40


@pytest.mark.parametrize("resampling", RANDOM_PLANS)
def test_n_splits_counts_the_planned_fits_of_a_random_plan(data, resampling):
    X, y = data
    splits = list(
        make_splits(X, y, resampling=resampling, cv=3, n_repeats=2, random_state=0)
    )
    assert n_splits(3, 2) == 6 <= len(splits)
