"""Tests of the Display objects: what they draw, and how they refuse bad input."""

from types import SimpleNamespace

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from skdifficulty import DifficultyEstimator  # noqa: E402
from skdifficulty.plotting import (  # noqa: E402
    DataMapDisplay,
    DifficultyCurveDisplay,
    DifficultyDisplay,
    WeightingDisplay,
)
from skdifficulty.weighting._modes import easy_first  # noqa: E402
from skdifficulty.weighting._weights import difficulty_weights  # noqa: E402


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


# -- DataMapDisplay and DifficultyCurveDisplay ---------------------------------


@pytest.fixture
def dynamics():
    """Per-epoch confidences of 40 samples over 6 epochs; 8 flipped labels."""
    rng = np.random.default_rng(0)
    n_epochs, n = 6, 40
    flipped = np.zeros(n, dtype=bool)
    flipped[::5] = True
    confidence = rng.uniform(0.5, 1.0, size=(n_epochs, n))
    confidence[:, flipped] -= 0.45
    y = np.repeat(["cat", "dog"], n // 2)
    return {"confidence": confidence, "flipped": flipped, "y": y}


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_data_map_places_every_sample(dynamics):
    confidence, flipped = dynamics["confidence"], dynamics["flipped"]
    disp = DataMapDisplay.from_confidence(
        confidence, highlight=flipped, highlight_label="flipped"
    )
    points = np.c_[confidence.std(axis=0), confidence.mean(axis=0)]
    assert_allclose(_offsets(disp.scatter_), points[~flipped])
    assert_allclose(_offsets(disp.scatter_highlight_), points[flipped])
    assert len(_offsets(disp.scatter_)) + len(_offsets(disp.scatter_highlight_)) == 40
    assert _legend_texts(disp.ax_) == ["other samples", "flipped"]
    assert not np.allclose(
        disp.scatter_.get_facecolor()[0], disp.scatter_highlight_.get_facecolor()[0]
    )
    assert disp.ax_.get_xlabel().startswith("variability")
    assert disp.ax_.get_ylabel().startswith("confidence")
    assert disp.figure_ is disp.ax_.figure


def test_data_map_without_highlight_has_no_legend(dynamics):
    disp = DataMapDisplay.from_confidence(dynamics["confidence"])
    assert len(_offsets(disp.scatter_)) == 40
    assert disp.scatter_highlight_ is None
    assert disp.ax_.get_legend() is None


def test_data_map_from_estimator_coloured_by_class(dynamics):
    confidence, flipped, y = (dynamics[k] for k in ("confidence", "flipped", "y"))
    estimator = SimpleNamespace(
        confidence_mean_=confidence.mean(axis=0),
        confidence_std_=confidence.std(axis=0),
    )
    _, ax = plt.subplots()
    disp = DataMapDisplay.from_estimator(
        estimator, y=y, highlight=flipped, highlight_label="flipped", ax=ax
    )
    assert disp.ax_ is ax
    assert _legend_texts(ax) == ["cat", "dog", "flipped"]
    colours = disp.scatter_.get_facecolor()
    classes = y[~flipped]
    assert np.allclose(colours[classes == "cat"], colours[classes == "cat"][0])
    assert not np.allclose(colours[classes == "cat"][0], colours[classes == "dog"][0])
    assert len(_offsets(disp.scatter_highlight_)) == flipped.sum()


def test_data_map_from_a_recording_callback(dynamics):
    recorder = SimpleNamespace(confidence_=dynamics["confidence"].astype(np.float32))
    disp = DataMapDisplay.from_estimator(SimpleNamespace(dynamics_=recorder))
    assert_allclose(
        _offsets(disp.scatter_)[:, 1], dynamics["confidence"].mean(axis=0), atol=1e-6
    )


def test_data_map_takes_scatter_keywords(dynamics):
    disp = DataMapDisplay.from_confidence(
        dynamics["confidence"],
        y=dynamics["y"],
        highlight=dynamics["flipped"],
        scatter_kwargs={"color": "black", "s": 30},
        highlight_kwargs={"c": "red", "marker": "x"},
    )
    assert_allclose(disp.scatter_.get_facecolor()[0][:3], to_rgba("black")[:3])
    assert_allclose(disp.scatter_.get_sizes(), [30])
    assert_allclose(disp.scatter_highlight_.get_edgecolor()[0][:3], to_rgba("red")[:3])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"highlight": np.ones(39, dtype=bool)}, ValueError, "highlight has 39"),
        ({"highlight": np.ones(40)}, TypeError, "boolean mask"),
        ({"y": ["a"] * 41}, ValueError, "y has 41"),
    ],
)
def test_data_map_bad_input(dynamics, kwargs, error, match):
    with pytest.raises(error, match=match):
        DataMapDisplay.from_confidence(dynamics["confidence"], **kwargs)


@pytest.mark.parametrize("param", ["scatter_kwargs", "highlight_kwargs"])
def test_data_map_plot_validates_its_parameters(dynamics, param):
    disp = DataMapDisplay.from_confidence(dynamics["confidence"])
    with pytest.raises(
        InvalidParameterError, match=f"'{param}' parameter of DataMapDisplay.plot"
    ):
        disp.plot(**{param: "red"})


