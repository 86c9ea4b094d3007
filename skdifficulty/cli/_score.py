"""The ``score`` command: the difficulty of every row of a data file, what to
check first, and an optional HTML report.

The rows come back in the file's order with the columns of
:func:`skdifficulty.difficulty_table` (after a ``row`` column, the row's
position in the file), a summary goes to stderr, and ``--report`` writes the
report of :mod:`._report`. Every output is checked before the fits and
written only after they succeed.
"""

import sys

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .._inspection import inspect
from ..estimate._defaults import model_by_name
from ..estimate._estimator import DifficultyEstimator
from ..utils._optional import installed, missing_message
from ._io import (
    CommandError,
    check_fits,
    check_output,
    check_report,
    read_table,
    require_pandas,
    write_table,
    write_text,
)
from ._summary import class_counts, flag_sentence, model_name, next_step

"""Names accepted by ``score --estimator``."""

TOP_ROWS = 10
"""Rows listed under "rows to check first" in the summary."""

MAX_CLASSES_LISTED = 20
"""Classes listed in the summary's per-class counts; the others are summed."""


# -- features and target ----------------------------------------------------


def _as_text(column):
    """Values as strings; missing values stay missing (one dtype for the encoder)."""
    return column.map(str, na_action="ignore").astype(object)


def _numeric_share(column, pandas):
    """Share of the non-missing values of a text column that read as numbers."""
    present = column.dropna()
    parsed = pandas.to_numeric(present.astype(str), errors="coerce")
    return parsed.notna().mean() if present.size else 0.0


def _finite(name, values):
    """``values``, refused when infinite: imputation fills NaN only."""
    if np.isinf(values.to_numpy()).any():
        raise CommandError(
            f"feature column {name!r} has infinite values; replace them, or leave "
            "those cells empty to have them imputed."
        )
    return values


def _feature_column(name, column, forced_categorical, pandas):
    """``(kind, values)``: kind "numeric" or "categorical", values ready to encode."""
    api = pandas.api.types
    if column.isna().all():
        raise CommandError(
            f"feature column {name!r} has no values (every row is missing); "
            "drop it with --drop."
        )
    if name in forced_categorical:
        return "categorical", _as_text(column)
    if api.is_bool_dtype(column) or (
        api.is_numeric_dtype(column) and not api.is_complex_dtype(column)
    ):
        return "numeric", _finite(name, column.astype("float64"))
    if not (
        api.is_object_dtype(column)
        or api.is_string_dtype(column)
        or isinstance(column.dtype, pandas.CategoricalDtype)
    ):
        raise CommandError(
            f"feature column {name!r} has dtype {column.dtype}, which score cannot "
            "encode; convert it to numbers or text, or drop it with --drop."
        )
    share = _numeric_share(column, pandas)
    if share == 1:  # numbers stored as text
        numbers = pandas.to_numeric(column.astype(object), errors="coerce")
        return "numeric", _finite(name, numbers.astype("float64"))
    if share > 0:
        example = column.dropna().astype(str)
        text = example[pandas.to_numeric(example, errors="coerce").isna()].iloc[0]
        raise CommandError(
            f"feature column {name!r} mixes numbers and text (e.g. {text!r}), so it "
            "can be encoded neither as numbers nor as categories. Leave a cell "
            "empty for a missing number (it is imputed), name the column in "
            "--categorical to one-hot encode every value, or drop it with --drop."
        )
    return "categorical", _as_text(column)


def _check_names(names, frame, option):
    unknown = [name for name in names if name not in frame.columns]
    if unknown:
        raise CommandError(
            f"{option} names columns that are not in the file: {unknown}; "
            f"the columns are {_column_list(frame)}."
        )


def _column_list(frame, limit=20):
    names = [str(c) for c in frame.columns[:limit]]
    more = f" and {frame.shape[1] - limit} more" if frame.shape[1] > limit else ""
    return ", ".join(names) + more


