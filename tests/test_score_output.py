"""``score``'s output: suggested labels, flags, the summary, and the report's checks.

The data have known wrong labels (wine, 10% flipped) or targets (diabetes,
gross errors), so the flags can be checked against the truth.
"""

import io
import os
import re
from argparse import Namespace

import numpy as np
import pytest
from _columns import OUTPUT_COLUMNS
from numpy.testing import assert_allclose, assert_array_equal

pd = pytest.importorskip("pandas")

from sklearn.datasets import load_diabetes, load_wine  # noqa: E402

from skdifficulty.cli import (
    _score,  # noqa: E402
    main,  # noqa: E402
)
from skdifficulty.datasets import flip_labels  # noqa: E402

FAST = ["--cv", "5", "--n-repeats", "1", "--n-jobs", "1", "--quiet"]
CULTIVARS = np.array(["barolo", "grignolino", "barbera"])


def run(capsys, *argv):
    """``main(argv)``: (exit status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(scope="module")
def wine(tmp_path_factory):
    """wine.csv with 10% of the cultivars flipped; the flips and true labels."""
    X, y = load_wine(return_X_y=True, as_frame=True)
    y_noisy, flipped = flip_labels(y.to_numpy(), rate=0.1, random_state=0)
    frame = X.assign(cultivar=CULTIVARS[y_noisy])
    path = tmp_path_factory.mktemp("wine") / "wine.csv"
    frame.to_csv(path, index=False)
    return path, frame, flipped, CULTIVARS[y.to_numpy()]


@pytest.fixture
def no_fit(monkeypatch):
    def fit(*args, **kwargs):
        raise AssertionError("fitted before refusing the options")

    monkeypatch.setattr(_score, "fit_difficulty", fit)


def precision_recall(flagged, truth):
    hits = np.sum(flagged & truth)
    return hits / max(flagged.sum(), 1), hits / truth.sum()


def test_flags_and_suggestions_find_the_flipped_labels(capsys, wine, tmp_path):
    path, frame, flipped, truth = wine
    output = tmp_path / "scores.csv"
    status, out, err = run(
        capsys, "score", path, "--target", "cultivar", "--output", output, *FAST
    )
    assert status == 0, err
    assert out == ""
    scores = pd.read_csv(output)
    assert_array_equal(scores["row"], np.arange(len(frame)))
    assert_array_equal(scores["given_label"], frame["cultivar"])
    flagged = scores["flagged"].to_numpy()
    precision, recall = precision_recall(flagged, flipped)
    # A random flag of the same size has precision 0.1 (the noise share) and
    # recall equal to the share flagged.
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)
    assert precision - flipped.mean() > 0.6 and recall - flagged.mean() > 0.6
    suggested = scores["suggested_label"].to_numpy()
    assert np.mean(suggested[flipped] == truth[flipped]) >= 0.8
    # The given label's probability is low where the label was flipped.
    assert scores["given_proba"][flipped].median() < 0.2
    assert scores["given_proba"][~flipped].median() > 0.8


def test_row_order_is_kept(capsys, wine, tmp_path):
    path, frame, flipped, truth = wine
    order = np.random.default_rng(1).permutation(len(frame))
    shuffled = tmp_path / "shuffled.csv"
    frame.iloc[order].to_csv(shuffled, index=False)
    status, out, err = run(capsys, "score", shuffled, "--target", "cultivar", *FAST)
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert_array_equal(scores["row"], np.arange(len(frame)))
    assert_array_equal(scores["given_label"], frame["cultivar"].iloc[order])
    # The flags land on the flipped rows in their new places.
    precision, recall = precision_recall(scores["flagged"].to_numpy(), flipped[order])
    assert precision >= 0.8 and recall >= 0.8, (precision, recall)
    hits = scores["flagged"].to_numpy() & flipped[order]
    assert np.mean(scores["suggested_label"][hits] == truth[order][hits]) >= 0.8


def _class_counts(err):
    """The per-class counts that the summary printed, as a DataFrame."""
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["class"])
    end = next(i for i in range(start, len(lines)) if lines[i][:1] in ("", "("))
    return pd.read_fwf(io.StringIO("\n".join(lines[start:end])))


def _listed_rows(err):
    """The rows that the summary lists to check first."""
    lines = err.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("rows to check"))
    end = lines.index("", start)
    listed = pd.read_fwf(io.StringIO("\n".join(lines[start + 1 : end])))
    return listed


def test_summary_counts_match_the_file(capsys, wine, tmp_path):
    path, frame, _, _ = wine
    output = tmp_path / "scores.csv"
    status, _, err = run(
        capsys, "score", path, "--target", "cultivar", "--output", output, *FAST
    )
    assert status == 0, err
    scores = pd.read_csv(output)
    n_flagged = int(scores["flagged"].sum())
    assert f"flagged {n_flagged} rows ({n_flagged / len(scores):.1%})" in err
    assert "confident learning estimates" in err
    counts = _class_counts(err).set_index("class")
    per_class = scores.groupby("given_label")["flagged"].agg(["size", "sum"])
    for label, (size, total) in per_class.iterrows():
        assert counts.loc[label, "rows"] == size
        assert counts.loc[label, "flagged"] == total
    assert counts.loc["all", "rows"] == len(scores)
    assert counts.loc["all", "flagged"] == n_flagged
    # The rows to check first: the flagged rows, hardest first.
    listed = _listed_rows(err)
    expected = scores[scores["flagged"]].sort_values("difficulty_rank").head(10)
    assert_array_equal(listed["row"], expected["row"])
    assert_array_equal(listed["given"], expected["given_label"])
    assert_array_equal(listed["suggested"], expected["suggested_label"])
    assert_allclose(listed["p_suggested"], expected["suggested_proba"], rtol=5e-3)
    assert err.splitlines()[-2].startswith(f"next: open {output}, check the flagged")
    assert err.splitlines()[-1] == f"wrote {len(scores)} rows to {output}"


def test_flag_share(capsys, wine):
    path, frame, _, _ = wine
    status, out, err = run(
        capsys, "score", path, "--target", "cultivar", "--flag-share", "0.25", *FAST
    )
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    n = round(0.25 * len(frame))
    assert scores["flagged"].sum() == n
    assert set(scores["difficulty_rank"][scores["flagged"]]) == set(range(1, n + 1))
    assert f"the {n} hardest rows (flag share 0.25)" in err


def test_nothing_flagged_lists_the_hardest_rows(capsys, wine):
    path, _, _, _ = wine
    status, _, err = run(
        capsys, "score", path, "--target", "cultivar", "--flag-share", "0", *FAST
    )
    assert status == 0, err
    assert "flagged 0 rows (0.0%)" in err
    assert "no row is flagged; the hardest rows" in err


@pytest.fixture(scope="module")
def diabetes(tmp_path_factory):
    """diabetes.csv with 30 targets 5 standard deviations off."""
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    rng = np.random.default_rng(0)
    bad = np.zeros(len(y), dtype=bool)
    bad[rng.choice(len(y), size=30, replace=False)] = True
    frame = X.assign(progression=y + bad * 5 * y.std())
    path = tmp_path_factory.mktemp("diabetes") / "diabetes.csv"
    frame.to_csv(path, index=False)
    return path, frame, bad


def test_regression_columns_and_outliers(capsys, diabetes):
    path, frame, bad = diabetes
    status, out, err = run(
        capsys, "score", path, "--target", "progression", "--task", "regression", *FAST
    )
    assert status == 0, err
    scores = pd.read_csv(io.StringIO(out))
    assert list(scores.columns) == OUTPUT_COLUMNS["regression"]
    assert_allclose(scores["given_value"], frame["progression"])
    assert_allclose(
        scores["residual"], scores["given_value"] - scores["predicted_value"]
    )
    assert_allclose(scores["bias"], scores["residual"] ** 2)
    precision, recall = precision_recall(scores["flagged"].to_numpy(), bad)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)
    n_flagged = int(scores["flagged"].sum())
    assert f"flagged {n_flagged} rows" in err and "as outliers: residuals more" in err
    assert "class" not in err.split()
    listed = _listed_rows(err)
    assert list(listed.columns) == [
        "row",
        "given",
        "predicted",
        "residual",
        "difficulty",
    ]
    assert set(listed["row"]) <= set(np.flatnonzero(scores["flagged"]))


# -- the options' checks, before any fit -----------------------------------------


@pytest.mark.parametrize("share", ["1.5", "-0.1", "nan", "x"])
def test_flag_share_out_of_range(capsys, wine, no_fit, share):
    path = wine[0]
    status, _, err = run(capsys, "score", path, "--target", "c", "--flag-share", share)
    assert status == 2
    assert "--flag-share" in err and "Traceback" not in err


def test_report_needs_an_html_name(capsys, wine, tmp_path, no_fit):
    status, _, err = run(
        capsys, "score", wine[0], "--target", "cultivar", "--report", tmp_path / "r.txt"
    )
    assert status == 2
    assert "the report is a web page; name it with the extension .html" in err


def test_report_never_writes_over_the_input(capsys, wine, tmp_path, no_fit):
    path = wine[0]
    link = tmp_path / "data.html"
    os.symlink(path, link)
    before = path.read_bytes()
    status, _, err = run(
        capsys, "score", path, "--target", "cultivar", "--report", link
    )
    assert status == 2
    assert f"--report {link} is the input file {path}: writing the report there" in err
    assert path.read_bytes() == before


def test_report_and_output_must_differ(capsys, wine, tmp_path, no_fit):
    output = tmp_path / "scores.csv"
    report = tmp_path / "scores.html"
    os.symlink(output, report)  # dangling until the scores are written
    status, _, err = run(
        capsys,
        *("score", wine[0], "--target", "cultivar"),
        *("--output", output, "--report", report),
    )
    assert status == 2
    assert f"--report {report} and --output {output} name the same file" in err


def test_report_folder_is_checked_first(capsys, wine, tmp_path, no_fit):
    report = tmp_path / "missing" / "r.html"
    status, _, err = run(
        capsys, "score", wine[0], "--target", "cultivar", "--report", report
    )
    assert status == 2
    assert re.search(f"--report {report}: the folder .*missing does not exist", err)


def test_report_without_matplotlib(capsys, wine, tmp_path, no_fit, monkeypatch):
    monkeypatch.setattr(_score, "installed", lambda name: name != "matplotlib")
    status, _, err = run(
        capsys, "score", wine[0], "--target", "c", "--report", tmp_path / "r.html"
    )
    assert status == 2
    assert "--report needs matplotlib, which is not installed" in err


def test_no_report_when_the_fits_fail(capsys, tmp_path):
    data = tmp_path / "small.csv"
    pd.DataFrame({"a": [1, 2, 3], "y": [0, 1, 0]}).to_csv(data, index=False)
    report, output = tmp_path / "r.html", tmp_path / "s.csv"
    status, _, err = run(
        capsys,
        *("score", data, "--target", "y", "--output", output, "--report", report),
        *FAST,
    )
    assert status == 2
    assert "cannot score" in err
    assert not report.exists() and not output.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.csv"]


def test_summary_of_many_classes_lists_the_most_flagged():
    from sklearn.utils import Bunch

    n = 250
    labels = np.arange(n) % 25
    flagged = labels >= 20  # classes 20 to 24: all their rows flagged
    table = pd.DataFrame(
        {
            "row": np.arange(n),
            "difficulty_rank": np.arange(1, n + 1),
            "flagged": flagged,
            "given_label": labels,
            "suggested_label": (labels + 1) % 25,
            "suggested_proba": 0.9,
            "given_proba": 0.05,
            "difficulty": np.linspace(5, 0.1, n),
        }
    )
    result = Bunch(task="classification", rule="a rule")
    args = Namespace(cv=5, n_repeats=1, estimator="logistic", report=None, output=None)
    text = _score.summary(table, result, args)
    counts = _class_counts(text)
    assert len(counts) == _score.MAX_CLASSES_LISTED + 1
    assert counts["class"].iloc[-1] == "all"
    assert counts["flagged"].iloc[-1] == flagged.sum()
    assert {20, 21, 22, 23, 24} <= set(counts["class"].iloc[:-1].astype(int))
    assert "(5 classes with fewer flagged rows not listed)" in text
    assert text.splitlines()[-1].startswith("next: check the flagged rows")


def test_help_says_how_rows_are_flagged(capsys):
    status, out, _ = run(capsys, "score", "--help")
    assert status == 0
    for words in ("confident learning", "--flag-share", "--report", "1.4826 x MAD"):
        assert words in out
