"""The Displays behind :mod:`skdifficulty.plotting`."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils._compat import Interval, StrOptions, validate_params
from ..utils._optional import import_optional
from ..utils._validation import check_finite, check_float_vector, check_length
from ..weighting._cutoffs import CUTOFF_MODES
from ..weighting._weights import WEIGHTING_MODES, difficulty_weights

__all__ = [
    "DataMapDisplay",
    "DifficultyCurveDisplay",
    "DifficultyDisplay",
    "WeightingDisplay",
]

KINDS = ("both", "distribution", "bias_variance")
"""Panels that :class:`DifficultyDisplay` can draw."""

_PLAIN_COLOR = "tab:blue"
_HIGHLIGHT_COLOR = "tab:orange"


def _pyplot():
    """Import matplotlib.pyplot, or say which extra provides it."""
    return import_optional("matplotlib.pyplot", "Plotting")


def _axes(ax, n_panels, *, sharey=False, max_columns=None):
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


def _check_highlight(highlight, n_samples):
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


def _check_labels(y, n_samples):
    """A copy of the labels of length ``n_samples``, or None."""
    if y is None:
        return None
    labels = np.array(column_or_1d(y), copy=True)
    check_length(labels, n_samples, "y")
    return labels


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
            y=_check_labels(y, n_samples),
            bias=None if bias is None else check_float_vector(bias, "bias", n_samples),
            variance=(
                None
                if variance is None
                else check_float_vector(variance, "variance", n_samples)
            ),
            highlight=_check_highlight(highlight, n_samples),
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

    @validate_params(
        {
            "ax": "no_validation",
            "kind": [StrOptions(set(KINDS))],
            "log_scale": ["boolean"],
            "scatter_kwargs": [dict, None],
            "highlight_kwargs": [dict, None],
            "violin_kwargs": [dict, None],
        },
        prefer_skip_nested_validation=True,
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
        self.figure_, axes = _axes(ax, len(panels))
        self.ax_ = axes if kind == "both" else axes[0]
        panel_axes = dict(zip(panels, axes, strict=True))
        self.distribution_ax_ = panel_axes.get("distribution")
        self.bias_variance_ax_ = panel_axes.get("bias_variance")
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
                body.set_facecolor(_PLAIN_COLOR)
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
                **_with_user_style(
                    {"s": 8, "color": _HIGHLIGHT_COLOR, "label": self.highlight_label},
                    highlight_kwargs,
                ),
            )
            ax.legend(loc="upper right")
        ax.set_xticks(positions, names)
        ax.set_xlabel("class" if self.y is not None else "")
        if log_scale:
            ax.set_yscale("log")
        ax.set_ylabel("difficulty")
        ax.set_title("Difficulty per class")

    def _plot_bias_variance(self, ax, log_scale, scatter_kwargs, highlight_kwargs):
        plain = (
            np.ones(self.difficulty.shape[0], dtype=bool)
            if self.highlight is None
            else ~self.highlight
        )
        label = "other samples" if self.highlight is not None else "samples"
        self.scatter_ = ax.scatter(
            self.bias[plain],
            self.variance[plain],
            **_with_user_style(
                {"s": 8, "alpha": 0.5, "color": _PLAIN_COLOR, "label": label},
                scatter_kwargs,
            ),
        )
        if self.highlight is not None:
            self.scatter_highlight_ = ax.scatter(
                self.bias[self.highlight],
                self.variance[self.highlight],
                **_with_user_style(
                    {
                        "s": 8,
                        "alpha": 0.8,
                        "color": _HIGHLIGHT_COLOR,
                        "label": self.highlight_label,
                    },
                    highlight_kwargs,
                ),
            )
            ax.legend(loc="best")
        if log_scale:
            ax.set_xscale("log")
            ax.set_yscale("log")
        ax.set_xlabel("bias")
        ax.set_ylabel("variance")
        ax.set_title("Bias-variance map")


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


class WeightingDisplay:
    """The weight each weighting mode gives to a sample, by its difficulty rank.

    One panel per mode, one line per strength. The x axis is the share ``q``
    of samples easier than a sample (its rank scaled to [0, 1]), so the
    curves hold for any data set: the rank modes use only the ranks of the
    difficulty. The cut-off modes ("huber", "tukey", "trim") are drawn
    against the difficulty over its cut-off instead, from 0 to 4: weight 1 up
    to 1, then falling.

    Create it with :meth:`from_modes`; the constructor only stores the data.

    Parameters
    ----------
    rank : ndarray of shape (n_points,)
        The difficulty ranks ``q`` on the x axis.
    weights : ndarray of shape (n_modes, n_strengths, n_points)
        The weight of each mode and strength at each rank (at each ratio,
        for a cut-off mode).
    modes : list of str or callable
        The modes, one per panel.
    strengths : list of float
        The strengths, one line each.
    ratio : ndarray of shape (n_points,), default=None
        The difficulty over its cut-off, on the x axis of the cut-off modes'
        panels.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One Axes per mode.
    figure_ : matplotlib Figure
        The figure holding the panels.
    lines_ : ndarray of matplotlib Line2D of shape (n_modes, n_strengths)
        The curves.
    legend_ : matplotlib Legend
        The figure's legend of the strengths.

    See Also
    --------
    DifficultyDisplay : The difficulty of the samples of a data set.
    skdifficulty.difficulty_weights : The weights plotted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skdifficulty.plotting import WeightingDisplay
    >>> disp = WeightingDisplay.from_modes(
    ...     modes=("easy_first", "two_ends"), strengths=(1, 4)
    ... )
    >>> disp.lines_.shape
    (2, 2)
    >>> disp.ax_[0].get_title()
    'easy_first'
    >>> disp.ax_ is not None
    True
    """

    def __init__(self, *, rank, weights, modes, strengths, ratio=None):
        self.rank = rank
        self.weights = weights
        self.modes = modes
        self.strengths = strengths
        self.ratio = ratio

    @classmethod
    @validate_params(
        {
            "modes": ["array-like"],
            "strengths": ["array-like"],
            "n_points": [Interval(Integral, 2, None, closed="left")],
            "normalize": [StrOptions({"mean"}), None],
            "ax": "no_validation",
            "line_kwargs": [dict, None],
        },
        prefer_skip_nested_validation=True,
    )
    def from_modes(
        cls,
        modes=("easy_first", "hard_first", "medium_first", "two_ends"),
        strengths=(0.5, 1, 2, 4, 8),
        *,
        n_points=200,
        normalize=None,
        ax=None,
        line_kwargs=None,
    ):
        """Compute and plot the weight curves of the given modes.

        Parameters
        ----------
        modes : sequence of str or callable, \
                default=("easy_first", "hard_first", "medium_first", "two_ends")
            Weighting modes, one panel each: names from
            ``"easy_first", "hard_first", "medium_first", "two_ends",
            "huber", "tukey", "trim", "none"`` or callables
            ``f(difficulty, y)`` as in ``difficulty_weights``.
        strengths : sequence of float, default=(0.5, 1, 2, 4, 8)
            Strengths, one line each; non-negative.
        n_points : int, default=200
            Evenly ranked samples per curve (evenly spaced ratios to the
            cut-off, from 0 to 4, for a cut-off mode).
        normalize : {"mean"} or None, default=None
            ``None`` plots the base weights (1 for the samples a mode favours
            most). ``"mean"`` rescales each curve to mean 1, the weights a
            fit receives.
        ax : array-like of matplotlib Axes, default=None
            One Axes per mode. ``None`` makes a new figure.
        line_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for every curve, over the
            defaults (a colour per strength, unless ``color`` is given).

        Returns
        -------
        display : WeightingDisplay
            The display, with the plot drawn.
        """
        modes = _check_modes(modes)
        strengths = _check_strengths(strengths)
        # Mid-ranks of n_points samples: the shares q that rank scaling gives.
        rank = (np.arange(n_points) + 0.5) / n_points
        # Difficulties in units of a cut-off of 1, for the cut-off modes.
        ratio = np.linspace(0.0, 4.0, n_points)
        weights = np.array(
            [
                [
                    difficulty_weights(
                        ratio if _is_cutoff_mode(mode) else rank,
                        weighting=mode,
                        strength=s,
                        normalize=normalize,
                        cutoff=1.0,
                    )
                    for s in strengths
                ]
                for mode in modes
            ]
        )
        display = cls(
            rank=rank, weights=weights, modes=modes, strengths=strengths, ratio=ratio
        )
        return display.plot(ax=ax, line_kwargs=line_kwargs)

    def plot(self, ax=None, *, line_kwargs=None):
        """Draw one panel per mode, one line per strength.

        Parameters
        ----------
        ax : array-like of matplotlib Axes, default=None
            One Axes per mode. ``None`` makes a new figure.
        line_kwargs : dict, default=None
            Keyword arguments of ``Axes.plot`` for every curve, over the
            defaults (a colour per strength, unless ``color`` is given).

        Returns
        -------
        display : WeightingDisplay
            The display, with its ``ax_``, ``figure_`` and ``lines_`` set.
        """
        self.figure_, self.ax_ = _axes(ax, len(self.modes), sharey=True, max_columns=2)
        cmap = _pyplot().get_cmap("viridis")
        colors = cmap(np.linspace(0, 0.9, len(self.strengths)))
        lines = np.empty((len(self.modes), len(self.strengths)), dtype=object)
        for i, (mode, panel) in enumerate(zip(self.modes, self.ax_, strict=True)):
            cutoff_mode = _is_cutoff_mode(mode) and self.ratio is not None
            for j, strength in enumerate(self.strengths):
                (lines[i, j],) = panel.plot(
                    self.ratio if cutoff_mode else self.rank,
                    self.weights[i, j],
                    **_with_user_style(
                        {"color": colors[j], "label": f"strength {strength:g}"},
                        line_kwargs,
                    ),
                )
            panel.set_title(_mode_name(mode))
            panel.set_xlabel(
                "difficulty / cut-off"
                if cutoff_mode
                else "difficulty rank (share of easier samples)"
            )
            panel.set_ylabel("weight")
        # One legend for all panels, outside them: no curve hides behind it.
        self.legend_ = self.figure_.legend(
            handles=list(lines[0]), loc="outside right upper"
        )
        self.lines_ = lines
        return self


def _mode_name(mode):
    return mode if isinstance(mode, str) else getattr(mode, "__name__", repr(mode))


def _is_cutoff_mode(mode):
    return isinstance(mode, str) and mode in CUTOFF_MODES


def _check_modes(modes):
    modes = [modes] if isinstance(modes, str) or callable(modes) else list(modes)
    if not modes:
        raise ValueError("modes is empty; give at least one weighting mode.")
    unknown = [m for m in modes if not callable(m) and m not in WEIGHTING_MODES]
    if unknown:
        raise ValueError(
            f"Unknown weighting modes {unknown}; use callables or names from "
            f"{list(WEIGHTING_MODES)}."
        )
    return modes


def _check_strengths(strengths):
    values = np.atleast_1d(np.asarray(strengths))
    if (
        values.ndim != 1
        or values.size == 0
        or not all(isinstance(s, Real) for s in values.tolist())
        or not np.all(np.isfinite(values))
        or np.any(values < 0)
    ):
        raise ValueError(
            "strengths must be a non-empty sequence of finite numbers >= 0; "
            f"got {strengths!r}."
        )
    return [float(s) for s in values]


# -- training dynamics ----------------------------------------------------------


def _per_epoch_array(values, name):
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


def _recorded_confidence(estimator):
    """Per-epoch confidence of a fitted DynamicsDifficultyEstimator or callback.

    Duck-typed, so that plotting never imports torch: the estimator keeps
    its ``TrainingDynamics`` callback in ``dynamics_``, whose ``confidence_``
    has shape (n_epochs, n_samples). None if there is none.
    """
    dynamics = getattr(estimator, "dynamics_", estimator)
    confidence = getattr(dynamics, "confidence_", None)
    if confidence is None or np.ndim(confidence) != 2:
        return None
    return confidence


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
        confidences of one training.

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
            confidence = _recorded_confidence(dynamics_estimator)
            if confidence is None:
                raise NotFittedError(
                    f"{type(dynamics_estimator).__name__} has no training dynamics "
                    "to map: pass a fitted DynamicsDifficultyEstimator (with "
                    "confidence_mean_ and confidence_std_) or the TrainingDynamics "
                    "callback of a fitted net."
                )
            return cls.from_confidence(
                confidence,
                y=y,
                highlight=highlight,
                highlight_label=highlight_label,
                ax=ax,
                scatter_kwargs=scatter_kwargs,
                highlight_kwargs=highlight_kwargs,
            )
        mean = check_float_vector(mean, "confidence")
        n_samples = mean.shape[0]
        display = cls(
            confidence=mean,
            variability=check_float_vector(std, "variability", n_samples),
            y=_check_labels(y, n_samples),
            highlight=_check_highlight(highlight, n_samples),
            highlight_label=highlight_label,
        )
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
        confidence = _per_epoch_array(confidence, "confidence")
        check_finite(confidence, "confidence")
        n_samples = confidence.shape[1]
        display = cls(
            confidence=confidence.mean(axis=0),
            variability=confidence.std(axis=0),
            y=_check_labels(y, n_samples),
            highlight=_check_highlight(highlight, n_samples),
            highlight_label=highlight_label,
        )
        return display.plot(
            ax=ax, scatter_kwargs=scatter_kwargs, highlight_kwargs=highlight_kwargs
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
        self.figure_, axes = _axes(ax, 1)
        self.ax_ = ax = axes[0]
        n_samples = self.confidence.shape[0]
        highlight = self.highlight
        plain = np.ones(n_samples, dtype=bool) if highlight is None else ~highlight
        style = {
            "s": 10,
            "alpha": 0.6,
            "label": "samples" if highlight is None else "other samples",
        }
        user = dict(scatter_kwargs or {})
        handles = []
        if self.y is not None and not {"c", "color"} & user.keys():
            classes, codes = np.unique(self.y, return_inverse=True)
            cmap = _pyplot().get_cmap(user.pop("cmap", "viridis"))
            colors = cmap(np.linspace(0, 0.9, classes.shape[0]))
            style["c"] = colors[codes[plain]]
            handles = [
                _marker_handle(color, str(label))
                for label, color in zip(classes, colors, strict=True)
            ]
        else:
            style["color"] = _PLAIN_COLOR
        self.scatter_ = ax.scatter(
            self.variability[plain],
            self.confidence[plain],
            **_with_user_style(style, user),
        )
        self.scatter_highlight_ = None
        if highlight is not None:
            defaults = {
                "s": 14,
                "alpha": 0.9,
                "color": _HIGHLIGHT_COLOR,
                "label": self.highlight_label,
            }
            self.scatter_highlight_ = ax.scatter(
                self.variability[highlight],
                self.confidence[highlight],
                **_with_user_style(defaults, highlight_kwargs),
            )
        if handles:
            if self.scatter_highlight_ is not None:
                handles.append(self.scatter_highlight_)
            ax.legend(handles=handles, loc="best")
        elif highlight is not None:
            ax.legend(loc="best")
        ax.set_xlabel("variability (std of confidence over epochs)")
        ax.set_ylabel("confidence (mean over epochs)")
        ax.set_title("Data map")
        return self


def _with_user_style(defaults, user):
    """``defaults`` updated with ``user``; a user colour replaces the default one."""
    user = dict(user or {})
    style = dict(defaults)
    if {"c", "color"} & user.keys():
        style.pop("c", None)
        style.pop("color", None)
    style.update(user)
    return style


def _marker_handle(color, label):
    """A legend entry showing one scatter point."""
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="o", linestyle="", color=color, label=label)


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
        confidences of one training.

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
            confidence = _recorded_confidence(estimator)
            if confidence is None:
                raise NotFittedError(
                    f"{type(estimator).__name__} has no per-epoch record to plot: "
                    "pass a fitted estimator with a per_epoch_ attribute, a fitted "
                    "DynamicsDifficultyEstimator, or the TrainingDynamics callback "
                    "of a fitted net."
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
        per_epoch = _per_epoch_array(per_epoch, "per_epoch")
        display = cls(
            per_epoch=per_epoch,
            highlight=_check_highlight(highlight, per_epoch.shape[1]),
            highlight_label=highlight_label,
            ylabel=ylabel,
        )
        return display.plot(
            ax=ax,
            show_iqr=show_iqr,
            line_kwargs=line_kwargs,
            highlight_kwargs=highlight_kwargs,
        )

    @validate_params(
        {
            "ax": "no_validation",
            "show_iqr": ["boolean"],
            "line_kwargs": [dict, None],
            "highlight_kwargs": [dict, None],
        },
        prefer_skip_nested_validation=True,
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
        self.figure_, axes = _axes(ax, 1)
        self.ax_ = ax = axes[0]
        n_epochs, n_samples = self.per_epoch.shape
        self.epochs_ = np.arange(1, n_epochs + 1)
        if self.highlight is None:
            everyone = np.ones(n_samples, dtype=bool)
            groups = [("all samples", everyone, _PLAIN_COLOR, line_kwargs)]
        else:
            groups = [
                ("other samples", ~self.highlight, _PLAIN_COLOR, line_kwargs),
                (
                    self.highlight_label,
                    self.highlight,
                    _HIGHLIGHT_COLOR,
                    highlight_kwargs,
                ),
            ]
        groups = [group for group in groups if group[1].any()]
        self.group_labels_ = [label for label, *_ in groups]
        self.lines_ = []
        self.bands_ = [] if show_iqr else None
        means, quartiles = [], []
        for label, members, color, style in groups:
            values = self.per_epoch[:, members]
            with warnings.catch_warnings():
                # An epoch where the whole group is NaN gives NaN: a gap.
                warnings.simplefilter("ignore", RuntimeWarning)
                mean = np.nanmean(values, axis=1)
                low, high = np.nanpercentile(values, [25, 75], axis=1)
            means.append(mean)
            quartiles.append([low, high])
            (line,) = ax.plot(
                self.epochs_,
                mean,
                **_with_user_style(
                    {"color": color, "marker": "o", "label": label}, style
                ),
            )
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
        ax.set_xlabel("epoch")
        ax.set_ylabel(self.ylabel)
        ax.set_title("Difficulty per epoch")
        return self