def split_features(frame, target, *, drop=(), categorical=()):
    """Feature DataFrame, and the numeric and categorical column names.

    The returned frame is new; ``frame`` is left as it was.
    """
    pandas = require_pandas("Scoring a data file")
    if target not in frame.columns:
        raise CommandError(
            f"target column {target!r} is not in the file; the columns are "
            f"{_column_list(frame)}."
        )
    _check_names(drop, frame, "--drop")
    _check_names(categorical, frame, "--categorical")
    columns, kinds = {}, {"numeric": [], "categorical": []}
    for name in frame.columns:
        if name == target or name in drop:
            continue
        kind, values = _feature_column(name, frame[name], set(categorical), pandas)
        columns[name] = values
        kinds[kind].append(name)
    if not columns:
        raise CommandError(
            f"no feature columns are left besides the target {target!r}."
        )
    X = pandas.DataFrame(columns, index=frame.index)
    return X, kinds["numeric"], kinds["categorical"]


def target_values(frame, target, task):
    """The target column as an array, checked for ``task``."""
    pandas = require_pandas("Scoring a data file")
    y = frame[target]
    n_missing = int(y.isna().sum())
    if n_missing:
        raise CommandError(
            f"target column {target!r} has {n_missing} missing values; every row "
            "needs a target (drop those rows first)."
        )
    if task == "regression":
        if not pandas.api.types.is_numeric_dtype(y) or pandas.api.types.is_bool_dtype(
            y
        ):
            raise CommandError(
                f"target column {target!r} has dtype {y.dtype}; --task regression "
                "needs numbers."
            )
        return y.to_numpy(dtype=np.float64)
    classes = y.unique()
    if classes.size < 2:
        raise CommandError(
            f"target column {target!r} has a single class ({classes[0]!r}); "
            "classification needs at least two."
        )
    return y.to_numpy()


def regression_hint(y):
    """A note when a classification target looks like a quantity, else None."""
    n_unique = np.unique(y).size
    if np.issubdtype(y.dtype, np.floating) and n_unique > max(20, y.shape[0] // 2):
        return (
            f"note: the target has {n_unique} distinct values, each treated as a "
            "class; if it is a quantity, use --task regression."
        )
    return None


# -- the estimator for score ------------------------------------------------


def make_estimator(name, task, numeric, categorical):
    """Imputation, one-hot encoding (and scaling for linear models), then the model.

    Missing numbers get the column's median; missing categories get their own
    category "missing"; categories not seen in a fit are encoded as all zeros.
    """
    numeric_steps = [SimpleImputer(strategy="median")]
    if name == "logistic":
        numeric_steps.append(StandardScaler())
    transformers = []
    if numeric:
        transformers.append(("numeric", make_pipeline(*numeric_steps), numeric))
    if categorical:
        encode = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="missing"),
            OneHotEncoder(handle_unknown="ignore"),
        )
        transformers.append(("categorical", encode, categorical))
    # Histogram gradient boosting needs dense input.
    sparse_threshold = 0.0 if name == "hgb" else 0.3
    columns = ColumnTransformer(transformers, sparse_threshold=sparse_threshold)
    model = model_by_name(name, regression=task == "regression")
    return Pipeline([("columns", columns), ("model", model)])


def fit_difficulty(frame, args):
    """The fitted DifficultyEstimator of ``frame``'s rows, and their target."""
    if frame.shape[0] == 0:
        # Before the column checks, which would blame a column for it.
        raise CommandError(
            f"{args.data}: the file has no data rows, only the column names "
            f"({_column_list(frame)}); add the samples to score, one per row."
        )
    X, numeric, categorical = split_features(
        frame, args.target, drop=args.drop, categorical=args.categorical
    )
    y = target_values(frame, args.target, args.task)
    if args.task == "classification" and (hint := regression_hint(y)):
        print(hint, file=sys.stderr)
    estimator = DifficultyEstimator(
        make_estimator(args.estimator, args.task, numeric, categorical),
        cv=args.cv,
        n_repeats=args.n_repeats,
        keep_estimators=False,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        verbose=int(not args.quiet),
    )
    try:
        estimator.fit(X, y)
    except ValueError as error:
        raise CommandError(f"cannot score {args.data}: {error}") from error
    return estimator, y


