"""DifficultyDisplay: the difficulty per class and the bias-variance map."""

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.utils.validation import check_is_fitted

from ..utils._compat import StrOptions
from ..utils._validation import check_float_vector
from ._common import (
    PLAIN_COLOR,
    check_highlight,
    check_labels,
    panel_axes,
    plain_samples,
    scatter_groups,
    style_highlighted,
    validate_plot_params,
    with_user_style,
)

KINDS = ("both", "distribution", "bias_variance")
"""Panels that :class:`DifficultyDisplay` can draw."""


class DifficultyDisplay:
    """Difficulty per class, and each sample's place in the bias-variance plane.

    Two panels: the distribution of the difficulty within each class (one
    violin per class), and the bias-variance map, one point per sample at
    ``(bias, variance)``; for the log loss and squared errors
    ``bias + variance`` is the difficulty, so points on a line of slope -1
    are equally hard. Samples in ``highlight`` (wrong labels, a rare class)
    are drawn in another colour in both panels.

    Create it with :meth:`from_estimator` or :meth:`from_difficulty`; the
    constructor only stores the data.

    Parameters
    ----------
    difficulty : ndarray of shape (n_samples,)
        Difficulty of each sample.
    y : ndarray of shape (n_samples,), default=None
        Labels: one violin per class. ``None`` draws one violin of all samples.
    bias : ndarray of shape (n_samples,), default=None
        Bias part of the difficulty; needed by the bias-variance map.
    variance : ndarray of shape (n_samples,), default=None
        Variance part of the difficulty; needed by the bias-variance map.
    highlight : ndarray of shape (n_samples,), dtype=bool, default=None
        Samples to draw in another colour.
    highlight_label : str, default="highlighted"
        Legend text of the highlighted samples.

    Attributes
    ----------
    ax_ : matplotlib Axes or ndarray of Axes
        The Axes of the one panel drawn, or an array of the two Axes
        (distribution, bias-variance) when both are drawn.
    distribution_ax_ : matplotlib Axes or None
        The Axes of the distribution panel.
    bias_variance_ax_ : matplotlib Axes or None
        The Axes of the bias-variance map.
    figure_ : matplotlib Figure
        The figure holding the panels.
    violins_ : dict or None
        What ``Axes.violinplot`` returned; ``violins_["bodies"]`` holds one
        body per class.
    highlight_points_ : matplotlib PathCollection or None
        The highlighted samples over the violins.
    scatter_ : matplotlib PathCollection or None
        The bias-variance points of the samples not highlighted.
    scatter_highlight_ : matplotlib PathCollection or None
        The bias-variance points of the highlighted samples.

    See Also
    --------
    WeightingDisplay : The weight each weighting mode gives to a difficulty.
    skdifficulty.DifficultyEstimator : Computes difficulty, bias and variance.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from skdifficulty import DifficultyEstimator
    >>> from skdifficulty.datasets import flip_labels
    >>> from skdifficulty.plotting import DifficultyDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> y_noisy, flipped = flip_labels(y, rate=0.1, random_state=0)
    >>> est = DifficultyEstimator(n_repeats=1, random_state=0).fit(X, y_noisy)
    >>> disp = DifficultyDisplay.from_estimator(
    ...     est, y_noisy, highlight=flipped, highlight_label="flipped"
    ... )
    >>> len(disp.violins_["bodies"]), len(disp.scatter_highlight_.get_offsets())
    (3, 15)
    >>> disp.ax_ is not None
    True
    """

    def __init__(
        self,
        *,
        difficulty,
        y=None,
        bias=None,
        variance=None,
        highlight=None,
        highlight_label="highlighted",
    ):
        self.difficulty = difficulty
        self.y = y
        self.bias = bias
        self.variance = variance
        self.highlight = highlight
        self.highlight_label = highlight_label

    @classmethod
    def from_estimator(
        cls,
        difficulty_estimator,
        y=None,
        *,
        highlight=None,
        highlight_label="highlighted",
        kind="both",
        log_scale=False,
        ax=None,
        scatter_kwargs=None,
        highlight_kwargs=None,
        violin_kwargs=None,
    ):
        """Plot the difficulty that a fitted DifficultyEstimator measured.

        Parameters
        ----------
        difficulty_estimator : DifficultyEstimator
            A fitted estimator; its ``difficulty_``, ``bias_`` and
            ``variance_`` are plotted.
        y : array-like of shape (n_samples,), default=None
            The labels it was fitted with, for one violin per class (the
            estimator does not keep them). ``None``: one violin of all samples.
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            Samples to draw in another colour, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        kind : {"both", "distribution", "bias_variance"}, default="both"
            Which panels to draw. The loss ``"zero_one"`` has no bias and
            variance, so only ``"distribution"`` works for it.
        log_scale : bool, default=False
            Log axes for difficulty, bias and variance, which span orders of
            magnitude for the log loss; the violins are then estimated from
            the logs. Every plotted value must be positive.
        ax : matplotlib Axes or array-like of two Axes, default=None
            Where to draw: one Axes per panel. ``None`` makes a new figure.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples of the
            bias-variance map that are not highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted samples
            (in both panels), over the defaults.
        violin_kwargs : dict, default=None
            Keyword arguments of ``Axes.violin`` for the violins.

        Returns
        -------
        display : DifficultyDisplay
            The display, with the plot drawn.
        """
        check_is_fitted(difficulty_estimator, "difficulty_")
        return cls.from_difficulty(
            difficulty_estimator.difficulty_,
            y,
            bias=getattr(difficulty_estimator, "bias_", None),
            variance=getattr(difficulty_estimator, "variance_", None),
            highlight=highlight,
            highlight_label=highlight_label,
            kind=kind,
            log_scale=log_scale,
            ax=ax,
            scatter_kwargs=scatter_kwargs,
            highlight_kwargs=highlight_kwargs,
            violin_kwargs=violin_kwargs,
        )

    @classmethod
    def from_difficulty(
        cls,
        difficulty,
        y=None,
        *,
        bias=None,
        variance=None,
        highlight=None,
        highlight_label="highlighted",
        kind="both",
        log_scale=False,
        ax=None,
        scatter_kwargs=None,
        highlight_kwargs=None,
        violin_kwargs=None,
    ):
        """Plot difficulty (and its bias and variance) given as arrays.

        Parameters
        ----------
        difficulty : array-like of shape (n_samples,)
            Difficulty of each sample.
        y : array-like of shape (n_samples,), default=None
            Labels, for one violin per class. ``None``: one violin of all
            samples.
        bias : array-like of shape (n_samples,), default=None
            Bias part of the difficulty; needed unless
            ``kind="distribution"``.
        variance : array-like of shape (n_samples,), default=None
            Variance part of the difficulty; needed unless
            ``kind="distribution"``.
        highlight : array-like of shape (n_samples,), dtype=bool, default=None
            Samples to draw in another colour, e.g. the flipped labels.
        highlight_label : str, default="highlighted"
            Legend text of the highlighted samples.
        kind : {"both", "distribution", "bias_variance"}, default="both"
            Which panels to draw.
        log_scale : bool, default=False
            Log axes for difficulty, bias and variance, which span orders of
            magnitude for the log loss; the violins are then estimated from
            the logs. Every plotted value must be positive.
        ax : matplotlib Axes or array-like of two Axes, default=None
            Where to draw: one Axes per panel. ``None`` makes a new figure.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples of the
            bias-variance map that are not highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted samples
            (in both panels), over the defaults.
        violin_kwargs : dict, default=None
            Keyword arguments of ``Axes.violin`` for the violins.

        Returns
        -------
        display : DifficultyDisplay
            The display, with the plot drawn.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from skdifficulty.plotting import DifficultyDisplay
        >>> disp = DifficultyDisplay.from_difficulty(
        ...     [0.1, 0.2, 2.5, 0.3], ["a", "a", "b", "b"], kind="distribution"
        ... )
        >>> [t.get_text() for t in disp.ax_.get_xticklabels()]
        ['a', 'b']
        """
        difficulty = check_float_vector(difficulty, "difficulty")
        n_samples = difficulty.shape[0]
        display = cls(
            difficulty=difficulty,
            y=check_labels(y, n_samples),
            bias=None if bias is None else check_float_vector(bias, "bias", n_samples),
            variance=(
                None
                if variance is None
                else check_float_vector(variance, "variance", n_samples)
            ),
            highlight=check_highlight(highlight, n_samples),
            highlight_label=highlight_label,
        )
        return display.plot(
            ax=ax,
            kind=kind,
            log_scale=log_scale,
            scatter_kwargs=scatter_kwargs,
            highlight_kwargs=highlight_kwargs,
            violin_kwargs=violin_kwargs,
        )

    @validate_plot_params(
        {
            "kind": [StrOptions(set(KINDS))],
            "log_scale": ["boolean"],
            "scatter_kwargs": [dict, None],
            "highlight_kwargs": [dict, None],
            "violin_kwargs": [dict, None],
        }
    )
    def plot(
        self,
        ax=None,
        *,
        kind="both",
        log_scale=False,
        scatter_kwargs=None,
        highlight_kwargs=None,
        violin_kwargs=None,
    ):
        """Draw the panels.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of two Axes, default=None
            Where to draw: one Axes per panel. ``None`` makes a new figure.
        kind : {"both", "distribution", "bias_variance"}, default="both"
            Which panels to draw.
        log_scale : bool, default=False
            Log axes for difficulty, bias and variance, which span orders of
            magnitude for the log loss; the violins are then estimated from
            the logs. Every plotted value must be positive.
        scatter_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the samples of the
            bias-variance map that are not highlighted, over the defaults.
        highlight_kwargs : dict, default=None
            Keyword arguments of ``Axes.scatter`` for the highlighted samples
            (in both panels), over the defaults.
        violin_kwargs : dict, default=None
            Keyword arguments of ``Axes.violin`` for the violins.

        Returns
        -------
        display : DifficultyDisplay
            The display, with its ``ax_``, ``figure_`` and artists set.
        """
        if kind != "distribution" and (self.bias is None or self.variance is None):
            raise ValueError(
                f"kind={kind!r} draws the bias-variance map, which needs bias and "
                "variance; pass both, or use kind='distribution' (the zero-one "
                "loss has no bias-variance split)."
            )
        panels = ["distribution", "bias_variance"] if kind == "both" else [kind]
        if log_scale:
            self._check_positive(panels)
        self.figure_, axes = panel_axes(ax, len(panels))
        self.ax_ = axes if kind == "both" else axes[0]
        by_panel = dict(zip(panels, axes, strict=True))
        self.distribution_ax_ = by_panel.get("distribution")
        self.bias_variance_ax_ = by_panel.get("bias_variance")
        self.violins_ = self.highlight_points_ = None
        self.scatter_ = self.scatter_highlight_ = None
        if self.distribution_ax_ is not None:
            self._plot_distribution(
                self.distribution_ax_, log_scale, highlight_kwargs, violin_kwargs
            )
        if self.bias_variance_ax_ is not None:
            self._plot_bias_variance(
                self.bias_variance_ax_, log_scale, scatter_kwargs, highlight_kwargs
            )
        return self

    def _check_positive(self, panels):
        names = ["difficulty"] if "distribution" in panels else []
        if "bias_variance" in panels:
            names += ["bias", "variance"]
        for name in names:
            n_bad = int(np.sum(getattr(self, name) <= 0))
            if n_bad:
                raise ValueError(
                    f"log_scale=True needs positive values, but {name} has {n_bad} "
                    "values <= 0 (a sample scored by one model has variance 0); "
                    "use log_scale=False."
                )

    def _groups(self):
        """Class names and the sample indices of each class."""
        if self.y is None:
            return ["all samples"], [np.arange(self.difficulty.shape[0])]
        classes, codes = np.unique(self.y, return_inverse=True)
        return [str(c) for c in classes], [
            np.flatnonzero(codes == k) for k in range(classes.shape[0])
        ]

    def _plot_distribution(self, ax, log_scale, highlight_kwargs, violin_kwargs):
        names, members = self._groups()
        positions = np.arange(len(names))
        stats = [_violin_stats(self.difficulty[idx], log_scale) for idx in members]
        violin_kwargs = dict(violin_kwargs or {})
        self.violins_ = ax.violin(
            stats, positions=positions, **{"showextrema": False, **violin_kwargs}
        )
        if "facecolor" not in violin_kwargs:
            for body in self.violins_["bodies"]:
                body.set_facecolor(PLAIN_COLOR)
                body.set_alpha(0.4)
        if self.highlight is not None:
            # Jitter within the violin's width so that ties stay visible.
            position = np.empty(self.difficulty.shape[0])
            for k, idx in enumerate(members):
                position[idx] = k
            jitter = np.random.default_rng(0).uniform(-0.2, 0.2, position.shape[0])
            self.highlight_points_ = ax.scatter(
                (position + jitter)[self.highlight],
                self.difficulty[self.highlight],
                **style_highlighted(self.highlight_label, highlight_kwargs, s=8),
            )
            ax.legend(loc="upper right")
        ax.set_xticks(positions, names)
        if log_scale:
            ax.set_yscale("log")
        ax.set(
            xlabel="class" if self.y is not None else "",
            ylabel="difficulty",
            title="Difficulty per class",
        )

    def _plot_bias_variance(self, ax, log_scale, scatter_kwargs, highlight_kwargs):
        plain, label = plain_samples(self.highlight, self.difficulty.shape[0])
        self.scatter_, self.scatter_highlight_ = scatter_groups(
            ax,
            self.bias,
            self.variance,
            plain,
            self.highlight,
            plain_style=with_user_style(
                {"s": 8, "alpha": 0.5, "color": PLAIN_COLOR, "label": label},
                scatter_kwargs,
            ),
            highlight_style=style_highlighted(
                self.highlight_label, highlight_kwargs, s=8, alpha=0.8
            ),
        )
        if self.highlight is not None:
            ax.legend(loc="best")
        if log_scale:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set(xlabel="bias", ylabel="variance", title="Bias-variance map")


def _violin_stats(values, log_scale, n_points=100):
    """Violin outline of ``values``: a Gaussian KDE, of the logs if ``log_scale``.

    On a log axis the density of the logs draws the shape the eye expects;
    the outline is mapped back to the values, where the axis draws it.
    """
    data = np.log10(values) if log_scale else values
    coords = np.linspace(data.min(), data.max(), n_points)
    if np.all(data == data[0]):  # one value: a KDE is undefined, draw a spike
        density = (coords == data[0]).astype(float)
    else:
        density = gaussian_kde(data).evaluate(coords)
    back = (lambda v: 10.0**v) if log_scale else (lambda v: v)
    return {
        "coords": back(coords),
        "vals": density,
        "mean": float(np.mean(values)),
        "median": float(np.median(values)),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
        "quantiles": np.array([]),
    }