def test_data_map_bad_confidence():
    with pytest.raises(ValueError, match="2-D"):
        DataMapDisplay.from_confidence(np.ones(5))
    with pytest.raises(ValueError, match="NaN"):
        DataMapDisplay.from_confidence(np.full((2, 3), np.nan))
    with pytest.raises(NotFittedError, match="no training dynamics"):
        DataMapDisplay.from_estimator(SimpleNamespace())


def test_curves_show_each_groups_mean_and_quartiles(dynamics):
    per_epoch = 1 - dynamics["confidence"]
    flipped = dynamics["flipped"]
    disp = DifficultyCurveDisplay.from_difficulty(
        per_epoch, highlight=flipped, highlight_label="flipped"
    )
    assert disp.group_labels_ == ["other samples", "flipped"]
    assert len(disp.lines_) == 2 and len(disp.bands_) == 2
    assert _legend_texts(disp.ax_) == ["other samples", "flipped"]
    assert_array_equal(disp.epochs_, np.arange(1, 7))
    assert_allclose(disp.lines_[1].get_ydata(), per_epoch[:, flipped].mean(axis=1))
    assert_allclose(disp.mean_[0], per_epoch[:, ~flipped].mean(axis=1))
    assert_allclose(
        disp.quartiles_[1], np.percentile(per_epoch[:, flipped], [25, 75], axis=1)
    )
    assert (disp.mean_[1] > disp.mean_[0]).all()
    assert disp.ax_.get_xlabel() == "epoch"


def test_curves_of_all_samples_without_band(dynamics):
    disp = DifficultyCurveDisplay.from_difficulty(
        dynamics["confidence"], show_iqr=False
    )
    assert disp.group_labels_ == ["all samples"] and len(disp.lines_) == 1
    assert disp.bands_ is None
    assert not disp.ax_.collections  # no band drawn


def test_curves_skip_nan_and_empty_groups():
    per_epoch = np.array([[1.0, np.nan, 3.0], [2.0, 2.0, np.nan]])
    disp = DifficultyCurveDisplay.from_difficulty(
        per_epoch, highlight=np.zeros(3, dtype=bool)
    )
    assert disp.group_labels_ == ["other samples"]
    assert_allclose(disp.mean_, [[2.0, 2.0]])


def test_curves_from_estimator_prefer_per_epoch(dynamics):
    confidence = dynamics["confidence"]
    recorder = SimpleNamespace(confidence_=confidence)
    from_dynamics = DifficultyCurveDisplay.from_estimator(
        SimpleNamespace(dynamics_=recorder)
    )
    assert_allclose(from_dynamics.mean_[0], (1 - confidence).mean(axis=1))
    assert from_dynamics.ax_.get_ylabel() == "1 - confidence in the given label"

    held_out = np.full_like(confidence, 0.25)
    both = SimpleNamespace(per_epoch_=held_out, dynamics_=recorder)
    disp = DifficultyCurveDisplay.from_estimator(both)
    assert_allclose(disp.mean_, [[0.25] * 6])
    assert disp.ax_.get_ylabel() == "difficulty"


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"highlight": np.ones(39, dtype=bool)}, ValueError, "highlight has 39"),
        ({"highlight": [0, 1] * 20}, TypeError, "boolean mask"),
        ({"show_iqr": "yes"}, ValueError, "show_iqr"),
    ],
)
def test_curves_bad_input(dynamics, kwargs, error, match):
    with pytest.raises(error, match=match):
        DifficultyCurveDisplay.from_difficulty(dynamics["confidence"], **kwargs)


def test_curves_bad_arrays_and_estimators():
    with pytest.raises(ValueError, match="2-D"):
        DifficultyCurveDisplay.from_difficulty(np.ones((3, 4, 2)))
    with pytest.raises(ValueError, match="infinite"):
        DifficultyCurveDisplay.from_difficulty(np.full((2, 3), np.inf))
    with pytest.raises(NotFittedError, match="no per-epoch record"):
        DifficultyCurveDisplay.from_estimator(SimpleNamespace(per_epoch_=None))


def test_displays_of_a_fitted_dynamics_estimator():
    torch = pytest.importorskip("torch")
    pytest.importorskip("skorch")
    from skorch import NeuralNetClassifier

    from skdifficulty.datasets import flip_labels
    from skdifficulty.dynamics import DynamicsDifficultyEstimator

    rng = np.random.RandomState(0)
    X = rng.randn(60, 2).astype(np.float32)
    y, flipped = flip_labels((X[:, 0] > 0).astype(np.int64), rate=0.2, random_state=0)
    net = NeuralNetClassifier(
        torch.nn.Linear,
        module__in_features=2,
        module__out_features=2,
        criterion=torch.nn.CrossEntropyLoss,
        max_epochs=4,
        lr=0.5,
        verbose=0,
    )
    est = DynamicsDifficultyEstimator(net, random_state=0).fit(X, y)

    data_map = DataMapDisplay.from_estimator(est, y=y, highlight=flipped)
    points = np.r_[_offsets(data_map.scatter_), _offsets(data_map.scatter_highlight_)]
    assert points.shape == (60, 2)
    assert_allclose(
        _offsets(data_map.scatter_highlight_)[:, 1], est.confidence_mean_[flipped]
    )
    curves = DifficultyCurveDisplay.from_estimator(est, highlight=flipped)
    assert_allclose(
        curves.mean_[1],
        1 - est.dynamics_.confidence_[:, flipped].mean(axis=1),
        atol=1e-6,
    )
    assert curves.mean_.shape == (2, 4)


