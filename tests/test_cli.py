"""Tests of the command line: ``demo``, ``score``, and how errors are reported.

What ``score`` flags and summarizes is tested in ``test_score_output.py``, its
report in ``test_report.py``."""

import io
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _columns import OUTPUT_COLUMNS
from numpy.testing import assert_allclose, assert_array_equal

pd = pytest.importorskip("pandas")

from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression, Ridge  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402
from sklearn.utils import Bunch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from skdifficulty import (  # noqa: E402
    DifficultyEstimator,
    DifficultyWeightedClassifier,
)
from skdifficulty.cli import _demo, _io, _score, build_parser, main  # noqa: E402
from skdifficulty.datasets import (  # noqa: E402
    load_contaminated_diabetes,
    load_noisy_digits,
)

FAST = ["--cv", "3", "--n-repeats", "2", "--n-jobs", "1", "--quiet"]
SCORE_COLUMNS = OUTPUT_COLUMNS["classification"]
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
    assert list(scores.columns) == SCORE_COLUMNS
    numbers = scores.drop(columns=["given_label", "suggested_label"])
    assert np.all(np.isfinite(numbers.to_numpy(dtype=float)))


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
    X, numeric, categorical = _score.split_features(
        pd.DataFrame({"a": ["1", "2.5", None], "b": ["x", "y", "x"], "t": [0, 1, 0]}),
        "t",
    )
    assert numeric == ["a"] and categorical == ["b"]
    assert_allclose(X["a"], [1.0, 2.5, np.nan])


def test_score_leaves_the_frame_alone(frame):
    before = frame.copy()
    _score.split_features(frame, "label", categorical=["x2"])
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
        (
            {"x1": [], "x2": [], "y": []},
            ["--target", "y"],
            r"bad.csv: the file has no data rows, only the column names \(x1, x2, "
            r"y\); add the samples",
        ),
        (
            {"x1": [], "y": []},
            ["--target", "class"],  # no rows comes first: it is what is wrong
            "bad.csv: the file has no data rows",
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
    for name, text in (("empty.csv", ""), ("blank.csv", "\n\n")):
        (tmp_path / name).write_text(text)
        status, _, err = run(capsys, "score", tmp_path / name, "--target", "y")
        assert status == 2 and f"{name}: the file is empty, without even a" in err
    (tmp_path / "header.csv").write_text("x1,y\n\n")
    status, _, err = run(capsys, "score", tmp_path / "header.csv", "--target", "y")
    assert status == 2 and "header.csv: the file has no data rows" in err
    status, _, err = run(capsys, "score", tmp_path / "data.xlsx", "--target", "y")
    assert status == 2 and "cannot tell the file format" in err
    good = _write(tmp_path, "good.csv", {"a": [1, 2], "y": [0, 1]})
    status, _, err = run(
        capsys, "score", good, "--target", "y", "--output", tmp_path / "no" / "o.csv"
    )
    assert status == 2 and "does not exist" in err


# -- never write over the input; fail on an unwritable output before the fit


@pytest.fixture
def no_fit(monkeypatch):
    """Make any scoring or demo fit fail the test: errors must come first."""

    def fit(*args, **kwargs):
        raise AssertionError("fitted before refusing the options")

    monkeypatch.setattr(_score, "fit_difficulty", fit)
    monkeypatch.setattr(_demo, "demo_rows", fit)


def _spell_input(spelling, tmp_path, data):
    """``data``, a file in ``tmp_path``, spelled another way (cwd is tmp_path)."""
    if spelling == "relative":
        return data.name
    if spelling == "absolute":
        return str(data.resolve())
    if spelling == "dot":
        return f"./{data.name}"
    if spelling == "dotdot":
        (tmp_path / "sub").mkdir()
        return f"sub/../{data.name}"
    if spelling == "missing-dotdot":  # ".." after a folder that does not exist
        return f"nowhere/../{data.name}"
    if spelling == "symlink":
        os.symlink(data, tmp_path / "link.csv")
        return "link.csv"
    if spelling == "symlinked-folder":
        os.symlink(tmp_path, tmp_path / "folder-link")
        return f"folder-link/{data.name}"
    if spelling == "hardlink":
        os.link(data, tmp_path / "hard.csv")
        return "hard.csv"
    raise ValueError(spelling)


@pytest.mark.parametrize(
    "spelling",
    [
        "relative",
        "absolute",
        "dot",
        "dotdot",
        "missing-dotdot",
        "symlink",
        "symlinked-folder",
        "hardlink",
    ],
)
def test_score_never_writes_over_its_input(
    capsys, csv_file, tmp_path, monkeypatch, no_fit, spelling
):
    monkeypatch.chdir(tmp_path)
    before = csv_file.read_bytes()
    output = _spell_input(spelling, tmp_path, csv_file)
    status, out, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", output, *FAST
    )
    assert status == 2
    assert err == (
        f"skdifficulty: error: --output {output} is the input file {csv_file}: "
        "writing the scores there would destroy the data; choose another output "
        "file.\n"
    )
    assert out == ""
    assert csv_file.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp")) == []


