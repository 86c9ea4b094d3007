"""Recognising skorch nets without importing torch.

Importing torch takes seconds, so the rest of the package must not do it
just to find out whether an estimator is a skorch net: if skorch has not been
imported yet, nothing can be an instance of one of its classes.
"""

import sys


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
    >>> from skdifficulty._skorch_utils import is_skorch_net
    >>> is_skorch_net(LogisticRegression())
    False
    """
    # skorch.net, not skorch: the package __init__ may still be running
    # while a half-imported skorch sits in sys.modules.
    net_module = sys.modules.get("skorch.net")
    neural_net = getattr(net_module, "NeuralNet", None)
    return neural_net is not None and isinstance(estimator, neural_net)


def seed_torch(seed):
    """Seed torch's global generator, if torch is already imported.

    A skorch net has no ``random_state``: its initial weights and batch order
    come from torch's global generator, which each resampled fit seeds.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(int(seed))
