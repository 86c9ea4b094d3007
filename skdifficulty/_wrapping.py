"""How the meta-estimators follow the estimator they wrap.

The methods it has, its tags, the difficulty estimator measured with it, what
the "auto" settings (``weighting``, ``relabel``, ``dynamic``) mean for it, and
the settings it cannot serve.
"""

import warnings

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .estimate._defaults import default_estimator
from .estimate._estimator import DifficultyEstimator
from .nets._rules import is_skorch_net
from .weighting._weights import LABEL_MODES

# What X and y may be is the wrapped estimator's to say: pairwise makes
# cross-validation cut a precomputed kernel on both axes, the others tell
# callers and scikit-learn's checks what data to give.
_INPUT_TAGS = (
    "sparse",
    "allow_nan",
    "categorical",
    "string",
    "pairwise",
    "positive_only",
)


def estimator_has(attr):
    """Whether the fitted (or else the unfitted) wrapped estimator has ``attr``."""

    def check(self):
        if hasattr(self, "estimator_"):
            return hasattr(self.estimator_, attr)
        return hasattr(self._base_estimator(), attr)

    return check


def delegate(method, summary, returns, description):
    """A method that calls ``estimator_.<method>(X)``, there when it is.

    ``summary`` is the docstring's first line; ``returns`` and
    ``description`` are its Returns entry.
    """

    def delegated(self, X):
        check_is_fitted(self)
        return getattr(self.estimator_, method)(X)

    delegated.__name__ = method
    delegated.__doc__ = f"""{summary}

        Parameters
        ----------
        X : {{array-like, sparse matrix, DataFrame}} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        {returns}
            {description}
        """
    return available_if(estimator_has(method))(delegated)


def inherit_tags(tags, estimator):
    """``tags`` with what X and y may be taken from ``estimator``'s tags."""
    inner = get_tags(estimator)
    for name in _INPUT_TAGS:
        setattr(tags.input_tags, name, getattr(inner.input_tags, name))
    tags.target_tags.positive_only = inner.target_tags.positive_only
    tags.non_deterministic = inner.non_deterministic
    return tags


def inherit_task_tags(tags, estimator, names):
    """``tags`` with the ``names`` of ``estimator``'s classifier or regressor tags.

    For a subclass's ``__sklearn_tags__``: the task's mixin resets these
    after the base class has set the others.
    """
    task = f"{tags.estimator_type}_tags"
    inner = getattr(get_tags(estimator), task)
    if inner is not None:
        for name in names:
            setattr(getattr(tags, task), name, getattr(inner, name))
    return tags


def _given_difficulty_estimator(meta):
    """``difficulty_estimator``, or the deprecated ``difficulty`` with a warning."""
    if isinstance(meta.difficulty, str) and meta.difficulty == "deprecated":
        return meta.difficulty_estimator
    if meta.difficulty_estimator is not None:
        raise ValueError(
            "Both difficulty_estimator and its old name difficulty are set; "
            "pass difficulty_estimator only."
        )
    warnings.warn(
        "The parameter difficulty was renamed difficulty_estimator in 0.2 and "
        "will be removed in 0.4; pass difficulty_estimator instead.",
        FutureWarning,
        stacklevel=4,
    )
    return meta.difficulty


def difficulty_estimator_for(meta, estimator, sparse):
    """The unfitted difficulty estimator of ``meta``, which wraps ``estimator``.

    A clone of the one given, or ``DifficultyEstimator(estimator,
    keep_estimators=False)``; ``meta.random_state`` overrides its own when
    not None.
    """
    given = _given_difficulty_estimator(meta)
    if given is not None:
        difficulty = clone(given)
        if "estimator" in difficulty.get_params() and difficulty.estimator is None:
            # The difficulty's default follows the meta-estimator's task
            # (integer targets of a regressor would look like classes).
            regression = not is_classifier(meta)
            difficulty.set_params(
                estimator=default_estimator(regression=regression, sparse=sparse)
            )
    else:
        # The resampled models are not needed here; dropping them saves memory.
        difficulty = DifficultyEstimator(clone(estimator), keep_estimators=False)
    if meta.random_state is not None:
        difficulty.set_params(random_state=meta.random_state)
    return difficulty


