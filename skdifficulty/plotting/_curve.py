"""DifficultyCurveDisplay: the difficulty of groups of samples, epoch by epoch."""

import warnings

import numpy as np

from ._common import (
    PLAIN_COLOR,
    check_highlight,
    per_epoch_array,
    plain_samples,
    recorded_confidence,
    single_axes,
    style_highlighted,
    validate_plot_params,
    with_user_style,
)


class DifficultyCurveDisplay:
    """Difficulty per epoch of groups of samples: mean and interquartile band.

    One line per group of samples (all samples, or those in ``highlight``
    and the others, e.g. flipped and clean labels): the mean over its
    samples of their difficulty after each epoch, with the band between the
    first and third quartiles. For training dynamics the per-epoch
    difficulty is one minus the confidence in the given label.

    Create it with :meth:`from_estimator` or :meth:`from_difficulty`; the
    constructor only stores the data.

    Parameters
    ----------
    per_epoch : ndarray of shape (n_epochs, n_samples)
        Difficulty of each sample after each epoch; NaN where a sample was
        not scored.
    highlight : ndarray of shape (n_samples,), dtype=bool, default=None
        The samples of the second group.
    highlight_label : str, default="highlighted"
        Legend text of the highlighted samples.
    ylabel : str, default="difficulty"
        Label of the y axis.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes of the curves.
    figure_ : matplotlib Figure
        The figure holding them.
    epochs_ : ndarray of shape (n_epochs,)
        The epochs on the x axis, from 1.
    group_labels_ : list of str
        The groups drawn (those with samples), in the order of the lines.
    mean_ : ndarray of shape (n_groups, n_epochs)
        Mean difficulty of each group after each epoch.
    quartiles_ : ndarray of shape (n_groups, 2, n_epochs)
        First and third quartiles of each group after each epoch.
    lines_ : list of matplotlib Line2D
        One mean curve per group.
    bands_ : list of matplotlib PolyCollection or None
        The interquartile bands, when drawn.

    See Also
    --------
    DataMapDisplay : Each sample's mean confidence and its variability.
    skdifficulty.dynamics.DynamicsDifficultyEstimator : Records the
        confidence in each given label after every epoch of one training.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skdifficulty.plotting import DifficultyCurveDisplay
    >>> rng = np.random.default_rng(0)
    >>> flipped = np.arange(40) < 8
    >>> # Clean samples get easier epoch by epoch; flipped ones stay hard.
    >>> per_epoch = rng.uniform(0, 0.2, size=(6, 40)) + np.where(
    ...     flipped, 0.7, np.linspace(0.6, 0.1, 6)[:, None]
    ... )
    >>> disp = DifficultyCurveDisplay.from_difficulty(
    ...     per_epoch, highlight=flipped, highlight_label="flipped"
    ... )
    >>> disp.group_labels_, disp.mean_.shape
    (['other samples', 'flipped'], (2, 6))
    >>> bool(disp.mean_[1, -1] > disp.mean_[0, -1])
    True
    """

    def __init__(
        self,
        *,
        per_epoch,
        highlight=None,
        highlight_label="highlighted",
        ylabel="difficulty",
    ):
        self.per_epoch = per_epoch
        self.highlight = highlight
        self.highlight_label = highlight_label
        self.ylabel = ylabel

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        highlight=None,
        highlight_label="highlighted",
        show_iqr=True,
        ax=None,
        line_kwargs=None,
        highlight_kwargs=None,
    ):
        """Plot the per-epoch difficulty that a fitted estimator recorded.

        Parameters
        ----------
        estimator : object
            Anything fitted with a ``per_epoch_`` attribute of shape
            (n_epochs, n_samples), which is plotted as it is; else a fitted
            :class:`~skdifficulty.dynamics.DynamicsDifficultyEstimator` (or
            a ``TrainingDynamics`` callback), whose one minus the per-epoch
            confidence in the given label is plotted.
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            The samples of the second group, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        show_iqr : bool, default=True
            Whether to draw each group's interquartile band.
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        line_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the curve of the samples
            not highlighted (all samples without ``highlight``).
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the highlighted samples'
            curve. A band takes its curve's colour.

        Returns
        -------
        display : DifficultyCurveDisplay
            The display, with the plot drawn.
        """
        per_epoch = getattr(estimator, "per_epoch_", None)
        ylabel = "difficulty"
        if per_epoch is None:
            confidence = recorded_confidence(
                estimator,
                missing="no per-epoch record to plot",
                accepted="a fitted estimator with a per_epoch_ attribute, a fitted "
                "DynamicsDifficultyEstimator,",
            )
            per_epoch = 1.0 - np.asarray(confidence, dtype=np.float64)
            ylabel = "1 - confidence in the given label"
        return cls.from_difficulty(
            per_epoch,
            highlight=highlight,
            highlight_label=highlight_label,
            ylabel=ylabel,
            show_iqr=show_iqr,
            ax=ax,
            line_kwargs=line_kwargs,
            highlight_kwargs=highlight_kwargs,
        )

    @classmethod
    def from_difficulty(
        cls,
        per_epoch,
        *,
        highlight=None,
        highlight_label="highlighted",
        ylabel="difficulty",
        show_iqr=True,
        ax=None,
        line_kwargs=None,
        highlight_kwargs=None,
    ):
        """Plot per-epoch difficulty given as an array.

        Parameters
        ----------
        per_epoch : array-like of shape (n_epochs, n_samples)
            Difficulty of each sample after each epoch; NaN where a sample
            was not scored (left out of the means and quartiles).
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            The samples of the second group, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        ylabel : str, default="difficulty"
            Label of the y axis.
        show_iqr : bool, default=True
            Whether to draw each group's interquartile band.
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        line_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the curve of the samples
            not highlighted (all samples without ``highlight``).
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the highlighted samples'
            curve. A band takes its curve's colour.

        Returns
        -------
        display : DifficultyCurveDisplay
            The display, with the plot drawn.
        """
        per_epoch = per_epoch_array(per_epoch, "per_epoch")
        display = cls(
            per_epoch=per_epoch,
            highlight=check_highlight(highlight, per_epoch.shape[1]),
            highlight_label=highlight_label,
            ylabel=ylabel,
        )
        return display.plot(
            ax=ax,
            show_iqr=show_iqr,
            line_kwargs=line_kwargs,
            highlight_kwargs=highlight_kwargs,
        )

    @validate_plot_params(
        {
            "show_iqr": ["boolean"],
            "line_kwargs": [dict, None],
            "highlight_kwargs": [dict, None],
        }
    )
    def plot(self, ax=None, *, show_iqr=True, line_kwargs=None, highlight_kwargs=None):
        """Draw one curve per group of samples.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw. ``None`` makes a new figure.
        show_iqr : bool, default=True
            Whether to draw each group's interquartile band.
        line_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the curve of the samples
            not highlighted (all samples without ``highlight``).
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for the highlighted samples'
            curve. A band takes its curve's colour.

        Returns
        -------
        display : DifficultyCurveDisplay
            The display, with its ``ax_``, ``figure_`` and artists set.
        """
        self.figure_, self.ax_ = single_axes(ax)
        ax = self.ax_
        n_epochs, n_samples = self.per_epoch.shape
        self.epochs_ = np.arange(1, n_epochs + 1)
        groups = self._groups(n_samples, line_kwargs, highlight_kwargs)
        self.group_labels_ = [label for label, *_ in groups]
        self.lines_ = []
        self.bands_ = [] if show_iqr else None
        means, quartiles = [], []
        for _, members, style in groups:
            mean, low, high = _mean_and_quartiles(self.per_epoch[:, members])
            means.append(mean)
            quartiles.append([low, high])
            (line,) = ax.plot(self.epochs_, mean, **style)
            self.lines_.append(line)
            if show_iqr:
                self.bands_.append(
                    ax.fill_between(
                        self.epochs_, low, high, color=line.get_color(), alpha=0.2
                    )
                )
        self.mean_ = np.array(means).reshape(len(groups), n_epochs)
        self.quartiles_ = np.array(quartiles).reshape(len(groups), 2, n_epochs)
        ax.legend(loc="best")
        ax.set(xlabel="epoch", ylabel=self.ylabel, title="Difficulty per epoch")
        return self

    def _groups(self, n_samples, line_kwargs, highlight_kwargs):
        """``(label, members, style)`` of each group that has samples."""
        plain, label = plain_samples(self.highlight, n_samples, everyone="all samples")
        plain_style = {"color": PLAIN_COLOR, "marker": "o", "label": label}
        groups = [(label, plain, with_user_style(plain_style, line_kwargs))]
        if self.highlight is not None:
            style = style_highlighted(
                self.highlight_label, highlight_kwargs, marker="o"
            )
            groups.append((self.highlight_label, self.highlight, style))
        return [group for group in groups if group[1].any()]


def _mean_and_quartiles(values):
    """Mean, first and third quartiles of each epoch's row, NaN left out."""
    with warnings.catch_warnings():
        # An epoch where the whole group is NaN gives NaN: a gap.
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=1)
        low, high = np.nanpercentile(values, [25, 75], axis=1)
    return mean, low, high
