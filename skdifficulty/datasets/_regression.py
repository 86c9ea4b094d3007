"""Regression contamination: training targets moved by gross errors."""

from numbers import Real

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._random import MAX_SEED

# A contaminated target moves by this many standard deviations of the
# training targets, drawn uniformly: gross errors, not noise.
GROSS_ERROR_SIZE = (3.0, 6.0)

_DIABETES_DESCR = """\
Contaminated diabetes
---------------------

The diabetes data of scikit-learn (``sklearn.datasets.load_diabetes``), split
into a train and a test part. Only the training part is contaminated: a share
of its targets moves by {low:g} to {high:g} standard deviations of the
training targets. The test targets are clean.

- training samples: {n_train}
- test samples: {n_test}
- contaminated training targets: {n_contaminated} ({kind}, rate {noise})
"""


def _generator(random_state):
    """A numpy Generator from an int or None, or from a seed a RandomState draws."""
    if isinstance(random_state, np.random.RandomState):
        random_state = random_state.randint(MAX_SEED)
    return np.random.default_rng(random_state)


@validate_params(
    {
        "noise": [Interval(Real, 0, 1, closed="left")],
        "kind": [StrOptions({"two-sided", "one-sided"})],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def load_contaminated_diabetes(*, noise=0.2, kind="two-sided", random_state=0):
    """Load the diabetes data with a share of its training targets grossly wrong.

    The 442 rows of ``sklearn.datasets.load_diabetes`` (shipped with
    scikit-learn, nothing is downloaded) are split into a train part and a
    clean test part of a quarter of the rows. Then ``round(noise * n_train)``
    training targets, drawn at random, move by 3 to 6 standard deviations of
    the training targets (each size drawn uniformly), up or down at random
    ("two-sided") or up ("one-sided"). These are gross errors, the
    regression counterpart of wrong labels, which robust regression and
    difficulty weighting should give little weight.

    Parameters
    ----------
    noise : float in [0, 1), default=0.2
        Share of the training targets to contaminate.
    kind : {"two-sided", "one-sided"}, default="two-sided"
        ``"two-sided"``: each contaminated target moves up or down, at
        random. ``"one-sided"``: every one moves up, which biases a
        least-squares fit as well as spreading it.
    random_state : int, RandomState instance or None, default=0
        Seeds the split and the contamination. An int seeds both; a
        RandomState instance gives the split its draws and then the seed of
        the contamination.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        X_train : ndarray of shape (n_train, 10)
            Training features (scaled as by ``load_diabetes``).
        X_test : ndarray of shape (n_test, 10)
            Test features.
        y_train : ndarray of shape (n_train,)
            Training targets, some contaminated.
        y_train_clean : ndarray of shape (n_train,)
            The true training targets.
        y_test : ndarray of shape (n_test,)
            The true test targets.
        flipped : ndarray of shape (n_train,), dtype=bool
            Which training targets were contaminated (named as in
            :func:`load_noisy_digits`, so that code can read both alike).
        feature_names : list of str
            Feature names, as in ``load_diabetes``.
        DESCR : str
            What was done to the data.

    See Also
    --------
    load_noisy_digits : The classification counterpart, with flipped labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skdifficulty.datasets import load_contaminated_diabetes
    >>> data = load_contaminated_diabetes(noise=0.2, random_state=0)
    >>> data.X_train.shape, data.X_test.shape
    ((331, 10), (111, 10))
    >>> int(data.flipped.sum())
    66
    >>> error = np.abs(data.y_train - data.y_train_clean) / data.y_train_clean.std()
    >>> bool(np.all((error[data.flipped] >= 3) & (error[data.flipped] <= 6)))
    True
    >>> bool(np.all(error[~data.flipped] == 0))
    True
    """
    diabetes = load_diabetes()
    X_train, X_test, y_train, y_test = train_test_split(
        diabetes.data, diabetes.target, test_size=0.25, random_state=random_state
    )
    rng = _generator(random_state)
    n_train = y_train.shape[0]
    bad = rng.choice(n_train, size=round(noise * n_train), replace=False)
    size = rng.uniform(*GROSS_ERROR_SIZE, size=bad.shape[0]) * y_train.std()
    sign = rng.choice([-1.0, 1.0], size=bad.shape[0]) if kind == "two-sided" else 1.0
    y_noisy = y_train.copy()
    y_noisy[bad] += sign * size
    flipped = np.zeros(n_train, dtype=bool)
    flipped[bad] = True
    low, high = GROSS_ERROR_SIZE
    descr = _DIABETES_DESCR.format(
        low=low,
        high=high,
        n_train=n_train,
        n_test=y_test.shape[0],
        n_contaminated=int(flipped.sum()),
        kind=kind,
        noise=noise,
    )
    return Bunch(
        X_train=X_train,
        y_train=y_noisy,
        y_train_clean=y_train,
        flipped=flipped,
        X_test=X_test,
        y_test=y_test,
        feature_names=list(diabetes.feature_names),
        DESCR=descr,
    )
