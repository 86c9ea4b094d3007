"""Getting ``sample_weight`` into an estimator's ``fit``.

A plain estimator takes it as a keyword, a Pipeline hands it to its last step
(``last__sample_weight``, recursively for nested pipelines), a weighted skorch
net takes it as a keyword, and with scikit-learn's metadata routing switched
on it goes to whatever requested it.
"""

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.pipeline import Pipeline
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    get_routing_for_object,
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
        from .nets._weighted import as_weighted_net

        return as_weighted_net(estimator)
    return estimator


def _is_skorch_net(estimator):
    from .nets._rules import is_skorch_net

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


def check_takes_weights(estimator, owner):
    """Refuse, before any fit, an estimator that cannot take ``sample_weight``.

    ``estimator`` is one already passed through :func:`prepare_for_weights`;
    ``owner`` is the meta-estimator that fits it with difficulty weights.
    With metadata routing enabled, its request is checked instead.
    """
    if routing_enabled():
        check_weight_request(
            owner, f"the difficulty weights are the point of {type(owner).__name__}"
        )
    else:
        weight_fit_params(estimator, np.ones(1))


def check_weight_request(owner, why, *, optional=False):
    """Under metadata routing, refuse an estimator that does not request weights.

    Without this, scikit-learn says that ``sample_weight`` is "not routed to
    any object", after the expensive fits. ``owner`` routes its ``fit``'s
    metadata to its ``estimator`` (see :func:`estimator_router`); ``why``
    says in a clause why the estimator must take the weights; ``optional``:
    the caller may leave ``sample_weight`` out instead.
    """
    estimator = owner._base_estimator(sparse=False)
    leaf, label = _weight_consumer(estimator)
    request = _weight_request(leaf)
    if request is True:
        # Another step that left sample_weight unset: scikit-learn names it,
        # before any fit.
        process_routing(owner, "fit", sample_weight=np.ones(1))
        return
    name = type(leaf).__name__
    fix = f"request them with {name}.set_fit_request(sample_weight=True)"
    if request == "absent":
        if not _is_skorch_net(leaf):  # as without routing
            weight_fit_params(estimator, np.ones(1))  # names the missing parameter
        # A plain net has no request to set: its weighted twin has.
        problem = "does not take sample_weight"
        fix = (
            "pass its weighted twin, skdifficulty.skorch.as_weighted_net(net), "
            "and request them with its set_fit_request(sample_weight=True)"
        )
    elif request == "routed":
        problem = "sends them to none of its estimators"
        fix = (
            "request them with set_fit_request(sample_weight=True) on the "
            f"estimator inside {name} that should take them"
        )
    elif request is False:
        problem = "refuses them (set_fit_request(sample_weight=False))"
    elif request is None:
        problem = "has not requested them (set_fit_request was not called)"
    else:
        problem = (
            f"requests them under the alias {request!r}, but they are passed as "
            "sample_weight"
        )
    message = (
        f"{label} must take sample_weight in fit: {why}. With metadata routing "
        f"enabled, {name}.fit {problem}; {fix}"
        + (", or leave sample_weight out." if optional else ".")
    )
    if request is None:  # scikit-learn's error for a request left unset
        raise UnsetMetadataPassedError(
            message=message,
            unrequested_params={"sample_weight": None},
            routed_params={},
        )
    raise TypeError(message)


def _weight_request(estimator):
    """What ``estimator.fit`` requests for ``sample_weight``.

    True, False, None (unset) or an alias, as ``set_fit_request`` set it;
    ``"absent"`` if its fit does not take it; ``"routed"`` for a
    meta-estimator that passes it to none of its estimators.
    """
    routing = get_routing_for_object(estimator)
    if isinstance(routing, MetadataRouter):  # a meta-estimator, or a skorch net
        if routing.consumes("fit", ["sample_weight"]):
            return True
        own = dict(routing).get("$self_request")  # the router's own request
        if own is None or "sample_weight" not in own.router.fit.requests:
            return "absent" if _is_skorch_net(estimator) else "routed"
        routing = own.router
    return routing.fit.requests.get("sample_weight", "absent")


def _weight_consumer(estimator):
    """The estimator that ``sample_weight`` is for, and its name in messages."""
    label = type(estimator).__name__
    while isinstance(estimator, Pipeline) and estimator.steps:
        step, estimator = estimator.steps[-1]
        label = f"{type(estimator).__name__} (the Pipeline's last step {step!r})"
    return estimator, label


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