def check_estimator_kind(estimator, classifier):
    """Refuse an estimator of the other task than the meta-estimator's."""
    kind, twin = (
        ("classifier", "regressor") if classifier else ("regressor", "classifier")
    )
    if not (is_classifier if classifier else is_regressor)(estimator):
        raise ValueError(
            f"DifficultyWeighted{kind.title()} needs a {kind}; "
            f"{type(estimator).__name__} is not one. Use "
            f"DifficultyWeighted{twin.title()} for {twin}s."
        )


def resolve_weighting(weighting, classifier, estimator, difficulty_estimator):
    """``weighting``, with "auto" resolved.

    "auto" is "consensus" for a classifier wrapping a skorch net whose
    difficulty has held-out probabilities, and "easy_first" otherwise.
    """
    if not (isinstance(weighting, str) and weighting == "auto"):
        return weighting
    if (
        classifier
        and is_skorch_net(estimator)
        and hasattr(difficulty_estimator, "heldout_proba_")
    ):
        return "consensus"
    return "easy_first"


def resolve_relabel(relabel, estimator, difficulty_estimator):
    """``relabel``, with "auto" resolved; True is refused without probabilities.

    "auto" is True for a skorch net whose difficulty has held-out
    probabilities, and False otherwise.
    """
    proba = getattr(difficulty_estimator, "heldout_proba_", None)
    if relabel == "auto":
        return proba is not None and is_skorch_net(estimator)
    if relabel and proba is None:
        raise ValueError(
            "relabel=True needs held-out class probabilities, which "
            f"{type(difficulty_estimator).__name__} does not give "
            "(heldout_proba_). Use a DifficultyEstimator with "
            "loss='log_loss' or 'brier', or relabel=False."
        )
    return relabel


def resolve_dynamic(dynamic, estimator):
    """``dynamic``, with "auto" resolved; True is refused where it cannot work.

    "auto" is True for a skorch net whose callbacks are on, and False
    otherwise.
    """
    net = is_skorch_net(estimator)
    # callbacks="disable" switches off every callback of a skorch net.
    disabled = net and isinstance(estimator.callbacks, str)
    if dynamic == "auto":
        return net and not disabled
    if dynamic and not net:
        raise ValueError(
            "dynamic=True reweighs the samples while a skorch net trains; "
            f"{type(estimator).__name__} is not a skorch net. Use dynamic=False."
        )
    if dynamic and disabled:
        raise ValueError(
            "dynamic=True adds a callback to the net, whose callbacks are "
            f"{estimator.callbacks!r}. Pass callbacks=[] instead, or use "
            "dynamic=False."
        )
    return dynamic


def with_dynamic_weights(net, difficulty_estimator, strength):
    """``net`` with a :class:`~skdifficulty.dynamics.DynamicWeights` callback."""
    from .nets._dynamic_weights import DynamicWeights

    best = getattr(difficulty_estimator, "best_epochs_", None)
    # Before the net fits the wrong labels: when the held-out members were at
    # their best, or a tenth of the way.
    start = int(np.median(best)) if best is not None else net.max_epochs // 10
    callback = DynamicWeights(start=max(1, start), strength=strength)
    callbacks = list(net.callbacks or [])
    return net.set_params(callbacks=[*callbacks, ("dynamic_weights", callback)])


def check_regression_settings(normalize, weighting):
    """Refuse the settings that need classes, which a regressor does not have."""
    if normalize == "class":
        raise ValueError(
            "normalize='class' balances classes, which a regressor does not "
            "have; use normalize='mean' or None."
        )
    if isinstance(weighting, str) and weighting in LABEL_MODES:
        raise ValueError(
            f"weighting={weighting!r} compares class labels with held-out "
            "class probabilities, which a regressor does not have; use a "
            "cut-off mode ('huber', 'tukey', 'trim') or a rank mode."
        )
