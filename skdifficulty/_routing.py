"""Getting ``sample_weight`` into an estimator's ``fit``.

A plain estimator takes it as a keyword, a Pipeline hands it to its last step
(``last__sample_weight``, recursively for nested pipelines), a weighted skorch
net takes it as a keyword, and with scikit-learn's metadata routing switched
on it goes to whatever requested it.
"""

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import has_fit_parameter


def prepare_for_weights(estimator):
    """Return ``estimator`` ready to take ``sample_weight`` in ``fit``.

    A plain skorch net (also as a Pipeline's last step) becomes its weighted
    twin with the same parameters; anything else is returned as it is.
    """
    if isinstance(estimator, Pipeline) and estimator.steps:
        name, last = estimator.steps[-1]
        prepared = prepare_for_weights(last)
        if prepared is not last:
            # A clone: the caller's pipeline keeps its own last step.
            estimator = clone(estimator).set_params(**{name: prepared})
        return estimator
    if _is_skorch_net(estimator):
        from .skorch import as_weighted_net

        return as_weighted_net(estimator)
    return estimator


def _is_skorch_net(estimator):
    from ._skorch_utils import is_skorch_net

    return is_skorch_net(estimator)


def weight_fit_params(estimator, sample_weight):
    """Fit keyword arguments that deliver ``sample_weight`` to ``estimator``.

    Raises
    ------
    TypeError
        If neither the estimator nor a Pipeline's last step takes weights.
    """
    if sample_weight is None:
        return {}
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        if last is None or last == "passthrough":
            raise TypeError(
                f"The last step {name!r} of the Pipeline is {last!r}: there is no "
                "estimator to take sample_weight."
            )
        inner = weight_fit_params(last, sample_weight)
        return {f"{name}__{key}": value for key, value in inner.items()}
    if has_fit_parameter(estimator, "sample_weight"):
        return {"sample_weight": sample_weight}
    raise TypeError(
        f"{type(estimator).__name__}.fit does not accept sample_weight, so it "
        "cannot be fitted with difficulty weights. Use an estimator whose fit "
        "takes sample_weight (or a Pipeline ending in one)."
    )


def check_takes_weights(estimator):
    """Refuse, before any fit, an estimator that cannot take ``sample_weight``.

    ``estimator`` is one already passed through :func:`prepare_for_weights`.
    With metadata routing enabled, routing itself checks the request.
    """
    if not routing_enabled():
        weight_fit_params(estimator, np.ones(1))


def fit_params_with_weights(owner, estimator, sample_weight, fit_params):
    """All fit keyword arguments for ``estimator``, weights included.

    With metadata routing enabled, scikit-learn's routing decides which
    parameters ``estimator`` receives; ``owner`` must implement
    ``get_metadata_routing`` (see :func:`estimator_router`).
    """
    if routing_enabled():
        params = dict(fit_params)
        if sample_weight is not None:
            params["sample_weight"] = sample_weight
        return dict(process_routing(owner, "fit", **params).estimator.fit)
    return {**fit_params, **weight_fit_params(estimator, sample_weight)}


def estimator_router(owner, estimator):
    """A router that sends ``owner.fit``'s metadata to ``estimator.fit``."""
    return MetadataRouter(owner=owner).add(
        estimator=estimator,
        method_mapping=MethodMapping().add(caller="fit", callee="fit"),
    )


def routing_enabled():
    """Whether scikit-learn's metadata routing is switched on."""
    return get_config()["enable_metadata_routing"]
