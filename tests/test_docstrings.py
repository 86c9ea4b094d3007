"""Docstrings that repeat each other must agree, word for word."""

import inspect

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
    WeightingDisplay,
)

numpydoc = pytest.importorskip("numpydoc")
from sklearn.utils._testing import assert_docstring_consistency  # noqa: E402


def test_the_weighting_modes_document_their_parameters_alike():
    assert_docstring_consistency(
        [easy_first, hard_first, medium_first, two_ends],
        include_params=["difficulty"],
    )
    # easy_first describes the scales; the other modes refer to it alike.
    assert_docstring_consistency(
        [hard_first, medium_first, two_ends], include_params=["scale"]
    )
    assert_docstring_consistency(
        [easy_first, hard_first, medium_first, two_ends],
        include_returns=["weights"],
        descr_regex_pattern=r"The unnormalized weights ``.+``, in .+",
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
            "weighting_",
            "n_features_in_",
            "feature_names_in_",
        ],
    )


def test_the_two_meta_estimators_point_to_baseline_refit_alike():
    from numpydoc.docscrape import ClassDoc

    def see_also(cls):
        entries = ClassDoc(cls)["See Also"]
        return {names[0][0]: description for names, description in entries}

    classifier = see_also(DifficultyWeightedClassifier)
    assert classifier["BaselineRefit"]
    assert (
        classifier["BaselineRefit"]
        == see_also(DifficultyWeightedRegressor)["BaselineRefit"]
    )


@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "decision_function"]
)
def test_the_delegated_methods_read_as_written_out(method):
    from numpydoc.docscrape import FunctionDoc

    function = getattr(DifficultyWeightedClassifier, method)
    assert function.__name__ == method
    assert list(inspect.signature(function).parameters) == ["self", "X"]
    doc = FunctionDoc(function)
    assert doc["Summary"] and doc["Summary"][0].endswith("weighted estimator.")
    assert [parameter.name for parameter in doc["Parameters"]] == ["X"]
    (returned,) = doc["Returns"]
    assert returned.type.startswith("ndarray of shape (n_samples")
    assert returned.desc


def test_the_difficulty_display_documents_its_constructors_and_plot_alike():
    assert_docstring_consistency(
        [
            DifficultyDisplay.from_estimator.__func__,
            DifficultyDisplay.from_difficulty.__func__,
            DifficultyDisplay.plot,
        ],
        include_params=[
            "log_scale",
            "ax",
            "scatter_kwargs",
            "highlight_kwargs",
            "violin_kwargs",
        ],
    )


def test_the_difficulty_display_documents_its_constructors_alike():
    assert_docstring_consistency(
        [
            DifficultyDisplay.from_estimator.__func__,
            DifficultyDisplay.from_difficulty.__func__,
        ],
        include_params=["highlight", "highlight_label"],
        include_returns=True,
    )


def test_the_difficulty_display_documents_kind_alike_in_from_difficulty_and_plot():
    assert_docstring_consistency(
        [DifficultyDisplay.from_difficulty.__func__, DifficultyDisplay.plot],
        include_params=["kind"],
    )


def test_the_scatter_displays_document_their_data_alike():
    assert_docstring_consistency(
        [DifficultyDisplay, DataMapDisplay],
        include_params=["highlight", "highlight_label"],
    )


def test_the_data_map_documents_its_constructors_and_plot_alike():
    assert_docstring_consistency(
        [
            DataMapDisplay.from_estimator.__func__,
            DataMapDisplay.from_confidence.__func__,
            DataMapDisplay.plot,
        ],
        include_params=["ax", "scatter_kwargs", "highlight_kwargs"],
    )


def test_the_data_map_documents_its_constructors_alike():
    assert_docstring_consistency(
        [
            DataMapDisplay.from_estimator.__func__,
            DataMapDisplay.from_confidence.__func__,
        ],
        include_params=["highlight", "highlight_label"],
        include_returns=True,
    )


def test_the_curve_display_documents_its_constructors_and_plot_alike():
    assert_docstring_consistency(
        [
            DifficultyCurveDisplay.from_estimator.__func__,
            DifficultyCurveDisplay.from_difficulty.__func__,
            DifficultyCurveDisplay.plot,
        ],
        include_params=["show_iqr", "ax", "line_kwargs", "highlight_kwargs"],
    )


def test_the_curve_display_documents_its_constructors_alike():
    assert_docstring_consistency(
        [
            DifficultyCurveDisplay.from_estimator.__func__,
            DifficultyCurveDisplay.from_difficulty.__func__,
        ],
        include_params=["highlight", "highlight_label"],
        include_returns=True,
    )


def test_the_weighting_display_documents_from_modes_and_plot_alike():
    assert_docstring_consistency(
        [WeightingDisplay.from_modes.__func__, WeightingDisplay.plot],
        include_params=["ax", "line_kwargs"],
    )


def test_the_confident_learning_helpers_document_their_inputs_alike():
    from skdifficulty.utils._confident import (
        confident_joint,
        confident_relabel,
        estimate_noise_share,
    )

    assert_docstring_consistency(
        [confident_joint, confident_relabel, estimate_noise_share],
        include_params=["proba", "codes"],
    )
