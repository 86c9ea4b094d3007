"""Recognising skorch nets without importing torch.

Importing torch takes seconds, so the rest of the package must not do it
just to find out whether an estimator is a skorch net: if skorch has not been
imported yet, nothing can be an instance of one of its classes.
"""

import sys

from sklearn.base import clone
from sklearn.pipeline import Pipeline


def is_skorch_net(estimator):
    """Whether ``estimator`` is a skorch net (any subclass of ``NeuralNet``).

    Never imports torch or skorch: the answer is ``False`` whenever skorch
    has not been imported, because no skorch net can exist then.

    Parameters
    ----------
    estimator : object
        Any object; classes (as opposed to instances) are not nets.

    Returns
    -------
    bool
        True if ``estimator`` is an instance of ``skorch.NeuralNet``.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skdifficulty.nets._rules import is_skorch_net
    >>> is_skorch_net(LogisticRegression())
    False
    """
    # skorch.net, not skorch: the package __init__ may still be running
    # while a half-imported skorch sits in sys.modules.
    net_module = sys.modules.get("skorch.net")
    neural_net = getattr(net_module, "NeuralNet", None)
    return neural_net is not None and isinstance(estimator, neural_net)


def ends_in_net(estimator):
    """Whether ``estimator`` is a skorch net or a Pipeline whose last step is."""
    while isinstance(estimator, Pipeline) and estimator.steps:
        estimator = estimator.steps[-1][1]
    return is_skorch_net(estimator)


def seed_torch(seed):
    """Seed torch's global generator, if torch is already imported.

    A skorch net has no ``random_state``: its initial weights and batch order
    come from torch's global generator, which each resampled fit seeds.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(int(seed))


def prepare_net_for_resampling(estimator):
    """A skorch net as resampled difficulty fits need it; others unchanged.

    A net trains without its internal validation split: the held-out part
    scores it, and the split would take a share of every training part.
    The caller's net is left as it is.
    """
    if is_skorch_net(estimator) and estimator.train_split is not None:
        check_no_validation_monitors(
            estimator,
            "difficulty fits train without the net's validation split "
            "(train_split=None): the held-out part scores them.",
        )
        estimator = clone(estimator).set_params(train_split=None)
    return estimator


def active_callbacks(net):
    """``(name, callback)`` of the net's own callbacks that are switched on.

    A callback is off when ``net.set_params(callbacks__<name>=None)`` says
    so; names are skorch's (the tuple's name, else the class name).
    """
    params = net.get_params()
    return [
        (name, callback)
        for name, callback in named_callbacks(net)
        if params.get(f"callbacks__{name}", callback) is not None
    ]


def initialized_user_callbacks(net):
    """``(name, callback)`` of an initialized net's own callbacks, as it runs them.

    These are the entries of ``net.callbacks_`` that are not among skorch's
    default callbacks (timer, loss scoring, printing): the callbacks the user
    added, with every ``set_params(callbacks__<name>__<param>=...)`` applied
    and those switched off left out.
    """
    defaults = {name for name, _ in net.get_default_callbacks()}
    return [(name, cb) for name, cb in net.callbacks_ if name not in defaults]


def is_slice_dataset(X):
    """Whether ``X`` is a skorch ``SliceDataset`` (a torch Dataset seen as an array).

    Never imports skorch, like :func:`is_skorch_net`.
    """
    helper = sys.modules.get("skorch.helper")
    slice_dataset = getattr(helper, "SliceDataset", None)
    return slice_dataset is not None and isinstance(X, slice_dataset)


def named_callbacks(net):
    """``(name, callback)`` of all the net's own callbacks, on or off."""
    named = []
    for item in net.callbacks or []:
        name, callback = item if isinstance(item, tuple) else (None, item)
        named.append(
            (name or getattr(callback, "__name__", type(callback).__name__), callback)
        )
    return named


def check_no_validation_monitors(net, why):
    """Refuse callbacks that monitor the validation split a fit drops.

    ``why`` says, in a sentence, why the fit trains with
    ``train_split=None``.
    """
    params = net.get_params()
    for name, callback in active_callbacks(net):
        monitor = params.get(
            f"callbacks__{name}__monitor", getattr(callback, "monitor", None)
        )
        if isinstance(monitor, str) and monitor.startswith("valid"):
            raise ValueError(
                f"The skorch net's callback {name!r} monitors {monitor!r}, but "
                f"{why} Monitor a training score instead, or switch the callback "
                f"off with net.set_params(callbacks__{name}=None)."
            )