def test_cutoff_modes_are_drawn_against_the_difficulty_over_its_cutoff():
    modes = ("easy_first", "huber", "tukey", "trim")
    disp = WeightingDisplay.from_modes(modes=modes, strengths=(0, 1, 4), n_points=41)
    assert disp.ax_[0].get_xlabel().startswith("difficulty rank")
    ratio = np.linspace(0, 4, 41)
    beyond = ratio > 1
    for panel in disp.ax_[1:]:
        assert panel.get_xlabel() == "difficulty / cut-off"
    for i in range(1, 4):
        x, flat = disp.lines_[i, 0].get_data()
        assert_allclose(x, ratio)
        assert_allclose(flat, 1.0)  # strength 0: uniform
        for j in (1, 2):
            w = disp.lines_[i, j].get_ydata()
            assert_array_equal(w[~beyond], 1.0)  # weight 1 up to the cut-off
            assert np.all(np.diff(w) <= 0) and w[-1] < 1
    # huber: u ** -s; tukey at s = 1 reaches 0 at twice the cut-off; trim 2 ** -s.
    assert_allclose(disp.lines_[1, 2].get_ydata()[beyond], ratio[beyond] ** -4.0)
    assert_array_equal(disp.lines_[2, 1].get_ydata()[ratio >= 2], 0.0)
    assert_allclose(disp.lines_[3, 2].get_ydata()[beyond], 2.0**-4)
    mean = WeightingDisplay.from_modes(modes=["huber"], strengths=[2], normalize="mean")
    assert_allclose(mean.lines_[0, 0].get_ydata().mean(), 1.0)


def test_difficulty_display_takes_style_keyword_dicts():
    rng = np.random.RandomState(0)
    difficulty = rng.uniform(0.1, 2, 30)
    highlight = np.arange(30) < 5
    disp = DifficultyDisplay.from_difficulty(
        difficulty,
        bias=difficulty / 2,
        variance=difficulty / 2,
        highlight=highlight,
        scatter_kwargs={"color": "black", "s": 3},
        highlight_kwargs={"marker": "x", "color": "red"},
        violin_kwargs={"widths": 0.3},
    )
    assert_allclose(disp.scatter_.get_facecolors()[0], to_rgba("black", 0.5))
    assert_allclose(disp.scatter_.get_sizes(), [3])
    assert_allclose(disp.scatter_highlight_.get_edgecolors()[0], to_rgba("red", 0.8))
    assert_allclose(disp.highlight_points_.get_edgecolors()[0], to_rgba("red"))
    body = disp.violins_["bodies"][0].get_paths()[0].vertices[:, 0]
    assert body.max() - body.min() == pytest.approx(0.3, rel=0.05)
    with pytest.raises(InvalidParameterError, match="scatter_kwargs"):
        disp.plot(scatter_kwargs="red")


def test_weighting_display_takes_a_line_style_dict():
    disp = WeightingDisplay.from_modes(
        modes=["easy_first"], strengths=[1, 2], line_kwargs={"linestyle": "--"}
    )
    assert {line.get_linestyle() for line in disp.lines_.ravel()} == {"--"}
    colours = {to_rgba(line.get_color()) for line in disp.lines_.ravel()}
    assert len(colours) == 2  # a colour per strength stays
    one = WeightingDisplay.from_modes(
        modes=["easy_first"], strengths=[1, 2], line_kwargs={"color": "black"}
    )
    assert {to_rgba(line.get_color()) for line in one.lines_.ravel()} == {
        to_rgba("black")
    }
    with pytest.raises(InvalidParameterError, match="line_kwargs"):
        WeightingDisplay.from_modes(line_kwargs="red")
    with pytest.raises(
        InvalidParameterError, match="'line_kwargs' parameter of WeightingDisplay.plot"
    ):
        disp.plot(line_kwargs="red")


def test_difficulty_curve_display_takes_style_dicts():
    per_epoch = np.tile(np.linspace(1, 0.1, 5)[:, None], (1, 6))
    highlight = np.arange(6) < 2
    disp = DifficultyCurveDisplay.from_difficulty(
        per_epoch,
        highlight=highlight,
        line_kwargs={"color": "black", "marker": "s"},
        highlight_kwargs={"linestyle": ":"},
    )
    plain, flagged = disp.lines_
    assert to_rgba(plain.get_color()) == to_rgba("black")
    assert plain.get_marker() == "s"
    assert flagged.get_linestyle() == ":"
    assert_allclose(disp.bands_[0].get_facecolor()[0][:3], to_rgba("black")[:3])
