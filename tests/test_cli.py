"""Tests of the command line: ``demo``, ``score``, and how errors are reported."""

import io
import re
import subprocess
import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

pd = pytest.importorskip("pandas")

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skdifficulty import (  # noqa: E402
    DifficultyEstimator,
    DifficultyWeightedClassifier,
    _cli,  # noqa: E402
)
from skdifficulty.__main__ import main  # noqa: E402
from skdifficulty.datasets import load_noisy_digits  # noqa: E402

FAST = ["--cv", "3", "--n-repeats", "2", "--n-jobs", "1", "--quiet"]
SCORE_COLUMNS = ["difficulty", "bias", "variance", "n_evaluations"]
WRONG_ROW = 7


def run(capsys, *argv):
    """``main(argv)``: (exit status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def frame():
    """Two informative numbers (one missing), a colour (one missing), a label."""
    rng = np.random.default_rng(0)
    n = 60
    x1 = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    label = np.where(x1 + 2 * (colour == "red") > 0.5, "yes", "no")
    label[WRONG_ROW] = "no" if label[WRONG_ROW] == "yes" else "yes"
    data = pd.DataFrame(
        {
            "x1": 3 * x1,
            "x2": rng.normal(size=n),
            "colour": colour,
            "label": label,
        }
    )
    data.loc[3, "x2"] = np.nan
    data.loc[5, "colour"] = None
    return data


@pytest.fixture
def csv_file(frame, tmp_path):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def reference_scores(path, n_repeats=2):
    """The same job without the command line: hand-built pipeline, same seed."""
    data = pd.read_csv(path)
    X, y = data.drop(columns="label"), data["label"].to_numpy()
    columns = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ["x1", "x2"],
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value="missing"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                ["colour"],
            ),
        ]
    )
    # A Pipeline does not declare that it accepts NaN; this one imputes.
    pipeline = Pipeline(
        [("columns", columns), ("model", LogisticRegression(max_iter=1000))]
    )
    return DifficultyEstimator(pipeline, cv=3, n_repeats=n_repeats, random_state=0).fit(
        X, y
    )


# -- help ----------------------------------------------------------------------


def test_help_runs_as_a_module():
    result = subprocess.run(
        [sys.executable, "-m", "skdifficulty", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: skdifficulty")
    for word in ("demo", "score", "examples:", "skdifficulty score data.csv"):
        assert word in result.stdout


def test_command_help_explains_imputation(capsys):
    status, out, _ = run(capsys, "score", "--help")
    assert status == 0
    assert "imputed" in out and "one-hot" in out and "pyarrow" in out


def test_a_command_is_required(capsys):
    status, _, err = run(capsys)
    assert status == 2
    assert "the following arguments are required: COMMAND" in err


# -- score -------------------------------------------------------------------


def test_score_matches_a_direct_run_row_by_row(capsys, csv_file, tmp_path):
    output = tmp_path / "scores.csv"
    status, _, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", output, *FAST
    )
    assert status == 0, err
    assert "wrote 60 rows" in err
    scores = pd.read_csv(output)
    assert list(scores.columns) == SCORE_COLUMNS
    reference = reference_scores(csv_file)
    assert_allclose(scores["difficulty"], reference.difficulty_)
    assert_allclose(scores["bias"], reference.bias_)
    assert_allclose(scores["variance"], reference.variance_)
    assert_array_equal(scores["n_evaluations"], 2)
    # The same row order as the input: the wrong label is the hardest row.
    assert scores["difficulty"].idxmax() == WRONG_ROW


def test_score_writes_csv_to_stdout(capsys, csv_file, tmp_path):
    status, out, err = run(capsys, "score", csv_file, "--target", "label", *FAST)
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert list(scores.columns) == SCORE_COLUMNS
    assert_allclose(scores["difficulty"], reference_scores(csv_file).difficulty_)


def test_score_reads_and_writes_parquet(capsys, frame, csv_file, tmp_path):
    pytest.importorskip("pyarrow")
    source, output = tmp_path / "data.parquet", tmp_path / "scores.parquet"
    frame.to_parquet(source)
    status, _, err = run(
        capsys, "score", source, "--target", "label", "--output", output, *FAST
    )
    assert status == 0, err
    scores = pd.read_parquet(output)
    assert list(scores.columns) == SCORE_COLUMNS
    assert_allclose(scores["difficulty"], reference_scores(csv_file).difficulty_)


def test_score_regression(capsys, frame, tmp_path):
    path = tmp_path / "reg.csv"
    frame.assign(label=frame["x1"] * 2 + frame["x2"].fillna(0)).to_csv(path)
    status, out, err = run(
        capsys, "score", path, "--target", "label", "--task", "regression", *FAST
    )
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert len(scores) == len(frame)
    assert_allclose(scores["bias"] + scores["variance"], scores["difficulty"])


@pytest.mark.parametrize("estimator", ["forest", "hgb"])
def test_score_other_estimators(capsys, csv_file, estimator):
    status, out, err = run(
        capsys,
        "score",
        csv_file,
        "--target",
        "label",
        "--estimator",
        estimator,
        "--cv",
        "2",
        "--n-repeats",
        "1",
        "--n-jobs",
        "1",
        "--quiet",
    )
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert scores.shape == (60, 4)
    assert np.all(np.isfinite(scores.to_numpy()))


def test_drop_and_categorical(capsys, frame, tmp_path):
    path = tmp_path / "ids.csv"
    frame.assign(
        id=np.arange(len(frame)), code=np.where(frame.index % 2, "7", "other")
    ).to_csv(path, index=False)
    # "code" mixes numbers and text: refused until it is named categorical.
    status, _, err = run(capsys, "score", path, "--target", "label", *FAST)
    assert status == 2
    assert "feature column 'code' mixes numbers and text (e.g. 'other')" in err
    status, out, err = run(
        capsys,
        *("score", path, "--target", "label", "--drop", "id"),
        *("--categorical", "code", *FAST),
    )
    assert status == 0, err
    assert len(pd.read_csv(io.StringIO(out))) == len(frame)


def test_numbers_stored_as_text_are_numbers():
    X, numeric, categorical = _cli.split_features(
        pd.DataFrame({"a": ["1", "2.5", None], "b": ["x", "y", "x"], "t": [0, 1, 0]}),
        "t",
    )
    assert numeric == ["a"] and categorical == ["b"]
    assert_allclose(X["a"], [1.0, 2.5, np.nan])


def test_score_leaves_the_frame_alone(frame):
    before = frame.copy()
    _cli.split_features(frame, "label", categorical=["x2"])
    pd.testing.assert_frame_equal(frame, before)


# -- score errors ---------------------------------------------------------------


def _write(tmp_path, name, data):
    path = tmp_path / name
    pd.DataFrame(data).to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "data, argv, message",
    [
        (
            {"a": [1, 2, 3, 4], "y": [0, 1, 0, 1]},
            ["--target", "class"],
            "target column 'class' is not in the file; the columns are a, y",
        ),
        (
            {"a": [1, 2, 3, 4], "empty": [np.nan] * 4, "y": [0, 1, 0, 1]},
            ["--target", "y"],
            "feature column 'empty' has no values",
        ),
        (
            {"a": [1, 2, 3, 4], "b": ["1", "2", "n/k", "4"], "y": [0, 1, 0, 1]},
            ["--target", "y"],
            "feature column 'b' mixes numbers and text",
        ),
        (
            {"a": [1, 2, 3, 4], "y": ["x", "x", "x", "x"]},
            ["--target", "y"],
            "target column 'y' has a single class \\('x'\\)",
        ),
        (
            {"a": [1, 2, 3, 4], "y": [0, 1, None, 1]},
            ["--target", "y"],
            "target column 'y' has 1 missing values",
        ),
        (
            {"a": [1, 2, 3, 4], "y": ["p", "q", "p", "q"]},
            ["--target", "y", "--task", "regression"],
            "--task regression needs numbers",
        ),
        (
            {"a": [1, 2, 3, 4], "y": [0, 1, 0, 1]},
            ["--target", "y", "--drop", "b"],
            "--drop names columns that are not in the file: \\['b'\\]",
        ),
        (
            {"y": [0, 1, 0, 1]},
            ["--target", "y"],
            "no feature columns are left",
        ),
        (
            {"a": [1.0, np.inf, 3, 4], "y": [0, 1, 0, 1]},
            ["--target", "y"],
            "feature column 'a' has infinite values",
        ),
        (
            {"a": [1, 2, 3], "y": [0, 1, 0]},
            ["--target", "y"],
            "cannot score .*bad.csv: n_splits=3 cannot be greater than the number",
        ),
    ],
)
def test_score_user_errors(capsys, tmp_path, data, argv, message):
    path = _write(tmp_path, "bad.csv", data)
    status, out, err = run(capsys, "score", path, *argv, *FAST)
    assert status == 2
    assert err.startswith("skdifficulty: error: ")
    assert re.search(message, err), err
    assert "Traceback" not in err and out == ""


def test_score_file_errors(capsys, tmp_path):
    status, _, err = run(capsys, "score", tmp_path / "none.csv", "--target", "y")
    assert status == 2 and "none.csv: no such file" in err
    status, _, err = run(capsys, "score", tmp_path / "data.xlsx", "--target", "y")
    assert status == 2 and "cannot tell the file format" in err
    good = _write(tmp_path, "good.csv", {"a": [1, 2], "y": [0, 1]})
    status, _, err = run(
        capsys, "score", good, "--target", "y", "--output", tmp_path / "no" / "o.csv"
    )
    assert status == 2 and "does not exist" in err


def test_datetime_columns_are_named(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "dates.parquet"
    pd.DataFrame(
        {
            "a": [1.0, 2, 3, 4],
            "when": pd.date_range("2024-01-01", periods=4),
            "y": [0, 1, 0, 1],
        }
    ).to_parquet(path)
    status, _, err = run(capsys, "score", path, "--target", "y", *FAST)
    assert status == 2
    assert "feature column 'when' has dtype datetime64" in err


def test_parquet_without_pyarrow(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(_cli, "installed", lambda name: name != "pyarrow")
    path = tmp_path / "data.parquet"
    path.write_bytes(b"")
    status, _, err = run(capsys, "score", path, "--target", "y")
    assert status == 2
    assert "Parquet files need pyarrow" in err


def test_without_pandas(capsys, csv_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    status, _, err = run(capsys, "score", csv_file, "--target", "label")
    assert status == 2
    assert (
        'needs pandas, which is not installed; install it with pip install "skd' in err
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["demo", "--noise", "1.5"], "--noise must be >= 0 and < 1; got 1.5"),
        (["demo", "--imbalance", "0.5"], "--imbalance must be >= 1"),
        (["demo", "--cv", "one"], "'one' is not an integer"),
        (["demo", "--n-jobs", "0"], "--n-jobs must not be 0"),
        (["demo", "--imbalance", "inf"], "--imbalance must be >= 1; got inf"),
        (["score", "data.csv"], "the following arguments are required: --target"),
    ],
)
def test_bad_options(capsys, argv, message):
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert message in err


# -- demo --------------------------------------------------------------------


def _table(out):
    """The printed table as a DataFrame (the lines after the description)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["model"])
    end = next(i for i, line in enumerate(lines) if line.startswith("flipped"))
    return pd.read_fwf(io.StringIO("\n".join(lines[start:end])))