def test_score_refuses_an_input_named_through_a_link(
    capsys, csv_file, tmp_path, no_fit
):
    """The input given as a symbolic link, the output as the real file."""
    link = tmp_path / "link.csv"
    os.symlink(csv_file, link)
    before = csv_file.read_bytes()
    status, _, err = run(
        capsys, "score", link, "--target", "label", "--output", csv_file
    )
    assert status == 2
    assert f"--output {csv_file} is the input file {link}" in err
    assert csv_file.read_bytes() == before


def test_same_file():
    assert _io.same_file("a.csv", "./x/../a.csv")
    assert not _io.same_file("a.csv", "b.csv")
    assert not _io.same_file("a.csv", "a.csv.gz")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: (d / "out.csv").mkdir() or d / "out.csv", "out.csv is a folder"),
        (
            lambda d: (d / "plain").write_text("x") and d / "plain" / "out.csv",
            "plain is a file, not a folder",
        ),
        (
            lambda d: (d / "plain").write_text("x") and d / "plain" / "a" / "o.csv",
            "plain is a file, not a folder",
        ),
        (lambda d: d / "no" / "out.csv", "the folder .*no does not exist"),
    ],
    ids=["output-is-a-folder", "parent-is-a-file", "ancestor-is-a-file", "no-folder"],
)
def test_score_output_place_is_checked_first(
    capsys, csv_file, tmp_path, no_fit, make, message
):
    output = make(tmp_path)
    status, out, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", output
    )
    assert status == 2
    assert err.startswith(f"skdifficulty: error: --output {output}")
    assert re.search(message, err), err
    assert out == "" and "Traceback" not in err


def test_score_unwritable_output_is_refused_first(
    capsys, csv_file, tmp_path, monkeypatch, no_fit
):
    """os.access says no (as it does for a user without the permission)."""
    existing = tmp_path / "old.csv"
    existing.write_text("keep")
    access = os.access
    monkeypatch.setattr(
        _io.os, "access", lambda p, mode: Path(p) != existing and access(p, mode)
    )
    status, _, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", existing
    )
    assert status == 2
    assert f"--output {existing} exists and is not writable" in err
    assert existing.read_text() == "keep"

    folder = tmp_path / "locked"
    folder.mkdir()
    monkeypatch.setattr(
        _io.os, "access", lambda p, mode: Path(p) != folder and access(p, mode)
    )
    status, _, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", folder / "o.csv"
    )
    assert status == 2
    assert f"cannot create files in the folder {folder} (permission denied)" in err


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root may write in a folder without write permission",
)
def test_score_read_only_folder(capsys, csv_file, tmp_path, no_fit):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        status, _, err = run(
            capsys, "score", csv_file, "--target", "label", "--output", folder / "o.csv"
        )
    finally:
        folder.chmod(stat.S_IRWXU)
    assert status == 2
    assert "permission denied" in err


def test_a_failed_write_leaves_no_partial_file(capsys, csv_file, tmp_path, monkeypatch):
    output = tmp_path / "scores.csv"
    output.write_text("old scores\n")

    def half_write(self, path, **kwargs):
        with open(path, "w") as file:
            file.write("difficulty,bi")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_write)
    status, _, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", output, *FAST
    )
    assert status == 2
    assert err == (
        f"skdifficulty: error: {output}: cannot write it: No space left on device\n"
    )
    assert output.read_text() == "old scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv", "scores.csv"]


def test_write_table_replaces_keeping_the_mode_and_follows_links(tmp_path):
    frame = pd.DataFrame({"a": [1, 2]})
    target = tmp_path / "target.csv.gz"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.csv.gz"
    os.symlink(target, link)
    _io.write_table(frame, link)
    assert link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    pd.testing.assert_frame_equal(pd.read_csv(target), frame)  # gzip, by the name
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "link.csv.gz",
        "target.csv.gz",
    ]


