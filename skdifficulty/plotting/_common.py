"""What the Displays share: matplotlib, their axes and colours, and input checks."""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import column_or_1d

from ..utils._compat import validate_params
from ..utils._optional import import_optional
from ..utils._validation import check_finite, check_length

PLAIN_COLOR = "tab:blue"
HIGHLIGHT_COLOR = "tab:orange"


def _pyplot():
    """Import matplotlib.pyplot, or say which extra provides it."""
    return import_optional("matplotlib.pyplot", "Plotting")


def validate_plot_params(constraints):
    """``validate_params`` for a Display's drawing method.

    ``ax`` is left to matplotlib, which knows its Axes; the other parameters
    are checked against ``constraints``.
    """
    return validate_params(
        {"ax": "no_validation", **constraints}, prefer_skip_nested_validation=True
    )


def panel_axes(ax, n_panels, *, sharey=False, max_columns=None):
    """``n_panels`` axes: new ones in a grid, or the user's, checked.

    Returns the figure and a flat array of exactly ``n_panels`` axes; the
    cells of a new grid that no panel fills are hidden.
    """
    plt = _pyplot()
    if ax is None:
        n_columns = min(n_panels, max_columns or n_panels)
        n_rows = -(-n_panels // n_columns)
        figure, axes = plt.subplots(
            n_rows,
            n_columns,
            figsize=(4.5 * n_columns, 3.6 * n_rows),
            sharey=sharey,
            squeeze=False,
            layout="constrained",
        )
        for unused in axes.ravel()[n_panels:]:
            unused.set_visible(False)
        return figure, axes.ravel()[:n_panels]
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if axes.shape[0] != n_panels:
        raise ValueError(
            f"This plot needs {n_panels} axes, one per panel; got {axes.shape[0]}."
        )
    return axes[0].figure, axes


def single_axes(ax):
    """The figure and the one Axes of a one-panel Display."""
    figure, axes = panel_axes(ax, 1)
    return figure, axes[0]


def colormap_colors(n_colors, cmap="viridis"):
    """``n_colors`` colours of ``cmap``, short of its lightest end."""
    return _pyplot().get_cmap(cmap)(np.linspace(0, 0.9, n_colors))


def with_user_style(defaults, user):
    """``defaults`` updated with ``user``; a user colour replaces the default one."""
    user = dict(user or {})
    style = dict(defaults)
    if {"c", "color"} & user.keys():
        style.pop("c", None)
        style.pop("color", None)
    style.update(user)
    return style


def plain_samples(highlight, n_samples, *, everyone="samples"):
    """The mask of the samples not highlighted, and their legend text.

    Without ``highlight`` that is every sample, named ``everyone``.
    """
    if highlight is None:
        return np.ones(n_samples, dtype=bool), everyone
    return ~highlight, "other samples"


def style_highlighted(label, user, **defaults):
    """The style of the highlighted samples: their colour and legend text first."""
    return with_user_style({"color": HIGHLIGHT_COLOR, "label": label, **defaults}, user)


def scatter_groups(ax, x, y, plain, highlight, *, plain_style, highlight_style):
    """Scatter the samples in ``plain``, then those in ``highlight`` over them.

    Returns both PathCollections; the second is None without ``highlight``.
    """
    points = ax.scatter(x[plain], y[plain], **plain_style)
    if highlight is None:
        return points, None
    return points, ax.scatter(x[highlight], y[highlight], **highlight_style)


def check_highlight(highlight, n_samples):
    """A boolean mask of length ``n_samples``, or None."""
    if highlight is None:
        return None
    mask = np.asarray(highlight)
    if mask.dtype != bool:
        raise TypeError(
            "highlight must be a boolean mask (True for the samples to draw in "
            f"another colour); got dtype {mask.dtype}."
        )
    mask = column_or_1d(mask)
    check_length(mask, n_samples, "highlight")
    return mask.copy()


def check_labels(y, n_samples):
    """A copy of the labels of length ``n_samples``, or None."""
    if y is None:
        return None
    labels = np.array(column_or_1d(y), copy=True)
    check_length(labels, n_samples, "y")
    return labels


# -- training dynamics ----------------------------------------------------------


def per_epoch_array(values, name):
    """A 2-D float copy of per-epoch values of shape (n_epochs, n_samples).

    NaN (a sample not scored at an epoch) is allowed; infinity is not.
    """
    array = np.array(values, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array of shape (n_epochs, n_samples); "
            f"got shape {array.shape}."
        )
    check_finite(array, name, allow_nan=True)
    return array


def recorded_confidence(estimator, *, missing, accepted):
    """Per-epoch confidence of a fitted DynamicsDifficultyEstimator or callback.

    Duck-typed, so that plotting never imports torch: the estimator keeps
    its ``TrainingDynamics`` callback in ``dynamics_``, whose ``confidence_``
    has shape (n_epochs, n_samples). Without one, a NotFittedError says that
    ``estimator`` has ``missing`` and asks for ``accepted`` or a callback.
    """
    dynamics = getattr(estimator, "dynamics_", estimator)
    confidence = getattr(dynamics, "confidence_", None)
    if confidence is None or np.ndim(confidence) != 2:
        raise NotFittedError(
            f"{type(estimator).__name__} has {missing}: pass {accepted} or the "
            "TrainingDynamics callback of a fitted net."
        )
    return confidence