TINY_DEMO = ["--cv", "3", "--n-repeats", "1", "--search-cv", "2", "--strengths"]


def test_demo(capsys, tmp_path):
    plots = tmp_path / "plots"
    status, out, err = run(
        capsys,
        *("demo", "--noise", "0.2", *TINY_DEMO, "1", "4"),
        *("--n-jobs", "1", "--quiet", "--output-dir", plots),
    )
    assert status == 0, err
    table = _table(out)
    assert list(table.columns) == ["model", "weighting", "strength", "accuracy"]
    assert table["model"].tolist() == ["plain"] + ["weighted"] * 4 + ["grid search"]
    assert table["weighting"].tolist()[:5] == [
        "none",
        "easy_first",
        "hard_first",
        "medium_first",
        "two_ends",
    ]
    assert table["strength"].tolist() == ["-", "4", "4", "4", "4", table["strength"][5]]
    assert table["accuracy"].between(0, 1).all()

    # The rows are what the library gives when used directly (one BLAS
    # thread, as in the demo: it only speeds these small fits up).
    data = load_noisy_digits(noise=0.2, random_state=0)
    with threadpool_limits(limits=1):
        plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        plain.fit(data.X_train, data.y_train)
        easy = DifficultyWeightedClassifier(
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
            difficulty=DifficultyEstimator(
                cv=3, n_repeats=1, keep_estimators=False, random_state=0
            ),
            weighting="easy_first",
            strength=4,
        ).fit(data.X_train, data.y_train)
    assert table["accuracy"][0] == round(plain.score(data.X_test, data.y_test), 3)
    assert table["accuracy"][1] == round(easy.score(data.X_test, data.y_test), 3)
    # Wrong labels are hard, and hard-first weighting learns them.
    auroc = float(re.search(r"AUROC (\d\.\d+)", out).group(1))
    assert 0.9 < auroc <= 1
    assert table["accuracy"][2] < table["accuracy"][0] < table["accuracy"][1]

    for name in ("difficulty.png", "weighting_modes.png"):
        path = plots / name
        assert f"wrote {path}" in out
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_with_imbalance_and_no_noise(capsys, tmp_path):
    status, out, err = run(
        capsys,
        *("demo", "--noise", "0", "--imbalance", "3", *TINY_DEMO, "2"),
        *("--quiet", "--n-jobs", "1", "--output-dir", tmp_path),
    )
    assert status == 0, err
    table = _table(out)
    assert list(table.columns) == [
        "model",
        "weighting",
        "strength",
        "normalize",
        "accuracy",
        "balanced_accuracy",
    ]
    # Class balancing alone is a row of its own.
    assert table["weighting"].tolist()[:2] == ["none", "none"]
    assert table["normalize"].tolist()[:3] == ["-", "class", "class"]
    assert table["balanced_accuracy"].between(0, 1).all()
    assert "n/a (no label was flipped)" in out
    assert "classes imbalanced 3:1" in out
