"""Tests of the Display objects: what they draw, and how they refuse bad input."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty._weighting import difficulty_weights, easy_first  # noqa: E402
from skdifficulty.plotting import DifficultyDisplay, WeightingDisplay  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def scores():
    rng = np.random.default_rng(0)
    n = 60
    bias = rng.exponential(0.5, n)
    variance = rng.exponential(0.05, n)
    y = np.repeat(["cat", "dog", "eel"], n // 3)
    highlight = np.zeros(n, dtype=bool)
    highlight[[1, 5, 30, 59]] = True
    return {
        "difficulty": bias + variance,
        "bias": bias,
        "variance": variance,
        "y": y,
        "highlight": highlight,
    }


def _offsets(collection):
    return np.asarray(collection.get_offsets())


# -- DifficultyDisplay -------------------------------------------------------


def test_both_panels_draw_one_violin_per_class_and_every_sample(scores):
    disp = DifficultyDisplay.from_difficulty(
        scores["difficulty"],
        scores["y"],
        bias=scores["bias"],
        variance=scores["variance"],
        highlight=scores["highlight"],
        highlight_label="flipped",
    )
    assert disp.ax_.shape == (2,)
    assert disp.distribution_ax_ is disp.ax_[0]
    assert disp.bias_variance_ax_ is disp.ax_[1]
    assert disp.figure_ is disp.ax_[0].figure
    assert len(disp.violins_["bodies"]) == 3
    ticks = [t.get_text() for t in disp.distribution_ax_.get_xticklabels()]
    assert ticks == ["cat", "dog", "eel"]
    assert disp.distribution_ax_.get_ylabel() == "difficulty"
    assert disp.bias_variance_ax_.get_xlabel() == "bias"
    assert disp.bias_variance_ax_.get_ylabel() == "variance"

    # Highlighted samples: over the violins, and in their own colour on the map.
    hl = scores["highlight"]
    assert_allclose(_offsets(disp.highlight_points_)[:, 1], scores["difficulty"][hl])
    assert_allclose(
        _offsets(disp.scatter_highlight_), np.c_[scores["bias"], scores["variance"]][hl]
    )
    assert_allclose(
        _offsets(disp.scatter_), np.c_[scores["bias"], scores["variance"]][~hl]
    )
    assert not np.allclose(
        disp.scatter_.get_facecolor()[0], disp.scatter_highlight_.get_facecolor()[0]
    )
    legend = disp.bias_variance_ax_.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["other samples", "flipped"]


def test_highlighted_points_sit_on_their_class(scores):
    disp = DifficultyDisplay.from_difficulty(
        scores["difficulty"],
        scores["y"],
        highlight=scores["highlight"],
        kind="distribution",
    )
    # Samples 1 and 5 are cats (x = 0), 30 a dog (x = 1), 59 an eel (x = 2).
    x = _offsets(disp.highlight_points_)[:, 0]
    assert_array_equal(np.round(x), [0, 0, 1, 2])
    assert np.all(np.abs(x - np.round(x)) <= 0.2)


def test_without_labels_or_highlight(scores):
    disp = DifficultyDisplay.from_difficulty(
        scores["difficulty"], bias=scores["bias"], variance=scores["variance"]
    )
    assert len(disp.violins_["bodies"]) == 1
    assert [t.get_text() for t in disp.ax_[0].get_xticklabels()] == ["all samples"]
    assert disp.highlight_points_ is None and disp.scatter_highlight_ is None
    assert len(_offsets(disp.scatter_)) == scores["difficulty"].shape[0]
    assert disp.ax_[0].get_legend() is None


@pytest.mark.parametrize("kind", ["distribution", "bias_variance"])
def test_one_panel_on_the_users_axes(scores, kind):
    fig, ax = plt.subplots()
    disp = DifficultyDisplay.from_difficulty(
        scores["difficulty"],
        scores["y"],
        bias=scores["bias"],
        variance=scores["variance"],
        kind=kind,
        ax=ax,
    )
    assert disp.ax_ is ax and disp.figure_ is fig
    drawn = disp.distribution_ax_ if kind == "distribution" else disp.bias_variance_ax_
    assert drawn is ax
    assert (disp.violins_ is None) == (kind == "bias_variance")
    assert (disp.scatter_ is None) == (kind == "distribution")


def test_plot_again_on_other_axes(scores):
    disp = DifficultyDisplay.from_difficulty(scores["difficulty"], kind="distribution")
    fig, ax = plt.subplots()
    assert disp.plot(ax=ax, kind="distribution").ax_ is ax


def test_log_scale(scores):
    disp = DifficultyDisplay.from_difficulty(
        scores["difficulty"],
        scores["y"],
        bias=scores["bias"],
        variance=scores["variance"],
        log_scale=True,
    )
    assert disp.ax_[0].get_yscale() == "log"
    assert disp.ax_[1].get_xscale() == "log"
    assert disp.ax_[1].get_yscale() == "log"
    # The violin of each class spans the class's values, not their logs.
    cats = scores["difficulty"][scores["y"] == "cat"]
    outline = disp.violins_["bodies"][0].get_paths()[0].vertices[:, 1]
    assert_allclose([outline.min(), outline.max()], [cats.min(), cats.max()])


def test_log_scale_refuses_zero_variance(scores):
    with pytest.raises(ValueError, match="variance has 2 values <= 0"):
        DifficultyDisplay.from_difficulty(
            scores["difficulty"],
            bias=scores["bias"],
            variance=np.r_[0.0, 0.0, scores["variance"][2:]],
            log_scale=True,
        )


def test_a_class_with_one_value_draws_a_spike():
    disp = DifficultyDisplay.from_difficulty(
        [0.5, 0.5, 1.0, 2.0], ["a", "a", "b", "b"], kind="distribution"
    )
    assert len(disp.violins_["bodies"]) == 2


def test_from_estimator_plots_its_scores():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    est = DifficultyEstimator(n_repeats=1, cv=3, random_state=0).fit(X, y)
    disp = DifficultyDisplay.from_estimator(est, y, highlight=y == 2)
    assert len(disp.violins_["bodies"]) == 3
    assert_allclose(
        _offsets(disp.scatter_highlight_), np.c_[est.bias_, est.variance_][y == 2]
    )


def test_zero_one_difficulty_has_no_bias_variance_map():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    est = DifficultyEstimator(n_repeats=1, cv=3, loss="zero_one", random_state=0)
    est.fit(X, y)
    with pytest.raises(ValueError, match="needs bias and variance"):
        DifficultyDisplay.from_estimator(est, y)
    disp = DifficultyDisplay.from_estimator(est, y, kind="distribution")
    assert len(disp.violins_["bodies"]) == 3


def test_from_estimator_needs_a_fitted_estimator():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        DifficultyDisplay.from_estimator(DifficultyEstimator())


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"y": [0, 1]}, ValueError, "y has 2 values but difficulty has 4"),
        ({"highlight": [1, 0, 0, 1]}, TypeError, "highlight must be a boolean"),
        ({"highlight": [True]}, ValueError, "highlight has 1 values"),
        ({"bias": [1.0, 2.0]}, ValueError, "bias has 2 values"),
        ({"kind": "violin"}, ValueError, "kind"),
    ],
)
def test_bad_input(kwargs, error, match):
    kwargs = {"bias": [0.1] * 4, "variance": [0.1] * 4, **kwargs}
    with pytest.raises(error, match=match):
        DifficultyDisplay.from_difficulty([0.1, 0.2, 0.3, 0.4], **kwargs)


def test_bad_difficulty_and_axes():
    with pytest.raises(ValueError, match="difficulty has NaN"):
        DifficultyDisplay.from_difficulty([0.1, np.nan], kind="distribution")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="needs 2 axes, one per panel; got 1"):
        DifficultyDisplay.from_difficulty(
            [0.1, 0.2], bias=[0.1, 0.1], variance=[0.0, 0.1], ax=ax
        )


def test_inputs_are_not_modified(scores):
    copies = {k: v.copy() for k, v in scores.items()}
    DifficultyDisplay.from_difficulty(
        scores["difficulty"],
        scores["y"],
        bias=scores["bias"],
        variance=scores["variance"],
        highlight=scores["highlight"],
        log_scale=True,
    )
    for name, value in copies.items():
        assert_array_equal(scores[name], value)


# -- WeightingDisplay --------------------------------------------------------


def test_one_panel_per_mode_one_line_per_strength():
    modes = ("easy_first", "hard_first", "medium_first", "two_ends")
    strengths = (0.5, 1, 4)
    disp = WeightingDisplay.from_modes(modes=modes, strengths=strengths, n_points=50)
    assert disp.ax_.shape == (4,)
    assert disp.lines_.shape == (4, 3)
    for panel, mode in zip(disp.ax_, modes, strict=True):
        assert panel.get_title() == mode
        assert len(panel.get_lines()) == len(strengths)
        assert panel.get_xlabel().startswith("difficulty rank")
    assert [t.get_text() for t in disp.legend_.get_texts()] == [
        "strength 0.5",
        "strength 1",
        "strength 4",
    ]
    # The lines are the public weighting function at the mid-ranks.
    x, w = disp.lines_[0, 2].get_data()
    assert_allclose(x, (np.arange(50) + 0.5) / 50)
    assert_allclose(w, easy_first(x, strength=4))


def test_strength_zero_is_flat_and_normalize_mean():
    disp = WeightingDisplay.from_modes(
        modes=["medium_first"], strengths=[0, 2], normalize="mean", n_points=20
    )
    flat = disp.lines_[0, 0].get_ydata()
    assert_allclose(flat, 1.0)
    curve = disp.lines_[0, 1].get_ydata()
    assert_allclose(curve.mean(), 1.0)
    rank = (np.arange(20) + 0.5) / 20
    assert_allclose(
        curve, difficulty_weights(rank, weighting="medium_first", strength=2)
    )


def test_a_callable_mode_and_the_users_axes():
    def squared(difficulty, y):
        return difficulty**2

    fig, axes = plt.subplots(1, 2)
    disp = WeightingDisplay.from_modes(
        modes=["easy_first", squared], strengths=[1], ax=axes
    )
    assert disp.figure_ is fig
    assert [panel.get_title() for panel in disp.ax_] == ["easy_first", "squared"]
    x, w = disp.lines_[1, 0].get_data()
    assert_allclose(w, x**2)


def test_an_odd_number_of_modes_hides_the_spare_cell():
    disp = WeightingDisplay.from_modes(
        modes=["easy_first", "hard_first", "two_ends"], strengths=[1]
    )
    assert len(disp.ax_) == 3
    visible = [a for a in disp.figure_.axes if a.get_visible()]
    assert len(visible) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"modes": ["easiest_first"]}, "Unknown weighting modes \\['easiest_first'\\]"),
        ({"modes": []}, "modes is empty"),
        ({"strengths": [1, -1]}, "strengths must be a non-empty sequence"),
        ({"strengths": []}, "strengths must be a non-empty sequence"),
        ({"n_points": 1}, "n_points"),
    ],
)
def test_weighting_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        WeightingDisplay.from_modes(**kwargs)


def test_colours_differ_between_strengths():
    disp = WeightingDisplay.from_modes(modes=["easy_first"], strengths=[1, 2])
    colors = [to_rgba(line.get_color()) for line in disp.lines_[0]]
    assert colors[0] != colors[1]


def test_missing_matplotlib_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skdifficulty\[plot\]"):
        WeightingDisplay.from_modes(modes=["easy_first"], strengths=[1])
