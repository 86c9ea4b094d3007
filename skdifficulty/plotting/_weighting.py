"""WeightingDisplay: the weight of each weighting mode against the difficulty."""

from numbers import Integral, Real

import numpy as np

from ..utils._compat import Interval, StrOptions
from ..weighting._cutoffs import CUTOFF_MODES
from ..weighting._weights import WEIGHTING_MODES, difficulty_weights
from ._common import (
    colormap_colors,
    panel_axes,
    validate_plot_params,
    with_user_style,
)


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
    @validate_plot_params(
        {
            "modes": ["array-like"],
            "strengths": ["array-like"],
            "n_points": [Interval(Integral, 2, None, closed="left")],
            "normalize": [StrOptions({"mean"}), None],
            "line_kwargs": [dict, None],
        }
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

    @validate_plot_params({"line_kwargs": [dict, None]})
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
        self.figure_, self.ax_ = panel_axes(
            ax, len(self.modes), sharey=True, max_columns=2
        )
        colors = colormap_colors(len(self.strengths))
        lines = np.empty((len(self.modes), len(self.strengths)), dtype=object)
        for i, (mode, panel) in enumerate(zip(self.modes, self.ax_, strict=True)):
            cutoff_mode = _is_cutoff_mode(mode) and self.ratio is not None
            for j, strength in enumerate(self.strengths):
                (lines[i, j],) = panel.plot(
                    self.ratio if cutoff_mode else self.rank,
                    self.weights[i, j],
                    **with_user_style(
                        {"color": colors[j], "label": f"strength {strength:g}"},
                        line_kwargs,
                    ),
                )
            panel.set(
                title=_mode_name(mode),
                xlabel=(
                    "difficulty / cut-off"
                    if cutoff_mode
                    else "difficulty rank (share of easier samples)"
                ),
                ylabel="weight",
            )
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