def test_write_table_new_file_mode_follows_the_umask(tmp_path):
    umask = os.umask(0o027)
    try:
        _io.write_table(pd.DataFrame({"a": [1]}), tmp_path / "new.csv")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o640


def test_score_replaces_an_older_output(capsys, csv_file, tmp_path):
    output = tmp_path / "scores.csv"
    output.write_text("old\n")
    status, _, err = run(
        capsys, "score", csv_file, "--target", "label", "--output", output, *FAST
    )
    assert status == 0, err
    assert list(pd.read_csv(output).columns) == SCORE_COLUMNS


def test_score_data_that_is_a_folder(capsys, tmp_path):
    (tmp_path / "data.csv").mkdir()
    status, _, err = run(capsys, "score", tmp_path / "data.csv", "--target", "y")
    assert status == 2
    assert "data.csv: is a folder, not a data file" in err


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
    monkeypatch.setattr(_io, "installed", lambda name: name != "pyarrow")
    path = tmp_path / "data.parquet"
    path.write_bytes(b"")
    status, _, err = run(capsys, "score", path, "--target", "y")
    assert status == 2
    assert (
        'reading Parquet needs pyarrow, which is not installed; install it with '
        'pip install "skdifficulty[pandas]"' in err
    )


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


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--random-state", "-1"], "--random-state must be >= 0 and <= 4294967295"),
        (["--random-state", str(2**32)], "--random-state must be >= 0 and <= 42949"),
        (["--n-repeats", "0"], "--n-repeats must be >= 1 and <= 100000; got 0"),
        (["--n-repeats", str(10**12)], "--n-repeats must be >= 1 and <= 100000"),
        (["--cv", "1"], "--cv must be >= 2 and <= 100000; got 1"),
        (["--cv", "200000"], "--cv must be >= 2 and <= 100000; got 200000"),
        (
            ["--cv", "3", "--n-repeats", "50000"],
            "--cv 3 x --n-repeats 50000 plans 150000 fits; at most 100000 are "
            "allowed: use --n-repeats 33333 or less.",
        ),
    ],
)
@pytest.mark.parametrize("command", ["score", "demo"])
def test_common_options_out_of_range(capsys, csv_file, no_fit, command, argv, message):
    data = [csv_file, "--target", "label"] if command == "score" else []
    status, out, err = run(capsys, command, *data, *argv)
    assert status == 2
    assert message in err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--noise", "1.0"], "--noise must be >= 0 and < 1; got 1.0"),
        (["--noise", "-0.1"], "--noise must be >= 0 and < 1; got -0.1"),
        (["--noise", "nan"], "--noise must be >= 0 and < 1; got nan"),
        (
            ["--noise", "0.9"],
            "--noise must be >= 0 and < 0.9 with --noise-kind symmetric; got 0.9. ",
        ),
        (
            ["--noise", "0.5", "--noise-kind", "pair"],
            "--noise must be >= 0 and < 0.5 with --noise-kind pair; got 0.5. ",
        ),
        (["--noise-kind", "all"], "argument --noise-kind: invalid choice: 'all'"),
        (["--strengths"], "argument --strengths: expected at least one argument"),
        (["--strengths", "1", "100"], "--strengths must be >= 0 and <= 64; got 100"),
        (["--strengths", "-1"], "--strengths must be >= 0 and <= 64; got -1"),
        (["--strength", "1e300"], "--strength must be >= 0 and <= 64; got 1e300"),
        (["--strength", "inf"], "--strength must be >= 0 and <= 64; got inf"),
        (["--search-cv", "1"], "--search-cv must be >= 2 and <= 100000; got 1"),
        (["--imbalance", "nan"], "--imbalance must be >= 1; got nan"),
        (
            ["--search-cv", "500"],
            r"digit \d has only 1\d\d training images, but the folds need at least "
            r"500 of every digit: each of the 500 folds of --search-cv, and each of "
            r"the 5 --cv folds inside their training parts, must hold every digit; "
            r"use --search-cv from 2 to 1\d\d\.",
        ),
        (
            ["--cv", "200"],
            r"digit \d has only 1\d\d training images, but the folds need at least "
            r"300 of every digit: .*; use --cv \d\d or less\.",
        ),
        (
            ["--imbalance", "1000"],
            r"--imbalance 1000 leaves a digit without images, but the folds need "
            r"at least 8 of every digit: .*; use --imbalance at most about 16\.5\.",
        ),
        (
            ["--imbalance", "60", "--noise", "0"],
            r"digit 9 has only 2 training images with --imbalance 60, but the folds "
            r"need at least 8 .*; use --imbalance at most about 16\.5\.",
        ),
        (
            ["--task", "regression", "--noise-kind", "pair"],
            "--noise-kind pair is for the other task; with --task regression use "
            "two-sided or one-sided.",
        ),
        (
            ["--noise-kind", "one-sided"],
            "--noise-kind one-sided is for the other task; with --task "
            "classification use symmetric or pair.",
        ),
        (
            ["--task", "regression", "--imbalance", "3"],
            "--imbalance shrinks classes, which --task regression does not have",
        ),
        (
            ["--task", "regression", "--noise", "0.5"],
            "--noise must be >= 0 and < 0.5 with --noise-kind two-sided; got 0.5. "
            "From 0.5 on, as many targets are wrong as right",
        ),
        (
            ["--task", "regression", "--cv", "400"],
            r"the diabetes data has 331 training rows, but the folds need at least "
            r"600: .*; use --cv 220 or less\.",
        ),
        (
            ["--imbalance", "30", "--noise", "0", "--search-cv", "2", "--cv", "3"],
            r"digit 9 has only 4 training images with --imbalance 30, but the folds "
            r"need at least 6 .*; use --imbalance at most about 2\d\.\d, or --cv 2 "
            r"or less, or --search-cv from 4 to 4\.",
        ),
    ],
)
def test_demo_options_out_of_range(capsys, tmp_path, no_fit, argv, message):
    status, out, err = run(capsys, "demo", "--output-dir", tmp_path / "p", *argv)
    assert status == 2
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert not (tmp_path / "p").exists()


