"""The estimator's settings: what each may be, and what they resolve to for a fit.

:data:`PARAMETER_CONSTRAINTS` says what each parameter may be. For a fit, the
settings become an engine (:func:`resolve_engine`), a number of repeats
(:func:`resolve_n_repeats`), a stopping rule for stacked members
(:func:`member_stopping`), the runner that carries out the fits
(:func:`make_runner`), and the splits with one seed per fit
(:func:`plan_fits`). A one-shot iterator of splits given as ``cv`` is read
once and kept (:func:`cv_splits`).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ..nets._rules import active_callbacks, is_skorch_net
from ..utils._compat import HasMethods, Interval, StrOptions
from ..utils._random import MAX_SEED
from ._decomposition import LOSSES
from ._resampling import RESAMPLING_METHODS, make_splits, n_splits
from ._runners import JoblibRunner

PARAMETER_CONSTRAINTS = {
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

# With early_stopping="auto", all stacked members together train about this
# many trainings' worth of epochs of the net (see member_stopping).
AUTO_MEMBER_BUDGET = 1.5


def resolve_n_repeats(n_repeats, estimator):
    """``n_repeats``, with ``"auto"`` resolved for ``estimator``."""
    if n_repeats != "auto":
        return n_repeats
    # Each member of a net costs a share of a training: one repeat.
    return 1 if is_skorch_net(estimator) else 5


def resolve_engine(engine, estimator, params):
    """The engine that runs the plan: ``"sequential"`` or ``"stacked"``."""
    if engine == "sequential":
        return "sequential"
    if not is_skorch_net(estimator):
        if engine == "stacked":
            raise ValueError(
                f"engine='stacked' trains the members of a skorch net together; "
                f"{type(estimator).__name__} is not a skorch net. Use "
                "engine='sequential'."
            )
        return "sequential"
    from ..nets._stacked import stacking_refusal

    refusal = stacking_refusal(estimator, params)
    if refusal is None:
        return "stacked"
    if engine == "stacked":
        raise ValueError(refusal)
    warnings.warn(
        f"engine='auto' trains this net's members one by one (the sequential "
        f"engine, one training per member), because the stacked engine "
        f"refused it: {refusal}",
        UserWarning,
        stacklevel=4,
    )
    return "sequential"


def member_stopping(
    early_stopping, engine, estimator, *, n_iter_no_change, n_members, heldout_loss
):
    """When the stacked members stop, or None (see ``early_stopping``).

    ``heldout_loss(result)`` is a member's mean loss on its held-out samples.
    """
    if engine == "sequential":
        if early_stopping is True:
            raise ValueError(
                "early_stopping=True needs engine='stacked': it stops each "
                "member at its lowest held-out loss, which only the members "
                "trained together report after every epoch."
            )
        return None
    if early_stopping is False:
        return None
    if _has_early_stopping_callback(estimator):
        if early_stopping is True:
            raise ValueError(
                "early_stopping=True stops each member at its lowest held-out "
                "loss, and the net's own EarlyStopping callback stops it by a "
                "training score: choose one (early_stopping=False keeps the "
                "callback, run for each member)."
            )
        return None  # the user's own rule, run for each member
    from ..nets._members import MemberStopping

    max_epochs = None
    if early_stopping == "auto":
        # All members together cost about AUTO_MEMBER_BUDGET trainings.
        budget = AUTO_MEMBER_BUDGET * estimator.max_epochs / n_members
        max_epochs = max(n_iter_no_change + 1, int(np.ceil(budget)))
    return MemberStopping(heldout_loss, n_iter_no_change, max_epochs)


def _has_early_stopping_callback(net):
    """Whether a skorch net has skorch's EarlyStopping switched on."""
    from skorch.callbacks import EarlyStopping

    return any(isinstance(cb, EarlyStopping) for _, cb in active_callbacks(net))


def make_runner(
    engine, *, n_jobs, chunk_size, record_epochs, verbose, on_epoch, stopping
):
    """The runner that carries out the plan (see :mod:`._runners`).

    ``on_epoch(results)`` receives every epoch's predictions of the stacked
    members with ``record_epochs``.
    """
    if engine == "sequential":
        if record_epochs:
            raise ValueError(
                "record_epochs=True needs engine='stacked': the per-epoch "
                "scores come from the members trained together."
            )
        return JoblibRunner(n_jobs)
    from ..nets._stacked import StackedNetRunner

    return StackedNetRunner(
        chunk_size,
        on_epoch if record_epochs else None,
        stopping,
        verbose=verbose,
    )


def plan_fits(
    X, targets, groups, *, cv, resampling, n_repeats, train_size, stratify, random_state
):
    """The splits of the resampling plan, one seed per fit, and their number.

    The random plans may add fits to score every sample: the seeds go on
    as long as the splits do.
    """
    rng = check_random_state(random_state)
    splits = make_splits(
        X,
        targets,
        resampling=resampling,
        cv=cv,
        n_repeats=n_repeats,
        train_size=train_size,
        stratify=stratify,
        groups=groups,
        random_state=rng.randint(MAX_SEED),
    )
    n_fits = n_splits(cv, n_repeats, X, targets, groups)
    return splits, _seed_stream(rng, n_fits), n_fits


def _seed_stream(rng, n_planned):
    """The planned fits' seeds, then one more per extra fit, as long as asked.

    Drawing one at a time continues the same sequence as drawing them all at
    once, so the planned fits' seeds do not depend on how many extra fits
    follow.
    """
    yield from rng.randint(MAX_SEED, size=n_planned)
    while True:
        yield rng.randint(MAX_SEED)


def cv_splits(cv, state):
    """``cv``, with a one-shot iterator of splits read once and kept in ``state``.

    A generator is used up by one pass; its splits are kept (as
    ``state["_kept_cv"]``, the owner's ``__dict__``) so that a refit, a clone
    and a pickle use them again.
    """
    if isinstance(cv, Integral) or hasattr(cv, "split"):
        return cv
    if not is_one_shot(cv):
        return list(cv)  # read twice: to count the fits, then to run them
    kept = state.get("_kept_cv")
    if kept is None or kept[0] is not cv:
        kept = (cv, [tuple(split) for split in cv])
        state["_kept_cv"] = kept
    return kept[1]


def kept_cv(owner):
    """The splits to clone ``owner`` with, or None to clone it as it is.

    They are the kept splits of ``owner``'s one-shot ``cv``, read now if none
    are kept yet.
    """
    if owner.__dict__.get("_kept_cv") is None and is_one_shot(owner.cv):
        cv_splits(owner.cv, owner.__dict__)
    kept = owner.__dict__.get("_kept_cv")
    if kept is None or kept[0] is not owner.cv:
        return None
    return kept[1]


def is_one_shot(cv):
    """Whether ``cv`` is an iterator of splits that one pass uses up."""
    return hasattr(cv, "__next__") and not hasattr(cv, "split")