def score_table(estimator, y, flag_share=None):
    """The rows to write, in the file's order, and how they were flagged.

    Returns the DataFrame (a ``row`` column, the row's position in the file
    counting from 0, then the columns of :func:`difficulty_table`) and the
    Bunch of :func:`skdifficulty._inspection.inspect`.
    """
    pandas = require_pandas("Scoring a data file")
    result = inspect(estimator, y, flag_share=flag_share)
    columns = {"row": np.arange(len(y)), **result.columns}
    return pandas.DataFrame(columns), result


def top_rows(table, n=TOP_ROWS):
    """The flagged rows, hardest first (the hardest rows when none is
    flagged), as printed: a DataFrame of at most ``n`` rows."""
    rows = table[table["flagged"]] if table["flagged"].any() else table
    rows = rows.sort_values("difficulty_rank").head(n)
    if "given_label" in rows:
        shown = {
            "row": rows["row"],
            "given": rows["given_label"].map(str),
            "suggested": rows["suggested_label"].map(str),
            "p_suggested": rows["suggested_proba"],
            "p_given": rows["given_proba"],
        }
    else:
        shown = {
            "row": rows["row"],
            "given": rows["given_value"],
            "predicted": rows["predicted_value"],
            "residual": rows["residual"],
        }
    shown["difficulty"] = rows["difficulty"]
    return require_pandas("Scoring a data file").DataFrame(shown)


def _text_table(frame, index=False):
    return frame.to_string(index=index, float_format=lambda v: f"{v:.3g}")


def summary(table, result, args):
    """The summary printed after the fits: what was flagged, where, and why."""
    n_rows, n_flagged = len(table), int(table["flagged"].sum())
    lines = [
        f"{n_rows} rows scored by {args.cv} x {args.n_repeats} held-out fits of "
        f"{model_name(args.estimator, result.task)}.",
        flag_sentence(table, result.task, result.rule) + ".",
    ]
    if result.task == "classification":
        counts = class_counts(table)
        hidden = len(counts) - 1 - MAX_CLASSES_LISTED
        if hidden > 0:  # the classes with the most flagged rows, and "all"
            most = counts.iloc[:-1].sort_values(
                "flagged", ascending=False, kind="stable"
            )
            counts = counts.iloc[[*sorted(most.index[:MAX_CLASSES_LISTED]), -1]]
        lines += ["", _text_table(counts)]
        if hidden > 0:
            lines.append(f"({hidden} classes with fewer flagged rows not listed)")
    title = (
        "rows to check first" if n_flagged else "no row is flagged; the hardest rows"
    )
    lines += [
        "",
        f"{title} (row: position in the file, 0 for the first data row):",
        _text_table(top_rows(table)),
        "",
        next_step(result.task, args.report or args.output),
    ]
    return "\n".join(lines)


def _check_report_needs():
    if not installed("matplotlib"):
        raise CommandError(missing_message("matplotlib", "--report"))


def run_score(args):
    """The ``score`` command."""
    check_fits(args)
    check_output(args.output, data=args.data)
    if args.report is not None:
        check_report(args.report, data=args.data, output=args.output)
        _check_report_needs()
    frame = read_table(args.data)
    estimator, y = fit_difficulty(frame, args)
    table, result = score_table(estimator, y, args.flag_share)
    write_table(table, args.output)
    written = []
    if args.output is not None:
        written.append(f"wrote {len(table)} rows to {args.output}")
    if args.report is not None:
        from ._report import build_report

        page = build_report(table, result, estimator, source=args.data, args=args)
        write_text(page, args.report)
        written.append(f"wrote the report to {args.report}")
    print(summary(table, result, args), file=sys.stderr)
    for line in written:
        print(line, file=sys.stderr)