def test_demo_imbalance_bound_is_enough(capsys, tmp_path, no_fit):
    """The --imbalance that the message offers passes the check, and a bit more
    does not."""
    status, _, err = run(
        capsys, "demo", "--imbalance", "60", "--noise", "0", "--output-dir", tmp_path
    )
    assert status == 2
    bound = float(re.search(r"at most about (\d+(\.\d)?)", err).group(1))
    args = build_parser().parse_args(
        ["demo", "--noise", "0", "--imbalance", str(bound)]
    )
    assert _demo.demo_data(args).y_train.shape[0] > 0
    args.imbalance = round(bound + 0.1, 1)
    with pytest.raises(_io.CommandError, match="training images with --imbalance"):
        _demo.demo_data(args)


def test_demo_flips_that_empty_a_digit(capsys, tmp_path, no_fit, monkeypatch):
    """Clean labels that fill the folds, but flips that take a digit away."""
    y_clean = np.repeat(np.arange(10), 20)
    y = np.where(y_clean == 3, 4, y_clean)
    data = Bunch(y_train=y, y_train_clean=y_clean, flipped=y != y_clean)
    monkeypatch.setattr(_demo, "_noisy_digits", lambda args, imbalance: data)
    status, _, err = run(capsys, "demo", "--output-dir", tmp_path)
    assert status == 2
    assert (
        "digit 3 keeps only 0 training labels after the flips, but the folds need "
        "at least 8 of every digit" in err
    )
    assert err.endswith("; use a lower --noise.\n")


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda d: (d / "f").write_text("x") and d / "f",
            "--output-dir {path} exists and is not a folder",
        ),
        (
            lambda d: (d / "f").write_text("x") and d / "f" / "plots",
            "--output-dir {path}: {tmp}/f is a file, not a folder.",
        ),
        (
            lambda d: (d / "difficulty.png").mkdir() and None or d,
            "--output-dir {path}: {path}/difficulty.png is a folder, not a file.",
        ),
    ],
    ids=["a-file", "under-a-file", "plot-name-is-a-folder"],
)
def test_demo_output_dir_is_checked_first(capsys, tmp_path, no_fit, make, message):
    path = make(tmp_path)
    status, _, err = run(capsys, "demo", "--output-dir", path)
    assert status == 2
    assert message.format(path=path, tmp=tmp_path) in err


