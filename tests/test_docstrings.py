"""Docstrings that repeat each other must agree, word for word."""

import pytest

from skdifficulty import (
    DifficultyWeightedClassifier,
    DifficultyWeightedRegressor,
    easy_first,
    hard_first,
    medium_first,
    two_ends,
)
from skdifficulty.plotting import (
    DataMapDisplay,
    DifficultyCurveDisplay,
    DifficultyDisplay,
)

numpydoc = pytest.importorskip("numpydoc")
from sklearn.utils._testing import assert_docstring_consistency  # noqa: E402


def test_the_weighting_modes_document_their_parameters_alike():
    assert_docstring_consistency(
        [easy_first, hard_first, medium_first, two_ends],
        include_params=["difficulty"],
    )


def test_the_two_meta_estimators_document_their_shared_parameters_alike():
    assert_docstring_consistency(
        [DifficultyWeightedClassifier, DifficultyWeightedRegressor],
        include_params=[
            "difficulty_estimator",
            "strength",
            "scale",
            "refine",
            "random_state",
            "difficulty",
        ],
        include_attrs=[
            "estimator_",
            "difficulty_estimator_",
            "difficulty_",
            "sample_weight_",
            "n_features_in_",
            "feature_names_in_",
        ],
    )


def test_the_difficulty_display_documents_its_constructors_and_plot_alike():
    assert_docstring_consistency(
        [
            DifficultyDisplay.from_estimator.__func__,
            DifficultyDisplay.from_difficulty.__func__,
            DifficultyDisplay.plot,
        ],
        include_params=[
            "highlight",
            "highlight_label",
            "log_scale",
            "ax",
            "scatter_kwargs",
            "highlight_kwargs",
            "violin_kwargs",
        ],
    )


def test_the_data_map_documents_its_constructors_alike():
    assert_docstring_consistency(
        [
            DataMapDisplay.from_estimator.__func__,
            DataMapDisplay.from_confidence.__func__,
        ],
        include_params=[
            "highlight",
            "highlight_label",
            "ax",
            "scatter_kwargs",
            "highlight_kwargs",
        ],
    )


def test_the_curve_display_documents_its_constructors_and_plot_alike():
    assert_docstring_consistency(
        [
            DifficultyCurveDisplay.from_estimator.__func__,
            DifficultyCurveDisplay.from_difficulty.__func__,
            DifficultyCurveDisplay.plot,
        ],
        include_params=["show_iqr", "line_kwargs", "highlight_kwargs"],
    )
