"""DataMapDisplay: the data map of a training, confidence against variability."""

import numpy as np

from ..utils._validation import check_finite, check_float_vector
from ._common import (
    PLAIN_COLOR,
    check_highlight,
    check_labels,
    colormap_colors,
    per_epoch_array,
    plain_samples,
    recorded_confidence,
    scatter_groups,
    single_axes,
    style_highlighted,
    validate_plot_params,
    with_user_style,
)


class DataMapDisplay:
    """Data map of dataset cartography: confidence against variability.

    One point per training sample at ``(variability, confidence)``: the mean
    probability of its given label over the training epochs (y axis) and
    the standard deviation of that probability across the epochs (x axis),
    as in Swayamdipta et al. (2020). Easy samples sit at the top left,
    ambiguous ones to the right, and hard ones (often wrong labels) at the
    bottom left. Samples in ``highlight`` are drawn in another colour; with
    ``y`` the other samples are coloured by class.

    Create it with :meth:`from_estimator` or :meth:`from_confidence`; the
    constructor only stores the data.

    Parameters
    ----------
    confidence : ndarray of shape (n_samples,)
        Mean confidence in the given label over the epochs.
    variability : ndarray of shape (n_samples,)
        Standard deviation of the confidence over the epochs.
    y : ndarray of shape (n_samples,), default=None
        Labels, to colour the samples by class.
    highlight : ndarray of shape (n_samples,), dtype=bool, default=None
        Samples to draw in another colour.
    highlight_label : str, default="highlighted"
        Legend text of the highlighted samples.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes of the map.
    figure_ : matplotlib Figure
        The figure holding it.
    scatter_ : matplotlib PathCollection
        The samples not highlighted.
    scatter_highlight_ : matplotlib PathCollection or None
        The highlighted samples.

    See Also
    --------
    DifficultyCurveDisplay : Difficulty per epoch of groups of samples.
    skdifficulty.dynamics.DynamicsDifficultyEstimator : Records the
        mean and standard deviation of the confidences over one training.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdifficulty.plotting import DataMapDisplay
    >>> rng = np.random.default_rng(0)
    >>> flipped = np.arange(50) < 5
    >>> # Confidence in the given label after each of 10 epochs, per sample.
    >>> confidence = rng.uniform(0.6, 1.0, size=(10, 50))
    >>> confidence[:, flipped] -= 0.5
    >>> disp = DataMapDisplay.from_confidence(
    ...     confidence, highlight=flipped, highlight_label="flipped"
    ... )
    >>> len(disp.scatter_.get_offsets()), len(disp.scatter_highlight_.get_offsets())
    (45, 5)
    >>> [text.get_text() for text in disp.ax_.get_legend().get_texts()]
    ['other samples', 'flipped']
    """

    def __init__(
        self,
        *,
        confidence,
        variability,
        y=None,
        highlight=None,
        highlight_label="highlighted",
    ):
        self.confidence = confidence
        self.variability = variability
        self.y = y
        self.highlight = highlight
        self.highlight_label = highlight_label

    @classmethod
    def from_estimator(
        cls,
        dynamics_estimator,
        *,
        y=None,
        highlight=None,
        highlight_label="highlighted",
        ax=None,
        scatter_kwargs=None,
        highlight_kwargs=None,
    ):
        """Plot the data map of a fitted DynamicsDifficultyEstimator.

        Parameters
        ----------
        dynamics_estimator : DynamicsDifficultyEstimator or TrainingDynamics
            A fitted estimator, whose ``confidence_mean_`` and
            ``confidence_std_`` are plotted, or a ``TrainingDynamics``
            callback of a fitted net (its per-epoch ``confidence_``).
        y : array-like of shape (n_samples,), default=None
            The labels it was fitted with, to colour the samples by class
            (the estimator does not keep them).
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            Samples to draw in another colour, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples not
            highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted
            samples, over the defaults.

        Returns
        -------
        display : DataMapDisplay
            The display, with the plot drawn.
        """
        mean = getattr(dynamics_estimator, "confidence_mean_", None)
        std = getattr(dynamics_estimator, "confidence_std_", None)
        if mean is None or std is None:
            confidence = recorded_confidence(
                dynamics_estimator,
                missing="no training dynamics to map",
                accepted="a fitted DynamicsDifficultyEstimator (with "
                "confidence_mean_ and confidence_std_)",
            )
            mean, std = _over_epochs(confidence)
        display = cls._checked(mean, std, y, highlight, highlight_label)
        return display.plot(
            ax=ax, scatter_kwargs=scatter_kwargs, highlight_kwargs=highlight_kwargs
        )

    @classmethod
    def from_confidence(
        cls,
        confidence,
        *,
        y=None,
        highlight=None,
        highlight_label="highlighted",
        ax=None,
        scatter_kwargs=None,
        highlight_kwargs=None,
    ):
        """Plot the data map of per-epoch confidences given as an array.

        Parameters
        ----------
        confidence : array-like of shape (n_epochs, n_samples)
            Probability of each sample's given label after each epoch.
        y : array-like of shape (n_samples,), default=None
            Labels, to colour the samples by class.
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            Samples to draw in another colour, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples not
            highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted
            samples, over the defaults.

        Returns
        -------
        display : DataMapDisplay
            The display, with the plot drawn.
        """
        mean, std = _over_epochs(confidence)
        display = cls._checked(mean, std, y, highlight, highlight_label)
        return display.plot(
            ax=ax, scatter_kwargs=scatter_kwargs, highlight_kwargs=highlight_kwargs
        )

    @classmethod
    def _checked(cls, confidence, variability, y, highlight, highlight_label):
        """The display of the checked per-sample summaries and marks."""
        confidence = check_float_vector(confidence, "confidence")
        n_samples = confidence.shape[0]
        return cls(
            confidence=confidence,
            variability=check_float_vector(variability, "variability", n_samples),
            y=check_labels(y, n_samples),
            highlight=check_highlight(highlight, n_samples),
            highlight_label=highlight_label,
        )

    @validate_plot_params(
        {"scatter_kwargs": [dict, None], "highlight_kwargs": [dict, None]}
    )
    def plot(self, ax=None, *, scatter_kwargs=None, highlight_kwargs=None):
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples not
            highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted
            samples, over the defaults.

        Returns
        -------
        display : DataMapDisplay
            The display, with its ``ax_``, ``figure_`` and artists set.
        """
        self.figure_, self.ax_ = single_axes(ax)
        plain, label = plain_samples(self.highlight, self.confidence.shape[0])
        plain_style, handles = self._plain_style(plain, label, scatter_kwargs)
        self.scatter_, self.scatter_highlight_ = scatter_groups(
            self.ax_,
            self.variability,
            self.confidence,
            plain,
            self.highlight,
            plain_style=plain_style,
            highlight_style=style_highlighted(
                self.highlight_label, highlight_kwargs, s=14, alpha=0.9
            ),
        )
        if handles:
            if self.scatter_highlight_ is not None:
                handles.append(self.scatter_highlight_)
            self.ax_.legend(handles=handles, loc="best")
        elif self.highlight is not None:
            self.ax_.legend(loc="best")
        self.ax_.set(
            xlabel="variability (std of confidence over epochs)",
            ylabel="confidence (mean over epochs)",
            title="Data map",
        )
        return self

    def _plain_style(self, plain, label, scatter_kwargs):
        """The style of the samples not highlighted, and a legend entry per class.

        With ``y`` and no user colour the samples take their class's colour
        of ``scatter_kwargs["cmap"]`` (viridis by default); else one colour
        and no entries.
        """
        style = {"s": 10, "alpha": 0.6, "label": label}
        user = dict(scatter_kwargs or {})
        if self.y is None or {"c", "color"} & user.keys():
            style["color"] = PLAIN_COLOR
            return with_user_style(style, user), []
        classes, codes = np.unique(self.y, return_inverse=True)
        colors = colormap_colors(classes.shape[0], user.pop("cmap", "viridis"))
        style["c"] = colors[codes[plain]]
        handles = [
            _marker_handle(color, str(name))
            for name, color in zip(classes, colors, strict=True)
        ]
        return with_user_style(style, user), handles


def _over_epochs(confidence):
    """Each sample's mean confidence over the epochs, and its standard deviation."""
    confidence = per_epoch_array(confidence, "confidence")
    check_finite(confidence, "confidence")
    return confidence.mean(axis=0), confidence.std(axis=0)


def _marker_handle(color, label):
    """A legend entry showing one scatter point."""
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="o", linestyle="", color=color, label=label)