def test_demo_unwritable_output_dir(capsys, tmp_path, no_fit, monkeypatch):
    access = os.access
    monkeypatch.setattr(
        _io.os, "access", lambda p, mode: Path(p) != tmp_path and access(p, mode)
    )
    for path in (tmp_path, tmp_path / "new" / "plots"):
        status, _, err = run(capsys, "demo", "--output-dir", path)
        assert status == 2
        assert (
            f"--output-dir {path}: cannot create files in the folder {tmp_path} "
            "(permission denied)" in err
        )
    plot = tmp_path / "plots" / "weighting_modes.png"
    plot.parent.mkdir()
    plot.write_bytes(b"old")
    monkeypatch.setattr(
        _io.os, "access", lambda p, mode: Path(p) != plot and access(p, mode)
    )
    status, _, err = run(capsys, "demo", "--output-dir", plot.parent)
    assert status == 2
    assert f"{plot} exists and is not writable" in err


def test_demo_without_matplotlib_ignores_the_output_dir(tmp_path, monkeypatch):
    """No plots, no folder to check: an --output-dir that is a file is fine."""
    monkeypatch.setattr(_demo, "installed", lambda name: name != "matplotlib")
    (tmp_path / "f").write_text("x")
    args = build_parser().parse_args(["demo", "--output-dir", str(tmp_path / "f")])
    _demo.check_demo_options(args, plots=False)
    with pytest.raises(_io.CommandError, match="exists and is not a folder"):
        _demo.check_demo_options(args, plots=True)


# -- demo --------------------------------------------------------------------


def _table(out):
    """The printed table as a DataFrame (the lines after the description)."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["model"])
    end = next(
        i
        for i, line in enumerate(lines)
        if line.startswith(("flipped", "contaminated"))
    )
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
    n_modes = len(_demo.DEMO_MODES)
    assert table["model"].tolist() == [
        "plain",
        *["weighted"] * n_modes,
        "grid search",
    ]
    assert table["weighting"].tolist()[: n_modes + 1] == ["none", *_demo.DEMO_MODES]
    assert table["strength"].tolist()[: n_modes + 1] == ["-"] + ["4"] * n_modes
    assert table["accuracy"].between(0, 1).all()

    # The rows are what the library gives when used directly (one BLAS
    # thread, as in the demo: it only speeds these small fits up).
    data = load_noisy_digits(noise=0.2, random_state=0)
    with threadpool_limits(limits=1):
        plain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
        plain.fit(data.X_train, data.y_train)
        easy = DifficultyWeightedClassifier(
            difficulty_estimator=DifficultyEstimator(
                cv=3, n_repeats=1, keep_estimators=False, random_state=0
            ),
            estimator=make_pipeline(
                StandardScaler(), LogisticRegression(max_iter=1000)
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


def test_demo_regression(capsys, tmp_path):
    status, out, err = run(
        capsys,
        *("demo", "--task", "regression", "--noise", "0.2", *TINY_DEMO, "1", "4"),
        *("--n-jobs", "1", "--quiet", "--output-dir", tmp_path),
    )
    assert status == 0, err
    assert out.startswith("diabetes: 331 training rows, 66 targets replaced by gross")
    table = _table(out)
    assert list(table.columns) == ["model", "weighting", "strength", "mse"]
    n_modes = len(_demo.DEMO_MODES)
    assert table["model"].tolist() == [
        "plain",
        "huber",
        *["weighted"] * n_modes,
        "grid search",
    ]
    # The plain row is a scaled ridge regression fitted on the contaminated
    # targets, scored on clean ones.
    data = load_contaminated_diabetes(noise=0.2, random_state=0)
    plain = make_pipeline(StandardScaler(), Ridge()).fit(data.X_train, data.y_train)
    mse = np.mean((plain.predict(data.X_test) - data.y_test) ** 2)
    assert table["mse"][0] == pytest.approx(mse, rel=1e-3)
    # Gross errors are the hardest targets; giving them little weight helps,
    # giving them much weight hurts.
    auroc = float(re.search(r"contaminated targets found .* AUROC (\d\.\d+)", out)[1])
    assert auroc > 0.95
    easy, hard = table["mse"][2], table["mse"][3]
    assert easy < table["mse"][0] < hard
    for name in ("difficulty.png", "weighting_modes.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exit_status_when_interrupted(capsys, monkeypatch):
    def stop(args):
        raise KeyboardInterrupt

    parser = build_parser()
    args = parser.parse_args(["demo"])
    monkeypatch.setattr(args, "run", stop, raising=False)
    monkeypatch.setattr(
        "skdifficulty.cli._main.build_parser",
        lambda: type("Parser", (), {"parse_args": lambda self, argv: args})(),
    )
    assert main(["demo"]) == 130
    assert "skdifficulty: interrupted" in capsys.readouterr().err
